"""Starting an import's read: the file is screened and read in a child process."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ysdesk.domain.errors import BadFileError
from ysdesk.exchange.roundtrip import HIDDEN_SHEET
from ysdesk.exchange.sheets import read_workbook
from ysdesk.services.exporter import export_list
from ysdesk.services.import_reading import start_reading
from ysdesk.store import Store

TODAY = date(2026, 11, 27)


def test_started_read_gives_the_whole_workbook(sample_store: Store, tmp_path: Path) -> None:
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    with start_reading(path) as started:
        assert [g.name for g in started.hidden] == [HIDDEN_SHEET]
        grids = started.grids()
    assert grids == read_workbook(path)
    assert [g.name for g in grids] == ["项目清单", HIDDEN_SHEET]


def test_a_hostile_file_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with start_reading(bad) as started, pytest.raises(BadFileError, match="已损坏或不完整"):
        started.grids()
    with (
        start_reading(tmp_path / "missing.xlsx") as started,
        pytest.raises(BadFileError, match="找不到文件"),
    ):
        _ = started.hidden


def test_starting_the_read_loads_neither_store_nor_model() -> None:
    """What the command line imports before calamine starts: the rest loads meanwhile."""
    code = (
        "import sys, ysdesk.services.import_reading\n"
        "heavy = [m for m in ('ysdesk.store', 'ysdesk.domain.model', 'ysdesk.services.importer',"
        " 'ysdesk.exchange.xlsx_import', 'sqlite3') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
