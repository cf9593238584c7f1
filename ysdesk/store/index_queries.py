"""Lean reads for the window's in-memory project index, and the undo of a progress entry.

The index needs a few columns of every project of a year (not whole Project objects): these
queries read them in three statements whatever the number of projects. Search haystacks are
read separately because they are most of the bytes; a worker may read them over its own
read-only connection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ysdesk.domain.model import Project
from ysdesk.store.db import Store, connect

# id, code, name, task_no, area_no, status, deadline, sort, first characters of progress
IndexRow = tuple[int, str, str, int, int, str, "str | None", int, str]
# project id, zone id / project id, unit id, role
ZoneLink = tuple[int, int]
UnitLink = tuple[int, int, str]

# Enough of 进展情况 to sort by it; the table fetches the full text for the rows it shows.
PROGRESS_HEAD = 24

_ROW_COLUMNS = (
    "p.id, p.code, p.name, p.task_no, t.area_no, p.status, p.deadline, p.sort,"
    f" substr(p.progress, 1, {PROGRESS_HEAD})"
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


def index_rows(
    store: Store, year: int | None = None, ids: Sequence[int] | None = None
) -> tuple[list[IndexRow], list[ZoneLink], list[UnitLink]]:
    """The index columns of a year's projects (or some of them) and their zone and unit links."""
    where, args = _scope(year, ids)
    rows = store.conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM projects p JOIN tasks t ON t.no = p.task_no WHERE {where}"
        " ORDER BY p.task_no, p.sort, p.id",
        args,
    ).fetchall()
    sub = f"SELECT p.id FROM projects p WHERE {where}"
    zones = store.conn.execute(
        f"SELECT project_id, zone_id FROM project_zones WHERE project_id IN ({sub})", args
    ).fetchall()
    units = store.conn.execute(
        f"SELECT project_id, unit_id, role FROM project_units WHERE project_id IN ({sub})"
        " ORDER BY project_id, sort",
        args,
    ).fetchall()
    return rows, zones, units


def zone_names(store: Store) -> dict[int, str]:
    """Zone id → name, in the plan's order."""
    return {z.id: z.name for z in store.zones()}


def unit_names(store: Store) -> dict[int, str]:
    """Unit id → canonical name, in the registry's order."""
    return {u.id: u.name for u in store.units()}


def haystacks(
    store: Store, year: int | None = None, ids: Sequence[int] | None = None
) -> list[tuple[int, str]]:
    """(id, search_text) of a year's projects (or some of them)."""
    where, args = _scope(year, ids)
    return store.conn.execute(
        f"SELECT p.id, p.search_text FROM projects p WHERE {where}", args
    ).fetchall()


def read_haystacks(path: Path, year: int) -> list[tuple[int, str]]:
    """The same as `haystacks`, over a private read-only connection (safe in a worker)."""
    conn = connect(path, readonly=True)
    try:
        return conn.execute(
            "SELECT id, search_text FROM projects WHERE year = ?", (year,)
        ).fetchall()
    finally:
        conn.close()


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
