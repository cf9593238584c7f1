"""The window over real data: the task tree shows the plan and the sample list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel

from ysdesk.store import Store
from ysdesk.ui.context import AppContext
from ysdesk.ui.main_window import MainWindow


def test_task_tree_shows_areas_tasks_and_projects(
    qtbot, qtmodeltester, sample_db: Path, today, tmp_path: Path
) -> None:
    store = Store.open(sample_db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(AppContext(store=store, settings=settings, today=today))
    qtbot.addWidget(window)
    try:
        model = window.tree_model
        qtmodeltester.check(model)
        assert model.rowCount() == 4
        first_area = model.index(0, 0)
        assert model.data(first_area) == "（一）打造全球科创策源新高地"
        assert model.rowCount(first_area) == 5
        total = sum(model.node(model.index(r, 0)).total for r in range(4))
        assert total == store.project_count(2025)
        task1 = model.index(0, 0, first_area)
        assert model.rowCount(task1) >= 1
        project = model.index(0, 0, task1)
        window.tree_view.setCurrentIndex(project)
        assert model.node(project).label in window.detail.text()
    finally:
        window.close()
        store.close()


INSTALLED: list[object] = []


def _install_probe(window) -> None:
    """A feature as other modules write them: a menu entry and a view."""
    INSTALLED.append(window)
    window.menu("report").addAction("探针报告")
    window.add_view("probe", "探针视图", QLabel("probe"))


def test_features_plug_into_menus_and_views(
    qtbot, sample_db: Path, today, tmp_path: Path, monkeypatch
) -> None:
    from ysdesk.ui import features

    monkeypatch.setattr(features, "FEATURES", ["tests.ui.test_main_window:_install_probe"])
    INSTALLED.clear()
    store = Store.open(sample_db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(AppContext(store=store, settings=settings, today=today))
    qtbot.addWidget(window)
    try:
        assert [window] == INSTALLED
        for key in ("file", "edit", "view", "data", "report", "help"):
            assert window.menu(key) is not None
        assert "探针报告" in [a.text() for a in window.menu("report").actions()]
        assert "probe" in window.views()
        window.show_view("probe")
        assert window.current_view() == "probe"
        window.show_view("projects")
        assert window.current_view() == "projects"
    finally:
        window.close()
        store.close()
