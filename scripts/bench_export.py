"""Benchmark: exporting 10,000 projects against openpyxl writing the same cells bare.

Measured in this run, best of N rounds (the two alternate), in one process:

    export list: load the year from the store, lay out the sheet (title, headers, sections,
                 merges, row heights, validation, print setup, hidden round-trip sheet), save;
    baseline:    openpyxl (write-only, as the export uses) writing the same cell values with
                 the same styles, nothing else;
    for reference, the baseline appending its cells the way the export does
                 (xlsx_base.add_sheet): the ratio to it is the export's own work.

Target: the export costs at most 1.3× the baseline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from copy import copy
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.cell import WriteOnlyCell  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, Side  # noqa: E402

from ysdesk.domain.model import ProjectFilter, format_list  # noqa: E402
from ysdesk.exchange.xlsx_base import add_sheet  # noqa: E402
from ysdesk.services.exporter import export_list  # noqa: E402
from ysdesk.services.synthetic import add_synthetic_list  # noqa: E402
from ysdesk.services.workspace import init_database  # noqa: E402
from ysdesk.store import Store  # noqa: E402


def bare_openpyxl(path: Path, rows: list[list[object]], *, shortcut: bool = False) -> None:
    """The same values with the same fonts, borders and alignment; nothing else. With
    `shortcut`, the cells go to the writer as the export's do (xlsx_base.add_sheet)."""
    wb = Workbook(write_only=True)
    ws = add_sheet(wb, "项目清单") if shortcut else wb.create_sheet("项目清单")
    thin = Side(style="thin")
    template = WriteOnlyCell(ws)
    template.font = Font(name="仿宋_GB2312", size=11)
    template.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    template.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for values in rows:
        cells = []
        for value in values:
            cell = WriteOnlyCell(ws, value)
            cell._style = copy(template._style)
            cells.append(cell)
        ws.append(cells)
    wb.save(path)


def cell_values(store: Store, year: int) -> list[list[object]]:
    rows = []
    for serial, p in enumerate(store.list_projects(ProjectFilter(year=year)), start=1):
        rows.append(
            [
                serial,
                str(p.task_no),
                p.name,
                p.goal,
                format_list(p.zones),
                format_list(p.lead_units),
                format_list(p.co_units),
                p.deadline_text,
                p.status.value,
                p.progress,
                p.note,
                p.id,
            ]
        )
    return rows


def best_of_interleaved(runs: int, *works) -> list[float]:
    """Best time of each work over `runs` rounds, run in turn so load hits both alike."""
    best = [float("inf")] * len(works)
    for _ in range(runs):
        for index, work in enumerate(works):
            start = time.perf_counter()
            work()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = init_database(Path(folder) / "bench.db", sample=False)
        try:
            add_synthetic_list(store, args.rows, 2025)
            rows = cell_values(store, 2025)
            bare, bare_shortcut, export = best_of_interleaved(
                args.runs,
                lambda: bare_openpyxl(Path(folder) / "bare.xlsx", rows),
                lambda: bare_openpyxl(Path(folder) / "short.xlsx", rows, shortcut=True),
                lambda: export_list(store, 2025, Path(folder) / "list.xlsx", today=date.today()),
            )
        finally:
            store.close()
    print(f"{args.rows} projects")
    print(f"openpyxl writing the same cells and styles, bare: {bare:.3f} s")
    print(f"the same, cells appended as the export does:     {bare_shortcut:.3f} s")
    print(f"export list (store to finished workbook):        {export:.3f} s")
    print(f"ratio: {export / bare:.2f}× (target ≤ 1.3×)")
    print(f"ratio to the same writing path: {export / bare_shortcut:.2f}× (the export's own work)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
