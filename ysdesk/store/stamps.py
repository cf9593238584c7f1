"""Cheap fingerprints of stored data, to tell whether something computed earlier still holds.

A plan computed in a worker (a rollover) is written on the main thread later; the write
first checks that the years it was computed from are as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ysdesk.store.db import Store


def years_stamp(store: Store, years: Iterable[int]) -> tuple[int, int, str]:
    """(projects, sum of their versions, latest update) of some years.

    Every write to a project bumps its version and its update time; adding, deleting or
    moving one between years changes the count.
    """
    row = store.conn.execute(
        "SELECT count(*), coalesce(sum(version), 0), coalesce(max(updated_at), '')"
        " FROM projects WHERE year IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(set(years))),),
    ).fetchone()
    return int(row[0]), int(row[1]), str(row[2])
