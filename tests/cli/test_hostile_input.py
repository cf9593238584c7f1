"""Clumsy and hostile command lines: every refusal is one Chinese line, exit 2, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import ROOT, run

HUGE = "99999999999999999999"  # beyond SQLite's 64-bit integers


def dump(db: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def assert_refused(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, result.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--year", HUGE],
        ["matrix", "--year", HUGE],
        ["dashboard", "--year", HUGE],
        ["dashboard", "--year", "2025", "--days", HUGE],
        ["compare", "2025", HUGE],
        ["rollover", "--year", "2025", "--to", HUGE, "--dry-run"],
        ["export", "list", "--year", HUGE, "-o", "x.xlsx"],
        ["brief", "--year", "2025", "-o", "x.docx", "--issue", HUGE],
        ["brief", "--year", "2025", "-o", "x.docx", "--total-issue", HUGE],
        ["brief", "--year", "2025", "-o", "x.docx", "--copies", HUGE],
    ],
)
def test_numbers_out_of_range_are_refused(sample_db: Path, tmp_path: Path, args: list[str]) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    before = dump(sample_db)
    assert_refused(run("--db", str(sample_db), *args))
    assert dump(sample_db) == before
    assert not list(tmp_path.glob("x.*"))


def run_bytes(*args: str, encoding: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, env=env, timeout=120
    )


def test_a_gbk_terminal_gets_gbk(sample_db: Path) -> None:
    """A console set to GBK (PYTHONIOENCODING=gbk, or a GBK locale) must be able to read the
    output: UTF-8 bytes there are mojibake."""
    refused = run_bytes("--db", str(sample_db), "list", "--unit", "不存在", encoding="gbk")
    assert refused.returncode == 2
    assert refused.stderr.decode("gbk").strip() == "单位名录中没有“不存在”。"
    listed = run_bytes("--db", str(sample_db), "list", "--unit", "区科委", encoding="gbk")
    assert listed.returncode == 0
    assert "区科委" in listed.stdout.decode("gbk")


def test_a_terminal_without_chinese_gets_utf8(sample_db: Path) -> None:
    refused = run_bytes("--db", str(sample_db), "list", "--unit", "不存在", encoding="ascii")
    assert refused.returncode == 2
    assert refused.stderr.decode("utf-8").strip() == "单位名录中没有“不存在”。"


def _corrupt_projects_table(db: Path) -> None:
    """Overwrite the projects table's root page: the file still opens, reading projects fails."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'projects'"
        ).fetchone()[0]
    finally:
        conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)


@pytest.mark.parametrize(
    "args",
    [["list"], ["check"], ["export", "list", "--year", "2025", "-o", "x.xlsx"]],
)
def test_a_damaged_database_is_a_refusal_not_an_internal_error(
    sample_db: Path, tmp_path: Path, args: list[str]
) -> None:
    _corrupt_projects_table(sample_db)
    before = sample_db.read_bytes()
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    line = assert_refused(run("--db", str(sample_db), *args))
    assert "损坏" in line
    assert sample_db.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["check"],
        ["brief", "--year", "2025", "-o", "x.docx"],
        ["rollover", "--year", "2025"],
    ],
)
def test_an_empty_database_file_is_refused_and_left_alone(tmp_path: Path, args: list[str]) -> None:
    """A 0-byte file (touched, or a copy that failed) is not a ysdesk database: read-only
    commands said it needed an upgrade, writing ones turned it into a database without a plan."""
    db = tmp_path / "empty.db"
    db.touch()
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    line = assert_refused(run("--db", str(db), *args))
    assert "空" in line
    assert db.stat().st_size == 0


def test_restore_into_an_empty_file_works(sample_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    result = run("--db", str(db), "restore", str(sample_db))
    assert result.returncode == 0, result.stderr
    assert run("--db", str(db), "check").returncode == 0


INTERRUPTED_WRITER = """
import sys
from ysdesk import cli

def handler(args, ctx):
    def rows():
        try:
            yield 1
        finally:  # like openpyxl's XML writer: closing it half-way raises
            raise RuntimeError("inconsistent exit action in context manager")

    writer = rows()
    next(writer)
    raise KeyboardInterrupt

cli.COMMANDS["check"] = handler
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_mid_write_prints_one_line(sample_db: Path) -> None:
    """Ctrl+C during an export: the half-written workbook's XML writers, torn down with the
    command, must not print 'Exception ignored in …' tracebacks after 已取消。"""
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_WRITER, "--db", str(sample_db), "check"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr == "已取消。\n"


COMMAND_NAMES = [
    "init", "list", "units", "import", "export", "brief", "matrix", "indicators",
    "dashboard", "rollover", "compare", "check", "backup", "restore", "screenshot",
    "add", "set", "delete", "history",
]  # fmt: skip


@pytest.mark.parametrize("command", [[], *([c] for c in COMMAND_NAMES)])
def test_help_is_chinese(command: list[str]) -> None:
    """--help is what a user reads first: no English boilerplate, and every option says what
    it does."""
    import re

    from ysdesk.cli import build_parser

    parser = build_parser()
    if command:
        parser = parser._subparsers._group_actions[0].choices[command[0]]
    text = parser.format_help()
    for english in ("usage:", "options:", "optional arguments:", "positional arguments:", "show"):
        assert english not in text, text
    for action in parser._actions:
        assert action.help, (command, action.option_strings or action.dest)
    assert re.search(r"[\u4e00-\u9fff]", text)


def _brief_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_next_steps_written_in_gbk_are_read(sample_db: Path, tmp_path: Path) -> None:
    """Notepad and WPS on a Chinese Windows save 'ANSI' text, which is GBK."""
    steps = tmp_path / "steps.txt"
    steps.write_bytes("（一）抓紧推进滞后项目，按月通报。".encode("gbk"))
    out = tmp_path / "b.docx"
    result = run("--db", str(sample_db), "brief", "--year", "2025", "-o", str(out),
                 "--next-steps", str(steps))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "抓紧推进滞后项目，按月通报" in _brief_text(out)


def test_next_steps_that_are_not_text_are_refused(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.docx"
    line = assert_refused(run("--db", str(sample_db), "brief", "--year", "2025", "-o", str(out),
                              "--next-steps", str(sample_db)))  # fmt: skip
    assert "下一步工作" in line
    assert not out.exists()


def test_a_failed_pdf_conversion_keeps_and_records_the_word_file(
    sample_db: Path, tmp_path: Path
) -> None:
    """LibreOffice present but failing (a profile in use, a crash) is like LibreOffice absent:
    the Word brief is written and counted as this issue, and the user is told both (exit 1);
    it was a refusal (exit 2) that left an unrecorded .docx behind."""
    import os

    env = {**os.environ, "YSDESK_SOFFICE": "/bin/false"}
    first = tmp_path / "b1.docx"
    result = run("--db", str(sample_db), "brief", "--year", "2025", "-o", str(first), "--pdf",
                 env=env)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert first.is_file() and not first.with_suffix(".pdf").exists()
    assert "PDF" in result.stderr and "Word 文件已生成" in result.stderr
    assert "Traceback" not in result.stderr
    second = tmp_path / "b2.docx"
    result = run("--db", str(sample_db), "brief", "--year", "2025", "-o", str(second))
    assert result.returncode == 0, result.stderr
    assert "第2期" in result.stdout
