"""Aggregate queries for the matrix and the dashboard: counts in SQL.

Each function answers with one or two queries whatever the number of projects, so a
100,000-project database never loads every project to count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ysdesk.domain.model import Status
from ysdesk.store.db import Store
from ysdesk.store.filters import OVERDUE_SQL, overdue_args

_DONE = Status.DONE.value


@dataclass(frozen=True)
class RoleCount:
    """How many projects of a task a unit leads or cooperates on in a year."""

    unit: str
    task_no: int
    role: str  # "lead" | "co"
    count: int


@dataclass(frozen=True)
class StatusCount:
    """How many projects of an area are in a status; overdue is derived against a day."""

    area_no: int
    status: str
    overdue: bool
    count: int


@dataclass(frozen=True)
class UnitOverdue:
    """A unit with the number of overdue projects it leads and cooperates on."""

    unit: str
    lead: int
    co: int


def unit_task_role_counts(store: Store, year: int) -> list[RoleCount]:
    """Projects per unit × task × role in a year, in one grouped query."""
    rows = store.conn.execute(
        "SELECT u.name, p.task_no, pu.role, count(*) FROM project_units pu"
        " JOIN projects p ON p.id = pu.project_id"
        " JOIN units u ON u.id = pu.unit_id"
        " WHERE p.year = ?"
        " GROUP BY pu.unit_id, p.task_no, pu.role",
        (year,),
    )
    return [RoleCount(unit=r[0], task_no=r[1], role=r[2], count=r[3]) for r in rows]


def projects_per_task(store: Store, year: int) -> dict[int, int]:
    """Number of projects of each task in a year (tasks without projects are absent)."""
    rows = store.conn.execute(
        "SELECT task_no, count(*) FROM projects WHERE year = ? GROUP BY task_no", (year,)
    )
    return {r[0]: r[1] for r in rows}


def status_counts(store: Store, year: int, today: date) -> list[StatusCount]:
    """Projects per area × stored status × overdue (deadline before `today`, not done)."""
    rows = store.conn.execute(
        f"SELECT t.area_no, p.status, {OVERDUE_SQL} AS overdue, count(*)"
        " FROM projects p JOIN tasks t ON t.no = p.task_no"
        " WHERE p.year = ? GROUP BY 1, 2, 3",
        (*overdue_args(today), year),
    )
    return [StatusCount(area_no=r[0], status=r[1], overdue=bool(r[2]), count=r[3]) for r in rows]


def overdue_ids(store: Store, year: int, today: date, limit: int | None = None) -> list[int]:
    """Ids of the year's overdue projects, longest overdue first."""
    sql = (
        f"SELECT p.id FROM projects p WHERE p.year = ? AND {OVERDUE_SQL}"
        " ORDER BY p.deadline, p.task_no, p.sort, p.id"
    )
    args: list[object] = [year, *overdue_args(today)]
    return _ids(store, sql, args, limit)


def due_between_ids(
    store: Store, year: int, first: date, last: date, limit: int | None = None
) -> list[int]:
    """Ids of the year's unfinished projects due in [first, last], soonest first."""
    sql = (
        "SELECT p.id FROM projects p WHERE p.year = ? AND p.status != ?"
        " AND p.deadline IS NOT NULL AND p.deadline >= ? AND p.deadline <= ?"
        " ORDER BY p.deadline, p.task_no, p.sort, p.id"
    )
    args: list[object] = [year, _DONE, first.isoformat(), last.isoformat()]
    return _ids(store, sql, args, limit)


def count_due_between(store: Store, year: int, first: date, last: date) -> int:
    """How many of the year's unfinished projects fall due in [first, last]."""
    return store.conn.execute(
        "SELECT count(*) FROM projects p WHERE p.year = ? AND p.status != ?"
        " AND p.deadline IS NOT NULL AND p.deadline >= ? AND p.deadline <= ?",
        (year, _DONE, first.isoformat(), last.isoformat()),
    ).fetchone()[0]


def overdue_by_unit(store: Store, year: int, today: date, limit: int = 10) -> list[UnitOverdue]:
    """Units with the most overdue projects they lead (then cooperate on), in one query."""
    rows = store.conn.execute(
        "SELECT u.name, sum(pu.role = 'lead') AS lead, sum(pu.role = 'co') AS co"
        " FROM project_units pu"
        " JOIN projects p ON p.id = pu.project_id"
        " JOIN units u ON u.id = pu.unit_id"
        f" WHERE p.year = ? AND {OVERDUE_SQL}"
        " GROUP BY pu.unit_id ORDER BY lead DESC, co DESC, u.sort, u.id LIMIT ?",
        (year, *overdue_args(today), limit),
    )
    return [UnitOverdue(unit=r[0], lead=r[1], co=r[2]) for r in rows]


def _ids(store: Store, sql: str, args: list[object], limit: int | None) -> list[int]:
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return [r[0] for r in store.conn.execute(sql, args)]
