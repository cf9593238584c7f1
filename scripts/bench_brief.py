"""Benchmark: the brief of a generated list vs python-docx writing the same content bare.

    .venv/bin/python scripts/bench_brief.py [--projects 10000]

The baseline adds the same paragraphs with `add_paragraph` and the same table rows through
`table.add_row().cells` (the way python-docx documents it); both save a .docx in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import docx

from ysdesk.exchange.docx_brief import Heading
from ysdesk.services.brief import BriefSettings, build_brief, write_brief
from ysdesk.services.synthetic import add_synthetic_list
from ysdesk.services.workspace import load_plan
from ysdesk.store import Store

YEAR = 2025
TODAY = date(2026, 11, 27)


def bare_python_docx(build, path: Path) -> None:
    """The same text and rows through the plain python-docx API, no layout at all."""
    document = docx.Document()
    document.add_paragraph(build.document.masthead)
    document.add_paragraph(build.document.title)
    for para in build.document.body:
        document.add_paragraph(para.lead + para.text)
    table_data = build.document.attachment
    table = document.add_table(rows=1, cols=len(table_data.columns))
    for cell, column in zip(table.rows[0].cells, table_data.columns, strict=True):
        cell.text = column.title
    for row in table_data.rows:
        cells = table.add_row().cells
        if isinstance(row, Heading):
            cells[0].text = row.text
            continue
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.save(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    args = parser.parse_args()
    store = Store.memory()
    load_plan(store)
    add_synthetic_list(store, args.projects, YEAR)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        build = build_brief(store, YEAR, BriefSettings(date=TODAY), TODAY)
        words = time.perf_counter() - started
        write_brief(build, folder / "brief.docx")
        ours = time.perf_counter() - started
        size = (folder / "brief.docx").stat().st_size

        started = time.perf_counter()
        bare_python_docx(build, folder / "bare.docx")
        bare = time.perf_counter() - started
    rows = len(build.document.attachment.rows)
    print(f"projects: {args.projects}; table rows: {rows}; paragraphs: {len(build.document.body)}")
    print(f"ysdesk brief:        {ours:7.2f} s  (wording {words:.2f} s, {size / 1e6:.1f} MB)")
    print(f"bare python-docx:    {bare:7.2f} s")
    print(f"ratio ysdesk / bare: {ours / bare:7.3f}")


if __name__ == "__main__":
    main()
