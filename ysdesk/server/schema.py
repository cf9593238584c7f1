"""The shared schema on the server (PostgreSQL schema `ysdesk`), its migrations and roles.

Everything lives in the schema `ysdesk` of the office's database. Its version is the highest
row of ysdesk.migrations; `server init` applies the missing migrations under an advisory lock,
so running it twice (or on two desks at once) changes nothing the second time.

Roles (cluster-wide in PostgreSQL, so shared by every ysdesk database of one cluster):
- ysdesk_office: reads and writes every list;
- ysdesk_unit: reads every list and changes only 推进状态/进展情况/备注 of the projects its
  unit leads (ysdesk.accounts maps a login to its unit), by column privileges and row-level
  security on the server, whatever client connects.

Every change of a project gets a number from ysdesk.change_seq. Writers of projects take one
advisory lock per transaction before they take numbers (a statement trigger takes it for any
writer), so numbers are handed out in commit order: a desk that has seen every change up to
number N never misses a change numbered below N that commits later. Triggers — not the
clients — write the change log (ysdesk.changes) and the audit (ysdesk.audit, each field's old
and new value, the login and the desk), so they hold whatever path made a change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ysdesk.server.connection import SCHEMA, ServerRefused

if TYPE_CHECKING:
    import psycopg

OFFICE_ROLE = "ysdesk_office"
UNIT_ROLE = "ysdesk_unit"
# The key of the advisory lock writers take before numbering changes (and `server init`).
CHANGE_LOCK = 7_200_318_001
SYNC_FIELDS_TEXT = (
    "year",
    "code",
    "name",
    "task_no",
    "zones",
    "lead_units",
    "co_units",
    "goal",
    "deadline_text",
    "status",
    "progress",
    "note",
    "deleted",
)
UNIT_EDITABLE = ("status", "progress", "note")

Migration = Callable[["psycopg.Connection"], None]


def _field_diff(old: str, new: str) -> str:
    """A VALUES list of (field, old text, new text) over the synced fields of two rows."""

    def text(row: str, name: str) -> str:
        if name in ("zones", "lead_units", "co_units"):
            return f"array_to_string({row}.{name}, '、')"
        if name in ("year", "task_no", "deleted"):
            return f"{row}.{name}::text"
        return f"{row}.{name}"

    return ", ".join(f"('{n}', {text(old, n)}, {text(new, n)})" for n in SYNC_FIELDS_TEXT)


def _m001_initial(conn: psycopg.Connection) -> None:
    conn.execute(
        f"""
        CREATE TABLE ysdesk.meta (
            key text PRIMARY KEY,
            value text NOT NULL
        );
        CREATE TABLE ysdesk.areas (
            no integer PRIMARY KEY,
            title text NOT NULL,
            intro text NOT NULL DEFAULT ''
        );
        CREATE TABLE ysdesk.tasks (
            no integer PRIMARY KEY,
            area_no integer NOT NULL REFERENCES ysdesk.areas(no),
            title text NOT NULL,
            text text NOT NULL DEFAULT ''
        );
        CREATE TABLE ysdesk.zones (
            name text PRIMARY KEY,
            area_km2 double precision,
            description text NOT NULL DEFAULT '',
            sort integer NOT NULL DEFAULT 0
        );
        CREATE TABLE ysdesk.indicators (
            name text PRIMARY KEY,
            unit text NOT NULL DEFAULT '',
            target_value double precision NOT NULL,
            target_year integer NOT NULL,
            comparator text NOT NULL DEFAULT '=',
            baseline_value double precision,
            baseline_year integer,
            sort integer NOT NULL DEFAULT 0
        );
        CREATE SEQUENCE ysdesk.change_seq;
        CREATE TABLE ysdesk.units (
            name text PRIMARY KEY CHECK (length(btrim(name)) > 0),
            kind text NOT NULL DEFAULT '',
            aliases text[] NOT NULL DEFAULT '{{}}',
            sort integer NOT NULL DEFAULT 0,
            seq bigint NOT NULL DEFAULT nextval('ysdesk.change_seq')
        );
        CREATE INDEX units_seq ON ysdesk.units(seq);
        -- A project: its global id, the id it had on the desk that made it (other desks use
        -- it too while it is free there), its fields, a tombstone flag (a deletion must reach
        -- every desk) and the number of its latest change.
        CREATE TABLE ysdesk.projects (
            gid uuid PRIMARY KEY,
            no bigint NOT NULL,
            year integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
            code text NOT NULL DEFAULT '',
            name text NOT NULL CHECK (length(btrim(name)) > 0),
            task_no integer NOT NULL REFERENCES ysdesk.tasks(no),
            zones text[] NOT NULL DEFAULT '{{}}',
            lead_units text[] NOT NULL CHECK (cardinality(lead_units) > 0),
            co_units text[] NOT NULL DEFAULT '{{}}',
            goal text NOT NULL DEFAULT '',
            deadline_text text NOT NULL DEFAULT '',
            status text NOT NULL DEFAULT '未启动'
                CHECK (status IN ('未启动', '推进中', '已完成', '滞后', '暂缓')),
            progress text NOT NULL DEFAULT '',
            note text NOT NULL DEFAULT '',
            -- Its place in its task's list (settled here like codes: no two live projects
            -- of a task share one, so every desk lists them in one order).
            sort integer NOT NULL DEFAULT 0,
            origin_gid uuid,
            created_at text NOT NULL,
            updated_at text NOT NULL,
            -- As the writing desk derived it; NULL when a writer without it changed the row.
            search_text text,
            deleted boolean NOT NULL DEFAULT false,
            version integer NOT NULL DEFAULT 1,
            seq bigint NOT NULL DEFAULT nextval('ysdesk.change_seq')
        );
        CREATE INDEX projects_seq ON ysdesk.projects(seq);
        CREATE INDEX projects_place ON ysdesk.projects(year, task_no, sort);
        CREATE INDEX projects_no ON ysdesk.projects(no);
        -- Codes (2025-03-02) are settled here: one live project per code and year.
        CREATE UNIQUE INDEX projects_code ON ysdesk.projects(year, code)
            WHERE NOT deleted AND code <> '';
        -- The links of a project to its units and zones, kept from its lists by triggers:
        -- the lists are the fields desks merge; the links give the names referential
        -- integrity and the unit role's policy its rows.
        CREATE TABLE ysdesk.project_units (
            gid uuid NOT NULL REFERENCES ysdesk.projects(gid),
            unit text NOT NULL REFERENCES ysdesk.units(name) ON UPDATE CASCADE,
            role text NOT NULL CHECK (role IN ('lead', 'co')),
            sort integer NOT NULL DEFAULT 0,
            PRIMARY KEY (gid, unit)
        );
        CREATE INDEX project_units_unit ON ysdesk.project_units(unit, role, gid);
        CREATE TABLE ysdesk.project_zones (
            gid uuid NOT NULL REFERENCES ysdesk.projects(gid),
            zone text NOT NULL REFERENCES ysdesk.zones(name) ON UPDATE CASCADE,
            PRIMARY KEY (gid, zone)
        );
        -- The change log: one row per changed project and change number.
        CREATE TABLE ysdesk.changes (
            seq bigint PRIMARY KEY,
            gid uuid NOT NULL,
            kind text NOT NULL CHECK (kind IN ('insert', 'update', 'delete', 'restore')),
            fields text[] NOT NULL,
            login text NOT NULL,
            desk text NOT NULL DEFAULT '',
            at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX changes_gid ON ysdesk.changes(gid, seq);
        -- Every value a change replaced: who (login), where (desk) and why (note).
        CREATE TABLE ysdesk.audit (
            id bigserial PRIMARY KEY,
            seq bigint NOT NULL,
            gid uuid NOT NULL,
            field text NOT NULL,
            old text,
            new text,
            login text NOT NULL,
            desk text NOT NULL DEFAULT '',
            note text NOT NULL DEFAULT '',
            at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX audit_gid ON ysdesk.audit(gid, id);
        -- Logins of this office: a unit login changes only what its unit leads.
        CREATE TABLE ysdesk.accounts (
            login text PRIMARY KEY,
            unit text REFERENCES ysdesk.units(name) ON UPDATE CASCADE
        );

        CREATE FUNCTION ysdesk.my_units() RETURNS text[]
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, ysdesk AS $$
            SELECT coalesce(array_agg(unit), '{{}}') FROM ysdesk.accounts
            WHERE login = session_user AND unit IS NOT NULL
        $$;

        -- Any writer of projects takes the numbering lock first (see the module's docstring).
        CREATE FUNCTION ysdesk.take_change_lock() RETURNS trigger
            LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({CHANGE_LOCK});
            RETURN NULL;
        END $$;
        CREATE TRIGGER projects_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON ysdesk.projects FOR EACH STATEMENT EXECUTE FUNCTION ysdesk.take_change_lock();
        CREATE TRIGGER units_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON ysdesk.units FOR EACH STATEMENT EXECUTE FUNCTION ysdesk.take_change_lock();

        -- A writer that did not number its change (a unit's raw UPDATE) gets it numbered,
        -- versioned and stamped here; ysdesk's own push numbers its rows itself.
        CREATE FUNCTION ysdesk.stamp_change() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ysdesk AS $$
        BEGIN
            NEW.seq := nextval('ysdesk.change_seq');
            NEW.version := OLD.version + 1;
            NEW.updated_at := to_char(localtimestamp(0), 'YYYY-MM-DD"T"HH24:MI:SS');
            IF NEW.search_text IS NOT DISTINCT FROM OLD.search_text THEN
                NEW.search_text := NULL;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER projects_stamp BEFORE UPDATE ON ysdesk.projects FOR EACH ROW
            WHEN (NEW.seq = OLD.seq) EXECUTE FUNCTION ysdesk.stamp_change();
        CREATE FUNCTION ysdesk.stamp_unit() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ysdesk AS $$
        BEGIN
            NEW.seq := nextval('ysdesk.change_seq');
            RETURN NEW;
        END $$;
        CREATE TRIGGER units_stamp BEFORE UPDATE ON ysdesk.units FOR EACH ROW
            WHEN (NEW.seq = OLD.seq) EXECUTE FUNCTION ysdesk.stamp_unit();

        CREATE FUNCTION ysdesk.log_inserted() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ysdesk AS $$
        BEGIN
            INSERT INTO ysdesk.changes(seq, gid, kind, fields, login, desk)
                SELECT n.seq, n.gid, 'insert', '{{}}', session_user,
                    coalesce(current_setting('ysdesk.desk', true), '')
                FROM new_rows n;
            INSERT INTO ysdesk.audit(seq, gid, field, old, new, login, desk, note)
                SELECT n.seq, n.gid, 'created', NULL, n.name, session_user,
                    coalesce(current_setting('ysdesk.desk', true), ''),
                    coalesce(current_setting('ysdesk.note', true), '')
                FROM new_rows n;
            INSERT INTO ysdesk.project_units(gid, unit, role, sort)
                SELECT n.gid, u.unit, 'lead', u.ord FROM new_rows n,
                    unnest(n.lead_units) WITH ORDINALITY AS u(unit, ord)
                UNION ALL
                SELECT n.gid, u.unit, 'co', u.ord FROM new_rows n,
                    unnest(n.co_units) WITH ORDINALITY AS u(unit, ord);
            INSERT INTO ysdesk.project_zones(gid, zone)
                SELECT DISTINCT n.gid, z.zone FROM new_rows n, unnest(n.zones) AS z(zone);
            RETURN NULL;
        END $$;
        CREATE TRIGGER projects_inserted AFTER INSERT ON ysdesk.projects
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION ysdesk.log_inserted();

        CREATE FUNCTION ysdesk.log_updated() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ysdesk AS $$
        DECLARE
            who_desk text := coalesce(current_setting('ysdesk.desk', true), '');
            why text := coalesce(current_setting('ysdesk.note', true), '');
        BEGIN
            WITH diff AS (
                SELECT n.seq, n.gid, f.field, f.was, f.now
                FROM new_rows n JOIN old_rows o ON o.gid = n.gid
                CROSS JOIN LATERAL (VALUES {_field_diff("o", "n")}) AS f(field, was, now)
                WHERE f.was IS DISTINCT FROM f.now
            ), audited AS (
                INSERT INTO ysdesk.audit(seq, gid, field, old, new, login, desk, note)
                SELECT seq, gid, field, was, now, session_user, who_desk, why FROM diff
            )
            INSERT INTO ysdesk.changes(seq, gid, kind, fields, login, desk)
                SELECT seq, gid,
                    CASE WHEN bool_or(field = 'deleted' AND now = 'true') THEN 'delete'
                         WHEN bool_or(field = 'deleted') THEN 'restore'
                         ELSE 'update' END,
                    array_agg(field), session_user, who_desk
                FROM diff GROUP BY seq, gid;
            -- The links of the projects whose lists changed.
            DELETE FROM ysdesk.project_units pu USING new_rows n, old_rows o
                WHERE pu.gid = n.gid AND o.gid = n.gid
                    AND (n.lead_units IS DISTINCT FROM o.lead_units
                         OR n.co_units IS DISTINCT FROM o.co_units);
            INSERT INTO ysdesk.project_units(gid, unit, role, sort)
                SELECT n.gid, u.unit, u.role, u.ord
                FROM new_rows n JOIN old_rows o ON o.gid = n.gid
                CROSS JOIN LATERAL (
                    SELECT l.unit, 'lead' AS role, l.ord
                        FROM unnest(n.lead_units) WITH ORDINALITY AS l(unit, ord)
                    UNION ALL
                    SELECT c.unit, 'co', c.ord
                        FROM unnest(n.co_units) WITH ORDINALITY AS c(unit, ord)
                ) AS u
                WHERE n.lead_units IS DISTINCT FROM o.lead_units
                    OR n.co_units IS DISTINCT FROM o.co_units;
            DELETE FROM ysdesk.project_zones pz USING new_rows n, old_rows o
                WHERE pz.gid = n.gid AND o.gid = n.gid AND n.zones IS DISTINCT FROM o.zones;
            INSERT INTO ysdesk.project_zones(gid, zone)
                SELECT DISTINCT n.gid, z.zone
                FROM new_rows n JOIN old_rows o ON o.gid = n.gid, unnest(n.zones) AS z(zone)
                WHERE n.zones IS DISTINCT FROM o.zones;
            RETURN NULL;
        END $$;
        CREATE TRIGGER projects_updated AFTER UPDATE ON ysdesk.projects
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION ysdesk.log_updated();

        -- Row-level security: the office writes every row; a unit changes only the rows its
        -- unit leads (and column privileges keep it to status, progress and note).
        ALTER TABLE ysdesk.projects ENABLE ROW LEVEL SECURITY;
        CREATE POLICY office_all ON ysdesk.projects TO {OFFICE_ROLE}
            USING (true) WITH CHECK (true);
        CREATE POLICY unit_read ON ysdesk.projects FOR SELECT TO {UNIT_ROLE} USING (true);
        CREATE POLICY unit_own ON ysdesk.projects FOR UPDATE TO {UNIT_ROLE}
            USING (lead_units && (SELECT ysdesk.my_units()))
            WITH CHECK (lead_units && (SELECT ysdesk.my_units()));
        """
    )


def _m002_progress(conn: psycopg.Connection) -> None:
    # Each project's progress history, with the dates its entries were written on the desk
    # that wrote them: entries only accumulate (a desk adds the ones it lacks), numbered
    # like the projects so a sync pulls the entries added since it last looked.
    conn.execute(
        f"""
        CREATE TABLE ysdesk.progress (
            gid uuid NOT NULL REFERENCES ysdesk.projects(gid),
            date text NOT NULL,
            text text NOT NULL,
            origin text NOT NULL DEFAULT '',
            login text NOT NULL DEFAULT '',
            desk text NOT NULL DEFAULT '',
            seq bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (gid, date, text)
        );
        CREATE INDEX progress_seq ON ysdesk.progress(seq);
        CREATE TRIGGER progress_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON ysdesk.progress FOR EACH STATEMENT EXECUTE FUNCTION ysdesk.take_change_lock();
        -- The number, the login and the desk are the server's, whatever the client sends.
        CREATE FUNCTION ysdesk.stamp_progress() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ysdesk AS $$
        BEGIN
            NEW.seq := nextval('ysdesk.change_seq');
            NEW.login := session_user;
            NEW.desk := coalesce(current_setting('ysdesk.desk', true), '');
            RETURN NEW;
        END $$;
        CREATE TRIGGER progress_stamp BEFORE INSERT ON ysdesk.progress FOR EACH ROW
            EXECUTE FUNCTION ysdesk.stamp_progress();
        ALTER TABLE ysdesk.progress ENABLE ROW LEVEL SECURITY;
        CREATE POLICY office_all ON ysdesk.progress TO {OFFICE_ROLE}
            USING (true) WITH CHECK (true);
        CREATE POLICY unit_read ON ysdesk.progress FOR SELECT TO {UNIT_ROLE} USING (true);
        CREATE POLICY unit_own ON ysdesk.progress FOR INSERT TO {UNIT_ROLE}
            WITH CHECK (EXISTS (
                SELECT 1 FROM ysdesk.projects p WHERE p.gid = progress.gid
                    AND p.lead_units && (SELECT ysdesk.my_units())));
        """
    )


def _m003_lean_update_log(conn: psycopg.Connection) -> None:
    # The update trigger of schema 1 joined the old and new rows five times (the diff, then
    # twice each for unit and zone links, even when no list changed), each join sorting the
    # whole wide rows, on disk past 4 MB: 4 of the 5 s a push of 10,000 projects took on the
    # server. Now one join finds the projects whose lists changed, the links are rewritten
    # for those only, and the diff's join runs in memory.
    conn.execute(
        f"""
        CREATE OR REPLACE FUNCTION ysdesk.log_updated() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ysdesk
            SET work_mem = '64MB' AS $$
        DECLARE
            who_desk text := coalesce(current_setting('ysdesk.desk', true), '');
            why text := coalesce(current_setting('ysdesk.note', true), '');
            unit_lists uuid[];
            zone_lists uuid[];
        BEGIN
            WITH diff AS (
                SELECT n.seq, n.gid, f.field, f.was, f.now
                FROM new_rows n JOIN old_rows o ON o.gid = n.gid
                CROSS JOIN LATERAL (VALUES {_field_diff("o", "n")}) AS f(field, was, now)
                WHERE f.was IS DISTINCT FROM f.now
            ), audited AS (
                INSERT INTO ysdesk.audit(seq, gid, field, old, new, login, desk, note)
                SELECT seq, gid, field, was, now, session_user, who_desk, why FROM diff
            )
            INSERT INTO ysdesk.changes(seq, gid, kind, fields, login, desk)
                SELECT seq, gid,
                    CASE WHEN bool_or(field = 'deleted' AND now = 'true') THEN 'delete'
                         WHEN bool_or(field = 'deleted') THEN 'restore'
                         ELSE 'update' END,
                    array_agg(field), session_user, who_desk
                FROM diff GROUP BY seq, gid;
            SELECT array_agg(n.gid) FILTER (WHERE n.lead_units IS DISTINCT FROM o.lead_units
                                            OR n.co_units IS DISTINCT FROM o.co_units),
                   array_agg(n.gid) FILTER (WHERE n.zones IS DISTINCT FROM o.zones)
                INTO unit_lists, zone_lists
                FROM new_rows n JOIN old_rows o ON o.gid = n.gid;
            IF unit_lists IS NOT NULL THEN
                DELETE FROM ysdesk.project_units WHERE gid = ANY(unit_lists);
                INSERT INTO ysdesk.project_units(gid, unit, role, sort)
                    SELECT n.gid, l.unit, 'lead', l.ord FROM new_rows n,
                        unnest(n.lead_units) WITH ORDINALITY AS l(unit, ord)
                    WHERE n.gid = ANY(unit_lists)
                    UNION ALL
                    SELECT n.gid, c.unit, 'co', c.ord FROM new_rows n,
                        unnest(n.co_units) WITH ORDINALITY AS c(unit, ord)
                    WHERE n.gid = ANY(unit_lists);
            END IF;
            IF zone_lists IS NOT NULL THEN
                DELETE FROM ysdesk.project_zones WHERE gid = ANY(zone_lists);
                INSERT INTO ysdesk.project_zones(gid, zone)
                    SELECT DISTINCT n.gid, z.zone FROM new_rows n, unnest(n.zones) AS z(zone)
                    WHERE n.gid = ANY(zone_lists);
            END IF;
            RETURN NULL;
        END $$;
        """
    )


def _m004_indicator_values(conn: psycopg.Connection) -> None:
    # The indicators' actual values per year, numbered like projects (a deletion is a
    # tombstone, so it reaches every desk); number, login and desk stamped by the server.
    conn.execute(
        f"""
        CREATE TABLE ysdesk.indicator_values (
            indicator text NOT NULL REFERENCES ysdesk.indicators(name) ON UPDATE CASCADE,
            year integer NOT NULL,
            value double precision,
            source text NOT NULL DEFAULT '',
            as_of text NOT NULL DEFAULT '',
            deleted boolean NOT NULL DEFAULT false,
            login text NOT NULL DEFAULT '',
            desk text NOT NULL DEFAULT '',
            seq bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (indicator, year)
        );
        CREATE INDEX indicator_values_seq ON ysdesk.indicator_values(seq);
        CREATE TRIGGER indicator_values_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON ysdesk.indicator_values FOR EACH STATEMENT
            EXECUTE FUNCTION ysdesk.take_change_lock();
        CREATE FUNCTION ysdesk.stamp_indicator_value() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ysdesk AS $$
        BEGIN
            NEW.seq := nextval('ysdesk.change_seq');
            NEW.login := session_user;
            NEW.desk := coalesce(current_setting('ysdesk.desk', true), '');
            RETURN NEW;
        END $$;
        CREATE TRIGGER indicator_values_stamp BEFORE INSERT OR UPDATE
            ON ysdesk.indicator_values FOR EACH ROW
            EXECUTE FUNCTION ysdesk.stamp_indicator_value();
        ALTER TABLE ysdesk.indicator_values ENABLE ROW LEVEL SECURITY;
        CREATE POLICY office_all ON ysdesk.indicator_values TO {OFFICE_ROLE}
            USING (true) WITH CHECK (true);
        CREATE POLICY unit_read ON ysdesk.indicator_values FOR SELECT TO {UNIT_ROLE}
            USING (true);
        """
    )


MIGRATIONS: tuple[Migration, ...] = (
    _m001_initial,
    _m002_progress,
    _m003_lean_update_log,
    _m004_indicator_values,
)


def current_version() -> int:
    """The server schema version this ysdesk writes."""
    return len(MIGRATIONS)


def _grant(conn: psycopg.Connection) -> None:
    """The privileges of the two roles (run again by every `server init`: idempotent)."""
    conn.execute(
        f"""
        GRANT USAGE ON SCHEMA ysdesk TO {OFFICE_ROLE}, {UNIT_ROLE};
        GRANT SELECT ON ALL TABLES IN SCHEMA ysdesk TO {OFFICE_ROLE}, {UNIT_ROLE};
        GRANT INSERT, UPDATE ON ysdesk.meta, ysdesk.areas, ysdesk.tasks, ysdesk.zones,
            ysdesk.indicators, ysdesk.units, ysdesk.projects TO {OFFICE_ROLE};
        GRANT USAGE ON SEQUENCE ysdesk.change_seq TO {OFFICE_ROLE};
        GRANT UPDATE ({", ".join(UNIT_EDITABLE)}) ON ysdesk.projects TO {UNIT_ROLE};
        GRANT INSERT (gid, date, text, origin) ON ysdesk.progress TO {OFFICE_ROLE}, {UNIT_ROLE};
        GRANT INSERT (indicator, year, value, source, as_of, deleted),
            UPDATE (value, source, as_of, deleted) ON ysdesk.indicator_values TO {OFFICE_ROLE};
        REVOKE ALL ON ysdesk.accounts FROM {UNIT_ROLE};
        GRANT EXECUTE ON FUNCTION ysdesk.my_units() TO {OFFICE_ROLE}, {UNIT_ROLE};
        """
    )


def _ensure_roles(conn: psycopg.Connection) -> None:
    for role in (OFFICE_ROLE, UNIT_ROLE):
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if not exists:
            conn.execute(f"CREATE ROLE {role} NOLOGIN")


def server_version(conn: psycopg.Connection) -> int | None:
    """The schema version on the server, or None when the database holds no ysdesk schema."""
    row = conn.execute("SELECT to_regclass('ysdesk.migrations')").fetchone()
    if row is None or row[0] is None:
        return None
    found = conn.execute("SELECT max(version) FROM ysdesk.migrations").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def init_server(conn: psycopg.Connection) -> tuple[int, int]:
    """Create or migrate the shared schema in one transaction; (version before, after).

    Needs a login allowed to create schemas and roles (the database's owner with CREATEROLE,
    or a superuser). Running it again changes nothing.
    """
    import psycopg

    row = conn.execute(
        "SELECT current_database(), pg_encoding_to_char(encoding) FROM pg_database"
        " WHERE datname = current_database()"
    ).fetchone()
    if row is not None and row[1] != "UTF8":
        # SQL_ASCII (initdb under a POSIX locale) would take the bytes but not the meaning.
        raise ServerRefused(
            f"服务器数据库“{row[0]}”的编码是 {row[1]}，不能可靠地保存中文；请用 UTF8 编码新建"
            f"数据库（如 createdb -E UTF8 -T template0 {row[0]}）后再运行 server init。"
        )
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
        try:
            _ensure_roles(conn)
            before = server_version(conn)
            if before is not None and before > current_version():
                raise ServerRefused(
                    f"服务器上的 ysdesk 数据为第 {before} 版，由更新版本的 ysdesk 创建，"
                    "请升级本机的 ysdesk。"
                )
            if before is None:
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                conn.execute(
                    "CREATE TABLE ysdesk.migrations (version integer PRIMARY KEY,"
                    " applied_at timestamptz NOT NULL DEFAULT now())"
                )
            applied = before or 0
            for number, migration in enumerate(MIGRATIONS[applied:], start=applied + 1):
                migration(conn)
                conn.execute("INSERT INTO ysdesk.migrations(version) VALUES (%s)", (number,))
            _grant(conn)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise ServerRefused(
                "该账号无权在服务器上建立 ysdesk 数据（需要数据库所有者且可创建角色的账号，"
                f"如 postgres）：{str(exc).strip().splitlines()[0]}。"
            ) from None
    return before or 0, current_version()
