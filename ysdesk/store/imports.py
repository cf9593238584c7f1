"""Store support for undoing an applied import: progress entries and units it added."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ysdesk.store.db import Store


def progress_floor(store: Store) -> int:
    """The highest progress-log id now; entries an import adds get higher ids."""
    return store.conn.execute("SELECT coalesce(max(id), 0) FROM progress_log").fetchone()[0]


def delete_progress_after(store: Store, floor: int, project_ids: Iterable[int]) -> int:
    """Remove the progress entries above `floor` of these projects (undo of an import)."""
    ids = json.dumps(sorted(set(project_ids)))
    with store.atomic():
        cur = store.conn.execute(
            "DELETE FROM progress_log WHERE id > ?"
            " AND project_id IN (SELECT value FROM json_each(?))",
            (floor, ids),
        )
    return cur.rowcount


def delete_unused_units(store: Store, names: Iterable[str]) -> list[str]:
    """Delete these units where no project refers to them; returns the names deleted."""
    deleted = []
    with store.atomic():
        for name in names:
            row = store.conn.execute("SELECT id FROM units WHERE name = ?", (name,)).fetchone()
            if row is None:
                continue
            used = store.conn.execute(
                "SELECT 1 FROM project_units WHERE unit_id = ? LIMIT 1", (row[0],)
            ).fetchone()
            if used:
                continue
            store.conn.execute("DELETE FROM unit_aliases WHERE unit_id = ?", (row[0],))
            store.conn.execute("DELETE FROM units WHERE id = ?", (row[0],))
            deleted.append(name)
    if deleted:
        store._unit_ids = None  # the store's name → id cache
    return deleted


def project_versions(store: Store, project_ids: Iterable[int]) -> dict[int, int]:
    """Current versions of these projects (those that still exist)."""
    ids = json.dumps(sorted(set(project_ids)))
    rows = store.conn.execute(
        "SELECT id, version FROM projects WHERE id IN (SELECT value FROM json_each(?))", (ids,)
    )
    return dict(rows.fetchall())
