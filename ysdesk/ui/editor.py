"""The project editor: every field of a project, inline validation, progress and history.

Each finished field edit is one EditProjectCommand on the undo stack, written at once. The
editor is the source of its own changes and does not reload itself for them; changes made
elsewhere reload it, unless the user is in the middle of typing: then the next write meets a
stale version and the user chooses (reload / overwrite with my values / cancel).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.deadline import deadline_display, parse_deadline
from ysdesk.domain.errors import NotFoundError, StaleEditError
from ysdesk.domain.model import Project, Status
from ysdesk.services import editing
from ysdesk.services.changes import Changes
from ysdesk.ui.commands import (
    AddProgressCommand,
    EditProjectCommand,
    InsertProjectCommand,
    Outcome,
    edit_text,
    short_name,
)
from ysdesk.ui.context import AppContext
from ysdesk.ui.history import AuditModel, ProgressModel
from ysdesk.ui.pickers import TaskPicker, UnitListEditor, ZonePicker
from ysdesk.ui.style import status_color

STALE_CHOICES = (
    ("reload", "重新载入(&R)"),
    ("overwrite", "用我的值覆盖(&O)"),
    ("cancel", "取消"),
)
EMPTY_HINT = "在左侧目录或项目表中选择一个项目，或按 Ctrl+N 新建项目。"


class CommitTextEdit(QPlainTextEdit):
    """A multi-line field that commits when it loses focus or on Ctrl+Enter."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def set_value(self, text: str) -> None:
        with QSignalBlocker(self):
            self.setPlainText(text)
        self.document().setModified(False)

    def is_modified(self) -> bool:
        return self.document().isModified()

    def _commit(self) -> None:
        if self.document().isModified():
            self.document().setModified(False)
            self.committed.emit(self.toPlainText())

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._commit()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ControlModifier:
            self._commit()
            return
        super().keyPressEvent(event)


def _error_label() -> QLabel:
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


class ProjectEditor(QWidget):
    """Shows one project (or an unsaved draft) and turns each field edit into a command."""

    project_created = Signal(int)
    draft_closed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project: Project | None = None
        self.draft: Project | None = None
        self._stale = False
        self._build()
        self.refresh_plan()
        self.show_project(None)
        ctx.changes.data_changed.connect(self._on_data_changed)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setProperty("role", "muted")
        self.notice = QLabel()
        self.notice.setProperty("role", "error")
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.code = QLineEdit()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setAccessibleName("年度")
        self.task = TaskPicker()
        self.zones = ZonePicker()
        self.deadline = QLineEdit()
        self.deadline.setPlaceholderText("如：2025年12月底前、2025年第三季度、持续推进")
        self.derived = QLabel()
        self.derived.setProperty("role", "derived")
        self.status = QComboBox()
        for status in Status:
            self.status.addItem(status.value, status.value)
        self.lead = UnitListEditor("牵头单位")
        self.co = UnitListEditor("配合单位")
        self.goal = CommitTextEdit()
        self.goal.setMinimumHeight(self.fontMetrics().height() * 4 + 12)
        self.note = CommitTextEdit()
        self.note.setMinimumHeight(self.fontMetrics().height() * 2 + 12)
        self.errors = {
            key: _error_label() for key in ("name", "task_no", "lead_units", "co_units", "other")
        }

        code_row = QHBoxLayout()
        code_row.setContentsMargins(0, 0, 0, 0)
        code_row.addWidget(self.code, 1)
        year_label = QLabel("年度(&J)")
        year_label.setBuddy(self.year)
        code_row.addWidget(year_label)
        code_row.addWidget(self.year)
        deadline_row = QHBoxLayout()
        deadline_row.setContentsMargins(0, 0, 0, 0)
        deadline_row.addWidget(self.deadline, 1)
        deadline_row.addWidget(self.derived)

        left = self._form()
        self._row(left, "项目名称(&N)", self.name, required=True, error="name")
        self._row(left, "项目编号(&C)", code_row, buddy=self.code)
        self._row(left, "重点任务(&K)", self.task, required=True, error="task_no")
        self.zones_label = self._row(left, "功能区(&G)", self.zones, buddy=None)
        self._row(left, "完成时限(&L)", deadline_row, buddy=self.deadline)
        self._row(left, "推进状态(&I)", self.status)

        middle = self._form()
        self._row(
            middle,
            "牵头单位(&Q)",
            self.lead,
            buddy=self.lead.search,
            required=True,
            error="lead_units",
        )
        self._row(middle, "配合单位(&P)", self.co, buddy=self.co.search, error="co_units")
        right = self._form()
        self._row(right, "年度目标(&M)", self.goal)
        self._row(right, "备注(&B)", self.note)

        self.save_draft_button = QPushButton("保存新项目 Ctrl+S")
        self.save_draft_button.setToolTip("保存新项目（Ctrl+S）")
        self.discard_draft_button = QPushButton("放弃新建(&X)")
        draft_bar = QHBoxLayout()
        draft_bar.setContentsMargins(0, 0, 0, 0)
        draft_bar.addWidget(self.save_draft_button)
        draft_bar.addWidget(self.discard_draft_button)
        self.draft_bar = QWidget()
        self.draft_bar.setLayout(draft_bar)

        columns = QHBoxLayout()
        columns.setSpacing(20)
        columns.addLayout(left, 5)
        columns.addLayout(middle, 4)
        columns.addLayout(right, 4)
        basic = QWidget()
        basic_layout = QVBoxLayout(basic)
        basic_layout.setContentsMargins(8, 6, 8, 6)
        basic_layout.addLayout(columns)
        basic_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(basic)
        self._basic = basic

        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, "基本信息")
        self.tabs.addTab(self._build_progress_tab(), "进展情况")
        self.tabs.addTab(self._build_history_tab(), "修改记录")

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.meta)
        header.addWidget(self.draft_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addWidget(self.errors["other"])
        layout.addWidget(self.tabs, 1)

        self.setTabOrder(self.name, self.code)
        self.setTabOrder(self.code, self.year)
        self.setTabOrder(self.year, self.task)
        # task → zone boxes → deadline is set in refresh_plan, once the boxes exist.
        self.setTabOrder(self.deadline, self.status)
        self.setTabOrder(self.status, self.lead.search)
        self.setTabOrder(self.lead.search, self.lead.remove)
        self.setTabOrder(self.lead.remove, self.lead.list)
        self.setTabOrder(self.lead.list, self.co.search)
        self.setTabOrder(self.co.search, self.co.remove)
        self.setTabOrder(self.co.remove, self.co.list)
        self.setTabOrder(self.co.list, self.goal)
        self.setTabOrder(self.goal, self.note)
        self.setTabOrder(self.note, self.save_draft_button)
        self.setTabOrder(self.save_draft_button, self.discard_draft_button)

        self.name.editingFinished.connect(lambda: self._commit("name", self.name.text()))
        self.name.textEdited.connect(self._name_edited)
        self.code.editingFinished.connect(lambda: self._commit("code", self.code.text()))
        self.year.editingFinished.connect(lambda: self._commit("year", self.year.value()))
        self.task.task_chosen.connect(lambda n: self._commit("task_no", n))
        self.zones.zones_changed.connect(lambda z: self._commit("zones", z))
        self.deadline.textChanged.connect(self._show_derived)
        self.deadline.editingFinished.connect(
            lambda: self._commit("deadline_text", self.deadline.text())
        )
        self.status.activated.connect(
            lambda i: self._commit("status", self.status.itemData(i) or "")
        )
        self.lead.units_changed.connect(lambda u: self._commit("lead_units", u))
        self.co.units_changed.connect(lambda u: self._commit("co_units", u))
        self.lead.message.connect(lambda m: self._show_error("lead_units", m))
        self.co.message.connect(lambda m: self._show_error("co_units", m))
        self.goal.committed.connect(lambda t: self._commit("goal", t))
        self.note.committed.connect(lambda t: self._commit("note", t))
        self.save_draft_button.clicked.connect(self.save_draft)
        self.discard_draft_button.clicked.connect(self.discard_draft)
        save = QShortcut(QKeySequence.Save, self, context=Qt.WidgetWithChildrenShortcut)
        save.activated.connect(self.save_draft)

    @staticmethod
    def _form() -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.DontWrapRows)
        form.setVerticalSpacing(6)
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        return form

    def _row(
        self,
        form: QFormLayout,
        text: str,
        field: Any,
        *,
        buddy: QWidget | bool | None = True,
        required: bool = False,
        error: str | None = None,
    ) -> QLabel:
        label = QLabel(text + ("＊" if required else ""))
        if required:
            label.setToolTip("必填")
        target = field if buddy is True else buddy
        if isinstance(target, QWidget):
            label.setBuddy(target)
        if error is not None:
            # The message sits under its field and takes no room while hidden.
            cell = QVBoxLayout()
            cell.setContentsMargins(0, 0, 0, 0)
            cell.setSpacing(1)
            if isinstance(field, QWidget):
                cell.addWidget(field)
            else:
                cell.addLayout(field)
            cell.addWidget(self.errors[error])
            field = cell
        form.addRow(label, field)
        return label

    def basic_height(self) -> int:
        """The height that shows the basic fields without scrolling (title, tab bar, page)."""
        margins = self.layout().contentsMargins()
        tab_bar = self.tabs.tabBar().sizeHint().height()
        frame = 2 * self.tabs.style().pixelMetric(QStyle.PM_DefaultFrameWidth)
        header = self.title.sizeHint().height() + self.layout().spacing()
        page = self._basic.sizeHint().height()
        return margins.top() + margins.bottom() + header + tab_bar + frame + page

    def _build_progress_tab(self) -> QWidget:
        self.latest = QLabel()
        self.latest.setWordWrap(True)
        self.latest.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.progress_model = ProgressModel(self)
        self.progress_view = self._table(self.progress_model, stretch=1)
        self.progress_date = QDateEdit()
        self.progress_date.setCalendarPopup(True)
        self.progress_date.setDisplayFormat("yyyy-MM-dd")
        self.progress_text = QPlainTextEdit()
        self.progress_text.setTabChangesFocus(True)
        self.progress_text.setPlaceholderText("本次进展（Ctrl+Enter 添加）")
        self.progress_text.setMaximumHeight(self.fontMetrics().height() * 3 + 12)
        self.add_progress_button = QPushButton("添加进展(&A)")
        add_row = QHBoxLayout()
        date_label = QLabel("日期")
        date_label.setBuddy(self.progress_date)
        add_row.addWidget(date_label)
        add_row.addWidget(self.progress_date)
        add_row.addWidget(self.progress_text, 1)
        add_row.addWidget(self.add_progress_button)
        self.progress_error = _error_label()
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.latest)
        layout.addWidget(self.progress_view, 1)
        layout.addLayout(add_row)
        layout.addWidget(self.progress_error)
        self.add_progress_button.clicked.connect(self.add_progress)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.progress_text)
        shortcut.setContext(Qt.WidgetShortcut)
        shortcut.activated.connect(self.add_progress)
        return tab

    def _build_history_tab(self) -> QWidget:
        self.audit_model = AuditModel(self)
        self.audit_view = self._table(self.audit_model, stretch=2)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.audit_view)
        return tab

    def _table(self, model: Any, stretch: int) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectRows)
        view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        for column in range(model.columnCount()):
            mode = QHeaderView.Stretch if column == stretch else QHeaderView.ResizeToContents
            header.setSectionResizeMode(column, mode)
        return view

    def refresh_plan(self) -> None:
        """Tasks, zones and units from the database (after opening another one)."""
        store = self.ctx.store
        self.task.set_plan(store.areas(), store.tasks())
        self.zones.set_zones(store.zones())
        units = store.units()
        self.lead.set_units(units)
        self.co.set_units(units)
        for i, box in enumerate(self.zones.boxes()):
            self.setTabOrder(self.task if i == 0 else self.zones.boxes()[i - 1], box)
        last = self.zones.boxes()[-1] if self.zones.boxes() else self.task
        self.setTabOrder(last, self.deadline)
        if self.zones.boxes():
            self.zones_label.setBuddy(self.zones.boxes()[0])

    # ---------------------------------------------------------------- showing
    @property
    def is_draft(self) -> bool:
        return self.draft is not None

    def current(self) -> Project | None:
        """The draft being created, or the project shown."""
        return self.draft if self.draft is not None else self.project

    def show_project(self, project_id: int | None) -> None:
        """Show a project from the database (None: nothing)."""
        if self.draft is not None:
            self.draft = None
            self.draft_closed.emit()
        self._stale = False
        self.notice.hide()
        project = None
        if project_id is not None:
            try:
                project = self.ctx.store.get_project(project_id)
            except NotFoundError:
                project = None
        self.project = project
        self._fill(project)
        if project is None:
            self.title.setText("（项目已删除）" if project_id is not None else "未选择项目")
            self.meta.setText(EMPTY_HINT if project_id is None else "")

    def start_draft(self, draft: Project) -> None:
        """Edit a new, unsaved project; nothing is written until 保存新项目."""
        self.project = None
        self.draft = draft
        self._stale = False
        self.notice.hide()
        self._fill(draft)
        self.tabs.setCurrentIndex(0)
        self.name.setFocus()
        self._validate_draft()

    def _fill(self, project: Project | None) -> None:
        editable = project is not None and not self.ctx.readonly
        draft = self.draft is not None
        for widget in (
            self.name,
            self.code,
            self.year,
            self.task,
            self.zones,
            self.deadline,
            self.status,
            self.lead,
            self.co,
            self.goal,
            self.note,
        ):
            widget.setEnabled(editable)
        self.draft_bar.setVisible(draft)
        for label in self.errors.values():
            label.hide()
        p = project or Project(id=None, year=self.ctx.today.year, name="", task_no=0)
        self.name.setText(p.name)
        self.name.setModified(False)
        self.code.setText(p.code)
        self.code.setModified(False)
        with QSignalBlocker(self.year):
            self.year.setValue(p.year)
        self.task.set_task_no(p.task_no)
        self.zones.set_selected(p.zones)
        self.deadline.setText(p.deadline_text)
        self.deadline.setModified(False)
        for line in (self.name, self.code, self.deadline):
            line.setCursorPosition(0)  # a long name shows its beginning, not its end
        self._show_derived()
        with QSignalBlocker(self.status):
            self.status.setCurrentIndex(max(self.status.findData(p.status.value), 0))
        self._color_status()
        self.lead.set_values(p.lead_units)
        self.co.set_values(p.co_units)
        self.goal.set_value(p.goal)
        self.note.set_value(p.note)
        self._fill_header()
        self._fill_history()

    def _fill_header(self) -> None:
        p = self.current()
        if p is None:
            return
        if self.draft is not None:
            self.title.setText(f"新建项目：{p.name or '（未命名）'}")
            self.meta.setText("尚未保存")
            return
        status = p.display_status(self.ctx.today)
        self.title.setText(f"{p.name}　[{status}]")
        self.meta.setText(f"{p.code or '无编号'} · 第 {p.version} 版 · 更新于 {p.updated_at}")
        self.meta.setToolTip(f"项目 ID {p.id}，创建于 {p.created_at}，更新于 {p.updated_at}")

    def _fill_history(self) -> None:
        p = self.project
        can_add = p is not None and not self.ctx.readonly
        self.add_progress_button.setEnabled(can_add)
        self.progress_text.setEnabled(can_add)
        self.progress_date.setEnabled(can_add)
        self.progress_date.setDate(QDate(self.ctx.today))
        self.progress_error.hide()
        if p is None:
            self.latest.setText("新项目保存后可记录进展。" if self.draft else "")
            self.progress_model.set_entries([])
            self.audit_model.set_entries([])
            return
        self.latest.setText(f"最新进展：{p.progress or '（暂无）'}")
        self.progress_model.set_entries(self.ctx.store.progress_history(p.id or 0))
        self.audit_model.set_entries(self.ctx.store.audit_log(p.id))

    def _show_derived(self) -> None:
        year = self.year.value()
        derived = parse_deadline(self.deadline.text(), year)
        self.derived.setText(f"→ {deadline_display(derived)}")

    def _color_status(self) -> None:
        color = status_color(self.status.currentText()).name()
        self.status.setStyleSheet(f"QComboBox {{ color: {color}; }}")

    # -------------------------------------------------------------- validation
    def _show_error(self, key: str, message: str) -> None:
        label = self.errors.get(key, self.errors["other"])
        label.setText(message)
        label.setVisible(bool(message))

    def _name_edited(self, text: str) -> None:
        if self.draft is not None:
            self.draft = self.draft.replace(name=text)
            self._validate_draft()
        elif self.project is not None:
            problems = editing.draft_problems(self.ctx.store, self.project.replace(name=text))
            self._show_error("name", problems.get("name", ""))

    def _validate_draft(self) -> dict[str, str]:
        assert self.draft is not None
        problems = editing.draft_problems(self.ctx.store, self.draft)
        for key in ("name", "task_no", "lead_units", "co_units"):
            self._show_error(key, problems.get(key, ""))
        self.save_draft_button.setEnabled(not problems)
        self._fill_header()
        return problems

    # ----------------------------------------------------------------- editing
    def has_pending_edits(self) -> bool:
        """Whether the user typed something not yet written (a reload would lose it)."""
        return (
            self.name.isModified()
            or self.code.isModified()
            or self.deadline.isModified()
            or self.goal.is_modified()
            or self.note.is_modified()
        )

    def _commit(self, field: str, value: Any) -> None:
        if self.draft is not None:
            self._edit_draft(field, value)
            return
        project = self.project
        if project is None or self.ctx.readonly:
            return
        if isinstance(value, str) and field not in ("goal", "note", "progress"):
            value = value.strip()
        if project.field_value(field) == value:
            self._clear_modified(field)
            return
        problems = editing.draft_problems(self.ctx.store, _with(project, field, value))
        # Lead and cooperating units are checked against each other.
        related = {"lead_units": ["co_units"], "co_units": ["lead_units"]}.get(field, [])
        blocking = [problems[k] for k in (field, *related) if k in problems]
        if blocking:
            self._show_error(field if field in self.errors else "other", blocking[0])
            return
        self._write({field: value})

    def _write(self, changes: dict[str, Any], expected_version: int | None = None) -> None:
        project = self.project
        assert project is not None and project.id is not None
        version = project.version if expected_version is None else expected_version
        command = EditProjectCommand(
            self.ctx,
            project.id,
            changes,
            expected_version=version,
            text=edit_text(project.name, list(changes)),
            source=self,
        )
        outcome = command.outcome
        self.ctx.push(command)
        self._after_write(outcome, lambda v: self._write(changes, expected_version=v))

    def _after_write(self, outcome: Outcome, overwrite: Any) -> None:
        if outcome.error is None:
            if outcome.project is not None:
                self._accept(outcome.project)
            return
        error = outcome.error
        if isinstance(error, StaleEditError):
            choice = self.ctx.prompts.choose(
                "修改冲突",
                f"{error.message}\n\n重新载入：放弃本次修改，显示最新内容。\n"
                "用我的值覆盖：以本次填写的内容为准保存。",
                STALE_CHOICES,
            )
            if choice == "reload":
                self.show_project(error.project_id)
            elif choice == "overwrite":
                overwrite(error.actual)
            return
        self._show_error("other", error.message)
        self.errors["other"].show()
        self.ctx.prompts.error("无法保存", error.message)

    def _accept(self, stored: Project) -> None:
        """Our write went through: keep the new version; show values the store normalised."""
        history = self.ctx.store.progress_history(stored.id or 0)
        self.project = stored.replace(history=tuple(history))
        self._stale = False
        self.notice.hide()
        for key in ("name", "task_no", "lead_units", "co_units", "other"):
            self._show_error(key, "")
        self.lead.set_values(stored.lead_units)
        self.co.set_values(stored.co_units)
        self.zones.set_selected(stored.zones)
        self.task.set_task_no(stored.task_no)
        self._color_status()
        for field in ("name", "code", "deadline_text", "goal", "note"):
            self._clear_modified(field)
        self._fill_header()
        self._fill_history()

    def _clear_modified(self, field: str) -> None:
        widget = {"name": self.name, "code": self.code, "deadline_text": self.deadline}.get(field)
        if widget is not None:
            widget.setModified(False)

    def _edit_draft(self, field: str, value: Any) -> None:
        assert self.draft is not None
        self.draft = _with(self.draft, field, value)
        if field in ("lead_units", "co_units"):
            (self.lead if field == "lead_units" else self.co).set_values(value)
        if field == "task_no" and not self.draft.code:
            code = editing.suggest_code(self.ctx.store, self.draft.year, value)
            self.draft = self.draft.replace(code=code)
            self.code.setText(code)
        if field == "status":
            self._color_status()
        self._validate_draft()

    def save_draft(self) -> None:
        """Write the draft as a new project (one undoable command)."""
        if self.draft is None:
            return
        # A field still being typed in has not sent editingFinished yet.
        self.draft = self.draft.replace(
            name=self.name.text().strip(),
            code=self.code.text().strip(),
            deadline_text=self.deadline.text().strip(),
            goal=self.goal.toPlainText().strip(),
            note=self.note.toPlainText().strip(),
        )
        if self._validate_draft():
            return
        command = InsertProjectCommand(
            self.ctx, self.draft, f"新建“{short_name(self.draft.name)}”", source=self
        )
        outcome = command.outcome
        self.ctx.push(command)
        if outcome.error is not None or outcome.project is None:
            message = outcome.error.message if outcome.error else "未能保存。"
            self._show_error("other", message)
            return
        self.draft = None
        self.show_project(outcome.project.id)
        self.project_created.emit(outcome.project.id)

    def discard_draft(self) -> None:
        if self.draft is None:
            return
        self.draft = None
        self.show_project(None)
        self.draft_closed.emit()

    def add_progress(self, expected_version: int | None = None) -> None:
        """Add the typed progress entry with its date (one undoable command)."""
        project = self.project
        if project is None or project.id is None or self.ctx.readonly:
            return
        text = self.progress_text.toPlainText().strip()
        if not text:
            self.progress_error.setText("请填写本次进展。")
            self.progress_error.show()
            return
        version = project.version if expected_version is None else expected_version
        command = AddProgressCommand(
            self.ctx,
            project.id,
            self.progress_date.date().toString("yyyy-MM-dd"),
            text,
            expected_version=version,
            project_name=project.name,
            source=self,
        )
        outcome = command.outcome
        self.ctx.push(command)
        if outcome.error is None:
            self.progress_text.clear()
            if outcome.project is not None:
                self._accept(outcome.project)
            return
        if isinstance(outcome.error, StaleEditError):
            self._after_write(outcome, lambda v: self.add_progress(expected_version=v))
            return
        self.progress_error.setText(outcome.error.message)
        self.progress_error.show()

    # ----------------------------------------------------------------- changes
    def _on_data_changed(self, change: Changes) -> None:
        if change.source is self or self.draft is not None or self.project is None:
            if change.plan and change.source is not self:
                self.refresh_plan()
            return
        if change.plan:
            self.refresh_plan()
        if not change.touches(self.project.id):
            return
        if self.has_pending_edits():
            # Keep what the user is typing; the write will meet the new version and ask.
            self._stale = True
            self.notice.setText("此项目刚在别处被修改；保存本次修改时将请您选择如何处理。")
            self.notice.show()
            return
        self.show_project(self.project.id)


def _with(project: Project, field: str, value: Any) -> Project:
    """A copy of a project with one field set from an editor value."""
    if field == "status":
        parsed = Status.parse(value) or project.status
        return project.replace(status=parsed)
    if field in ("zones", "lead_units", "co_units"):
        return project.replace(**{field: tuple(value)})
    return project.replace(**{field: value})
