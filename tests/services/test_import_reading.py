"""Starting an import's read: the hidden sheet at once, the rest parsed in a worker thread."""

from __future__ import annotations

import json
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


def test_a_hostile_file_is_refused_when_the_screening_is_awaited(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with start_reading(bad) as started:
        for _ in range(2):  # every wait says it, and nothing else is ever read
            with pytest.raises(BadFileError, match="已损坏或不完整"):
                started.screened()
        with pytest.raises(BadFileError):
            started.grids()
        assert not started.parsing and started.names == []


def test_a_missing_file_is_one_sentence_from_every_entry(tmp_path: Path) -> None:
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


def test_the_worker_threads_import_nothing_the_caller_may_import(
    sample_store: Store, tmp_path: Path
) -> None:
    """The command line imports its modules while the workers screen and parse: a package
    imported by both threads at once can deadlock in importlib (json and json.encoder did).
    The workers import only calamine (and olefile for .xls), which the caller never does, and
    the codec zipfile decodes member names with (a leaf of the encodings package, which is
    loaded at start-up: no two locks to take in opposite orders)."""
    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=TODAY)
    code = (
        "import sys, threading\n"
        "from ysdesk.services.import_reading import start_reading\n"
        "seen = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if threading.current_thread() is not threading.main_thread():\n"
        "            seen.append(name)\n"
        "sys.meta_path.insert(0, Spy())\n"
        "with start_reading(sys.argv[1]) as started:\n"
        "    started.grids()\n"
        "import json\n"
        "print(json.dumps(sorted(set(seen))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    imported = json.loads(result.stdout)
    assert imported, "the spy saw no import at all: it no longer sees the workers'"
    others = {m for m in imported if not m.startswith("encodings.")}
    assert others <= {"python_calamine", "python_calamine._python_calamine"}, imported
