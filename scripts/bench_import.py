"""Benchmark: a dry-run import of a 10,000-row sheet against python-calamine only reading it.

Both are whole processes (interpreter start included), best of N alternating rounds, measured
in this run:

    python main.py --db D import X --dry-run --json      (screening, parsing, matching, JSON)
    python -c "<python-calamine reads every sheet of X>"  (the baseline)
    python -c "<the floor>"                               (for reference)

The floor is what no dry run of X can leave out, and nothing else: calamine reading every
sheet in a worker thread while the main thread reads the year's projects' JSON texts from D
(as the database keeps them) and then writes each one's line as the preview prints an
unchanged row. Its ratio to the baseline shows how much of the 2× the required output leaves
for screening, recognising and comparing.

Target: the dry run costs at most 2× the bare read (wall-clock). The CPU time of each process
(user + system, all its threads) is printed beside it: the dry run reads the sheet in a worker
thread while it loads the projects, so on a machine with a free core its wall-clock time is
less than its CPU time.

Both run with Python's bytecode cache allowed, as an installed program does (pip compiles it);
with PYTHONDONTWRITEBYTECODE set, every run would recompile ysdesk's modules, which the
baseline (a site-package, compiled at install) never pays.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ysdesk.services.exporter import export_list  # noqa: E402
from ysdesk.services.synthetic import add_synthetic_list  # noqa: E402
from ysdesk.services.workspace import init_database  # noqa: E402

CALAMINE_ONLY = (
    "import sys, python_calamine\n"
    "wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])\n"
    "rows = [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]\n"
)


FLOOR = """\
import sys, threading
sys.path.insert(0, sys.argv[3])
import python_calamine
sheets = []
def parse():
    wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
    sheets.extend(wb.get_sheet_by_name(n) for n in wb.sheet_names)
worker = threading.Thread(target=parse)
worker.start()
from datetime import date
from ysdesk.domain.model import ProjectFilter
from ysdesk.store.db import Store
store = Store.open(sys.argv[2], readonly=True)
texts = [text for _, text in store.project_json(ProjectFilter(year=2025), date.today())]
worker.join()
rows = [sheet.to_python() for sheet in sheets]
sys.stdout.write(",\\n".join(
    f'{{"row": {i}, "action": "unchanged", "project": {t}, "changes": [], "messages": []}}'
    for i, t in enumerate(texts, 1)
))
"""


def best_of_interleaved(
    runs: int,
    *commands: list[str],
    env: dict[str, str] | None = None,
    partial: tuple[int, ...] = (),
) -> list[tuple[float, float]]:
    """(fastest wall-clock, least CPU) of each command, run in turn so load hits all alike.

    A command that fails stops the benchmark; those at the indexes in `partial` may also
    exit with 1 (the import's exit code when it reports conflicts or errors).
    """
    best = [(float("inf"), float("inf"))] * len(commands)
    for _ in range(runs):
        for index, command in enumerate(commands):
            start = time.perf_counter()
            before = os.times()
            done = subprocess.run(
                command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
            )
            wall = time.perf_counter() - start
            if done.returncode and not (done.returncode == 1 and index in partial):
                sys.stderr.buffer.write(done.stderr)
                raise SystemExit(f"failed with exit code {done.returncode}: {command[:3]}")
            after = os.times()
            cpu = (after.children_user - before.children_user) + (
                after.children_system - before.children_system
            )
            best[index] = (min(best[index][0], wall), min(best[index][1], cpu))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        store = init_database(db, sample=False)
        try:
            add_synthetic_list(store, args.rows, 2025)
            sheet = export_list(store, 2025, Path(folder) / "list.xlsx", today=date(2025, 11, 1))
        finally:
            store.close()
        dry_run_command = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "import"]
        dry_run_command += [str(sheet), "--dry-run", "--json"]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        # The first run also leaves the bytecode cache behind.
        check = subprocess.run(dry_run_command, capture_output=True, text=True, env=env)
        if check.returncode not in (0, 1):
            print(check.stderr, file=sys.stderr)
            return 1
        (calamine, calamine_cpu), (dry_run, dry_run_cpu), (floor, floor_cpu) = best_of_interleaved(
            args.runs,
            [sys.executable, "-c", CALAMINE_ONLY, str(sheet)],
            dry_run_command,
            [sys.executable, "-c", FLOOR, str(sheet), str(db), str(ROOT)],
            env=env,
            partial=(1,),
        )
        size = sheet.stat().st_size / 1024 / 1024
    print(f"sheet: {args.rows} projects, {size:.1f} MB")
    print(
        f"python-calamine reading it (whole process): {calamine:.3f} s (CPU {calamine_cpu:.3f} s)"
    )
    print(f"import --dry-run --json (whole process):    {dry_run:.3f} s (CPU {dry_run_cpu:.3f} s)")
    print(
        f"ratio: {dry_run / calamine:.2f}× (target ≤ 2×); "
        f"CPU time ratio {dry_run_cpu / calamine_cpu:.2f}×"
    )
    print(
        f"floor: parse beside reading the projects' JSON texts, then their lines: {floor:.3f} s "
        f"(CPU {floor_cpu:.3f} s), {floor / calamine:.2f}× the bare read"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
