"""One QUndoCommand per user edit; redo and undo call ysdesk.services.editing, then broadcast.

A command that fails (a stale version, a rule broken) records the error in its Outcome and
makes itself obsolete, so the stack drops it; whoever pushed it reads the Outcome and asks
the user what to do. The widget that pushed a command is its `source` for the first redo
only: it already shows the new values; after undo/redo every view refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import FIELD_LABELS, Project
from ysdesk.services import editing
from ysdesk.ui.context import AppContext, Change


@dataclass
class Outcome:
    """What the last redo/undo of a command did: the project as stored, or the error."""

    project: Project | None = None
    error: UserError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def short_name(name: str, limit: int = 14) -> str:
    """A project name short enough for an undo menu entry."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def edit_text(project_name: str, fields: list[str] | tuple[str, ...]) -> str:
    """ "修改“名称”的推进状态" — what 撤销/重做 entries say."""
    labels = "、".join(FIELD_LABELS.get(f, f) for f in fields)
    return f"修改“{short_name(project_name)}”的{labels}"


class MacroCommand(QUndoCommand):
    """A multi-row edit: child commands, one transaction, one broadcast, one undo step."""

    def __init__(self, ctx: AppContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        # Plain Python children, not Qt child commands: PySide would let the Python side
        # delete a Qt-parented child that its parent deletes again.
        self.commands: list[QUndoCommand] = []

    def redo(self) -> None:
        with self.ctx.batch(), self.ctx.store.atomic():
            for command in self.commands:
                command.redo()

    def undo(self) -> None:
        with self.ctx.batch(), self.ctx.store.atomic():
            for command in reversed(self.commands):
                command.undo()


class _Command(QUndoCommand):
    """Common bookkeeping: the context, the outcome, failure handling."""

    def __init__(
        self,
        ctx: AppContext,
        text: str,
        source: object = None,
        macro: MacroCommand | None = None,
    ) -> None:
        super().__init__(text)
        if macro is not None:
            macro.commands.append(self)
        self.ctx = ctx
        self.source = source
        self.outcome = Outcome()
        self._first = True
        self.failed = False  # a child of a macro that failed stays in it and does nothing

    def _succeed(self, project: Project | None) -> None:
        # The pusher holds this Outcome object (the command may be gone): update it in place.
        self.outcome.project = project
        self.outcome.error = None
        if project is not None and project.id is not None:
            self.ctx.versions[project.id] = project.version

    def _expected(self, project_id: int) -> int | None:
        """The version undo/redo expects: the one the stack last wrote."""
        return self.ctx.versions.get(project_id)

    def _fail(self, exc: UserError, doing: str) -> None:
        self.outcome.error = exc
        self.failed = True
        # The stack drops an obsolete command; the data is as it was before this step.
        self.setObsolete(True)
        if not self._first:
            self.ctx.prompts.error(f"无法{doing}", f"无法{doing}“{self.text()}”：{exc.message}")

    def _broadcast(self, *ids: int | None, structure: bool) -> None:
        source = self.source if self._first else None
        self.ctx.notify(Change.of_projects(*ids, structure=structure, source=source))


class EditProjectCommand(_Command):
    """Field changes of one project (a move to another task is one too)."""

    def __init__(
        self,
        ctx: AppContext,
        project_id: int,
        changes: dict[str, Any],
        *,
        expected_version: int | None,
        text: str,
        source: object = None,
        macro: MacroCommand | None = None,
    ) -> None:
        super().__init__(ctx, text, source, macro)
        self.project_id = project_id
        self.changes = dict(changes)
        self.expected_version = expected_version
        self.change: editing.FieldChange | None = None

    def redo(self) -> None:
        try:
            if self.change is None:
                self.change = editing.apply_changes(
                    self.ctx.store,
                    self.project_id,
                    self.changes,
                    expected_version=self.expected_version,
                )
            else:
                self.change = editing.apply_changes(
                    self.ctx.store,
                    self.project_id,
                    self.change.new,
                    expected_version=self._expected(self.project_id),
                )
        except UserError as exc:
            self._fail(exc, "重做" if not self._first else "保存")
            return
        self._succeed(self.change.project)
        if not self.change.changed and self._first:
            self.setObsolete(True)  # nothing changed: nothing to undo, nothing to tell
            return
        self._broadcast(self.project_id, structure=editing.is_structural(self.change.new))
        self._first = False

    def undo(self) -> None:
        if self.change is None:
            return
        try:
            project = editing.undo_changes(
                self.ctx.store, self.change, expected_version=self._expected(self.project_id)
            )
        except UserError as exc:
            self._fail(exc, "撤销")
            return
        self._succeed(project)
        self._broadcast(self.project_id, structure=editing.is_structural(self.change.old))


class AddProgressCommand(_Command):
    """A dated progress entry; undo takes the entry back out of the history."""

    def __init__(
        self,
        ctx: AppContext,
        project_id: int,
        date_text: str,
        text: str,
        *,
        expected_version: int | None,
        project_name: str,
        source: object = None,
        macro: MacroCommand | None = None,
    ) -> None:
        super().__init__(ctx, f"为“{short_name(project_name)}”添加进展", source, macro)
        self.project_id = project_id
        self.date_text = date_text
        self.entry_text = text
        self.expected_version = expected_version
        self.added: editing.ProgressAdded | None = None

    def redo(self) -> None:
        version = self.expected_version if self.added is None else self._expected(self.project_id)
        try:
            self.added = editing.add_progress(
                self.ctx.store,
                self.project_id,
                self.date_text,
                self.entry_text,
                expected_version=version,
            )
        except UserError as exc:
            self._fail(exc, "重做" if not self._first else "添加进展")
            return
        self._succeed(self.added.project)
        self._broadcast(self.project_id, structure=False)
        self._first = False

    def undo(self) -> None:
        if self.added is None:
            return
        try:
            project = editing.undo_progress(
                self.ctx.store, self.added, expected_version=self._expected(self.project_id)
            )
        except UserError as exc:
            self._fail(exc, "撤销")
            return
        self._succeed(project)
        self._broadcast(self.project_id, structure=False)


class InsertProjectCommand(_Command):
    """A new or duplicated project; redo after undo brings back the same id."""

    def __init__(
        self,
        ctx: AppContext,
        draft: Project,
        text: str,
        source: object = None,
        macro: MacroCommand | None = None,
    ) -> None:
        super().__init__(ctx, text, source, macro)
        self.draft = draft
        self.project_id: int | None = None
        self.deleted: editing.Deleted | None = None

    def redo(self) -> None:
        try:
            if self.deleted is None:
                project = editing.create_project(self.ctx.store, self.draft)
            else:
                project = editing.restore_project(self.ctx.store, self.deleted)
        except UserError as exc:
            self._fail(exc, "重做" if not self._first else "新建项目")
            return
        self.project_id = project.id
        self._succeed(project)
        self._broadcast(project.id, structure=True)
        self._first = False

    def undo(self) -> None:
        if self.project_id is None:
            return
        try:
            self.deleted = editing.delete_project(
                self.ctx.store, self.project_id, expected_version=self._expected(self.project_id)
            )
        except UserError as exc:
            self._fail(exc, "撤销")
            return
        self._succeed(None)
        self._broadcast(self.project_id, structure=True)


class DeleteProjectCommand(_Command):
    """Delete one project; undo restores it with its id, history and place."""

    def __init__(
        self,
        ctx: AppContext,
        project_id: int,
        *,
        expected_version: int | None,
        project_name: str,
        source: object = None,
        macro: MacroCommand | None = None,
    ) -> None:
        super().__init__(ctx, f"删除“{short_name(project_name)}”", source, macro)
        self.project_id = project_id
        self.expected_version = expected_version
        self.deleted: editing.Deleted | None = None

    def redo(self) -> None:
        version = self.expected_version if self._first else self._expected(self.project_id)
        try:
            self.deleted = editing.delete_project(
                self.ctx.store, self.project_id, expected_version=version
            )
        except UserError as exc:
            self._fail(exc, "重做" if not self._first else "删除")
            return
        self._succeed(None)
        self._broadcast(self.project_id, structure=True)
        self._first = False

    def undo(self) -> None:
        if self.deleted is None:
            return
        try:
            project = editing.restore_project(self.ctx.store, self.deleted)
        except UserError as exc:
            self._fail(exc, "撤销")
            return
        self._succeed(project)
        self._broadcast(self.project_id, structure=True)
