"""The `briefs` table: every brief generated, with its settings and the numbers it printed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ysdesk.domain.model import now_iso
from ysdesk.store.db import Store


@dataclass(frozen=True)
class BriefRecord:
    """One generated brief: issue numbers, date (ISO), settings and stats as saved."""

    id: int
    year: int
    issue_no: int
    total_issue_no: int | None
    date: str
    settings: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    created_at: str = ""


_COLUMNS = "id, year, issue_no, total_issue_no, date, settings, stats, path, created_at"


def _record(row: tuple) -> BriefRecord:
    return BriefRecord(
        id=row[0],
        year=row[1],
        issue_no=row[2],
        total_issue_no=row[3],
        date=row[4],
        settings=json.loads(row[5] or "{}"),
        stats=json.loads(row[6] or "{}"),
        path=row[7],
        created_at=row[8],
    )


def add_brief(
    store: Store,
    *,
    year: int,
    issue_no: int,
    total_issue_no: int | None,
    date: str,
    settings: dict[str, Any],
    stats: dict[str, Any],
    path: str,
) -> BriefRecord:
    """Record a generated brief in one transaction; returns the stored record."""
    created = now_iso()
    with store.atomic():
        cur = store.conn.execute(
            "INSERT INTO briefs(year, issue_no, total_issue_no, date, settings, stats, path,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                year,
                issue_no,
                total_issue_no,
                date,
                json.dumps(settings, ensure_ascii=False),
                json.dumps(stats, ensure_ascii=False),
                path,
                created,
            ),
        )
    assert cur.lastrowid is not None
    return BriefRecord(
        id=cur.lastrowid,
        year=year,
        issue_no=issue_no,
        total_issue_no=total_issue_no,
        date=date,
        settings=settings,
        stats=stats,
        path=path,
        created_at=created,
    )


def list_briefs(store: Store, year: int | None = None) -> list[BriefRecord]:
    """Briefs, newest first (by id: the order they were generated)."""
    sql = f"SELECT {_COLUMNS} FROM briefs"
    args: tuple[Any, ...] = ()
    if year is not None:
        sql += " WHERE year = ?"
        args = (year,)
    return [_record(r) for r in store.conn.execute(sql + " ORDER BY id DESC", args)]


def last_brief(store: Store) -> BriefRecord | None:
    """The brief generated last, whatever its year."""
    row = store.conn.execute(f"SELECT {_COLUMNS} FROM briefs ORDER BY id DESC LIMIT 1").fetchone()
    return _record(row) if row else None


def previous_brief(store: Store, year: int, issue_no: int) -> BriefRecord | None:
    """The latest brief on the same year's list with a smaller issue number (regenerating an
    issue compares with the issue before it, not with an earlier draft of itself)."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM briefs WHERE year = ? AND issue_no < ?"
        " ORDER BY issue_no DESC, id DESC LIMIT 1",
        (year, issue_no),
    ).fetchone()
    return _record(row) if row else None
