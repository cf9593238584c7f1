"""The shared-mode commands as a user types them: server init, share, clone, sync."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import run
from tests.pg_cluster import Cluster, OfficeServer


def test_server_init_is_idempotent(pg_cluster: Cluster, pg_database: str) -> None:
    from tests.pg_cluster import SUPERUSER, SUPERUSER_PASSWORD

    url = pg_cluster.url(pg_database, SUPERUSER, SUPERUSER_PASSWORD)
    first = run("server", "init", url)
    assert first.returncode == 0, first.stderr
    assert "第 0 版 → 第 4 版" in first.stderr
    second = run("server", "init", url)
    assert second.returncode == 0 and "无需改动" in second.stderr


def test_share_clone_edit_and_sync_from_the_command_line(
    sample_db: Path, office_server: OfficeServer, tmp_path: Path
) -> None:
    b = tmp_path / "b.db"
    shared = run("--db", str(sample_db), "share", office_server.url, "--desk", "甲")
    assert shared.returncode == 0, shared.stderr
    cloned = run("--db", str(b), "clone", office_server.url, "--desk", "乙", "--json")
    assert cloned.returncode == 0, cloned.stderr
    assert json.loads(cloned.stdout)["pulled"] == 86
    listed = run("--db", str(b), "list", "--json")
    assert listed.stdout == run("--db", str(sample_db), "list", "--json").stdout
    assert "office-pw" not in Path(b).read_bytes().decode("utf-8", "replace")

    idle = run("--db", str(b), "sync", "--json")
    assert idle.returncode == 0, idle.stderr
    assert json.loads(idle.stdout) | {"codes_changed": [], "renumbered": {}, "refused": []} == {
        "pushed": 0,
        "pulled": 0,
        "conflicts": [],
        "codes_changed": [],
        "renumbered": {},
        "refused": [],
    }
    status = run("--db", str(b), "sync", "--status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["pending"] == 0


def test_sync_refuses_in_one_sentence_when_it_cannot_reach_the_server(
    sample_db: Path, office_server: OfficeServer, pg_cluster: Cluster, pg_database: str
) -> None:
    assert run("--db", str(sample_db), "share", office_server.url).returncode == 0
    assert run("--db", str(sample_db), "sync").returncode == 0  # the URL kept in the file
    from ysdesk.store import Store
    from ysdesk.store.replica import replica_settings

    with Store.open(sample_db) as store:
        settings = replica_settings(store)
        assert settings is not None and "office-pw" not in settings.url
        store.set_meta("sync_url", settings.url.replace(str(pg_cluster.port), "1"))
    offline = run("--db", str(sample_db), "sync")
    assert offline.returncode == 2
    assert offline.stderr.count("\n") == 1 and "无法连接服务器" in offline.stderr
    assert "Traceback" not in offline.stderr


def test_a_wrong_password_and_a_server_without_ysdesk_are_refused(
    sample_db: Path, office_server: OfficeServer, pg_cluster: Cluster
) -> None:
    wrong = office_server.url.replace("@", ":not-the-password@")
    refused = run("--db", str(sample_db), "share", wrong)
    assert refused.returncode == 2
    assert "拒绝了账号" in refused.stderr and "not-the-password" not in refused.stderr
    empty = pg_cluster.new_database("empty")
    from tests.pg_cluster import SUPERUSER, SUPERUSER_PASSWORD

    foreign = run(
        "--db", str(sample_db), "share", pg_cluster.url(empty, SUPERUSER, SUPERUSER_PASSWORD)
    )
    assert foreign.returncode == 2
    assert "不是 ysdesk 服务器" in foreign.stderr


def test_a_server_holding_another_office_is_refused(
    sample_db: Path, plan_db: Path, office_server: OfficeServer
) -> None:
    assert run("--db", str(sample_db), "share", office_server.url).returncode == 0
    other = run("--db", str(plan_db), "share", office_server.url)
    assert other.returncode == 2
    assert "另一个办公室" in other.stderr


def test_sslmode_in_the_url_is_honoured(sample_db: Path, office_server: OfficeServer) -> None:
    # The test cluster has no certificate: sslmode=require must fail, not fall back to plain.
    required = run("--db", str(sample_db), "share", office_server.url + "?sslmode=require")
    assert required.returncode == 2
    assert "SSL" in required.stderr
    allowed = run("--db", str(sample_db), "share", office_server.url + "?sslmode=disable")
    assert allowed.returncode == 0, allowed.stderr


def test_server_init_refuses_a_database_that_cannot_hold_chinese(pg_cluster: Cluster) -> None:
    import psycopg

    from tests.pg_cluster import SUPERUSER, SUPERUSER_PASSWORD

    name = f"ascii_{pg_cluster.new_database('x')}"
    with psycopg.connect(pg_cluster.admin_conninfo(), autocommit=True) as conn:
        # What initdb makes under a POSIX locale.
        conn.execute(
            f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' TEMPLATE template0"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    done = run("server", "init", pg_cluster.url(name, SUPERUSER, SUPERUSER_PASSWORD))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"服务器数据库“{name}”的编码是 SQL_ASCII，不能可靠地保存中文；请用 UTF8 编码新建"
        f"数据库（如 createdb -E UTF8 -T template0 {name}）后再运行 server init。"
    ]
