"""The strip of columns above an import preview, and re-reading a sheet from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.ui.report_helpers import make_ctx
from ysdesk.domain.model import ProjectFilter
from ysdesk.exchange.columns import ColumnReading, ColumnsError
from ysdesk.services.progress import Cancelled
from ysdesk.store import Store
from ysdesk.store.mappings import list_mappings
from ysdesk.ui.column_strip import SOURCE_LOOKS, ColumnStrip, ReadRequest
from ysdesk.ui.exchange_actions import SheetReader
from ysdesk.ui.exchange_preview import ImportPreviewDialog

TODO = ["待办事项", "责任部门", "配合部门", "计划完成时间", "进展情况"]


def _todo(path: Path, rows: list[list] | None = None, header: list[str] = TODO) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "督办"
    wb.active.append(header)
    for row in rows or [
        ["战略科学家引进工程", "区人才局", "区科委、复旦大学", "2026年底前", "已签约。"]
    ]:
        wb.active.append(row)
    wb.save(path)
    return path


def test_the_strip_shows_each_reading_and_asks_for_another(qtbot) -> None:
    strip = ColumnStrip()
    qtbot.addWidget(strip)
    readings = [
        ColumnReading("待办事项", 0, None, "none"),
        ColumnReading("负责单位", 1, "lead_units", "guess"),
        ColumnReading("序号", 2, "serial", "alias"),
        ColumnReading("联系人", 3, "skip", "map"),
    ]
    strip.show_reading(readings, sheets=["督办", "说明"], sheet="督办", header_row=2)
    assert [b.combo.currentText() for b in strip.boxes] == [
        "未识别",
        "牵头单位",
        "序号（不导入）",
        "不导入",
    ]
    assert [b.source.text() for b in strip.boxes] == ["未识别", "按内容推断", "按表头", "手动指定"]
    assert SOURCE_LOOKS["guess"][1] in strip.box("负责单位").source.styleSheet()
    assert strip.header_row.value() == 2 and strip.sheet.count() == 2
    assert strip.summary.text().startswith(
        "共 4 列：按表头 1，手动指定 1，按内容推断 1，未识别 1。"
    )
    with qtbot.waitSignal(strip.reread) as asked:
        strip.pick("待办事项", "name")
    assert asked.args[0] == ReadRequest(
        maps=(("联系人", "skip"), ("待办事项", "name")), sheet="督办", header_row=2
    )
    with qtbot.waitSignal(strip.reread) as asked:
        strip.sheet.setCurrentIndex(1)
        strip.sheet.activated.emit(1)
    assert asked.args[0] == ReadRequest(maps=(), sheet="说明", header_row=None)


def test_a_sheet_without_a_name_column_is_mapped_in_the_strip_and_remembered(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    """The dialog without a worker (it reads again here): read, map, re-read, apply."""
    ctx = make_ctx(sample_store, tmp_path, today)
    path = _todo(tmp_path / "督办.xlsx")
    reader = SheetReader(sample_store, str(path), 2025)
    with pytest.raises(ColumnsError) as caught:
        reader.finish(reader.work(ReadRequest())(None))
    dialog = ImportPreviewDialog(ctx, reader.unread(caught.value), reader=reader)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0 and not dialog.apply_button.isEnabled()
    assert "中没有可作项目名称的列" in dialog.notes.text()
    assert "请在上方为各列选择对应的字段" in dialog.notes.text()
    with qtbot.waitSignal(dialog.reread_done):
        dialog.strip.pick("待办事项", "name")
    assert dialog.model.rowCount() == 1
    assert dialog.strip.box("待办事项").source.text() == "手动指定"
    assert dialog.preview.rows[0].project.progress == "已签约。"
    dialog.apply()
    project = next(
        p
        for p in sample_store.list_projects(ProjectFilter(year=2025))
        if p.name == "战略科学家引进工程"
    )
    assert project.progress == "已签约。"
    assert [m.fields for m in list_mappings(sample_store)] == [{"待办事项": "name"}]


def test_the_window_reads_again_in_its_worker(qtbot, window, prompts, tmp_path: Path) -> None:
    path = _todo(tmp_path / "督办.xlsx")
    window.exchange_actions.import_file(str(path))
    qtbot.waitUntil(lambda: window.exchange_actions.dialog is not None)
    dialog = window.exchange_actions.dialog
    assert dialog.isVisible() and dialog.model.rowCount() == 0
    with qtbot.waitSignal(dialog.reread_done, timeout=10_000):
        dialog.strip.pick("待办事项", "name")
    assert dialog.model.rowCount() == 1 and dialog.preview.rows[0].action == "update"
    # A field picked for a second column: one sentence, the preview as it was.
    with qtbot.waitSignal(dialog.reread_done):
        dialog.strip.pick("责任部门", "name")
    assert prompts.asked[-1][0] == "error" and "只能对应一列" in prompts.asked[-1][2]
    assert dialog.model.rowCount() == 1
    with qtbot.waitSignal(dialog.applied, timeout=10_000):
        dialog.apply()
    # The department's next sheet opens read by the saved mapping, no question asked.
    later = _todo(
        tmp_path / "督办10月.xlsx",
        [["国际人才社区建设", "区人才局", "区房管局", "2025年12月底前", "一期已交付。"]],
    )
    window.exchange_actions.dialog = None
    window.exchange_actions.import_file(str(later))
    qtbot.waitUntil(lambda: window.exchange_actions.dialog is not None)
    dialog = window.exchange_actions.dialog
    assert dialog.strip.box("待办事项").source.text() == "按已保存"
    assert dialog.model.rowCount() == 1 and "保存的列对应" in dialog.notes.text()


def test_several_sheets_are_chosen_in_the_strip(qtbot, window, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    header = ["项目名称", "牵头单位", "完成时限", "进展情况"]
    for title, progress in (("2024年", "旧"), ("2025年", "新")):
        ws = wb.create_sheet(title)
        ws.append(header)
        ws.append(["战略科学家引进工程", "区人才局", "2026年底前", progress])
    del wb["Sheet"]
    wb.save(tmp_path / "两年.xlsx")
    window.exchange_actions.import_file(str(tmp_path / "两年.xlsx"))
    qtbot.waitUntil(lambda: window.exchange_actions.dialog is not None)
    dialog = window.exchange_actions.dialog
    assert "有 2 个工作表都像项目清单" in dialog.notes.text()
    assert [dialog.strip.sheet.itemText(i) for i in range(2)] == ["2024年", "2025年"]
    with qtbot.waitSignal(dialog.reread_done, timeout=10_000):
        dialog.strip.sheet.setCurrentIndex(1)
        dialog.strip.sheet.activated.emit(1)
    assert dialog.preview.sheet == "2025年" and dialog.preview.rows[0].project.progress == "新"


def test_a_cancelled_re_read_gives_the_strip_back(qtbot, window, tmp_path: Path) -> None:
    window.exchange_actions.import_file(str(_todo(tmp_path / "督办.xlsx")))
    qtbot.waitUntil(lambda: window.exchange_actions.dialog is not None)
    dialog = window.exchange_actions.dialog
    with qtbot.waitSignal(dialog.reread_done, timeout=10_000):
        dialog.strip.pick("待办事项", "name")
    assert dialog.apply_button.isEnabled()

    def cancelled(progress) -> None:
        raise Cancelled()

    dialog.reader.work = lambda request: cancelled
    with qtbot.waitSignal(dialog.reread_done, timeout=10_000):
        dialog.strip.pick("进展情况", "skip")
    assert dialog.strip.isEnabled() and dialog.apply_button.isEnabled()
    assert dialog.model.rowCount() == 1  # the preview as it was
