"""The navigation dock: three trees over the same projects (by task, by zone, by unit)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStackedWidget,
    QTabBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.model import ProjectFilter
from ysdesk.services.changes import Changes
from ysdesk.services.project_index import LINKS
from ysdesk.services.trees import (
    TREE_KINDS,
    TREE_TITLES,
    TreeNode,
    build_tree,
    loading_tree,
    refresh_counts,
)
from ysdesk.ui.project_data import ProjectData
from ysdesk.ui.tree_model import TreeModel

# The 视图 menu's entries, with mnemonics free beside the menu's other entries
# (Key tasks, Zones, Units).
TREE_MENU_TEXTS = {"task": "按重点任务(&K)", "zone": "按功能区(&Z)", "unit": "按责任单位(&U)"}


class NavigationPanel(QWidget):
    """A tab bar choosing the tree and one QTreeView per tree (each keeps its expansion)."""

    scope_selected = Signal(object, str)  # ProjectFilter, title
    project_selected = Signal(int)
    move_requested = Signal(list, int)  # project ids, target task

    def __init__(self, data: ProjectData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.tabs = QTabBar()
        self.tabs.setExpanding(True)
        self.tabs.setFocusPolicy(Qt.TabFocus)
        self.stack = QStackedWidget()
        self.models: dict[str, TreeModel] = {}
        self.views: dict[str, QTreeView] = {}
        self._stale: set[str] = set(TREE_KINDS)
        # Trees showing "正在载入…" until the worker has read the links they are built from.
        self._waiting: set[str] = set()
        self.kind_actions = QActionGroup(self)
        for number, kind in enumerate(TREE_KINDS, start=1):
            self.tabs.addTab(TREE_TITLES[kind])
            model = TreeModel(self, accepts_drops=kind == "task")
            # Queued: the move rewrites the tree, which must not happen inside the drop.
            model.move_requested.connect(self.move_requested, Qt.QueuedConnection)
            view = self._make_view(model, kind)
            self.models[kind] = model
            self.views[kind] = view
            self.stack.addWidget(view)
            action = QAction(TREE_MENU_TEXTS[kind], self, checkable=True)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setData(kind)
            action.triggered.connect(lambda _=False, k=kind: self.set_kind(k))
            self.kind_actions.addAction(action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.tabs)
        layout.addWidget(self.stack)
        self.tabs.currentChanged.connect(lambda i: self.set_kind(TREE_KINDS[i]))
        data.changed.connect(self._on_changed)
        data.loaded.connect(self._loaded)
        self.set_kind("task")

    def _make_view(self, model: TreeModel, kind: str) -> QTreeView:
        view = QTreeView()
        view.setObjectName(f"tree_{kind}")
        view.setModel(model)
        view.setUniformRowHeights(True)
        view.setAlternatingRowColors(True)
        # A scroll bar appearing as a node opens would resize the viewport and paint the
        # tree twice.
        view.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        view.setSelectionMode(QAbstractItemView.SingleSelection)
        view.setDragEnabled(True)
        if kind == "task":
            view.setAcceptDrops(True)
            view.setDropIndicatorShown(True)
            view.setDragDropMode(QAbstractItemView.DragDrop)
            view.setDefaultDropAction(Qt.MoveAction)
        else:
            view.setDragDropMode(QAbstractItemView.DragOnly)
        header = view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        # Sized once per rebuild: ResizeToContents would re-measure every row on each change.
        header.setSectionResizeMode(1, QHeaderView.Interactive)
        view.selectionModel().currentChanged.connect(
            lambda current, _previous, k=kind: self._current_changed(k, current)
        )
        return view

    # ------------------------------------------------------------------- kinds
    def kind(self) -> str:
        return TREE_KINDS[self.stack.currentIndex()]

    def set_kind(self, kind: str) -> None:
        """Show the tree of a kind, building it if it is stale."""
        index = TREE_KINDS.index(kind)
        if kind in self._stale:
            self._rebuild(kind)
        self.stack.setCurrentIndex(index)
        if self.tabs.currentIndex() != index:
            self.tabs.setCurrentIndex(index)
        for action in self.kind_actions.actions():
            action.setChecked(action.data() == kind)
        self._emit_scope(kind)

    def view(self) -> QTreeView:
        return self.views[self.kind()]

    def model(self) -> TreeModel:
        return self.models[self.kind()]

    # --------------------------------------------------------------- selection
    def current_node(self) -> TreeNode | None:
        index = self.view().currentIndex()
        return self.model().node(index) if index.isValid() else None

    def scope(self) -> tuple[ProjectFilter, str]:
        """The filter and title of the selected node (all projects of the year by default)."""
        node = self.current_node()
        if node is not None and node.kind == "project" and node.parent is not None:
            node = node.parent
        if node is None or node.project_filter is None:
            return ProjectFilter(year=self.data.year), f"全部项目（{self.data.year} 年）"
        return node.project_filter, node.label

    def _current_changed(self, kind: str, current: QModelIndex) -> None:
        if kind != self.kind():
            return
        node = self.models[kind].node(current) if current.isValid() else None
        self._emit_scope(kind)
        if node is not None and node.kind == "project" and node.project_id is not None:
            self.project_selected.emit(node.project_id)

    def _emit_scope(self, kind: str) -> None:
        if kind == self.kind():
            project_filter, title = self.scope()
            self.scope_selected.emit(project_filter, title)

    def select_path(self, path: tuple[tuple[str, object], ...]) -> bool:
        """Select the node at a path in the current tree, opening nodes on the way."""
        node = self._open(self.kind(), path)
        if node is None:
            return False
        index = self.model().index_of(node)
        if not index.isValid():
            return False
        view = self.view()
        view.setCurrentIndex(index)
        view.scrollTo(index)
        return True

    def select_project(self, project_id: int) -> bool:
        """Select a project's leaf in the task tree's current view, if it is there."""
        index = self.data.index
        if project_id not in index or self.kind() != "task":
            return False
        path = (
            ("area", index.area_no(project_id)),
            ("task", index.task_no(project_id)),
            ("project", project_id),
        )
        return self.select_path(path)

    def select_all(self) -> None:
        """Select the 全部项目 node."""
        self.select_path((("all", None),))

    # ----------------------------------------------------------------- refresh
    def _rebuild(self, kind: str) -> None:
        model = self.models[kind]
        view = self.views[kind]
        if kind != "task" and not self.data.ready({LINKS}):
            # Zones and units come from links a worker is still reading: never wait for them.
            if kind not in self._waiting:
                model.set_root(loading_tree(self.data.year), self.data.index)
                self._waiting.add(kind)
            return
        self._waiting.discard(kind)
        expanded, current = self._state(kind)
        first_build = model.root().kind == "root" and not model.root().children
        root = build_tree(kind, self.data.ctx.store, self.data.index)
        view.blockSignals(True)
        view.selectionModel().blockSignals(True)
        model.set_root(root, self.data.index)
        if first_build:
            for node in root.children:
                if node.kind in ("area",):
                    view.expand(model.index_of(node))
        else:
            for path in expanded:
                node = self._open(kind, path)
                if node is not None:
                    view.expand(model.index_of(node))
        if current:
            node = self._open(kind, current)
            if node is not None:
                view.setCurrentIndex(model.index_of(node))
        view.selectionModel().blockSignals(False)
        view.blockSignals(False)
        view.resizeColumnToContents(1)
        self._stale.discard(kind)

    def _open(self, kind: str, path: tuple[tuple[str, object], ...]) -> TreeNode | None:
        model = self.models[kind]
        node: TreeNode = model.root()
        for step in path:
            if node.pending:
                model.fetchMore(model.index_of(node))
            found = next((c for c in node.children if (c.kind, c.key) == step), None)
            if found is None:
                return None
            node = found
        return node

    def _state(self, kind: str) -> tuple[list[tuple], tuple]:
        model = self.models[kind]
        view = self.views[kind]
        expanded = []
        for node in model.root().walk():
            if node.kind in ("root", "project") or not node.children:
                continue
            if view.isExpanded(model.index_of(node)):
                expanded.append(node.path)
        current = view.currentIndex()
        return expanded, (model.node(current).path if current.isValid() else ())

    def _loaded(self) -> None:
        if self.kind() in self._waiting:
            self._rebuild(self.kind())

    def _on_changed(self, change: Changes) -> None:
        if change.everything or change.structure:
            self._stale = set(TREE_KINDS)
            self._rebuild(self.kind())
            return
        if change.projects:
            for kind in TREE_KINDS:
                if kind in self._stale:
                    continue
                model = self.models[kind]
                nodes = refresh_counts(model.root(), self.data.index, change.projects)
                model.nodes_changed(nodes)
