"""The import round trip: export, edit, preview, apply, conflicts, unit scoping, revert."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ysdesk.cli import main
from ysdesk.domain.errors import BadFileError, StaleEditError, UserError
from ysdesk.domain.model import Project, ProjectFilter, Status
from ysdesk.services.exporter import export_list, export_unit_sheets
from ysdesk.services.importer import (
    CONFLICT,
    ERROR,
    NEW,
    UNCHANGED,
    UPDATE,
    ImportChoices,
    apply_import,
    build_preview,
    parse_file,
    plan_info,
    preview_file,
    revert_import,
)
from ysdesk.store import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TODAY = date(2026, 11, 27)
STATUS_COL, PROGRESS_COL, NOTE_COL, NAME_COL, ID_COL = 9, 10, 11, 3, 12


def _project_rows(ws) -> list[int]:
    return [r for r in range(5, ws.max_row + 1) if ws.cell(r, ID_COL).value]


def _edit(src: Path, dest: Path, edits: dict[tuple[int, int], object]) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb["项目清单"]
    rows = _project_rows(ws)
    for (index, col), value in edits.items():
        ws.cell(rows[index], col).value = value
    wb.save(dest)
    return dest


def _by_action(preview, action: str) -> list:
    return [r for r in preview.rows if r.action == action]


def test_unedited_export_previews_as_unchanged(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    preview = preview_file(sample_store, path)
    assert preview.counts() == {
        "rows": 86,
        "new": 0,
        "update": 0,
        "unchanged": 86,
        "conflict": 0,
        "error": 0,
    }
    assert preview.missing == [] and preview.messages == []


def test_three_edited_cells_are_exactly_three_updates(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    edited = _edit(
        path,
        tmp_path / "edited.xlsx",
        {
            (0, STATUS_COL): "滞后",
            (1, NOTE_COL): "已报区政府",
            (2, PROGRESS_COL): "11月3日：完成验收。",
        },
    )
    before = sample_store.list_projects()
    preview = preview_file(sample_store, edited)
    updates = _by_action(preview, UPDATE)
    assert len(updates) == 3 and len(_by_action(preview, UNCHANGED)) == 83
    changes = [
        (r.current.id, c.field, c.old, c.new, c.conflict) for r in updates for c in r.changes
    ]
    assert changes == [
        (before[0].id, "status", before[0].status.value, "滞后", False),
        (before[1].id, "note", before[1].note, "已报区政府", False),
        (before[2].id, "progress", before[2].progress, "11月3日：完成验收。", False),
    ]
    # A dry run wrote nothing.
    assert sample_store.list_projects() == before

    receipt = apply_import(sample_store, preview)
    after = {p.id: p for p in sample_store.list_projects()}
    assert after[before[0].id].status is Status.LAGGING
    assert after[before[1].id].note == "已报区政府"
    history = sample_store.progress_history(before[2].id)
    assert ("2025-11-03", "11月3日：完成验收。", "edited.xlsx") in [
        (h.date, h.text, h.origin) for h in history
    ]
    audit = [a for a in sample_store.audit_log() if a.batch_id == receipt.batch_id]
    assert {(a.project_id, a.field) for a in audit} == {
        (before[0].id, "status"),
        (before[1].id, "note"),
        (before[2].id, "progress"),
    }
    assert all(a.origin == "edited.xlsx" for a in audit)
    batch = sample_store.import_batches()[0]
    assert batch["file_name"] == "edited.xlsx" and len(batch["file_hash"]) == 64
    assert batch["counts"]["update"] == 3 and batch["backup_path"]
    assert Path(batch["backup_path"]).exists()


def test_second_copy_edited_differently_shows_conflicts(
    sample_store: Store, tmp_path: Path
) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    first = _edit(
        path,
        tmp_path / "first.xlsx",
        {(0, STATUS_COL): "滞后", (1, NOTE_COL): "甲", (2, PROGRESS_COL): "甲的进展"},
    )
    second = _edit(
        path,
        tmp_path / "second.xlsx",
        {
            (0, STATUS_COL): "暂缓",
            (1, NOTE_COL): "乙",
            (2, PROGRESS_COL): "乙的进展",
            (3, NOTE_COL): "只有乙改了这里",
        },
    )
    apply_import(sample_store, preview_file(sample_store, first))
    preview = preview_file(sample_store, second)
    conflicts = _by_action(preview, CONFLICT)
    assert [c.field for r in conflicts for c in r.changes] == ["status", "note", "progress"]
    change = conflicts[0].changes[0]
    assert (change.old, change.new, change.conflict) == ("滞后", "暂缓", True)
    assert change.base == preview.rows[0].current.status.value or change.base == "已完成"
    assert len(_by_action(preview, UPDATE)) == 1

    # The same copy imported again after the first: unchanged where only the database moved.
    again = preview_file(sample_store, path)
    assert again.counts()["unchanged"] == 86

    # Default apply keeps the database value of conflicting fields; a choice takes the sheet's.
    conflict_row = conflicts[1].row
    receipt = apply_import(
        sample_store, preview, ImportChoices(take_sheet={conflict_row: {"note"}})
    )
    projects = sample_store.list_projects()
    assert projects[0].status is Status.LAGGING  # kept
    assert projects[1].note == "乙"  # taken from the sheet
    assert projects[2].progress == "甲的进展"  # kept
    assert projects[3].note == "只有乙改了这里"
    assert receipt.counts["conflict_taken"] == 1 and receipt.counts["conflict_kept"] == 2


def test_database_change_since_export_is_kept(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    project = sample_store.list_projects()[0]
    sample_store.update_project(project.id, {"note": "库里改的"}, expected_version=project.version)
    preview = preview_file(sample_store, path)
    assert preview.counts()["unchanged"] == 86


def test_apply_is_all_or_nothing_on_a_stale_project(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    edited = _edit(path, tmp_path / "e.xlsx", {(0, NOTE_COL): "一", (1, NOTE_COL): "二"})
    preview = preview_file(sample_store, edited)
    second = sample_store.list_projects()[1]
    sample_store.update_project(second.id, {"goal": "别处改了"}, expected_version=second.version)
    with pytest.raises(StaleEditError):
        apply_import(sample_store, preview)
    assert sample_store.list_projects()[0].note == ""
    assert sample_store.import_batches() == []


def test_revert_puts_everything_back(sample_store: Store, tmp_path: Path) -> None:
    before = sample_store.list_projects()
    histories = {p.id: sample_store.progress_history(p.id) for p in before}
    units = sample_store.units()
    preview = preview_file(sample_store, FIXTURES / "gov_return.xlsx")
    receipt = apply_import(sample_store, preview)
    assert receipt.created and receipt.updated and receipt.new_units == ["区数字化转型办"]
    versions = revert_import(sample_store, receipt)
    after = sample_store.list_projects()
    strip = [p.replace(version=0, updated_at="") for p in after]
    assert strip == [p.replace(version=0, updated_at="") for p in before]
    assert {p.id: sample_store.progress_history(p.id) for p in after} == histories
    assert sample_store.units() == units
    assert set(versions) == {u.before.id for u in receipt.updated}
    # Redo with the versions the revert left behind.
    redo = apply_import(sample_store, preview, expected_versions=versions, backup=False)
    assert len(redo.created) == 1 and len(redo.updated) == len(receipt.updated)


def test_government_layout_return_imports_field_by_field(sample_store: Store) -> None:
    preview = preview_file(sample_store, FIXTURES / "gov_return.xlsx")
    assert preview.sheet == "2025年推进情况" and preview.year == 2025
    rows = {r.row: r for r in preview.rows}
    assert sorted(rows) == [6, 7, 9, 10, 11, 12]  # the blank row 8 and the footnotes skipped
    assert {r: rows[r].action for r in rows} == {
        6: UPDATE,
        7: UPDATE,
        9: UNCHANGED,
        10: UPDATE,
        11: UNCHANGED,
        12: NEW,
    }
    # Row 6: a date cell that means the stored wording is no change; a dated progress entry.
    assert [c.field for c in rows[6].changes] == ["progress"]
    assert rows[6].progress_date == "2025-10-15"
    # Row 7: 重点任务 merged from row 6 (task 1); full-width ２０２７年 equals 2027年.
    assert rows[7].current.task_no == 1 and [c.field for c in rows[7].changes] == ["progress"]
    assert rows[9].current.task_no == 2  # （二）提升高校创新策源能力
    assert rows[10].current.task_no == 3  # 任务3
    assert rows[10].changes[0].new == "年底前验收"
    assert rows[11].current.task_no == 4  # the title alone
    new = rows[12].project
    assert new.task_no == 4 and new.lead_units == ("区数字化转型办",)
    assert new.co_units == ("区人才局",) and new.zones == ("产业创新承载区",)
    assert new.deadline_text == "2025年第四季度" and new.status is Status.NOT_STARTED
    assert preview.missing and len(preview.missing) == 81
    assert any("81 个项目不在表格中" in m for m in preview.messages)

    receipt = apply_import(sample_store, preview)
    created = sample_store.get_project(next(iter(receipt.created)))
    assert created.name == "青年科技人才驿站建设" and created.deadline == date(2025, 12, 31)
    assert "区数字化转型办" in {u.name for u in sample_store.units()}
    assert sample_store.project_count(2025) == 87  # nothing deleted


def test_xls_import_equals_xlsx_import(sample_store: Store) -> None:
    xlsx = preview_file(sample_store, FIXTURES / "gov_return.xlsx").to_json(TODAY)
    xls = preview_file(sample_store, FIXTURES / "gov_return.xls").to_json(TODAY)
    assert xlsx.pop("file") == "gov_return.xlsx" and xls.pop("file") == "gov_return.xls"
    assert xlsx == xls


def test_unit_sheet_may_change_only_its_own_projects(sample_store: Store, tmp_path: Path) -> None:
    paths = export_unit_sheets(sample_store, 2025, tmp_path / "units", today=TODAY)
    kw = next(p for p in paths if p.name.endswith("_区科委.xlsx"))
    wb = openpyxl.load_workbook(kw)
    ws = wb["项目清单"]
    ws.protection.sheet = False  # what a department does to paste a foreign row
    rows = _project_rows(ws)
    ws.cell(rows[0], STATUS_COL).value = "滞后"
    foreign = next(p for p in sample_store.list_projects() if "区科委" not in p.lead_units)
    ws.cell(rows[1], ID_COL).value = foreign.id
    ws.cell(rows[1], NAME_COL).value = foreign.name
    wb.save(tmp_path / "return.xlsx")
    preview = preview_file(sample_store, tmp_path / "return.xlsx")
    assert preview.unit == "区科委"
    errors = _by_action(preview, ERROR)
    assert len(errors) == 1 and "不由“区科委”牵头" in errors[0].messages[0]
    assert len(_by_action(preview, UPDATE)) == 1
    # The project that row replaced is reported as missing, never deleted.
    assert len(preview.missing) == 1


def test_unit_sheet_cannot_change_its_locked_columns(sample_store: Store, tmp_path: Path) -> None:
    paths = export_unit_sheets(sample_store, 2025, tmp_path / "units", today=TODAY)
    sheet = next(p for p in paths if p.name.endswith("_区教育局.xlsx"))
    wb = openpyxl.load_workbook(sheet)
    ws = wb["项目清单"]
    ws.protection.sheet = False  # a department that removed the protection
    row = _project_rows(ws)[0]
    project = sample_store.get_project(ws.cell(row, ID_COL).value)
    ws.cell(row, NAME_COL).value = project.name + "（改名）"
    ws.cell(row, 6).value = "区科委"  # 牵头单位: hand the project to another unit
    ws.cell(row, NOTE_COL).value = "教育局备注"
    wb.save(tmp_path / "return.xlsx")
    preview = preview_file(sample_store, tmp_path / "return.xlsx")
    (changed,) = _by_action(preview, UPDATE)
    assert [c.field for c in changed.changes] == ["note"]
    assert any("“项目名称”不可修改" in m for m in changed.messages)
    assert any("“牵头单位”不可修改" in m for m in changed.messages)
    apply_import(sample_store, preview, ImportChoices())
    after = sample_store.get_project(project.id)
    assert (after.name, after.lead_units, after.note) == (
        project.name,
        project.lead_units,
        "教育局备注",
    )


def test_unit_option_scopes_a_full_list(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    rows = {}
    projects = sample_store.list_projects()
    mine = next(i for i, p in enumerate(projects) if "区人才局" in p.lead_units)
    other = next(i for i, p in enumerate(projects) if "区人才局" not in p.lead_units)
    rows[(mine, NOTE_COL)] = "人才局改"
    rows[(other, NOTE_COL)] = "越权修改"
    edited = _edit(path, tmp_path / "e.xlsx", rows)
    preview = preview_file(sample_store, edited, unit="区委人才办")
    assert preview.unit == "区人才局"
    assert len(_by_action(preview, UPDATE)) == 1
    assert len(_by_action(preview, ERROR)) == sum(
        1 for p in projects if "区人才局" not in p.lead_units
    )
    with pytest.raises(UserError, match="单位名录中没有"):
        preview_file(sample_store, edited, unit="不存在的单位")


def test_sheet_from_another_database_matches_by_name(
    sample_store: Store, sample_db: Path, tmp_path: Path
) -> None:
    other_path = tmp_path / "other.db"
    shutil.copy(sample_db, other_path)
    sample_store.set_meta("db_id", "another-database")
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    other = Store.open(other_path)
    try:
        preview = preview_file(other, path)
    finally:
        other.close()
    assert preview.counts()["unchanged"] == 86
    assert any("其他数据库" in m for m in preview.messages)


def test_deleted_hidden_data_falls_back_to_names(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    wb = openpyxl.load_workbook(path)
    del wb["_ysdesk"]
    ws = wb["项目清单"]
    ws.delete_cols(ID_COL)
    rows = _project_rows_by_serial(ws)
    ws.cell(rows[0], NOTE_COL).value = "改了"
    wb.save(tmp_path / "bare.xlsx")
    preview = preview_file(sample_store, tmp_path / "bare.xlsx")
    assert preview.counts()["update"] == 1 and preview.counts()["unchanged"] == 85


@pytest.mark.parametrize(
    ("source", "year"), [("edited", None), ("edited", 2025), ("edited", 2026), ("gov", None)]
)
def test_preview_file_equals_parse_then_preview(
    sample_store: Store, tmp_path: Path, source: str, year: int | None
) -> None:
    """The command line reads the sheets in a worker while it loads the projects; the preview
    is the very one the window's two steps (parse in a worker, then compare) give."""
    if source == "gov":
        path = FIXTURES / "gov_return.xlsx"
    else:
        exported = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
        path = _edit(exported, tmp_path / "e.xlsx", {(0, STATUS_COL): "滞后", (4, NOTE_COL): "新"})
    at_once = preview_file(sample_store, path, year=year)
    parsed = parse_file(path, plan_info(sample_store), year=year)
    in_steps = build_preview(sample_store, parsed, year=year)
    assert at_once.to_json(TODAY) == in_steps.to_json(TODAY)
    assert (at_once.messages, at_once.missing, at_once.file_hash, at_once.year) == (
        in_steps.messages,
        in_steps.missing,
        in_steps.file_hash,
        in_steps.year,
    )
    assert at_once.counts()["rows"] > 0


def test_a_sheet_calamine_fails_on_is_refused_while_projects_load(
    sample_store: Store, tmp_path: Path
) -> None:
    """The big sheet fails in the worker thread (an entity no XML declares); the hidden sheet
    read before it was fine, so the projects were loading meanwhile: still one BadFileError."""
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<t>", b"<t>&undeclared;", 1)
            zout.writestr(item.filename, data)
    with pytest.raises(BadFileError, match=r"broken\.xlsx"):
        preview_file(sample_store, broken)


def _project_rows_by_serial(ws) -> list[int]:
    return [r for r in range(5, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]


def test_exported_division_table_is_refused(sample_store: Store, tmp_path: Path) -> None:
    from ysdesk.services.exporter import export_division

    path = export_division(sample_store, 2025, tmp_path / "d.xlsx", today=TODAY)
    with pytest.raises(BadFileError, match="分工表"):
        preview_file(sample_store, path)


def test_sheet_without_a_header_is_refused(sample_store: Store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    wb.save(tmp_path / "contacts.xlsx")
    with pytest.raises(BadFileError, match="找不到项目清单的表头"):
        preview_file(sample_store, tmp_path / "contacts.xlsx")


# ------------------------------------------------------------------ command line
def _run(db: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", TODAY.isoformat(), "import", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_dry_run_json_shape_and_exit_codes(sample_db: Path, tmp_path: Path, capsys) -> None:
    store = Store.open(sample_db)
    try:
        path = export_list(store, 2025, tmp_path / "list.xlsx", today=TODAY)
    finally:
        store.close()
    edited = _edit(path, tmp_path / "e.xlsx", {(0, STATUS_COL): "滞后"})
    code, out, err = _run(sample_db, str(edited), "--dry-run", "--json", capsys=capsys)
    assert code == 0, err
    data = json.loads(out)
    assert set(data["summary"]) >= {"rows", "new", "update", "unchanged", "conflict", "error"}
    assert data["summary"]["update"] == 1 and data["applied"] is None
    row = next(r for r in data["rows"] if r["action"] == "update")
    assert set(row) == {"row", "action", "project", "changes", "messages"}
    assert row["changes"] == [
        {
            "field": "status",
            "label": "推进状态",
            "old": "已完成",
            "new": "滞后",
            "base": "已完成",
            "conflict": False,
        }
    ]
    assert row["project"]["status"] == "滞后" and row["project"]["id"] > 0
    assert "预览模式" in err
    store = Store.open(sample_db)
    try:
        assert store.import_batches() == []
    finally:
        store.close()

    code, out, err = _run(sample_db, str(edited), capsys=capsys)
    assert code == 0 and "已导入" in err
    # The same file again: the database now equals the sheet.
    code, out, err = _run(sample_db, str(edited), "--dry-run", capsys=capsys)
    assert code == 0 and "更新 0" in err


def test_cli_json_is_the_previews_json(sample_db: Path, tmp_path: Path, capsys) -> None:
    """The rows the command writes as text are json.dumps of to_json, for every kind of row."""
    store = Store.open(sample_db)
    try:
        path = export_list(store, 2025, tmp_path / "list.xlsx", today=TODAY)
        first = _edit(path, tmp_path / "a.xlsx", {(0, STATUS_COL): "滞后"})
        apply_import(store, preview_file(store, first))
    finally:
        store.close()
    edits = {
        (0, STATUS_COL): "暂缓",  # conflict
        (1, NOTE_COL): '备注里有"引号"、\\反斜杠\t和换行\n',  # update
        (2, NAME_COL): "",  # error: no name
        (3, STATUS_COL): "差不多了",  # a message about an unknown status
    }
    edited = _edit(path, tmp_path / "b.xlsx", edits)
    code, out, err = _run(sample_db, str(edited), "--dry-run", "--json", capsys=capsys)
    assert code == 1, err
    store = Store.open(sample_db, readonly=True)
    try:
        preview = preview_file(store, edited)
    finally:
        store.close()
    assert {r.action for r in preview.rows} == {CONFLICT, UPDATE, ERROR, UNCHANGED}
    assert any("无法识别的推进状态" in m for r in preview.rows for m in r.messages)
    expected = preview.to_json(TODAY)
    expected["applied"] = None
    assert json.loads(out) == expected
    lines = out.splitlines()
    assert lines[1:-1] == [
        json.dumps(r, ensure_ascii=False) + ("," if i < len(preview.rows) - 1 else "")
        for i, r in enumerate(expected["rows"])
    ]


@pytest.mark.parametrize("department_row", [False, True])
def test_cli_json_of_an_own_return_with_every_quirk_is_the_previews_json(
    sample_db: Path,
    tmp_path: Path,
    capsys,
    monkeypatch: pytest.MonkeyPatch,
    department_row: bool,
) -> None:
    """The command line's JSON of our own export's return, whose untouched rows print the
    kept texts without loading their projects, equals the preview built with every project
    loaded, when the database and the sheet have both moved on: a project deleted since the
    export, one added since, a row copied twice, and (matched by name, so every project is
    loaded after all) a row the department added."""
    store = Store.open(sample_db)
    try:
        path = export_list(store, 2025, tmp_path / "list.xlsx", today=TODAY)
        first, second = store.list_projects(ProjectFilter(year=2025))[:2]
        assert first.id is not None and second.id is not None
        store.delete_project(first.id, expected_version=first.version)
        store.update_project(second.id, {"note": "库里改了"}, expected_version=second.version)
        store.insert_project(
            Project(id=None, year=2025, name="导出后新增", task_no=5, lead_units=("区科委",))
        )
    finally:
        store.close()
    wb = openpyxl.load_workbook(path)
    ws = wb["项目清单"]
    rows = _project_rows(ws)
    copied = [ws.cell(rows[3], c).value for c in range(1, ID_COL + 1)]
    added = ws.max_row + 1
    for c, value in enumerate(copied, 1):  # the fourth row again, below the table
        ws.cell(added, c).value = value
    if department_row:
        ws.cell(added + 1, 2).value = "2.提升高校创新策源能力"
        ws.cell(added + 1, NAME_COL).value = "部门新增项目"
        ws.cell(added + 1, 6).value = "区科委"
    ws.cell(rows[5], NOTE_COL).value = "表里改了"
    wb.save(tmp_path / "quirks.xlsx")
    loads: list[ProjectFilter] = []
    list_projects = Store.list_projects

    def spied(self, filt=ProjectFilter(), today=None):
        loads.append(filt)
        return list_projects(self, filt, today)

    monkeypatch.setattr(Store, "list_projects", spied)
    code, out, err = _run(
        sample_db, str(tmp_path / "quirks.xlsx"), "--dry-run", "--json", capsys=capsys
    )
    monkeypatch.undo()
    # Only a row matched by name has every project of the year loaded; otherwise just the
    # rows that need their project, by id.
    whole_year = [f for f in loads if f.ids is None]
    assert bool(whole_year) == department_row
    store = Store.open(sample_db, readonly=True)
    try:
        preview = preview_file(store, tmp_path / "quirks.xlsx")
    finally:
        store.close()
    assert code == 1, err  # the deleted project's row is an error
    actions = {r.action for r in preview.rows}
    expected_actions = {UNCHANGED, UPDATE, ERROR} | ({"new"} if department_row else set())
    assert actions == expected_actions
    assert preview.missing and any("不在表格中" in m for m in preview.messages)
    assert any("已不存在" in m for r in preview.rows for m in r.messages)
    assert any("同一个项目" in m for r in preview.rows for m in r.messages)
    expected = preview.to_json(TODAY)
    expected["applied"] = None
    assert json.loads(out) == expected
    for message in preview.messages:
        assert message in err


def test_cli_conflicts_exit_1_and_accept_sheet(sample_db: Path, tmp_path: Path, capsys) -> None:
    store = Store.open(sample_db)
    try:
        path = export_list(store, 2025, tmp_path / "list.xlsx", today=TODAY)
    finally:
        store.close()
    a = _edit(path, tmp_path / "a.xlsx", {(0, STATUS_COL): "滞后"})
    b = _edit(path, tmp_path / "b.xlsx", {(0, STATUS_COL): "暂缓"})
    assert _run(sample_db, str(a), capsys=capsys)[0] == 0
    code, out, err = _run(sample_db, str(b), capsys=capsys)
    assert "冲突" in out
    assert code == 1 and "冲突 1" in err and "保留数据库原值" in err
    code, _out, err = _run(sample_db, str(b), "--accept-sheet", capsys=capsys)
    assert code == 0
    store = Store.open(sample_db)
    try:
        assert store.list_projects(ProjectFilter(year=2025))[0].status is Status.PAUSED
    finally:
        store.close()


def test_cli_refuses_hostile_files_with_exit_2(sample_db: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    code, out, err = _run(sample_db, str(bad), capsys=capsys)
    assert out == ""
    assert code == 2 and err.strip().count("\n") == 0 and "bad.xlsx" in err
    code, _out, err = _run(sample_db, str(FIXTURES / "password_protected.xlsx"), capsys=capsys)
    assert code == 2 and "密码" in err


def test_cli_error_rows_exit_1(sample_db: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "重点任务", "项目名称", "牵头单位", "完成时限"])
    ws.append([1, "任务99", "不存在的任务下的项目", "区科委", "2025年底"])
    ws.append([2, "任务5", "新的国际合作项目", "区科委", "2025年底"])
    wb.save(tmp_path / "r.xlsx")
    code, out, err = _run(sample_db, str(tmp_path / "r.xlsx"), "--year", "2025", capsys=capsys)
    assert code == 1 and "新增 1" in err and "错误 1" in err
    assert NEW and "无法识别的重点任务" in out


def test_a_cooperating_unit_made_lead_leaves_the_cooperating_list(
    sample_store: Store, tmp_path: Path
) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    first = sample_store.list_projects()[0]
    moved = first.co_units[0]
    wb = openpyxl.load_workbook(path)
    ws = wb["项目清单"]
    row = _project_rows(ws)[0]
    ws.cell(row, 6).value = "、".join([*first.lead_units, moved])
    # The cooperating cell is left as exported, still naming the unit.
    wb.save(tmp_path / "moved.xlsx")
    preview = preview_file(sample_store, tmp_path / "moved.xlsx")
    row = preview.rows[0]
    assert row.action == UPDATE
    assert {c.field for c in row.changes} == {"lead_units", "co_units"}
    assert moved not in row.project.co_units and moved in row.project.lead_units
    apply_import(sample_store, preview)
    stored = sample_store.get_project(first.id)
    assert moved in stored.lead_units and moved not in stored.co_units


def test_a_lead_added_where_the_sheet_has_no_cooperating_column(
    sample_store: Store, tmp_path: Path
) -> None:
    first = sample_store.list_projects()[0]
    moved = first.co_units[0]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["重点任务", "项目名称", "牵头单位", "完成时限"])
    ws.append([first.task_no, first.name, f"{first.lead_units[0]}、{moved}", first.deadline_text])
    wb.save(tmp_path / "short.xlsx")
    row = preview_file(sample_store, tmp_path / "short.xlsx", year=2025).rows[0]
    assert row.action == UPDATE and moved not in row.project.co_units
    assert any("已从配合单位中移除" in m for m in row.messages)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_an_export_resaved_as_xls_keeps_its_round_trip(sample_store: Store, tmp_path: Path) -> None:
    import subprocess

    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    edited = _edit(path, tmp_path / "edited.xlsx", {(0, STATUS_COL): "滞后"})
    result = subprocess.run(
        ["soffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(edited)],
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    xls = tmp_path / "edited.xls"
    assert result.returncode == 0 and xls.exists(), result.stderr
    preview = preview_file(sample_store, xls)
    assert preview.messages == []  # the hidden sheet and id column came through
    assert preview.counts()["update"] == 1 and preview.counts()["unchanged"] == 85


def test_untouched_rows_of_our_own_export_print_the_kept_texts(
    sample_store: Store, tmp_path: Path
) -> None:
    """A return of this database's export, asked for as JSON, loads no project for the rows
    every cell of which is as exported: they print the texts the database keeps. The edited
    row is compared with its project, loaded by id."""
    from ysdesk.services.import_reading import start_reading
    from ysdesk.services.importer import preview_started

    exported = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    path = _edit(exported, tmp_path / "e.xlsx", {(1, NOTE_COL): "本季度已完成主体施工。"})
    with start_reading(path) as started:
        preview = preview_started(sample_store, started, json_today=TODAY)
    projects = {p.id: p for p in sample_store.list_projects(ProjectFilter(year=2025))}
    assert preview.project_json == {i: p.json_text(TODAY) for i, p in projects.items()}
    unchanged = [r for r in preview.rows if r.action == "unchanged"]
    (updated,) = [r for r in preview.rows if r.action == "update"]
    assert len(unchanged) == len(projects) - 1
    assert all(r.project is None and r.stored_id in projects for r in unchanged)
    assert updated.current == projects[updated.project_id]
    assert [c.field for c in updated.changes] == ["note"]
    # Printed, each row carries its whole project as the list prints it.
    for row in preview.rows:
        data = json.loads(row.json_text(TODAY, preview.project_json))
        assert data == row.to_json(TODAY, preview.project_json)
        assert data["project"]["id"] == row.project_id
        if row.action == "unchanged":
            assert data["project"] == projects[row.project_id].to_json(TODAY)
    assert preview.to_json(TODAY)["rows"][0]["project"] is not None


def test_comparing_rows_reports_progress_in_batches(
    sample_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison of rows ticks once per batch of rows, not per row, and ends complete."""
    import ysdesk.services.importer as importer

    monkeypatch.setattr(importer, "_TICK_ROWS", 10)
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)

    class Recorder:
        cancelled = False

        def __init__(self) -> None:
            self.events: list[tuple[str, object]] = []

        def start(self, total: int, label: str = "") -> None:
            self.events.append(("start", (total, label)))

        def tick(self, n: int = 1) -> None:
            self.events.append(("tick", n))

        def finish(self) -> None:
            self.events.append(("finish", None))

    recorder = Recorder()
    preview = preview_file(sample_store, path, progress=recorder)
    rows = len(preview.rows)
    assert rows >= 60
    start = recorder.events.index(("start", (rows, "比对项目")))
    comparing = recorder.events[start + 1 :]
    assert comparing == [("tick", 10)] * (rows // 10) + [("finish", None)]


# ------------------------------------------------------------------ a year per row
def _yearly_sheet(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "重点任务", "牵头单位", "立项年度", "年度目标"])
    ws.append(["战略科学家引进工程", 4, "区人才局", 2025, "引进战略科学家5名"])
    ws.append(["青年科学家培育计划", 4, "区人才局", "2025年", "培育青年科学家20名"])
    ws.append(["高校联合实验室", 2, "区科委", "2024年", "建成联合实验室1个"])
    ws.append(["未来产业先导区", 13, "区科委", 2026, "完成先导区规划"])
    wb.save(path)
    return path


def test_a_year_column_puts_each_row_in_its_own_years_list(
    sample_store: Store, tmp_path: Path
) -> None:
    preview = preview_file(sample_store, _yearly_sheet(tmp_path / "y.xlsx"))
    assert preview.year == 2025
    assert [(r.action, r.project.year) for r in preview.rows] == [
        (UPDATE, 2025),
        (NEW, 2025),
        (NEW, 2024),
        (NEW, 2026),
    ]
    assert "按各行的年度，有 2 行导入其他年度的清单：2024 年 1 行、2026 年 1 行。" in (
        preview.messages
    )
    apply_import(sample_store, preview)
    by_year = {
        y: [p.name for p in sample_store.list_projects(ProjectFilter(year=y))] for y in (2024, 2026)
    }
    assert by_year == {2024: ["高校联合实验室"], 2026: ["未来产业先导区"]}
    # Imported again: each row now matches its project in its own year.
    again = preview_file(sample_store, tmp_path / "y.xlsx")
    assert [r.action for r in again.rows] == [UNCHANGED] * 4


def test_rows_of_another_year_than_the_one_named_are_listed_not_moved(
    sample_store: Store, tmp_path: Path
) -> None:
    preview = preview_file(sample_store, _yearly_sheet(tmp_path / "y.xlsx"), year=2025)
    assert [r.action for r in preview.rows] == [UPDATE, NEW, ERROR, ERROR]
    assert preview.rows[2].messages[0] == "该行年度为 2024 年，不是指定的 2025 年，未导入"
    assert (
        "有 2 行的年度不是 2025 年（2024 年 1 行、2026 年 1 行），未导入，已列为错误行；"
        "不指定年度时各行导入其年度的清单。"
    ) in preview.messages
    apply_import(sample_store, preview)
    assert sample_store.years() == [2025]
