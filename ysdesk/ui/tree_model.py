"""A thin QAbstractItemModel over services.trees.TreeNode, with lazy leaves and drops."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from ysdesk.services.project_index import ProjectIndex
from ysdesk.services.trees import TreeNode
from ysdesk.ui.style import OVERDUE_LABEL, status_brush

Index = QModelIndex | QPersistentModelIndex

# Roles as plain ints: views ask data() for every role of every visible cell on each paint.
_DISPLAY = int(Qt.DisplayRole)
_TOOLTIP = int(Qt.ToolTipRole)
_FOREGROUND = int(Qt.ForegroundRole)
_FONT = int(Qt.FontRole)
_BOLD_KINDS = frozenset({"all", "area", "zone", "unit"})
_SELECTABLE = Qt.ItemIsEnabled | Qt.ItemIsSelectable

# Drags of projects (from the tree or the table) carry their ids as JSON.
PROJECT_MIME = "application/x-ysdesk-project-ids"


def project_mime(ids: Sequence[int]) -> QMimeData:
    data = QMimeData()
    data.setData(PROJECT_MIME, json.dumps(list(ids)).encode())
    return data


def ids_from_mime(data: QMimeData) -> list[int]:
    if not data.hasFormat(PROJECT_MIME):
        return []
    try:
        ids = json.loads(bytes(data.data(PROJECT_MIME).data()).decode())
    except (ValueError, UnicodeDecodeError):
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


class TreeModel(QAbstractItemModel):
    """Two columns: the node's label and its roll-up (项目数 · 完成 · 逾期) or status."""

    HEADERS = ("名称", "项目统计")
    # Emitted (queued by the view's owner) when projects are dropped on a task.
    move_requested = Signal(list, int)

    def __init__(self, parent: Any = None, *, accepts_drops: bool = False) -> None:
        super().__init__(parent)
        self._root = TreeNode(kind="root", label="")
        self._index: ProjectIndex | None = None
        self._accepts_drops = accepts_drops
        self._bold = QFont()
        self._bold.setBold(True)

    def set_root(self, root: TreeNode, index: ProjectIndex) -> None:
        self.beginResetModel()
        self._root = root
        self._index = index
        self.endResetModel()

    def root(self) -> TreeNode:
        return self._root

    def node(self, index: Index) -> TreeNode:
        if index.isValid():
            return index.internalPointer()
        return self._root

    def index_of(self, node: TreeNode) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)

    def nodes_changed(self, nodes: Sequence[TreeNode]) -> None:
        """Tell views that some nodes' labels or counts changed in place."""
        last = self.columnCount() - 1
        for node in nodes:
            if node is self._root or node.parent is None:
                continue
            row = node.row()
            self.dataChanged.emit(
                self.createIndex(row, 0, node),
                self.createIndex(row, last, node),
                [Qt.DisplayRole, Qt.ToolTipRole, Qt.ForegroundRole],
            )

    # ------------------------------------------------------------- structure
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self.node(parent).children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node: TreeNode = index.internalPointer()
        parent = node.parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row(), 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(self.HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        return self.node(parent).has_children

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        return bool(self.node(parent).pending) and self._index is not None

    def fetchMore(self, parent: Index) -> None:
        node = self.node(parent)
        if not node.pending or self._index is None:
            return
        count = sum(1 for pid, _ in node.pending if pid in self._index)
        if count == 0:
            node.pending = []
            return
        start = len(node.children)
        self.beginInsertRows(parent, start, start + count - 1)
        node.load_leaves(self._index)
        self.endInsertRows()

    # ------------------------------------------------------------------ data
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Horizontal
            and role == Qt.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: TreeNode = index.internalPointer()
        role = int(role)
        if role == _DISPLAY:
            return node.label if index.column() == 0 else node.summary
        if role == _TOOLTIP:
            return f"{node.label}\n{node.summary}"
        if role == _FOREGROUND and index.column() == 1:
            if node.kind == "project":
                return status_brush(node.status)
            if node.overdue:
                return status_brush(OVERDUE_LABEL)
            return None
        if role == _FONT and index.column() == 0 and node.kind in _BOLD_KINDS:
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemIsDropEnabled if self._accepts_drops else Qt.NoItemFlags
        node: TreeNode = index.internalPointer()
        if node.kind == "loading":
            return Qt.ItemIsEnabled
        flags = _SELECTABLE
        if node.kind == "project":
            flags |= Qt.ItemIsDragEnabled
        if self._accepts_drops and self._drop_task(node) is not None:
            flags |= Qt.ItemIsDropEnabled
        return flags

    # ----------------------------------------------------------- drag & drop
    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.MoveAction if self._accepts_drops else Qt.IgnoreAction

    def mimeTypes(self) -> list[str]:
        return [PROJECT_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids: list[int] = []
        for index in indexes:
            node = self.node(index)
            pid = node.project_id
            if node.kind == "project" and pid is not None and pid not in ids:
                ids.append(pid)
        return project_mime(ids)

    @staticmethod
    def _drop_task(node: TreeNode) -> int | None:
        """The task a drop on this node moves projects to (a task, or a project's task)."""
        if node.kind == "task" and isinstance(node.key, int):
            return node.key
        if node.kind == "project" and node.parent is not None and node.parent.kind == "task":
            key = node.parent.key
            return key if isinstance(key, int) else None
        return None

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self._accepts_drops or not ids_from_mime(data):
            return False
        return parent.isValid() and self._drop_task(self.node(parent)) is not None

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        task_no = self._drop_task(self.node(parent))
        ids = ids_from_mime(data)
        if task_no is None or not ids:
            return False
        # Moving rewrites the tree: the receiver acts after the view has finished the drop.
        self.move_requested.emit(ids, task_no)
        # False: the view must not remove the dragged rows itself.
        return False
