"""The matrix, indicators and dashboard views and the rollover menu plug into the main window."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.ui.report_helpers import make_ctx
from ysdesk.store import Store
from ysdesk.ui import features

OURS = (
    "ysdesk.ui.matrix_view:install",
    "ysdesk.ui.indicators_view:install",
    "ysdesk.ui.dashboard_view:install",
    "ysdesk.ui.rollover_dialog:install",
)


def test_report_features_are_registered_and_install(
    qtbot, sample_db: Path, tmp_path: Path, today: date, monkeypatch
) -> None:
    from ysdesk.ui.main_window import MainWindow

    assert set(OURS) <= set(features.FEATURES)
    monkeypatch.setattr(features, "FEATURES", list(OURS))
    store = Store.open(sample_db)
    window = MainWindow(make_ctx(store, tmp_path, today))
    qtbot.addWidget(window)
    try:
        assert {"matrix", "indicators", "dashboard"} <= set(window.views())
        actions = [a.text() for a in window.menu("data").actions()]
        assert "年度结转(&R)…" in actions and "年度对比(&C)…" in actions
        # Chosen before the window is shown (as `screenshot --view matrix` does): it stays.
        window.show_view("matrix")
        window.show()
        qtbot.waitExposed(window)
        assert window.current_view() == "matrix"
    finally:
        window.close()
        store.close()


def test_report_views_drive_the_project_table(
    qtbot, sample_db: Path, tmp_path: Path, today: date, monkeypatch
) -> None:
    """A matrix cell, a matrix total and a dashboard card list exactly their projects."""
    from ysdesk.domain.model import ProjectFilter
    from ysdesk.ui.main_window import MainWindow
    from ysdesk.ui.matrix_view import LEAD_COLUMN

    monkeypatch.setattr(features, "FEATURES", list(OURS))
    store = Store.open(sample_db)
    window = MainWindow(make_ctx(store, tmp_path, today))
    qtbot.addWidget(window)
    try:
        window.show_view("matrix")
        window.show()
        qtbot.waitExposed(window)
        matrix_view = window.stack.currentWidget()
        model = matrix_view.model
        row = [r.unit for r in model.matrix().rows].index("区科委")
        cell = model.matrix().rows[row].cells[1]
        matrix_view._clicked(model.index(row, model.column_of_task(1)))
        assert window.current_view() == "projects"
        assert window.table.model.rowCount() == cell.lead + cell.co
        matrix_view._clicked(model.index(row, LEAD_COLUMN))
        assert window.table.model.rowCount() == model.matrix().rows[row].lead_total
        window.show_view("dashboard")
        board_view = window.stack.currentWidget()
        board_view.open_card("逾期")
        late = store.list_projects(ProjectFilter(year=2025, overdue_only=True), today=today)
        assert window.table.model.rowCount() == len(late) > 0
        window.open_project(late[0].id)
        assert window.table.current_project_id() == late[0].id
    finally:
        window.close()
        store.close()
