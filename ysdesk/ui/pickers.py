"""Pickers of the editor: task by area, zones, and units searched by name, alias or pinyin."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QSignalBlocker, QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.model import Area, Task, Unit, Zone
from ysdesk.domain.search import matches, search_haystack
from ysdesk.domain.units import UnitResolver

TASK_ROLE = Qt.UserRole + 1


class TaskPicker(QComboBox):
    """The 23 tasks under their four area headings (headings cannot be chosen)."""

    task_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self.setMaxVisibleItems(30)
        self.setMinimumContentsLength(16)
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.activated.connect(self._activated)

    def set_plan(self, areas: Sequence[Area], tasks: Sequence[Task]) -> None:
        with QSignalBlocker(self):
            self._model.clear()
            placeholder = QStandardItem("（请选择重点任务）")
            placeholder.setData(0, TASK_ROLE)
            self._model.appendRow(placeholder)
            bold = QFont(self.font())
            bold.setBold(True)
            for area in areas:
                heading = QStandardItem(area.label)
                heading.setFlags(Qt.ItemIsEnabled)  # shown, not selectable
                heading.setFont(bold)
                heading.setData(None, TASK_ROLE)
                self._model.appendRow(heading)
                for task in (t for t in tasks if t.area_no == area.no):
                    item = QStandardItem(f"　{task.label}")
                    item.setData(task.no, TASK_ROLE)
                    item.setToolTip(task.text or task.title)
                    self._model.appendRow(item)

    def task_no(self) -> int:
        value = self.currentData(TASK_ROLE)
        return int(value) if isinstance(value, int) else 0

    def set_task_no(self, task_no: int) -> None:
        with QSignalBlocker(self):
            index = self.findData(task_no, TASK_ROLE)
            self.setCurrentIndex(index if index >= 0 else 0)

    def _activated(self, index: int) -> None:
        value = self.itemData(index, TASK_ROLE)
        if isinstance(value, int):
            self.task_chosen.emit(value)


class ZonePicker(QWidget):
    """One check box per zone; several may be ticked."""

    zones_changed = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._boxes: list[QCheckBox] = []
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(12)
        self._layout.setVerticalSpacing(2)

    def set_zones(self, zones: Sequence[Zone]) -> None:
        for box in self._boxes:
            box.deleteLater()
        self._boxes = []
        for i, zone in enumerate(zones):
            box = QCheckBox(zone.name)
            area = f"约 {zone.area_km2:g} 平方公里" if zone.area_km2 else "区外联动"
            box.setToolTip(f"{zone.name}（{area}）")
            box.clicked.connect(self._clicked)
            self._layout.addWidget(box, i // 2, i % 2)
            self._boxes.append(box)

    def boxes(self) -> list[QCheckBox]:
        return list(self._boxes)

    def selected(self) -> tuple[str, ...]:
        return tuple(b.text() for b in self._boxes if b.isChecked())

    def set_selected(self, names: Sequence[str]) -> None:
        for box in self._boxes:
            with QSignalBlocker(box):
                box.setChecked(box.text() in names)

    def _clicked(self) -> None:
        self.zones_changed.emit(self.selected())


class UnitSearchBox(QLineEdit):
    """Type part of a name, an alias or pinyin initials; pick from the list or press Enter."""

    unit_chosen = Signal(str)
    not_found = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("输入名称、简称或拼音首字母，回车添加")
        self.setClearButtonEnabled(True)
        self._units: list[Unit] = []
        self._haystacks: list[str] = []
        self._resolver = UnitResolver()
        self._matches = QStringListModel(self)
        self.completer = QCompleter(self._matches, self)
        # The popup lists what our own matcher found; the completer itself must not filter.
        self.completer.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        self.completer.setWidget(self)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated[QModelIndex].connect(self._picked)
        self.textEdited.connect(self._update_matches)
        self.returnPressed.connect(self._enter)

    def set_units(self, units: Sequence[Unit]) -> None:
        self._units = list(units)
        self._haystacks = [search_haystack(u.name, *u.aliases) for u in self._units]
        self._resolver = UnitResolver(self._units)

    def candidates(self, text: str) -> list[str]:
        """Canonical names whose name, aliases or their pinyin contain every typed term."""
        if not text.strip():
            return []
        return [
            u.name for u, h in zip(self._units, self._haystacks, strict=True) if matches(h, text)
        ]

    def _label(self, name: str) -> str:
        unit = next((u for u in self._units if u.name == name), None)
        if unit is None or not unit.aliases:
            return name
        return f"{name}（{'、'.join(unit.aliases[:2])}）"

    def _update_matches(self, text: str) -> None:
        names = self.candidates(text)
        self._matches.setStringList([self._label(n) for n in names])
        self._names = names
        if names:
            self.completer.complete()
        else:
            self.completer.popup().hide()

    def _picked(self, index: QModelIndex) -> None:
        names = getattr(self, "_names", [])
        if 0 <= index.row() < len(names):
            self._choose(names[index.row()])

    def _enter(self) -> None:
        if self.completer.popup().isVisible():
            return  # the popup handles Enter itself
        text = self.text().strip()
        if not text:
            return
        name = self._resolver.resolve(text)
        if name is None:
            found = self.candidates(text)
            name = found[0] if len(found) == 1 else None
        if name is None:
            self.not_found.emit(text)
            return
        self._choose(name)

    def _choose(self, name: str) -> None:
        self.clear()
        self.completer.popup().hide()
        self.unit_chosen.emit(name)


class UnitListEditor(QWidget):
    """Chosen units in order (the first lead unit leads overall), a search box to add more."""

    units_changed = Signal(tuple)
    message = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.list = QListWidget()
        self.list.setAccessibleName(title)
        self.list.setFlow(QListWidget.LeftToRight)
        self.list.setWrapping(True)
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setSpacing(2)
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.setFixedHeight(self.fontMetrics().height() * 2 + 14)
        self.list.setToolTip("选中后按 Delete 移除")
        self.search = UnitSearchBox()
        self.search.setAccessibleName(f"添加{title}")
        self.remove = QToolButton()
        self.remove.setText("移除")
        self.remove.setToolTip("移除选中的单位（Delete）")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.search, 1)
        row.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.search.unit_chosen.connect(self._add)
        self.search.not_found.connect(lambda t: self.message.emit(f"单位名录中没有“{t}”。"))
        self.remove.clicked.connect(self._remove_selected)
        shortcut = QShortcut(QKeySequence.Delete, self.list, context=Qt.WidgetShortcut)
        shortcut.activated.connect(self._remove_selected)

    def set_units(self, units: Sequence[Unit]) -> None:
        self.search.set_units(units)

    def values(self) -> tuple[str, ...]:
        return tuple(self.list.item(i).text() for i in range(self.list.count()))

    def set_values(self, names: Sequence[str]) -> None:
        self.list.clear()
        for name in names:
            self.list.addItem(QListWidgetItem(name))

    def _add(self, name: str) -> None:
        if name in self.values():
            self.message.emit(f"“{name}”已在{self.title}中。")
            return
        self.units_changed.emit((*self.values(), name))

    def _remove_selected(self) -> None:
        chosen = {item.text() for item in self.list.selectedItems()}
        if chosen:
            self.units_changed.emit(tuple(n for n in self.values() if n not in chosen))
