"""The target indicators view: target vs actual with the gap, entry of yearly values, charts.

Each indicator gets a small QtCharts line chart: the actual values, the straight path to the
target (dashed) and the target itself as a marked point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import (
    QDate,
    QMargins,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import IndicatorValue
from ysdesk.services import indicators as service
from ysdesk.services.changes import Changes
from ysdesk.services.indicators import IndicatorStatus, format_gap, format_value
from ysdesk.ui.context import AppContext
from ysdesk.ui.report_common import RefreshingView
from ysdesk.ui.row_model import RowTableModel

Index = QModelIndex | QPersistentModelIndex

_ON_TRACK = QColor("#1b7f3a")
_BEHIND = QColor("#c62828")
_ACTUAL = QColor("#1f5fbf")
_TARGET = QColor("#c62828")
_PATH = QColor("#9ca3af")
MIN_CHART_WIDTH = 330
LEGEND_HTML = (
    f"<span style='color:{_ACTUAL.name()}'>━●</span> 实际值　"
    f"<span style='color:{_PATH.name()}'>╌╌</span> 达标路径（从基期或首个实际值到目标年）　"
    f"<span style='color:{_TARGET.name()}'>■</span> 目标"
)


class IndicatorsModel(RowTableModel):
    """One row per indicator: target, latest actual, gap, judgement, source."""

    HEADERS = ("指标", "目标", "最新实际值", "差距", "进度判断", "数据来源")

    def set_statuses(self, statuses: list[IndicatorStatus]) -> None:
        self.set_rows(statuses)

    def status(self, row: int) -> IndicatorStatus:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self._rows[index.row()]
        ind = s.indicator
        column = index.column()
        if role == Qt.DisplayRole:
            if column == 0:
                return ind.name
            if column == 1:
                return (
                    f"{ind.target_year} 年 {format_value(ind, ind.target_value, comparator=True)}"
                )
            if column == 2:
                if s.latest is None:
                    return "—"
                return f"{s.latest.year} 年 {format_value(ind, s.latest.value)}"
            if column == 3:
                if s.gap is None:
                    return "—"
                return "已达到" if s.gap <= 0 else format_gap(ind, s.gap)
            if column == 4:
                return s.judgement
            if column == 5:
                if s.latest is None:
                    return ""
                return "，".join(x for x in (s.latest.source, s.latest.as_of) if x)
        if role == Qt.ForegroundRole and column == 4 and s.on_track is not None:
            return _ON_TRACK if s.on_track else _BEHIND
        if role == Qt.ToolTipRole:
            return s.sentence()
        if role == Qt.TextAlignmentRole and column in (1, 2, 3):
            return int(Qt.AlignCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable


class ValuesModel(RowTableModel):
    """The yearly actual values of one indicator."""

    HEADERS = ("年度", "实际值", "数据来源", "数据日期")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.status: IndicatorStatus | None = None

    def set_status(self, status: IndicatorStatus | None) -> None:
        self.status = status
        self.set_rows(status.values if status is not None else [])

    def value(self, row: int) -> IndicatorValue:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        v = self._rows[index.row()]
        if role == Qt.DisplayRole:
            return (
                f"{v.year}",
                format_value(self.status.indicator, v.value),
                v.source,
                v.as_of,
            )[index.column()]
        if role == Qt.TextAlignmentRole and index.column() < 2:
            return int(Qt.AlignCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable


def indicator_chart(status: IndicatorStatus) -> QChart:
    """Actual values (solid), the path to the target (dashed) and the target (red point)."""
    ind = status.indicator
    chart = QChart()
    title_font = QFont(QApplication.font())
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setTitle(f"{ind.name}（{ind.unit}）")
    chart.setMargins(QMargins(2, 2, 2, 2))
    # One legend above all four charts (LEGEND_HTML) leaves each chart its height.
    chart.legend().hide()

    actual = QLineSeries()
    actual.setName("实际值")
    actual.setPen(QPen(_ACTUAL, 2.5))
    actual.setPointsVisible(True)
    for v in status.values:
        actual.append(QPointF(v.year, v.value))
    path = QLineSeries()
    path.setName("达标路径")
    pen = QPen(_PATH, 1.5)
    pen.setStyle(Qt.DashLine)
    path.setPen(pen)
    for p in status.path:
        path.append(QPointF(p.year, p.value))
    target = QScatterSeries()
    target.setName(f"目标 {format_value(ind, ind.target_value, comparator=True)}")
    target.setMarkerShape(QScatterSeries.MarkerShapeRectangle)
    target.setMarkerSize(11)
    target.setColor(_TARGET)
    target.setBorderColor(_TARGET)
    target.append(QPointF(ind.target_year, ind.target_value))
    for series in (path, actual, target):
        chart.addSeries(series)

    years = [v.year for v in status.values] + [p.year for p in status.path] + [ind.target_year]
    first, last = min(years), max(years)
    if first == last:
        first -= 1
    values = [v.value for v in status.values] + [ind.target_value]
    values += [p.value for p in status.path]
    x_axis = QValueAxis()
    x_axis.setRange(first - 0.3, last + 0.3)
    x_axis.setTickType(QValueAxis.TicksDynamic)
    x_axis.setTickAnchor(last)  # the target year always gets its label
    # Every year up to five years; every other year beyond, so labels never crowd.
    x_axis.setTickInterval(1 if last - first <= 5 else 2)
    x_axis.setLabelFormat("%d")
    x_axis.setLabelsFont(QApplication.font())
    # Not from zero: the gap between a value and its path is what the chart is for.
    spread = max(values) - min(values) or max(values) or 1.0
    y_axis = QValueAxis()
    y_axis.setRange(max(0.0, min(values) - spread * 0.3), max(values) + spread * 0.2)
    y_axis.applyNiceNumbers()
    # Few labels, so they stay readable when the chart is short.
    y_axis.setTickCount(min(y_axis.tickCount(), 5))
    y_axis.setLabelFormat("%.1f" if max(values) < 20 else "%d")
    y_axis.setLabelsFont(QApplication.font())
    chart.addAxis(x_axis, Qt.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignLeft)
    for series in (path, actual, target):
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
    return chart


class ChartGrid(QWidget):
    """The indicators' charts in a 2 × 2 grid, or in one row when the space is wide and low."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views: list[QChartView] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._columns = 2

    def set_views(self, views: list[QChartView]) -> None:
        for view in self.views:
            self._grid.removeWidget(view)
            view.deleteLater()
        self.views = list(views)
        self._place()

    def columns_for(self, width: int, height: int) -> int:
        """One row of four when each chart stays wide enough for its year labels, else two."""
        wide = width >= 2.6 * height and width / 4 >= MIN_CHART_WIDTH
        return 4 if len(self.views) > 2 and wide else 2

    def _place(self) -> None:
        for view in self.views:
            self._grid.removeWidget(view)
        for i in range(4):
            self._grid.setRowStretch(i, 0)
            self._grid.setColumnStretch(i, 0)
        for i, view in enumerate(self.views):
            row, column = divmod(i, self._columns)
            self._grid.addWidget(view, row, column)
            self._grid.setRowStretch(row, 1)
            self._grid.setColumnStretch(column, 1)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        columns = self.columns_for(event.size().width(), event.size().height())
        if columns != self._columns:
            self._columns = columns
            self._place()


class IndicatorsView(RefreshingView):
    """Target vs actual table, a form to enter a yearly value, and the charts."""

    def __init__(self, ctx: AppContext, navigator: Any = None, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = IndicatorsModel(self)
        self.values_model = ValuesModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.values_table = QTableView()
        self.values_table.setModel(self.values_model)
        self.values_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.values_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.values_table.verticalHeader().hide()
        self.values_table.horizontalHeader().setStretchLastSection(True)

        self.indicator_box = QComboBox()
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(ctx.today.year - 1)
        self.value_spin = QDoubleSpinBox()
        self.value_spin.setRange(0, 1_000_000)
        self.value_spin.setDecimals(2)
        self.source_edit = QLineEdit()
        self.source_edit.setPlaceholderText("如：区统计局《统计公报》")
        self.date_edit = QDateEdit(QDate(ctx.today.year, ctx.today.month, ctx.today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.save_button = QPushButton("保存该年实际值")
        self.delete_button = QPushButton("删除所选年度")
        self.import_button = QPushButton("从表格导入…")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.indicator_box.currentIndexChanged.connect(self._indicator_chosen)
        self.save_button.clicked.connect(self.save_entry)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self._choose_import)
        for widget in (self.save_button, self.delete_button, self.import_button):
            widget.setEnabled(not ctx.readonly)

        form = QFormLayout()
        form.addRow("指标", self.indicator_box)
        form.addRow("年度", self.year_spin)
        form.addRow("实际值", self.value_spin)
        form.addRow("数据来源", self.source_edit)
        form.addRow("数据日期", self.date_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.import_button)
        entry = QGroupBox("录入实际值")
        entry_layout = QVBoxLayout(entry)
        entry_layout.addLayout(form)
        entry_layout.addLayout(buttons)
        entry_layout.addWidget(self.message)
        entry_layout.addWidget(QLabel("该指标历年实际值："))
        entry_layout.addWidget(self.values_table, 1)

        self.charts = ChartGrid()

        self.table.setSizeAdjustPolicy(QAbstractItemView.AdjustToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        legend = QLabel(LEGEND_HTML)
        legend.setProperty("role", "muted")
        left_layout.addWidget(legend)
        left_layout.addWidget(self.charts, 1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(entry)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([1000, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        current = self.table.currentIndex().row()
        statuses = service.indicator_statuses(self.ctx.store)
        self.model.set_statuses(statuses)
        chosen = self.indicator_box.currentIndex()
        self.indicator_box.clear()
        for s in statuses:
            self.indicator_box.addItem(s.indicator.name, s.indicator.id)
        self.indicator_box.setCurrentIndex(max(chosen, 0))
        self.table.resizeColumnsToContents()
        self._fit_table_height()
        if statuses:
            self.table.selectRow(min(max(current, 0), len(statuses) - 1))
        self._build_charts(statuses)

    @property
    def chart_views(self) -> list[QChartView]:
        return self.charts.views

    def _build_charts(self, statuses: list[IndicatorStatus]) -> None:
        views = []
        for status in statuses:
            view = QChartView(indicator_chart(status))
            view.setRenderHint(QPainter.Antialiasing)
            view.setMinimumSize(200, 160)
            views.append(view)
        self.charts.set_views(views)

    def _fit_table_height(self) -> None:
        """Every indicator row visible, whatever room the window leaves the view."""
        rows = sum(self.table.rowHeight(r) for r in range(self.model.rowCount()))
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows + frame)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.values_model.set_status(None)
            return
        status = self.model.status(current.row())
        self.values_model.set_status(status)
        self.values_table.resizeColumnsToContents()
        self.indicator_box.setCurrentIndex(current.row())
        # Start the form where the next entry most likely goes: the year after the latest.
        if status.latest is not None:
            self.year_spin.setValue(status.latest.year + 1)
            self.value_spin.setValue(status.latest.value)

    def _indicator_chosen(self, row: int) -> None:
        """The entry takes only sensible values of the indicator's unit: 0–100 for a share,
        whole numbers for a count (the service refuses anything else in one sentence too)."""
        if not 0 <= row < self.model.rowCount():
            return
        indicator = self.model.status(row).indicator
        limits = service.value_limits(indicator)
        self.value_spin.setDecimals(0 if limits.whole else 2)
        self.value_spin.setRange(limits.minimum, limits.maximum)
        self.value_spin.setSuffix(f" {indicator.unit}" if indicator.unit else "")

    # ------------------------------------------------------------------ actions
    def save_entry(self) -> bool:
        """Record the value in the form; True when saved."""
        name = self.indicator_box.currentText()
        try:
            entry = service.set_value(
                self.ctx.store,
                name,
                self.year_spin.value(),
                self.value_spin.value(),
                source=self.source_edit.text(),
                as_of=self.date_edit.date().toString("yyyy-MM-dd"),
            )
        except UserError as exc:
            self._say(exc.message, error=True)
            return False
        self._say(f"已保存：{name} {entry.year} 年 {entry.value:g}。")
        self._written()
        return True

    def delete_selected(self) -> bool:
        """Remove the value selected in the yearly list (after confirming)."""
        index = self.values_table.currentIndex()
        status = self.values_model.status
        if not index.isValid() or status is None:
            self._say("请先在历年实际值中选中一行。", error=True)
            return False
        value = self.values_model.value(index.row())
        name = status.indicator.name
        if not self.ctx.prompts.confirm("删除实际值", f"删除“{name}”{value.year} 年的实际值？"):
            return False
        try:
            service.delete_value(self.ctx.store, name, value.year)
        except UserError as exc:
            self._say(exc.message, error=True)
            return False
        self._say(f"已删除：{name} {value.year} 年的实际值。")
        self._written()
        return True

    def import_file(self, path: Path, year: int | None = None) -> service.ImportResult | None:
        """Preview an import, ask, then apply it; None when refused or declined."""
        try:
            preview = service.import_values(self.ctx.store, path, year=year, dry_run=True)
        except UserError as exc:
            self.ctx.prompts.error("无法导入", exc.message)
            return None
        s = preview.summary
        lines = [f"新增 {s['new']}，更新 {s['update']}，未变 {s['unchanged']}，错误 {s['error']}。"]
        lines += [f"第 {r.row} 行：{'；'.join(r.messages)}" for r in preview.rows if r.messages][
            :12
        ]
        if not s["new"] and not s["update"]:
            self.ctx.prompts.info("导入指标实际值", "\n".join(["没有需要写入的数值。", *lines]))
            return preview
        if not self.ctx.prompts.confirm("导入指标实际值", "\n".join(lines), ok="导入"):
            return None
        try:
            result = service.import_values(self.ctx.store, path, year=year)
        except UserError as exc:
            self.ctx.prompts.error("无法导入", exc.message)
            return None
        self._say(f"已从 {path.name} 导入 {s['new'] + s['update']} 个数值。")
        self._written()
        return result

    def _choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "选择指标表格", "", "表格文件 (*.xlsx *.xlsm *.xls *.ods)"
        )
        if name:
            self.import_file(Path(name), year=self.year_spin.value())

    def _written(self) -> None:
        self.refresh()
        self.ctx.notify(Changes.of_plan().with_source(self))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setProperty("role", "error" if error else "muted")
        self.message.setText(text)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)


def install(window: Any) -> None:
    """Add the 目标指标 view to the window."""
    window.add_view("indicators", "目标指标", IndicatorsView(window.ctx, window))


__all__ = ["IndicatorsModel", "IndicatorsView", "ValuesModel", "indicator_chart", "install"]
