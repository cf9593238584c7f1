"""A thin QAbstractItemModel over services.trees.TreeNode."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from ysdesk.services.trees import TreeNode

Index = QModelIndex | QPersistentModelIndex


class TreeModel(QAbstractItemModel):
    """Two columns: the node's label and its roll-up (项目数 · 完成 · 逾期)."""

    HEADERS = ("名称", "统计")

    def __init__(self, root: TreeNode | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = root or TreeNode(kind="root", label="")

    def set_root(self, root: TreeNode) -> None:
        self.beginResetModel()
        self._root = root
        self.endResetModel()

    def root(self) -> TreeNode:
        return self._root

    def node(self, index: Index) -> TreeNode:
        if index.isValid():
            return index.internalPointer()
        return self._root

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
        if role == Qt.DisplayRole:
            if index.column() == 0:
                return node.label
            if node.kind == "project":
                return f"{node.role} {node.status}".strip()
            return node.summary
        if role == Qt.ToolTipRole:
            return f"{node.label}\n{node.summary}" if node.kind != "project" else node.label
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable
