"""The one explicit object handed to widgets: the store, settings, undo stack and today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack

from ysdesk.store import Store


@dataclass
class AppContext:
    """Built once by the app (or by a test with a temporary database)."""

    store: Store
    settings: QSettings
    undo_stack: QUndoStack = field(default_factory=QUndoStack)
    today: date = field(default_factory=date.today)

    @property
    def readonly(self) -> bool:
        return self.store.readonly
