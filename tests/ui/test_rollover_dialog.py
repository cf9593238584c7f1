"""The rollover dialog (untick projects, carry the rest) and the comparison dialog.

Both read the years in a worker over their own connection; the rollover is written on the
main thread in one transaction. Dialogs opened without a window's worker read in place.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.report_helpers import Recorder, make_ctx
from ysdesk.domain.model import ProjectFilter
from ysdesk.store import Store
from ysdesk.ui import rollover_dialog
from ysdesk.ui.context import AppContext
from ysdesk.ui.rollover_dialog import CompareDialog, RolloverDialog
from ysdesk.ui.tasks import TaskRunner


@pytest.fixture
def ctx(sample_store: Store, tmp_path: Path, today: date) -> AppContext:
    """A context with a worker, as the main window gives it."""
    ctx = make_ctx(sample_store, tmp_path, today)
    ctx.tasks = TaskRunner(None, ctx.prompts)
    yield ctx
    ctx.tasks.wait_all()


def _opened(qtbot, ctx: AppContext, navigator: Recorder | None = None) -> RolloverDialog:
    dialog = RolloverDialog(ctx, navigator)
    qtbot.addWidget(dialog)
    assert dialog.plan is None and not dialog.ok_button.isEnabled()
    assert "正在读取" in dialog.summary.text()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=5000)
    return dialog


def _applied(qtbot, dialog: RolloverDialog):
    with qtbot.waitSignal(dialog.applied, timeout=5000) as blocker:
        dialog.apply()
    return blocker.args[0]


def test_untick_then_carry(qtbot, qtmodeltester, ctx: AppContext, sample_store: Store) -> None:
    dialog = _opened(qtbot, ctx)
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
    result = _applied(qtbot, dialog)
    assert result.excluded == [left_out]
    assert result.backup is not None and result.backup.exists()
    origins = {p.origin_id for p in sample_store.list_projects(ProjectFilter(year=2026))}
    assert len(origins) == len(carried_rows) - 1 and left_out not in origins
    # The views hear which projects were added, from the dialog.
    assert [c.added for c in changes] == [{new for _, new in result.created}]
    assert changes[-1].source is dialog and changes[-1].structure
    assert ctx.prompts.asked[-1][0] == "info"


def test_years_are_read_and_written_in_a_worker(
    qtbot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: dict[str, list[bool]] = {}

    def watch(name: str):
        real = getattr(rollover_dialog, name)

        def watched(*args, **kwargs):
            on_main = threading.current_thread() is threading.main_thread()
            threads.setdefault(name, []).append(on_main)
            return real(*args, **kwargs)

        return watched

    for name in ("plan_rollover", "compare_years", "auto_backup", "carry_over"):
        monkeypatch.setattr(rollover_dialog, name, watch(name))
    dialog = _opened(qtbot, ctx)
    _applied(qtbot, dialog)
    compare = CompareDialog(ctx)
    qtbot.addWidget(compare)
    qtbot.waitUntil(lambda: compare.comparison is not None, timeout=5000)
    assert threads == {
        "plan_rollover": [False],
        "auto_backup": [False],
        "carry_over": [False],  # through a twin connection: the window keeps painting
        "compare_years": [False],
    }


def test_a_plan_gone_stale_is_refused(qtbot, ctx: AppContext, sample_store: Store) -> None:
    dialog = _opened(qtbot, ctx)
    # Something wrote to 2025 after the plan was made (another view, another tool).
    pid = dialog.plan.items[0].project.id
    project = sample_store.get_project(pid)
    sample_store.update_project(pid, {"note": "补充说明"}, expected_version=project.version)
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5000)
    dialog.apply()
    qtbot.waitUntil(lambda: bool(ctx.prompts.asked), timeout=5000)
    kind, _title, message = ctx.prompts.asked[-1]
    assert kind == "error" and "生成结转方案后有改动" in message
    assert sample_store.project_count(2026) == 0
    assert dialog.result_ is None and dialog.ok_button.isEnabled()


def test_select_none_disables_and_a_repeat_offers_to_skip(
    qtbot, ctx: AppContext, sample_store: Store
) -> None:
    first = _opened(qtbot, ctx)
    first.model.set_all(False)
    assert not first.ok_button.isEnabled()
    first.model.set_all(True)
    assert first.ok_button.isEnabled()
    _applied(qtbot, first)
    again = _opened(qtbot, ctx)
    if again.plan.from_year != 2025:
        again.year_box.set_year(2025)
        qtbot.waitUntil(lambda: again.plan is not None and again.plan.from_year == 2025)
    assert again.plan.existing
    assert not again.skip_existing.isHidden() and again.skip_existing.isChecked()
    again.skip_existing.setChecked(False)
    count = sample_store.project_count(2026)
    again.apply()
    assert ctx.prompts.asked[-1][0] == "error"
    assert "已有从 2025 年度结转来的" in ctx.prompts.asked[-1][2]
    assert sample_store.project_count(2026) == count


def test_compare_dialog_lists_groups_and_opens_projects(
    qtbot, ctx: AppContext, sample_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _applied(qtbot, _opened(qtbot, ctx))
    monkeypatch.setattr(rollover_dialog, "LIST_LIMIT", 5)
    nav = Recorder()
    dialog = CompareDialog(ctx, nav)
    qtbot.addWidget(dialog)
    assert (dialog.year_a.value(), dialog.year_b.value()) == (2025, 2026)
    assert "正在比较" in dialog.summary.text()
    qtbot.waitUntil(lambda: dialog.comparison is not None, timeout=5000)
    c = dialog.comparison
    assert len(c.carried) == sample_store.project_count(2026)
    titles = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert titles[0] == "2026 年新增（0）"
    assert titles[1] == f"2025 年有、2026 年无（{len(c.dropped)}）"
    dropped = dialog.tree.topLevelItem(1)
    # A long group lists its first projects and says how many more there are.
    assert len(c.dropped) > 5 and dropped.childCount() == 6
    assert f"另有 {len(c.dropped) - 5} 个" in dropped.child(5).text(0)
    dialog.tree.itemActivated.emit(dropped.child(0), 0)
    assert nav.opened == [c.dropped[0].id]
    dialog.year_a.setValue(2026)
    dialog.compare()
    qtbot.waitUntil(lambda: "不同的年度" in dialog.summary.text(), timeout=5000)
    assert dialog.comparison is None


def test_without_a_worker_the_dialogs_read_in_place(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    ctx = make_ctx(sample_store, tmp_path, today)
    dialog = RolloverDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.plan is not None and dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.applied, timeout=1000):
        dialog.apply()
    assert sample_store.project_count(2026) == len(dialog.result_.created)
    compare = CompareDialog(ctx)
    qtbot.addWidget(compare)
    assert compare.comparison is not None
