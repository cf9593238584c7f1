"""The project table: the projects of the selected node narrowed by the toolbar's filters."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.model import ProjectFilter
from ysdesk.services.changes import Changes
from ysdesk.services.project_index import LABELS, LINKS, SEARCH, SORT
from ysdesk.ui.project_data import ProjectData
from ysdesk.ui.table_model import COLUMNS, ProjectTableModel

BUSY_COLOR = QColor("#1f5fbf")
# How narrow (in characters) a column may become when the table lacks room for all of them.
SHRINK_TO = {"name": 9, "task": 5, "zones": 5, "lead": 4.5, "co": 5, "deadline": 6, "progress": 5}

# What the caption says is being read while the table waits for the worker.
LOADING_WHAT = ((SEARCH, "检索数据"), (LINKS, "功能区和单位"), (LABELS, "名称"), (SORT, "排序数据"))


class Caption(QWidget):
    """One bold line over the table (node · counts), elided to the width it is given.

    Not a QLabel: a label asks its parents to lay out again whenever its text changes, and
    the main window then repainted everything on each node switch and keystroke.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._busy = False
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.setFixedHeight(self.fontMetrics().height() + 8)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str, busy: bool = False) -> None:  # as QLabel's, which it replaces
        """Show a line; `busy` draws it in blue: the rows below are about to change."""
        if text != self._text or busy != self._busy:
            self._text = text
            self._busy = busy
            self.setToolTip(text)
            self.update()

    def busy(self) -> bool:
        return self._busy

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._busy:
            painter.setPen(BUSY_COLOR)
        rect = self.rect().adjusted(4, 0, -4, 0)
        text = self.fontMetrics().elidedText(self._text, Qt.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignVCenter | Qt.AlignLeft, text)


class ProjectTable(QWidget):
    """A caption (node · counts) over a sortable, lazily filled table."""

    current_project_changed = Signal(object)  # int | None
    rows_changed = Signal()

    def __init__(self, data: ProjectData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self._scope = ProjectFilter()
        self._scope_title = ""
        self._filters = ProjectFilter()
        self.waiting = False  # rows are the last ones shown; the worker reads what they need
        # Fixed sizes: a new caption or a longer row number must not relayout (and repaint)
        # the table on every keystroke.
        self.caption = Caption()
        self.model = ProjectTableModel(data, self)
        self.view = QTableView()
        self.view.setObjectName("projects")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        # A scroll bar that comes and goes with the row count would resize the viewport, and
        # with it relayout and repaint the whole table, on many keystrokes.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        # Plan order until the user clicks a header (Qt would otherwise sort column 0 at once).
        self.view.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.ElideRight)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragOnly)
        self.view.setContextMenuPolicy(Qt.ActionsContextMenu)
        # Sorting starts in plan order; the indicator appears once a header is clicked.
        self.view.horizontalHeader().setSortIndicatorShown(False)
        self.view.horizontalHeader().sortIndicatorChanged.connect(
            lambda *_: self.view.horizontalHeader().setSortIndicatorShown(True)
        )
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.view.verticalHeader().setFixedWidth(self.fontMetrics().horizontalAdvance("0000000"))
        self._set_widths()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.view)
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.model.sort_deferred.connect(self.refresh)
        data.changed.connect(self._on_changed)
        data.loaded.connect(self._loaded)

    def _set_widths(self) -> None:
        header = self.view.horizontalHeader()
        em = self.fontMetrics().horizontalAdvance("中")
        self._preferred: list[int] = []
        self._narrowest: list[int] = []
        for key, _title, chars in COLUMNS:
            width = round(chars * em)
            if key == "code":  # codes are Latin digits: measure one
                width = self.fontMetrics().horizontalAdvance("2025-01-001")
            self._preferred.append(width + 14)
            least = round(SHRINK_TO.get(key, chars) * em) + 14
            self._narrowest.append(min(least, width + 14))
        for column, width in enumerate(self._preferred):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(3 * em)
        self._fitting = False
        self._user_sized = False
        header.sectionResized.connect(self._section_resized)

    def _fit_columns(self) -> None:
        """Give every column room when the table is narrower than their usual widths.

        On a laptop screen the usual widths leave 状态 and 进展情况 off to the right; the
        long text columns (name, task, units, progress) give up width in proportion to what
        they can spare, down to a few characters each. A width the user set is kept.
        """
        if self._user_sized:
            return
        available = self.view.viewport().width()
        if available <= 0:
            return
        widths = list(self._preferred)
        deficit = sum(widths) - available
        if deficit > 0:
            spare = [w - n for w, n in zip(widths, self._narrowest, strict=True)]
            total = sum(spare)
            if total > 0:
                share = min(1.0, deficit / total)
                widths = [w - int(s * share + 0.999) for w, s in zip(widths, spare, strict=True)]
        header = self.view.horizontalHeader()
        if [header.sectionSize(c) for c in range(len(widths) - 1)] == widths[:-1]:
            return
        self._fitting = True
        try:
            # The stretched last column never shrinks below the width it had when the
            # stretch began: size it too, then let it stretch again from there.
            header.setStretchLastSection(False)
            for column, width in enumerate(widths):
                header.resizeSection(column, width)
            header.setStretchLastSection(True)
        finally:
            self._fitting = False

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        last = len(COLUMNS) - 1
        if not self._fitting and column != last and self.view.isVisible():
            self._user_sized = True  # dragged by the user: theirs from now on

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_columns()

    # ---------------------------------------------------------------- scope
    def set_scope(self, project_filter: ProjectFilter, title: str) -> None:
        """Show the projects of a tree node (or of a filter a feature asks for)."""
        # The year is the index's; a node keeps its meaning when another year is shown.
        self._scope = dataclasses.replace(project_filter, year=None)
        self._scope_title = title
        self.refresh()

    def set_filters(self, filters: ProjectFilter) -> None:
        self._filters = filters
        self.refresh()

    def refresh(self) -> None:
        """Recompute the rows from the index, keeping the current project when it stays.

        When the filters or the sort need columns a worker is still reading, the rows stay
        as they were and the caption says, in blue, what is loading; `loaded` brings the
        answer. (Greying the rows repainted the whole table on the first keystroke: 70-190
        ms while the worker ran.)
        """
        sort = self.model.sort_key()
        needed = self.data.index.missing(
            self._scope, self._filters, sort_key=sort[0] if sort else None
        )
        if needed and not self.data.ready(needed):
            self._wait(needed)
            return
        self.waiting = False
        current = self.current_project_id()
        selected = self.selected_ids()
        index = self.data.index
        filtering = self._filters != ProjectFilter()
        scope_ids = index.select(self._scope)
        ids = index.select(self._scope, self._filters) if filtering else scope_ids
        if self.model.set_ids(ids):
            # Lay the rows out now rather than on Qt's delayed-layout timer, which would
            # paint the table a second time right after the first (measured ≈ 25 ms each).
            self.view.doItemsLayout()
        self._restore_selection(current, selected)
        text = f"{self._scope_title}　共 {len(scope_ids)} 项"
        if filtering:
            text += f"，筛选后 {len(ids)} 项"
        self.caption.setText(text)
        self.rows_changed.emit()

    def _wait(self, needed: set[str]) -> None:
        self.waiting = True
        what = "、".join(text for group, text in LOADING_WHAT if group in needed)
        self.caption.setText(f"{self._scope_title}　正在载入{what}，完成后自动显示…", busy=True)
        self.rows_changed.emit()

    def _loaded(self) -> None:
        if self.waiting:
            self.refresh()

    def _restore_selection(self, current: int | None, selected: list[int]) -> None:
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        try:
            selection.clear()
            for pid in selected:
                row = self.model.row_of(pid)
                if row >= 0:
                    selection.select(
                        self.model.index(row, 0),
                        QItemSelectionModel.Select | QItemSelectionModel.Rows,
                    )
            row = self.model.row_of(current) if current is not None else -1
            if row >= 0:
                selection.setCurrentIndex(self.model.index(row, 0), QItemSelectionModel.NoUpdate)
        finally:
            selection.blockSignals(False)
        if current is not None and row < 0:
            self.current_project_changed.emit(None)

    # ------------------------------------------------------------- selection
    def current_project_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.project_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        ids = [self.model.project_id(r) for r in rows]
        return [i for i in ids if i is not None]

    def select_project(self, project_id: int) -> bool:
        """Make a project the current row (True if it is in the table)."""
        row = self.model.row_of(project_id)
        if row < 0:
            return False
        index = self.model.index(row, 1)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
        )
        self.view.scrollTo(index)
        return True

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        pid = self.model.project_id(current.row()) if current.isValid() else None
        self.current_project_changed.emit(pid)

    # --------------------------------------------------------------- changes
    def _on_changed(self, change: Changes) -> None:
        if change.plan or change.everything:
            self.model.refresh_plan()
        if change.everything:
            self.model.clear_cache()
        else:
            self.model.mark_stale(change.projects)
        # Edits may move a project in or out of the filters: recompute the rows (cheap, in
        # memory); when the same rows remain, only the changed ones repaint.
        self.refresh()
