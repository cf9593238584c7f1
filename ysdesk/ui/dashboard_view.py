"""The supervision dashboard (督办看板): status counts, areas, overdue and due-soon lists.

Every count opens the matching projects in the project table; every listed project opens
the project itself. Overdue is judged against the context's `today`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.model import OVERDUE_LABEL, STATUS_ORDER, ProjectFilter, Role, Status
from ysdesk.services.dashboard import (
    DUE_SOON_DAYS,
    AreaCounts,
    Dashboard,
    DashboardEntry,
    UnitOverdueCount,
    build_dashboard,
)
from ysdesk.ui.context import AppContext
from ysdesk.ui.report_common import Navigator, RefreshingView, YearBox, default_year
from ysdesk.ui.row_model import RowTableModel
from ysdesk.ui.style import status_color

Index = QModelIndex | QPersistentModelIndex

# A long overdue list is capped on screen; the counts above it stay exact.
LIST_LIMIT = 500
OVERDUE_TAB, SOON_TAB = 0, 1


class EntryModel(RowTableModel):
    """Overdue or due-soon projects with their lead units and deadline."""

    def __init__(self, days_title: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.HEADERS = ("编号", "项目名称", "牵头单位", "完成时限", days_title, "状态")

    def cell(self, e: DashboardEntry, column: int, role: int) -> Any:
        if role == Qt.DisplayRole:
            return (
                e.code or str(e.project_id),
                e.name,
                "、".join(e.lead_units),
                e.deadline_text or e.deadline.isoformat(),
                f"{e.days} 天",
                e.status,
            )[column]
        if role == Qt.ToolTipRole:
            return (
                f"{e.name}\n完成时限：{e.deadline_text}（{e.deadline.isoformat()}）\n双击打开项目"
            )
        if role == Qt.ForegroundRole and column == 5:
            return status_color(e.status)
        if role == Qt.TextAlignmentRole and column == 4:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


class AreaModel(RowTableModel):
    """Projects per area and status, with overdue and the share done."""

    HEADERS = ("任务领域", "项目", *[s.value for s in STATUS_ORDER], OVERDUE_LABEL, "完成率")

    def cell(self, a: AreaCounts, column: int, role: int) -> Any:
        statuses = [s.value for s in STATUS_ORDER]
        if role == Qt.DisplayRole:
            if column == 0:
                return a.area.label
            if column == 1:
                return str(a.total)
            if 2 <= column < 2 + len(statuses):
                return str(a.by_status[statuses[column - 2]])
            if column == 2 + len(statuses):
                return str(a.overdue)
            done = a.by_status[Status.DONE.value]
            return f"{done * 100 // a.total}%" if a.total else "—"
        if role == Qt.TextAlignmentRole and column > 0:
            return int(Qt.AlignCenter)
        if role == Qt.ForegroundRole and column == 2 + len(statuses) and a.overdue:
            return status_color(OVERDUE_LABEL)
        if role == Qt.ToolTipRole:
            return f"{a.area.label}：双击查看该领域项目"
        return None


class UnitModel(RowTableModel):
    """Units with the most overdue projects."""

    HEADERS = ("单位", "牵头逾期", "配合逾期")

    def cell(self, u: UnitOverdueCount, column: int, role: int) -> Any:
        if role == Qt.DisplayRole:
            return (u.unit, str(u.lead), str(u.co))[column]
        if role == Qt.TextAlignmentRole and column > 0:
            return int(Qt.AlignCenter)
        if role == Qt.ToolTipRole:
            return f"{u.unit}：双击查看其牵头的逾期项目"
        return None


def _table(model: QAbstractTableModel, stretch: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.Stretch)
    return view


class DashboardView(RefreshingView):
    """Cards for the counts on top; areas and units left; overdue and due-soon lists right."""

    def __init__(
        self, ctx: AppContext, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.navigator = navigator
        self.board: Dashboard | None = None
        self.year_box = YearBox()
        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, 365)
        self.days_spin.setValue(DUE_SOON_DAYS)
        self.days_spin.setSuffix(" 天")
        self.summary = QLabel()
        self.summary.setProperty("role", "title")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("年度"))
        bar.addWidget(self.year_box)
        bar.addWidget(QLabel("即将到期："))
        bar.addWidget(self.days_spin)
        bar.addSpacing(16)
        bar.addWidget(self.summary, 1)

        self.cards: dict[str, QPushButton] = {}
        cards = QHBoxLayout()
        for key in ("total", *[s.value for s in STATUS_ORDER], OVERDUE_LABEL, "soon"):
            button = QPushButton()
            button.setFlat(True)
            button.setCursor(Qt.PointingHandCursor)
            button.setMinimumHeight(44)
            button.clicked.connect(lambda _checked=False, k=key: self.open_card(k))
            self.cards[key] = button
            frame = QFrame()
            frame.setFrameShape(QFrame.StyledPanel)
            inner = QVBoxLayout(frame)
            inner.setContentsMargins(2, 2, 2, 2)
            inner.addWidget(button)
            cards.addWidget(frame)

        self.area_model = AreaModel(self)
        self.unit_model = UnitModel(self)
        self.overdue_model = EntryModel("逾期", self)
        self.soon_model = EntryModel("剩余", self)
        self.area_table = _table(self.area_model, 0)
        self.unit_table = _table(self.unit_model, 0)
        self.overdue_table = _table(self.overdue_model, 1)
        self.soon_table = _table(self.soon_model, 1)
        self.area_table.activated.connect(self._area_activated)
        self.unit_table.activated.connect(self._unit_activated)
        self.overdue_table.activated.connect(lambda i: self._entry_activated(self.overdue_model, i))
        self.soon_table.activated.connect(lambda i: self._entry_activated(self.soon_model, i))
        self.area_table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.area_table.setSizeAdjustPolicy(QAbstractItemView.AdjustToContents)

        # The two lists share one tabbed pane with the full height under the cards; the
        # tab titles carry their counts, so neither list hides how many it holds.
        self.lists = QTabWidget()
        self.lists.addTab(self.overdue_table, "")
        self.lists.addTab(self.soon_table, "")
        area_box = QGroupBox("按任务领域")
        QVBoxLayout(area_box).addWidget(self.area_table)
        unit_box = QGroupBox("逾期项目最多的单位")
        QVBoxLayout(unit_box).addWidget(self.unit_table)
        left = QVBoxLayout()
        left.addWidget(area_box)
        left.addWidget(unit_box, 1)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addWidget(self.lists, 0, 1)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 6)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(cards)
        layout.addLayout(grid, 1)

        self.year_box.year_chosen.connect(lambda _y: self.refresh())
        self.days_spin.valueChanged.connect(lambda _d: self.refresh())

    def year(self) -> int:
        return self.year_box.year() or default_year(self.ctx)

    def refresh(self) -> None:
        year = self.year()
        self.year_box.fill(self.ctx.store.years(), year)
        board = build_dashboard(
            self.ctx.store, year, self.ctx.today, soon_days=self.days_spin.value(), limit=LIST_LIMIT
        )
        self.board = board
        self.summary.setText(board.summary_line())
        counts: dict[str, tuple[str, int]] = {
            "total": ("项目总数", board.total),
            **{s: (s, n) for s, n in board.by_status.items()},
            OVERDUE_LABEL: (OVERDUE_LABEL, board.overdue_count),
            "soon": (f"{board.soon_days} 天内到期", board.due_soon_count),
        }
        for key, (label, count) in counts.items():
            button = self.cards[key]
            button.setText(f"{count}\n{label}")
            color = status_color(label) if key not in ("total", "soon") else QColor("#111827")
            button.setStyleSheet(
                f"QPushButton {{ color: {color.name()}; font-size: 15px; font-weight: bold; }}"
            )
            button.setToolTip(f"查看{label}的项目")
        self.area_model.set_rows(board.by_area)
        self._fit_area_table()
        self.unit_model.set_rows(board.top_units)
        self.overdue_model.set_rows(board.overdue)
        self.soon_model.set_rows(board.due_soon)
        shown = (
            "" if len(board.overdue) == board.overdue_count else f"，显示前 {len(board.overdue)} 个"
        )
        self.lists.setTabText(OVERDUE_TAB, f"逾期项目（{board.overdue_count} 个{shown}）")
        self.lists.setTabText(SOON_TAB, f"{board.soon_days} 天内到期（{board.due_soon_count} 个）")
        self.lists.setTabToolTip(SOON_TAB, f"自 {board.today.isoformat()} 起")

    def _fit_area_table(self) -> None:
        """All four areas visible however little height the window leaves."""
        table = self.area_table
        rows = sum(table.rowHeight(r) for r in range(self.area_model.rowCount()))
        table.setFixedHeight(table.horizontalHeader().height() + rows + 2 * table.frameWidth())

    # ------------------------------------------------------------------ navigation
    def card_filter(self, key: str) -> tuple[ProjectFilter, str] | None:
        """The project filter and title a count card opens; None for 即将到期 (a list here)."""
        year = self.year()
        if key == "total":
            return ProjectFilter(year=year), f"{year} 年全部项目"
        if key == OVERDUE_LABEL:
            return ProjectFilter(year=year, overdue_only=True), f"{year} 年逾期项目"
        if key == "soon":
            return None
        return ProjectFilter(year=year, status=Status(key)), f"{year} 年{key}项目"

    def open_card(self, key: str) -> None:
        found = self.card_filter(key)
        if found is None:
            self.lists.setCurrentIndex(SOON_TAB)
            return
        self.navigator.show_projects(*found)

    def _area_activated(self, index: QModelIndex) -> None:
        area: AreaCounts = self.area_model.row_item(index.row())
        year = self.year()
        self.navigator.show_projects(
            ProjectFilter(year=year, area_no=area.area.no), f"{year} 年{area.area.label}"
        )

    def _unit_activated(self, index: QModelIndex) -> None:
        unit: UnitOverdueCount = self.unit_model.row_item(index.row())
        year = self.year()
        self.navigator.show_projects(
            ProjectFilter(year=year, unit=unit.unit, role=Role.LEAD, overdue_only=True),
            f"{year} 年 {unit.unit} 牵头的逾期项目",
        )

    def _entry_activated(self, model: EntryModel, index: QModelIndex) -> None:
        entry: DashboardEntry = model.row_item(index.row())
        self.navigator.open_project(entry.project_id)


def install(window: Any) -> None:
    """Add the 督办看板 view to the window."""
    window.add_view("dashboard", "督办看板", DashboardView(window.ctx, window))
