"""The import preview dialog: its models, filtering, ticking, conflicts, apply and undo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt

from tests.ui.conftest import dump
from tests.ui.report_helpers import make_ctx
from ysdesk.domain.model import Status
from ysdesk.services.exporter import export_list
from ysdesk.services.importer import CONFLICT, NEW, UNCHANGED, UPDATE, apply_import, preview_file
from ysdesk.store import Store
from ysdesk.ui.exchange_preview import ACTION_COLOURS, ActionRole, ImportPreviewDialog

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _dialog(qtbot, ctx, preview) -> ImportPreviewDialog:
    dialog = ImportPreviewDialog(ctx, preview)
    qtbot.addWidget(dialog)
    return dialog


def _source_row(dialog: ImportPreviewDialog, sheet_row: int) -> int:
    model = dialog.model
    return next(r for r in range(model.rowCount()) if model.preview_row(r).row == sheet_row)


def test_models_and_filtering(
    qtbot, qtmodeltester, sample_store: Store, tmp_path: Path, today: date
) -> None:
    ctx = make_ctx(sample_store, tmp_path, today)
    preview = preview_file(sample_store, FIXTURES / "gov_return.xlsx")
    dialog = _dialog(qtbot, ctx, preview)
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(dialog.proxy)
    model = dialog.model
    assert model.rowCount() == 6
    new_row = _source_row(dialog, 12)
    assert model.data(model.index(new_row, 2)) == "新增"
    assert model.data(model.index(new_row, 2), Qt.BackgroundRole) == ACTION_COLOURS[NEW]
    assert model.data(model.index(new_row, 0), Qt.CheckStateRole) == Qt.Checked
    unchanged = _source_row(dialog, 9)
    assert model.data(model.index(unchanged, 0), Qt.CheckStateRole) is None
    assert not model.flags(model.index(unchanged, 0)) & Qt.ItemIsUserCheckable
    update = _source_row(dialog, 10)
    assert model.data(model.index(update, 4)) == "备注：（空） → 年底前验收"

    dialog.filter.setCurrentIndex(dialog.filter.findData(UPDATE))
    assert dialog.proxy.rowCount() == 3
    assert {dialog.proxy.index(r, 0).data(ActionRole) for r in range(3)} == {UPDATE}
    dialog.filter.setCurrentIndex(dialog.filter.findData(UNCHANGED))
    assert dialog.proxy.rowCount() == 2
    dialog.filter.setCurrentIndex(0)
    assert dialog.proxy.rowCount() == 6

    assert dialog.select_row(10)
    qtmodeltester.check(dialog.changes)
    assert dialog.changes.rowCount() == 1
    assert dialog.changes.data(dialog.changes.index(0, 0)) == "自动"
    assert dialog.changes.data(dialog.changes.index(0, 3)) == "年底前验收"
    assert dialog.apply_button.text() == "导入选中的 4 行"
    model.set_all(False)
    assert not dialog.apply_button.isEnabled()


def test_apply_is_one_undo_step(qtbot, sample_store: Store, tmp_path: Path, today: date) -> None:
    ctx = make_ctx(sample_store, tmp_path, today)
    before = dump(sample_store)
    units_before = sample_store.units()
    preview = preview_file(sample_store, FIXTURES / "gov_return.xlsx")
    dialog = _dialog(qtbot, ctx, preview)
    # Leave the note update of row 10 out.
    model = dialog.model
    assert model.setData(model.index(_source_row(dialog, 10), 0), Qt.Unchecked, Qt.CheckStateRole)
    changes = []
    ctx.changes.data_changed.connect(changes.append)
    receipt = dialog.apply()
    assert receipt is not None and receipt.counts["new"] == 1 and receipt.counts["update"] == 2
    assert ctx.undo_stack.count() == 1 and "gov_return.xlsx" in ctx.undo_stack.undoText()
    assert changes and changes[-1].structure and changes[-1].plan
    assert ctx.prompts.asked[-1][0] == "info"
    after = dump(sample_store)
    assert after != before and len(after) == len(before) + 1
    unchanged_note = next(
        p for p in sample_store.list_projects() if p.name.startswith("上海同济数字")
    )
    assert unchanged_note.note == ""

    ctx.undo_stack.undo()
    assert dump(sample_store) == before
    assert sample_store.units() == units_before
    ctx.undo_stack.redo()
    # The new project comes back (with a new creation time: it is created again).
    assert _without_created(dump(sample_store)) == _without_created(after)


def _without_created(rows: list[tuple]) -> list[tuple]:
    return [(tuple(kv for kv in data if kv[0] != "created_at"), h) for data, h in rows]


def test_conflicting_field_ticked_takes_the_sheets_value(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=today)
    copies = []
    for name, status, note in (("a", "滞后", "甲"), ("b", "暂缓", "乙")):
        wb = openpyxl.load_workbook(path)
        ws = wb["项目清单"]
        row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 12).value)
        ws.cell(row, 9).value = status
        ws.cell(row, 11).value = note
        wb.save(tmp_path / f"{name}.xlsx")
        copies.append(tmp_path / f"{name}.xlsx")
    apply_import(sample_store, preview_file(sample_store, copies[0]))
    ctx = make_ctx(sample_store, tmp_path, today)
    preview = preview_file(sample_store, copies[1])
    dialog = _dialog(qtbot, ctx, preview)
    conflict = next(r for r in preview.rows if r.action == CONFLICT)
    source = _source_row(dialog, conflict.row)
    assert (
        dialog.model.data(dialog.model.index(source, 2), Qt.BackgroundRole)
        == ACTION_COLOURS[CONFLICT]
    )
    assert dialog.select_row(conflict.row)
    changes = dialog.changes
    assert changes.rowCount() == 2
    fields = [changes.data(changes.index(r, 1)) for r in range(2)]
    assert fields == ["推进状态", "备注"]
    assert changes.flags(changes.index(0, 0)) & Qt.ItemIsUserCheckable
    assert (
        changes.data(changes.index(0, 2)) == "滞后" and changes.data(changes.index(0, 3)) == "暂缓"
    )
    # Take the sheet's 备注, keep the database's 推进状态.
    assert changes.setData(changes.index(1, 0), Qt.Checked, Qt.CheckStateRole)
    assert dialog.summary.text() == "其中冲突 1 行"
    dialog.apply()
    project = sample_store.get_project(conflict.current.id)
    assert project.status is Status.LAGGING and project.note == "乙"
