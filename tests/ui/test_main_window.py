"""The window over real data: trees, table, features, settings, databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ysdesk.domain.model import ProjectFilter, Status
from ysdesk.services.trees import TREE_KINDS
from ysdesk.services.workspace import init_database
from ysdesk.store import Store


def test_every_item_model_passes_the_model_tester(window, qtmodeltester) -> None:
    for kind in TREE_KINDS:
        window.navigation.set_kind(kind)
        model = window.navigation.models[kind]
        # Open every node so lazily loaded leaves are checked too.
        for row in range(model.rowCount()):
            parent = model.index(row, 0)
            if model.canFetchMore(parent):
                model.fetchMore(parent)
            for child in range(model.rowCount(parent)):
                index = model.index(child, 0, parent)
                if model.canFetchMore(index):
                    model.fetchMore(index)
        qtmodeltester.check(model)
    qtmodeltester.check(window.table.model)
    window.table.select_project(window.table.model.project_id(0))
    qtmodeltester.check(window.editor.progress_model)
    qtmodeltester.check(window.editor.audit_model)
    assert window.editor.progress_model.rowCount() >= 1
    assert window.editor.audit_model.rowCount() >= 1


def test_task_tree_and_table_show_the_sample_list(window, sample_store_counts) -> None:
    model = window.navigation.models["task"]
    everything = model.index(0, 0)
    assert model.data(everything).startswith("全部项目")
    assert model.rowCount() == 5  # 全部项目 + four areas
    first_area = model.index(1, 0)
    assert model.data(first_area) == "（一）打造全球科创策源新高地"
    assert model.rowCount(first_area) == 5
    assert window.table.model.rowCount() == 86
    summary = model.data(model.index(0, 1))
    assert summary.startswith("86 项") and f"完成 {sample_store_counts['done']}" in summary
    # Selecting a task narrows the table to it.
    task1 = model.index(0, 0, first_area)
    window.navigation.view().setCurrentIndex(task1)
    expected = window.ctx.store.project_ids(ProjectFilter(year=2025, task_no=1))
    assert window.table.model.ids() == expected
    assert "1. " in window.table.caption.text()


def test_zone_and_unit_trees_drive_the_table(window) -> None:
    store = window.ctx.store
    window.navigation.set_kind("zone")
    model = window.navigation.model()
    zone = model.index(1, 0)
    window.navigation.view().setCurrentIndex(zone)
    name = model.node(zone).label
    assert window.table.model.ids() == store.project_ids(ProjectFilter(year=2025, zone=name))
    window.navigation.set_kind("unit")
    model = window.navigation.model()
    unit_row = next(
        r for r in range(model.rowCount()) if model.data(model.index(r, 0)) == "复旦大学"
    )
    window.navigation.view().setCurrentIndex(model.index(unit_row, 0))
    assert window.table.model.ids() == store.project_ids(ProjectFilter(year=2025, unit="复旦大学"))
    parent = model.index(unit_row, 0)
    model.fetchMore(parent)
    roles = {
        model.data(model.index(r, 1, parent)).split(" · ")[0] for r in range(model.rowCount(parent))
    }
    assert roles <= {"牵头", "配合"} and roles


def test_table_columns_status_words_and_tooltips(window) -> None:
    model = window.table.model
    headers = [model.headerData(c, Qt.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "编号",
        "项目名称",
        "重点任务",
        "功能区",
        "牵头单位",
        "配合单位",
        "完成时限",
        "状态",
        "进展情况",
    ]
    today = window.ctx.today
    for row in range(model.rowCount()):
        project = model.project(row)
        word = model.data(model.index(row, 7))
        assert word == project.display_status(today)
        assert model.data(model.index(row, 7), Qt.ForegroundRole) is not None
    tip = model.data(model.index(0, 8), Qt.ToolTipRole)
    assert model.project(0).progress[:10] in tip
    # Rows are fetched in pages, never one query per row.
    assert model.fetches <= 2


def test_sorting_by_deadline_and_back_to_plan_order(window) -> None:
    view = window.table.view
    model = window.table.model
    view.sortByColumn(6, Qt.AscendingOrder)
    deadlines = [model.project(r).deadline for r in range(model.rowCount())]
    dated = [d for d in deadlines if d is not None]
    assert dated == sorted(dated)
    view.sortByColumn(7, Qt.DescendingOrder)
    assert model.rowCount() == 86


def test_features_plug_into_menus_and_views(open_window, monkeypatch) -> None:
    from ysdesk.ui import features

    monkeypatch.setattr(features, "FEATURES", ["tests.ui.test_main_window:_install_probe"])
    INSTALLED.clear()
    window = open_window()
    assert [window] == INSTALLED
    for key in ("file", "edit", "view", "data", "report", "help"):
        assert window.menu(key) is not None
    assert "探针报告" in [a.text() for a in window.menu("report").actions()]
    assert "probe" in window.views()
    window.show_view("probe")
    assert window.current_view() == "probe"
    window.show_projects(ProjectFilter(year=2025, status=Status.LAGGING), "滞后项目")
    assert window.current_view() == "projects"
    lagging = window.ctx.store.project_ids(ProjectFilter(year=2025, status=Status.LAGGING))
    assert window.table.model.ids() == lagging
    assert "滞后项目" in window.table.caption.text()


INSTALLED: list[object] = []


def _install_probe(window) -> None:
    """A feature as other modules write them: a menu entry and a view."""
    INSTALLED.append(window)
    window.menu("report").addAction("探针报告")
    window.add_view("probe", "探针视图", QLabel("probe"))


def test_open_project_selects_it_everywhere(window) -> None:
    store = window.ctx.store
    pid = store.project_ids(ProjectFilter(year=2025, task_no=17))[-1]
    window.filter_bar.set_filters(status="已完成")
    window.open_project(pid)
    assert window.table.current_project_id() == pid
    assert window.editor.project.id == pid
    node = window.navigation.current_node()
    assert node is not None and node.project_id == pid


def test_settings_remember_view_filters_and_geometry(open_window, settings) -> None:
    first = open_window()
    first.navigation.set_kind("zone")
    first.filter_bar.set_filters(text="fd", unit="区科委", overdue=True)
    first.editor_dock.hide()
    first.close()
    first.ctx.store.close()
    assert settings.value("view/tree") == "zone"
    second = open_window()
    assert second.navigation.kind() == "zone"
    bar = second.filter_bar
    assert (bar.search.text(), bar.unit_name(), bar.overdue.isChecked()) == ("fd", "区科委", True)
    expected = second.ctx.store.project_ids(
        ProjectFilter(year=2025, text="fd", unit="区科委", overdue_only=True), second.ctx.today
    )
    assert second.table.model.ids() == expected
    # Geometry and dock state come back (the offscreen screen clamps sizes, so check state).
    assert not settings.value("window/geometry").isEmpty()
    assert second.editor_dock.isHidden()


def test_modified_mark_follows_the_undo_stack(window, prompts, tmp_path: Path) -> None:
    assert not window.isWindowModified()
    assert "[*]" in window.windowTitle()
    assert window.table.select_project(window.table.model.project_id(0))
    assert window.project_actions.set_status(Status.PAUSED) == 1
    assert window.isWindowModified()
    prompts.answers.append(str(tmp_path / "copy.db"))
    assert window.file_actions.backup_copy()
    assert (tmp_path / "copy.db").exists()
    assert not window.isWindowModified()
    window.ctx.undo_stack.undo()
    assert window.isWindowModified()


def test_new_and_open_database_switch_every_view(window, prompts, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    prompts.answers.append(str(fresh))
    assert window.file_actions.new_database()
    assert window.ctx.store.path == fresh
    assert window.table.model.rowCount() == 0
    assert window.ctx.undo_stack.count() == 0
    assert fresh.name in window.windowTitle()
    other = tmp_path / "other.db"
    init_database(other, sample=True).close()
    assert window.file_actions.open_database(str(other))
    assert window.table.model.rowCount() == 86
    assert str(other.resolve()) in window.ctx.settings.value("recent_dbs")
    # Not a database: refused in one sentence, the open database stays.
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite")
    assert not window.file_actions.open_database(str(junk))
    assert prompts.asked[-1][0] == "error"
    assert window.ctx.store.path == other


def test_about_names_the_plan_and_the_database(window) -> None:
    text = window.file_actions.about_text()
    assert "沪科合〔2025〕7号" in text
    assert "上海市科学技术委员会" in text and "2025年3月10日" in text
    assert str(window.ctx.store.path) in text


def test_read_only_window_disables_edits(open_window, sample_db: Path) -> None:
    window = open_window(sample_db, readonly=True)
    assert "只读" in window.windowTitle()
    window.table.select_project(window.table.model.project_id(0))
    assert not window.project_actions.new.isEnabled()
    assert not window.project_actions.delete.isEnabled()
    assert not window.editor.name.isEnabled()


def _mnemonic(text: str) -> str | None:
    """The key Alt (or the letter, in an open menu) reaches an entry by: "导出(&L)…" → "L"."""
    at = text.replace("&&", "").find("&")
    return None if at < 0 else text.replace("&&", "")[at + 1 : at + 2].upper()


def _menu_problems(menu, where: str) -> list[str]:
    """Entries of a menu (and its submenus) without a mnemonic, or sharing one."""
    menu.aboutToShow.emit()  # menus filled when opened (最近打开) fill now
    problems = []
    seen: dict[str, str] = {}
    for action in menu.actions():
        text = action.text()
        if action.isSeparator() or text == "（无）":  # 最近打开's disabled placeholder
            continue
        key = _mnemonic(text)
        if key is None:
            problems.append(f"{where} › {text}: no mnemonic")
        elif key in seen:
            problems.append(f"{where} › {text}: &{key} is also {seen[key]}")
        else:
            seen[key] = text
        if action.menu() is not None:
            problems += _menu_problems(action.menu(), f"{where} › {text}")
    return problems


def test_every_menu_entry_has_its_own_mnemonic(window) -> None:
    """Every entry of every menu, the features' and the views' included (the README promises
    Alt mnemonics); undo and redo keep theirs as their texts follow the undo stack."""
    assert {"matrix", "indicators", "dashboard"} <= set(window.views())
    keys = ("file", "edit", "view", "data", "report", "help")
    bar = [_mnemonic(a.text()) for a in window.menuBar().actions()]
    assert None not in bar and len(set(bar)) == len(bar)
    problems = [p for key in keys for p in _menu_problems(window.menu(key), key)]
    assert problems == []
    names = {a.text() for a in window.menu("view").actions()}
    assert {"项目清单(&1)", "责任矩阵(&2)", "目标指标(&3)", "督办看板(&4)"} <= names
    assert window.table.select_project(window.table.model.project_id(0))
    editor = window.editor
    editor.name.setText(editor.name.text() + "（改）")
    editor.name.setModified(True)
    editor.name.editingFinished.emit()
    assert window.undo_action.text().startswith("撤销(&U) ")
    window.undo_action.trigger()
    assert window.redo_action.text().startswith("重做(&R) ")
    assert _menu_problems(window.menu("edit"), "edit") == []


def test_sample_counts_fixture_sanity(sample_store_counts) -> None:
    assert sample_store_counts["total"] == 86


def _store_counts(store: Store, today) -> dict[str, int]:
    projects = store.list_projects(ProjectFilter(year=2025), today)
    return {
        "total": len(projects),
        "done": sum(p.status is Status.DONE for p in projects),
        "overdue": sum(p.is_overdue(today) for p in projects),
    }


@pytest.fixture
def sample_store_counts(sample_db: Path, today) -> dict[str, int]:
    store = Store.open(sample_db, readonly=True)
    try:
        return _store_counts(store, today)
    finally:
        store.close()


def test_other_views_get_the_room_of_the_docks(open_window, monkeypatch) -> None:
    from ysdesk.ui import features

    monkeypatch.setattr(features, "FEATURES", ["tests.ui.test_main_window:_install_probe"])
    window = open_window()
    window.editor_dock.hide()  # the user's choice survives the round trip
    window.show_view("probe")
    assert not window.nav_dock.isVisible() and not window.editor_dock.isVisible()
    assert not window.filter_bar.isEnabled()
    window.show_view("projects")
    assert window.nav_dock.isVisible() and not window.editor_dock.isVisible()
    assert window.filter_bar.isEnabled()
    # Closing on another view saves the docks as the project list had them.
    window.editor_dock.show()
    window.show_view("probe")
    window.close()
    window.ctx.store.close()
    again = open_window()
    assert again.current_view() == "probe"
    again.show_view("projects")
    assert again.nav_dock.isVisible() and again.editor_dock.isVisible()


def test_a_laptop_screen_shows_the_search_every_column_and_the_editor(
    qtbot, sample_db: Path, today, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QScrollArea

    from tests.ui.conftest import make_settings
    from ysdesk.ui.context import AppContext
    from ysdesk.ui.main_window import MainWindow
    from ysdesk.ui.prompts import ScriptedPrompts

    store = Store.open(sample_db)
    ctx = AppContext(
        store=store, settings=make_settings(tmp_path), today=today, prompts=ScriptedPrompts()
    )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    try:
        # The filters are not folded behind the toolbar's » button.
        search = window.filter_bar.search
        assert search.isVisible() and search.width() >= 150
        assert window.filter_bar.clear.isVisible()
        # Every column fits the table: no horizontal scrolling to reach 状态 and 进展情况.
        view = window.table.view
        header = view.horizontalHeader()
        qtbot.waitUntil(lambda: header.length() <= view.viewport().width(), timeout=2000)
        em = view.fontMetrics().horizontalAdvance("中")
        assert all(header.sectionSize(c) >= 3 * em for c in range(header.count())), [
            header.sectionSize(c) for c in range(header.count())
        ]
        # The editor's basic fields show without scrolling.
        window.table.select_project(window.table.model.project_id(0))
        scroll = window.editor.tabs.widget(0)
        assert isinstance(scroll, QScrollArea)
        qtbot.waitUntil(lambda: not scroll.verticalScrollBar().isVisible(), timeout=2000)
        # A column the user widens stays as wide when the window is resized.
        header.resizeSection(1, 300)
        wide = view.viewport().width()
        window.resize(1300, 768)
        qtbot.waitUntil(lambda: view.viewport().width() < wide, timeout=2000)
        assert header.sectionSize(1) == 300
        # At a desktop width the filters share the first toolbar row again.
        window.resize(1600, 1000)
        qtbot.waitUntil(lambda: not window.toolBarBreak(window.filter_toolbar), timeout=2000)
    finally:
        window.tasks.wait_all()
        window.close()
        store.close()


def test_narrow_window_puts_the_filters_on_their_own_row(window, qtbot) -> None:
    window.resize(900, 700)
    qtbot.waitUntil(lambda: window.toolBarBreak(window.filter_toolbar), timeout=2000)
    assert window.filter_bar.search.isVisible()


def test_the_central_area_is_as_small_as_the_page_on_show_allows(window) -> None:
    stack = window.stack
    assert stack.minimumSizeHint() == window.table.minimumSizeHint()
    window.show_view("indicators")
    assert stack.minimumSizeHint() == stack.currentWidget().minimumSizeHint()
    assert window.table.minimumSizeHint().height() < stack.minimumSizeHint().height()
