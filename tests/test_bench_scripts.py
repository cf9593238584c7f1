"""The benchmark scripts still run: a tiny import benchmark end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_benchmark_prints_the_ratio_and_the_floor() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_import.py"), "--rows", "30", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sheet: 30 projects, ")
    assert any(line.startswith("ratio: ") and "(target ≤ 2×)" in line for line in lines)
    assert any(line.startswith("floor: ") and line.endswith("× the bare read") for line in lines)


def test_sync_benchmark_prints_both_ratios_and_the_idle_time() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bench_sync.py"),
            "--projects",
            "40",
            "--runs",
            "1",
            "--idle-runs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("projects: 40, ")
    assert any(line.startswith("ratio: push ") and "(target ≤ 3×)" in line for line in lines)
    assert any(line.startswith("ratio: pull ") and "(target ≤ 3×)" in line for line in lines)
    assert any(line.startswith("idle:  median ") for line in lines)


def test_columns_benchmark_prints_both_sheets_share_of_the_parse() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_columns.py"), "--rows", "30", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sheets: 30 projects each")
    assert lines[1].startswith("own export: columns read in ") and "(0 guessed of 12)" in lines[1]
    assert lines[2].startswith("department sheet: ") and "(4 guessed of 10)" in lines[2]
