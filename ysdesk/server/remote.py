"""Reading and writing the shared lists on the server (SQL with parameters only).

The sync service calls these inside one server transaction: take the numbering lock, read
the rows it merges with, write what it decided (COPY into a temporary table, then one
UPDATE; new projects by COPY), read what other desks changed since the number it last saw.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ysdesk.domain.merge import SORT, SYNC_FIELDS
from ysdesk.server.connection import ServerRefused
from ysdesk.server.schema import CHANGE_LOCK, OFFICE_ROLE, current_version, server_version

if TYPE_CHECKING:
    import psycopg

Values = dict[str, Any]
OFFICE_KEY = "office_id"

_ROW_COLUMNS = (
    "p.gid::text, p.no, p.year, p.code, p.name, p.task_no, p.zones, p.lead_units, p.co_units,"
    " p.goal, p.deadline_text, p.status, p.progress, p.note, p.origin_gid::text,"
    " p.created_at, p.updated_at, p.search_text, p.deleted, p.version, p.seq,"
    " coalesce(c.login, ''), coalesce(c.desk, ''), p.sort, coalesce(c.kind, '')"
)
_ROW_FROM = "ysdesk.projects p LEFT JOIN ysdesk.changes c ON c.seq = p.seq"
# Columns a push writes, in the order of its COPY rows.
_WRITE_COLUMNS = (
    "gid",
    "no",
    *SYNC_FIELDS,
    SORT,
    "origin_gid",
    "created_at",
    "updated_at",
    "search_text",
    "deleted",
    "version",
)


@dataclass
class ServerProject:
    """A project as the server holds it."""

    gid: str
    no: int
    values: Values
    origin_gid: str | None
    created_at: str
    updated_at: str
    search_text: str | None
    deleted: bool
    version: int
    seq: int
    login: str
    desk: str
    kind: str = ""  # of its latest change: insert, update, delete or restore

    @property
    def author(self) -> str:
        """Who made its latest change, and on which desk."""
        return f"{self.login}@{self.desk}" if self.desk else self.login


def _server_project(row: Sequence[Any]) -> ServerProject:
    values = dict(zip(SYNC_FIELDS, row[2:14], strict=True))
    for name in ("zones", "lead_units", "co_units"):
        values[name] = list(values[name])
    values[SORT] = row[23]
    return ServerProject(
        gid=row[0],
        no=row[1],
        values=values,
        origin_gid=row[14],
        created_at=row[15],
        updated_at=row[16],
        search_text=row[17],
        deleted=row[18],
        version=row[19],
        seq=row[20],
        login=row[21],
        desk=row[22],
        kind=row[24],
    )


def check_server(conn: psycopg.Connection) -> tuple[str, bool]:
    """(the office id the server holds, or "", whether this login is office staff); refuses a
    database without ysdesk's schema or with a newer one."""
    version = server_version(conn)
    if version is None:
        raise ServerRefused(
            "该服务器数据库中没有 ysdesk 的共享数据结构（不是 ysdesk 服务器，"
            "或尚未运行 ysdesk server init）。"
        )
    if version > current_version():
        raise ServerRefused("服务器上的 ysdesk 数据由更新版本创建，请升级本机的 ysdesk。")
    row = conn.execute("SELECT value FROM ysdesk.meta WHERE key = %s", (OFFICE_KEY,)).fetchone()
    office = conn.execute(
        "SELECT pg_has_role(session_user, %s, 'MEMBER')", (OFFICE_ROLE,)
    ).fetchone()
    return (row[0] if row else ""), bool(office and office[0])


def lock_changes(conn: psycopg.Connection, desk: str, note: str = "") -> None:
    """Take the numbering lock for this transaction and name the desk for the audit."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
    conn.execute("SELECT set_config('ysdesk.desk', %s, true)", (desk,))
    conn.execute("SELECT set_config('ysdesk.note', %s, true)", (note,))


def set_note(conn: psycopg.Connection, note: str) -> None:
    """The note the audit rows of the following statements carry (why a value changed)."""
    conn.execute("SELECT set_config('ysdesk.note', %s, true)", (note,))


def projects_by_gid(conn: psycopg.Connection, gids: Iterable[str]) -> dict[str, ServerProject]:
    """The server's rows for these global ids."""
    gid_list = list(gids)
    if not gid_list:
        return {}
    rows = conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM {_ROW_FROM} WHERE p.gid = ANY(%s::uuid[])", (gid_list,)
    ).fetchall()
    return {r[0]: _server_project(r) for r in rows}


def projects_since(conn: psycopg.Connection, seq: int) -> list[ServerProject]:
    """Every project changed after change number `seq` (deletions included)."""
    rows = conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM {_ROW_FROM} WHERE p.seq > %s ORDER BY p.seq", (seq,)
    ).fetchall()
    return [_server_project(r) for r in rows]


def last_seq(conn: psycopg.Connection) -> int:
    """The highest change number on the server (exact while the numbering lock is held)."""
    row = conn.execute(
        "SELECT greatest((SELECT max(seq) FROM ysdesk.projects),"
        " (SELECT max(seq) FROM ysdesk.units), (SELECT max(seq) FROM ysdesk.progress),"
        " (SELECT max(seq) FROM ysdesk.indicator_values), 0)"
    ).fetchone()
    return int(row[0]) if row else 0


def write_progress(
    conn: psycopg.Connection, entries: Sequence[tuple[str, str, str, str]], *, own_only: bool
) -> None:
    """Add progress entries (global id, date, text, origin) the server lacks, to its live
    projects (with own_only, a unit login's: those its unit leads)."""
    if not entries:
        return
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS ysdesk_progress"
        " (gid uuid, date text, text text, origin text) ON COMMIT DELETE ROWS"
    )
    with conn.cursor().copy("COPY ysdesk_progress (gid, date, text, origin) FROM STDIN") as copy:
        for entry in entries:
            copy.write_row(entry)
    own = " AND p.lead_units && ysdesk.my_units()" if own_only else ""
    conn.execute(
        "INSERT INTO ysdesk.progress (gid, date, text, origin)"
        " SELECT DISTINCT ON (t.gid, t.date, t.text) t.gid, t.date, t.text, t.origin"
        " FROM ysdesk_progress t JOIN ysdesk.projects p ON p.gid = t.gid AND NOT p.deleted"
        f"{own} ON CONFLICT DO NOTHING"
    )
    conn.execute("TRUNCATE ysdesk_progress")


IndicatorKey = tuple[str, int]  # (indicator name, year)
IndicatorValue = tuple[float, str, str] | None  # (value, source, as of); None: no value


def indicator_values(
    conn: psycopg.Connection, *, since: int | None = None, keys: Sequence[IndicatorKey] = ()
) -> dict[IndicatorKey, IndicatorValue]:
    """The server's indicator values changed after change number `since`, or those of
    `keys`; a removed one as None."""
    if since is not None:
        rows = conn.execute(
            "SELECT indicator, year, value, source, as_of, deleted"
            " FROM ysdesk.indicator_values WHERE seq > %s",
            (since,),
        ).fetchall()
    elif keys:
        rows = conn.execute(
            "SELECT v.indicator, v.year, v.value, v.source, v.as_of, v.deleted"
            " FROM ysdesk.indicator_values v"
            " JOIN unnest(%s::text[], %s::int[]) AS k(indicator, year)"
            " ON v.indicator = k.indicator AND v.year = k.year",
            ([k[0] for k in keys], [k[1] for k in keys]),
        ).fetchall()
    else:
        return {}
    return {(r[0], r[1]): None if r[5] else (r[2], r[3], r[4]) for r in rows}


def write_indicator_values(
    conn: psycopg.Connection, values: dict[IndicatorKey, IndicatorValue]
) -> None:
    """Set (or, with None, remove) indicator values on the server."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ysdesk.indicator_values"
            " (indicator, year, value, source, as_of, deleted)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (indicator, year) DO UPDATE SET"
            " value = excluded.value, source = excluded.source, as_of = excluded.as_of,"
            " deleted = excluded.deleted",
            [
                (k[0], k[1], *(v if v is not None else (None, "", "")), v is None)
                for k, v in values.items()
            ],
        )


def progress_since(conn: psycopg.Connection, seq: int) -> list[tuple[str, str, str, str]]:
    """Progress entries added after change number `seq`: (global id, date, text, origin)."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT gid::text, date, text, origin FROM ysdesk.progress WHERE seq > %s ORDER BY seq",
            (seq,),
        )
    ]


def units_since(conn: psycopg.Connection, seq: int) -> list[tuple[str, str, list[str]]]:
    """Units added after change number `seq`: (name, kind, aliases)."""
    return [
        (r[0], r[1], list(r[2]))
        for r in conn.execute(
            "SELECT name, kind, aliases FROM ysdesk.units WHERE seq > %s ORDER BY sort, name",
            (seq,),
        )
    ]


def add_units(conn: psycopg.Connection, units: Iterable[tuple[str, str, Sequence[str]]]) -> int:
    """Put units the server lacks on it (by name); returns how many were new."""
    rows = list(units)
    if not rows:
        return 0
    known = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM ysdesk.units WHERE name = ANY(%s)", ([u[0] for u in rows],)
        )
    }
    fresh = [u for u in rows if u[0] not in known]
    if not fresh:
        return 0
    start = conn.execute("SELECT coalesce(max(sort), 0) FROM ysdesk.units").fetchone()
    base_sort = int(start[0]) if start else 0
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ysdesk.units(name, kind, aliases, sort) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (name) DO NOTHING",
            [(n, k, list(a), base_sort + i + 1) for i, (n, k, a) in enumerate(fresh)],
        )
    return len(fresh)


def write_projects(
    conn: psycopg.Connection,
    inserts: Sequence[Sequence[Any]],
    updates: Sequence[Sequence[Any]],
) -> None:
    """Insert and update projects; each row holds _WRITE_COLUMNS in order.

    The rows go by COPY into a temporary table (COPY cannot write a table under row-level
    security), then one INSERT and one UPDATE, which number each row (the triggers then
    log and audit them).
    """
    if not inserts and not updates:
        return
    columns = ", ".join(_WRITE_COLUMNS)
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS ysdesk_push (gid uuid, no bigint, year integer,"
        " code text, name text, task_no integer, zones text[], lead_units text[],"
        " co_units text[], goal text, deadline_text text, status text, progress text,"
        " note text, sort integer, origin_gid uuid, created_at text, updated_at text,"
        " search_text text, deleted boolean, version integer, new boolean)"
        " ON COMMIT DELETE ROWS"
    )
    with conn.cursor().copy(f"COPY ysdesk_push ({columns}, new) FROM STDIN") as copy:
        for row in inserts:
            copy.write_row((*row, True))
        for row in updates:
            copy.write_row((*row, False))
    if inserts:
        conn.execute(
            f"INSERT INTO ysdesk.projects ({columns})"
            f" SELECT {columns} FROM ysdesk_push WHERE new ORDER BY no"
        )
    if updates:
        assignments = ", ".join(f"{c} = t.{c}" for c in _WRITE_COLUMNS[2:-1])
        # A version above both the server's and the pushing desk's: a desk's versions of a
        # project only grow, so its stale-edit checks stay sound when it takes this one.
        conn.execute(
            f"UPDATE ysdesk.projects p SET {assignments},"
            " seq = nextval('ysdesk.change_seq'), version = greatest(p.version, t.version) + 1"
            " FROM ysdesk_push t WHERE p.gid = t.gid AND NOT t.new"
        )
    conn.execute("TRUNCATE ysdesk_push")


def write_unit_fields(conn: psycopg.Connection, updates: Sequence[tuple[str, Values]]) -> set[str]:
    """A unit login's push: only status, progress and note, as plain UPDATEs (the server
    numbers them and refuses any row its unit does not lead); the global ids written."""
    written: set[str] = set()
    with conn.cursor() as cur:
        for gid, values in updates:
            cur.execute(
                "UPDATE ysdesk.projects SET status = %s, progress = %s, note = %s"
                " WHERE gid = %s::uuid",
                (values["status"], values["progress"], values["note"], gid),
            )
            if cur.rowcount:
                written.add(gid)
    return written


def taken_codes(conn: psycopg.Connection, year: int, prefix: str) -> set[str]:
    """The codes of live projects of a year starting with `prefix` (settling new codes)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT code FROM ysdesk.projects WHERE year = %s AND NOT deleted"
            " AND starts_with(code, %s)",
            (year, prefix),
        )
    }


def taken_places(conn: psycopg.Connection, year: int, task_no: int) -> set[int]:
    """The places (sort) live projects of a year's task hold."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT sort FROM ysdesk.projects WHERE year = %s AND task_no = %s AND NOT deleted",
            (year, task_no),
        )
    }


def taken_numbers(conn: psycopg.Connection, numbers: Sequence[int]) -> tuple[set[int], int]:
    """Which of these project numbers (ids) the server has given out, and the highest."""
    found = {
        r[0]
        for r in conn.execute("SELECT no FROM ysdesk.projects WHERE no = ANY(%s)", (list(numbers),))
    }
    row = conn.execute("SELECT coalesce(max(no), 0) FROM ysdesk.projects").fetchone()
    return found, int(row[0]) if row else 0


def code_owners(
    conn: psycopg.Connection, pairs: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], str]:
    """Which live project holds each (year, code): {(year, code): gid}."""
    wanted = [p for p in pairs if p[1]]
    if not wanted:
        return {}
    years = [p[0] for p in wanted]
    codes = [p[1] for p in wanted]
    return {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            "SELECT p.year, p.code, p.gid::text FROM ysdesk.projects p"
            " JOIN unnest(%s::int[], %s::text[]) AS w(year, code)"
            " ON p.year = w.year AND p.code = w.code WHERE NOT p.deleted",
            (years, codes),
        )
    }


def write_meta(conn: psycopg.Connection, values: dict[str, Any]) -> None:
    """Insert or replace keys of ysdesk.meta."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ysdesk.meta(key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [
                (k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                for k, v in values.items()
            ],
        )


def read_meta(conn: psycopg.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM ysdesk.meta WHERE key = %s", (key,)).fetchone()
    return row[0] if row else None


def write_plan(conn: psycopg.Connection, plan: dict[str, list[dict[str, Any]]]) -> None:
    """The plan's areas, tasks, zones and indicators (a share onto an empty server)."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ysdesk.areas(no, title, intro) VALUES (%(no)s, %(title)s, %(intro)s)",
            plan["areas"],
        )
        cur.executemany(
            "INSERT INTO ysdesk.tasks(no, area_no, title, text)"
            " VALUES (%(no)s, %(area_no)s, %(title)s, %(text)s)",
            plan["tasks"],
        )
        cur.executemany(
            "INSERT INTO ysdesk.zones(name, area_km2, description, sort)"
            " VALUES (%(name)s, %(area_km2)s, %(description)s, %(sort)s)",
            plan["zones"],
        )
        cur.executemany(
            "INSERT INTO ysdesk.indicators(name, unit, target_value, target_year, comparator,"
            " baseline_value, baseline_year, sort) VALUES (%(name)s, %(unit)s,"
            " %(target_value)s, %(target_year)s, %(comparator)s, %(baseline_value)s,"
            " %(baseline_year)s, %(sort)s)",
            plan["indicators"],
        )


def read_plan(conn: psycopg.Connection) -> dict[str, list[dict[str, Any]]]:
    """The plan as write_plan takes it (a clone builds its database from it)."""

    def rows(sql: str) -> list[dict[str, Any]]:
        with conn.cursor() as cur:
            cur.execute(sql)
            names = [d.name for d in cur.description or ()]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    return {
        "areas": rows("SELECT no, title, intro FROM ysdesk.areas ORDER BY no"),
        "tasks": rows("SELECT no, area_no, title, text FROM ysdesk.tasks ORDER BY no"),
        "zones": rows(
            "SELECT name, area_km2, description, sort FROM ysdesk.zones ORDER BY sort, name"
        ),
        "indicators": rows(
            "SELECT name, unit, target_value, target_year, comparator, baseline_value,"
            " baseline_year, sort FROM ysdesk.indicators ORDER BY sort, name"
        ),
        "units": rows("SELECT name, kind, aliases FROM ysdesk.units ORDER BY sort, name"),
    }


def holds_data(conn: psycopg.Connection) -> bool:
    """Whether the server already holds an office's lists (or its plan)."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM ysdesk.projects) OR EXISTS (SELECT 1 FROM ysdesk.tasks)"
    ).fetchone()
    return bool(row and row[0])
