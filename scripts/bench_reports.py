"""Benchmark: matrix, dashboard, rollover and comparison on a generated list vs loading it.

    .venv/bin/python scripts/bench_reports.py [--projects 100000]

The baseline is `store.list_projects(ProjectFilter(year=…))`, i.e. loading every project of
the year once (what counting in Python over the list would at least cost), measured in the
same run on the same database. Rollover is applied to a file copy, after its backup.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ysdesk.domain.model import ProjectFilter
from ysdesk.services.dashboard import build_dashboard
from ysdesk.services.matrix import build_matrix
from ysdesk.services.rollover import apply_rollover, compare_years, plan_rollover
from ysdesk.services.synthetic import add_synthetic_list
from ysdesk.services.workspace import init_database
from ysdesk.store import Store

YEAR = 2025
TODAY = date(2025, 11, 27)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = init_database(path)
        seconds, _ = timed(lambda: add_synthetic_list(store, args.projects, YEAR))
        print(f"projects: {args.projects} (generated in {seconds:.1f} s)")
        baseline, projects = timed(lambda: store.list_projects(ProjectFilter(year=YEAR)))
        print(f"baseline list_projects:      {baseline:7.3f} s  ({len(projects)} projects)")
        rows: list[tuple[str, float]] = [
            ("matrix (projects)", timed(lambda: build_matrix(store, YEAR))[0]),
            ("matrix (tasks)", timed(lambda: build_matrix(store, YEAR, "tasks"))[0]),
            (
                "dashboard (lists ≤ 500)",
                timed(lambda: build_dashboard(store, YEAR, TODAY, limit=500))[0],
            ),
            ("dashboard (full lists)", timed(lambda: build_dashboard(store, YEAR, TODAY))[0]),
            ("rollover plan (dry run)", timed(lambda: plan_rollover(store, YEAR))[0]),
        ]
        store.close()
        copy = Path(tmp) / "copy.db"
        shutil.copy(path, copy)
        store = Store.open(copy)
        seconds, result = timed(lambda: apply_rollover(store, YEAR))
        rows.append((f"rollover apply ({len(result.created)} carried)", seconds))
        rows.append(("compare two years", timed(lambda: compare_years(store, YEAR, YEAR + 1))[0]))
        store.close()
    for name, seconds in rows:
        print(f"{name + ':':<29}{seconds:7.3f} s  ratio to baseline {seconds / baseline:6.2f}")


if __name__ == "__main__":
    main()
