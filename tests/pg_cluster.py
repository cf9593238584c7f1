"""A throwaway PostgreSQL cluster for the shared-mode tests, one per test session.

initdb and pg_ctl from /usr/lib/postgresql/*/bin on a temporary folder and a free port. The
server refuses to run as root (tests run as root here and in CI), so there it runs as the
unprivileged `nobody`, owning its folder. A test that needs the server fails, never skips,
when the cluster cannot start: the shared mode is not tested otherwise.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "cluster-admin-pw"
_UNPRIVILEGED = "nobody"


def postgres_bin() -> Path:
    """The newest PostgreSQL's bin folder under /usr/lib/postgresql (the test fails without)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed under /usr/lib/postgresql: the shared-mode tests need"
            " it (.ci/run installs it)"
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A running cluster: connection facts and a way to make a fresh database per test."""

    bin_dir: Path
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, dbname: str, user: str = SUPERUSER, password: str | None = None) -> str:
        """A postgresql:// URL; the password only when given (tests pass it by keyring)."""
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        return (
            f"host={self.host} port={self.port} dbname={dbname}"
            f" user={SUPERUSER} password={SUPERUSER_PASSWORD}"
        )

    def new_database(self, prefix: str = "office") -> str:
        """An empty database of its own, owned by the superuser."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def _run_as(user: str | None, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    extra = {}
    if user is not None:
        entry = pwd.getpwnam(user)
        extra = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    return subprocess.run(
        args, capture_output=True, text=True, check=False, timeout=120, **extra, **kwargs
    )


def start_cluster() -> Cluster:
    """initdb, then pg_ctl start on a free port; raises with the server's words on failure."""
    bin_dir = postgres_bin()
    user = _UNPRIVILEGED if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="ysdesk-pg-"))
    data = root / "data"
    pwfile = root / "pw"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (root, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    done = _run_as(
        user,
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        cwd=root,
    )
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr or done.stdout}")
    port = _free_port()
    # The cluster is thrown away: durability settings off make the tests' commits cheap.
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        " -c max_connections=60 -c shared_buffers=64MB"
    )
    done = _run_as(
        user,
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-o",
            options,
            "-w",
            "start",
        ],
        cwd=root,
    )
    if done.returncode != 0:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {done.stderr or done.stdout}\n{log}")
    return Cluster(bin_dir=bin_dir, data_dir=data, port=port)


def stop_cluster(cluster: Cluster) -> None:
    """Stop the server at once and remove its folder."""
    user = _UNPRIVILEGED if os.geteuid() == 0 else None
    _run_as(
        user,
        [str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), "-m", "immediate", "stop"],
    )
    shutil.rmtree(cluster.data_dir.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL cluster (started on first use, stopped at the end)."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            stop_cluster(cluster)


@pytest.fixture
def pg_database(pg_cluster: Cluster) -> str:
    """A fresh, empty database in the session's cluster; its name."""
    return pg_cluster.new_database()


@dataclass
class OfficeServer:
    """A database of the session's cluster with the shared schema and one office login."""

    cluster: Cluster
    dbname: str
    office_login: str
    office_password: str

    @property
    def admin_url(self) -> str:
        """The administrator's URL, password included (`server init`, accounts)."""
        return self.cluster.url(self.dbname, SUPERUSER, SUPERUSER_PASSWORD)

    @property
    def url(self) -> str:
        """The office login's URL without its password (kept in the test keyring)."""
        return self.cluster.url(self.dbname, self.office_login)

    def url_for(self, login: str) -> str:
        return self.cluster.url(self.dbname, login)

    def admin(self):
        import psycopg

        return psycopg.connect(self.cluster.admin_conninfo(self.dbname))

    def add_account(self, login: str, password: str, unit: str | None = None) -> str:
        """A login of this office (names are cluster-wide: prefixed with the database's)."""
        from ysdesk.server.accounts import add_account

        name = f"{self.dbname}_{login}"
        with self.admin() as conn:
            add_account(conn, name, password, unit=unit)
        return name


@pytest.fixture
def office_server(pg_database: str, pg_cluster: Cluster) -> OfficeServer:
    """A fresh database with `server init` done and an office login whose password is in
    the test's keyring."""
    import psycopg

    from ysdesk.server.connection import parse_url
    from ysdesk.server.credentials import remember_password
    from ysdesk.server.schema import init_server

    with psycopg.connect(pg_cluster.admin_conninfo(pg_database)) as conn:
        init_server(conn)
    server = OfficeServer(pg_cluster, pg_database, "", "office-pw")
    server.office_login = server.add_account("office", server.office_password)
    remember_password(parse_url(server.url), server.office_password)
    return server
