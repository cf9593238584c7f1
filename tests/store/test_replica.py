"""The replica tables: every project has a global id; every change marks it, whatever path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ysdesk.store import Store
from ysdesk.store.replica import dirty_projects, pending_count
from ysdesk.store.schema import MIGRATIONS, encode_version


def test_every_project_has_its_own_global_id(sample_store: Store) -> None:
    gids = [r[0] for r in sample_store.conn.execute("SELECT gid FROM sync_projects")]
    assert len(gids) == len(set(gids)) == sample_store.project_count()
    assert all(len(g) == 36 and g[14] == "4" for g in gids)


def test_a_change_by_raw_sql_is_captured_too(sample_store: Store) -> None:
    sample_store.conn.execute("UPDATE sync_projects SET dirty = 0, base = NULL")
    sample_store.conn.execute("UPDATE projects SET note = 'x' WHERE id = 3")
    sample_store.conn.execute("INSERT OR IGNORE INTO project_zones SELECT 4, id FROM zones")
    assert sorted(p.project_id for p in dirty_projects(sample_store)) == [3, 4]


def test_undo_of_a_delete_takes_the_global_id_back(sample_store: Store) -> None:
    gid = sample_store.conn.execute("SELECT gid FROM sync_projects WHERE project_id = 5").fetchone()
    snapshot = sample_store.delete_project(5)
    sample_store.restore_project(snapshot)
    again = sample_store.conn.execute(
        "SELECT gid FROM sync_projects WHERE project_id = 5"
    ).fetchone()
    assert gid == again
    assert pending_count(sample_store) == sample_store.project_count()  # never synced


def test_each_earlier_version_migrates_to_the_replica_tables(tmp_path: Path) -> None:
    for applied in range(1, len(MIGRATIONS)):
        path = tmp_path / f"v{applied}.db"
        conn = sqlite3.connect(path)
        import sqlite_utils

        db = sqlite_utils.Database(conn)
        for migration in MIGRATIONS[:applied]:
            migration(db)
        conn.execute(f"PRAGMA user_version = {encode_version(applied)}")
        conn.commit()
        conn.close()
        with Store.open(path) as store:
            assert store.schema_version == encode_version(len(MIGRATIONS))
            from ysdesk.services.workspace import load_plan, load_sample_list

            load_plan(store)
            load_sample_list(store)
            count = store.conn.execute("SELECT count(*) FROM sync_projects").fetchone()[0]
            assert count == store.project_count() == 86
