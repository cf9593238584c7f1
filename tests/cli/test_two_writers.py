"""Two writers on one file: scripted `set`s from four processes, and a window beside a command.

Every edit is applied or refused (stale or busy, exit 2), never lost: the versions of each
project form one chain, and the audit log holds exactly the applied edits.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.cli.helpers import ROOT
from ysdesk.domain.model import ProjectFilter
from ysdesk.store import Store

WRITERS = 4
EDITS = 200
TEXT_FIELDS = ("note", "goal", "progress", "deadline", "name")
AUDIT_NAMES = {"note": "note", "goal": "goal", "progress": "progress"}
AUDIT_NAMES |= {"deadline": "deadline_text", "name": "name"}
STATUSES = ("未启动", "推进中", "已完成", "滞后", "暂缓")
ZONES = ("科技创新策源区", "产业创新承载区", "生态创新融合区", "辐射溢出联动区")
STALE, BUSY = "已在别处被修改", "另一个 ysdesk 窗口或命令"


def writer(db: str, seed: int, count: int, refs: list[str]) -> None:
    """One scripted writer (run in a process of its own): read a project's version, then
    `set` it with --expect-version; print one JSON line per edit with its outcome."""
    from ysdesk.cli import main
    from ysdesk.services.editing import find_project

    rng = random.Random(seed)
    for i in range(count):
        ref = rng.choice(refs)
        with Store.open(db, readonly=True) as store:  # as a script reads `list --json`
            version = find_project(store, ref).version
        time.sleep(rng.uniform(0, 0.005))
        field = rng.choice(TEXT_FIELDS)
        value = f"w{seed}-{i}"
        words = [f"{field}={value}"]
        if rng.random() < 0.3:
            words.append(f"status={rng.choice(STATUSES)}")
        if rng.random() < 0.3:
            words.append("zones=" + "、".join(rng.sample(ZONES, rng.randint(0, 2))))
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(["--db", db, "set", ref, *words, "--expect-version", str(version)])
        record = {"ref": ref, "field": field, "value": value, "expected": version}
        print(json.dumps(record | {"rc": rc, "err": err.getvalue().strip()}), flush=True)


def run_writers(db: Path, refs: list[str]) -> list[dict]:
    """WRITERS processes at once, EDITS edits each; their records."""
    code = (
        "import sys, json; from tests.cli.test_two_writers import writer; "
        "writer(*json.loads(sys.argv[1]))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, json.dumps([str(db), seed, EDITS, refs])],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for seed in range(1, WRITERS + 1)
    ]
    records = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        records += [json.loads(line) for line in out.splitlines()]
    return records


def outcome(record: dict) -> str:
    if record["rc"] == 0:
        return "applied"
    assert record["rc"] == 2 and len(record["err"].splitlines()) == 1, record
    if STALE in record["err"]:
        return "stale"
    assert BUSY in record["err"] or "占用" in record["err"], record
    return "busy"


def test_four_scripted_writers_lose_no_update(sample_db: Path) -> None:
    with Store.open(sample_db, readonly=True) as store:
        projects = store.list_projects(ProjectFilter(year=2025))[:3]
        start = {p.code: p for p in projects}
        first_audit = max(e.id or 0 for e in store.audit_log(limit=1))
    records = run_writers(sample_db, list(start))
    counts = Counter(outcome(r) for r in records)
    print(f"\n{WRITERS} writers × {EDITS} edits: {dict(counts)}")
    assert sum(counts.values()) == WRITERS * EDITS
    assert counts["applied"] >= WRITERS * EDITS // 4  # waiting for the lock lets most through
    assert counts["stale"] > 0  # the test does race

    applied = defaultdict(list)
    for r in records:
        if r["rc"] == 0:
            applied[r["ref"]].append(r)
    with Store.open(sample_db, readonly=True) as store:
        log = [e for e in store.audit_log(limit=-1) if (e.id or 0) > first_audit]
        for code, before in start.items():
            edits = sorted(applied[code], key=lambda r: r["expected"])
            after = store.get_project(before.id or 0)
            # One chain of versions: each applied edit started from the one before it.
            assert [r["expected"] for r in edits] == list(
                range(before.version, before.version + len(edits))
            )
            assert after.version == before.version + len(edits)
            for field in TEXT_FIELDS:
                last = [r["value"] for r in edits if r["field"] == field]
                if last:
                    assert after.field_value(AUDIT_NAMES[field]) == last[-1]
    # The audit log holds exactly the applied edits' texts, each once.
    logged = Counter((e.project_id, e.field, e.new) for e in log if e.field in AUDIT_NAMES.values())
    expected = Counter(
        (start[r["ref"]].id, AUDIT_NAMES[r["field"]], r["value"]) for r in records if r["rc"] == 0
    )
    assert logged == expected
    assert (
        subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(sample_db), "check"],
            capture_output=True,
        ).returncode
        == 0
    )


def test_a_command_waits_for_another_writer_then_writes(sample_db: Path) -> None:
    holder = _hold_writer_lock(sample_db)
    try:
        started = time.monotonic()
        command = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--db", str(sample_db), "set", "1",
             "note=等到了", "--wait", "30"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )  # fmt: skip
        time.sleep(1.5)
        assert command.poll() is None  # still waiting
    finally:
        holder.communicate("\n", timeout=30)
    _, err = command.communicate(timeout=60)
    assert command.returncode == 0, err
    assert time.monotonic() - started >= 1.5
    with Store.open(sample_db, readonly=True) as store:
        assert store.get_project(1).note == "等到了"


def test_a_command_that_waited_in_vain_says_why(sample_db: Path) -> None:
    holder = _hold_writer_lock(sample_db)
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(sample_db), "set", "1",
             "note=x", "--wait", "0.5"],
            capture_output=True, text=True, encoding="utf-8", timeout=60,
        )  # fmt: skip
    finally:
        holder.communicate("\n", timeout=30)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "已等待 0.5 秒" in line and f"进程 {holder.pid}" in line, line


def _hold_writer_lock(db: Path) -> subprocess.Popen:
    """A process holding the database open for writing until it reads a line."""
    code = (
        "import sys; from ysdesk.store import Store; s = Store.open(sys.argv[1]); "
        "print('ready', flush=True); sys.stdin.readline(); s.close()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


@pytest.mark.parametrize("wait", ["0", "1"])
def test_wait_is_a_number_of_seconds(sample_db: Path, wait: str) -> None:
    from ysdesk.cli import main

    assert main(["--db", str(sample_db), "set", "1", "note=x", "--wait", wait]) == 0
    assert main(["--db", str(sample_db), "set", "1", "note=y", "--wait", "-1"]) == 2
