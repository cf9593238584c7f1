"""The one explicit object handed to widgets: store, settings, undo stack, today, broadcast, tasks.

Views learn about changes through `ctx.changes.data_changed` (Anki-style): whoever changes
data broadcasts *what* changed with itself as the source; every other view refreshes what it
shows; the source does not reload itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ysdesk.store import Store
from ysdesk.ui.prompts import Prompts


@dataclass(frozen=True)
class Change:
    """What a write changed, so views can decide how much to refresh.

    projects: ids whose fields changed (table rows, editor, roll-ups);
    structure: projects were added, removed or moved between tasks/zones/units (trees, lists);
    plan: units, zones, tasks or indicators changed;
    everything: the database was replaced (new, open, restore, import of many rows);
    source: the object that made the change (it does not reload itself).
    """

    projects: frozenset[int] = frozenset()
    structure: bool = False
    plan: bool = False
    everything: bool = False
    source: object = None

    @classmethod
    def of_projects(
        cls, *ids: int | None, structure: bool = False, source: object = None
    ) -> Change:
        """A change to the given projects (None ids are skipped)."""
        return cls(
            projects=frozenset(i for i in ids if i is not None),
            structure=structure,
            source=source,
        )

    @classmethod
    def all(cls, source: object = None) -> Change:
        """Everything may have changed: views reload entirely."""
        return cls(structure=True, plan=True, everything=True, source=source)

    @classmethod
    def merged(cls, changes: list[Change]) -> Change:
        """One change standing for several (a macro's); one source only if all agree."""
        sources = {id(c.source) for c in changes}
        return cls(
            projects=frozenset().union(*(c.projects for c in changes)),
            structure=any(c.structure for c in changes),
            plan=any(c.plan for c in changes),
            everything=any(c.everything for c in changes),
            source=changes[0].source if len(sources) == 1 else None,
        )

    def touches(self, project_id: int | None) -> bool:
        """Whether a view showing this project should refresh it."""
        return self.everything or (project_id is not None and project_id in self.projects)


class ChangeBroadcaster(QObject):
    """Carries Change objects from whoever wrote to every view that shows data."""

    data_changed = Signal(object)  # a Change
    database_replaced = Signal(object)  # the new Store, after new/open database

    def broadcast(self, change: Change) -> None:
        self.data_changed.emit(change)


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
    _pending: list[Change] = field(default_factory=list, init=False, repr=False)

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    def notify(self, change: Change) -> None:
        """Broadcast a change (held back until the end of a batch)."""
        if self._batch_depth:
            self._pending.append(change)
        else:
            self.changes.broadcast(change)

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
                self.changes.broadcast(Change.merged(pending))

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
        self.notify(Change.all())
        return old
