"""Schema and migrations; the version lives in PRAGMA user_version.

user_version = 100 * SCHEMA_MAJOR + number of applied migrations. A database of a newer
major refuses to open; a newer minor (additive changes only) opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_MAJOR = 1

Migration = Callable[["sqlite_utils.Database"], None]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE areas (
            no INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            intro TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE tasks (
            no INTEGER PRIMARY KEY CHECK (no BETWEEN 1 AND 99),
            area_no INTEGER NOT NULL REFERENCES areas(no),
            title TEXT NOT NULL,
            text TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE zones (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            area_km2 REAL,
            description TEXT NOT NULL DEFAULT '',
            sort INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE indicators (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            unit TEXT NOT NULL DEFAULT '',
            target_value REAL NOT NULL,
            target_year INTEGER NOT NULL,
            comparator TEXT NOT NULL DEFAULT '=',
            baseline_value REAL,
            baseline_year INTEGER,
            sort INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE indicator_values (
            id INTEGER PRIMARY KEY,
            indicator_id INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
            year INTEGER NOT NULL,
            value REAL NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            as_of TEXT NOT NULL DEFAULT '',
            UNIQUE (indicator_id, year)
        );
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL DEFAULT '',
            sort INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE unit_aliases (
            alias TEXT PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE
        );
        CREATE INDEX unit_aliases_unit ON unit_aliases(unit_id);
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            code TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            task_no INTEGER NOT NULL REFERENCES tasks(no),
            goal TEXT NOT NULL DEFAULT '',
            deadline_text TEXT NOT NULL DEFAULT '',
            deadline TEXT,
            status TEXT NOT NULL DEFAULT '未启动'
                CHECK (status IN ('未启动', '推进中', '已完成', '滞后', '暂缓')),
            progress TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            search_text TEXT NOT NULL DEFAULT '',
            sort INTEGER NOT NULL DEFAULT 0,
            origin_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX projects_year_task ON projects(year, task_no, sort, id);
        CREATE INDEX projects_year_status ON projects(year, status);
        CREATE INDEX projects_origin ON projects(origin_id);
        CREATE TABLE project_zones (
            project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            zone_id INTEGER NOT NULL REFERENCES zones(id),
            PRIMARY KEY (project_id, zone_id)
        ) WITHOUT ROWID;
        CREATE INDEX project_zones_zone ON project_zones(zone_id, project_id);
        CREATE TABLE project_units (
            project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            role TEXT NOT NULL CHECK (role IN ('lead', 'co')),
            sort INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (project_id, unit_id)
        ) WITHOUT ROWID;
        CREATE INDEX project_units_unit ON project_units(unit_id, role, project_id);
        CREATE TABLE progress_log (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            text TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX progress_log_project ON progress_log(project_id, date, id);
        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_hash TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            year INTEGER,
            counts TEXT NOT NULL DEFAULT '{}',
            backup_path TEXT NOT NULL DEFAULT ''
        );
        -- project_id has no foreign key: the history of a deleted project stays readable.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            project_id INTEGER NOT NULL,
            field TEXT NOT NULL,
            old TEXT NOT NULL DEFAULT '',
            new TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT '',
            batch_id INTEGER REFERENCES import_batches(id) ON DELETE SET NULL
        );
        CREATE INDEX audit_log_project ON audit_log(project_id, id);
        CREATE TABLE briefs (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            issue_no INTEGER NOT NULL,
            total_issue_no INTEGER,
            date TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            stats TEXT NOT NULL DEFAULT '{}',
            path TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        """
    )


def _m002_navigation_index(db: sqlite_utils.Database) -> None:
    """A covering index for the window's project index (plan order, task, status, deadline).

    Project rows are wide (goal, progress, search text spill into overflow pages); reading
    the sort column of 100,000 rows from the table took about 1 s, from this index 0.1 s.
    It starts with the columns of projects_year_task, which it therefore replaces.
    """
    db.executescript(
        """
        CREATE INDEX projects_navigation
            ON projects(year, task_no, sort, id, status, deadline);
        DROP INDEX projects_year_task;
        """
    )


def _m003_project_json(db: sqlite_utils.Database) -> None:
    """Each project's JSON text kept beside it, with the triggers that empty it: made by
    store.kept_json, which makes them anew whenever its code changes them."""
    from ysdesk.store import kept_json

    kept_json.install(db.conn)


# A version-4 UUID made by SQLite (the projects' global ids).
_NEW_GID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'"
    " || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)"
    " || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)


def _m004_replica(db: sqlite_utils.Database) -> None:
    """A global id per project, and what a desk of the shared office mode has not synced.

    Every project gets a global id (a UUID, made here as it is inserted, so projects made
    offline on two desks never collide). sync_projects keeps, per global id, the project's
    fields as of the last sync (`base`, JSON; NULL while it was never synced) and a `dirty`
    mark that triggers set whenever anything the sync carries changes, whichever code path
    changed it: the sync compares the dirty projects with their base, so a mark is a hint
    and the base the truth. A deleted project keeps its row (project_id NULL) until the
    deletion is synced; a project put back (undo) with its id and creation time takes its
    global id back.
    """
    link_triggers = "".join(
        f"""
        CREATE TRIGGER sync_{link}_added AFTER INSERT ON {table} BEGIN
            UPDATE sync_projects SET dirty = 1 WHERE project_id = NEW.project_id AND NOT dirty;
        END;
        CREATE TRIGGER sync_{link}_changed AFTER UPDATE ON {table} BEGIN
            UPDATE sync_projects SET dirty = 1
                WHERE project_id IN (OLD.project_id, NEW.project_id) AND NOT dirty;
        END;
        CREATE TRIGGER sync_{link}_removed AFTER DELETE ON {table} BEGIN
            UPDATE sync_projects SET dirty = 1 WHERE project_id = OLD.project_id AND NOT dirty;
        END;"""
        for link, table in (("zone", "project_zones"), ("unit", "project_units"))
    )
    db.executescript(
        f"""
        CREATE TABLE sync_projects (
            gid TEXT PRIMARY KEY,
            project_id INTEGER UNIQUE,
            deleted_id INTEGER,
            deleted_created TEXT,
            base TEXT,
            dirty INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX sync_projects_dirty ON sync_projects(dirty) WHERE dirty;
        CREATE INDEX sync_projects_deleted ON sync_projects(deleted_id)
            WHERE deleted_id IS NOT NULL;
        INSERT INTO sync_projects(gid, project_id) SELECT {_NEW_GID}, id FROM projects;
        CREATE TRIGGER sync_project_added AFTER INSERT ON projects BEGIN
            UPDATE sync_projects
                SET project_id = NEW.id, deleted_id = NULL, deleted_created = NULL, dirty = 1
                WHERE deleted_id = NEW.id AND deleted_created = NEW.created_at
                    AND project_id IS NULL;
            INSERT INTO sync_projects(gid, project_id)
                SELECT {_NEW_GID}, NEW.id
                WHERE NOT EXISTS (SELECT 1 FROM sync_projects WHERE project_id = NEW.id);
        END;
        CREATE TRIGGER sync_project_changed AFTER UPDATE OF
            id, year, code, name, task_no, goal, deadline_text, status, progress, note, sort
            ON projects
        BEGIN
            UPDATE sync_projects SET project_id = NEW.id, dirty = 1 WHERE project_id = OLD.id;
        END;
        CREATE TRIGGER sync_project_deleted AFTER DELETE ON projects BEGIN
            UPDATE sync_projects
                SET project_id = NULL, deleted_id = OLD.id, deleted_created = OLD.created_at,
                    dirty = 1
                WHERE project_id = OLD.id;
        END;
        """
        + link_triggers
    )


def _m005_column_mappings(db: sqlite_utils.Database) -> None:
    """How the columns of a department's own sheet were read, saved by an applied import:
    per header signature (the sheet's header texts, sorted) and unit ('' when none was
    given), `fields` maps each header key to a field as `--map` names it (skip included)."""
    db.executescript(
        """
        CREATE TABLE column_mappings (
            id INTEGER PRIMARY KEY,
            signature TEXT NOT NULL,
            unit TEXT NOT NULL DEFAULT '',
            headers TEXT NOT NULL DEFAULT '[]',
            fields TEXT NOT NULL DEFAULT '{}',
            file_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            used_at TEXT NOT NULL,
            uses INTEGER NOT NULL DEFAULT 1,
            UNIQUE (signature, unit)
        );
        """
    )


def _m006_replica_indicators(db: sqlite_utils.Database) -> None:
    """What a desk of the shared mode has not synced of the indicators' actual values.

    Per indicator (by name, which every desk shares) and year: the value as both sides last
    agreed (`base`, JSON [value, source, as_of], or null when there was none; meaningful only
    once `synced`) and a `dirty` mark that triggers set whenever a value is set or removed.
    """
    db.executescript(
        """
        CREATE TABLE sync_indicator_values (
            indicator TEXT NOT NULL,
            year INTEGER NOT NULL,
            base TEXT,
            synced INTEGER NOT NULL DEFAULT 0,
            dirty INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (indicator, year)
        );
        INSERT INTO sync_indicator_values(indicator, year)
            SELECT i.name, v.year
            FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id;
        CREATE TRIGGER sync_indicator_set AFTER INSERT ON indicator_values BEGIN
            INSERT INTO sync_indicator_values(indicator, year)
                SELECT name, NEW.year FROM indicators WHERE id = NEW.indicator_id
                ON CONFLICT(indicator, year) DO UPDATE SET dirty = 1;
        END;
        CREATE TRIGGER sync_indicator_changed AFTER UPDATE ON indicator_values BEGIN
            INSERT INTO sync_indicator_values(indicator, year)
                SELECT name, NEW.year FROM indicators WHERE id = NEW.indicator_id
                ON CONFLICT(indicator, year) DO UPDATE SET dirty = 1;
        END;
        CREATE TRIGGER sync_indicator_removed AFTER DELETE ON indicator_values BEGIN
            INSERT INTO sync_indicator_values(indicator, year)
                SELECT name, OLD.year FROM indicators WHERE id = OLD.indicator_id
                ON CONFLICT(indicator, year) DO UPDATE SET dirty = 1;
        END;
        """
    )


MIGRATIONS: tuple[Migration, ...] = (
    _m001_initial,
    _m002_navigation_index,
    _m003_project_json,
    _m004_replica,
    _m005_column_mappings,
    _m006_replica_indicators,
)


def encode_version(minor: int) -> int:
    """The user_version for a schema with `minor` migrations applied."""
    return SCHEMA_MAJOR * 100 + minor


def current_version() -> int:
    return encode_version(len(MIGRATIONS))
