"""The strip above an import preview's rows: how each column of the sheet was read, with a
drop-down per column (and the sheet and header row) to read it otherwise.

The strip only shows and asks: picking a field emits `reread` with what the user now wants
(the columns mapped by hand, the sheet, the header row); the dialog re-reads the sheet in a
worker and hands the strip the new reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ysdesk.services.importer import FIELD_NAMES, FIELD_TITLES, ColumnReading

# How each source is named and coloured (text, background): what a clerk should check first
# stands out (a guess amber, an unread column red).
SOURCE_LOOKS = {
    "alias": ("按表头", "#e5e7eb"),
    "map": ("手动指定", "#dbeafe"),
    "saved": ("按已保存", "#d1fae5"),
    "guess": ("按内容推断", "#fde68a"),
    "none": ("未识别", "#fecaca"),
}
_UNREAD = ""  # the drop-down's entry for a column read as nothing
_BOX_WIDTH = 132


@dataclass(frozen=True)
class ReadRequest:
    """What the user wants read: columns mapped by hand (header, field as --map names it),
    the sheet (None: found by itself) and the first header row (None: found by itself)."""

    maps: tuple[tuple[str, str], ...] = ()
    sheet: str | None = None
    header_row: int | None = None


def _choices() -> list[tuple[str, str]]:
    """(field as --map names it, label) in the order the drop-down lists them."""
    return [
        ("skip", FIELD_TITLES["skip"]),
        *((public, FIELD_TITLES[inner]) for public, inner in FIELD_NAMES.items()),
    ]


class ColumnBox(QFrame):
    """One column: its letter and header, a drop-down of fields, and where its reading came
    from."""

    picked = Signal(str, str)  # header, field as --map names it

    def __init__(self, reading: ColumnReading, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reading = reading
        self.setFrameShape(QFrame.StyledPanel)
        self.setFixedWidth(_BOX_WIDTH)
        self.header = QLabel(f"<b>{reading.column}</b> {reading.header}")
        self.header.setToolTip(f"{reading.column} 列：{reading.header}")
        self.header.setTextFormat(Qt.RichText)
        self.header.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.combo = QComboBox()
        self.combo.setAccessibleName(f"{reading.header} 读作")
        public = reading.public_field
        if public is None:
            # Not read, or read by ysdesk for itself (序号, the hidden project id).
            self.combo.addItem(reading.title, _UNREAD)
        for name, label in _choices():
            self.combo.addItem(label, name)
        self.combo.setCurrentIndex(max(self.combo.findData(public or _UNREAD), 0))
        self.combo.activated.connect(self._activated)
        text, colour = SOURCE_LOOKS.get(reading.source, (reading.source, "#e5e7eb"))
        self.source = QLabel(text)
        self.source.setAlignment(Qt.AlignCenter)
        self.source.setStyleSheet(f"background: {colour}; border-radius: 3px; padding: 1px 4px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 3, 4, 3)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.combo)
        layout.addWidget(self.source)

    @property
    def field(self) -> str:
        """The field now picked, as --map names it ("" for a column read as nothing)."""
        return str(self.combo.currentData())

    def _activated(self, _index: int) -> None:
        if self.field != _UNREAD and self.field != self.reading.public_field:
            self.picked.emit(self.reading.header, self.field)


class ColumnStrip(QWidget):
    """The sheet, the header row and one box per column; `reread` asks for another reading."""

    reread = Signal(object)  # a ReadRequest

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: list[ColumnBox] = []
        self._maps: dict[str, str] = {}
        self._sheet = ""
        self.sheet = QComboBox()
        self.sheet.setAccessibleName("工作表")
        self.sheet.activated.connect(lambda _i: self._request(sheet_changed=True))
        self.header_row = QSpinBox()
        self.header_row.setAccessibleName("表头行")
        self.header_row.setRange(0, 9999)
        self.header_row.setSpecialValueText("自动")
        self.header_row.setKeyboardTracking(False)  # one re-read per number, not per digit
        self.header_row.valueChanged.connect(lambda _v: self._request())
        self.summary = QLabel()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        self.sheet_label = QLabel("工作表：")
        top.addWidget(self.sheet_label)
        top.addWidget(self.sheet)
        top.addWidget(QLabel("表头在第"))
        top.addWidget(self.header_row)
        top.addWidget(QLabel("行"))
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        self._columns = QWidget()
        self._row = QHBoxLayout(self._columns)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(4)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self._columns)
        self.scroll.setWidgetResizable(True)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scroll)

    def show_reading(
        self,
        columns: Sequence[ColumnReading],
        *,
        sheets: Sequence[str],
        sheet: str,
        header_row: int | None,
    ) -> None:
        """Show how the sheet was read now (after any re-read)."""
        self._maps = {c.header: c.public_field or "skip" for c in columns if c.source == "map"}
        self._sheet = sheet
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItems(list(sheets))
        self.sheet.setCurrentIndex(max(self.sheet.findText(sheet), 0))
        self.sheet.blockSignals(False)
        several = len(sheets) > 1
        self.sheet.setVisible(several)
        self.sheet_label.setVisible(several)
        self.header_row.blockSignals(True)
        self.header_row.setValue(header_row or 0)
        self.header_row.blockSignals(False)
        while self._row.count():  # the boxes and the stretch after them
            item = self._row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.boxes = []
        for reading in columns:
            box = ColumnBox(reading, self._columns)
            box.picked.connect(self._picked)
            self._row.addWidget(box)
            self.boxes.append(box)
        self._row.addStretch(1)
        counts = {s: sum(1 for c in columns if c.source == s) for s in SOURCE_LOOKS}
        parts = [f"{SOURCE_LOOKS[s][0]} {n}" for s, n in counts.items() if n]
        self.summary.setText(
            f"共 {len(columns)} 列：" + "，".join(parts) + "。改动任一列，预览随之重新读取。"
            if columns
            else "没有读出表头。"
        )
        height = self.boxes[0].sizeHint().height() if self.boxes else 0
        scrollbar = self.scroll.horizontalScrollBar().sizeHint().height()
        self.scroll.setFixedHeight(height + scrollbar + 4 if self.boxes else 0)

    def box(self, header: str) -> ColumnBox:
        """The box of the column with this header."""
        return next(b for b in self.boxes if b.reading.header == header)

    def pick(self, header: str, field: str) -> None:
        """Choose a field for a column, as the user does in its drop-down."""
        box = self.box(header)
        box.combo.setCurrentIndex(box.combo.findData(field))
        box.combo.activated.emit(box.combo.currentIndex())

    def _picked(self, header: str, field: str) -> None:
        self._maps[header] = field
        self._request()

    def _request(self, *, sheet_changed: bool = False) -> None:
        sheet = self.sheet.currentText() if sheet_changed else self._sheet
        if sheet_changed:
            # Another sheet has other headers: what was mapped here means nothing there.
            self._maps = {}
            self.header_row.blockSignals(True)
            self.header_row.setValue(0)
            self.header_row.blockSignals(False)
        self.reread.emit(
            ReadRequest(
                maps=tuple(self._maps.items()),
                sheet=sheet or None,
                header_row=self.header_row.value() or None,
            )
        )


__all__ = ["SOURCE_LOOKS", "ColumnBox", "ColumnStrip", "ReadRequest"]
