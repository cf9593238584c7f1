"""The main window: composes the docks and wires signals, nothing more."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QTreeView

from ysdesk.services.trees import task_tree
from ysdesk.ui.context import AppContext
from ysdesk.ui.tree_model import TreeModel


class MainWindow(QMainWindow):
    """Navigation tree on the left; the project pane in the centre."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(self._title())
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
        self.setCentralWidget(self.detail)
        self.tree_view.selectionModel().currentChanged.connect(self._show_node)
        self.reload()

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
