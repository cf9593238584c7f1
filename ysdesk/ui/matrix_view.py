"""The responsibility matrix view: units × tasks under a two-row header (area over task numbers).

Each cell shows ● lead and ○ cooperating counts, shaded by load; clicking a cell lists its
projects in the project table. The checks (tasks without a lead, with several leads, units
without a role) sit beside the table.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyle,
    QStyleOptionHeader,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import ProjectFilter, Role
from ysdesk.services.matrix import CountBy, Matrix, build_matrix
from ysdesk.ui.context import AppContext
from ysdesk.ui.report_common import Navigator, RefreshingView, YearBox, default_year

Index = QModelIndex | QPersistentModelIndex

# headerData role for the group a column belongs to (the area above the task numbers).
GROUP_ROLE = Qt.UserRole + 1
# data role: (unit or None, task_no or None, Role or None) that a click on the cell lists.
FILTER_ROLE = Qt.UserRole + 2

LEAD_COLUMN_TITLE = "牵头"
CO_COLUMN_TITLE = "配合"
TOTAL_LABEL = "合计"
LEAD_COLUMN, CO_COLUMN, TASKS_FROM = 0, 1, 2
_SHADE = QColor("#1f5fbf")


def cell_text(lead: int, co: int) -> str:
    """ "●2○1", "●1", "○3" or "" for a cell."""
    return (f"●{lead}" if lead else "") + (f"○{co}" if co else "")


class MatrixModel(QAbstractTableModel):
    """Rows: the matrix's units then a 合计 row; columns: 牵头 and 配合 totals, then the tasks.

    The totals come first so that they stay beside the unit names however far the 23 task
    columns scroll.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._matrix: Matrix | None = None

    def set_matrix(self, matrix: Matrix) -> None:
        self.beginResetModel()
        self._matrix = matrix
        self.endResetModel()

    def matrix(self) -> Matrix | None:
        return self._matrix

    # ------------------------------------------------------------------ shape
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() or self._matrix is None:
            return 0
        return len(self._matrix.rows) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() or self._matrix is None:
            return 0
        return len(self._matrix.tasks) + 2

    def task_no(self, column: int) -> int | None:
        """The task number of a column, None for the total columns."""
        assert self._matrix is not None
        tasks = self._matrix.tasks
        position = column - TASKS_FROM
        return tasks[position].no if 0 <= position < len(tasks) else None

    def column_of_task(self, task_no: int) -> int:
        assert self._matrix is not None
        return TASKS_FROM + [t.no for t in self._matrix.tasks].index(task_no)

    def is_total_row(self, row: int) -> bool:
        return self._matrix is not None and row == len(self._matrix.rows)

    # ------------------------------------------------------------------ data
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        m = self._matrix
        if m is None:
            return None
        if orientation == Qt.Vertical:
            if not 0 <= section <= len(m.rows):
                return None
            if role == Qt.DisplayRole:
                return TOTAL_LABEL if section == len(m.rows) else m.rows[section].unit
            if role == Qt.ToolTipRole and section < len(m.rows):
                row = m.rows[section]
                kind = row.kind or "单位"
                return f"{row.unit}（{kind}）：牵头 {row.lead_total}，配合 {row.co_total}"
            return None
        if not 0 <= section < len(m.tasks) + 2:
            return None
        task_no = self.task_no(section)
        if role == Qt.DisplayRole:
            if task_no is None:
                return LEAD_COLUMN_TITLE if section == LEAD_COLUMN else CO_COLUMN_TITLE
            return str(task_no)
        if role == GROUP_ROLE:
            if task_no is None:
                return TOTAL_LABEL
            area_no = m.task(task_no).area_no
            return next((a.label for a in m.areas if a.no == area_no), "")
        if role == Qt.ToolTipRole and task_no is not None:
            return m.task(task_no).label
        return None

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        m = self._matrix
        if m is None or not index.isValid():
            return None
        row, column = index.row(), index.column()
        task_no = self.task_no(column)
        lead, co, load = self._counts(row, column)
        if role == Qt.DisplayRole:
            if task_no is None:
                return str(lead if column == LEAD_COLUMN else co)
            return cell_text(lead, co)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        if role == Qt.BackgroundRole:
            if self.is_total_row(row) or task_no is None:
                return QColor("#f3f4f6")
            if not load or not m.max_cell_load:
                return None
            shade = QColor(_SHADE)
            # Light enough at the top of the scale that dark text stays readable.
            shade.setAlpha(int(30 + 130 * load / m.max_cell_load))
            return shade
        if role == Qt.ToolTipRole:
            return self._tooltip(row, task_no, lead, co)
        if role == FILTER_ROLE:
            return self._filter_key(row, column, lead, co)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    # ------------------------------------------------------------------ helpers
    def _counts(self, row: int, column: int) -> tuple[int, int, int]:
        m = self._matrix
        assert m is not None
        task_no = self.task_no(column)
        if self.is_total_row(row):
            if task_no is None:
                return m.lead_total, m.co_total, 0
            total = m.column_totals[task_no]
            return total.lead, total.co, 0
        matrix_row = m.rows[row]
        if task_no is None:
            return matrix_row.lead_total, matrix_row.co_total, 0
        cell = matrix_row.cells[task_no]
        return cell.lead, cell.co, cell.load

    def _tooltip(self, row: int, task_no: int | None, lead: int, co: int) -> str:
        m = self._matrix
        assert m is not None
        what = "项目" if m.by is CountBy.PROJECTS else "任务"
        unit = TOTAL_LABEL if self.is_total_row(row) else m.rows[row].unit
        if task_no is None:
            return f"{unit}：牵头 {lead} 项{what}，配合 {co} 项{what}"
        task = m.task(task_no)
        lines = [f"第 {task.no} 项任务：{task.title}", f"单位：{unit}"]
        if m.by is CountBy.PROJECTS:
            lines.append(f"牵头 {lead} 个项目，配合 {co} 个项目")
        elif not self.is_total_row(row):
            lines.append("牵头该任务" if lead else ("配合该任务" if co else "未承担该任务"))
        else:
            lines.append(f"牵头单位 {lead} 个，配合单位 {co} 个")
        if lead or co:
            lines.append("单击查看这些项目")
        return "\n".join(lines)

    def _filter_key(
        self, row: int, column: int, lead: int, co: int
    ) -> tuple[str | None, int | None, Role | None] | None:
        m = self._matrix
        assert m is not None
        if not (lead or co):
            return None
        task_no = self.task_no(column)
        unit = None if self.is_total_row(row) else m.rows[row].unit
        role = None
        if task_no is None:
            role = Role.LEAD if column == LEAD_COLUMN else Role.CO
            if not (lead if role is Role.LEAD else co):
                return None
        return unit, task_no, role


class GroupedHeader(QHeaderView):
    """A horizontal header in two rows: each column's group (area) spans its columns on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Horizontal, parent)
        self.setSectionsClickable(False)
        self.setDefaultAlignment(Qt.AlignCenter)

    def sizeHint(self):  # type: ignore[override]
        hint = super().sizeHint()
        hint.setHeight(self.fontMetrics().height() * 2 + 14)
        return hint

    def group_span(self, logical: int) -> tuple[int, int]:
        """First and last logical column of the group `logical` belongs to."""
        model = self.model()
        group = model.headerData(logical, Qt.Horizontal, GROUP_ROLE)
        first = last = logical
        while first > 0 and model.headerData(first - 1, Qt.Horizontal, GROUP_ROLE) == group:
            first -= 1
        count = model.columnCount()
        while last + 1 < count and model.headerData(last + 1, Qt.Horizontal, GROUP_ROLE) == group:
            last += 1
        return first, last

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:
        if not rect.isValid() or self.model() is None:
            return
        half = rect.height() // 2
        first, last = self.group_span(logical)
        left = self.sectionViewportPosition(first)
        right = self.sectionViewportPosition(last) + self.sectionSize(last)
        group = str(self.model().headerData(logical, Qt.Horizontal, GROUP_ROLE) or "")
        painter.save()
        # Every section of a group draws the whole group cell, clipped to itself: together
        # they paint one cell spanning the group, whichever sections are visible.
        painter.setClipRect(rect)
        top = QRect(left, rect.top(), right - left, half)
        text = self.fontMetrics().elidedText(group, Qt.ElideRight, max(top.width() - 8, 0))
        self._draw(painter, top, text, logical)
        bottom = QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half)
        label = str(self.model().headerData(logical, Qt.Horizontal, Qt.DisplayRole) or "")
        self._draw(painter, bottom, label, logical)
        painter.restore()

    def _draw(self, painter: QPainter, rect: QRect, text: str, logical: int) -> None:
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = logical
        option.text = text
        option.textAlignment = Qt.AlignCenter
        option.position = QStyleOptionHeader.Middle
        self.style().drawControl(QStyle.CE_Header, option, painter, self)


class MatrixView(RefreshingView):
    """The page of the window: options on top, the table, and the checks beside it."""

    def __init__(
        self, ctx: AppContext, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.navigator = navigator
        self.model = MatrixModel(self)
        self.year_box = YearBox()
        self.by_box = QComboBox()
        for by in CountBy:
            self.by_box.addItem(by.label, by.value)
        self.by_box.setToolTip("按项目计：单元格为项目数；按任务计：单位是否牵头或配合该任务")
        self.all_units = QCheckBox("显示全部单位")
        legend = QLabel("● 牵头　○ 配合　底色越深，承担越多")
        legend.setProperty("role", "muted")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("年度"))
        bar.addWidget(self.year_box)
        bar.addWidget(QLabel("计数"))
        bar.addWidget(self.by_box)
        bar.addWidget(self.all_units)
        bar.addStretch(1)
        bar.addWidget(legend)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setHorizontalHeader(GroupedHeader(self.table))
        self.table.horizontalHeader().setDefaultSectionSize(46)
        self.table.horizontalHeader().setMinimumSectionSize(30)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.setSelectionMode(QTableView.SingleSelection)
        self.table.setWordWrap(False)
        self.table.clicked.connect(self._clicked)
        self.checks = QTextBrowser()
        self.checks.setOpenLinks(False)
        self.checks.setMinimumWidth(200)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.checks)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([1300, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.year_box.year_chosen.connect(lambda _year: self.refresh())
        self.by_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.all_units.toggled.connect(lambda _on: self.refresh())

    def year(self) -> int:
        return self.year_box.year() or default_year(self.ctx)

    def set_count_by(self, by: CountBy) -> None:
        self.by_box.setCurrentIndex(self.by_box.findData(by.value))

    def refresh(self) -> None:
        year = self.year_box.year() or default_year(self.ctx)
        self.year_box.fill(self.ctx.store.years(), year)
        try:
            matrix = build_matrix(
                self.ctx.store,
                year,
                CountBy(self.by_box.currentData()),
                all_units=self.all_units.isChecked(),
            )
        except UserError as exc:
            self.checks.setPlainText(exc.message)
            return
        self.model.set_matrix(matrix)
        self._fit_columns(matrix)
        self.checks.setHtml(_checks_html(matrix))

    def _fit_columns(self, matrix: Matrix) -> None:
        """All task columns as wide as the widest cell, so no count is ever cut off."""
        widest = max(
            (cell_text(c.lead, c.co) for r in matrix.rows for c in r.cells.values()),
            key=len,
            default="",
        )
        metrics = self.table.fontMetrics()
        width = max(metrics.horizontalAdvance(widest or "●0") + 16, 36)
        header = self.table.horizontalHeader()
        header.setDefaultSectionSize(width)
        for column in range(self.model.columnCount()):
            header.resizeSection(column, width)

    def filter_for(self, index: QModelIndex) -> tuple[ProjectFilter, str] | None:
        """The project filter and title a click on a cell shows, None for an empty cell."""
        key = self.model.data(index, FILTER_ROLE)
        matrix = self.model.matrix()
        if key is None or matrix is None:
            return None
        unit, task_no, role = key
        parts = [f"{matrix.year} 年"]
        if unit:
            parts.append(unit)
        if task_no is not None:
            parts.append(f"第 {task_no} 项任务")
        if role is not None:
            parts.append(role.label)
        return ProjectFilter(year=matrix.year, unit=unit, task_no=task_no, role=role), " · ".join(
            parts
        )

    def _clicked(self, index: QModelIndex) -> None:
        found = self.filter_for(index)
        if found is not None:
            self.navigator.show_projects(*found)


def _checks_html(matrix: Matrix) -> str:
    """The three checks as short lists, so a long one stays readable beside the table."""
    parts = [
        f"<h3>{matrix.year} 年分工检查</h3>",
        f"<p>{len(matrix.rows)} 个单位承担任务：牵头 {matrix.lead_total}，配合 {matrix.co_total}"
        f"（{matrix.by.label}）。</p>",
    ]
    missing = matrix.tasks_without_lead
    parts.append(f"<h4>无牵头单位的任务（{len(missing)}）</h4>")
    parts.append(
        "<ul style='-qt-list-indent: 1'>"
        + "".join(f"<li>{html.escape(matrix.task(n).label)}</li>" for n in missing)
        + "</ul>"
        if missing
        else "<p>无。每项重点任务都有牵头单位。</p>"
    )
    multiple = sorted(matrix.tasks_with_multiple_leads.items())
    parts.append(f"<h4>多个单位牵头的任务（{len(multiple)}）</h4>")
    if multiple:
        items = "".join(
            f"<li><b>第 {no} 项</b>：{html.escape('、'.join(units))}</li>" for no, units in multiple
        )
        parts.append(f"<ul style='-qt-list-indent: 1'>{items}</ul>")
    else:
        parts.append("<p>无。</p>")
    idle = matrix.units_without_role
    parts.append(f"<h4>未承担任务的单位（{len(idle)}）</h4>")
    parts.append(f"<p>{html.escape('、'.join(idle)) if idle else '无。'}</p>")
    return "".join(parts)


def install(window: Any) -> None:
    """Add the 责任矩阵 view to the window."""
    view = MatrixView(window.ctx, window)
    window.add_view("matrix", "责任矩阵", view)
