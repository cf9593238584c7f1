"""The Store: one SQLite file through sqlite-utils; every write is one transaction.

All SQL of ysdesk lives in this package. Reads return domain objects; writes validate,
derive (deadline, search text), bump the project's version and append to the audit log.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.errors import (
    DatabaseDamagedError,
    NotFoundError,
    SchemaError,
    StaleEditError,
    UserError,
    ValidationError,
)
from ysdesk.domain.model import (
    LIST_FIELDS,
    Area,
    AuditEntry,
    Indicator,
    IndicatorValue,
    PlanDocument,
    ProgressEntry,
    Project,
    ProjectFilter,
    Role,
    Status,
    Task,
    Unit,
    Zone,
    format_list,
    now_iso,
)
from ysdesk.domain.validation import (
    PlanNames,
    check_project,
    not_a_number,
    unknown_status,
)
from ysdesk.store import kept_json, projects
from ysdesk.store.lock import WriterLock
from ysdesk.store.schema import MIGRATIONS, SCHEMA_MAJOR, current_version, encode_version

ORIGIN_MANUAL = "手工"


_SCALAR_FIELDS = (
    "year",
    "code",
    "name",
    "task_no",
    "goal",
    "deadline_text",
    "status",
    "progress",
    "note",
)


@dataclass(frozen=True)
class ProjectSnapshot:
    """Everything needed to put a deleted project back exactly (undo of delete)."""

    project: Project
    history: tuple[ProgressEntry, ...]


_NOT_A_DATABASE = "该文件不是有效的 ysdesk 数据库，或已损坏。"
_MALFORMED = "数据库文件已损坏，部分数据无法读取，请从备份恢复。"


def _user_message(exc: sqlite3.Error) -> str | None:
    """The sentence for an SQLite error a user can act on, or None for a bug."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "数据库正被其他程序占用，请稍后再试。"
    if "disk is full" in text or "database or disk is full" in text:
        return "磁盘空间已满，未能写入数据库，请清理磁盘后再试。"
    if "readonly" in text or "read-only" in text:
        return "数据库以只读方式打开，不能修改。"
    if "disk i/o" in text:
        return "读写数据库文件时出错（磁盘或网络盘异常），请检查文件所在位置。"
    if "malformed" in text:
        return _MALFORMED
    if "not a database" in text or "file is encrypted" in text:
        return _NOT_A_DATABASE
    return None


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn SQLite errors a user can act on into UserError; let bugs through."""
    try:
        yield
    except sqlite3.Error as exc:
        error = as_user_error(exc)
        if error is None:
            raise
        raise error from exc


def as_user_error(exc: BaseException) -> UserError | None:
    """The UserError an SQLite error means for the user (a damaged file is a
    DatabaseDamagedError), or None when it is a bug."""
    if not isinstance(exc, sqlite3.Error):
        return None
    message = _user_message(exc)
    if message is None:
        return None
    if message in (_MALFORMED, _NOT_A_DATABASE):
        return DatabaseDamagedError(message)
    return UserError(message)


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """An SQLite connection with foreign keys on; read-only through a URI when asked."""
    with user_errors():
        if readonly:
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True)
        else:
            conn = sqlite3.connect(str(path))
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 3000")
    return conn


class Store:
    """A ysdesk database. Open with `Store.open`; close when done (releases the writer lock)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        path: Path | None = None,
        readonly: bool = False,
        lock: WriterLock | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self._lock = lock
        self._zone_ids: dict[str, int] | None = None
        self._unit_ids: dict[str, int] | None = None
        self._tasks: frozenset[int] | None = None
        self._task_areas: dict[int, int] | None = None
        self._depth = 0  # of nested atomic blocks

    def twin(self) -> Store:
        """Another connection to this database file, for one worker thread (SQLite
        connections stay on the thread that made them: call this there). It writes under this
        store's writer lock, so this store stays open until the twin is closed; afterwards
        call `forget_caches` here, since the twin may have added units."""
        if self.path is None:
            raise UserError("内存数据库不能在后台读写。")
        return Store(
            connect(self.path, readonly=self.readonly), path=self.path, readonly=self.readonly
        )

    def forget_caches(self) -> None:
        """Drop what this store remembers of zones, units and tasks (another connection or a
        restore changed them)."""
        self._zone_ids = None
        self._unit_ids = None
        self._tasks = None
        self._task_areas = None

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """The sqlite-utils view of the connection, built on first write.

        Imported lazily: sqlite-utils (with click and dateutil) costs ~0.1 s of start-up that
        read-only commands never need.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False, create: bool = False) -> Store:
        """Open (or create) a database file, migrate it, and take the writer lock."""
        path = Path(path)
        if not path.parent.is_dir():
            raise UserError(f"数据库所在的文件夹不存在：{path.parent}。")
        exists = path.exists()
        if not exists and not create:
            raise NotFoundError(f"数据库文件不存在：{path}。")
        if exists and path.is_dir():
            raise UserError(f"数据库路径是一个文件夹，不是文件：{path}。")
        # A 0-byte file (touched, or a copy that failed) would otherwise be given the schema but
        # no plan; only a restore (create=True) may fill it.
        empty = exists and path.stat().st_size == 0
        if empty and not create:
            raise SchemaError(f"数据库文件是空的（0 字节），不是 ysdesk 数据库：{path.name}。")
        lock = None
        if not readonly:
            lock = WriterLock(path)
            lock.acquire()
        try:
            conn = connect(path, readonly=readonly)
            store = cls(conn, path=path, readonly=readonly, lock=lock)
            store._prepare(created=not exists or empty)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return store

    @classmethod
    def memory(cls) -> Store:
        """A fresh in-memory database (tests, previews)."""
        conn = sqlite3.connect(":memory:")
        conn.execute("PRAGMA foreign_keys = ON")
        store = cls(conn)
        store._prepare(created=True)
        return store

    def _prepare(self, *, created: bool) -> None:
        with user_errors():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if not created and version == 0:
                tables = self.conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                ).fetchone()[0]
                if tables:
                    raise SchemaError("该文件不是 ysdesk 数据库。")
            if version // 100 > SCHEMA_MAJOR:
                raise SchemaError("该数据库由更新版本的 ysdesk 创建，请升级 ysdesk 后再打开。")
            if version and version // 100 < SCHEMA_MAJOR:
                raise SchemaError("该数据库版本过旧，无法识别。")
            applied = version % 100 if version else 0
            pending = MIGRATIONS[applied:]
            if pending and self.readonly:
                raise SchemaError("数据库需要升级，但当前以只读方式打开，请关闭其他窗口后再试。")
            if pending and applied and self.path is not None:
                from ysdesk.store.backup import auto_backup

                auto_backup(self, "升级前")
            for index, migration in enumerate(pending, start=applied + 1):
                with self.db.atomic():
                    migration(self.db)
                    self.conn.execute(f"PRAGMA user_version = {encode_version(index)}")
            if pending:
                with self.atomic():
                    pass  # writes the JSON texts a migration left to be made
            if not self.readonly:
                kept_json.ensure_current(self)
            if self.get_meta("db_id") is None and not self.readonly:
                import uuid  # once per database: read-only commands need not load it

                with self.db.atomic():
                    self._set_meta("db_id", uuid.uuid4().hex)
                    self._set_meta("created_at", now_iso())

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def expected_schema_version(self) -> int:
        return current_version()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction (a savepoint when nested); user-readable errors for disk problems."""
        if self.readonly:
            raise UserError("数据库以只读方式打开，不能修改。")
        with user_errors(), self.db.atomic():
            self._depth += 1
            try:
                yield
                if self._depth == 1:
                    kept_json.refresh(self)
            finally:
                self._depth -= 1

    # -------------------------------------------------------------------- meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def set_meta(self, key: str, value: str) -> None:
        with self.atomic():
            self._set_meta(key, value)

    def get_meta_json(self, key: str, default: Any = None) -> Any:
        raw = self.get_meta(key)
        return default if raw is None else json.loads(raw)

    def set_meta_json(self, key: str, value: Any) -> None:
        self.set_meta(key, json.dumps(value, ensure_ascii=False))

    @property
    def db_id(self) -> str:
        return self.get_meta("db_id") or ""

    # -------------------------------------------------------------------- plan
    def has_plan(self) -> bool:
        return bool(self.conn.execute("SELECT count(*) FROM tasks").fetchone()[0])

    def plan_document(self) -> PlanDocument | None:
        data = self.get_meta_json("plan_document")
        if not data:
            return None
        return PlanDocument(
            doc_no=data["doc_no"],
            title=data["title"],
            issuers=tuple(data["issuers"]),
            issued=date.fromisoformat(data["issued"]),
            published_by=data.get("published_by", ""),
        )

    def areas(self) -> list[Area]:
        rows = self.conn.execute("SELECT no, title, intro FROM areas ORDER BY no")
        return [Area(no=r[0], title=r[1], intro=r[2]) for r in rows]

    def tasks(self) -> list[Task]:
        rows = self.conn.execute("SELECT no, area_no, title, text FROM tasks ORDER BY no")
        return [Task(no=r[0], area_no=r[1], title=r[2], text=r[3]) for r in rows]

    def zones(self) -> list[Zone]:
        rows = self.conn.execute(
            "SELECT id, name, area_km2, description FROM zones ORDER BY sort, id"
        )
        return [Zone(id=r[0], name=r[1], area_km2=r[2], description=r[3]) for r in rows]

    def indicators(self) -> list[Indicator]:
        rows = self.conn.execute(
            "SELECT id, name, unit, target_value, target_year, comparator, baseline_value,"
            " baseline_year FROM indicators ORDER BY sort, id"
        )
        return [Indicator(*r) for r in rows]

    def indicator_values(self, indicator_id: int | None = None) -> list[IndicatorValue]:
        sql = "SELECT indicator_id, year, value, source, as_of FROM indicator_values"
        args: tuple[Any, ...] = ()
        if indicator_id is not None:
            sql += " WHERE indicator_id = ?"
            args = (indicator_id,)
        rows = self.conn.execute(sql + " ORDER BY indicator_id, year", args)
        return [IndicatorValue(*r) for r in rows]

    def set_indicator_value(self, value: IndicatorValue) -> None:
        """Insert or replace the actual value of an indicator for a year."""
        with self.atomic():
            self.conn.execute(
                "INSERT INTO indicator_values(indicator_id, year, value, source, as_of)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(indicator_id, year) DO UPDATE SET"
                " value = excluded.value, source = excluded.source, as_of = excluded.as_of",
                (value.indicator_id, value.year, value.value, value.source, value.as_of),
            )

    def delete_indicator_value(self, indicator_id: int, year: int) -> None:
        with self.atomic():
            self.conn.execute(
                "DELETE FROM indicator_values WHERE indicator_id = ? AND year = ?",
                (indicator_id, year),
            )

    def load_plan(
        self,
        document: dict[str, Any],
        areas: Sequence[dict[str, Any]],
        tasks: Sequence[dict[str, Any]],
        zones: Sequence[dict[str, Any]],
        indicators: Sequence[dict[str, Any]],
        extra_meta: dict[str, Any] | None = None,
    ) -> None:
        """Write the plan (areas, tasks, zones, indicators) into an empty database."""
        if self.has_plan():
            raise UserError("数据库中已有方案数据。")
        with self.atomic():
            self._set_meta("plan_document", json.dumps(document, ensure_ascii=False))
            for key, value in (extra_meta or {}).items():
                self._set_meta(key, json.dumps(value, ensure_ascii=False))
            self.db["areas"].insert_all(
                {"no": a["no"], "title": a["title"], "intro": a.get("intro", "")} for a in areas
            )
            self.db["tasks"].insert_all(
                {
                    "no": t["no"],
                    "area_no": t["area_no"],
                    "title": t["title"],
                    "text": t.get("text", ""),
                }
                for t in tasks
            )
            self.db["zones"].insert_all(
                (
                    {
                        "name": z["name"],
                        "area_km2": z.get("area_km2"),
                        "description": z.get("description", ""),
                        "sort": i,
                    }
                    for i, z in enumerate(zones)
                )
            )
            self.db["indicators"].insert_all(
                (
                    {
                        "name": ind["name"],
                        "unit": ind.get("unit", ""),
                        "target_value": ind["target_value"],
                        "target_year": ind["target_year"],
                        "comparator": ind.get("comparator", "="),
                        "baseline_value": ind.get("baseline_value"),
                        "baseline_year": ind.get("baseline_year"),
                        "sort": i,
                    }
                    for i, ind in enumerate(indicators)
                )
            )
        self._zone_ids = None
        self._tasks = None

    # ------------------------------------------------------------------- units
    def units(self) -> list[Unit]:
        aliases: dict[int, list[str]] = {}
        for unit_id, alias in self.conn.execute(
            "SELECT unit_id, alias FROM unit_aliases ORDER BY rowid"
        ):
            aliases.setdefault(unit_id, []).append(alias)
        rows = self.conn.execute("SELECT id, name, kind FROM units ORDER BY sort, id")
        return [
            Unit(id=r[0], name=r[1], kind=r[2], aliases=tuple(aliases.get(r[0], ()))) for r in rows
        ]

    def add_unit(self, name: str, kind: str = "", aliases: Iterable[str] = ()) -> Unit:
        """Create a unit (names are canonical and unique)."""
        name = name.strip()
        if not name:
            raise ValidationError("单位名称不能为空。")
        with self.atomic():
            if self.conn.execute("SELECT 1 FROM units WHERE name = ?", (name,)).fetchone():
                raise ValidationError(f"单位“{name}”已存在。")
            sort = self.conn.execute("SELECT coalesce(max(sort), 0) + 1 FROM units").fetchone()[0]
            cur = self.conn.execute(
                "INSERT INTO units(name, kind, sort) VALUES (?, ?, ?)", (name, kind, sort)
            )
            unit_id = cur.lastrowid
            alias_list = [a.strip() for a in aliases if a.strip() and a.strip() != name]
            for alias in alias_list:
                self.conn.execute(
                    "INSERT OR IGNORE INTO unit_aliases(alias, unit_id) VALUES (?, ?)",
                    (alias, unit_id),
                )
        self._unit_ids = None
        return Unit(id=unit_id, name=name, kind=kind, aliases=tuple(alias_list))

    def add_units(self, units: Iterable[dict[str, Any]]) -> None:
        """Create many units in one transaction (bootstrap)."""
        with self.atomic():
            for unit in units:
                self.add_unit(unit["name"], unit.get("kind", ""), unit.get("aliases", ()))

    def _unit_id_map(self) -> dict[str, int]:
        if self._unit_ids is None:
            self._unit_ids = dict(self.conn.execute("SELECT name, id FROM units"))
        return self._unit_ids

    def _task_nos(self) -> frozenset[int]:
        if self._tasks is None:
            self._tasks = frozenset(r[0] for r in self.conn.execute("SELECT no FROM tasks"))
        return self._tasks

    def _zone_id_map(self) -> dict[str, int]:
        if self._zone_ids is None:
            self._zone_ids = dict(self.conn.execute("SELECT name, id FROM zones"))
        return self._zone_ids

    # ---------------------------------------------------------------- projects
    def years(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT year FROM projects ORDER BY year")]

    def project_ids(
        self, filt: ProjectFilter = ProjectFilter(), today: date | None = None
    ) -> list[int]:
        """Ids of the matching projects in plan order (year, task, sort, id)."""
        return projects.project_ids(self, filt, today)

    def list_projects(
        self, filt: ProjectFilter = ProjectFilter(), today: date | None = None
    ) -> list[Project]:
        """Matching projects with their zones and units: three queries, whatever the count."""
        return projects.list_projects(self, filt, today)

    def get_projects(self, ids: Sequence[int]) -> dict[int, Project]:
        """Projects by id (for a lazily filled table page)."""
        if not ids:
            return {}
        with user_errors():  # the window's table reads pages here: a damaged page is said
            projects = self.list_projects(ProjectFilter(ids=tuple(ids)))
        return {p.id: p for p in projects if p.id is not None}

    def project_json(
        self, filt: ProjectFilter = ProjectFilter(), today: date | None = None
    ) -> list[tuple[int, str]]:
        """(id, Project.json_text(today)) of the matching projects in plan order, from the
        texts kept beside them (store.kept_json)."""
        return kept_json.read(self, filt, today or date.today())

    def get_project(self, project_id: int, *, with_history: bool = True) -> Project:
        """One project (with its progress history) or NotFoundError."""
        found = self.get_projects([project_id])
        if project_id not in found:
            raise NotFoundError(f"项目 {project_id} 不存在（可能已被删除）。")
        project = found[project_id]
        if with_history:
            project = project.replace(history=tuple(self.progress_history(project_id)))
        return project

    def progress_history(self, project_id: int) -> list[ProgressEntry]:
        rows = self.conn.execute(
            "SELECT id, date, text, origin FROM progress_log WHERE project_id = ?"
            " ORDER BY date, id",
            (project_id,),
        )
        return [ProgressEntry(id=r[0], date=r[1], text=r[2], origin=r[3]) for r in rows]

    def project_count(self, year: int | None = None) -> int:
        if year is None:
            return self.conn.execute("SELECT count(*) FROM projects").fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM projects WHERE year = ?", (year,)
        ).fetchone()[0]

    # ------------------------------------------------------------ project writes
    def plan_names(self) -> PlanNames:
        """The task numbers, unit and zone names a project may refer to (for validation)."""
        zone_ids = self._zone_id_map()
        return PlanNames(
            task_nos=self._task_nos(),
            units=self._unit_id_map().keys(),
            zones=sorted(zone_ids, key=zone_ids.__getitem__),  # plan order, for the sentence
        )

    def _validate(self, values: dict[str, Any]) -> None:
        check_project(values, self.plan_names())

    @staticmethod
    def _haystack(values: dict[str, Any]) -> str:
        # Imported on first write: pypinyin's dictionaries take ~0.2 s to load, which every
        # read-only command (list, import --dry-run, export) would otherwise pay at start.
        from ysdesk.domain.search import project_haystack

        return project_haystack(
            values["name"],
            values.get("code", ""),
            values.get("goal", ""),
            values.get("lead_units", ()),
            values.get("co_units", ()),
            values.get("progress", ""),
        )

    def _write_links(self, project_id: int, values: dict[str, Any], *, replace: bool) -> None:
        if "zones" in values:
            if replace:
                self.conn.execute("DELETE FROM project_zones WHERE project_id = ?", (project_id,))
            zone_ids = self._zone_id_map()
            self.conn.executemany(
                "INSERT OR IGNORE INTO project_zones(project_id, zone_id) VALUES (?, ?)",
                [(project_id, zone_ids[z]) for z in values["zones"]],
            )
        if "lead_units" in values or "co_units" in values:
            if replace:
                self.conn.execute("DELETE FROM project_units WHERE project_id = ?", (project_id,))
            unit_ids = self._unit_id_map()
            links = [
                (project_id, unit_ids[u], "lead", i) for i, u in enumerate(values["lead_units"])
            ]
            links += [(project_id, unit_ids[u], "co", i) for i, u in enumerate(values["co_units"])]
            self.conn.executemany(
                "INSERT OR IGNORE INTO project_units(project_id, unit_id, role, sort)"
                " VALUES (?, ?, ?, ?)",
                links,
            )

    def _audit(
        self,
        project_id: int,
        field: str,
        old: str,
        new: str,
        origin: str,
        at: str,
        batch_id: int | None,
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit_log(at, project_id, field, old, new, origin, batch_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at, project_id, field, old, new, origin, batch_id),
        )

    def _next_sort(self, year: int, task_no: int) -> int:
        """New and moved projects go to the end of their task's list."""
        return self.conn.execute(
            "SELECT coalesce(max(sort), 0) + 1 FROM projects WHERE year = ? AND task_no = ?",
            (year, task_no),
        ).fetchone()[0]

    def as_stored(self, project: Project) -> Project:
        """The project as this store holds it once written: each field normalised as a write
        normalises it, the deadline derived from its text and the area taken from its task.

        An import's preview shows each row's project so, and its apply writes that project:
        what a clerk approves is what the list then holds.
        """
        values = _project_values(project)
        if self._task_areas is None:
            self._task_areas = dict(self.conn.execute("SELECT no, area_no FROM tasks"))
        deadline = _derived_deadline(values)
        values["status"] = Status(values["status"])
        return project.replace(
            **values,
            deadline=date.fromisoformat(deadline) if deadline else None,
            area_no=self._task_areas.get(values["task_no"], 0),
        )

    def insert_project(
        self,
        project: Project,
        *,
        origin: str = ORIGIN_MANUAL,
        history: Sequence[ProgressEntry] | None = None,
        batch_id: int | None = None,
        keep_id: bool = False,
        progress_date: str | None = None,
    ) -> Project:
        """Insert a project; its deadline is derived from the text. Returns it as stored."""
        with self.atomic():
            project_id = self._insert_one(
                project,
                origin=origin,
                history=history,
                batch_id=batch_id,
                keep_id=keep_id,
                progress_date=progress_date,
                at=now_iso(),
            )
        return self.get_project(project_id, with_history=False)

    def insert_projects(
        self,
        projects: Iterable[Project],
        *,
        origin: str = ORIGIN_MANUAL,
        batch_id: int | None = None,
    ) -> list[int]:
        """Insert many projects in one transaction (all or nothing); returns their ids."""
        at = now_iso()
        with self.atomic():
            return [self._insert_one(p, origin=origin, batch_id=batch_id, at=at) for p in projects]

    def _insert_one(
        self,
        project: Project,
        *,
        origin: str,
        at: str,
        history: Sequence[ProgressEntry] | None = None,
        batch_id: int | None = None,
        keep_id: bool = False,
        progress_date: str | None = None,
    ) -> int:
        values = _project_values(project)
        self._validate(values)
        row = {
            **{k: values[k] for k in _SCALAR_FIELDS},
            "deadline": _derived_deadline(values),
            "search_text": self._haystack(values),
            "sort": self._next_sort(values["year"], values["task_no"]),
            "origin_id": project.origin_id,
            "created_at": project.created_at or at,
            "updated_at": project.updated_at or at,
            "version": project.version if keep_id else 1,
        }
        if keep_id and project.id is not None:
            row["id"] = project.id
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(
            f"INSERT INTO projects({columns}) VALUES ({marks})", list(row.values())
        )
        project_id = project.id if (keep_id and project.id) else cur.lastrowid
        assert project_id is not None
        self._write_links(project_id, values, replace=False)
        if history is not None:
            self.conn.executemany(
                "INSERT INTO progress_log(project_id, date, text, origin) VALUES (?, ?, ?, ?)",
                [(project_id, h.date, h.text, h.origin) for h in history],
            )
        elif values["progress"]:
            self.conn.execute(
                "INSERT INTO progress_log(project_id, date, text, origin) VALUES (?, ?, ?, ?)",
                (project_id, progress_date or at[:10], values["progress"], origin),
            )
        self._audit(project_id, "created", "", values["name"], origin, at, batch_id)
        return project_id

    def update_project(
        self,
        project_id: int,
        changes: dict[str, Any],
        *,
        expected_version: int | None,
        origin: str = ORIGIN_MANUAL,
        batch_id: int | None = None,
        progress_date: str | None = None,
    ) -> Project:
        """Apply field changes if the project is still at `expected_version`; audit each field.

        Returns the project as stored; a change to nothing leaves the version alone.
        """
        unknown = set(changes) - set(_SCALAR_FIELDS) - LIST_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        with self.atomic():
            current = self.get_project(project_id, with_history=False)
            if expected_version is not None and current.version != expected_version:
                raise StaleEditError(
                    f"项目“{current.name}”已在别处被修改（载入时为第 {expected_version} 版，"
                    f"现为第 {current.version} 版），未保存本次修改。",
                    project_id=project_id,
                    expected=expected_version,
                    actual=current.version,
                )
            old_values = _project_values(current)
            new_values = dict(old_values)
            for key, value in changes.items():
                new_values[key] = _normalise_field(key, value)
            changed = [k for k in changes if new_values[k] != old_values[k]]
            if not changed:
                return current
            self._validate(new_values)
            at = now_iso()
            scalar = {k: new_values[k] for k in changed if k in _SCALAR_FIELDS}
            scalar["deadline"] = _derived_deadline(new_values)
            scalar["search_text"] = self._haystack(new_values)
            scalar["updated_at"] = at
            if "task_no" in changed or "year" in changed:
                scalar["sort"] = self._next_sort(new_values["year"], new_values["task_no"])
            assignments = ", ".join(f"{k} = ?" for k in scalar)
            self.conn.execute(
                f"UPDATE projects SET {assignments}, version = version + 1 WHERE id = ?",
                [*scalar.values(), project_id],
            )
            link_changes = {k: new_values[k] for k in changed if k in LIST_FIELDS}
            if "lead_units" in link_changes or "co_units" in link_changes:
                link_changes["lead_units"] = new_values["lead_units"]
                link_changes["co_units"] = new_values["co_units"]
            self._write_links(project_id, link_changes, replace=True)
            if "progress" in changed and new_values["progress"]:
                self.conn.execute(
                    "INSERT INTO progress_log(project_id, date, text, origin) VALUES (?, ?, ?, ?)",
                    (project_id, progress_date or at[:10], new_values["progress"], origin),
                )
            for key in changed:
                self._audit(
                    project_id,
                    key,
                    _audit_text(old_values[key]),
                    _audit_text(new_values[key]),
                    origin,
                    at,
                    batch_id,
                )
        return self.get_project(project_id, with_history=False)

    def delete_project(
        self,
        project_id: int,
        *,
        expected_version: int | None = None,
        origin: str = ORIGIN_MANUAL,
        batch_id: int | None = None,
    ) -> ProjectSnapshot:
        """Delete a project; the returned snapshot puts it back exactly (undo)."""
        with self.atomic():
            project = self.get_project(project_id)
            if expected_version is not None and project.version != expected_version:
                raise StaleEditError(
                    f"项目“{project.name}”已在别处被修改，未删除。",
                    project_id=project_id,
                    expected=expected_version,
                    actual=project.version,
                )
            # Projects rolled over from this one keep existing; their link is cleared by the FK.
            self.conn.execute("DELETE FROM projects WHERE id = ?", (project_id,))
            self._audit(project_id, "deleted", project.name, "", origin, now_iso(), batch_id)
        return ProjectSnapshot(project=project, history=project.history)

    def restore_project(self, snapshot: ProjectSnapshot, *, origin: str = ORIGIN_MANUAL) -> Project:
        """Put a deleted project back with its id, version and history (undo of delete)."""
        if self.conn.execute(
            "SELECT 1 FROM projects WHERE id = ?", (snapshot.project.id,)
        ).fetchone():
            raise ValidationError(f"项目 {snapshot.project.id} 已存在，无法恢复。")
        return self.insert_project(
            snapshot.project, origin=origin, history=snapshot.history, keep_id=True
        )

    def add_progress(
        self,
        project_id: int,
        date_text: str,
        text: str,
        *,
        origin: str = ORIGIN_MANUAL,
        expected_version: int | None = None,
    ) -> Project:
        """Add a dated progress entry; it becomes the project's latest 进展情况."""
        return self.update_project(
            project_id,
            {"progress": text},
            expected_version=expected_version,
            origin=origin,
            progress_date=date_text,
        )

    # ------------------------------------------------------------------- audit
    def audit_log(self, project_id: int | None = None, limit: int = 1000) -> list[AuditEntry]:
        sql = "SELECT id, at, project_id, field, old, new, origin, batch_id FROM audit_log"
        args: list[Any] = []
        if project_id is not None:
            sql += " WHERE project_id = ?"
            args.append(project_id)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        return [
            AuditEntry(
                id=r[0],
                at=r[1],
                project_id=r[2],
                field=r[3],
                old=r[4],
                new=r[5],
                origin=r[6],
                batch_id=r[7],
            )
            for r in self.conn.execute(sql, args)
        ]

    def record_import_batch(
        self,
        *,
        file_name: str,
        file_hash: str,
        unit: str,
        year: int | None,
        counts: dict[str, int],
        backup_path: str = "",
    ) -> int:
        """A row describing one applied import; its id tags the audit entries."""
        with self.atomic():
            cur = self.conn.execute(
                "INSERT INTO import_batches"
                "(at, file_name, file_hash, unit, year, counts, backup_path)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    now_iso(),
                    file_name,
                    file_hash,
                    unit,
                    year,
                    json.dumps(counts, ensure_ascii=False),
                    backup_path,
                ),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def import_batches(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, at, file_name, file_hash, unit, year, counts, backup_path"
            " FROM import_batches ORDER BY id DESC"
        )
        keys = ("id", "at", "file_name", "file_hash", "unit", "year", "counts", "backup_path")
        result = []
        for r in rows:
            item = dict(zip(keys, r, strict=True))
            item["counts"] = json.loads(item["counts"])
            result.append(item)
        return result


def _normalise_field(key: str, value: Any) -> Any:
    if key in LIST_FIELDS:
        seen: dict[str, None] = {}
        for item in value or ():
            item = str(item).strip()
            if item:
                seen.setdefault(item, None)
        return tuple(seen)
    if key == "status":
        status = value if isinstance(value, Status) else Status.parse(value)
        if status is None:
            raise ValidationError(unknown_status(value))
        return status.value
    if key in ("year", "task_no"):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError(not_a_number(key, value)) from None
    return "" if value is None else str(value).strip()


def _project_values(project: Project) -> dict[str, Any]:
    values = {k: _normalise_field(k, getattr(project, k)) for k in _SCALAR_FIELDS}
    for k in LIST_FIELDS:
        values[k] = _normalise_field(k, getattr(project, k))
    return values


def _derived_deadline(values: dict[str, Any]) -> str | None:
    derived = parse_deadline(values["deadline_text"], values["year"])
    return derived.isoformat() if derived else None


def _audit_text(value: Any) -> str:
    if isinstance(value, tuple):
        return format_list(value)
    return str(value)


__all__ = ["ORIGIN_MANUAL", "ProjectSnapshot", "Role", "Store", "connect", "user_errors"]
