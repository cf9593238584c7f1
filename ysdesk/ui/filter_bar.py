"""The toolbar's year selector, search box and filters; remembered between runs."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from ysdesk.domain.model import ProjectFilter, Status
from ysdesk.domain.units import UnitResolver
from ysdesk.services.trees import NO_ZONE_LABEL
from ysdesk.ui.context import AppContext

ALL_STATUSES = "全部状态"
ALL_UNITS = "全部单位"
ALL_ZONES = "全部功能区"
SEARCH_HINT = "搜索名称、目标、单位、进展（可用拼音首字母，如 fd）"
# In the box itself: its label already says 搜索, and a laptop screen leaves it little room.
SEARCH_PLACEHOLDER = "名称、单位、进展或拼音首字母"


class FilterBar(QWidget):
    """Emits `changed` whenever the filters change and `year_selected` for another year."""

    changed = Signal()
    year_selected = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.year = QComboBox()
        self.year.setToolTip("年度")
        self.year.setMinimumContentsLength(6)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search.setToolTip(SEARCH_HINT)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance(SEARCH_PLACEHOLDER) + 40)
        self.status = QComboBox()
        self.status.addItem(ALL_STATUSES, None)
        for status in Status:
            self.status.addItem(status.value, status.value)
        self.unit = QComboBox()
        self.unit.setEditable(True)
        self.unit.setInsertPolicy(QComboBox.NoInsert)
        self.unit.setMinimumContentsLength(8)
        self.zone = QComboBox()
        self.overdue = QCheckBox("仅看逾期(&O)")
        self.clear = QToolButton()
        self.clear.setText("清除筛选")
        self.clear.setToolTip("清除搜索和全部筛选条件")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        for label, widget in (
            ("年度(&Y)", self.year),
            ("搜索(&S)", self.search),
            ("状态(&T)", self.status),
            ("单位(&U)", self.unit),
            ("功能区(&Z)", self.zone),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            layout.addWidget(caption)
            layout.addWidget(widget, 3 if widget is self.search else 0)
        layout.addWidget(self.overdue)
        layout.addWidget(self.clear)
        self.refresh_choices()
        self.search.textChanged.connect(self.changed)
        self.status.currentIndexChanged.connect(self.changed)
        self.zone.currentIndexChanged.connect(self.changed)
        self.unit.activated.connect(self.changed)
        self.unit.lineEdit().editingFinished.connect(self._unit_typed)
        self.overdue.toggled.connect(self.changed)
        self.clear.clicked.connect(self.clear_filters)
        self.year.activated.connect(self._year_activated)

    # -------------------------------------------------------------- choices
    def refresh_choices(self, years: list[int] | None = None, current: int | None = None) -> None:
        """Fill the unit and zone lists (and the years) from the database."""
        store = self.ctx.store
        with QSignalBlocker(self.unit), QSignalBlocker(self.zone):
            unit = self.unit_name()
            self.unit.clear()
            self.unit.addItem(ALL_UNITS, None)
            for u in store.units():
                self.unit.addItem(u.name, u.name)
            completer = QCompleter([u.name for u in store.units()], self.unit)
            completer.setFilterMode(Qt.MatchContains)
            completer.setCaseSensitivity(Qt.CaseInsensitive)
            self.unit.setCompleter(completer)
            self._resolver = UnitResolver(store.units())
            self._select_data(self.unit, unit)
            zone = self.zone_name()
            self.zone.clear()
            self.zone.addItem(ALL_ZONES, None)
            for z in store.zones():
                self.zone.addItem(z.name, z.name)
            self.zone.addItem(NO_ZONE_LABEL, "")
            self._select_data(self.zone, zone)
        if years is not None:
            with QSignalBlocker(self.year):
                self.year.clear()
                for y in years:
                    self.year.addItem(f"{y} 年", y)
                if current is not None:
                    self._select_data(self.year, current)

    @staticmethod
    def _select_data(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def _unit_typed(self) -> None:
        """A typed name or alias (区科技委) selects the canonical unit."""
        text = self.unit.currentText().strip()
        name = None if text in ("", ALL_UNITS) else self._resolver.resolve(text)
        before = self.unit_name()
        with QSignalBlocker(self.unit):
            self._select_data(self.unit, name)
            self.unit.setEditText(self.unit.currentText())
        if self.unit_name() != before:
            self.changed.emit()

    def _year_activated(self, index: int) -> None:
        year = self.year.itemData(index)
        if isinstance(year, int):
            self.year_selected.emit(year)

    # --------------------------------------------------------------- values
    def unit_name(self) -> str | None:
        return self.unit.currentData()

    def zone_name(self) -> str | None:
        return self.zone.currentData()

    def filter(self) -> ProjectFilter:
        """The toolbar's conditions (no year: the node's filter carries the scope)."""
        status = self.status.currentData()
        return ProjectFilter(
            text=self.search.text(),
            status=Status(status) if status else None,
            unit=self.unit_name(),
            zone=self.zone_name(),
            overdue_only=self.overdue.isChecked(),
        )

    def is_filtering(self) -> bool:
        return self.filter() != ProjectFilter()

    def clear_filters(self) -> None:
        with (
            QSignalBlocker(self.search),
            QSignalBlocker(self.status),
            QSignalBlocker(self.unit),
            QSignalBlocker(self.zone),
            QSignalBlocker(self.overdue),
        ):
            self.search.clear()
            self.status.setCurrentIndex(0)
            self.unit.setCurrentIndex(0)
            self.zone.setCurrentIndex(0)
            self.overdue.setChecked(False)
        self.changed.emit()

    def set_filters(
        self,
        *,
        text: str = "",
        status: str | None = None,
        unit: str | None = None,
        zone: str | None = None,
        overdue: bool = False,
    ) -> None:
        """Set every filter at once; one `changed`."""
        with (
            QSignalBlocker(self.search),
            QSignalBlocker(self.status),
            QSignalBlocker(self.unit),
            QSignalBlocker(self.zone),
            QSignalBlocker(self.overdue),
        ):
            self.search.setText(text)
            self._select_data(self.status, status)
            self._select_data(self.unit, unit)
            self._select_data(self.zone, zone)
            self.overdue.setChecked(overdue)
        self.changed.emit()

    # ------------------------------------------------------------- settings
    def save(self, settings: QSettings) -> None:
        settings.setValue("filters/text", self.search.text())
        settings.setValue("filters/status", self.status.currentData() or "")
        settings.setValue("filters/unit", self.unit_name() or "")
        zone = self.zone_name()
        settings.setValue("filters/zone", "*" if zone is None else zone)
        settings.setValue("filters/overdue", self.overdue.isChecked())

    def restore(self, settings: QSettings) -> None:
        zone = str(settings.value("filters/zone", "*") or "")
        overdue = settings.value("filters/overdue", False)
        self.set_filters(
            text=str(settings.value("filters/text", "") or ""),
            status=str(settings.value("filters/status", "") or "") or None,
            unit=str(settings.value("filters/unit", "") or "") or None,
            zone=None if zone == "*" else zone,
            overdue=overdue in (True, "true", "1", 1),
        )
