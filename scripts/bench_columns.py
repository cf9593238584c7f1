"""Benchmark: reading a sheet's columns (header search, synonyms, guesses) against parsing it.

The column reader runs once per sheet, not per row: it tries the first 40 rows as single and
double headers and judges the unknown columns by sampling at most 100 of their cells. This
times it, with its caches emptied before every round, beside the parse of the whole sheet it
belongs to (rows read and converted, same process, same run), for two sheets of N projects:

- this database's own export (every header a synonym);
- a department's own sheet of the same rows: headers of its own (负责单位, 研究目标, 办结时间,
  协同处室 …), a name column given by --map, the rest guessed from their words and cells.

Target: the column reading is a small share of the parse (under 5 % at 10,000 rows).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ysdesk.exchange import columns  # noqa: E402
from ysdesk.exchange.columns import ReadOptions, read_columns  # noqa: E402
from ysdesk.exchange.sheets import read_workbook  # noqa: E402
from ysdesk.exchange.xlsx_import import cell_tests, parse_workbook  # noqa: E402
from ysdesk.services.exporter import export_list  # noqa: E402
from ysdesk.services.importer import plan_info  # noqa: E402
from ysdesk.services.synthetic import add_synthetic_list  # noqa: E402
from ysdesk.services.workspace import init_database  # noqa: E402

# The export's visible columns as a department heads them (None: dropped).
DEPARTMENT_HEADERS = {
    "序号": "序号",
    "重点任务": "所属任务",
    "项目名称": "待办事项",
    "年度目标": "研究目标",
    "功能区": None,
    "牵头单位": "负责单位",
    "配合单位": "协同处室",
    "完成时限": "办结时间",
    "推进状态": "推进状态",
    "进展情况": "工作进展",
    "备注": "其他说明",
}


def _department_sheet(export: Path, target: Path) -> Path:
    """The export's rows under a department's own headers, without the hidden sheet."""
    grid = next(g for g in read_workbook(export) if g.name == "项目清单")
    rows = grid.filled_rows()
    top = next(i for i, r in enumerate(rows) if r[0] == "序号")
    labels = [rows[top + 1][c] or rows[top][c] for c in range(len(rows[top]))]
    keep = [
        (c, DEPARTMENT_HEADERS[label])
        for c, label in enumerate(labels)
        if label in DEPARTMENT_HEADERS
    ]
    keep = [(c, header) for c, header in keep if header is not None]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("督办事项")
    ws.append([header for _, header in keep])
    for row in rows[top + 2 :]:
        if row[2] is not None and row[0] != row[2]:  # project rows, not section rows
            ws.append([row[c] for c, _ in keep])
    wb.save(target)
    return target


def _fresh_caches() -> None:
    columns._LABEL_CACHE.clear()
    columns._HEADER_CACHE.clear()
    columns._HINT_CACHE.clear()


def _best(rounds: int, work) -> float:
    best = float("inf")
    for _ in range(rounds):
        _fresh_caches()
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        store = init_database(db, sample=False)
        try:
            add_synthetic_list(store, args.rows, 2025)
            export = export_list(store, 2025, Path(folder) / "list.xlsx", today=date(2025, 11, 1))
            plan = plan_info(store)
        finally:
            store.close()
        department = _department_sheet(export, Path(folder) / "department.xlsx")
        sheets = {
            "own export": (read_workbook(export), ReadOptions()),
            "department sheet": (
                read_workbook(department),
                ReadOptions(maps=(("待办事项", "name"),)),
            ),
        }
    tests = cell_tests(plan)
    print(f"sheets: {args.rows} projects each, best of {args.runs} rounds, caches emptied")
    for label, (grids, options) in sheets.items():
        filled = {i: g.filled_rows() if g.merged else g.rows for i, g in enumerate(grids)}
        reading = read_columns(grids, filled, options, tests, file_name="x.xlsx", year=2025)
        sources = [c.source for c in reading.report]
        guessed = sources.count("guess")
        read = _best(
            args.runs,
            lambda g=grids, f=filled, o=options: read_columns(
                g, f, o, tests, file_name="x.xlsx", year=2025
            ),
        )
        parse = _best(
            args.runs,
            lambda g=grids, o=options: parse_workbook(
                g, plan, file_name="x.xlsx", year=2025, options=o
            ),
        )
        print(
            f"{label}: columns read in {read * 1000:.1f} ms ({guessed} guessed of "
            f"{len(sources)}), the whole parse {parse * 1000:.1f} ms: "
            f"{read / parse * 100:.1f} % of it (target < 5 % at 10,000 rows)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
