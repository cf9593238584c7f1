"""Pieces the report views share: a year picker, refresh-on-change, a navigator protocol."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from ysdesk.domain.model import ProjectFilter
from ysdesk.services.changes import Changes
from ysdesk.ui.context import AppContext


class Navigator(Protocol):
    """What a report view asks of the main window (tests pass a recorder)."""

    def show_projects(self, project_filter: ProjectFilter, title: str = "") -> None: ...

    def open_project(self, project_id: int) -> None: ...


class YearBox(QComboBox):
    """The years that have projects (and the current one); emits the chosen year."""

    year_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("年度")
        self.currentIndexChanged.connect(self._emit)
        self._filling = False

    def fill(self, years: list[int], current: int | None) -> None:
        """Offer `years`; keep `current` selected (added if missing)."""
        wanted = sorted(set(years) | ({current} if current is not None else set()))
        self._filling = True
        try:
            self.clear()
            for year in wanted:
                self.addItem(f"{year} 年", year)
            if current is not None:
                self.setCurrentIndex(wanted.index(current))
        finally:
            self._filling = False

    def year(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def set_year(self, year: int) -> None:
        index = self.findData(year)
        if index >= 0:
            self.setCurrentIndex(index)

    def _emit(self, _index: int) -> None:
        if not self._filling and self.year() is not None:
            self.year_chosen.emit(self.year())


def default_year(ctx: AppContext) -> int:
    """The latest year with projects, or this year when there are none."""
    years = ctx.store.years()
    return years[-1] if years else ctx.today.year


class RefreshingView(QWidget):
    """A view that reloads when data changes: at once if visible, else when next shown."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True
        ctx.changes.data_changed.connect(self._changed)
        ctx.changes.database_replaced.connect(self._replaced)

    def refresh(self) -> None:
        """Reload what the view shows from the services (subclasses)."""
        raise NotImplementedError

    def ensure_fresh(self) -> None:
        """Reload now if something changed since the last load."""
        if self._stale:
            self._stale = False
            self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.ensure_fresh()

    def _changed(self, change: Changes) -> None:
        if change.source is self:
            return
        self._stale = True
        if self.isVisible():
            self.ensure_fresh()

    def _replaced(self, store: object) -> None:
        self._stale = True
        if self.isVisible():
            self.ensure_fresh()
