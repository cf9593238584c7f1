"""The project table's model: it holds ids only and fetches rows in pages into a cache.

A change to some projects marks their rows stale (dropped from the cache, dataChanged); only a
new set of rows (another node, another filter) resets the model.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from ysdesk.domain.deadline import deadline_display
from ysdesk.domain.errors import DatabaseDamagedError, UserError
from ysdesk.domain.model import Project, format_list
from ysdesk.ui.project_data import ProjectData
from ysdesk.ui.style import status_brush
from ysdesk.ui.tree_model import PROJECT_MIME, project_mime

Index = QModelIndex | QPersistentModelIndex

# (key, header, width in Chinese characters of the UI font): typical values fit, longer ones
# are elided with the full text in the tooltip. The last column takes the remaining width.
COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("code", "编号", 5),
    ("name", "项目名称", 15),
    ("task", "重点任务", 8),
    ("zones", "功能区", 7.5),
    ("lead", "牵头单位", 6),
    ("co", "配合单位", 9),
    ("deadline", "完成时限", 7.5),
    ("status", "状态", 3),
    ("progress", "进展情况", 8),
)
COLUMN_KEYS = tuple(key for key, _, _ in COLUMNS)
PAGE = 100
ID_ROLE = Qt.UserRole + 1
# Built once: combining flag enums costs microseconds each, and views ask for every cell.
_ROW_FLAGS = Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled
_DISPLAY = int(Qt.DisplayRole)
_TOOLTIP = int(Qt.ToolTipRole)
_FOREGROUND = int(Qt.ForegroundRole)
_FONT = int(Qt.FontRole)
_ALIGN = int(Qt.TextAlignmentRole)
_ID = int(ID_ROLE)
_CELL_ROLES = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, _FONT})
_CENTER = int(Qt.AlignCenter)


def _tooltip(text: str) -> str:
    """Rich text, so Qt wraps long Chinese text instead of drawing one endless line."""
    return f"<p>{html.escape(text).replace(chr(10), '<br>')}</p>" if text else ""


class ProjectTableModel(QAbstractTableModel):
    """Rows are project ids; cells come from a page cache of Project objects."""

    # A sort was asked for whose column a worker is still reading: the table waits for it.
    sort_deferred = Signal()
    # A page could not be read: the sentence for the user, and whether the file is damaged
    # (else busy, or on a drive that went away). Its rows show （无法读取） and are not asked
    # for again until the cache is cleared (any change to the data clears it).
    read_failed = Signal(str, bool)

    def __init__(self, data: ProjectData, parent: Any = None) -> None:
        super().__init__(parent)
        self.data_source = data
        self._ids: list[int] = []
        self._rows: dict[int, int] | None = None
        self._cache: dict[int, Project] = {}
        self._unreadable: set[int] = set()
        self._sort: tuple[str, bool] | None = None
        self._tasks: dict[int, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self.fetches = (
            0  # number of page queries (tests check that rows are not fetched one by one)
        )
        self.refresh_plan()

    def refresh_plan(self) -> None:
        self._tasks = {t.no: t.label for t in self.data_source.ctx.store.tasks()}

    # ------------------------------------------------------------------ rows
    def ids(self) -> list[int]:
        return list(self._ids)

    def set_ids(self, ids: Sequence[int]) -> bool:
        """Show another set of projects (kept in the current sort order); True if it changed."""
        ids = list(ids)
        if self._sort is not None:
            key, descending = self._sort
            ids = self.data_source.index.sorted_ids(ids, key, descending)
        if ids == self._ids:
            return False
        self.beginResetModel()
        self._ids = ids
        self._rows = None
        self.endResetModel()
        return True

    def row_of(self, project_id: int) -> int:
        if self._rows is None:
            self._rows = {pid: row for row, pid in enumerate(self._ids)}
        return self._rows.get(project_id, -1)

    def project_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def project(self, row: int) -> Project | None:
        """The project of a row, fetching its page if needed (None if it no longer exists)."""
        pid = self.project_id(row)
        if pid is None:
            return None
        if pid not in self._cache and pid not in self._unreadable:
            self._fetch_page(row)
        return self._cache.get(pid)

    def _fetch_page(self, row: int) -> None:
        start = row - row % PAGE
        wanted = [
            pid
            for pid in self._ids[start : start + PAGE]
            if pid not in self._cache and pid not in self._unreadable
        ]
        if not wanted:
            return
        self.fetches += 1
        try:
            page = self.data_source.ctx.store.get_projects(wanted)
        except UserError as exc:
            # Painting asks for every visible cell: one sentence, not one error per cell.
            self._unreadable.update(wanted)
            self.read_failed.emit(exc.message, isinstance(exc, DatabaseDamagedError))
            return
        self._cache.update(page)
        # Keep memory bounded on huge lists: an old page is cheap to fetch again.
        if len(self._cache) > 20 * PAGE:
            keep = set(wanted)
            for pid in list(self._cache):
                if pid not in keep:
                    del self._cache[pid]
                if len(self._cache) <= 10 * PAGE:
                    break

    def mark_stale(self, ids: Sequence[int] | set[int] | frozenset[int]) -> None:
        """Some projects changed: drop them from the cache and repaint their rows."""
        last = self.columnCount() - 1
        for pid in ids:
            self._cache.pop(pid, None)
            row = self.row_of(pid)
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def clear_cache(self) -> None:
        self._cache.clear()
        self._unreadable.clear()
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, self.columnCount() - 1)
            )

    # ------------------------------------------------------------------ model
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole
    ) -> Any:
        if int(role) != _DISPLAY:
            return None
        if orientation == Qt.Horizontal:
            return COLUMNS[section][1] if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._ids):
            return None
        role = int(role)
        if role == _ID:
            return self._ids[row]
        key = COLUMN_KEYS[index.column()]
        if role not in _CELL_ROLES:
            return _CENTER if role == _ALIGN and key == "status" else None
        project = self.project(row)
        if project is None:
            if role != _DISPLAY or key != "name":
                return None
            return "（无法读取）" if self._ids[row] in self._unreadable else "（已删除）"
        if role == _DISPLAY:
            return self._display(project, key)
        if role == _TOOLTIP:
            return self._tooltip(project, key)
        if key == "status":
            word = self._status_word(project)
            if role == _FOREGROUND:
                return status_brush(word)
            if role == _FONT and word in ("滞后", "逾期"):
                return self._bold
        return None

    def _status_word(self, project: Project) -> str:
        return project.display_status(self.data_source.ctx.today)

    def _display(self, project: Project, key: str) -> str:
        if key == "code":
            return project.code
        if key == "name":
            return project.name
        if key == "task":
            return self._tasks.get(project.task_no, str(project.task_no))
        if key == "zones":
            return format_list(project.zones)
        if key == "lead":
            return format_list(project.lead_units)
        if key == "co":
            return format_list(project.co_units)
        if key == "deadline":
            return project.deadline_text or "—"
        if key == "status":
            return self._status_word(project)
        if key == "progress":
            return " ".join(project.progress.split())
        return ""

    def _tooltip(self, project: Project, key: str) -> str:
        if key == "deadline":
            text = project.deadline_text or "（未填写）"
            return _tooltip(f"{text}\n→ {deadline_display(project.deadline)}")
        if key == "status":
            word = self._status_word(project)
            if word != project.status.value:
                return _tooltip(f"{word}（填报状态：{project.status.value}）")
            return _tooltip(word)
        if key == "name":
            return _tooltip(f"{project.name}\n{project.goal}".strip())
        return _tooltip(self._display(project, key))

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.NoItemFlags

    # ----------------------------------------------------------------- sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            self._sort = None
            return
        key = COLUMN_KEYS[column]
        descending = order == Qt.DescendingOrder
        self._sort = (key, descending)
        index = self.data_source.index
        needed = index.missing(sort_key=key)
        if needed and not self.data_source.ready(needed):
            self.sort_deferred.emit()
            return
        new_ids = index.sorted_ids(self._ids, key, descending)
        if new_ids == self._ids:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] for i in old]
        self._ids = new_ids
        self._rows = None
        self.changePersistentIndexList(
            old,
            [self.index(self.row_of(pid), i.column()) for pid, i in zip(old_ids, old, strict=True)],
        )
        self.layoutChanged.emit()

    def sort_key(self) -> tuple[str, bool] | None:
        return self._sort

    # ------------------------------------------------------------ drag & drop
    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.MoveAction

    def mimeTypes(self) -> list[str]:
        return [PROJECT_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids: list[int] = []
        for index in indexes:
            pid = self.project_id(index.row())
            if pid is not None and pid not in ids:
                ids.append(pid)
        return project_mime(ids)
