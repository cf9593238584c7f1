"""Year rollover (结转) dialog, where the user unticks projects, and the two-year comparison.

The dialog shows the service's plan row by row (what is carried, with its new code and
deadline; what stays behind and why) and applies it through the same service the CLI uses.
Reading a year (the plan, the comparison) and the backup run in a worker over its own
connection with a progress dialog (on 100,000 projects they take seconds); the plan is
written on the main thread in one transaction, refused if either year changed meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
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
from ysdesk.services.progress import Cancelled, Progress
from ysdesk.services.rollover import (
    Comparison,
    RolloverItem,
    RolloverPlan,
    RolloverResult,
    carry_over,
    check_carryable,
    compare_years,
    plan_rollover,
)
from ysdesk.store import Store
from ysdesk.store.backup import auto_backup
from ysdesk.ui.context import AppContext
from ysdesk.ui.report_common import Navigator, YearBox, default_year
from ysdesk.ui.row_model import RowTableModel
from ysdesk.ui.style import fit_size
from ysdesk.ui.writes import ReadOp, WriteOp

Index = QModelIndex | QPersistentModelIndex
_MUTED = QColor("#6b7280")
_DISPLAY = int(Qt.DisplayRole)
_CHECK = int(Qt.CheckStateRole)
_FOREGROUND = int(Qt.ForegroundRole)
_ROLES = frozenset({_DISPLAY, _CHECK, _FOREGROUND, int(Qt.ToolTipRole)})
_CHECKED = Qt.Checked
_UNCHECKED = Qt.Unchecked
# A comparison lists at most this many projects per group; the counts are always complete.
LIST_LIMIT = 500
# Column widths from this many rows: a 100,000-row plan is not measured row by row.
_MEASURED_ROWS = 200


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

    def ticked_count(self) -> int:
        return len(self._ticked)

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
        role = int(role)  # plain ints: views ask for every role of every cell they measure
        if role not in _ROLES:
            return None
        item = self._rows[index.row()]
        p = item.project
        column = index.column()
        carry = item.action == "carry"
        if role == _DISPLAY:
            if column == 0:
                return "" if carry else item.action_label
            if column == 1:
                return p.code
            if column == 2:
                return p.name
            if column == 3:
                return p.status.value
            if column == 4:
                return p.deadline_text or "—"
            if column == 5:
                return (item.new_deadline_text or "—") if carry else ""
            return item.new_code
        if role == _CHECK:
            if column == 0 and carry:
                return _CHECKED if p.id in self._ticked else _UNCHECKED
            return None
        if role == _FOREGROUND:
            return None if carry else _MUTED
        if carry and item.new_deadline_text != p.deadline_text:
            return f"完成时限顺延：{p.deadline_text} → {item.new_deadline_text}"
        return item.action_label

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

    plan_shown = Signal()  # a plan (or why there is none) is on show
    applied = Signal(object)  # the RolloverResult, after it was written

    def __init__(
        self, ctx: AppContext, navigator: Navigator | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.result_: RolloverResult | None = None
        self.plan: RolloverPlan | None = None
        self._counts: tuple[RolloverPlan, int, int, int] | None = None
        self._wanted_year: int | None = None
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
        header.setResizeContentsPrecision(_MEASURED_ROWS)
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.select_all = QPushButton("全选")
        self.select_none = QPushButton("全不选")
        self.select_all.clicked.connect(lambda: self._tick_all(True))
        self.select_none.clicked.connect(lambda: self._tick_all(False))
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
        top.addWidget(self.select_all)
        top.addWidget(self.select_none)
        bottom = QHBoxLayout()
        bottom.addWidget(self.skip_existing)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        fit_size(self, 1100, 680)

        self.model.dataChanged.connect(lambda *_: self._update_summary())
        self.model.modelReset.connect(self._update_summary)
        self.year_box.year_chosen.connect(self.load)
        year = default_year(ctx)
        self.year_box.fill(ctx.store.years(), year)
        self.load(year)

    def load(self, year: int) -> None:
        """Show the plan of rolling `year` over into the next year (computed in a worker)."""
        self._wanted_year = year
        self.plan = None
        self.model.set_plan(None)
        self.target_label.setText(f"结转到 {year + 1} 年")
        self.summary.setText(f"正在读取 {year} 年度的项目，生成结转方案…")
        self._set_busy(True)

        def done(plan: RolloverPlan) -> None:
            if year == self._wanted_year:
                self._show_plan(plan)

        def refused(exc: UserError) -> None:
            if year == self._wanted_year:
                self._show_plan(None, exc.message)

        ReadOp(
            self.ctx, self, f"生成 {year} 年度结转方案", lambda store, _: plan_rollover(store, year)
        ).success(done).failure(refused).run()

    def _show_plan(self, plan: RolloverPlan | None, why: str = "") -> None:
        self._set_busy(False)
        self.plan = plan
        if plan is None:
            self.model.set_plan(None)
            self.summary.setText(why)
            self.target_label.setText("")
            self.ok_button.setEnabled(False)
            self.plan_shown.emit()
            return
        self.target_label.setText(f"结转到 {plan.to_year} 年")
        self.skip_existing.setVisible(bool(plan.existing))
        self.skip_existing.setChecked(bool(plan.existing))
        self.model.set_plan(plan)  # the columns size to their contents (sampled rows)
        self.plan_shown.emit()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.year_box, self.select_all, self.select_none, self.skip_existing):
            widget.setEnabled(not busy)
        if busy:
            self.ok_button.setEnabled(False)

    def _tick_all(self, ticked: bool) -> None:
        self.model.set_all(ticked)

    def _update_summary(self) -> None:
        plan = self.plan
        if plan is None:
            return
        # Counted once per plan: a tick must not walk 100,000 rows three times.
        counts = self._counts
        if counts is None or counts[0] is not plan:
            counts = self._counts = (
                plan,
                len(plan.to_carry),
                len(plan.done),
                len(plan.existing),
            )
        _plan, carry, done, existing = counts
        chosen = self.model.ticked_count()
        parts = [
            f"{plan.from_year} 年共 {len(plan.items)} 个项目：将结转 {chosen} 个未完成项目"
            f"（共 {carry} 个可结转）",
            f"已完成不结转 {done} 个",
        ]
        if existing:
            parts.append(f"{plan.to_year} 年已有结转副本 {existing} 个")
        self.summary.setText(
            "，".join(parts) + "。完成时限中写明的年份顺延一年，进展情况转入备注。"
        )
        self.ok_button.setEnabled(chosen > 0 and not self.ctx.readonly)

    def apply(self) -> None:
        """Back up (in a worker), then carry the ticked projects over in one transaction.

        `applied` fires with the result; a refusal is told in a message and changes nothing.
        """
        plan = self.plan
        if plan is None:
            return
        exclude = self.model.unticked()
        skip_existing = self.skip_existing.isChecked()
        try:
            check_carryable(plan, exclude, skip_existing)
        except UserError as exc:
            self.ctx.prompts.error("无法结转", exc.message)
            return
        self._set_busy(True)

        def backed_up(backup: Path | None) -> None:
            self.summary.setText(f"正在写入 {plan.to_year} 年度清单…")

            def write(target: Store, progress: Progress) -> RolloverResult:
                return carry_over(
                    target,
                    plan,
                    exclude=exclude,
                    skip_existing=skip_existing,
                    backup=backup,
                    progress=progress,
                )

            WriteOp(self.ctx, self, "年度结转：写入", write).success(self._applied).failure(
                refused
            ).run(source=self)

        def refused(exc: UserError) -> None:
            self._set_busy(False)
            self._update_summary()
            if not isinstance(exc, Cancelled):
                self.ctx.prompts.error("无法结转", exc.message)

        ReadOp(
            self.ctx,
            self,
            "年度结转：备份数据库",
            lambda store, _: auto_backup(store, f"{plan.to_year}年度结转前"),
        ).success(backed_up).failure(refused).run()

    def _applied(self, result: RolloverResult) -> None:
        self.result_ = result
        self.ctx.prompts.info(
            "年度结转",
            f"已从 {result.from_year} 年结转 {len(result.created)} 个项目到 {result.to_year} 年。",
        )
        self.applied.emit(result)
        self.accept()


class CompareDialog(QDialog):
    """Two years side by side: added, dropped, and carried projects that changed."""

    compared = Signal()  # a comparison (or why there is none) is on show

    def __init__(
        self, ctx: AppContext, navigator: Navigator | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.navigator = navigator
        self.comparison: Comparison | None = None
        self._wanted: tuple[int, int] | None = None
        self.setWindowTitle("年度对比")
        years = ctx.store.years()
        self.year_a = QSpinBox()
        self.year_b = QSpinBox()
        for spin in (self.year_a, self.year_b):
            spin.setRange(1990, 2200)
        last = years[-1] if years else ctx.today.year
        self.year_b.setValue(last)
        self.year_a.setValue(years[-2] if len(years) >= 2 else last - 1)
        self.compare_button = QPushButton("比较")
        self.compare_button.clicked.connect(self.compare)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["项目", "说明"])
        self.tree.setColumnWidth(0, 520)
        self.tree.setUniformRowHeights(True)
        self.tree.itemActivated.connect(self._activated)
        top = QHBoxLayout()
        top.addWidget(QLabel("比较"))
        top.addWidget(self.year_a)
        top.addWidget(QLabel("年与"))
        top.addWidget(self.year_b)
        top.addWidget(QLabel("年"))
        top.addWidget(self.compare_button)
        top.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.button(QDialogButtonBox.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(close)
        fit_size(self, 1000, 640)
        self.compare()

    def compare(self) -> None:
        """Compare the two chosen years (in a worker) and list the differences."""
        a, b = self.year_a.value(), self.year_b.value()
        self._wanted = (a, b)
        self.tree.clear()
        self.comparison = None
        self.summary.setText(f"正在比较 {a} 年与 {b} 年…")
        self.compare_button.setEnabled(False)

        def done(comparison: Comparison) -> None:
            if self._wanted == (a, b):
                self._show(comparison)

        def refused(exc: UserError) -> None:
            if self._wanted == (a, b):
                self.compare_button.setEnabled(True)
                self.summary.setText(exc.message)
                self.compared.emit()

        ReadOp(
            self.ctx, self, f"比较 {a} 年与 {b} 年", lambda store, _: compare_years(store, a, b)
        ).success(done).failure(refused).run()

    def _show(self, c: Comparison) -> None:
        self.compare_button.setEnabled(True)
        self.comparison = c
        a, b = c.year_a, c.year_b
        self.summary.setText(
            f"{b} 年新增 {len(c.added)} 个；{a} 年有而 {b} 年无 {len(c.dropped)} 个"
            f"（其中未完成 {len(c.dropped_unfinished)} 个）；延续 {len(c.carried)} 个，"
            f"其中单位或时限等有变化 {len(c.changed)} 个。"
        )
        changed_pairs = c.changed
        self.tree.setUpdatesEnabled(False)
        try:
            added = self._group(f"{b} 年新增（{len(c.added)}）")
            for p in c.added[:LIST_LIMIT]:
                self._leaf(added, p.id, f"{p.code}  {p.name}", "、".join(p.lead_units))
            self._more(added, len(c.added))
            dropped = self._group(f"{a} 年有、{b} 年无（{len(c.dropped)}）")
            for p in c.dropped[:LIST_LIMIT]:
                self._leaf(dropped, p.id, f"{p.code}  {p.name}", p.status.value)
            self._more(dropped, len(c.dropped))
            changed = self._group(f"延续且有变化（{len(changed_pairs)}）")
            for pair in changed_pairs[:LIST_LIMIT]:
                how = "结转" if pair.by == "origin" else "同名"
                node = self._leaf(changed, pair.b.id, f"{pair.b.code}  {pair.b.name}", how)
                for ch in pair.changes:
                    QTreeWidgetItem(node, [f"{ch.label}：{ch.old or '—'} → {ch.new or '—'}", ""])
                # A short list shows its changes at once; a long one stays folded.
                node.setExpanded(len(changed_pairs) <= 20)
            self._more(changed, len(changed_pairs))
            same = len(c.carried) - len(changed_pairs)
            self._group(f"延续且无变化（{same}）")
            added.setExpanded(True)
            changed.setExpanded(True)
        finally:
            self.tree.setUpdatesEnabled(True)
        self.compared.emit()

    def _group(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [title, ""])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        return item

    @staticmethod
    def _more(group: QTreeWidgetItem, total: int) -> None:
        if total > LIST_LIMIT:
            item = QTreeWidgetItem(
                group,
                [f"……另有 {total - LIST_LIMIT} 个未列出（命令行 compare 可列出全部）", ""],
            )
            item.setForeground(0, _MUTED)

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
    rollover = menu.addAction("年度结转(&R)…")
    rollover.setEnabled(not window.ctx.readonly)
    rollover.triggered.connect(lambda: RolloverDialog(window.ctx, window, window).exec())
    compare = menu.addAction("年度对比(&C)…")
    compare.triggered.connect(lambda: CompareDialog(window.ctx, window, window).exec())
