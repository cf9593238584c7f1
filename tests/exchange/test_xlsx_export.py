"""Exported workbooks reopened: layout, merges, print setup, validation, no formulas, atomicity."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import Project, Status
from ysdesk.exchange import xlsx_export
from ysdesk.exchange.pdf import convert_to_pdf, libreoffice_available
from ysdesk.exchange.roundtrip import HIDDEN_SHEET, ID_HEADER, read_roundtrip
from ysdesk.exchange.sheets import read_workbook
from ysdesk.exchange.xlsx_base import atomic_save, sheet_text
from ysdesk.services.exporter import (
    export_division,
    export_list,
    export_matrix,
    export_unit_sheets,
)
from ysdesk.store import Store

TODAY = date(2026, 11, 27)


def _cells(ws):
    for row in ws.iter_rows():
        yield from row


def test_project_list_layout_and_print_setup(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["项目清单", HIDDEN_SHEET]
    ws = wb["项目清单"]
    assert wb[HIDDEN_SHEET].sheet_state == "veryHidden"
    assert "2025年度项目清单" in ws["A1"].value
    assert ws["A2"].value == "截至日期：2026年11月27日"
    merges = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:K1", "A2:K2", "F3:G3", "A3:A4", "K3:K4"} <= merges
    assert [ws.cell(3, c).value for c in range(1, 6)] == [
        "序号",
        "重点任务",
        "项目名称",
        "年度目标",
        "功能区",
    ]
    assert (ws["F3"].value, ws["F4"].value, ws["G4"].value) == ("责任单位", "牵头单位", "配合单位")
    assert ws["A5"].value == "一、打造全球科创策源新高地"
    assert "A5:K5" in merges
    # 序号 runs on across sections; every project row carries its id in the hidden column L.
    serials = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    numbers = [v for v in serials if isinstance(v, int)]
    assert numbers == list(range(1, sample_store.project_count(2025) + 1))
    ids = [ws.cell(r, 12).value for r in range(5, ws.max_row + 1) if ws.cell(r, 12).value]
    assert len(ids) == len(numbers) == len(set(ids))
    assert ws["L3"].value == ID_HEADER
    assert ws.column_dimensions["L"].hidden
    # The 重点任务 cell is merged down over its projects.
    task_merges = [m for m in ws.merged_cells.ranges if m.min_col == 2 and m.max_col == 2]
    assert task_merges and all(m.max_row > m.min_row for m in task_merges if m.min_row > 4)
    # Print: A4 landscape, one page wide, header rows repeated, frozen header, page numbers.
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$3:$4"
    assert ws.freeze_panes == "A5"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert re.fullmatch(r"'?项目清单'?!\$A\$1:\$K\$\d+", ws.print_area)
    # 推进状态 drop-down over the data rows.
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].formula1 == '"未启动,推进中,已完成,滞后,暂缓"'
    assert str(validations[0].sqref) == f"I5:I{ws.max_row}"
    assert not any(c.data_type == "f" for c in _cells(ws))
    assert ws["C6"].font.name == "仿宋_GB2312" and ws["A3"].font.name == "黑体"
    assert ws["C6"].border.left.style == "thin" and ws["C6"].alignment.wrap_text


def test_round_trip_data_in_the_hidden_sheet(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    trip = read_roundtrip(read_workbook(path))
    assert trip is not None
    assert trip.meta.kind == "list" and trip.meta.year == 2025
    assert trip.meta.db_id == sample_store.db_id and trip.meta.exported_at
    projects = sample_store.list_projects()
    assert set(trip.bases) == {p.id for p in projects}
    first = projects[0]
    base = trip.bases[first.id]
    assert base.version == first.version
    assert base.values["name"] == first.name
    assert base.values["lead_units"] == list(first.lead_units)
    assert base.values["status"] == first.status.value


@pytest.mark.parametrize(
    ("kind", "subject"), [("list", "项目清单"), ("division", "分工表"), ("matrix", "责任矩阵")]
)
def test_document_properties_name_the_file(
    sample_store: Store, tmp_path: Path, kind: str, subject: str
) -> None:
    export = {"list": export_list, "division": export_division, "matrix": export_matrix}[kind]
    path = export(sample_store, 2025, tmp_path / f"{kind}.xlsx", today=TODAY)
    props = openpyxl.load_workbook(path).properties
    assert props.creator == "ysdesk"
    assert props.subject == subject
    assert "2025" in props.title
    assert props.keywords == f"ysdesk-exchange kind={kind} year=2025"


def test_formula_like_text_is_written_as_text(fresh_store: Store, tmp_path: Path) -> None:
    hostile = {
        "name": '=HYPERLINK("http://x","点我")',
        "goal": "+1+1",
        "deadline_text": "-2025年",
        "progress": "@SUM(A1)",
        "note": "\t=cmd|' /C calc'!A0",
    }
    fresh_store.insert_project(
        Project(
            id=None,
            year=2025,
            task_no=1,
            lead_units=("区科委",),
            co_units=("复旦大学",),
            status=Status.IN_PROGRESS,
            **hostile,
        )
    )
    fresh_store.insert_project(
        Project(id=None, year=2025, task_no=2, name="含\x07控制\x1b字符", lead_units=("区科委",))
    )
    path = export_list(fresh_store, 2025, tmp_path / "x.xlsx", today=TODAY)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert not any(c.data_type == "f" for c in _cells(ws))
    values = {c.value for c in _cells(wb["项目清单"]) if isinstance(c.value, str)}
    for text in hostile.values():
        assert text.strip() in {v.strip() for v in values}
    assert "含控制字符" in values
    # And it reads back as the same text.
    grid = read_workbook(path)[0]
    assert any(hostile["name"] in row for row in grid.rows)


def test_sheet_text_cleans_controls_and_long_text() -> None:
    assert sheet_text("a\x00b\x1fc\r\nd\re") == "abc\nd\ne"
    assert len(sheet_text("字" * 40_000)) == 32_767


def test_atomic_save_never_truncates_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "old.xlsx"
    target.write_bytes(b"the user's old file")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(UserError, match="无法写入"):
        atomic_save(broken, target)
    assert target.read_bytes() == b"the user's old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.xlsx"]
    atomic_save(lambda tmp: tmp.write_bytes(b"new"), target)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.xlsx"]


def test_export_refuses_missing_folder_and_empty_year(sample_store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="文件夹不存在"):
        export_list(sample_store, 2025, tmp_path / "no" / "x.xlsx", today=TODAY)
    with pytest.raises(UserError, match="2031"):
        export_list(sample_store, 2031, tmp_path / "x.xlsx", today=TODAY)


def test_unit_sheets_hold_only_the_units_projects_and_lock_the_rest(
    sample_store: Store, tmp_path: Path
) -> None:
    paths = export_unit_sheets(sample_store, 2025, tmp_path / "units", today=TODAY)
    projects = sample_store.list_projects()
    leads = {u for p in projects for u in p.lead_units}
    assert len(paths) == len(leads)
    path = next(p for p in paths if p.name.endswith("_区科委.xlsx"))
    wb = openpyxl.load_workbook(path)
    ws = wb["项目清单"]
    assert ws["A2"].value == "填报单位：区科委"
    assert ws.protection.sheet
    ids = {ws.cell(r, 12).value for r in range(5, ws.max_row + 1)} - {None}
    assert ids == {p.id for p in projects if "区科委" in p.lead_units}
    data_row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 12).value)
    locked = {c: ws.cell(data_row, c).protection.locked for c in range(1, 12)}
    assert [c for c, is_locked in locked.items() if not is_locked] == [9, 10, 11]
    trip = read_roundtrip(read_workbook(path))
    assert trip is not None and trip.meta.kind == "unit" and trip.meta.unit == "区科委"


def test_division_table_has_every_task(sample_store: Store, tmp_path: Path) -> None:
    path = export_division(sample_store, 2025, tmp_path / "d.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(path)["分工表"]
    assert [ws.cell(3, c).value for c in range(1, 7)] == [
        "序号",
        "重点任务",
        "主要内容",
        "牵头单位",
        "配合单位",
        "完成时限",
    ]
    task_rows = [r for r in range(4, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
    assert [ws.cell(r, 1).value for r in task_rows] == list(range(1, 24))
    first = task_rows[0]
    assert ws.cell(first, 2).value.startswith("1. ")
    assert "区科委" in ws.cell(first, 4).value
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_matrix_marks_and_totals(sample_store: Store, tmp_path: Path) -> None:
    path = export_matrix(sample_store, 2025, tmp_path / "m.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(path)["责任矩阵"]
    assert ws["A3"].value == "序号" and ws["B3"].value == "单位"
    assert ws["C3"].value == "一、打造全球科创策源新高地"
    assert [ws.cell(4, c).value for c in range(3, 26)] == list(range(1, 24))
    rows = {ws.cell(r, 2).value: r for r in range(6, ws.max_row + 1)}
    projects = sample_store.list_projects()
    kw = rows["区科委"]
    lead_1 = sum(1 for p in projects if p.task_no == 1 and "区科委" in p.lead_units)
    assert ws.cell(kw, 3).value.startswith("●" if lead_1 == 1 else f"●{lead_1}")
    assert ws.cell(kw, 26).value == sum(1 for p in projects if "区科委" in p.lead_units)
    assert ws.cell(ws.max_row, 1).value.startswith("注：")
    assert xlsx_export.matrix_mark(2, 1) == "●2\n○"


@pytest.mark.libreoffice
@pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice is not installed")
def test_libreoffice_prints_the_list_one_page_wide(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    data = convert_to_pdf(path).read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    # 86 projects on A4 landscape: a handful of pages when one page wide, dozens when not.
    assert 2 <= pages <= 12
    widths = {m.group(1) for m in re.finditer(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) [\d.]+\s*\]", data)}
    assert widths and all(abs(float(w) - 842) < 2 for w in widths)  # landscape A4 (pt)


def test_appending_cells_straight_to_the_writer_changes_no_byte(
    sample_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """add_sheet's shortcut past openpyxl's own append writes every sheet exactly as
    openpyxl's append does, for each kind of export."""
    import zipfile

    import ysdesk.services.exporter as exporter

    monkeypatch.setattr(exporter, "now_iso", lambda: "2026-11-27T09:00:00")

    def members(folder: Path) -> dict[str, bytes]:
        files = sorted(p for p in folder.rglob("*.xlsx"))
        assert files
        found = {}
        for path in files:
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    if name != "docProps/core.xml":  # the time of saving
                        found[f"{path.name}/{name}"] = z.read(name)
        return found

    def export_all(folder: Path) -> dict[str, bytes]:
        folder.mkdir()
        export_list(sample_store, 2025, folder / "list.xlsx", today=TODAY)
        export_division(sample_store, 2025, folder / "division.xlsx", today=TODAY)
        export_matrix(sample_store, 2025, folder / "matrix.xlsx", today=TODAY)
        export_unit_sheets(sample_store, 2025, folder / "units", today=TODAY)
        return members(folder)

    import ysdesk.exchange.xlsx_base as xlsx_base

    through: list[int] = []  # rows that took the shortcut: openpyxl still calls it

    def counted(ws, values, row_idx):
        through.append(row_idx)
        return cells_to_row(ws, values, row_idx)

    cells_to_row = xlsx_base._cells_to_row
    monkeypatch.setattr(xlsx_base, "_cells_to_row", counted)
    shortcut = export_all(tmp_path / "shortcut")
    assert len(through) > sample_store.project_count(2025)
    monkeypatch.setattr(xlsx_export, "add_sheet", lambda wb, title: wb.create_sheet(title))
    plain = export_all(tmp_path / "plain")
    assert shortcut.keys() == plain.keys()
    assert [name for name in plain if shortcut[name] != plain[name]] == []
    assert any(name.endswith("sheet1.xml") for name in plain)
