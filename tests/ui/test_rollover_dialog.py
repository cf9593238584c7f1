"""The rollover dialog (untick projects, carry the rest) and the comparison dialog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.report_helpers import Recorder, make_ctx
from ysdesk.domain.model import ProjectFilter
from ysdesk.store import Store
from ysdesk.ui.rollover_dialog import CompareDialog, RolloverDialog


def test_untick_then_carry(
    qtbot, qtmodeltester, sample_store: Store, tmp_path: Path, today: date
) -> None:
    ctx = make_ctx(sample_store, tmp_path, today)
    dialog = RolloverDialog(ctx, Recorder())
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    model = dialog.model
    carried_rows = [r for r in range(model.rowCount()) if model.item(r).carry]
    done_rows = [r for r in range(model.rowCount()) if not model.item(r).carry]
    assert done_rows and carried_rows
    assert not model.flags(model.index(done_rows[0], 0)) & Qt.ItemIsUserCheckable
    assert model.data(model.index(done_rows[0], 0)) == "已完成，不结转"
    left_out = model.item(carried_rows[0]).project.id
    assert model.setData(model.index(carried_rows[0], 0), Qt.Unchecked, Qt.CheckStateRole)
    assert f"将结转 {len(carried_rows) - 1} 个" in dialog.summary.text()
    changes = []
    ctx.changes.data_changed.connect(changes.append)
    result = dialog.apply()
    assert result is not None and result.excluded == [left_out]
    origins = {p.origin_id for p in sample_store.list_projects(ProjectFilter(year=2026))}
    assert len(origins) == len(carried_rows) - 1 and left_out not in origins
    assert changes and changes[-1].everything
    assert ctx.prompts.asked[-1][0] == "info"


def test_select_none_disables_and_a_repeat_offers_to_skip(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    ctx = make_ctx(sample_store, tmp_path, today)
    first = RolloverDialog(ctx)
    qtbot.addWidget(first)
    first.model.set_all(False)
    assert not first.ok_button.isEnabled()
    first.model.set_all(True)
    assert first.ok_button.isEnabled()
    first.apply()
    again = RolloverDialog(ctx)
    qtbot.addWidget(again)
    again.year_box.set_year(2025)
    assert again.plan.from_year == 2025 and again.plan.existing
    assert not again.skip_existing.isHidden() and again.skip_existing.isChecked()
    again.skip_existing.setChecked(False)
    count = sample_store.project_count(2026)
    assert again.apply() is None
    assert (
        ctx.prompts.asked[-1][0] == "error"
        and "已有从 2025 年度结转来的" in ctx.prompts.asked[-1][2]
    )
    assert sample_store.project_count(2026) == count


def test_compare_dialog_lists_groups_and_opens_projects(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    ctx = make_ctx(sample_store, tmp_path, today)
    RolloverDialog(ctx).apply()
    nav = Recorder()
    dialog = CompareDialog(ctx, nav)
    qtbot.addWidget(dialog)
    assert (dialog.year_a.value(), dialog.year_b.value()) == (2025, 2026)
    c = dialog.comparison
    assert c is not None and len(c.carried) == sample_store.project_count(2026)
    titles = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert titles[0] == "2026 年新增（0）"
    assert titles[1] == f"2025 年有、2026 年无（{len(c.dropped)}）"
    dropped = dialog.tree.topLevelItem(1).child(0)
    dialog.tree.itemActivated.emit(dropped, 0)
    assert nav.opened == [c.dropped[0].id]
    dialog.year_a.setValue(2026)
    assert dialog.compare() is None and "不同的年度" in dialog.summary.text()
