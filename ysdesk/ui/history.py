"""Table models for a project's progress history and its audit log (修改记录)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ysdesk.domain.model import FIELD_LABELS, AuditEntry, ProgressEntry

Index = QModelIndex | QPersistentModelIndex


def _tip(text: str) -> str:
    return f"<p>{html.escape(text).replace(chr(10), '<br>')}</p>" if text else ""


class _RowsModel(QAbstractTableModel):
    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: Sequence[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole
    ) -> Any:
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.DisplayRole:
            return " ".join(value.split())
        if role == Qt.ToolTipRole:
            return _tip(value)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable


class ProgressModel(_RowsModel):
    """Dated 进展情况 entries, newest first."""

    HEADERS = ("日期", "进展情况", "来源")

    def set_entries(self, entries: Sequence[ProgressEntry]) -> None:
        ordered = sorted(entries, key=lambda e: (e.date, e.id or 0), reverse=True)
        self.set_rows([(e.date, e.text, e.origin or "手工") for e in ordered])


def audit_change_text(entry: AuditEntry) -> str:
    """ "old → new" as a user reads it."""
    if entry.field == "created":
        return f"新增：{entry.new}"
    if entry.field == "deleted":
        return f"删除：{entry.old}"
    return f"{entry.old or '（空）'} → {entry.new or '（空）'}"


class AuditModel(_RowsModel):
    """The audit log of one project: time, field, old → new, origin (手工 or a file name)."""

    HEADERS = ("时间", "字段", "修改内容", "来源")

    def set_entries(self, entries: Sequence[AuditEntry]) -> None:
        self.set_rows(
            [
                (
                    e.at,
                    FIELD_LABELS.get(e.field, e.field),
                    audit_change_text(e),
                    e.origin,
                )
                for e in entries
            ]
        )
