"""The shared office mode: share a database onto a server, clone it onto another desk, sync.

Each desk keeps its SQLite file and works offline; a sync pushes this desk's changes since
its last sync and pulls everyone else's since the last change number it saw — the server
side in one transaction, then this desk's side in one transaction. Fields are merged three
ways (domain.merge) against the project as both sides last agreed (its base):

- a field changed on one side only takes that side's value;
- a field changed on both sides to different values is a conflict: the server keeps its
  value, this desk keeps its own and its old base (so the next sync finds the conflict
  again) until the user picks a side (prefer="mine" or "theirs");
- a project deleted on one side and changed on the other is a conflict too, never a
  silent loss;
- codes are settled on the server: a new code another desk already used is renumbered,
  and the report says so.

Every value a sync replaces goes to the audit log (here and on the server) with who and
which desk it came from. A sync killed half-way leaves both sides consistent: whatever
the server took is found there again by the next sync, field by field.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ysdesk.domain.errors import UserError
from ysdesk.domain.merge import SORT, SYNC_FIELDS, Merge, merge_values
from ysdesk.domain.model import FIELD_LABELS, now_iso
from ysdesk.server import remote
from ysdesk.server.connection import (
    ServerAddress,
    ServerRefused,
    connect,
    parse_url,
    server_errors,
)
from ysdesk.server.credentials import forget_password, remember_password, stored_password
from ysdesk.services.changes import Changes
from ysdesk.store import Store, replica
from ysdesk.store.replica import Incoming, LocalProject

if TYPE_CHECKING:
    import psycopg

MINE = "mine"
THEIRS = "theirs"
DELETED_FIELD = "deleted"
# The "field" of a conflict over an indicator's actual value for a year.
INDICATOR_FIELD = "indicator_value"
_CONFLICTS_KEY = "sync_conflicts"
_CODE = re.compile(r"^(\d{4})-(\d{1,2})-(\d+)$")
PasswordPrompt = Callable[[ServerAddress], "str | None"]


def side(prefer: str | dict[tuple[str, str], str] | None, gid: str, name: str) -> str | None:
    """The side picked for one conflict: MINE, THEIRS or None (left open). `prefer` is one
    side for every conflict, or a side per (global id, field) as the window's conflict list
    picks them (a deletion's field is DELETED_FIELD)."""
    if isinstance(prefer, dict):
        return prefer.get((gid, name))
    return prefer


@dataclass
class Conflict:
    """One field two desks changed differently (or a deletion against an edit)."""

    gid: str
    code: str
    name: str
    field: str
    mine: Any
    theirs: Any
    base: Any

    @property
    def label(self) -> str:
        if self.field == INDICATOR_FIELD:
            return "指标实际值"
        return "删除" if self.field == DELETED_FIELD else FIELD_LABELS.get(self.field, self.field)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "field": self.field,
            "mine": self.mine,
            "theirs": self.theirs,
            "base": self.base,
            "name": self.name,
            "label": self.label,
            "gid": self.gid,
        }


@dataclass
class CodeChange:
    """A code the server settled: another desk had already used it."""

    name: str
    old: str
    new: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "old": self.old, "new": self.new}


@dataclass
class SyncReport:
    """What one sync did."""

    pushed: int = 0
    pulled: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    codes: list[CodeChange] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # a unit login's changes it may not make
    units_added: int = 0
    indicators_pulled: int = 0  # indicator values written here
    # Projects made here whose id another desk's project already had: id here → settled id.
    renumbered: dict[int, int] = field(default_factory=dict)
    applied: replica.Applied = field(default_factory=replica.Applied)

    @property
    def changes(self) -> Changes:
        """What the sync wrote on this desk, as the window's views and undo stack read it
        (a project whose version alone moved — this desk's edit, numbered by the server —
        is no change of its content)."""
        a = self.applied
        return Changes(
            added=frozenset(a.added),
            changed={
                pid: frozenset(f for f in fields if f != SORT) or frozenset({SORT})
                for pid, fields in a.changed.items()
            },
            removed=frozenset(a.removed),
            versions={p: v for p, v in a.versions.items() if p not in a.renumbered_versions},
            renumbered=dict(a.renumbered),
            plan=bool(self.units_added or self.indicators_pulled),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "conflicts": [c.to_json() for c in self.conflicts],
            "codes_changed": [c.to_json() for c in self.codes],
            "renumbered": {str(k): v for k, v in self.renumbered.items()},
            "refused": self.refused,
        }


@dataclass
class SyncStatus:
    """What waits, as far as this desk knows (and the server, when it answers)."""

    url: str
    desk: str
    synced_at: str
    pending: int
    pending_codes: list[str]
    conflicts: list[dict[str, Any]]
    waiting_on_server: int | None  # None: the server did not answer
    offline_reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "desk": self.desk,
            "synced_at": self.synced_at,
            "pending": self.pending,
            "pending_codes": self.pending_codes,
            "conflicts": self.conflicts,
            "waiting_on_server": self.waiting_on_server,
            "online": self.waiting_on_server is not None,
        }


# ------------------------------------------------------------------ connecting
def default_desk(db_path: Path | None) -> str:
    """This desk's name in the audit: the computer's name and the database file's name."""
    host = socket.gethostname() or "desk"
    return f"{host}:{db_path.name}" if db_path is not None else host


def open_server(
    address: ServerAddress,
    *,
    prompt: PasswordPrompt | None = None,
    desk: str = "",
) -> psycopg.Connection:
    """Connect with the password from the URL, the keyring, libpq's own sources or the
    prompt, in that order; a password that worked is kept in the keyring, one the server
    refused is forgotten."""
    password = address.password or stored_password(address)
    from_keyring = address.password is None and password is not None
    try:
        conn = connect(address, password, desk=desk)
    except ServerRefused as exc:
        wrong = "密码" in exc.message
        if wrong and from_keyring:
            forget_password(address)
        if not (wrong or "no password" in exc.message) or prompt is None:
            raise
        password = prompt(address)
        if not password:
            raise
        conn = connect(address, password, desk=desk)
    if password and not from_keyring:
        remember_password(address, password)
    return conn


def init_server_at(url: str, *, prompt: PasswordPrompt | None = None) -> tuple[int, int]:
    """`server init URL`: create or migrate the shared schema; (version before, after)."""
    from ysdesk.server.schema import init_server

    address = parse_url(url)
    conn = open_server(address, prompt=prompt)
    try:
        with server_errors(address):
            return init_server(conn)
    finally:
        conn.close()


def add_account_at(
    url: str, login: str, password: str, *, unit: str | None, prompt: PasswordPrompt | None
) -> None:
    """`server account`: a login for office staff (or one unit) on the server."""
    from ysdesk.server.accounts import add_account

    address = parse_url(url)
    conn = open_server(address, prompt=prompt)
    try:
        with server_errors(address):
            remote.check_server(conn)
            add_account(conn, login, password, unit=unit)
    finally:
        conn.close()


# ------------------------------------------------------------------- share / clone
def _plan_of(store: Store) -> dict[str, Any]:
    zones = store.conn.execute(
        "SELECT name, area_km2, description, sort FROM zones ORDER BY sort, id"
    ).fetchall()
    return {
        "areas": [{"no": a.no, "title": a.title, "intro": a.intro} for a in store.areas()],
        "tasks": [
            {"no": t.no, "area_no": t.area_no, "title": t.title, "text": t.text}
            for t in store.tasks()
        ],
        "zones": [
            {"name": z[0], "area_km2": z[1], "description": z[2], "sort": z[3]} for z in zones
        ],
        "indicators": [
            {
                "name": i.name,
                "unit": i.unit,
                "target_value": i.target_value,
                "target_year": i.target_year,
                "comparator": i.comparator,
                "baseline_value": i.baseline_value,
                "baseline_year": i.baseline_year,
                "sort": n,
            }
            for n, i in enumerate(store.indicators())
        ],
    }


def share(
    store: Store, url: str, *, prompt: PasswordPrompt | None = None, desk: str = ""
) -> SyncReport:
    """Put this database's lists on an empty server and make this database its first desk."""
    address = parse_url(url)
    if replica.replica_settings(store) is not None:
        raise UserError("本数据库已是共享清单的副本，无需再次共享；请用 sync 同步。")
    desk = desk or default_desk(store.path)
    conn = open_server(address, prompt=prompt, desk=desk)
    try:
        with server_errors(address):
            office, is_office = remote.check_server(conn)
            if not is_office:
                raise ServerRefused(f"账号“{address.user}”不是办公室账号，不能共享数据库。")
            if office and office != store.db_id:
                raise ServerRefused(
                    "该服务器上已保存另一个办公室的清单，不能再共享本数据库"
                    "（如要加入，请用 clone 建立副本）。"
                )
            if not office:
                with conn.transaction():
                    remote.lock_changes(conn, desk, "共享")
                    if remote.holds_data(conn):
                        raise ServerRefused("该服务器数据库中已有数据，不能共享到这里。")
                    remote.write_plan(conn, _plan_of(store))
                    remote.write_meta(
                        conn,
                        {
                            remote.OFFICE_KEY: store.db_id,
                            "plan_document": store.get_meta("plan_document") or "{}",
                            "plan_goals": store.get_meta("plan_goals") or "{}",
                            "shared_at": now_iso(),
                        },
                    )
                    remote.add_units(conn, [(u.name, u.kind, u.aliases) for u in store.units()])
            with store.atomic():
                replica.write_settings(
                    store, url=address.url, office=store.db_id, desk=desk, last_seq=0
                )
                store.conn.execute("UPDATE sync_projects SET dirty = 1")
                store.conn.execute("UPDATE sync_indicator_values SET dirty = 1")
            return _sync(store, conn, address, desk=desk, prefer=None)
    finally:
        conn.close()


def clone(
    path: Path, url: str, *, prompt: PasswordPrompt | None = None, desk: str = ""
) -> tuple[Store, SyncReport]:
    """Make `path` (which must not exist yet) a new desk of the server's lists."""
    from ysdesk.store.db import connect as sqlite_connect
    from ysdesk.store.lock import WriterLock

    path = Path(path)
    if path.exists():
        raise UserError(f"数据库已存在：{path}；clone 会新建数据库，请换一个文件名。")
    if not path.parent.is_dir():
        raise UserError(f"数据库所在的文件夹不存在：{path.parent}。")
    address = parse_url(url)
    desk = desk or default_desk(path)
    conn = open_server(address, prompt=prompt, desk=desk)
    tmp = path.with_name(f".{path.name}.clone-{os.getpid()}")
    lock = WriterLock(path)
    lock.acquire()
    try:
        with server_errors(address):
            office, _ = remote.check_server(conn)
            if not office:
                raise ServerRefused("该服务器上还没有共享的清单，请先在一台电脑上运行 share。")
            with conn.transaction():
                plan = remote.read_plan(conn)
                document = json.loads(remote.read_meta(conn, "plan_document") or "{}")
                goals = json.loads(remote.read_meta(conn, "plan_goals") or "{}")
            tmp.unlink(missing_ok=True)
            store = Store(sqlite_connect(tmp), path=tmp)
            try:
                store._prepare(created=True)
                with store.atomic():
                    store.load_plan(
                        document,
                        plan["areas"],
                        plan["tasks"],
                        plan["zones"],
                        plan["indicators"],
                        extra_meta={"plan_goals": goals},
                    )
                    replica.add_units(
                        store, [(u["name"], u["kind"], u["aliases"]) for u in plan["units"]]
                    )
                    replica.write_settings(
                        store, url=address.url, office=office, desk=desk, last_seq=0
                    )
                report = _sync(store, conn, address, desk=desk, prefer=None)
            finally:
                store.close()
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"无法写入数据库文件：{exc.strerror or exc}。") from None
    finally:
        tmp.unlink(missing_ok=True)
        lock.release()
        conn.close()
    return Store.open(path), report


# ------------------------------------------------------------------------ sync
def sync(
    store: Store,
    *,
    prefer: str | dict[tuple[str, str], str] | None = None,
    prompt: PasswordPrompt | None = None,
    url: str | None = None,
) -> SyncReport:
    """Push this desk's changes and pull the others'; see the module's docstring."""
    settings = _settings(store)
    address = parse_url(url or settings.url)
    conn = open_server(address, prompt=prompt, desk=settings.desk)
    try:
        with server_errors(address):
            return _sync(store, conn, address, desk=settings.desk, prefer=prefer)
    finally:
        conn.close()


def _settings(store: Store) -> replica.ReplicaSettings:
    settings = replica.replica_settings(store)
    if settings is None:
        raise UserError(
            "本数据库不是共享清单的副本：先用 share 把它共享到服务器，或用 clone 建立副本。"
        )
    return settings


@dataclass
class _Decision:
    """What the push decided for one of this desk's changed projects."""

    local: LocalProject
    conflicted: list[str] = field(default_factory=list)  # fields left unresolved
    held: list[str] = field(default_factory=list)  # fields a unit login may not push
    delete_here: bool = False  # take the other desk's deletion
    restore_here: bool = False  # take the other desk's project back (our deletion lost)
    keep: bool = False  # leave this desk's project as it is (a conflict left)


def _row(
    gid: str,
    no: int,
    values: dict[str, Any],
    lp: LocalProject,
    *,
    origin_gid: str | None,
    created_at: str,
    deleted: bool = False,
) -> list[Any]:
    """A row to write on the server; this desk's time and search text when it is this
    desk's project unchanged by the merge."""
    own = values == lp.current
    return [
        gid,
        no,
        *(values[f] for f in SYNC_FIELDS),
        values[SORT],
        origin_gid,
        created_at,
        lp.updated_at if own and lp.updated_at else now_iso(),
        lp.search_text if own else None,
        deleted,
        lp.version,
    ]


def _sync(
    store: Store,
    conn: psycopg.Connection,
    address: ServerAddress,
    *,
    desk: str,
    prefer: str | dict[tuple[str, str], str] | None,
) -> SyncReport:
    settings = _settings(store)
    office, is_office = remote.check_server(conn)
    if office != settings.office:
        raise ServerRefused(
            f"服务器 {address.host} 上的清单属于另一个办公室，与本机副本不符，未同步。"
        )
    report = SyncReport()
    entries, sent_up_to = replica.unsent_progress(store)
    indicators = replica.dirty_indicators(store)
    local = replica.dirty_projects(store)
    stamp = replica.local_stamp(store)
    changed = {p.gid: p for p in local if p.changed}
    decisions: dict[str, _Decision] = {}
    with conn.transaction():
        remote.lock_changes(conn, desk)
        if is_office:
            remote.add_units(conn, [(u.name, u.kind, u.aliases) for u in store.units()])
        server = remote.projects_by_gid(conn, changed)
        if is_office:
            inserts, updates, forced = _decide(
                conn, changed, server, prefer, decisions, report, desk=desk
            )
            remote.write_projects(conn, inserts, updates)
            if forced:
                remote.set_note(conn, "冲突：采用本机的值")
                remote.write_projects(conn, [], forced)
            report.pushed = len(inserts) + len(updates) + len(forced)
        else:
            report.pushed = _push_as_unit(conn, changed, server, decisions, report, prefer)
        remote.write_progress(conn, entries, own_only=not is_office)
        pulled = {p.gid: p for p in remote.projects_since(conn, settings.last_seq)}
        # Also the projects marked here that turned out unchanged (edited and set back): they
        # take the server's version and time again, which the edits here had moved on.
        pulled.update(remote.projects_by_gid(conn, [p.gid for p in local if p.gid not in pulled]))
        units = remote.units_since(conn, settings.last_seq)
        progress = remote.progress_since(conn, settings.last_seq)
        take, agreed = _sync_indicators(conn, indicators, is_office, prefer, report)
        pulled_values = remote.indicator_values(conn, since=settings.last_seq)
        new_seq = remote.last_seq(conn)
    with store.atomic():
        # Edits made here while the server was busy (the window's own thread) are left for
        # the next sync; when nothing wrote the file meanwhile there is none to look for.
        untouched = replica.untouched_since(store, stamp)
        report.units_added = replica.add_units(store, units)
        store.forget_caches()
        # Through negative ids first: one project's new id may be another's old one.
        for old in report.renumbered:
            replica.renumber(store, old, -old)
        for old, new in list(report.renumbered.items()):
            if not replica.renumber(store, -old, new, make_room=True):
                replica.renumber(store, -old, old)  # a synced project holds it: cannot be
                del report.renumbered[old]
        # One pass over the decisions: a chain (87 → 88, 88 → 89) must not move one twice.
        for decision in decisions.values():
            new_id = report.renumbered.get(decision.local.project_id or 0)
            if new_id is not None:
                decision.local.project_id = decision.local.no = new_id
        incoming = _incoming(
            store, local, changed, decisions, pulled, prefer, recheck=not untouched
        )
        report.applied = replica.apply_incoming(store, incoming, last_seq=new_seq)
        report.applied.renumbered.update(report.renumbered)
        report.pulled = report.applied.count
        replica.add_progress(store, progress, sent_up_to=sent_up_to)
        held = {k for k in indicators if k not in take and k not in agreed}
        if not untouched:  # values set here meanwhile stay marked for the next sync
            now = replica.dirty_indicators(store)
            held |= {k for k, v in now.items() if k not in indicators or v != indicators[k]}
        for key, value in pulled_values.items():
            if key not in held and key not in agreed:
                take.setdefault(key, value)
        report.indicators_pulled = replica.apply_indicators(
            store,
            {k: v for k, v in take.items() if k not in held},
            {k: v for k, v in agreed.items() if k not in held},
        )
        store._set_meta(
            _CONFLICTS_KEY, json.dumps([c.to_json() for c in report.conflicts], ensure_ascii=False)
        )
    return report


def _sync_indicators(
    conn: psycopg.Connection,
    local: dict[replica.IndicatorKey, replica.LocalIndicator],
    is_office: bool,
    prefer: str | dict[tuple[str, str], str] | None,
    report: SyncReport,
) -> tuple[dict[replica.IndicatorKey, Any], dict[replica.IndicatorKey, Any]]:
    """Merge the indicator values set here with the server's, one value per indicator and
    year, three ways as a project's fields are; push this desk's. Returns the values to take
    from the server and those both sides now agree on (the rest stay marked here)."""
    take: dict[replica.IndicatorKey, Any] = {}
    agreed: dict[replica.IndicatorKey, Any] = {}
    if not local:
        return take, agreed
    if not is_office:  # a unit login changes no indicator: they wait for an office login
        report.refused.extend(f"指标“{name}”{year} 年" for name, year in local)
        return take, agreed
    theirs_all = remote.indicator_values(conn, keys=list(local))
    push: dict[replica.IndicatorKey, Any] = {}
    for key, item in local.items():
        mine, theirs = item.mine, theirs_all.get(key)
        # Never synced: a value new here goes up, one removed here takes the server's.
        base = item.base if item.synced else (theirs if mine is not None else mine)
        if mine == theirs:
            agreed[key] = mine
        elif theirs == base and (item.synced or theirs is None):
            push[key] = agreed[key] = mine
        elif mine == base:
            take[key] = theirs
        else:
            name, year = key
            picked = side(prefer, f"indicator:{name}:{year}", INDICATOR_FIELD)
            if picked == MINE:
                push[key] = agreed[key] = mine
            elif picked == THEIRS:
                take[key] = theirs
            else:
                report.conflicts.append(
                    Conflict(
                        f"indicator:{name}:{year}",
                        f"{name}（{year} 年）",
                        name,
                        INDICATOR_FIELD,
                        _indicator_text(mine),
                        _indicator_text(theirs),
                        _indicator_text(item.base) if item.synced else None,
                    )
                )
    remote.write_indicator_values(conn, push)
    report.pushed += len(push)
    return take, agreed


def _indicator_text(value: replica.IndicatorValue) -> str:
    """An indicator's value as a conflict shows it (its source in brackets)."""
    if value is None:
        return "（无）"
    number, source, _as_of = value
    text = f"{number:g}"
    return f"{text}（{source}）" if source else text


def _decide(
    conn: psycopg.Connection,
    changed: dict[str, LocalProject],
    server: dict[str, remote.ServerProject],
    prefer: str | dict[tuple[str, str], str] | None,
    decisions: dict[str, _Decision],
    report: SyncReport,
    *,
    desk: str,
) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """The rows to insert, update, and update over a conflict (prefer="mine")."""
    inserts: list[tuple[str, dict[str, Any], LocalProject]] = []
    updates: list[tuple[str, dict[str, Any], LocalProject, bool, bool]] = []
    for gid, lp in changed.items():
        sp = server.get(gid)
        decision = decisions[gid] = _Decision(lp)
        mine = lp.current
        if mine is None:  # deleted here
            if lp.base is None or sp is None or sp.deleted:
                continue
            picked = side(prefer, gid, DELETED_FIELD)
            if sp.values == lp.base or picked == MINE:
                updates.append((gid, dict(sp.values), lp, True, sp.values != lp.base))
            elif picked == THEIRS:
                decision.restore_here = True
            else:
                decision.keep = True
                report.conflicts.append(_conflict(lp, sp.values, DELETED_FIELD, True, False))
            continue
        if sp is None:
            inserts.append((gid, dict(mine), lp))
            continue
        base = lp.base
        if base is None and sp.kind == "insert" and sp.desk == desk:
            # This desk's push took it, then the sync died before this desk wrote that down;
            # nobody changed it since. Its code and place are the ones the server settled.
            base = sp.values
            mine = {**mine, "code": sp.values["code"], SORT: sp.values[SORT]}
        if sp.deleted:
            picked = side(prefer, gid, DELETED_FIELD)
            if picked == MINE:
                updates.append((gid, dict(mine), lp, False, True))
            elif picked == THEIRS:
                decision.delete_here = True
            else:
                decision.keep = True
                report.conflicts.append(_conflict(lp, mine, DELETED_FIELD, False, True))
            continue
        values = dict(sp.values)
        forced = False
        for name, decided in merge_values(base, mine, sp.values).items():
            if decided is Merge.MINE:
                values[name] = mine[name]
            elif decided is Merge.CONFLICT:
                picked = side(prefer, gid, name)
                if picked == MINE:
                    values[name] = mine[name]
                    forced = True
                elif picked != THEIRS:
                    decision.conflicted.append(name)
                    report.conflicts.append(
                        Conflict(
                            gid,
                            mine["code"],
                            mine["name"],
                            name,
                            mine[name],
                            sp.values[name],
                            None if base is None else base.get(name),
                        )
                    )
        if base is not None and mine[SORT] != base.get(SORT) and sp.values[SORT] == base.get(SORT):
            values[SORT] = mine[SORT]
        if values != sp.values:
            updates.append((gid, values, lp, False, forced))
    _settle_codes(conn, inserts, updates, server, report)
    _settle_places(conn, inserts, updates, server, report)
    insert_rows = [
        _row(
            gid,
            report.renumbered.get(lp.no, lp.no),
            values,
            lp,
            origin_gid=lp.origin_gid,
            created_at=lp.created_at or now_iso(),
        )
        for gid, values, lp in inserts
    ]
    plain: list[list[Any]] = []
    forced_rows: list[list[Any]] = []
    for gid, values, lp, delete, forced in updates:
        sp = server[gid]
        row = _row(
            gid,
            sp.no,
            values,
            lp,
            origin_gid=sp.origin_gid,
            created_at=sp.created_at,
            deleted=delete,
        )
        (forced_rows if forced else plain).append(row)
    return insert_rows, plain, forced_rows


def _conflict(
    lp: LocalProject, values: dict[str, Any], name: str, mine: Any, theirs: Any
) -> Conflict:
    base = lp.base or values
    return Conflict(lp.gid, base["code"], base["name"], name, mine, theirs, False)


def _settle_codes(
    conn: psycopg.Connection,
    inserts: list[tuple[str, dict[str, Any], LocalProject]],
    updates: list[tuple[str, dict[str, Any], LocalProject, bool, bool]],
    server: dict[str, remote.ServerProject],
    report: SyncReport,
) -> None:
    """Give a project whose code another live project holds the next free code of its task."""
    moving: list[tuple[str, dict[str, Any]]] = [(gid, values) for gid, values, _ in inserts]
    for gid, values, _, delete, _ in updates:
        sp = server[gid]
        if not delete and (
            sp.deleted or (values["year"], values["code"]) != (sp.values["year"], sp.values["code"])
        ):
            moving.append((gid, values))
    moving = [(gid, v) for gid, v in moving if v["code"]]
    if not moving:
        return
    owners = remote.code_owners(conn, [(v["year"], v["code"]) for _, v in moving])
    taken: set[tuple[int, str]] = set()
    for gid, values in moving:
        key = (values["year"], values["code"])
        owner = owners.get(key)
        if (owner is not None and owner != gid) or key in taken:
            new = _next_code(conn, values, taken)
            report.codes.append(CodeChange(values["name"], values["code"], new))
            values["code"] = new
        taken.add((values["year"], values["code"]))


def _settle_places(
    conn: psycopg.Connection,
    inserts: list[tuple[str, dict[str, Any], LocalProject]],
    updates: list[tuple[str, dict[str, Any], LocalProject, bool, bool]],
    server: dict[str, remote.ServerProject],
    report: SyncReport,
) -> None:
    """New projects take a number (id) and a place in their task's list no other live
    project has, so every desk lists one order under the same ids."""
    if inserts:
        taken, highest = remote.taken_numbers(conn, [lp.no for _, _, lp in inserts])
        given: set[int] = set()
        for _gid, _values, lp in inserts:
            if lp.no in taken or lp.no in given or lp.no <= 0:
                highest = max(highest, lp.no, *given) + 1
                report.renumbered[lp.no] = highest
                given.add(highest)
            else:
                given.add(lp.no)
    moving = [values for _, values, _ in inserts]
    for gid, values, _, delete, _ in updates:
        sp = server[gid]
        old = (sp.values["year"], sp.values["task_no"], sp.values[SORT])
        if not delete and (sp.deleted or (values["year"], values["task_no"], values[SORT]) != old):
            moving.append(values)
    places: dict[tuple[int, int], set[int]] = {}
    for values in moving:
        key = (values["year"], values["task_no"])
        if key not in places:
            places[key] = remote.taken_places(conn, *key)
        if values[SORT] in places[key] or values[SORT] <= 0:
            values[SORT] = max(places[key] | {0}) + 1
        places[key].add(values[SORT])


def _next_code(
    conn: psycopg.Connection, values: dict[str, Any], taken: set[tuple[int, str]]
) -> str:
    year, task = values["year"], values["task_no"]
    prefix = f"{year}-{task:02d}-"
    used = remote.taken_codes(conn, year, prefix) | {c for y, c in taken if y == year}
    numbers = [0]
    for code in used:
        match = _CODE.match(code)
        if match and int(match.group(2)) == task:
            numbers.append(int(match.group(3)))
    return f"{prefix}{max(numbers) + 1:02d}"


def _push_as_unit(
    conn: psycopg.Connection,
    changed: dict[str, LocalProject],
    server: dict[str, remote.ServerProject],
    decisions: dict[str, _Decision],
    report: SyncReport,
    prefer: str | dict[tuple[str, str], str] | None,
) -> int:
    """A unit login pushes only status, progress and note of projects its unit leads. A
    project with any other change stays as this desk has it (reported as refused): its
    changed fields are held, the rest takes the server's values, and the next sync tries
    again."""
    from ysdesk.server.schema import UNIT_EDITABLE

    writes: list[tuple[str, dict[str, Any], str]] = []
    for gid, lp in changed.items():
        sp = server.get(gid)
        decision = decisions[gid] = _Decision(lp)
        mine = lp.current
        if mine is None or sp is None or sp.deleted or lp.base is None:
            decision.keep = True  # a new or deleted project: only the office makes those
            report.refused.append(lp.base["code"] if lp.base else (mine or {}).get("code", ""))
            continue
        base = lp.base
        merges = merge_values(base, mine, sp.values)
        picked = {f: side(prefer, gid, f) for f, m in merges.items() if m is Merge.CONFLICT}
        theirs_wins = {f for f, p in picked.items() if p == THEIRS}
        mine_wins = [f for f, m in merges.items() if m is Merge.MINE or picked.get(f) == MINE]
        if any(f not in UNIT_EDITABLE for f in mine_wins):
            _hold(decision, lp, theirs_wins)
            report.refused.append(mine["code"])
            continue
        values = dict(sp.values)
        for name in mine_wins:
            values[name] = mine[name]
        for name, decided in merges.items():
            if decided is Merge.CONFLICT and picked[name] is None:
                decision.conflicted.append(name)
                report.conflicts.append(
                    Conflict(
                        gid,
                        mine["code"],
                        mine["name"],
                        name,
                        mine[name],
                        sp.values[name],
                        base.get(name),
                    )
                )
        if values != sp.values:
            writes.append((gid, values, mine["code"]))
    written = remote.write_unit_fields(conn, [(gid, values) for gid, values, _ in writes])
    for gid, _, code in writes:
        if gid not in written:  # row-level security: a project its unit does not lead
            _hold(decisions[gid], decisions[gid].local, set())
            report.refused.append(code)
    return len(written)


def _hold(decision: _Decision, lp: LocalProject, give_up: set[str]) -> None:
    """Keep this desk's changed fields of a project the server would not take (all but
    `give_up`, where the user took the server's side)."""
    assert lp.current is not None and lp.base is not None
    decision.conflicted = []
    decision.held = [f for f in SYNC_FIELDS if lp.current[f] != lp.base.get(f) and f not in give_up]


def _incoming(
    store: Store,
    local: list[LocalProject],
    changed: dict[str, LocalProject],
    decisions: dict[str, _Decision],
    pulled: dict[str, remote.ServerProject],
    prefer: str | dict[tuple[str, str], str] | None,
    *,
    recheck: bool = True,
) -> list[Incoming]:
    """What this desk writes: the server's rows after the push, with the fields of conflicts
    left open kept as this desk has them (and their old base)."""
    gids = replica.gid_map(store) if pulled else {}
    # A project edited here while the server was busy (the window's own thread) is left for
    # the next sync: its fields are compared again then.
    moved: set[str] = set()
    if recheck:
        now = {p.gid: p for p in replica.dirty_projects(store)}
        moved = {
            gid
            for gid, p in now.items()
            if p.changed and (gid not in changed or p.current != changed[gid].current)
        }
    incoming: list[Incoming] = []
    handled: set[str] = set()
    for gid, decision in decisions.items():
        handled.add(gid)
        lp = decision.local
        sp = pulled.get(gid)
        if gid in moved:
            continue
        if decision.keep:
            continue
        if lp.current is None:  # deleted here
            if decision.restore_here and sp is not None:
                incoming.append(_from_server(sp, None, origin="同步冲突：恢复服务器上的项目"))
            else:
                incoming.append(Incoming(gid=gid, values=None, base=None))
            continue
        if sp is None:
            continue
        if sp.deleted or decision.delete_here:
            incoming.append(
                Incoming(
                    gid=gid,
                    values=None,
                    base=None,
                    project_id=lp.project_id,
                    origin=f"同步：已在 {sp.author} 删除",
                )
            )
            continue
        values = dict(sp.values)
        base = dict(sp.values)
        for name in (*decision.conflicted, *decision.held):
            values[name] = lp.current[name]
            base[name] = lp.base.get(name) if lp.base is not None else None
        origin = (
            f"同步冲突采用服务器的值：{sp.author}"
            if any(side(prefer, gid, f) == THEIRS for f in SYNC_FIELDS)
            else f"同步：{sp.author}"
        )
        incoming.append(
            _from_server(
                sp,
                lp.project_id,
                origin=origin,
                values=values,
                base=base,
                keep_dirty=bool(decision.conflicted or decision.held),
            )
        )
    for gid, sp in pulled.items():
        if gid in handled or gid in moved:
            continue
        known = gid in gids
        pid = gids.get(gid)
        if known and pid is None:
            continue  # deleted here and not synced yet: the next sync decides
        if sp.deleted:
            if pid is not None:
                incoming.append(
                    Incoming(
                        gid=gid,
                        values=None,
                        base=None,
                        project_id=pid,
                        origin=f"同步：已在 {sp.author} 删除",
                    )
                )
            continue
        incoming.append(_from_server(sp, pid, origin=f"同步：{sp.author}"))
    for p in local:  # dirty marks of projects that turned out unchanged
        if not p.changed and p.gid not in handled and p.gid not in moved and p.gid not in pulled:
            if p.project_id is None:
                incoming.append(Incoming(gid=p.gid, values=None, base=None))
            else:
                store.conn.execute("UPDATE sync_projects SET dirty = 0 WHERE gid = ?", (p.gid,))
    return incoming


def _from_server(
    sp: remote.ServerProject,
    project_id: int | None,
    *,
    origin: str,
    values: dict[str, Any] | None = None,
    base: dict[str, Any] | None = None,
    keep_dirty: bool = False,
) -> Incoming:
    return Incoming(
        gid=sp.gid,
        values=values if values is not None else dict(sp.values),
        base=base if base is not None else dict(sp.values),
        project_id=project_id,
        no=sp.no,
        created_at=sp.created_at,
        updated_at=sp.updated_at,
        search_text=sp.search_text,
        origin_gid=sp.origin_gid,
        version=sp.version,
        origin=origin,
        keep_dirty=keep_dirty,
    )


def picks(store: Store, choices: list[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    """Sides for some conflicts of the last sync, named as the user names them: (code, field
    as in `sync --json` or its Chinese label, MINE or THEIRS); UserError for one not found."""
    open_conflicts = store.get_meta_json(_CONFLICTS_KEY, [])
    chosen: dict[tuple[str, str], str] = {}
    for code, name, picked in choices:
        found = [
            c for c in open_conflicts if c["code"] == code and name in (c["field"], c.get("label"))
        ]
        if not found or "gid" not in found[0]:
            raise UserError(f"上次同步没有留下 {code} 的“{name}”冲突；用 sync --status 查看冲突。")
        chosen[(found[0]["gid"], found[0]["field"])] = picked
    return chosen


# ---------------------------------------------------------------------- status
def status(
    store: Store, *, prompt: PasswordPrompt | None = None, ask_server: bool = True
) -> SyncStatus:
    """What waits to be pushed (and, when the server answers, to be pulled)."""
    settings = _settings(store)
    pending = [p for p in replica.dirty_projects(store) if p.changed]
    codes = [((p.current or p.base or {}).get("code") or "") for p in pending]
    conflicts = store.get_meta_json(_CONFLICTS_KEY, [])
    waiting: int | None = None
    reason = ""
    if ask_server:
        address = parse_url(settings.url)
        try:
            conn = open_server(address, prompt=prompt, desk=settings.desk)
        except ServerRefused as exc:
            reason = exc.message
        else:
            try:
                with server_errors(address):
                    remote.check_server(conn)
                    waiting = len(remote.projects_since(conn, settings.last_seq))
            except ServerRefused as exc:
                reason = exc.message
            finally:
                conn.close()
    return SyncStatus(
        url=settings.url,
        desk=settings.desk,
        synced_at=settings.synced_at,
        pending=replica.pending_count(store),  # indicator values included
        pending_codes=sorted(c for c in codes if c),
        conflicts=conflicts,
        waiting_on_server=waiting,
        offline_reason=reason,
    )
