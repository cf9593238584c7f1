"""The test cluster itself: a real server, run by an unprivileged user."""

from __future__ import annotations

import psycopg

from tests.pg_cluster import Cluster


def test_cluster_answers_as_an_unprivileged_server(pg_cluster: Cluster, pg_database: str) -> None:
    with psycopg.connect(pg_cluster.admin_conninfo(pg_database)) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (pg_database,)
        version = conn.execute("SHOW server_version_num").fetchone()
        assert version is not None and int(version[0]) >= 130000
    owner = (pg_cluster.data_dir / "PG_VERSION").stat().st_uid
    assert owner != 0
