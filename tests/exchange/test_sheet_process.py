"""Reading in a child process: the grids come back whole, and a child that dies, hangs or
refuses becomes one sentence for the user."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from ysdesk.domain.errors import BadFileError
from ysdesk.exchange import sheet_process
from ysdesk.exchange.sheet_process import IsolatedRead, read_isolated
from ysdesk.exchange.sheets import read_workbook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("name", ["gov_return.xlsx", "gov_return.xls"])
def test_the_child_hands_back_what_an_in_process_read_gives(name: str) -> None:
    assert read_isolated(FIXTURES / name) == read_workbook(FIXTURES / name)


def test_a_refusal_in_the_child_is_the_same_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(BadFileError) as refused:
        read_isolated(empty)
    assert refused.value.message == "文件“empty.xlsx”是空文件。"


def test_a_child_that_aborts_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    """What python-calamine's abort looks like from outside: the process ends by a signal."""
    monkeypatch.setattr(
        sheet_process, "_child_command", lambda: [sys.executable, "-c", "import os; os.abort()"]
    )
    with pytest.raises(BadFileError, match="已损坏或格式无法识别"):
        read_isolated(FIXTURES / "gov_return.xlsx")


def test_a_child_that_writes_half_a_message_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    half = "import sys; sys.stdout.buffer.write(b'\\x80\\x05\\x95'); sys.exit(0)"
    monkeypatch.setattr(sheet_process, "_child_command", lambda: [sys.executable, "-c", half])
    with pytest.raises(BadFileError, match="已损坏或格式无法识别"):
        read_isolated(FIXTURES / "gov_return.xlsx")


def test_a_child_that_hangs_is_ended_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sheet_process, "_child_command", lambda: [sys.executable, "-c", "while True: pass"]
    )
    monkeypatch.setattr(sheet_process, "READ_SECONDS", 1.0)
    start = time.perf_counter()
    with pytest.raises(BadFileError, match="读取超时"):
        read_isolated(FIXTURES / "gov_return.xlsx")
    assert time.perf_counter() - start < 30


def test_a_read_no_longer_wanted_ends_its_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sheet_process, "_child_command", lambda: [sys.executable, "-c", "while True: pass"]
    )
    read = IsolatedRead(FIXTURES / "gov_return.xlsx")
    read.close()
    with pytest.raises(BadFileError):  # the ended child left no result
        read.grids()
