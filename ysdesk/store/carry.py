"""The year rollover's queries: a year read lean for the plan, and its copies written in bulk.

A rollover copies tens of thousands of projects at once. Each statement here handles all of
them together (no statement per project): the copies are inserted by one INSERT … SELECT from
their origins, their zone and unit links and their audit entries by one statement each.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.errors import UserError
from ysdesk.domain.model import ProjectFilter, Status, now_iso
from ysdesk.domain.search import project_haystack, recoded_haystack
from ysdesk.store.db import Store


@dataclass(frozen=True)
class SourceProject:
    """The fields of a project that a rollover plan shows and decides on (not its goal,
    zones or units: those are copied as they are)."""

    id: int
    year: int
    code: str
    name: str
    task_no: int
    status: Status
    deadline_text: str
    progress: str
    note: str


@dataclass(frozen=True)
class Copy:
    """A project to copy into another year, with what differs from its origin."""

    origin_id: int
    code: str
    deadline_text: str
    note: str


def year_sources(store: Store, year: int) -> list[SourceProject]:
    """The year's projects in plan order, with the fields a rollover plan needs: one query."""
    statuses = {s.value: s for s in Status}
    rows = store.conn.execute(
        "SELECT id, year, code, name, task_no, status, deadline_text, progress, note"
        " FROM projects WHERE year = ? ORDER BY task_no, sort, id",
        (year,),
    )
    return [
        SourceProject(r[0], r[1], r[2], r[3], r[4], statuses[r[5]], r[6], r[7], r[8]) for r in rows
    ]


def origin_links(store: Store, year: int, origin_ids: list[int] | None = None) -> dict[int, int]:
    """{origin project id: id of its copy} for the year's projects carried over from another."""
    rows = store.conn.execute(
        "SELECT origin_id, id FROM projects WHERE year = ? AND origin_id IS NOT NULL ORDER BY id",
        (year,),
    )
    wanted = None if origin_ids is None else set(origin_ids)
    links: dict[int, int] = {}
    for origin, copy in rows:
        if wanted is None or origin in wanted:
            links.setdefault(origin, copy)
    return links


def codes_of_year(store: Store, year: int) -> list[tuple[int, str]]:
    """(task_no, code) of every project of a year; codes of a new year continue after these."""
    return [
        (r[0], r[1])
        for r in store.conn.execute("SELECT task_no, code FROM projects WHERE year = ?", (year,))
    ]


def insert_copies(
    store: Store,
    year: int,
    copies: Sequence[Copy],
    *,
    origin: str,
    between: Callable[[], None] = lambda: None,
) -> list[tuple[int, int]]:
    """Copy projects into `year` in one transaction: each with its new code, 完成时限 and note,
    no progress, the origin's name, task, goal, status, zones and units, a link to its origin,
    and a "created" audit entry. Copies go to the end of their task's list, in the given order.

    `between` runs between the statements (it may raise to stop and roll back the whole copy).
    Returns (origin id, copy id) pairs in the order of `copies`.
    """
    if not 1900 <= year <= 2200:
        raise UserError(f"年度无效：{year}。")
    if not copies:
        return []
    at = now_iso()
    conn = store.conn
    with store.atomic():
        rows = _copy_rows(store, year, copies)
        between()
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS carry_copies (seq INTEGER PRIMARY KEY,"
            " origin_id INTEGER, code TEXT, deadline_text TEXT, deadline TEXT, note TEXT,"
            " search_text TEXT)"
        )
        conn.execute("DELETE FROM temp.carry_copies")
        conn.executemany("INSERT INTO temp.carry_copies VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        before = conn.execute("SELECT coalesce(max(id), 0) FROM projects").fetchone()[0]
        # A new rowid is the largest so far plus one, given in the SELECT's order: the copies
        # are the rows above `before`, in the order of `copies`. The sort continues after the
        # task's last project in the year, as Store.insert_project places one.
        conn.execute(
            "INSERT INTO projects(year, code, name, task_no, goal, deadline_text, deadline,"
            " status, progress, note, search_text, sort, origin_id, created_at, updated_at,"
            " version)"
            " SELECT :year, c.code, p.name, p.task_no, p.goal, c.deadline_text, c.deadline,"
            " p.status, '', c.note, c.search_text,"
            " coalesce((SELECT max(q.sort) FROM projects q"
            " WHERE q.year = :year AND q.task_no = p.task_no), 0)"
            " + row_number() OVER (PARTITION BY p.task_no ORDER BY c.seq),"
            " p.id, :at, :at, 1"
            " FROM temp.carry_copies c JOIN projects p ON p.id = c.origin_id ORDER BY c.seq",
            {"year": year, "at": at},
        )
        created = conn.execute(
            "SELECT origin_id, id FROM projects WHERE id > ? ORDER BY id", (before,)
        ).fetchall()
        conn.execute("DROP TABLE temp.carry_copies")
        if [o for o, _ in created] != [c.origin_id for c in copies]:
            raise UserError("要结转的项目在写入前已被删除或改动，未作结转；请重新生成结转方案。")
        between()
        conn.execute(
            "INSERT INTO project_zones(project_id, zone_id)"
            " SELECT n.id, z.zone_id FROM projects n"
            " JOIN project_zones z ON z.project_id = n.origin_id WHERE n.id > ?",
            (before,),
        )
        conn.execute(
            "INSERT INTO project_units(project_id, unit_id, role, sort)"
            " SELECT n.id, u.unit_id, u.role, u.sort FROM projects n"
            " JOIN project_units u ON u.project_id = n.origin_id WHERE n.id > ?",
            (before,),
        )
        between()
        conn.execute(
            "INSERT INTO audit_log(at, project_id, field, old, new, origin, batch_id)"
            " SELECT ?, id, 'created', '', name, ?, NULL FROM projects WHERE id > ? ORDER BY id",
            (at, origin, before),
        )
        between()
    return [(o, n) for o, n in created]


def _copy_rows(store: Store, year: int, copies: Sequence[Copy]) -> list[tuple]:
    """The temporary table's rows: what differs from each origin, with the derived deadline
    and search text (as Store.insert_project derives them)."""
    ids = [c.origin_id for c in copies]
    origins = {
        r[0]: r[1:]
        for r in store.conn.execute(
            "SELECT id, name, code, progress, search_text FROM projects"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
    }
    if len(origins) != len(set(ids)):
        raise UserError("要结转的项目在写入前已被删除，未作结转；请重新生成结转方案。")
    # Lists repeat a handful of deadline wordings: each is parsed once.
    deadlines: dict[str, str | None] = {}
    unlaid: list[int] = []
    rows = []
    for seq, copy in enumerate(copies):
        new_code, text = copy.code.strip(), copy.deadline_text.strip()
        if text not in deadlines:
            parsed = parse_deadline(text, year)
            deadlines[text] = parsed.isoformat() if parsed else None
        name, code, progress, haystack = origins[copy.origin_id]
        try:
            search_text = recoded_haystack(haystack, name, code, new_code, progress)
        except ValueError:
            search_text = None
            unlaid.append(copy.origin_id)
        rows.append(
            [seq, copy.origin_id, new_code, text, deadlines[text], copy.note.strip(), search_text]
        )
    if unlaid:
        # A search text not laid out as today's (written by another version): made anew.
        full = {p.id: p for p in store.list_projects(ProjectFilter(ids=tuple(unlaid)))}
        for row in rows:
            if row[6] is None:
                p = full[row[1]]
                row[6] = project_haystack(p.name, row[2], p.goal, p.lead_units, p.co_units, "")
    return [tuple(r) for r in rows]
