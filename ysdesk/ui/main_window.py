"""The main window: composes the docks and wires signals, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QStyle,
    QToolBar,
    QWidget,
)

from ysdesk.domain.errors import NotFoundError
from ysdesk.domain.model import Project, ProjectFilter
from ysdesk.services.trees import TREE_KINDS
from ysdesk.ui import features
from ysdesk.ui.commands import short_name
from ysdesk.ui.context import AppContext
from ysdesk.ui.editor import ProjectEditor
from ysdesk.ui.file_actions import FileActions, remember
from ysdesk.ui.filter_bar import FilterBar
from ysdesk.ui.navigation import NavigationPanel
from ysdesk.ui.project_actions import ProjectActions
from ysdesk.ui.project_data import ProjectData
from ysdesk.ui.project_table import ProjectTable
from ysdesk.ui.style import icon
from ysdesk.ui.tasks import Task, TaskRunner
from ysdesk.ui.welcome import ProjectsPage

MENUS = (
    ("file", "文件(&F)"),
    ("edit", "编辑(&E)"),
    ("view", "视图(&V)"),
    ("data", "数据(&D)"),
    ("report", "报告(&R)"),
    ("help", "帮助(&H)"),
)
PROJECTS_VIEW = "projects"
APP_TITLE = "ysdesk 项目清单工作台"


class ViewStack(QStackedWidget):
    """The central views; only the page on show limits how small the centre may get.

    A plain QStackedWidget asks for the largest minimum of all its pages: the indicator
    charts' 373 pixels kept the project table's page from giving the editor dock room on a
    768-pixel screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()


class MainWindow(QMainWindow):
    """Navigation dock (left), views in the centre (the project table first), editor dock."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.prompts.parent = self
        self.tasks = TaskRunner(self, ctx.prompts)
        ctx.tasks = self.tasks
        self._menus: dict[str, QMenu] = {}
        self._views: dict[str, QWidget] = {}
        self._view_actions = QActionGroup(self)
        self._view_separator: QAction | None = None
        self._docks_shown: dict[QDockWidget, bool] = {}
        self._moved_away: tuple[int | None, int] | None = None  # (project, year) announced
        self._damage_offered: object | None = None  # the store whose damage was reported
        self._shown_once = False
        self._layout_restored = False
        self.setObjectName("main_window")
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)

        self.data = ProjectData(ctx, self._initial_year(), self)
        self.filter_bar = FilterBar(ctx)
        self.navigation = NavigationPanel(self.data)
        self.table = ProjectTable(self.data)
        self.editor = ProjectEditor(ctx)
        self.stack = ViewStack()
        self.setCentralWidget(self.stack)
        self.nav_dock = self._dock("navigation", "目录", self.navigation, Qt.LeftDockWidgetArea)
        self.editor_dock = self._dock("editor", "项目详情", self.editor, Qt.BottomDockWidgetArea)
        self.file_actions = FileActions(ctx, self)
        self.project_actions = ProjectActions(
            ctx, self.data, self.table, self.navigation, self.editor, self
        )
        self._build_menus()
        self._build_toolbar()
        # The table, or the welcome pane in its place while the database has no project.
        self.projects_page = ProjectsPage(ctx, self.table)
        self.add_view(PROJECTS_VIEW, "项目清单", self.projects_page)
        self.db_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self._wire()
        self.filter_bar.refresh_choices(self.data.years(), self.data.year)
        self._default_layout()
        self._restore_settings()
        self._update_title()
        for install in features.installers():
            install(self)

    def _initial_year(self) -> int:
        years = self.ctx.store.years()
        saved = self.ctx.settings.value("filters/year")
        try:
            year = int(saved) if saved not in (None, "") else None
        except (TypeError, ValueError):
            year = None
        if year in years:
            return year
        return years[-1] if years else self.ctx.today.year

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    # ------------------------------------------------------------ extension points
    def menu(self, key: str) -> QMenu:
        """The QMenu for "file", "edit", "view", "data", "report" or "help"."""
        return self._menus[key]

    def add_view(self, key: str, title: str, widget: QWidget) -> QAction:
        """Add a page to the central area, with an entry in 视图 that shows it.

        The entry's mnemonic is its number, as its shortcut is Alt+number: "责任矩阵(&2)".
        """
        if key in self._views:
            raise ValueError(f"view {key!r} is already registered")
        self._views[key] = widget
        self.stack.addWidget(widget)
        number = len(self._views)
        if "&" not in title and number <= 9:
            title = f"{title}(&{number})"
        action = QAction(title, self, checkable=True)
        action.setData(key)
        self._view_actions.addAction(action)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Alt+{number}"))
        action.triggered.connect(lambda: self.show_view(key))
        self.menu("view").insertAction(self._view_separator, action)
        if len(self._views) == 1:
            action.setChecked(True)
        return action

    def views(self) -> list[str]:
        return list(self._views)

    def current_view(self) -> str:
        widget = self.stack.currentWidget()
        return next((k for k, w in self._views.items() if w is widget), PROJECTS_VIEW)

    def show_view(self, key: str) -> None:
        """Bring a registered view to the front.

        The tree, the editor and the filters serve the project list: other views get their
        room, and coming back restores the docks as the user left them.
        """
        # A view chosen before the window is first shown wins over the one saved last time.
        self._saved_view = None
        widget = self._views[key]
        leaving_projects = self.current_view() == PROJECTS_VIEW and key != PROJECTS_VIEW
        self.stack.setCurrentWidget(widget)
        for action in self._view_actions.actions():
            action.setChecked(action.data() == key)
        docks = (self.nav_dock, self.editor_dock)
        if leaving_projects:
            self._docks_shown = {dock: not dock.isHidden() for dock in docks}
            for dock in docks:
                dock.hide()
        elif key == PROJECTS_VIEW and self._docks_shown:
            for dock in docks:
                dock.setVisible(self._docks_shown.get(dock, True))
            self._docks_shown = {}
        self.filter_bar.setEnabled(key == PROJECTS_VIEW)

    def show_projects(self, project_filter: ProjectFilter, title: str = "") -> None:
        """Show the project table narrowed to a filter (e.g. a dashboard's 逾期 count)."""
        self.show_view(PROJECTS_VIEW)
        if project_filter.year is not None and project_filter.year != self.data.year:
            self.data.set_year(project_filter.year)
        self.navigation.view().clearSelection()
        self.table.set_scope(project_filter, title or "筛选结果")

    def open_project(self, project_id: int) -> None:
        """Show one project in the table and the editor."""
        self.show_view(PROJECTS_VIEW)
        if project_id not in self.data.index:
            project = self.ctx.store.get_project(project_id, with_history=False)
            self.data.set_year(project.year)
        if self.navigation.kind() != "task":
            self.navigation.set_kind("task")
        self.navigation.select_project(project_id)
        if not self.table.select_project(project_id):
            self.filter_bar.clear_filters()
            self.table.select_project(project_id)
        self.editor.show_project(project_id)

    def run_task(
        self,
        title: str,
        work: Callable[[Any], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        parent: QWidget | None = None,
    ) -> Task:
        """Run `work(progress)` in a worker with a progress dialog; `on_done` on this thread."""
        return self.tasks.run(title, work, on_done, on_error, parent)

    # -------------------------------------------------------------------- building
    def _build_menus(self) -> None:
        for key, title in MENUS:
            self._menus[key] = self.menuBar().addMenu(title)
        fa, pa = self.file_actions, self.project_actions
        file_menu = self.menu("file")
        file_menu.addActions([fa.new_db, fa.open_db])
        file_menu.addMenu(fa.recent_menu)
        file_menu.addActions([fa.backup, fa.restore])
        file_menu.addSeparator()
        file_menu.addAction(fa.quit)

        stack = self.ctx.undo_stack
        # Qt appends the command's text to the prefix: "撤销(&U) 修改名称".
        self.undo_action = stack.createUndoAction(self, "撤销(&U)")
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.undo_action.setIcon(icon("undo"))
        self.redo_action = stack.createRedoAction(self, "重做(&R)")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.redo_action.setIcon(icon("redo"))
        self.find_action = QAction("查找(&F)", self)
        self.find_action.setShortcut(QKeySequence.Find)
        self.clear_filters_action = QAction("清除筛选(&L)", self)
        self.clear_filters_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        edit = self.menu("edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([pa.new, pa.duplicate, pa.delete])
        edit.addMenu(pa.status_menu)
        edit.addSeparator()
        edit.addActions([self.find_action, self.clear_filters_action])

        view = self.menu("view")
        self._view_separator = view.addSeparator()
        view.addActions(self.navigation.kind_actions.actions())
        view.addSeparator()
        self.focus_tree = QAction("转到目录(&T)", self)
        self.focus_tree.setShortcut(QKeySequence("F6"))
        self.focus_table = QAction("转到项目表(&B)", self)
        self.focus_table.setShortcut(QKeySequence("F7"))
        self.focus_editor = QAction("转到项目详情(&E)", self)
        self.focus_editor.setShortcut(QKeySequence("F8"))
        self.refresh_action = QAction("刷新(&R)", self)
        self.refresh_action.setShortcut(QKeySequence.Refresh)
        view.addActions([self.focus_tree, self.focus_table, self.focus_editor])
        view.addSeparator()
        nav_toggle = self.nav_dock.toggleViewAction()
        nav_toggle.setText("显示目录(&N)")
        editor_toggle = self.editor_dock.toggleViewAction()
        editor_toggle.setText("显示项目详情(&D)")
        view.addActions([nav_toggle, editor_toggle, self.refresh_action])

        self.menu("help").addAction(fa.about)

    def _build_toolbar(self) -> None:
        bar = QToolBar("工具栏")
        bar.setObjectName("toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonIconOnly)
        pa = self.project_actions
        bar.addActions([pa.new, pa.duplicate, pa.delete])
        bar.addSeparator()
        bar.addActions([self.undo_action, self.redo_action])
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.toolbar = bar
        filters = QToolBar("筛选")
        filters.setObjectName("filters")
        filters.setMovable(False)
        filters.addWidget(self.filter_bar)
        self.addToolBar(Qt.TopToolBarArea, filters)
        self.filter_toolbar = filters

    def _place_filters(self) -> None:
        """The filters share the actions' row when they fit beside them, else take their own.

        In one row too narrow for both (a 1366-pixel laptop screen), Qt would fold the
        filters, search box and all, behind the toolbar's » button.
        """
        needed = (
            self.toolbar.sizeHint().width()
            + self.filter_bar.minimumSizeHint().width()
            + 4 * self.style().pixelMetric(QStyle.PM_ToolBarItemMargin)
            + 2 * self.style().pixelMetric(QStyle.PM_ToolBarHandleExtent)
            + 24
        )
        broken = self.toolBarBreak(self.filter_toolbar)
        if self.width() < needed and not broken:
            self.insertToolBarBreak(self.filter_toolbar)
        elif self.width() >= needed and broken:
            self.removeToolBarBreak(self.filter_toolbar)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._place_filters()

    def _wire(self) -> None:
        nav, table, editor, bar = self.navigation, self.table, self.editor, self.filter_bar
        nav.scope_selected.connect(table.set_scope)
        nav.project_selected.connect(self._tree_project_selected)
        bar.changed.connect(self._filters_changed)
        bar.year_selected.connect(self.data.set_year)
        self.data.year_changed.connect(lambda year: bar.refresh_choices(self.data.years(), year))
        table.current_project_changed.connect(self._table_project_changed)
        self.data.changed.connect(self._data_changed)
        editor.project_created.connect(self._project_created)
        self.ctx.undo_stack.cleanChanged.connect(self._clean_changed)
        self.ctx.changes.database_replaced.connect(self._database_replaced)
        self.find_action.triggered.connect(self._focus_search)
        self.clear_filters_action.triggered.connect(bar.clear_filters)
        self.focus_tree.triggered.connect(lambda: nav.view().setFocus())
        self.focus_table.triggered.connect(lambda: table.view.setFocus())
        self.focus_editor.triggered.connect(self._focus_editor)
        self.refresh_action.triggered.connect(self.data.reload)
        self.file_actions.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        table.model.read_failed.connect(self._database_unreadable)

    # -------------------------------------------------------------------- wiring
    def _data_changed(self, change: Any) -> None:
        # A project moved to a year not listed yet, or units/zones changed: refresh the lists.
        if change.structure or change.plan:
            self.filter_bar.refresh_choices(self.data.years(), self.data.year)
        shown = self.editor.project.id if self.editor.project is not None else None
        if (
            shown is not None
            and shown in change.projects
            and shown in self.data.index
            and self.table.current_project_id() is None
            and not self.editor.is_draft
        ):
            # The project the editor kept came back (an undone move): select it again.
            self._moved_away = None
            if self.table.select_project(shown):
                self.statusBar().showMessage(
                    f"项目“{short_name(self.editor.project.name)}”已回到 {self.data.year} 年清单。",
                    8000,
                )

    def _clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def _filters_changed(self) -> None:
        self.table.set_filters(self.filter_bar.filter())
        self.filter_bar.save(self.ctx.settings)

    def _tree_project_selected(self, project_id: int) -> None:
        if not self.table.select_project(project_id) and not self.editor.is_draft:
            self.editor.show_project(project_id)

    def _table_project_changed(self, project_id: int | None) -> None:
        if self.editor.is_draft:
            return
        if project_id is None:
            moved = self._moved_to_another_year(self.editor.project)
            if moved is not None:
                # An edit of the year took the project out of this list: the editor keeps it,
                # and the user learns where it went.
                if self._moved_away != (moved.id, moved.year):
                    self._moved_away = (moved.id, moved.year)
                    self.statusBar().showMessage(
                        f"项目“{short_name(moved.name)}”已移至 {moved.year} 年清单："
                        f"按 Ctrl+Z 可撤销，在工具栏“年度”中选 {moved.year} 年可在清单中看到它。",
                        20000,
                    )
                return
        self.editor.show_project(project_id)

    def _moved_to_another_year(self, project: Project | None) -> Project | None:
        """The project as stored, if it has left the year shown for another one."""
        if project is None or project.id is None or project.id in self.data.index:
            return None
        try:
            stored = self.ctx.store.get_project(project.id, with_history=False)
        except NotFoundError:
            return None
        return stored if stored.year != self.data.year else None

    def _project_created(self, project_id: int) -> None:
        self.table.select_project(project_id)

    def _focus_search(self) -> None:
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    def _focus_editor(self) -> None:
        self.editor_dock.show()
        self.editor.tabs.setCurrentIndex(0)
        self.editor.name.setFocus()

    def _database_unreadable(self, message: str, damaged: bool) -> None:
        """Part of the database cannot be read: say why; a damaged file, once, with the ways
        out (a busy or vanished file is only said: 刷新 reads it again)."""
        self.statusBar().showMessage(message, 20000)
        if not damaged or self._damage_offered is self.ctx.store:
            return
        self._damage_offered = self.ctx.store
        # Reported while the table paints: the question waits for the event loop.
        QTimer.singleShot(0, lambda: self.offer_recovery(message))

    def offer_recovery(self, message: str) -> None:
        """Restore a backup, open another database, or carry on with what can be read."""
        choice = self.ctx.prompts.choose(
            "数据库读取失败",
            f"{message}\n{self.ctx.store.path or ''}\n"
            "可以用自动备份恢复它（当前文件会先原样保存），或打开其他数据库。",
            [
                ("restore", "从备份恢复(&E)…"),
                ("open", "打开其他数据库(&O)…"),
                ("cancel", "稍后处理"),
            ],
        )
        if choice == "restore":
            self.file_actions.restore_backup()
        elif choice == "open":
            self.file_actions.open_database()

    def _database_replaced(self, _store: object) -> None:
        self.filter_bar.refresh_choices(self.data.years(), self.data.year)
        self.editor.refresh_plan()
        self.editor.show_project(None)
        self.project_actions.update_enabled()
        self._update_title()

    def _update_title(self) -> None:
        path = self.ctx.store.path
        suffix = "（只读）" if self.ctx.readonly else ""
        name = path.name if path else "内存数据库"
        self.setWindowTitle(f"{name}[*]{suffix} — {APP_TITLE}")
        self.db_label.setText(f"数据库：{path or '内存'}{suffix}")

    # ------------------------------------------------------------------- settings
    def _default_layout(self) -> None:
        """Dock sizes for a first start; a saved state replaces them.

        The editor takes what its basic fields need (at least 22 lines), but at most 45 % of
        the window's height: on a 768-pixel laptop screen that still shows the basic fields
        without scrolling and leaves the table nine rows. Applied again at the first show,
        when the window has its size.
        """
        em = self.fontMetrics().horizontalAdvance("中")
        self.resizeDocks([self.nav_dock], [min(30 * em, self.width() * 3 // 10)], Qt.Horizontal)
        wanted = max(22 * self.fontMetrics().height(), self.editor.basic_height() + 8)
        editor = min(wanted, self.height() * 45 // 100)
        self.resizeDocks([self.editor_dock], [editor], Qt.Vertical)

    def _restore_settings(self) -> None:
        s = self.ctx.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = s.value("window/state")
        self._layout_restored = isinstance(state, QByteArray) and self.restoreState(state)
        kind = str(s.value("view/tree", "task") or "task")
        self.navigation.set_kind(kind if kind in TREE_KINDS else "task")
        self.filter_bar.restore(s)
        central = str(s.value("view/central", PROJECTS_VIEW) or PROJECTS_VIEW)
        self._saved_view = central

    def save_settings(self) -> None:
        s = self.ctx.settings
        s.setValue("window/geometry", self.saveGeometry())
        hidden_for_view = [dock for dock, shown in self._docks_shown.items() if shown]
        for dock in hidden_for_view:
            dock.setVisible(True)  # save the docks as the project list shows them
        s.setValue("window/state", self.saveState())
        for dock in hidden_for_view:
            dock.setVisible(False)
        s.setValue("view/tree", self.navigation.kind())
        s.setValue("view/central", self.current_view())
        s.setValue("filters/year", self.data.year)
        self.filter_bar.save(s)
        if self.ctx.store.path is not None:
            remember(self.ctx, self.ctx.store.path)
        s.sync()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._shown_once:
            return
        self._shown_once = True
        if not self._layout_restored:
            self._default_layout()
            # The dock layout settles after the show's pending resizes; size the docks
            # again once it has, or they keep the proportions of the unshown window.
            QTimer.singleShot(0, self._default_layout)
        saved = getattr(self, "_saved_view", None)
        if saved is not None:
            # Features register their views after construction; restore the last one now.
            self._saved_view = None
            if saved in self._views:
                self.show_view(saved)
        self.data.prefetch()

    def closeEvent(self, event: QCloseEvent) -> None:
        # A field being edited commits on focus loss: take focus away before closing.
        focus = self.focusWidget()
        if focus is not None:
            focus.clearFocus()
        self.save_settings()
        self.tasks.wait_all()
        super().closeEvent(event)
