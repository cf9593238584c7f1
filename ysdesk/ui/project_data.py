"""The window's view of one year's projects: the index, kept current from change broadcasts.

Views that filter or count listen to `changed`, which fires after the index has caught up
with a change, so they never read a half-updated index.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ysdesk.services.project_index import Prefetched, ProjectIndex, prefetch
from ysdesk.ui.context import AppContext, Change


class ProjectData(QObject):
    """Holds the ProjectIndex of the year shown; rebuilds or refreshes it as data changes."""

    changed = Signal(object)  # the Change, after the index caught up
    year_changed = Signal(int)
    haystacks_ready = Signal()

    def __init__(self, ctx: AppContext, year: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.index = ProjectIndex(ctx.store, year, ctx.today)
        self._generation = 0
        self._changed_while_fetching: set[int] = set()
        self._fetching = False
        self._next_year: int | None = None
        ctx.changes.data_changed.connect(self._on_data_changed)
        ctx.changes.database_replaced.connect(self._on_database_replaced)

    @property
    def year(self) -> int:
        return self.index.year

    def years(self) -> list[int]:
        """Years that have projects, plus the one shown (a new database has none)."""
        return sorted({*self.ctx.store.years(), self.year})

    def set_year(self, year: int) -> None:
        if year == self.year:
            return
        self._rebuild(year)
        self.year_changed.emit(year)
        self.changed.emit(Change.all())

    def reload(self) -> None:
        """Re-read everything (another database, or a change of unknown extent)."""
        self._rebuild(self.year)
        self.changed.emit(Change.all())

    def _rebuild(self, year: int) -> None:
        self._generation += 1
        self._fetching = False
        self.index = ProjectIndex(self.ctx.store, year, self.ctx.today)

    def _on_database_replaced(self, store: object) -> None:
        years = self.ctx.store.years()
        self._next_year = years[-1] if years else self.ctx.today.year

    def _on_data_changed(self, change: Change) -> None:
        if change.everything:
            year = self._next_year or self.year
            self._next_year = None
            changed_year = year != self.year
            self._rebuild(year)
            if changed_year:
                self.year_changed.emit(year)
        else:
            if change.plan:
                self.index.refresh_plan(self.ctx.store)
            if change.projects:
                self.index.refresh(self.ctx.store, change.projects)
                if self._fetching:
                    self._changed_while_fetching |= change.projects
        self.changed.emit(change)

    # ------------------------------------------------------------------ search
    def ensure_haystacks(self) -> None:
        """Make the index searchable now (reads the search texts on this thread if needed)."""
        if not self.index.has_haystacks:
            # A prefetch still running installs only what is missing when it arrives.
            self.index.load_haystacks(self.ctx.store)

    def prefetch(self) -> None:
        """Read names, links and search texts in a worker over its own connection."""
        path = self.ctx.store.path
        runner = self.ctx.tasks
        if self.index.has_haystacks or self._fetching or path is None or runner is None:
            return
        generation = self._generation
        year = self.year
        self._fetching = True
        self._changed_while_fetching = set()

        def arrived(data: Prefetched) -> None:
            if generation != self._generation:
                return  # the index was rebuilt meanwhile
            self._fetching = False
            self.index.install(data)
            if self._changed_while_fetching:
                self.index.refresh(self.ctx.store, self._changed_while_fetching)
            self.haystacks_ready.emit()

        def failed(_exc: BaseException) -> None:
            self._fetching = False  # the first search reads them on this thread instead

        runner.run_quiet(lambda _progress: prefetch(path, year), arrived, failed)
