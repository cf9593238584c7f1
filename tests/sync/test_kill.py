"""A sync killed with SIGKILL at random moments leaves both sides consistent, and the next
sync completes it: nothing pushed twice, nothing lost, the desks list the same again.

Each round desk B changes many projects (and makes new ones, whose ids and codes the
server settles), desk A changes others, and B's sync runs in a process of its own that is
killed after a random delay within the time a whole sync takes. The seed is printed;
YSDESK_TEST_SEED=N runs another one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.pg_cluster import OfficeServer
from tests.sync.helpers import listing, sync_desk
from ysdesk.services.editing import new_draft
from ysdesk.store import Store
from ysdesk.store.replica import gid_map, replica_settings

SEED = int(os.environ.get("YSDESK_TEST_SEED", "20250302"))
ROUNDS = 6
B_EDITS = 40  # projects B changes before each killed sync
A_EDITS = 10

# B's sync in a process of its own: says when it is ready (imports done), then syncs.
_DRIVER = """
import sys, time
from ysdesk.services import sync
from ysdesk.store import Store
store = Store.open(sys.argv[1])
print("ready", flush=True)
start = time.perf_counter()
sync.sync(store)
store.close()
print(time.perf_counter() - start, flush=True)
"""


def _start_sync(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _DRIVER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def _edit(path: Path, rng: random.Random, field: str, count: int, tag: str) -> dict[str, Any]:
    """Change `field` of `count` random projects (one transaction); {gid: value}."""
    done = {}
    with Store.open(path) as store, store.atomic():
        gids = {pid: gid for gid, pid in gid_map(store).items() if pid is not None}
        for project in rng.sample(store.list_projects(), count):
            value = f"{tag}-{project.id}"
            store.update_project(project.id, {field: value}, expected_version=None)
            done[gids[project.id]] = value
    return done


def _consistent_replica(path: Path) -> None:
    """The SQLite file is sound and every project has its global id."""
    with sqlite3.connect(path) as conn:  # a hot journal is rolled back here
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with Store.open(path, readonly=True) as store:
        missing = store.conn.execute(
            "SELECT count(*) FROM projects WHERE id NOT IN"
            " (SELECT project_id FROM sync_projects WHERE project_id IS NOT NULL)"
        ).fetchone()[0]
        assert missing == 0


def _consistent_server(server: OfficeServer) -> None:
    """Every project's latest change is logged, and its links follow its lists."""
    with server.admin() as conn:
        unlogged = conn.execute(
            "SELECT count(*) FROM ysdesk.projects p"
            " WHERE NOT EXISTS (SELECT 1 FROM ysdesk.changes c WHERE c.seq = p.seq)"
        ).fetchone()[0]
        assert unlogged == 0
        stray_links = conn.execute(
            "SELECT count(*) FROM ysdesk.projects p WHERE cardinality(p.lead_units) <>"
            " (SELECT count(*) FROM ysdesk.project_units u WHERE u.gid = p.gid"
            " AND u.role = 'lead')"
        ).fetchone()[0]
        assert stray_links == 0
        codes = conn.execute(
            "SELECT year, code FROM ysdesk.projects WHERE NOT deleted AND code <> ''"
            " GROUP BY year, code HAVING count(*) > 1"
        ).fetchall()
        assert codes == []


def _server_has(server: OfficeServer, values: dict[str, Any], field: str) -> int:
    with server.admin() as conn:
        rows = conn.execute(
            f"SELECT gid::text, {field} FROM ysdesk.projects WHERE gid = ANY(%s::uuid[])",
            (list(values),),
        ).fetchall()
    return sum(1 for gid, value in rows if values[gid] == value)


def test_a_sync_killed_at_random_moments_is_completed_by_the_next(
    desks: tuple[Path, Path], office_server: OfficeServer
) -> None:
    print(f"seed {SEED} (YSDESK_TEST_SEED)")
    rng = random.Random(SEED)
    a, b = desks
    expected_progress: dict[str, Any] = {}
    expected_note: dict[str, Any] = {}
    made: list[str] = []
    phases = {"before the server's commit": 0, "between the commits": 0, "after both": 0}
    whole = 0.0
    for round_no in range(ROUNDS + 1):
        progress = _edit(b, rng, "progress", B_EDITS, f"乙{round_no}")
        expected_progress.update(progress)
        with Store.open(b) as store:
            for i in range(2):  # new projects: the server settles their ids and codes
                draft = new_draft(store, 2025, task_no=rng.randint(1, 23), lead_unit="区科委")
                made.append(store.insert_project(draft.replace(name=f"乙新增 {round_no}-{i}")).name)
        expected_note.update(_edit(a, rng, "note", A_EDITS, f"甲{round_no}"))
        sync_desk(a)
        with Store.open(b, readonly=True) as store:
            seq_before = replica_settings(store).last_seq  # type: ignore[union-attr]
        proc = _start_sync(b)
        if round_no == 0:  # the first sync runs through: how long a whole one takes
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            whole = float(out.split()[-1])
            continue
        time.sleep(rng.uniform(0, whole * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        _consistent_replica(b)
        _consistent_server(office_server)
        with Store.open(b, readonly=True) as store:
            seq_after = replica_settings(store).last_seq  # type: ignore[union-attr]
        on_server = _server_has(office_server, progress, "progress")
        if seq_after > seq_before:
            phases["after both"] += 1
        elif on_server:
            assert on_server == len(progress)  # the server took all of it or nothing
            phases["between the commits"] += 1
        else:
            phases["before the server's commit"] += 1
        # The next sync completes it: nothing is a conflict, nothing is pushed twice.
        report = sync_desk(b)
        assert report.conflicts == [], (SEED, round_no, report.conflicts)
        assert sync_desk(b).pushed == 0
    sync_desk(a)
    assert listing(a) == listing(b)
    by_gid = {}
    with Store.open(a, readonly=True) as store:
        gids = {pid: gid for gid, pid in gid_map(store).items() if pid is not None}
        for project in store.list_projects():
            by_gid[gids[project.id]] = project
    assert {g: by_gid[g].progress for g in expected_progress} == expected_progress
    assert {g: by_gid[g].note for g in expected_note} == expected_note
    names = [p.name for p in by_gid.values()]
    assert sorted(n for n in names if n.startswith("乙新增")) == sorted(made)
    codes = [p.code for p in by_gid.values()]
    assert len(codes) == len(set(codes))
    print(json.dumps({"seed": SEED, "kills": ROUNDS, "whole_sync_s": whole, **phases}))
