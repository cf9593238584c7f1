"""Lean reads for the window's in-memory project index, and the undo of a progress entry.

The index reads one column group at a time, when a view first needs it. The core group
(plan order, task, status, overdue) is answered from the covering index
`projects_navigation` alone: project rows are wide (goal, progress, search text), and
reading even one column stored after them walks their overflow pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from ysdesk.domain.model import Project, Status
from ysdesk.store.db import Store, connect
from ysdesk.store.filters import OVERDUE_SQL, overdue_args

# Enough of 进展情况 to sort by it; the table fetches the full text for the rows it shows.
PROGRESS_HEAD = 24

# Statuses travel as their position in Status (small ints cost nothing to build in Python).
STATUS_CODES: tuple[Status, ...] = tuple(Status)
_STATUS_CASE = (
    "CASE p.status "
    + " ".join(f"WHEN '{s.value}' THEN {i}" for i, s in enumerate(STATUS_CODES))
    + " END"
)


def _scope(year: int | None, ids: Sequence[int] | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    if year is not None:
        clauses.append("p.year = ?")
        args.append(year)
    if ids is not None:
        clauses.append("p.id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(list(ids)))
    return " AND ".join(clauses) or "1", args


def core_rows(
    store: Store, year: int, today: date, ids: Sequence[int] | None = None
) -> list[tuple[int, int, int, int]]:
    """(id, task_no, status code, overdue 0/1) in plan order: task, place in the task, id."""
    where, args = _scope(year, ids)
    return store.conn.execute(
        f"SELECT p.id, p.task_no, {_STATUS_CASE}, {OVERDUE_SQL}"
        f" FROM projects p WHERE {where} ORDER BY p.task_no, p.sort, p.id",
        [*overdue_args(today), *args],
    ).fetchall()


def plan_order(store: Store, year: int) -> list[int]:
    """A year's project ids in plan order (as core_rows lists them), from the covering index."""
    return [
        row[0]
        for row in store.conn.execute(
            "SELECT p.id FROM projects p WHERE p.year = ? ORDER BY p.task_no, p.sort, p.id",
            (year,),
        )
    ]


# The column reads below return cursors, not lists: a worker turns each row into what the
# index keeps and drops it, so 100,000 row tuples never pile up for the cyclic collector.


def label_rows(
    store: Store, year: int, ids: Sequence[int] | None = None
) -> Iterator[tuple[int, str, str]]:
    """(id, code, name)."""
    where, args = _scope(year, ids)
    return store.conn.execute(f"SELECT p.id, p.code, p.name FROM projects p WHERE {where}", args)


def sort_rows(
    store: Store, year: int, ids: Sequence[int] | None = None
) -> Iterator[tuple[int, str | None, str]]:
    """(id, derived deadline or None, first characters of 进展情况): what sorting needs."""
    where, args = _scope(year, ids)
    return store.conn.execute(
        f"SELECT p.id, p.deadline, substr(p.progress, 1, {PROGRESS_HEAD})"
        f" FROM projects p WHERE {where}",
        args,
    )


def label_sort_rows(store: Store, year: int) -> Iterator[tuple[int, str, str, str | None, str]]:
    """(id, code, name, derived deadline, head of 进展情况): label_rows and sort_rows in one
    pass over the wide project rows (each read walks them: ~0.4 s apiece on 100,000)."""
    return store.conn.execute(
        f"SELECT p.id, p.code, p.name, p.deadline, substr(p.progress, 1, {PROGRESS_HEAD})"
        " FROM projects p WHERE p.year = ?",
        (year,),
    )


def link_rows(
    store: Store, year: int, ids: Sequence[int] | None = None
) -> tuple[Iterator[tuple[int, int]], Iterator[tuple[int, int, int]]]:
    """Zone links (project, zone id) and unit links (project, unit id, 1 lead / 0 co).

    Both come grouped by project; unit links in their order within the project (the first
    lead unit leads).
    """
    where, args = _scope(year, ids)
    sub = f"SELECT p.id FROM projects p WHERE {where}"
    zones = store.conn.execute(
        f"SELECT project_id, zone_id FROM project_zones WHERE project_id IN ({sub})"
        " ORDER BY project_id",
        args,
    )
    units = store.conn.execute(
        "SELECT project_id, unit_id, role = 'lead' FROM project_units"
        f" WHERE project_id IN ({sub}) ORDER BY project_id, sort",
        args,
    )
    return zones, units


def zone_names(store: Store) -> dict[int, str]:
    """Zone id → name, in the plan's order."""
    return {z.id: z.name for z in store.zones()}


def unit_names(store: Store) -> dict[int, str]:
    """Unit id → canonical name, in the registry's order."""
    return {u.id: u.name for u in store.units()}


def haystacks(
    store: Store, year: int | None = None, ids: Sequence[int] | None = None
) -> Iterator[tuple[int, str]]:
    """(id, search_text) of a year's projects (or some of them), in plan order.

    Plan order on purpose: searches walk the texts in that order, and texts built in the
    same order sit together in memory (measured 2–8× faster on 100,000 than rowid order).
    """
    where, args = _scope(year, ids)
    return store.conn.execute(
        f"SELECT p.id, p.search_text FROM projects p WHERE {where}"
        " ORDER BY p.task_no, p.sort, p.id",
        args,
    )


def open_reader(path: Path) -> Store:
    """A private read-only Store over its own connection, for a worker thread's reads.

    No writer lock and no migration: the window's own Store has already opened the file.
    """
    return Store(connect(path, readonly=True), path=path, readonly=True)


def ids_with_code(store: Store, code: str) -> list[int]:
    """The ids of the projects bearing this code (项目编号), oldest first."""
    rows = store.conn.execute("SELECT id FROM projects WHERE code = ? ORDER BY id", (code,))
    return [row[0] for row in rows]


def project_position(store: Store, project_id: int) -> int:
    """A project's place within its task's list (the `sort` column)."""
    row = store.conn.execute("SELECT sort FROM projects WHERE id = ?", (project_id,)).fetchone()
    return int(row[0]) if row else 0


def set_project_position(store: Store, project_id: int, position: int) -> None:
    """Put a project back at its old place in its task's list (undo of a move or delete).

    Order is presentation, not content: no version bump, no audit entry.
    """
    with store.atomic():
        store.conn.execute("UPDATE projects SET sort = ? WHERE id = ?", (position, project_id))


def last_progress_id(store: Store, project_id: int) -> int:
    """The id of the newest progress entry of a project (0 when it has none)."""
    row = store.conn.execute(
        "SELECT coalesce(max(id), 0) FROM progress_log WHERE project_id = ?", (project_id,)
    ).fetchone()
    return int(row[0])


def revert_progress(
    store: Store,
    project_id: int,
    previous_text: str,
    after_id: int,
    *,
    expected_version: int | None,
) -> Project:
    """Undo progress entries: drop those newer than `after_id` and put the old text back.

    update_project logs every new 进展情况 as an entry; putting the old text back is not news,
    so the entry it writes is dropped too and the history reads as before.
    """
    with store.atomic():
        project = store.update_project(
            project_id, {"progress": previous_text}, expected_version=expected_version
        )
        store.conn.execute(
            "DELETE FROM progress_log WHERE project_id = ? AND id > ?", (project_id, after_id)
        )
    return project
