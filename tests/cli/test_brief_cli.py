"""`ysdesk brief`: writes the docx, remembers the issue, says plainly when no PDF can be made."""

from __future__ import annotations

import errno
import io
import os
import shutil
import sys
from pathlib import Path

import docx
import pytest

from ysdesk.cli import main
from ysdesk.exchange import pdf
from ysdesk.store import Store
from ysdesk.store.briefs import list_briefs


def test_brief_writes_the_docx_and_numbers_the_next_issue(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "简报.docx"
    args = ["--db", str(sample_db), "--today", "2026-11-27", "brief", "--year", "2025"]
    rc = main([*args, "-o", str(out), "--issue", "3", "--total-issue", "15", "--copies", "30"])
    assert rc == 0, capsys.readouterr().err
    assert "第3期（总第15期）" in capsys.readouterr().out
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "第3期（总第15期）" in texts
    steps = tmp_path / "steps.txt"
    steps.write_text("（一）专项督查。年底前完成。\n", encoding="utf-8")
    second = tmp_path / "second.docx"
    rc = main([*args, "-o", str(second), "--next-steps", str(steps), "--date", "2026-12-30"])
    assert rc == 0
    texts = [p.text for p in docx.Document(str(second)).paragraphs]
    assert "第4期（总第16期）" in texts
    assert "（一）专项督查。年底前完成。" in texts
    assert any(t.startswith("与上期简报（第3期，2026年11月27日）相比") for t in texts)
    with Store.open(sample_db) as store:
        issues = [b.issue_no for b in list_briefs(store)]
    assert issues == [4, 3]


def test_pdf_without_libreoffice_exits_1_with_the_docx_written(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(pdf.ENV_SOFFICE, "")
    out = tmp_path / "b.docx"
    rc = main(["--db", str(sample_db), "brief", "--year", "2025", "-o", str(out), "--pdf"])
    assert rc == 1
    assert out.exists() and not out.with_suffix(".pdf").exists()
    assert "未找到 LibreOffice" in capsys.readouterr().err


def test_refusals_change_nothing(sample_db: Path, tmp_path: Path, capsys) -> None:
    base = ["--db", str(sample_db), "brief"]
    assert main([*base, "--year", "2031", "-o", str(tmp_path / "x.docx")]) == 2
    assert "2031 年度没有项目" in capsys.readouterr().err
    assert main([*base, "--year", "2025", "-o", str(tmp_path / "no" / "x.docx")]) == 2
    assert "文件夹不存在" in capsys.readouterr().err
    assert main([*base, "--year", "2025", "-o", str(tmp_path / "x.docx"), "--issue", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "期号" in err
    with Store.open(sample_db) as store:
        assert list_briefs(store) == []


def test_output_goes_to_the_context_stream(sample_db: Path, tmp_path: Path) -> None:
    from datetime import date

    from ysdesk.cli import COMMANDS, Context, build_parser

    buffer = io.StringIO()
    ctx = Context(db_path=sample_db, today=date(2026, 11, 27), out=buffer)
    args = build_parser().parse_args(["brief", "--year", "2025", "-o", str(tmp_path / "a.docx")])
    assert COMMANDS["brief"](args, ctx) == 0
    assert "已生成简报第1期" in buffer.getvalue()


def test_a_database_held_by_the_window_still_gets_its_brief(
    sample_db: Path, tmp_path: Path, capsys
) -> None:
    holder = Store.open(sample_db)  # the window's writer lock
    try:
        out = tmp_path / "b.docx"
        rc = main(["--db", str(sample_db), "brief", "--year", "2025", "-o", str(out)])
        assert rc == 0
        assert out.exists()
        assert "本期设置未记录" in capsys.readouterr().err
        assert list_briefs(holder) == []
    finally:
        holder.close()


def _refuse_writes_in(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make creating files in `folder` fail as a read-only folder does, whoever runs the test
    (root ignores permission bits). The lock file and temporary files are made by os.open."""
    real_open = os.open
    folder = folder.resolve()

    def refusing_open(path, flags, *args, **kwargs):
        writes = flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR)
        if writes and Path(os.fsdecode(path)).resolve().parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


def _db_in(folder: Path, sample_db: Path) -> Path:
    folder.mkdir()
    db = folder / "ysdesk.db"
    shutil.copy(sample_db, db)
    return db


def _brief_in_read_only_db_folder(db: Path, out: Path, capsys) -> str:
    rc = main(["--db", str(db), "brief", "--year", "2025", "-o", str(out)])
    assert rc == 0
    assert out.exists()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "其他窗口" not in err
    assert f"数据库所在的文件夹“{db.parent}”不可写入" in err and "本期设置未记录" in err
    return err


def test_a_database_in_a_read_only_folder_is_not_blamed_on_another_window(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    db = _db_in(tmp_path / "shared", sample_db)
    _refuse_writes_in(monkeypatch, db.parent)
    _brief_in_read_only_db_folder(db, tmp_path / "b.docx", capsys)


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="permission bits do not bind on Windows or for root",
)
def test_a_database_in_a_chmod_read_only_folder(sample_db: Path, tmp_path: Path, capsys) -> None:
    db = _db_in(tmp_path / "shared", sample_db)
    db.parent.chmod(0o555)
    try:
        _brief_in_read_only_db_folder(db, tmp_path / "b.docx", capsys)
    finally:
        db.parent.chmod(0o755)


def test_a_brief_into_a_read_only_folder_says_what_happened(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    folder = tmp_path / "简报"
    folder.mkdir()
    _refuse_writes_in(monkeypatch, folder)
    rc = main(["--db", str(sample_db), "brief", "--year", "2025", "-o", str(folder / "b.docx")])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert err == f"无法在“{folder}”中写入文件：权限不足。"
    assert list(folder.iterdir()) == []
    with Store.open(sample_db) as store:
        assert list_briefs(store) == []
