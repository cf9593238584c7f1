"""`import --map/--sheet/--header-row` and `mappings`: a department's own sheet, end to end."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ui.conftest import dump
from ysdesk.cli import main
from ysdesk.domain.model import ProjectFilter
from ysdesk.exchange.columns import FIELD_ALIASES, PUBLIC_NAMES, header_key
from ysdesk.exchange.roundtrip import LIST_LAYOUT
from ysdesk.exchange.sheets import read_workbook
from ysdesk.services.column_mappings import parse_maps, reading_options
from ysdesk.services.exporter import export_list
from ysdesk.services.importer import UNCHANGED, preview_file
from ysdesk.store import Store

TODAY = date(2026, 11, 27)
RESEARCH_HEADER = ["项目名称", "负责单位", "立项年度", "研究目标"]
TODO_HEADER = ["待办事项", "责任部门", "配合部门", "计划完成时间", "进展情况"]


def _sheet(path: Path, header: list[str], rows: list[list], title: str = "") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _import(db: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", TODAY.isoformat(), "import", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _mappings(db: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "mappings", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _project(store: Store, name: str):
    return next(p for p in store.list_projects(ProjectFilter(year=2025)) if p.name == name)


def test_a_research_sheet_lands_field_by_field(sample_db: Path, tmp_path: Path, capsys) -> None:
    path = _sheet(
        tmp_path / "科研项目.xlsx",
        RESEARCH_HEADER,
        [
            ["类脑智能概念验证与转化创新中心建设", "区科委", 2025, "建成概念验证平台，完成5项转化"],
            ["上海数学与交叉学科研究院建设", "区科委", "2025年", "完成研究院一期场地建设"],
            ["量子计算联合实验室", "复旦大学", 2025, "建成联合实验室"],
        ],
        title="2025年科研项目情况表",
    )
    code, out, err = _import(sample_db, capsys, str(path), "--dry-run", "--json")
    assert code == 1, err  # a row in error: the new project names no task
    data = json.loads(out)
    assert data["columns"] == [
        {"header": "项目名称", "column": "A", "field": "name", "source": "alias"},
        {"header": "负责单位", "column": "B", "field": "lead", "source": "guess"},
        {"header": "立项年度", "column": "C", "field": "year", "source": "alias"},
        {"header": "研究目标", "column": "D", "field": "goal", "source": "guess"},
    ]
    messages = data["summary"]["messages"]
    assert "“负责单位”列（B）不在常用表头中，按其表头和内容读作“牵头单位”。" in messages
    assert [r["action"] for r in data["rows"]] == ["update", "update", "error"]
    assert data["rows"][2]["messages"] == ["新项目缺少重点任务：表格中没有重点任务列，无法新增"]
    assert data["rows"][0]["project"]["goal"] == "建成概念验证平台，完成5项转化"
    # What the preview showed is what the import writes, the guessed columns included.
    code, out, err = _import(sample_db, capsys, str(path))
    assert code == 1 and "更新 2 个" in err  # the new project without a task is not imported
    with Store.open(sample_db, readonly=True) as store:
        assert _project(store, "上海数学与交叉学科研究院建设").goal == "完成研究院一期场地建设"


def test_a_todo_sheet_with_map_then_the_next_one_without(
    sample_db: Path, tmp_path: Path, capsys
) -> None:
    first = _sheet(
        tmp_path / "督办.xlsx",
        TODO_HEADER,
        [
            ["战略科学家引进工程", "区人才局", "区科委、复旦大学", "2026年底前", "已签约1位。"],
            ["分层分类人才认定机制建设", "区人才局", "区人社局", "2025年9月", "目录已报审。"],
        ],
    )
    code, out, err = _import(sample_db, capsys, str(first), "--dry-run")
    assert code == 2 and out == ""
    assert err == (
        "工作表“Sheet1”第 1 行的表头（待办事项、责任部门、配合部门、计划完成时间、进展情况）"
        "中没有可作项目名称的列；如“待办事项”是项目名称，请加 --map 待办事项=name。\n"
    )
    code, out, err = _import(
        sample_db, capsys, str(first), "--map", "待办事项=name", "--unit", "区人才局"
    )
    assert code == 0, err
    assert "各列读作：A 待办事项→项目名称（指定）；B 责任部门→牵头单位；" in err
    with Store.open(sample_db, readonly=True) as store:
        project = _project(store, "战略科学家引进工程")
        assert project.progress == "已签约1位。" and project.co_units == ("区科委", "复旦大学")
        assert project.deadline_text == "2026年底前"

    code, out, err = _mappings(sample_db, capsys, "--json")
    assert code == 0
    (saved,) = json.loads(out)
    assert saved["unit"] == "区人才局" and saved["fields"] == {"待办事项": "name"}
    assert saved["headers"] == TODO_HEADER and saved["file"] == "督办.xlsx"

    # The same department's next sheet, its columns in another order: no questions asked.
    order = [4, 0, 3, 1, 2]
    rows = [["国际人才社区建设", "区人才局", "区房管局", "2025年12月底前", "一期已交付。"]]
    second = _sheet(
        tmp_path / "督办10月.xlsx",
        [TODO_HEADER[i] for i in order],
        [[row[i] for i in order] for row in rows],
    )
    code, out, err = _import(sample_db, capsys, str(second), "--dry-run", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {"header": "待办事项", "column": "B", "field": "name", "source": "saved"} in (
        data["columns"]
    )
    assert any("保存的列对应（区人才局）相同" in m for m in data["summary"]["messages"])
    assert data["rows"][0]["action"] == "update"
    assert data["rows"][0]["project"]["progress"] == "一期已交付。"

    code, out, err = _mappings(sample_db, capsys)
    assert out.startswith(f"{saved['id']}  区人才局  表头：待办事项、责任部门")
    code, out, err = _mappings(sample_db, capsys, "--forget", str(saved["id"]))
    assert code == 0 and "已删除列对应" in err
    code, out, err = _import(sample_db, capsys, str(second), "--dry-run")
    assert code == 2 and "如“待办事项”是项目名称" in err
    code, out, err = _mappings(sample_db, capsys, "--forget", str(saved["id"]))
    assert code == 2 and err == f"没有编号为 {saved['id']} 的列对应。\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "待办事项=owner"], "未知的字段“owner”"),
        (["--map", "待办=name"], "--map 中的表头“待办”不在工作表“Sheet1”第 1 行的表头中"),
        (["--map", "待办事项"], "--map 的写法是“表头=字段”"),
        (["--map", "待办事项=name", "--map", "责任部门=name"], "“项目名称”只能对应一列"),
        (["--map", "待办事项=name", "--sheet", "二〇二五年"], "没有工作表“二〇二五年”"),
        (["--map", "待办事项=name", "--header-row", "0"], "命令参数有误"),
        (["--map", "待办事项=name", "--header-row", "7"], "第 7 行是空行，不能作表头"),
    ],
)
def test_bad_mapping_arguments_exit_2_and_change_nothing(
    sample_db: Path, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    path = _sheet(tmp_path / "督办.xlsx", TODO_HEADER, [["战略科学家引进工程", "区人才局"]])
    with Store.open(sample_db, readonly=True) as store:
        before = dump(store)
    code, out, err = _import(sample_db, capsys, str(path), *args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    with Store.open(sample_db, readonly=True) as store:
        assert dump(store) == before and store.import_batches() == []


def test_sheet_and_header_row_pick_the_list(sample_db: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    header = ["项目名称", "牵头单位", "完成时限", "进展情况"]
    for title, progress in (("二〇二四年", "旧进展"), ("二〇二五年", "新进展")):
        ws = wb.create_sheet(title)
        ws.append(["填报说明：请逐项填写"])
        ws.append(["说明", "", ""])
        ws.append(header)
        ws.append(["战略科学家引进工程", "区人才局", "2026年底前", progress])
    del wb["Sheet"]
    path = tmp_path / "两年.xlsx"
    wb.save(path)
    code, out, err = _import(sample_db, capsys, str(path), "--dry-run")
    assert code == 2
    assert err.startswith("文件“两年.xlsx”有 2 个工作表都像项目清单：“二〇二四年”（第 3 行：")
    assert err.endswith("；请用 --sheet 指定其一，如 --sheet 二〇二五年。\n")
    code, out, err = _import(
        sample_db, capsys, str(path), "--dry-run", "--json", "--sheet", "二〇二五年"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["sheet"] == "二〇二五年" and data["rows"][0]["project"]["progress"] == "新进展"
    code, out, err = _import(
        sample_db,
        capsys,
        str(path),
        "--dry-run",
        "--json",
        "--sheet",
        "二〇二四年",
        "--header-row",
        "3",
    )
    assert json.loads(out)["rows"][0]["project"]["progress"] == "旧进展"
    # --year names the sheet too.
    code, out, err = _import(sample_db, capsys, str(path), "--dry-run", "--json", "--year", "2025")
    assert code == 0 and json.loads(out)["sheet"] == "二〇二五年"


# ------------------------------------------------------------------ permutations
_VISIBLE = LIST_LAYOUT[:-1]  # the hidden id column stays out: a department's sheet has none
_NAMES = st.one_of(
    st.text(alphabet="甲乙丙丁戊己庚辛壬癸", min_size=2, max_size=4),
    st.sampled_from([a for aliases in FIELD_ALIASES.values() for a in aliases if len(a) > 1]),
)


@pytest.fixture(scope="module")
def export_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list]]:
    """The sample database and its 2025 export's project rows (tasks filled in)."""
    from ysdesk.services.workspace import init_database

    folder = tmp_path_factory.mktemp("permuted")
    db = folder / "sample.db"
    init_database(db, sample=True).close()
    with Store.open(db) as store:
        path = export_list(store, 2025, folder / "list.xlsx", today=TODAY)
    grid = next(g for g in read_workbook(path) if g.name == "项目清单")
    rows = grid.filled_rows()
    start = next(i for i, r in enumerate(rows) if r[0] == "序号") + 2
    projects = [r[: len(_VISIBLE)] for r in rows[start:] if r[2] is not None and r[0] != r[2]]
    return db, projects


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(len(_VISIBLE))),
    names=st.lists(_NAMES, min_size=len(_VISIBLE), max_size=len(_VISIBLE), unique_by=header_key),
)
def test_any_permutation_and_renaming_mapped_back_imports_the_same_projects(
    export_rows, tmp_path: Path, order: list[int], names: list[str]
) -> None:
    db, projects = export_rows
    path = tmp_path / "permuted.xlsx"
    _sheet(path, [names[i] for i in order], [[row[i] for i in order] for row in projects])
    # As the command line's --map arguments are read: "表头=字段".
    maps = parse_maps(
        f"{names[i]}={'skip' if name == 'serial' else PUBLIC_NAMES[name]}"
        for i, name in enumerate(_VISIBLE)
    )
    with Store.open(db, readonly=True) as store:
        options = reading_options(store, maps=maps)
        preview = preview_file(store, path, year=2025, options=options)
        ids = {p.id for p in store.list_projects(ProjectFilter(year=2025))}
    assert [r.action for r in preview.rows] == [UNCHANGED] * len(projects)
    assert {r.project_id for r in preview.rows} == ids
    assert {c.header: c.source for c in preview.columns} == dict.fromkeys(names, "map")
