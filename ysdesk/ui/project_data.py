"""The window's view of one year's projects: the index, kept current from change broadcasts.

Views that filter or count listen to `changed`, which fires after the index has caught up
with a change, so they never read a half-updated index.

Names, links and search texts of a large list are read by a worker over its own connection
after the window shows (`prefetch`). A view that needs them before they arrive asks `ready`,
shows that it is loading, and tries again on `loaded`: the main thread never waits for them.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from ysdesk.services.changes import Changes
from ysdesk.services.project_index import (
    LABELS,
    LINKS,
    SEARCH,
    SORT,
    Prefetched,
    ProjectIndex,
    prefetch_columns,
    prefetch_search,
)
from ysdesk.ui.context import AppContext
from ysdesk.ui.tasks import QtProgress, Task

# Below this many projects a missing column group is read on the spot: under ~50 ms even on
# a slow machine, and the answer is there at once (a real annual list has a few hundred).
SYNC_LIMIT = 2000
COLUMN_GROUPS = frozenset({LABELS, SORT, LINKS})
# While a worker reads, the main thread waits at most this long for Python's interpreter
# lock each time it calls into Python (every cell a view paints): with the default 5 ms a
# node switch during the prefetch took 120 ms, with 0.5 ms about 50 ms.
WORKER_SWITCH_INTERVAL = 0.0005

_interval_lock = threading.Lock()
_interval_users = 0
_interval_saved = 0.0


@contextlib.contextmanager
def main_thread_first() -> Iterator[None]:
    """Shorten the interpreter's switch interval while the calling worker runs."""
    global _interval_users, _interval_saved
    with _interval_lock:
        if _interval_users == 0:
            _interval_saved = sys.getswitchinterval()
            sys.setswitchinterval(WORKER_SWITCH_INTERVAL)
        _interval_users += 1
    try:
        yield
    finally:
        with _interval_lock:
            _interval_users -= 1
            if _interval_users == 0:
                sys.setswitchinterval(_interval_saved)


@dataclass
class _Fetch:
    """One prefetch stage under way, with what changed while the worker read."""

    groups: frozenset[str] = frozenset()  # what this stage reads
    changed: set[int] = field(default_factory=set)
    plan_changed: bool = False
    task: Task | None = None


class ProjectData(QObject):
    """Holds the ProjectIndex of the year shown; rebuilds or refreshes it as data changes."""

    changed = Signal(object)  # the Changes, after the index caught up
    year_changed = Signal(int)
    loaded = Signal()  # column groups arrived from the worker: views that waited look again

    sync_limit = SYNC_LIMIT

    def __init__(self, ctx: AppContext, year: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.index = ProjectIndex(ctx.store, year, ctx.today)
        self._fetch: _Fetch | None = None
        self._prefetching = False  # set by the first prefetch(): the window is showing
        self._fetch_failed = False
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
        self.changed.emit(Changes.all())

    def reload(self) -> None:
        """Re-read everything (another database, or a change of unknown extent)."""
        self._rebuild(self.year)
        self.changed.emit(Changes.all())

    def _rebuild(self, year: int) -> None:
        self._cancel_fetch()
        self._fetch_failed = False
        self.index = ProjectIndex(self.ctx.store, year, self.ctx.today)
        if self._prefetching:
            self._start_fetch()

    def _on_database_replaced(self, store: object) -> None:
        years = self.ctx.store.years()
        self._next_year = years[-1] if years else self.ctx.today.year

    def _on_data_changed(self, change: Changes) -> None:
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
                if self._fetch is not None:
                    self._fetch.plan_changed = True
            if change.projects:
                self.index.refresh(self.ctx.store, change.projects)
                if self._fetch is not None:
                    self._fetch.changed |= change.projects
        self.changed.emit(change)

    # ------------------------------------------------------------ column groups
    @property
    def loading(self) -> bool:
        """Whether a worker is reading column groups for the index shown."""
        return self._fetch is not None

    @property
    def loading_groups(self) -> frozenset[str]:
        """The column groups the worker is reading now (empty when it is idle)."""
        return self._fetch.groups if self._fetch is not None else frozenset()

    def ready(self, groups: Iterable[str]) -> bool:
        """Whether the index holds these column groups now.

        A small list (or one no worker can read: an in-memory database) reads what is
        missing on the spot. A large one never does: the worker is asked for it, and the
        caller shows that it is loading and tries again when `loaded` fires.
        """
        missing = {g for g in groups if not self.index.has(g)}
        if not missing:
            return True
        if len(self.index) <= self.sync_limit or not self._can_fetch() or self._fetch_failed:
            self.index.load(missing)
            return True
        if self._fetch is None:
            self._start_fetch(missing)
        elif not self._fetch.groups & missing:
            # The user waits for the other stage: it goes first, this one runs again after.
            self._cancel_fetch()
            self._start_fetch(missing)
        return False

    def prefetch(self) -> None:
        """Start reading names, links and search texts in a worker (the window has shown).

        From now on every rebuilt index (another year, another database) is prefetched too.
        """
        self._prefetching = True
        if self._fetch is None:
            self._start_fetch()

    def _can_fetch(self) -> bool:
        return self.ctx.store.path is not None and self.ctx.tasks is not None

    def _start_fetch(self, wanted: Iterable[str] = ()) -> None:
        """Start the next stage: the one a view waits for, else names and links first."""
        if not self._can_fetch():
            return
        index = self.index
        need_columns = not all(index.has(g) for g in COLUMN_GROUPS)
        need_search = not index.has(SEARCH)
        if need_search and SEARCH in set(wanted):
            self._run_stage(prefetch_search, frozenset({SEARCH}))
        elif need_columns:
            self._run_stage(prefetch_columns, COLUMN_GROUPS)
        elif need_search:
            self._run_stage(prefetch_search, frozenset({SEARCH}))

    def _run_stage(self, read: Callable[..., Prefetched], groups: frozenset[str]) -> None:
        path = self.ctx.store.path
        assert path is not None
        year = self.year
        fetch = self._fetch = _Fetch(groups)

        def arrived(data: Prefetched) -> None:
            if self._fetch is not fetch:
                return  # the index was rebuilt meanwhile
            self._fetch = None
            if fetch.plan_changed:
                # Names of zones and units changed after the worker read them.
                data.zones = data.leads = data.cos = data.by_link = None
            self.index.install(data)
            if fetch.changed:
                self.index.refresh(self.ctx.store, fetch.changed)
            # The next stage starts before views look again, so they see `loading`.
            self._start_fetch()
            self.loaded.emit()

        def failed(_exc: BaseException) -> None:
            if self._fetch is fetch:
                # Whatever is still missing is read on the spot the next time it is needed.
                self._fetch = None
                self._fetch_failed = True
                self.loaded.emit()

        def work(progress: QtProgress) -> Prefetched:
            with main_thread_first():
                return read(path, year, lambda: progress.cancelled)

        fetch.task = self.ctx.tasks.run_quiet(work, arrived, failed)

    def _cancel_fetch(self) -> None:
        fetch, self._fetch = self._fetch, None
        if fetch is not None and fetch.task is not None:
            fetch.task.cancel()
