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
        assert "年度结转…" in actions and "年度对比…" in actions
        # Chosen before the window is shown (as `screenshot --view matrix` does): it stays.
        window.show_view("matrix")
        window.show()
        qtbot.waitExposed(window)
        assert window.current_view() == "matrix"
    finally:
        window.close()
        store.close()
