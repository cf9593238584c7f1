"""Project actions (new, duplicate, delete, move, set status) as QActions pushing commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import Status
from ysdesk.services import editing
from ysdesk.ui.commands import (
    DeleteProjectCommand,
    EditProjectCommand,
    InsertProjectCommand,
    MacroCommand,
    Outcome,
    short_name,
)
from ysdesk.ui.context import AppContext
from ysdesk.ui.editor import ProjectEditor
from ysdesk.ui.navigation import NavigationPanel
from ysdesk.ui.project_data import ProjectData
from ysdesk.ui.project_table import ProjectTable
from ysdesk.ui.style import icon


class ProjectActions(QObject):
    """The edit actions of the window; each user action is one command or one macro."""

    def __init__(
        self,
        ctx: AppContext,
        data: ProjectData,
        table: ProjectTable,
        navigation: NavigationPanel,
        editor: ProjectEditor,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.data = data
        self.table = table
        self.navigation = navigation
        self.editor = editor
        self.new = QAction(icon("new"), "新建项目(&N)", window)
        self.new.setShortcut(QKeySequence.New)
        self.new.setToolTip("新建项目（Ctrl+N）：预填当前选中的重点任务、功能区或单位")
        self.duplicate = QAction(icon("duplicate"), "创建副本(&C)", window)
        self.duplicate.setShortcut(QKeySequence("Ctrl+D"))
        self.duplicate.setToolTip("复制当前项目为新项目（Ctrl+D）")
        self.delete = QAction(icon("delete"), "删除项目(&D)…", window)
        self.delete.setShortcut(QKeySequence.Delete)
        # Delete in a text field deletes text: the shortcut belongs to the table and trees.
        self.delete.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.delete.setToolTip("删除选中的项目（Delete），可撤销")
        self.status_menu = QMenu("设置状态(&S)", window)
        self.status_actions: list[QAction] = []
        for number, status in enumerate(Status, start=1):
            action = QAction(f"{status.value}(&{number})", window)
            action.setShortcut(QKeySequence(f"Ctrl+Alt+{number}"))
            action.triggered.connect(lambda _=False, s=status: self.set_status(s))
            self.status_menu.addAction(action)
            self.status_actions.append(action)
        for view in (table.view, *navigation.views.values()):
            view.addAction(self.delete)
        for action in (self.new, self.duplicate):
            table.view.addAction(action)
        table.view.addAction(self.status_menu.menuAction())
        self.new.triggered.connect(self.new_project)
        self.duplicate.triggered.connect(self.duplicate_project)
        self.delete.triggered.connect(self.delete_projects)
        navigation.move_requested.connect(self.move_projects)
        table.current_project_changed.connect(lambda _pid: self.update_enabled())
        table.view.selectionModel().selectionChanged.connect(lambda *_: self.update_enabled())
        self.update_enabled()

    def update_enabled(self) -> None:
        writable = not self.ctx.readonly
        has_current = self.table.current_project_id() is not None
        selected = bool(self._targets())
        self.new.setEnabled(writable)
        self.duplicate.setEnabled(writable and has_current)
        self.delete.setEnabled(writable and selected)
        self.status_menu.setEnabled(writable and selected)

    def _targets(self) -> list[int]:
        """The selected projects, or the current one."""
        ids = self.table.selected_ids()
        if ids:
            return ids
        node = self.navigation.current_node()
        if self.navigation.view().hasFocus() and node is not None and node.project_id:
            return [node.project_id]
        current = self.table.current_project_id()
        return [current] if current is not None else []

    # ----------------------------------------------------------------- actions
    def new_project(self) -> None:
        """Open a draft in the editor, pre-filled from the selected tree node."""
        task_no = zone = unit = None
        node = self.navigation.current_node()
        while node is not None:
            if node.kind == "task" and task_no is None:
                task_no = node.key if isinstance(node.key, int) else None
            elif node.kind == "zone" and zone is None and node.key:
                zone = str(node.key)
            elif node.kind == "unit" and unit is None:
                unit = str(node.key)
            node = node.parent
        draft = editing.new_draft(
            self.ctx.store, self.data.year, task_no=task_no, zone=zone, lead_unit=unit
        )
        self.editor.start_draft(draft)

    def duplicate_project(self) -> int | None:
        """Insert a copy of the current project and select it."""
        pid = self.table.current_project_id()
        if pid is None:
            return None
        try:
            draft = editing.duplicate_draft(self.ctx.store, pid)
        except UserError as exc:
            self.ctx.prompts.error("无法创建副本", exc.message)
            return None
        command = InsertProjectCommand(self.ctx, draft, f"创建“{short_name(draft.name)}”")
        outcome = command.outcome
        self.ctx.push(command)
        return self._select_new(outcome)

    def _select_new(self, outcome: Outcome) -> int | None:
        if outcome.error is not None:
            self.ctx.prompts.error("操作未完成", outcome.error.message)
            return None
        if outcome.project is None or outcome.project.id is None:
            return None
        if not self.table.select_project(outcome.project.id):
            self.editor.show_project(outcome.project.id)
        return outcome.project.id

    def delete_projects(self) -> bool:
        """Delete the selected projects after confirmation (one undoable step)."""
        ids = self._targets()
        if not ids:
            return False
        projects = self.ctx.store.get_projects(ids)
        ids = [i for i in ids if i in projects]
        if not ids:
            return False
        if len(ids) == 1:
            question = f"确定删除项目“{projects[ids[0]].name}”吗？"
        else:
            question = f"确定删除选中的 {len(ids)} 个项目吗？"
        question += "\n删除后可用“撤销”（Ctrl+Z）恢复。"
        if not self.ctx.prompts.confirm("删除项目", question, ok="删除"):
            return False
        try:
            editing.backup_before_deleting(self.ctx.store, len(ids))
        except UserError as exc:
            self.ctx.prompts.error("删除项目", f"删除前未能备份，未删除：{exc.message}")
            return False
        outcomes = self._push_all(
            f"删除 {len(ids)} 个项目",
            ids,
            lambda pid, macro: DeleteProjectCommand(
                self.ctx,
                pid,
                expected_version=projects[pid].version,
                project_name=projects[pid].name,
                macro=macro,
            ),
        )
        errors = [o.error.message for o in outcomes if o.error is not None]
        if errors:
            self.ctx.prompts.error("部分项目未删除", "\n".join(errors))
        return not errors

    def _push_all(
        self,
        text: str,
        items: Sequence[Any],
        make: Callable[[Any, MacroCommand | None], Any],
    ) -> list[Outcome]:
        """Push one command, or several as one macro (one undo step, one refresh)."""
        if len(items) == 1:
            command = make(items[0], None)
            outcome = command.outcome
            self.ctx.push(command)
            return [outcome]
        macro = MacroCommand(self.ctx, text)
        outcomes = [make(item, macro).outcome for item in items]
        self.ctx.push(macro)
        return outcomes

    def move_projects(self, ids: Sequence[int], task_no: int) -> int:
        """Move projects to another task (drag and drop in the task tree); returns how many."""
        if self.ctx.readonly:
            return 0
        projects = self.ctx.store.get_projects(list(ids))
        moving = [projects[i] for i in ids if i in projects and projects[i].task_no != task_no]
        if not moving:
            return 0
        outcomes = self._push_all(
            f"将 {len(moving)} 个项目移到第 {task_no} 项任务",
            moving,
            lambda p, macro: EditProjectCommand(
                self.ctx,
                p.id or 0,
                {"task_no": task_no},
                expected_version=p.version,
                text=f"将“{short_name(p.name)}”移到第 {task_no} 项任务",
                macro=macro,
            ),
        )
        return sum(o.error is None for o in outcomes)

    def set_status(self, status: Status) -> int:
        """Set the status of the selected projects (a macro when several)."""
        ids = self._targets()
        projects = self.ctx.store.get_projects(ids)
        changing = [projects[i] for i in ids if i in projects and projects[i].status is not status]
        if not changing or self.ctx.readonly:
            return 0
        outcomes = self._push_all(
            f"将 {len(changing)} 个项目设为“{status.value}”",
            changing,
            lambda p, macro: EditProjectCommand(
                self.ctx,
                p.id or 0,
                {"status": status.value},
                expected_version=p.version,
                text=f"将“{short_name(p.name)}”设为“{status.value}”",
                macro=macro,
            ),
        )
        return sum(o.error is None for o in outcomes)
