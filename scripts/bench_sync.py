"""Benchmark: a sync pushing, and one pulling, N changed projects against psycopg COPYing
the same rows bare; and an idle sync (nothing changed anywhere).

A throwaway PostgreSQL cluster (initdb + pg_ctl, as tests/pg_cluster.py starts it) holds
the office's lists. Desk A shares a database of N projects, desk B clones it. Each round
changes the progress of all N projects on A (not timed), then times, in this process:

    sync A               (push: N projects merged, written, logged and audited on the server)
    sync B               (pull: N projects read and written into B's SQLite file)
    bare COPY in         (connect, COPY the same N rows into a table without triggers, commit)
    bare COPY out        (connect, COPY the same N rows out of the server)

Targets (issue: shared office mode): each sync at most 3x its bare COPY, an idle sync at most
100 ms. Best of --runs rounds; the ratios are of the bests, measured in this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg_cluster import (  # noqa: E402
    SUPERUSER,
    SUPERUSER_PASSWORD,
    start_cluster,
    stop_cluster,
)
from ysdesk.server.remote import _WRITE_COLUMNS  # noqa: E402
from ysdesk.services import sync  # noqa: E402
from ysdesk.services.synthetic import add_synthetic_list  # noqa: E402
from ysdesk.services.workspace import init_database  # noqa: E402
from ysdesk.store import Store  # noqa: E402

BARE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bare (gid uuid, no bigint, year integer, code text,"
    " name text, task_no integer, zones text[], lead_units text[], co_units text[],"
    " goal text, deadline_text text, status text, progress text, note text, sort integer,"
    " origin_gid uuid, created_at text, updated_at text, search_text text,"
    " deleted boolean, version integer)"
)


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle-runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print where a push, a pull go")
    args = parser.parse_args()

    import keyring
    import psycopg

    from tests.keyring_backend import TempFileKeyring

    work = Path(tempfile.mkdtemp(prefix="ysdesk-bench-sync-"))
    # The password goes to a keyring file of this run's own, never the user's keyring.
    os.environ["YSDESK_TEST_KEYRING"] = str(work / "keyring.json")
    keyring.set_keyring(TempFileKeyring())
    cluster = start_cluster()
    try:
        dbname = cluster.new_database("bench")
        admin_url = cluster.url(dbname, SUPERUSER, SUPERUSER_PASSWORD)
        sync.init_server_at(admin_url)
        url = cluster.url(dbname, SUPERUSER)
        sync.open_server(sync.parse_url(admin_url)).close()  # the password to the keyring
        a, b = work / "a.db", work / "b.db"
        store = init_database(a, sample=False)
        add_synthetic_list(store, args.projects, 2025)
        sync.share(store, url, desk="A")
        store.close()
        sync.clone(b, url, desk="B")[0].close()
        conninfo = cluster.admin_conninfo(dbname)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(BARE_TABLE)
        columns = ", ".join(_WRITE_COLUMNS)

        def rows() -> list[tuple[object, ...]]:
            with psycopg.connect(conninfo) as conn:
                return conn.execute(f"SELECT {columns} FROM ysdesk.projects").fetchall()

        def copy_in(data: list[tuple[object, ...]]) -> None:
            with psycopg.connect(conninfo) as conn:
                with conn.cursor().copy(f"COPY bare ({columns}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
                conn.commit()

        def copy_out() -> None:
            with (
                psycopg.connect(conninfo) as conn,
                conn.cursor().copy(
                    f"COPY (SELECT {columns} FROM ysdesk.projects) TO STDOUT"
                ) as copy,
            ):
                for _row in copy.rows():
                    pass

        def sync_desk(path: Path, want: int, kind: str) -> None:
            with Store.open(path) as s:
                report = sync.sync(s)
            done = report.pushed if kind == "push" else report.pulled
            if done != want or report.conflicts:
                raise SystemExit(f"{kind}: {done} projects, {len(report.conflicts)} conflicts")

        push, pull, bare_in, bare_out = [], [], [], []
        for n in range(args.runs):
            with Store.open(a) as s, s.atomic():
                s.conn.execute(
                    "UPDATE projects SET progress = progress || ?, version = version + 1",
                    (f"（第 {n + 1} 轮）",),
                )
            if args.profile:
                import cProfile
                import pstats

                for path, kind in ((a, "push"), (b, "pull")):
                    prof = cProfile.Profile()
                    prof.runcall(sync_desk, path, args.projects, kind)
                    print(f"--- {kind}")
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
                continue
            push.append(_timed(lambda: sync_desk(a, args.projects, "push")))
            pull.append(_timed(lambda: sync_desk(b, args.projects, "pull")))
            data = rows()
            bare_in.append(_timed(lambda: copy_in(data)))  # noqa: B023
            bare_out.append(_timed(copy_out))
        idle = []
        for _ in range(args.idle_runs):
            idle.append(_timed(lambda: sync_desk(b, 0, "pull")))
    finally:
        stop_cluster(cluster)
    n = args.projects
    print(f"projects: {n}, rounds: {args.runs} (best of), idle syncs: {args.idle_runs}")
    print(f"push:  sync {min(push):.3f} s, bare COPY in  {min(bare_in):.3f} s")
    print(f"pull:  sync {min(pull):.3f} s, bare COPY out {min(bare_out):.3f} s")
    print(f"ratio: push {min(push) / min(bare_in):.2f}× (target ≤ 3×)")
    print(f"ratio: pull {min(pull) / min(bare_out):.2f}× (target ≤ 3×)")
    print(
        f"idle:  median {statistics.median(idle) * 1000:.0f} ms, best {min(idle) * 1000:.0f} ms"
        " (target ≤ 100 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
