"""The server itself keeps a unit's login to what its unit may change (raw SQL as that role)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.pg_cluster import OfficeServer
from ysdesk.services import sync
from ysdesk.store import Store


@pytest.fixture
def shared(sample_db: Path, office_server: OfficeServer) -> OfficeServer:
    with Store.open(sample_db) as store:
        sync.share(store, office_server.url, desk="A")
    return office_server


def _gid_led_by(conn: psycopg.Connection, unit: str, *, leads: bool) -> str:
    op = "" if leads else "NOT"
    row = conn.execute(
        f"SELECT gid::text FROM ysdesk.projects WHERE {op} (%s = ANY(lead_units)) LIMIT 1", (unit,)
    ).fetchone()
    assert row is not None
    return row[0]


def test_a_unit_changes_its_own_status_but_nothing_else(shared: OfficeServer) -> None:
    login = shared.add_account("kw", "unit-pw", unit="区科委")
    with psycopg.connect(shared.cluster.url(shared.dbname, login, "unit-pw")) as conn:
        own = _gid_led_by(conn, "区科委", leads=True)
        other = _gid_led_by(conn, "区科委", leads=False)
        done = conn.execute(
            "UPDATE ysdesk.projects SET status = '滞后', progress = '单位填写' WHERE gid = %s",
            (own,),
        )
        assert done.rowcount == 1
        conn.commit()
        # Another unit's row: row-level security hides it from the update.
        refused = conn.execute(
            "UPDATE ysdesk.projects SET status = '滞后' WHERE gid = %s", (other,)
        )
        assert refused.rowcount == 0
        conn.commit()
        for sql in (
            "UPDATE ysdesk.projects SET name = '改名' WHERE gid = %s",
            "UPDATE ysdesk.projects SET lead_units = '{复旦大学}' WHERE gid = %s",
            "UPDATE ysdesk.projects SET seq = 1 WHERE gid = %s",
            "DELETE FROM ysdesk.projects WHERE gid = %s",
            "INSERT INTO ysdesk.audit(seq, gid, field, login) VALUES (1, %s, 'x', 'y')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql, (own,))
            conn.rollback()
    with shared.admin() as admin:
        status = admin.execute(
            "SELECT status FROM ysdesk.projects WHERE gid = %s", (other,)
        ).fetchone()
        assert status is not None and status[0] != "滞后"
        audit = admin.execute(
            "SELECT field, new, login FROM ysdesk.audit WHERE gid = %s ORDER BY id", (own,)
        ).fetchall()
        assert ("status", "滞后", login) in audit and ("progress", "单位填写", login) in audit
        change = admin.execute(
            "SELECT kind, fields FROM ysdesk.changes WHERE gid = %s ORDER BY seq DESC LIMIT 1",
            (own,),
        ).fetchone()
        assert change == ("update", ["status", "progress"])


def test_an_office_login_cannot_forge_the_audit_or_delete_rows(shared: OfficeServer) -> None:
    with psycopg.connect(
        shared.cluster.url(shared.dbname, shared.office_login, "office-pw")
    ) as conn:
        for sql in (
            "DELETE FROM ysdesk.projects",
            "DELETE FROM ysdesk.audit",
            "UPDATE ysdesk.changes SET login = 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()
