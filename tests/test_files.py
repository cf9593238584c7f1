"""Atomic writes of users' files: old file kept on failure, ordinary permissions."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

import pytest

from ysdesk.domain.errors import UserError
from ysdesk.files import atomic_write, os_reason


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_new_file_gets_ordinary_permissions_not_the_temp_files(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    target = atomic_write(tmp_path / "out.xlsx", lambda tmp: tmp.write_bytes(b"new"))
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o666 & ~mask


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_replacing_keeps_the_old_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write(target, lambda tmp: tmp.write_bytes(b"new"))
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o640


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(UserError, match=r"out\.xlsx"):
        atomic_write(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_impossible_targets_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="文件夹不存在"):
        atomic_write(tmp_path / "missing" / "x.xlsx", lambda tmp: None)
    with pytest.raises(UserError, match="文件夹"):
        atomic_write(tmp_path, lambda tmp: None)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "权限不足"),
        (PermissionError(errno.EPERM, "Operation not permitted"), "权限不足"),
        (OSError(errno.EROFS, "Read-only file system"), "所在磁盘为只读"),
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间已满"),
        (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    ],
)
def test_os_errors_are_said_in_chinese(error: OSError, reason: str) -> None:
    assert os_reason(error) == reason


def test_a_folder_that_refuses_new_files_is_named_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(UserError) as caught:
        atomic_write(tmp_path / "a.docx", lambda tmp: tmp.write_bytes(b""))
    assert caught.value.message == f"无法在“{tmp_path}”中写入文件：权限不足。"


def test_a_write_killed_long_ago_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    old = tmp_path / ".清单-abc123.tmp"
    old.write_bytes(b"half a workbook")
    day_ago = old.stat().st_mtime - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    recent = tmp_path / ".清单-def456.tmp"  # perhaps another window writing right now
    recent.write_bytes(b"being written")
    other = tmp_path / ".简报-abc123.tmp"
    other.write_bytes(b"another file's")
    os.utime(other, (day_ago, day_ago))
    atomic_write(tmp_path / "清单.xlsx", lambda tmp: tmp.write_bytes(b"new"))
    assert not old.exists()
    assert recent.exists() and other.exists()
    assert (tmp_path / "清单.xlsx").read_bytes() == b"new"
