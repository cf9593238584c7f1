"""One QUndoCommand per user edit: redo and undo call ysdesk.services.editing and broadcast
the Changes it returns.

A command that fails (a stale version, a rule broken) records the error in its Outcome and
makes itself obsolete, so the stack drops it; whoever pushed it reads the Outcome and asks
the user what to do. The widget that pushed a command is its `source` for the first redo
only: it already shows the new values; after undo/redo every view refreshes. A write outside
the stack (a sync) that changed a command's project blocks the command (AppContext.notify).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import FIELD_LABELS, Project
from ysdesk.services import editing
from ysdesk.services.changes import Changes
from ysdesk.ui.context import UNDO_BLOCKED, AppContext


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
        self.commands: list[_Command] = []

        self.blocked = False

    def redo(self) -> None:
        if not self._refused("重做"):
            with self.ctx.batch(), self.ctx.store.atomic():
                for command in self.commands:
                    command.redo()

    def undo(self) -> None:
        if not self._refused("撤销"):
            with self.ctx.batch(), self.ctx.store.atomic():
                for command in reversed(self.commands):
                    command.undo()

    def block(self, project_ids: frozenset[int]) -> None:
        """One step: if a write outside the stack changed any child's project, it refuses."""
        if any(c.project_ids() & project_ids for c in self.commands):
            self.blocked = True

    def _refused(self, doing: str) -> bool:
        if self.blocked:
            self.setObsolete(True)
            self.ctx.prompts.error(f"无法{doing}", f"无法{doing}“{self.text()}”：{UNDO_BLOCKED}")
        return self.blocked


class _Command(QUndoCommand):
    """Runs the service calls of redo and undo: outcome, versions, broadcast, failure."""

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
        self.project_id: int | None = None
        self._first = True
        self.failed = False  # a child of a macro that failed stays in it and does nothing
        self.blocked = False  # a write outside the stack changed the project

    def project_ids(self) -> frozenset[int]:
        return frozenset() if self.project_id is None else frozenset({self.project_id})

    def block(self, project_ids: frozenset[int]) -> None:
        """Refuse from now on when a write outside the stack changed this project."""
        if self.project_ids() & project_ids:
            self.blocked = True

    def _expected(self) -> int | None:
        """The version undo/redo expects: the one the stack last wrote."""
        return self.ctx.versions.get(self.project_id) if self.project_id is not None else None

    def _run(self, doing: str, write: Callable[[], Any]) -> Any:
        """`write()` (a service call returning a result with its Changes): record the project
        and versions, broadcast; on a refusal fail. Returns the result, or None."""
        try:
            if self.blocked:
                raise UserError(UNDO_BLOCKED)
            result = write()
        except UserError as exc:
            self._fail(exc, doing)
            return None
        changes: Changes = result.changes
        project = getattr(result, "project", None)
        # The pusher holds this Outcome object (the command may be gone): update it in place.
        self.outcome.project = project
        self.outcome.error = None
        for pid in changes.removed:
            self.ctx.versions.pop(pid, None)
        self.ctx.versions.update(changes.versions)
        if not changes.empty:
            source = self.source if self._first else None
            self.ctx.notify(changes.with_source(source))
        return result

    def _fail(self, exc: UserError, doing: str) -> None:
        self.outcome.error = exc
        self.failed = True
        # The stack drops an obsolete command; the data is as it was before this step.
        self.setObsolete(True)
        if not self._first:
            self.ctx.prompts.error(f"无法{doing}", f"无法{doing}“{self.text()}”：{exc.message}")

    def _redone(self) -> None:
        self._first = False


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
        self.values = dict(changes)
        self.expected_version = expected_version
        self.change: editing.FieldChange | None = None

    def redo(self) -> None:
        first = self.change is None
        values = self.values if first else self.change.new  # type: ignore[union-attr]
        version = self.expected_version if first else self._expected()
        change = self._run(
            "保存" if self._first else "重做",
            lambda: editing.apply_changes(
                self.ctx.store, self.project_id or 0, values, expected_version=version
            ),
        )
        if change is None:
            return
        self.change = change
        if not change.changed and self._first:
            self.setObsolete(True)  # nothing changed: nothing to undo, nothing to tell
        self._redone()

    def undo(self) -> None:
        if self.change is not None:
            change = self.change
            self._run(
                "撤销",
                lambda: editing.undo_changes(
                    self.ctx.store, change, expected_version=self._expected()
                ),
            )


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
        version = self.expected_version if self.added is None else self._expected()
        added = self._run(
            "添加进展" if self._first else "重做",
            lambda: editing.add_progress(
                self.ctx.store,
                self.project_id or 0,
                self.date_text,
                self.entry_text,
                expected_version=version,
            ),
        )
        if added is not None:
            self.added = added
            self._redone()

    def undo(self) -> None:
        if self.added is not None:
            added = self.added
            self._run(
                "撤销",
                lambda: editing.undo_progress(
                    self.ctx.store, added, expected_version=self._expected()
                ),
            )


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
        self.deleted: editing.Deleted | None = None

    def redo(self) -> None:
        deleted = self.deleted
        written = self._run(
            "新建项目" if self._first else "重做",
            lambda: (
                editing.create_project(self.ctx.store, self.draft)
                if deleted is None
                else editing.restore_project(self.ctx.store, deleted)
            ),
        )
        if written is not None:
            self.project_id = written.project.id
            self._redone()

    def undo(self) -> None:
        if self.project_id is not None:
            deleted = self._run(
                "撤销",
                lambda: editing.delete_project(
                    self.ctx.store, self.project_id or 0, expected_version=self._expected()
                ),
            )
            if deleted is not None:
                self.deleted = deleted


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
        version = self.expected_version if self._first else self._expected()
        deleted = self._run(
            "删除" if self._first else "重做",
            lambda: editing.delete_project(
                self.ctx.store, self.project_id or 0, expected_version=version
            ),
        )
        if deleted is not None:
            self.deleted = deleted
            self._redone()

    def undo(self) -> None:
        if self.deleted is not None:
            deleted = self.deleted
            self._run("撤销", lambda: editing.restore_project(self.ctx.store, deleted))
