"""What a dry run shows is what the apply writes: the preview's JSON projects equal `list
--json` after the import, field by field, for generated department returns."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ysdesk.cli import main
from ysdesk.domain.model import ProjectFilter
from ysdesk.store import Store

TODAY = "2026-11-27"

# Every form of 完成时限 DESIGN.md §2 names, a date cell among them.
DEADLINES: list[Any] = [
    "2025年12月底前",
    "2025年6月",
    "2025.9",
    "2025年第三季度",
    "年底前",
    "年内",
    "2025年3月—12月",
    "2025年12月31日",
    datetime(2025, 10, 15),
    "２０２５年１１月",
    "持续推进",
    "长期",
    "每学期初",
    None,
]
STATUSES = [None, "未启动", "进行中", "已办结", "滞后", "暂缓", "推进中"]
HEADERS = {
    "task": ["重点任务", "所属任务", "任务编号"],
    "name": ["项目名称", "具体举措", "工作任务"],
    "lead": ["牵头单位", "牵头部门"],
    "co": ["配合单位", "协办单位"],
    "deadline": ["完成时限", "时间节点", "完成时间"],
    "status": ["推进状态", "状态"],
    "progress": ["进展情况", "工作进展"],
    "note": ["备注"],
}
COLUMNS = list(HEADERS)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, _sample_db_template: Path) -> dict:
    """The sample database with what the generated returns draw from."""
    with Store.open(_sample_db_template, readonly=True) as store:
        projects = store.list_projects(ProjectFilter(year=2025))
        units = [u.name for u in store.units()][:40]
    return {"db": _sample_db_template, "projects": projects, "units": units}


def task_cell(draw: st.DrawFn, task_no: int) -> Any:
    return draw(st.sampled_from([task_no, f"{task_no}.", f"任务{task_no}", str(task_no)]))


@st.composite
def returns(draw: st.DrawFn, projects: list, units: list[str]) -> dict:
    """A department's return: new rows and edited rows of existing projects, some merged."""
    rows: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 6))):
        lead = draw(st.sampled_from(units))
        co = draw(st.lists(st.sampled_from(units), max_size=2))
        task_no = draw(st.integers(1, 23))
        rows.append(
            {
                "task": task_cell(draw, task_no),
                "name": f"新增测试项目{index}号",
                "lead": lead,
                "co": "、".join(co) or None,
                "deadline": draw(st.sampled_from(DEADLINES)),
                "status": draw(st.sampled_from(STATUSES)),
                "progress": draw(st.sampled_from([None, "已完成方案编制。", "10月15日：已开工"])),
                "note": draw(st.sampled_from([None, "", "区级重点"])),
            }
        )
    edited = draw(st.lists(st.sampled_from(projects), max_size=4, unique_by=lambda p: p.id))
    for project in edited:
        rows.append(
            {
                "task": task_cell(draw, project.task_no),
                "name": project.name,
                "lead": "、".join(project.lead_units),
                "co": draw(st.sampled_from(["、".join(project.co_units), None, units[0]])),
                "deadline": draw(st.sampled_from([project.deadline_text, *DEADLINES])),
                "status": draw(st.sampled_from(STATUSES)),
                "progress": draw(st.sampled_from([project.progress, "本月完成验收。"])),
                "note": draw(st.sampled_from([project.note, "调整"])),
            }
        )
    order = draw(st.permutations(range(len(rows))))
    rows = [rows[i] for i in order]
    # Vertical merges over two rows: the top cell's value holds for both.
    merges = []
    for column in ("deadline", "task"):
        if len(rows) >= 2 and draw(st.booleans()):
            start = draw(st.integers(0, len(rows) - 2))
            merges.append((column, start))
    headers = {c: draw(st.sampled_from(HEADERS[c])) for c in COLUMNS}
    return {"rows": rows, "merges": merges, "headers": headers, "title": draw(st.booleans())}


def write_return(data: dict, path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目清单"
    if data["title"]:
        ws.append(["2025年杨浦区重点项目推进情况表"])
    ws.append([data["headers"][c] for c in COLUMNS])
    first = ws.max_row + 1
    for row in data["rows"]:
        ws.append([row[c] for c in COLUMNS])
    for column, start in data["merges"]:
        col = COLUMNS.index(column) + 1
        top = first + start
        ws.cell(top + 1, col).value = None
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
    wb.save(path)
    return path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--today", TODAY, *args])
    return code, out.getvalue(), err.getvalue()


# Fields the preview cannot know before the write: the clock's time of it, and a new
# project's id (its version, code, deadline, area and units it does know).
UNKNOWABLE = {"created_at", "updated_at"}


def assert_preview_is_applied(db: Path, sheet: Path, *year: str) -> dict:
    code, out, err = run("--db", str(db), "import", str(sheet), *year, "--dry-run", "--json")
    assert code in (0, 1), err
    preview = json.loads(out)
    before = {p["id"] for p in json.loads(run("--db", str(db), "list", "--json")[1])}
    code, _, err = run("--db", str(db), "import", str(sheet), *year)
    assert code in (0, 1), err
    listed = json.loads(run("--db", str(db), "list", "--json")[1])
    by_id = {p["id"]: p for p in listed}
    created = iter(sorted((p for p in listed if p["id"] not in before), key=lambda p: p["id"]))
    for row in preview["rows"]:
        shown = row["project"]
        if row["action"] == "error":
            continue
        stored = by_id[shown["id"]] if shown["id"] is not None else next(created)
        skip = UNKNOWABLE | ({"id"} if shown["id"] is None else set())
        mismatched = {
            k: (shown[k], stored[k]) for k in shown if k not in skip and shown[k] != stored[k]
        }
        assert mismatched == {}, (row["row"], row["action"])
    assert next(created, None) is None  # every new project was in the preview
    return preview


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_dry_run_shows_what_the_apply_writes(template: dict, data: st.DataObject) -> None:
    generated = data.draw(returns(template["projects"], template["units"]))
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "ysdesk.db"
        shutil.copy(template["db"], db)
        sheet = write_return(generated, Path(folder) / "return.xlsx")
        assert_preview_is_applied(db, sheet, "--year", "2025")


def test_new_projects_show_their_derived_dates(plan_db: Path, tmp_path: Path) -> None:
    """The reported case: a department's new rows, 完成时限 written out and merged down, on an
    empty database without --year (the title names it)."""
    data = {
        "rows": [
            {"task": 1, "name": "甲", "lead": "区科委", "co": None, "deadline": "2025年第三季度"},
            {"task": 2, "name": "乙", "lead": "区科委", "co": None, "deadline": "年底前"},
            {"task": 3, "name": "丙", "lead": "区科委", "co": None, "deadline": None},
        ],
        "merges": [("deadline", 1)],
        "headers": {c: HEADERS[c][0] for c in COLUMNS},
        "title": True,
    }
    for row in data["rows"]:
        row.update(status=None, progress=None, note=None)
    sheet = write_return(data, tmp_path / "dept.xlsx")
    preview = assert_preview_is_applied(plan_db, sheet)
    shown = [(r["project"]["deadline"], r["project"]["area_no"]) for r in preview["rows"]]
    assert shown == [("2025-09-30", 1), ("2025-12-31", 1), ("2025-12-31", 1)]
