"""The one explicit object handed to widgets: store, settings, undo stack, today, broadcast, tasks.

Views learn about changes through `ctx.changes.data_changed` (Anki-style): every write of the
services returns what it changed (ysdesk.services.changes.Changes), and whoever asked for it
broadcasts that with itself as the source; every other view refreshes what it shows; the
source does not reload itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ysdesk.services.changes import Changes
from ysdesk.store import Store
from ysdesk.ui.prompts import Prompts

# Said by an undo step whose project a write outside the undo stack changed (a sync).
UNDO_BLOCKED = "此步涉及的项目已在别处被修改，不能再撤销或重做。"


class ChangeBroadcaster(QObject):
    """Carries Changes from whoever wrote to every view that shows data."""

    data_changed = Signal(object)  # a Changes
    database_replaced = Signal(object)  # the new Store, after new/open database

    def broadcast(self, changes: Changes) -> None:
        self.data_changed.emit(changes)


@dataclass(eq=False)
class AppContext:
    """Built once by the app (or by a test with a temporary database and settings file).

    `changes` broadcasts what changed; `tasks` runs long use cases off the main thread (set by
    the main window, which owns the progress dialogs); `undo_stack` holds every user edit.
    """

    store: Store
    settings: QSettings
    undo_stack: QUndoStack = field(default_factory=QUndoStack)
    today: date = field(default_factory=date.today)
    changes: ChangeBroadcaster = field(default_factory=ChangeBroadcaster)
    tasks: Any = None  # ysdesk.ui.tasks.TaskRunner, set by the main window
    prompts: Prompts = field(default_factory=Prompts)
    # The version of each project as the undo stack last wrote it: an undo or redo expects it,
    # so a write that bypassed the stack (another window's import …) is caught, not overwritten.
    versions: dict[int, int] = field(default_factory=dict)
    _batch_depth: int = field(default=0, init=False, repr=False)
    _pending: list[Changes] = field(default_factory=list, init=False, repr=False)

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    def notify(self, changes: Changes) -> None:
        """Broadcast what a write changed (held back until the end of a batch).

        Undo steps whose projects a write outside the undo stack changed (it moved their
        versions on, removed them, or a sync gave their ids to others) are blocked first:
        they would write over what that write did.
        """
        blocked = changes.undo_blocked(self.versions)
        if blocked:
            self._block_undo(blocked)
        if self._batch_depth:
            self._pending.append(changes)
        else:
            self.changes.broadcast(changes)

    def _block_undo(self, project_ids: frozenset[int]) -> None:
        for index in range(self.undo_stack.count()):
            command = self.undo_stack.command(index)
            block = getattr(command, "block", None)
            if block is not None:
                block(project_ids)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Many writes, one broadcast at the end (views refresh once for a macro)."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth and self._pending:
                pending, self._pending = self._pending, []
                self.changes.broadcast(Changes.merged(pending))

    def push(self, command: QUndoCommand) -> None:
        """Run a user edit through the undo stack (its redo writes and broadcasts)."""
        self.undo_stack.push(command)

    def replace_store(self, store: Store) -> Store:
        """Switch to another database; every view reloads. Returns the old store (still open)."""
        old = self.store
        self.store = store
        self.versions.clear()
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.changes.database_replaced.emit(store)
        self.notify(Changes.all())
        return old
