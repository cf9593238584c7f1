"""The main window: composes the docks and wires signals, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTreeView,
    QWidget,
)

from ysdesk.domain.model import ProjectFilter
from ysdesk.services.trees import task_tree
from ysdesk.ui import features
from ysdesk.ui.context import AppContext
from ysdesk.ui.tasks import Task, TaskRunner
from ysdesk.ui.tree_model import TreeModel

MENUS = (
    ("file", "文件(&F)"),
    ("edit", "编辑(&E)"),
    ("view", "视图(&V)"),
    ("data", "数据(&D)"),
    ("report", "报告(&R)"),
    ("help", "帮助(&H)"),
)
PROJECTS_VIEW = "projects"


class MainWindow(QMainWindow):
    """Navigation tree on the left; views (the project pane first) in the centre."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.prompts.parent = self
        self.tasks = TaskRunner(self, ctx.prompts)
        ctx.tasks = self.tasks
        self.setWindowTitle(self._title())
        self._menus: dict[str, QMenu] = {}
        self._views: dict[str, QWidget] = {}
        self._view_actions = QActionGroup(self)
        self._build_menus()
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)

        self.tree_model = TreeModel(parent=self)
        self.tree_view = QTreeView()
        self.tree_view.setModel(self.tree_model)
        self.tree_view.setUniformRowHeights(True)
        dock = QDockWidget("按重点任务", self)
        dock.setObjectName("navigation")
        dock.setWidget(self.tree_view)
        dock.setFeatures(QDockWidget.DockWidgetMovable)
        self.addDockWidget(Qt.LeftDockWidgetArea, dock)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.detail.setMargin(16)
        self.add_view(PROJECTS_VIEW, "项目清单", self.detail)
        self.tree_view.selectionModel().currentChanged.connect(self._show_node)
        self.reload()
        for install in features.installers():
            install(self)

    # ------------------------------------------------------------ extension points
    def menu(self, key: str) -> QMenu:
        """The QMenu for "file", "edit", "view", "data", "report" or "help"."""
        return self._menus[key]

    def add_view(self, key: str, title: str, widget: QWidget) -> QAction:
        """Add a page to the central area, with an entry in 视图 that shows it."""
        if key in self._views:
            raise ValueError(f"view {key!r} is already registered")
        self._views[key] = widget
        self.stack.addWidget(widget)
        action = QAction(title, self, checkable=True)
        action.setData(key)
        self._view_actions.addAction(action)
        number = len(self._views)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Alt+{number}"))
        action.triggered.connect(lambda: self.show_view(key))
        self.menu("view").addAction(action)
        if len(self._views) == 1:
            action.setChecked(True)
        return action

    def views(self) -> list[str]:
        return list(self._views)

    def current_view(self) -> str:
        widget = self.stack.currentWidget()
        return next((k for k, w in self._views.items() if w is widget), PROJECTS_VIEW)

    def show_view(self, key: str) -> None:
        """Bring a registered view to the front."""
        widget = self._views[key]
        self.stack.setCurrentWidget(widget)
        for action in self._view_actions.actions():
            action.setChecked(action.data() == key)

    def show_projects(self, project_filter: ProjectFilter, title: str = "") -> None:
        """Show the project table narrowed to a filter (e.g. a dashboard's 逾期 count)."""
        self.show_view(PROJECTS_VIEW)

    def open_project(self, project_id: int) -> None:
        """Show one project in the table and the editor."""
        self.show_view(PROJECTS_VIEW)

    def run_task(
        self,
        title: str,
        work: Callable[[Any], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Run `work(progress)` in a worker with a progress dialog; `on_done` on this thread."""
        return self.tasks.run(title, work, on_done, on_error)

    # -------------------------------------------------------------------- building
    def _build_menus(self) -> None:
        for key, title in MENUS:
            self._menus[key] = self.menuBar().addMenu(title)

    def _title(self) -> str:
        path = self.ctx.store.path
        suffix = "（只读）" if self.ctx.readonly else ""
        return f"ysdesk 项目清单工作台 — {path.name if path else '内存数据库'}{suffix}"

    def current_year(self) -> int:
        years = self.ctx.store.years()
        return years[-1] if years else self.ctx.today.year

    def reload(self) -> None:
        self.tree_model.set_root(task_tree(self.ctx.store, self.current_year(), self.ctx.today))
        self.tree_view.expandToDepth(0)
        self.tree_view.resizeColumnToContents(1)

    def _show_node(self, current, _previous) -> None:
        node = self.tree_model.node(current)
        if node.kind == "project" and node.project_id is not None:
            p = self.ctx.store.get_project(node.project_id)
            self.detail.setText(
                f"<h3>{p.name}</h3><p>重点任务 {p.task_no} · {node.status} · 完成时限 "
                f"{p.deadline_text or '—'}</p><p>牵头单位：{'、'.join(p.lead_units)}</p>"
                f"<p>配合单位：{'、'.join(p.co_units) or '—'}</p><p>年度目标：{p.goal}</p>"
                f"<p>进展情况：{p.progress}</p>"
            )
        else:
            self.detail.setText(f"<h3>{node.label}</h3><p>{node.summary}</p>")

    def closeEvent(self, event: Any) -> None:
        self.tasks.wait_all()
        super().closeEvent(event)
