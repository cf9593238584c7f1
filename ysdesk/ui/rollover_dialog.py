"""Year rollover (结转) dialog, where the user unticks projects, and the two-year comparison.

The dialog shows the service's plan row by row (what is carried, with its new code and
deadline; what stays behind and why) and applies it through the same service the CLI uses.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.services.rollover import (
    Comparison,
    RolloverItem,
    RolloverPlan,
    RolloverResult,
    apply_rollover,
    compare_years,
    plan_rollover,
)
from ysdesk.ui.context import AppContext, Change
from ysdesk.ui.report_common import Navigator, YearBox, default_year
from ysdesk.ui.row_model import RowTableModel

Index = QModelIndex | QPersistentModelIndex
_MUTED = QColor("#6b7280")


class RolloverModel(RowTableModel):
    """The plan's rows; carried rows have a check box the user may untick."""

    HEADERS = ("结转", "原编号", "项目名称", "状态", "原完成时限", "新完成时限", "新编号")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._ticked: set[int] = set()

    def set_plan(self, plan: RolloverPlan | None) -> None:
        self.beginResetModel()
        self._rows = list(plan.items) if plan else []
        self._ticked = {i.project.id for i in self._rows if i.carry and i.project.id}
        self.endResetModel()

    def item(self, row: int) -> RolloverItem:
        return self._rows[row]

    def ticked(self) -> set[int]:
        return set(self._ticked)

    def unticked(self) -> list[int]:
        """Carried rows the user left out (their ids go to `exclude`)."""
        return [
            i.project.id
            for i in self._rows
            if i.carry and i.project.id is not None and i.project.id not in self._ticked
        ]

    def set_all(self, ticked: bool) -> None:
        carried = {i.project.id for i in self._rows if i.carry and i.project.id}
        self._ticked = carried if ticked else set()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, 0), [Qt.CheckStateRole]
            )

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        p = item.project
        column = index.column()
        if role == Qt.CheckStateRole and column == 0 and item.carry:
            return Qt.Checked if p.id in self._ticked else Qt.Unchecked
        if role == Qt.DisplayRole:
            if column == 0:
                return "" if item.carry else item.action_label
            return (
                None,
                p.code,
                p.name,
                p.status.value,
                p.deadline_text or "—",
                (item.new_deadline_text or "—") if item.carry else "",
                item.new_code,
            )[column]
        if role == Qt.ForegroundRole and not item.carry:
            return _MUTED
        if role == Qt.ToolTipRole:
            if item.carry and item.new_deadline_text != p.deadline_text:
                return f"完成时限顺延：{p.deadline_text} → {item.new_deadline_text}"
            return item.action_label
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.EditRole) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.CheckStateRole:
            return False
        item = self._rows[index.row()]
        if not item.carry or item.project.id is None:
            return False
        checked = value in (Qt.Checked, Qt.Checked.value, 2)
        if checked:
            self._ticked.add(item.project.id)
        else:
            self._ticked.discard(item.project.id)
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == 0 and self._rows[index.row()].carry:
            flags |= Qt.ItemIsUserCheckable
        return flags


class RolloverDialog(QDialog):
    """Choose the source year, untick projects, and carry the rest into the next year."""

    def __init__(
        self, ctx: AppContext, navigator: Navigator | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.result_: RolloverResult | None = None
        self.plan: RolloverPlan | None = None
        self.setWindowTitle("年度结转")
        self.year_box = YearBox()
        self.target_label = QLabel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.skip_existing = QCheckBox("跳过已结转的项目")
        self.skip_existing.setToolTip("目标年度已有从本年度结转来的副本时，只结转其余项目")
        self.model = RolloverModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        select_all = QPushButton("全选")
        select_none = QPushButton("全不选")
        select_all.clicked.connect(lambda: self._tick_all(True))
        select_none.clicked.connect(lambda: self._tick_all(False))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText("开始结转")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel("从"))
        top.addWidget(self.year_box)
        top.addWidget(self.target_label)
        top.addStretch(1)
        top.addWidget(select_all)
        top.addWidget(select_none)
        bottom = QHBoxLayout()
        bottom.addWidget(self.skip_existing)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(1100, 680)

        self.model.dataChanged.connect(lambda *_: self._update_summary())
        self.model.modelReset.connect(self._update_summary)
        self.year_box.year_chosen.connect(self.load)
        year = default_year(ctx)
        self.year_box.fill(ctx.store.years(), year)
        self.load(year)

    def load(self, year: int) -> None:
        """Show the plan of rolling `year` over into the next year."""
        try:
            self.plan = plan_rollover(self.ctx.store, year)
        except UserError as exc:
            self.plan = None
            self.model.set_plan(None)
            self.summary.setText(exc.message)
            self.target_label.setText("")
            self.ok_button.setEnabled(False)
            return
        self.target_label.setText(f"结转到 {self.plan.to_year} 年")
        self.skip_existing.setVisible(bool(self.plan.existing))
        self.skip_existing.setChecked(bool(self.plan.existing))
        self.model.set_plan(self.plan)
        self.table.resizeColumnsToContents()

    def _tick_all(self, ticked: bool) -> None:
        self.model.set_all(ticked)

    def _update_summary(self) -> None:
        plan = self.plan
        if plan is None:
            return
        chosen = len(self.model.ticked())
        parts = [
            f"{plan.from_year} 年共 {len(plan.items)} 个项目：将结转 {chosen} 个未完成项目"
            f"（共 {len(plan.to_carry)} 个可结转）",
            f"已完成不结转 {len(plan.done)} 个",
        ]
        if plan.existing:
            parts.append(f"{plan.to_year} 年已有结转副本 {len(plan.existing)} 个")
        self.summary.setText(
            "，".join(parts) + "。完成时限中写明的年份顺延一年，进展情况转入备注。"
        )
        self.ok_button.setEnabled(chosen > 0 and not self.ctx.readonly)

    def apply(self) -> RolloverResult | None:
        """Carry the ticked projects over; report and close, or say why not."""
        plan = self.plan
        if plan is None:
            return None
        try:
            result = apply_rollover(
                self.ctx.store,
                plan.from_year,
                plan.to_year,
                exclude=self.model.unticked(),
                skip_existing=self.skip_existing.isChecked(),
            )
        except UserError as exc:
            self.ctx.prompts.error("无法结转", exc.message)
            return None
        self.result_ = result
        self.ctx.notify(Change.all(source=self))
        self.ctx.prompts.info(
            "年度结转",
            f"已从 {result.from_year} 年结转 {len(result.created)} 个项目到 {result.to_year} 年。",
        )
        self.accept()
        return result


class CompareDialog(QDialog):
    """Two years side by side: added, dropped, and carried projects that changed."""

    def __init__(
        self, ctx: AppContext, navigator: Navigator | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.navigator = navigator
        self.comparison: Comparison | None = None
        self.setWindowTitle("年度对比")
        years = ctx.store.years()
        self.year_a = QSpinBox()
        self.year_b = QSpinBox()
        for spin in (self.year_a, self.year_b):
            spin.setRange(1990, 2200)
        last = years[-1] if years else ctx.today.year
        self.year_b.setValue(last)
        self.year_a.setValue(years[-2] if len(years) >= 2 else last - 1)
        compare_button = QPushButton("比较")
        compare_button.clicked.connect(self.compare)
        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["项目", "说明"])
        self.tree.setColumnWidth(0, 520)
        self.tree.itemActivated.connect(self._activated)
        top = QHBoxLayout()
        top.addWidget(QLabel("比较"))
        top.addWidget(self.year_a)
        top.addWidget(QLabel("年与"))
        top.addWidget(self.year_b)
        top.addWidget(QLabel("年"))
        top.addWidget(compare_button)
        top.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.button(QDialogButtonBox.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(close)
        self.resize(1000, 640)
        self.compare()

    def compare(self) -> Comparison | None:
        """Compare the two chosen years and list the differences."""
        self.tree.clear()
        try:
            c = compare_years(self.ctx.store, self.year_a.value(), self.year_b.value())
        except UserError as exc:
            self.comparison = None
            self.summary.setText(exc.message)
            return None
        self.comparison = c
        a, b = c.year_a, c.year_b
        self.summary.setText(
            f"{b} 年新增 {len(c.added)} 个；{a} 年有而 {b} 年无 {len(c.dropped)} 个"
            f"（其中未完成 {len(c.dropped_unfinished)} 个）；延续 {len(c.carried)} 个，"
            f"其中单位或时限等有变化 {len(c.changed)} 个。"
        )
        added = self._group(f"{b} 年新增（{len(c.added)}）")
        for p in c.added:
            self._leaf(added, p.id, f"{p.code}  {p.name}", "、".join(p.lead_units))
        dropped = self._group(f"{a} 年有、{b} 年无（{len(c.dropped)}）")
        for p in c.dropped:
            self._leaf(dropped, p.id, f"{p.code}  {p.name}", p.status.value)
        changed = self._group(f"延续且有变化（{len(c.changed)}）")
        for pair in c.changed:
            how = "结转" if pair.by == "origin" else "同名"
            node = self._leaf(changed, pair.b.id, f"{pair.b.code}  {pair.b.name}", how)
            for ch in pair.changes:
                QTreeWidgetItem(node, [f"{ch.label}：{ch.old or '—'} → {ch.new or '—'}", ""])
            # A short list shows its changes at once; a long one stays folded.
            node.setExpanded(len(c.changed) <= 20)
        same = len(c.carried) - len(c.changed)
        self._group(f"延续且无变化（{same}）")
        added.setExpanded(True)
        changed.setExpanded(True)
        return c

    def _group(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [title, ""])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        return item

    def _leaf(
        self, parent: QTreeWidgetItem, project_id: int | None, text: str, note: str
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [text, note])
        item.setData(0, Qt.UserRole, project_id)
        item.setToolTip(0, "双击打开项目")
        return item

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        project_id = item.data(0, Qt.UserRole)
        if project_id is not None and self.navigator is not None:
            self.navigator.open_project(int(project_id))


def install(window: Any) -> None:
    """Add 年度结转… and 年度对比… to the 数据 menu."""
    menu = window.menu("data")
    menu.addSeparator()
    rollover = menu.addAction("年度结转…")
    rollover.setEnabled(not window.ctx.readonly)
    rollover.triggered.connect(lambda: RolloverDialog(window.ctx, window, window).exec())
    compare = menu.addAction("年度对比…")
    compare.triggered.connect(lambda: CompareDialog(window.ctx, window, window).exec())
