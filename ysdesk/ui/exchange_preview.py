"""The import preview: every row of a returned sheet with its action and field changes.

The user ticks the rows to apply and, for conflicts, the fields that take the sheet's value;
applying pushes one ImportCommand, so 撤销 puts the whole import back.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.services.changes import Changes
from ysdesk.services.importer import (
    ACTION_LABELS,
    ACTIONS,
    CONFLICT,
    ERROR,
    NEW,
    UPDATE,
    ColumnsError,
    FieldChange,
    ImportChoices,
    ImportPreview,
    ImportReceipt,
    PreviewRow,
    apply_import,
    describe_value,
    revert_import,
)
from ysdesk.services.progress import Cancelled, NullProgress, Progress
from ysdesk.store import Store
from ysdesk.ui.column_strip import ColumnStrip, ReadRequest
from ysdesk.ui.context import UNDO_BLOCKED, AppContext
from ysdesk.ui.row_model import RowTableModel
from ysdesk.ui.style import fit_size
from ysdesk.ui.writes import WriteOp

Index = QModelIndex | QPersistentModelIndex
ActionRole = Qt.UserRole + 1
APPLICABLE = (NEW, UPDATE, CONFLICT)
ACTION_COLOURS = {
    NEW: QColor("#d1fae5"),
    UPDATE: QColor("#dbeafe"),
    CONFLICT: QColor("#fde68a"),
    ERROR: QColor("#fecaca"),
}
_MUTED = QColor("#6b7280")
_VALUE_CHARS = 40


def _short(value: Any) -> str:
    text = describe_value(value).replace("\n", " ")
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def change_line(change: FieldChange) -> str:
    """ "推进状态：推进中 → 已完成" (values shortened), marked when it is a conflict."""
    mark = "【冲突】" if change.conflict else ""
    return f"{change.label}{mark}：{_short(change.old)} → {_short(change.new)}"


class Selection:
    """What the user chose: the rows to apply and, per row, conflicting fields from the sheet."""

    def __init__(self, preview: ImportPreview) -> None:
        self.rows = {r.row for r in preview.rows if r.action in APPLICABLE}
        self.take_sheet: dict[int, set[str]] = {}

    def choices(self) -> ImportChoices:
        return ImportChoices(
            rows=set(self.rows), take_sheet={r: set(f) for r, f in self.take_sheet.items()}
        )


class PreviewRowsModel(RowTableModel):
    """One line per sheet row: tick, row number, action (word and colour), name, changes."""

    HEADERS = ("导入", "行", "结果", "项目名称", "变更（数据库 → 表格）", "说明")
    ticked_changed = Signal()

    def __init__(self, preview: ImportPreview, selection: Selection, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(preview.rows)
        self._selection = selection

    def set_preview(self, preview: ImportPreview, selection: Selection) -> None:
        """Show another preview of the same file (read again with other columns)."""
        self._selection = selection
        self.set_rows(preview.rows)

    def preview_row(self, row: int) -> PreviewRow:
        return self.row_item(row)

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == ActionRole:
            return item.action
        if role == Qt.CheckStateRole and column == 0 and item.action in APPLICABLE:
            return Qt.Checked if item.row in self._selection.rows else Qt.Unchecked
        if role == Qt.DisplayRole:
            if column == 1:
                return item.row
            if column == 2:
                return ACTION_LABELS[item.action]
            if column == 3:
                return item.project.name if item.project is not None else ""
            if column == 4:
                return "\n".join(change_line(c) for c in item.changes)
            if column == 5:
                return "；".join(item.messages)
            return None
        if role == Qt.BackgroundRole and column == 2:
            return ACTION_COLOURS.get(item.action)
        if role == Qt.ForegroundRole and item.action not in APPLICABLE and column != 5:
            return _MUTED
        if role == Qt.ToolTipRole and column in (4, 5):
            if column == 4:
                return "\n".join(
                    f"{c.label}：{describe_value(c.old)} → {describe_value(c.new)}"
                    for c in item.changes
                )
            return "\n".join(item.messages) or None
        if role == Qt.TextAlignmentRole and column in (1, 2):
            return int(Qt.AlignCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.EditRole) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.CheckStateRole:
            return False
        item = self._rows[index.row()]
        if item.action not in APPLICABLE:
            return False
        if value in (Qt.Checked, Qt.Checked.value, 2, True):
            self._selection.rows.add(item.row)
        else:
            self._selection.rows.discard(item.row)
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        self.ticked_changed.emit()
        return True

    def set_all(self, ticked: bool) -> None:
        """Tick or untick every row that can be applied."""
        applicable = {r.row for r in self._rows if r.action in APPLICABLE}
        self._selection.rows = applicable if ticked else set()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, 0), [Qt.CheckStateRole]
            )
        self.ticked_changed.emit()

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == 0 and self._rows[index.row()].action in APPLICABLE:
            flags |= Qt.ItemIsUserCheckable
        return flags


class ActionFilter(QSortFilterProxyModel):
    """Shows the rows of one action (or all), by the model's ActionRole."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFilterRole(ActionRole)
        self.setFilterKeyColumn(0)

    def set_action(self, action: str) -> None:
        self.setFilterRegularExpression(QRegularExpression(f"^{action}$" if action else ""))


class ChangesModel(RowTableModel):
    """The field changes of one row; a conflict has a box: tick to take the sheet's value."""

    HEADERS = ("采用表格值", "字段", "数据库现值", "表格中的值", "导出时的值")

    def __init__(self, selection: Selection, parent: Any = None) -> None:
        super().__init__(parent)
        self._selection = selection
        self._row: PreviewRow | None = None

    def set_selection(self, selection: Selection) -> None:
        """The choices of another preview (read again with other columns)."""
        self._selection = selection

    def set_row(self, row: PreviewRow | None) -> None:
        self._row = row
        self.set_rows(row.changes if row is not None else [])

    def _changes(self) -> list[FieldChange]:
        return self._rows

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid() or self._row is None:
            return None
        change = self._changes()[index.row()]
        column = index.column()
        picked = self._selection.take_sheet.get(self._row.row, set())
        if role == Qt.CheckStateRole and column == 0 and change.conflict:
            return Qt.Checked if change.field in picked else Qt.Unchecked
        if role == Qt.DisplayRole:
            if column == 0:
                return "" if change.conflict else "自动"
            if column == 1:
                return change.label
            value = (change.old, change.new, change.base)[column - 2]
            if column == 4 and self._row.action != CONFLICT and change.base is None:
                return "—"
            return describe_value(value)
        if role == Qt.BackgroundRole and change.conflict and column == 1:
            return ACTION_COLOURS[CONFLICT]
        if role == Qt.ToolTipRole and column == 0:
            if change.conflict:
                return (
                    "冲突：导出后数据库和表格都改了这一项。"
                    "勾选则采用表格中的值，否则保留数据库现值。"
                )
            return "只有表格改了这一项，导入时自动采用表格中的值。"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.EditRole) -> bool:
        if not index.isValid() or self._row is None or role != Qt.CheckStateRole:
            return False
        change = self._changes()[index.row()]
        if index.column() != 0 or not change.conflict:
            return False
        picked = self._selection.take_sheet.setdefault(self._row.row, set())
        if value in (Qt.Checked, Qt.Checked.value, 2, True):
            picked.add(change.field)
        else:
            picked.discard(change.field)
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self._row is None:
            return Qt.NoItemFlags
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == 0 and self._changes()[index.row()].conflict:
            flags |= Qt.ItemIsUserCheckable
        return flags


class ImportCommand(QUndoCommand):
    """Applying an import as one undo step: redo applies, undo reverts all of it."""

    def __init__(
        self,
        ctx: AppContext,
        preview: ImportPreview,
        choices: ImportChoices,
        applied: ImportReceipt | None = None,
    ) -> None:
        """`applied`: the receipt of the first apply when a worker already wrote it; the
        stack's first redo then only tells the views."""
        super().__init__(f"导入“{preview.file_name}”")
        self.ctx = ctx
        self.preview = preview
        self.choices = choices
        self.receipt: ImportReceipt | None = applied
        self.error: UserError | None = None
        self._versions: dict[int, int] | None = None  # as the last undo left them
        self._written = applied is not None
        self.blocked = False  # a write outside the stack (a sync) changed its projects

    def block(self, project_ids: frozenset[int]) -> None:
        """Refuse from now on when a write outside the stack changed the imported projects."""
        if self.receipt is not None and project_ids & set(self.receipt.project_ids):
            self.blocked = True

    def redo(self) -> None:
        if self.blocked:
            self._fail(UserError(UNDO_BLOCKED), False, "重做导入")
            return
        if self._written:
            self._written = False
            self._applied()
            return
        first = self.receipt is None
        try:
            self.receipt = apply_import(
                self.ctx.store,
                self.preview,
                self.choices,
                expected_versions=self._versions,
                backup=first,
            )
        except UserError as exc:
            self._fail(exc, first, "导入" if first else "重做导入")
            return
        self._applied()

    def _applied(self) -> None:
        assert self.receipt is not None
        self._tell(self.receipt.changes)

    def undo(self) -> None:
        if self.receipt is None:
            return
        try:
            if self.blocked:
                raise UserError(UNDO_BLOCKED)
            self._versions = revert_import(self.ctx.store, self.receipt)
        except UserError as exc:
            self._fail(exc, False, "撤销导入")
            return
        self._tell(self.receipt.reverted_changes(self._versions))

    def _fail(self, exc: UserError, first: bool, doing: str) -> None:
        self.error = exc
        self.setObsolete(True)
        if not first:
            self.ctx.prompts.error(
                f"无法{doing}", f"无法{doing}“{self.preview.file_name}”：{exc.message}"
            )

    def _tell(self, changes: Changes) -> None:
        """Record the versions the stack now expects, then broadcast."""
        for project_id in changes.removed:
            self.ctx.versions.pop(project_id, None)
        self.ctx.versions.update(changes.versions)
        self.ctx.notify(changes)


class ImportPreviewDialog(QDialog):
    """Rows of the sheet with what each would do; tick, filter, and apply. Above the rows,
    how each column was read: changing it re-reads the sheet (in the window's worker)."""

    applied = Signal(object)  # the ImportReceipt
    reread_done = Signal()  # a re-read ended (its preview shown, or its refusal said)

    def __init__(
        self,
        ctx: AppContext,
        preview: ImportPreview,
        parent: QWidget | None = None,
        *,
        reader: Any = None,
    ):
        """`reader`: how to read the file again for a ReadRequest (ui.exchange_actions'
        SheetReader); without one the strip only shows how the columns were read."""
        super().__init__(parent)
        self.ctx = ctx
        self.reader = reader
        self.preview = preview
        self.selection = Selection(preview)
        self.setWindowTitle(f"导入预览 — {preview.file_name}")
        fit_size(self, 1280, 760)

        self.head = QLabel()
        self.strip = ColumnStrip()
        self.strip.setEnabled(reader is not None)
        self.strip.reread.connect(self.reread)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #92400e;")

        self.model = PreviewRowsModel(preview, self.selection, self)
        self.proxy = ActionFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column, width in enumerate((44, 48, 64, 280, 420)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(5, QHeaderView.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)

        self.changes = ChangesModel(self.selection, self)
        self.changes_view = QTableView()
        self.changes_view.setModel(self.changes)
        self.changes_view.verticalHeader().setVisible(False)
        self.changes_view.setWordWrap(True)
        for column, width in enumerate((84, 90, 300, 300)):
            self.changes_view.setColumnWidth(column, width)
        self.changes_view.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        self.changes_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)

        self.filter = QComboBox()
        self.filter.currentIndexChanged.connect(
            lambda: self.proxy.set_action(self.filter.currentData() or "")
        )
        select_all = QPushButton("全选")
        select_all.clicked.connect(lambda: self.model.set_all(True))
        select_none = QPushButton("全不选")
        select_none.clicked.connect(lambda: self.model.set_all(False))
        self.apply_button = QPushButton()
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("显示："))
        bar.addWidget(self.filter)
        bar.addWidget(select_all)
        bar.addWidget(select_none)
        bar.addStretch(1)
        self.summary = QLabel()
        bar.addWidget(self.summary)
        bar.addWidget(self.apply_button)
        bar.addWidget(close)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.detail_title = QLabel("选中一行查看逐字段变更；冲突项勾选后采用表格中的值。")
        lower_layout.addWidget(self.detail_title)
        lower_layout.addWidget(self.changes_view)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([520, 200])

        layout = QVBoxLayout(self)
        layout.addWidget(self.head)
        layout.addWidget(self.strip)
        layout.addWidget(self.notes)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.ticked_changed.connect(self._update_summary)
        self._show(preview)
        if ctx.readonly:
            self.apply_button.setEnabled(False)
            self.apply_button.setToolTip("数据库以只读方式打开，不能导入。")

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.table.setFocus()  # not the strip's header-row box: typing there re-reads

    def _show(self, preview: ImportPreview) -> None:
        """Show a preview: the first one, or the one a re-read made."""
        self.preview = preview
        self.selection = Selection(preview)
        counts = preview.counts()
        unit = f"，限“{preview.unit}”牵头的项目" if preview.unit else ""
        sheet = f"工作表“{preview.sheet}”，" if preview.sheet else ""
        self.head.setText(
            f"<b>{preview.file_name}</b>（{sheet}{preview.year} 年度{unit}）　"
            + "　".join(f"{ACTION_LABELS[a]} {counts[a]}" for a in ACTIONS)
        )
        self.strip.show_reading(
            preview.columns,
            sheets=preview.sheets,
            sheet=preview.sheet,
            header_row=preview.header_row,
        )
        messages = list(preview.messages)
        if not preview.rows and self.reader is not None:
            messages.append(
                "请在上方为各列选择对应的字段"
                + ("，或选择工作表" if len(preview.sheets) > 1 else "")
                + "，预览随之重新读取。"
            )
        self.notes.setText("\n".join(messages))
        self.notes.setVisible(bool(messages))
        self.model.set_preview(preview, self.selection)
        self.changes.set_selection(self.selection)
        self.changes.set_row(None)
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem("全部", "")
        for action in ACTIONS:
            self.filter.addItem(f"{ACTION_LABELS[action]}（{counts[action]}）", action)
        self.filter.blockSignals(False)
        self.proxy.set_action("")
        self._update_summary()

    # ------------------------------------------------------------------ re-reading
    def reread(self, request: ReadRequest) -> None:
        """Read the sheet again as the strip now asks (in the worker, with progress)."""
        if self.reader is None:
            return
        try:
            work = self.reader.work(request)
        except UserError as exc:  # a field picked twice: said before anything is read
            self._reread_failed(exc)
            self._reread_settled()
            return
        self.strip.setEnabled(False)
        self.apply_button.setEnabled(False)
        if self.ctx.tasks is None:
            try:
                result = work(NullProgress())
            except UserError as exc:
                self._reread_failed(exc)
            else:
                self._reread(result)
            self._reread_settled()
            return
        task = self.ctx.tasks.run("重新读取表格", work, self._reread, self._reread_failed, self)
        # Also after 取消, which reaches neither callback: the strip and 导入 come back.
        task.done.connect(self._reread_settled)

    def _reread(self, result: Any) -> None:
        self._show(self.reader.finish(result))

    def _reread_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ColumnsError):
            self._show(self.reader.unread(exc))
        elif isinstance(exc, UserError):
            if not isinstance(exc, Cancelled):
                self.ctx.prompts.error("重新读取表格", exc.message)
        else:  # a bug: the application's excepthook logs it and tells the user
            sys.excepthook(type(exc), exc, exc.__traceback__)

    def _reread_settled(self) -> None:
        self.strip.setEnabled(True)
        self._update_summary()
        self.reread_done.emit()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.changes.set_row(None)
            return
        row = self.model.preview_row(self.proxy.mapToSource(current).row())
        self.changes.set_row(row)
        name = row.project.name if row.project is not None else ""
        self.detail_title.setText(f"第 {row.row} 行 {ACTION_LABELS[row.action]}：{name}")

    def _update_summary(self) -> None:
        count = len(self.selection.rows)
        self.apply_button.setText(f"导入选中的 {count} 行")
        self.apply_button.setEnabled(bool(count) and not self.ctx.readonly)
        conflicts = sum(
            1 for r in self.preview.rows if r.action == CONFLICT and r.row in self.selection.rows
        )
        self.summary.setText(f"其中冲突 {conflicts} 行" if conflicts else "")

    def select_row(self, sheet_row: int) -> bool:
        """Make the row of this sheet row current (it must pass the filter)."""
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if self.model.preview_row(self.proxy.mapToSource(index).row()).row == sheet_row:
                self.table.setCurrentIndex(index)
                return True
        return False

    def apply(self) -> ImportReceipt | None:
        """Apply the ticked rows as one undoable step; the dialog closes when it worked.

        The backup and the write run in the window's worker (a large return does not freeze
        the window); `applied` fires when they are done. Returns the receipt when the write
        was done here (no worker), else None.
        """
        choices = self.selection.choices()
        self.apply_button.setEnabled(False)
        done: list[ImportReceipt] = []

        def write(store: Store, progress: Progress) -> ImportReceipt:
            return apply_import(store, self.preview, choices, progress=progress)

        def written(receipt: ImportReceipt) -> None:
            # The command's first redo records the versions and tells the views.
            self.ctx.push(ImportCommand(self.ctx, self.preview, choices, applied=receipt))
            done.append(receipt)
            self._report(receipt)

        def refused(exc: UserError) -> None:
            self._update_summary()
            if not isinstance(exc, Cancelled):
                self.ctx.prompts.error("无法导入", exc.message)

        WriteOp(self.ctx, self, "导入", write, broadcast=False).success(written).failure(
            refused
        ).run(source=self)
        return done[0] if done else None

    def _report(self, receipt: ImportReceipt) -> None:
        c = receipt.counts
        kept = f"，{c['conflict_kept']} 处冲突保留了数据库现值" if c["conflict_kept"] else ""
        self.ctx.prompts.info(
            "导入完成",
            f"已导入“{self.preview.file_name}”：新增 {c['new']} 个项目，"
            f"更新 {c['update']} 个{kept}。\n可在“编辑 → 撤销”中撤销整次导入。",
        )
        self.applied.emit(receipt)
        self.accept()
