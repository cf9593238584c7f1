"""Each project's JSON text kept beside it (table `project_json`): DDL, refresh, read, check.

Why: `import --dry-run --json` of a return of this database's own export prints every row's
project as JSON, and so does `list --json`. Reading a year's 10,000 kept texts takes about
0.04 s; loading the projects and writing their JSON about 0.3 s, which would take the dry run
well past its target of twice the bare read of the sheet (scripts/bench_import.py).

What: a text is the project's `json_text(UNDATED)` ("overdue": false); readers make it the
day's text with `dated_json_text`, judging overdue in SQL. Triggers empty a text (NULL)
whenever anything it shows changes: a column of the project (`store.projects.COLUMNS`), its
zone and unit links, the names of its units and zones, the order of the zones, its task's
area. The store writes the emptied texts again at the end of each of its transactions
(`refresh`); readers make any still empty themselves, so a text is never stale, only missing.

The texts are a cache of what Project.to_json says, so they follow the code rather than the
schema version: FORMAT is made from the triggers' DDL and the JSON of a probe project, and a
store that opens a database whose texts were made to another FORMAT makes the table, the
triggers and the texts anew (`ensure_current`); until then readers do not use the texts.
Adding a field to Project therefore needs no change here.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date
from typing import TYPE_CHECKING

from ysdesk.domain.model import UNDATED, Project, ProjectFilter, Status, dated_json_text
from ysdesk.store.filters import OVERDUE_SQL, overdue_args, where_clause
from ysdesk.store.projects import COLUMNS, list_projects

if TYPE_CHECKING:
    import sqlite3

    from ysdesk.store.db import Store

_FORMAT_KEY = "project_json_format"


def _link_triggers(link: str, table: str) -> list[str]:
    """A zone or unit link added, changed or removed empties its project's text."""
    return [
        f"CREATE TRIGGER project_json_{link}_added AFTER INSERT ON {table} BEGIN"
        " UPDATE project_json SET text = NULL WHERE project_id = NEW.project_id; END",
        f"CREATE TRIGGER project_json_{link}_changed AFTER UPDATE ON {table} BEGIN"
        " UPDATE project_json SET text = NULL"
        " WHERE project_id IN (OLD.project_id, NEW.project_id); END",
        f"CREATE TRIGGER project_json_{link}_removed AFTER DELETE ON {table} BEGIN"
        " UPDATE project_json SET text = NULL WHERE project_id = OLD.project_id; END",
    ]


DDL: tuple[str, ...] = (
    "CREATE TABLE project_json ("
    " project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, text TEXT)",
    "CREATE INDEX project_json_missing ON project_json(project_id) WHERE text IS NULL",
    "CREATE TRIGGER project_json_new AFTER INSERT ON projects BEGIN"
    " INSERT OR REPLACE INTO project_json(project_id) VALUES (NEW.id); END",
    f"CREATE TRIGGER project_json_project AFTER UPDATE OF {', '.join(COLUMNS)} ON projects"
    " BEGIN UPDATE project_json SET text = NULL WHERE project_id IN (OLD.id, NEW.id); END",
    "CREATE TRIGGER project_json_unit_renamed AFTER UPDATE OF id, name ON units BEGIN"
    " UPDATE project_json SET text = NULL WHERE project_id IN"
    " (SELECT project_id FROM project_units WHERE unit_id IN (OLD.id, NEW.id)); END",
    "CREATE TRIGGER project_json_zone_renamed AFTER UPDATE OF id, name, sort ON zones BEGIN"
    " UPDATE project_json SET text = NULL WHERE project_id IN"
    " (SELECT project_id FROM project_zones WHERE zone_id IN (OLD.id, NEW.id)); END",
    "CREATE TRIGGER project_json_task_moved AFTER UPDATE OF no, area_no ON tasks BEGIN"
    " UPDATE project_json SET text = NULL WHERE project_id IN"
    " (SELECT id FROM projects WHERE task_no IN (OLD.no, NEW.no)); END",
    *_link_triggers("zone", "project_zones"),
    *_link_triggers("unit", "project_units"),
)

# A project with every field set: its JSON changes whenever Project.to_json's output does.
_PROBE = Project(
    id=1,
    year=2025,
    name="名",
    task_no=2,
    code="c",
    area_no=3,
    zones=("z",),
    lead_units=("l",),
    co_units=("c",),
    goal="g",
    deadline_text="t",
    deadline=date(2025, 1, 2),
    status=Status.LAGGING,
    progress="p",
    note="n",
    created_at="a",
    updated_at="u",
    version=4,
    origin_id=5,
)


@functools.cache
def format_stamp() -> str:
    """What the texts and triggers of this code are made to: a digest of DDL and the probe."""
    made = "\n".join([*DDL, _PROBE.json_text(UNDATED), dated_json_text("", True)])
    return hashlib.sha256(made.encode()).hexdigest()[:16]


def install(conn: sqlite3.Connection) -> None:
    """(Re)make the table, its triggers and its empty texts, for this code's FORMAT.

    Inside the caller's transaction; the store's transaction writes the texts as it ends.
    """
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'project_json%'"
    ).fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("DROP TABLE IF EXISTS project_json")
    for statement in DDL:
        conn.execute(statement)
    conn.execute("INSERT INTO project_json(project_id) SELECT id FROM projects")
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (_FORMAT_KEY, format_stamp()),
    )


def is_current(conn: sqlite3.Connection) -> bool:
    """Whether the database's texts were made to this code's FORMAT."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_FORMAT_KEY,)).fetchone()
    return row is not None and row[0] == format_stamp()


def ensure_current(store: Store) -> None:
    """Make the texts anew (in one transaction) unless they are of this code's FORMAT."""
    if not is_current(store.conn):
        with store.atomic():
            install(store.conn)


def refresh(store: Store) -> None:
    """Write the text of every project whose text a change emptied (the store's transactions
    end with this)."""
    conn = store.conn
    missing = [r[0] for r in conn.execute("SELECT project_id FROM project_json WHERE text IS NULL")]
    if not missing:
        return
    projects = list_projects(store, ProjectFilter(ids=tuple(missing)), None)
    conn.executemany(
        "UPDATE project_json SET text = ? WHERE project_id = ?",
        ((p.json_text(UNDATED), p.id) for p in projects),
    )


def read(store: Store, filt: ProjectFilter, today: date) -> list[tuple[int, str]]:
    """(id, Project.json_text(today)) of the matching projects in plan order: the kept texts,
    made for the day, and made here for any not kept (a read-only store cannot write them)."""
    where, args = where_clause(filt, today)
    rows = store.conn.execute(
        f"SELECT p.id, j.text, {OVERDUE_SQL} FROM projects p JOIN tasks t ON t.no = p.task_no"
        f" LEFT JOIN project_json j ON j.project_id = p.id{where}"
        " ORDER BY p.year, p.task_no, p.sort, p.id",
        [*overdue_args(today), *args],
    ).fetchall()
    if not is_current(store.conn):
        rows = [(pid, None, overdue) for pid, _text, overdue in rows]
    missing = tuple(r[0] for r in rows if r[1] is None)
    made = {}
    if missing:
        made = {
            p.id: p.json_text(today) for p in list_projects(store, ProjectFilter(ids=missing), None)
        }
    return [
        (pid, made[pid] if text is None else dated_json_text(text, overdue))
        for pid, text, overdue in rows
    ]


def differences(store: Store) -> list[int]:
    """Ids of the projects whose kept text is not what their data says (`check`)."""
    if not is_current(store.conn):
        return []  # not read until a writable store makes them anew
    kept = dict(
        store.conn.execute("SELECT project_id, text FROM project_json WHERE text IS NOT NULL")
    )
    return [
        p.id  # type: ignore[misc]
        for p in list_projects(store, ProjectFilter(), None)
        if p.id in kept and kept[p.id] != p.json_text(UNDATED)
    ]
