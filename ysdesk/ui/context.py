"""The one explicit object handed to widgets: store, settings, undo stack, today, broadcast, tasks.

Views learn about changes through `ctx.changes.data_changed` (Anki-style): whoever changes
data broadcasts *what* changed with itself as the source; every other view refreshes what it
shows; the source does not reload itself.
"""

from __future__ import annotations

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

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    def notify(self, change: Change) -> None:
        """Broadcast a change that was written outside the undo stack."""
        self.changes.broadcast(change)

    def push(self, command: QUndoCommand) -> None:
        """Run a user edit through the undo stack (its redo writes and broadcasts)."""
        self.undo_stack.push(command)

    def replace_store(self, store: Store) -> Store:
        """Switch to another database; every view reloads. Returns the old store (still open)."""
        old = self.store
        self.store = store
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.changes.database_replaced.emit(store)
        self.notify(Change.all())
        return old
