"""The desk's side of the shared office mode: what it has not synced, and writing what a sync
brings, in one transaction (schema._m004_replica holds the tables and triggers).

A project's fields travel as a plain dict of SYNC_FIELDS (lists as lists, the status as
its word). The replica's settings — the server URL (never a password), the office it belongs
to, the desk's name and the last change number it has seen — live in the meta table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ysdesk.domain.errors import UserError
from ysdesk.domain.merge import LIST_VALUE_FIELDS, SORT, SYNC_FIELDS
from ysdesk.domain.model import now_iso
from ysdesk.store.db import Store, _audit_text, _derived_deadline

Values = dict[str, Any]
_CARRIED = (*SYNC_FIELDS, SORT)

_URL, _OFFICE, _DESK, _SEQ, _SYNCED_AT, _PROGRESS_ID = (
    "sync_url",
    "sync_office",
    "sync_desk",
    "sync_seq",
    "sync_at",
    "sync_progress_id",  # the highest progress entry here the server has been sent
)


@dataclass(frozen=True)
class ReplicaSettings:
    """Where this desk syncs to and how far it has read."""

    url: str
    office: str
    desk: str
    last_seq: int
    synced_at: str


def replica_settings(store: Store) -> ReplicaSettings | None:
    """The replica's settings, or None for a database of the single-file mode."""
    url = store.get_meta(_URL)
    if not url:
        return None
    return ReplicaSettings(
        url=url,
        office=store.get_meta(_OFFICE) or "",
        desk=store.get_meta(_DESK) or "",
        last_seq=int(store.get_meta(_SEQ) or 0),
        synced_at=store.get_meta(_SYNCED_AT) or "",
    )


def write_settings(store: Store, *, url: str, office: str, desk: str, last_seq: int) -> None:
    """Record (inside the caller's transaction) that this database is a replica."""
    if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        raise ValueError("a replica's URL must not carry a password")
    store._set_meta(_URL, url)
    store._set_meta(_OFFICE, office)
    store._set_meta(_DESK, desk)
    store._set_meta(_SEQ, str(last_seq))


@dataclass
class LocalProject:
    """A project this desk may have changed since the last sync."""

    gid: str
    project_id: int | None  # None: deleted here
    base: Values | None  # None: never synced
    current: Values | None  # None: deleted here
    no: int = 0  # its id here (or the id it had before it was deleted)
    created_at: str = ""
    updated_at: str = ""
    origin_gid: str | None = None
    search_text: str = ""
    version: int = 1

    @property
    def changed(self) -> bool:
        return self.current != self.base


def dirty_projects(store: Store) -> list[LocalProject]:
    """Every project whose dirty mark is set, with its base and its current fields."""
    rows = store.conn.execute(
        "SELECT s.gid, s.project_id, s.deleted_id, s.base FROM sync_projects s WHERE s.dirty"
    ).fetchall()
    ids = [r[1] for r in rows if r[1] is not None]
    current = read_values(store, ids)
    result = []
    for gid, project_id, deleted_id, base in rows:
        item = current.get(project_id) if project_id is not None else None
        values, extra = item if item is not None else (None, {})
        result.append(
            LocalProject(
                gid=gid,
                project_id=project_id,
                base=json.loads(base) if base is not None else None,
                current=values,
                no=project_id if project_id is not None else (deleted_id or 0),
                **extra,
            )
        )
    return result


def read_values(store: Store, ids: Sequence[int]) -> dict[int, tuple[Values, dict[str, Any]]]:
    """Per project id: its synced fields, and its creation/update times, search text and
    the global id it was rolled over from (one query per table, whatever the count)."""
    if not ids:
        return {}
    conn = store.conn
    id_list = json.dumps(list(ids))
    result: dict[int, tuple[Values, dict[str, Any]]] = {}
    for row in conn.execute(
        "SELECT p.id, p.year, p.code, p.name, p.task_no, p.goal, p.deadline_text, p.status,"
        " p.progress, p.note, p.created_at, p.updated_at, p.search_text, o.gid, p.version,"
        " p.sort"
        " FROM projects p LEFT JOIN sync_projects o ON o.project_id = p.origin_id"
        " WHERE p.id IN (SELECT value FROM json_each(?))",
        (id_list,),
    ):
        values = {
            "year": row[1],
            "code": row[2],
            "name": row[3],
            "task_no": row[4],
            "zones": [],
            "lead_units": [],
            "co_units": [],
            "goal": row[5],
            "deadline_text": row[6],
            "status": row[7],
            "progress": row[8],
            "note": row[9],
            SORT: row[15],
        }
        extra = {
            "created_at": row[10],
            "updated_at": row[11],
            "search_text": row[12],
            "origin_gid": row[13],
            "version": row[14],
        }
        result[row[0]] = (values, extra)
    zone_order = {
        name: i
        for i, (name,) in enumerate(conn.execute("SELECT name FROM zones ORDER BY sort, id"))
    }
    zones: dict[int, list[str]] = {}
    for pid, name in conn.execute(
        "SELECT pz.project_id, z.name FROM project_zones pz JOIN zones z ON z.id = pz.zone_id"
        " WHERE pz.project_id IN (SELECT value FROM json_each(?))",
        (id_list,),
    ):
        zones.setdefault(pid, []).append(name)
    for pid, names in zones.items():
        if pid in result:
            result[pid][0]["zones"] = sorted(names, key=zone_order.__getitem__)
    for pid, name, role in conn.execute(
        "SELECT pu.project_id, u.name, pu.role FROM project_units pu"
        " JOIN units u ON u.id = pu.unit_id"
        " WHERE pu.project_id IN (SELECT value FROM json_each(?))"
        " ORDER BY pu.project_id, pu.sort",
        (id_list,),
    ):
        if pid in result:
            result[pid][0]["lead_units" if role == "lead" else "co_units"].append(name)
    return result


def local_stamp(store: Store) -> tuple[int, int]:
    """What tells whether anything wrote this database since: (SQLite's data_version, which
    moves when another connection commits, and this connection's own change count)."""
    row = store.conn.execute("PRAGMA data_version").fetchone()
    return int(row[0]), store.conn.total_changes


def untouched_since(store: Store, stamp: tuple[int, int]) -> bool:
    """Inside the caller's transaction, whose write lock this takes (by noting the sync's
    time): whether nothing wrote this database since `stamp` was taken."""
    store._set_meta(_SYNCED_AT, now_iso())
    version, changes = local_stamp(store)
    return version == stamp[0] and changes == stamp[1] + 1


def gid_map(store: Store) -> dict[str, int | None]:
    """Every global id this desk knows, with its project id here (None: deleted here)."""
    return dict(store.conn.execute("SELECT gid, project_id FROM sync_projects"))


def pending_count(store: Store) -> int:
    """How many projects (and indicator values) this desk has changed, added or deleted
    since its last sync."""
    values = [v for v in dirty_indicators(store).values() if v.mine != v.base or not v.synced]
    return sum(1 for p in dirty_projects(store) if p.changed) + sum(
        1 for v in values if v.synced or v.mine is not None
    )


def all_values(store: Store) -> list[LocalProject]:
    """Every project of the database with its global id (for `share`)."""
    rows = store.conn.execute(
        "SELECT s.gid, s.project_id FROM sync_projects s WHERE s.project_id IS NOT NULL"
    ).fetchall()
    current = read_values(store, [r[1] for r in rows])
    return [
        LocalProject(
            gid=gid,
            project_id=pid,
            base=None,
            current=current[pid][0],
            no=pid,
            **current[pid][1],
        )
        for gid, pid in rows
        if pid in current
    ]


@dataclass
class Incoming:
    """A project as a sync leaves it on this desk: its fields, and the new base."""

    gid: str
    values: Values | None  # None: delete it here
    base: Values | None  # the base to keep (None with values None: forget the project)
    project_id: int | None = None  # None: a project new to this desk
    no: int = 0  # the id the server settled for it (every desk lists it under that id)
    created_at: str = ""
    updated_at: str = ""
    search_text: str | None = None
    origin_gid: str | None = None
    version: int = 0  # the server's version, which this desk takes (0: leave it)
    origin: str = ""  # who and where, for the audit log
    keep_dirty: bool = False  # a conflict is left on it: the next sync looks again
    changes: dict[str, Any] = field(default_factory=dict)  # filled in by apply


def add_units(store: Store, units: Iterable[tuple[str, str, Sequence[str]]]) -> int:
    """Add the units another desk created (name, kind, aliases); returns how many."""
    known = {u.name for u in store.units()}
    count = 0
    for name, kind, aliases in units:
        if name in known:
            continue
        store.add_unit(name, kind, aliases)
        known.add(name)
        count += 1
    return count


@dataclass
class Applied:
    """What a sync wrote on this desk, by project id: for the window's views and undo."""

    added: set[int] = field(default_factory=set)
    changed: dict[int, set[str]] = field(default_factory=dict)  # id → fields written
    removed: set[int] = field(default_factory=set)
    versions: dict[int, int] = field(default_factory=dict)  # id → version after the sync
    # Only the version and time moved (this desk's own edit, numbered by the server):
    # id → (version before, version after).
    renumbered_versions: dict[int, tuple[int, int]] = field(default_factory=dict)
    renumbered: dict[int, int] = field(default_factory=dict)  # old id → id settled

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


_SCALAR_SET = (
    *(f for f in SYNC_FIELDS if f not in LIST_VALUE_FIELDS),
    "deadline",
    "search_text",
    "updated_at",
    SORT,
    "version",
)


def apply_incoming(store: Store, incoming: Sequence[Incoming], *, last_seq: int) -> Applied:
    """Write what a sync brings, inside the caller's transaction; returns what it wrote
    here. Every replaced value goes to the audit log with its origin.

    Updates go in batches (one statement each for fields, versions, bases and audit rows);
    a batch is written out before anything that moves ids (an insert, a deletion, a
    renumbering), which must see the bases written so far.
    """
    if not store._depth:
        raise UserError("内部错误：同步写入必须在一个事务中进行。")
    conn = store.conn
    at = now_iso()
    applied = Applied()
    if not incoming:  # an idle sync: only the number seen and the time move on
        store._set_meta(_SEQ, str(last_seq))
        store._set_meta(_SYNCED_AT, at)
        return applied
    current = read_values(store, [i.project_id for i in incoming if i.project_id is not None])
    gids = {gid: pid for gid, pid in conn.execute("SELECT gid, project_id FROM sync_projects")}
    unit_ids = store._unit_id_map()
    zone_ids = store._zone_id_map()
    fields: list[list[Any]] = []
    versions: list[tuple[int, str, int]] = []
    bases: list[tuple[str, int, str]] = []
    audit: list[tuple[Any, ...]] = []

    def flush() -> None:
        # Fields first: their triggers mark the projects dirty, which the bases then clear.
        conn.executemany(
            f"UPDATE projects SET {', '.join(f'{c} = ?' for c in _SCALAR_SET)} WHERE id = ?",
            fields,
        )
        conn.executemany("UPDATE projects SET version = ?, updated_at = ? WHERE id = ?", versions)
        conn.executemany("UPDATE sync_projects SET base = ?, dirty = ? WHERE gid = ?", bases)
        conn.executemany(
            "INSERT INTO audit_log(at, project_id, field, old, new, origin)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            audit,
        )
        for batch in (fields, versions, bases, audit):
            batch.clear()

    for item in incoming:
        pid = item.project_id
        if item.values is None:
            flush()
            if pid is not None:
                store.delete_project(pid, origin=item.origin)
                applied.removed.add(pid)
            conn.execute("DELETE FROM sync_projects WHERE gid = ?", (item.gid,))
            continue
        if pid is None:
            flush()
            pid = _insert(store, item, gids, at)
            applied.added.add(pid)
            applied.versions[pid] = item.version or 1
        else:
            old, extra = current[pid]
            if item.no > 0 and pid != item.no:
                flush()
                if renumber(store, pid, item.no, make_room=True):
                    # Its id here differs from the server's (a sync killed between the
                    # server's commit and this desk's): take the settled id now.
                    applied.renumbered[pid] = item.no
                    gids[item.gid] = pid = item.no
            diff = [f for f in _CARRIED if item.values[f] != old[f]]
            if diff:
                row = _update(store, pid, old, item, diff, at, unit_ids, zone_ids, audit)
                fields.append(row)
                applied.changed[pid] = set(diff)
                applied.versions[pid] = row[-2]
            elif item.version and (item.version, item.updated_at) != (
                extra["version"],
                extra["updated_at"],
            ):
                # Pushed from here: the project takes the server's version and time, as
                # every other desk does.
                versions.append((item.version, item.updated_at, pid))
                applied.renumbered_versions[pid] = (extra["version"], item.version)
                applied.versions[pid] = item.version
        bases.append(
            (json.dumps(item.base, ensure_ascii=False), 1 if item.keep_dirty else 0, item.gid)
        )
    flush()
    store._set_meta(_SEQ, str(last_seq))
    store._set_meta(_SYNCED_AT, at)
    return applied


def unsent_progress(store: Store) -> tuple[list[tuple[str, str, str, str]], int]:
    """Progress entries written here since the last sync: (global id, date, text, origin),
    and the highest entry id read (the mark the sync moves on to)."""
    mark = int(store.get_meta(_PROGRESS_ID) or 0)
    rows = store.conn.execute(
        "SELECT s.gid, l.date, l.text, l.origin, l.id FROM progress_log l"
        " JOIN sync_projects s ON s.project_id = l.project_id WHERE l.id > ? ORDER BY l.id",
        (mark,),
    ).fetchall()
    top = store.conn.execute("SELECT coalesce(max(id), 0) FROM progress_log").fetchone()[0]
    return [(r[0], r[1], r[2], r[3]) for r in rows], max(mark, top)


def add_progress(
    store: Store, entries: Iterable[tuple[str, str, str, str]], *, sent_up_to: int
) -> int:
    """Add the progress entries other desks wrote (with their own dates) that this desk
    lacks, inside the caller's transaction; returns how many. `sent_up_to`: the highest
    entry id of this desk the server now holds."""
    conn = store.conn
    entries = list(entries)
    # Only the ids of the projects the entries belong to (an idle sync reads none).
    gids = dict(
        conn.execute(
            "SELECT gid, project_id FROM sync_projects"
            " WHERE gid IN (SELECT value FROM json_each(?))",
            (json.dumps([e[0] for e in entries]),),
        )
        if entries
        else ()
    )
    top_before = conn.execute("SELECT coalesce(max(id), 0) FROM progress_log").fetchone()[0]
    added = 0
    for gid, date, text, origin in entries:
        pid = gids.get(gid)
        if pid is None:
            continue  # deleted here (or unknown): nothing to hang it on
        known = conn.execute(
            "SELECT 1 FROM progress_log WHERE project_id = ? AND date = ? AND text = ?",
            (pid, date, text),
        ).fetchone()
        if not known:
            conn.execute(
                "INSERT INTO progress_log(project_id, date, text, origin) VALUES (?, ?, ?, ?)",
                (pid, date, text, origin),
            )
            added += 1
    # The entries just added came from the server: not to be sent back, unless this desk
    # wrote entries of its own meanwhile (the window's thread), which must still go.
    mark = sent_up_to
    if top_before <= sent_up_to:
        mark = conn.execute("SELECT coalesce(max(id), 0) FROM progress_log").fetchone()[0]
    store._set_meta(_PROGRESS_ID, str(mark))
    return added


def extra_version(store: Store, pid: int) -> int:
    row = store.conn.execute("SELECT version FROM projects WHERE id = ?", (pid,)).fetchone()
    return int(row[0]) if row else 0


def _insert(store: Store, item: Incoming, gids: dict[str, int | None], at: str) -> int:
    from ysdesk.domain.model import Project, Status

    values = item.values
    assert values is not None
    # The id the server gave it, so every desk lists it under one id; a project made here
    # and not pushed yet that holds that id moves aside (the server settles its id later).
    free = item.no > 0 and free_id(store, item.no)
    origin_id = gids.get(item.origin_gid) if item.origin_gid else None
    project = Project(
        id=item.no if free else None,
        year=values["year"],
        code=values["code"],
        name=values["name"],
        task_no=values["task_no"],
        zones=tuple(values["zones"]),
        lead_units=tuple(values["lead_units"]),
        co_units=tuple(values["co_units"]),
        goal=values["goal"],
        deadline_text=values["deadline_text"],
        status=Status(values["status"]),
        progress=values["progress"],
        note=values["note"],
        created_at=item.created_at or at,
        updated_at=item.updated_at or at,
        origin_id=origin_id,
        version=item.version or 1,
    )
    pid = store._insert_one(project, origin=item.origin, at=at, keep_id=bool(free), history=())
    store.conn.execute(
        "UPDATE projects SET version = ?, sort = ? WHERE id = ?",
        (item.version or 1, values[SORT], pid),
    )
    # The insert trigger gave the project a global id of its own: it takes the server's.
    store.conn.execute("DELETE FROM sync_projects WHERE gid = ?", (item.gid,))
    store.conn.execute("UPDATE sync_projects SET gid = ? WHERE project_id = ?", (item.gid, pid))
    gids[item.gid] = pid
    return pid


def _update(
    store: Store,
    pid: int,
    old: Values,
    item: Incoming,
    diff: list[str],
    at: str,
    unit_ids: dict[str, int],
    zone_ids: dict[str, int],
    audit: list[tuple[Any, ...]],
) -> list[Any]:
    """The links of a pulled change written now; its columns (the row for apply_incoming's
    batched UPDATE, in _SCALAR_SET order) and audit rows returned."""
    conn = store.conn
    new = item.values
    assert new is not None
    if "zones" in diff:
        conn.execute("DELETE FROM project_zones WHERE project_id = ?", (pid,))
        conn.executemany(
            "INSERT OR IGNORE INTO project_zones(project_id, zone_id) VALUES (?, ?)",
            [(pid, zone_ids[z]) for z in new["zones"]],
        )
    if "lead_units" in diff or "co_units" in diff:
        conn.execute("DELETE FROM project_units WHERE project_id = ?", (pid,))
        links = [(pid, unit_ids[u], "lead", i) for i, u in enumerate(new["lead_units"])]
        links += [(pid, unit_ids[u], "co", i) for i, u in enumerate(new["co_units"])]
        conn.executemany(
            "INSERT OR IGNORE INTO project_units(project_id, unit_id, role, sort)"
            " VALUES (?, ?, ?, ?)",
            links,
        )
    # A pulled progress brings no history entry dated today: the entries travel on their
    # own, with the dates they were written on (add_progress).
    audit.extend(
        (
            at,
            pid,
            f,
            _audit_text(tuple(old[f]) if f in LIST_VALUE_FIELDS else old[f]),
            _audit_text(tuple(new[f]) if f in LIST_VALUE_FIELDS else new[f]),
            item.origin,
        )
        for f in diff
        if f != SORT  # a place in the list is presentation: moves are not audited
    )
    search_text = item.search_text or store._haystack(
        {**new, "lead_units": tuple(new["lead_units"]), "co_units": tuple(new["co_units"])}
    )
    return [
        *(new[f] for f in SYNC_FIELDS if f not in LIST_VALUE_FIELDS),
        _derived_deadline(new),
        search_text,
        item.updated_at or at,
        new[SORT],
        # The server's version: every desk's version of a project only grows (see sync),
        # and all desks end with the same.
        item.version or extra_version(store, pid) + 1,
        pid,
    ]


def free_id(store: Store, project_id: int) -> bool:
    """Free the id `project_id` for a number the server settled, inside the caller's
    transaction: a project made here and never synced that holds it moves to a free id (its
    id is provisional: its own push settles it). False when a synced project holds it."""
    conn = store.conn
    row = conn.execute(
        "SELECT s.base IS NULL FROM projects p LEFT JOIN sync_projects s ON s.project_id = p.id"
        " WHERE p.id = ?",
        (project_id,),
    ).fetchone()
    if row is None:
        return True
    if not row[0]:
        return False
    free = conn.execute("SELECT max(id) + 1 FROM projects").fetchone()[0]
    return renumber(store, project_id, free)


def renumber(store: Store, old: int, new: int, *, make_room: bool = False) -> bool:
    """Give a project another id (the number the server settled for it), inside the caller's
    transaction; False when the id is taken here (with make_room, only when a synced project
    holds it). Its links, history, kept text and audit entries follow it."""
    conn = store.conn
    if old == new:
        return True
    if make_room:
        free_id(store, new)
    if conn.execute("SELECT 1 FROM projects WHERE id = ?", (new,)).fetchone():
        return False
    conn.execute("PRAGMA defer_foreign_keys = ON")
    conn.execute("UPDATE projects SET id = ? WHERE id = ?", (new, old))
    for table in ("project_zones", "project_units", "progress_log", "project_json", "audit_log"):
        conn.execute(f"UPDATE {table} SET project_id = ? WHERE project_id = ?", (new, old))
    conn.execute("UPDATE projects SET origin_id = ? WHERE origin_id = ?", (new, old))
    return True


# ------------------------------------------------------------- indicator values
IndicatorKey = tuple[str, int]  # (indicator name, year)
IndicatorValue = tuple[float, str, str] | None  # (value, source, as of); None: no value


@dataclass
class LocalIndicator:
    """An indicator's value for a year that this desk may have changed since the last sync."""

    mine: IndicatorValue
    synced: bool  # whether `base` is what both sides last agreed
    base: IndicatorValue


def _value(row: Sequence[Any] | None) -> IndicatorValue:
    return None if row is None or row[0] is None else (float(row[0]), row[1], row[2])


def dirty_indicators(store: Store) -> dict[IndicatorKey, LocalIndicator]:
    """Every indicator value whose dirty mark is set, with this desk's value and its base."""
    result = {}
    for name, year, base, synced, value, source, as_of in store.conn.execute(
        "SELECT s.indicator, s.year, s.base, s.synced, v.value, v.source, v.as_of"
        " FROM sync_indicator_values s LEFT JOIN indicators i ON i.name = s.indicator"
        " LEFT JOIN indicator_values v ON v.indicator_id = i.id AND v.year = s.year"
        " WHERE s.dirty"
    ):
        kept = json.loads(base) if base is not None else None
        result[(name, year)] = LocalIndicator(
            mine=_value((value, source, as_of)),
            synced=bool(synced),
            base=tuple(kept) if kept is not None else None,  # type: ignore[arg-type]
        )
    return result


def apply_indicators(
    store: Store,
    take: dict[IndicatorKey, IndicatorValue],
    agreed: dict[IndicatorKey, IndicatorValue],
) -> int:
    """Inside the caller's transaction: write the server's values of `take` here, and
    record `take` and `agreed` as what both sides now hold; returns how many were written."""
    conn = store.conn
    ids = dict(conn.execute("SELECT name, id FROM indicators"))
    written = 0
    for (name, year), value in take.items():
        indicator_id = ids.get(name)
        if indicator_id is None:
            continue  # not in this desk's plan
        row = conn.execute(
            "SELECT value, source, as_of FROM indicator_values WHERE indicator_id = ? AND year = ?",
            (indicator_id, year),
        ).fetchone()
        if _value(row) == value:
            continue
        if value is None:
            conn.execute(
                "DELETE FROM indicator_values WHERE indicator_id = ? AND year = ?",
                (indicator_id, year),
            )
        else:
            conn.execute(
                "INSERT INTO indicator_values(indicator_id, year, value, source, as_of)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(indicator_id, year) DO UPDATE SET"
                " value = excluded.value, source = excluded.source, as_of = excluded.as_of",
                (indicator_id, year, *value),
            )
        written += 1
    # After the writes, whose triggers mark them dirty.
    conn.executemany(
        "INSERT INTO sync_indicator_values(indicator, year, base, synced, dirty)"
        " VALUES (?, ?, ?, 1, 0) ON CONFLICT(indicator, year) DO UPDATE SET"
        " base = excluded.base, synced = 1, dirty = 0",
        [
            (name, year, json.dumps(value, ensure_ascii=False) if value is not None else None)
            for (name, year), value in {**agreed, **take}.items()
        ],
    )
    return written
