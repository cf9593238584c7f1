"""Benchmark: a dry-run import of a 10,000-row sheet against python-calamine only reading it.

Both are whole processes (interpreter start included), best of N alternating rounds, measured
in this run:

    python main.py --db D import X --dry-run --json      (screening, parsing, matching, JSON)
    python -c "<python-calamine reads every sheet of X>"  (the baseline)

Target: the dry run costs at most 2× the bare read.
"""

from __future__ import annotations

import argparse
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


def best_of_interleaved(runs: int, *commands: list[str]) -> list[float]:
    """The fastest wall-clock time of each command, run in turn so load hits all alike."""
    best = [float("inf")] * len(commands)
    for _ in range(runs):
        for index, command in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            best[index] = min(best[index], time.perf_counter() - start)
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
        check = subprocess.run(
            dry_run_command,
            capture_output=True,
            text=True,
        )
        if check.returncode not in (0, 1):
            print(check.stderr, file=sys.stderr)
            return 1
        calamine, dry_run = best_of_interleaved(
            args.runs,
            [sys.executable, "-c", CALAMINE_ONLY, str(sheet)],
            dry_run_command,
        )
        size = sheet.stat().st_size / 1024 / 1024
    print(f"sheet: {args.rows} projects, {size:.1f} MB")
    print(f"python-calamine reading it (whole process): {calamine:.3f} s")
    print(f"import --dry-run --json (whole process):    {dry_run:.3f} s")
    print(f"ratio: {dry_run / calamine:.2f}× (target ≤ 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
