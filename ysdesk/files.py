"""Writing a user's file safely: a temporary file beside it, then one rename.

The old file survives any failure half-way; the new one gets the permissions an ordinary new
file would get (or the old file's), not the private mode of a temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from ysdesk.domain.errors import UserError


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once: os.umask can only be read by setting it, which is not thread-safe later on.
_UMASK = _read_umask()

# Why a file could not be written, in the user's words (the OS's strerror is English).
_OS_REASONS = {
    getattr(errno, name): reason
    for name, reason in (
        ("EACCES", "权限不足"),
        ("EPERM", "权限不足"),
        ("EROFS", "所在磁盘为只读"),
        ("ENOSPC", "磁盘空间已满"),
        ("EDQUOT", "磁盘配额已用完"),
        ("ENOENT", "文件夹不存在"),
        ("EBUSY", "文件正被占用"),
        ("ENAMETOOLONG", "文件名过长"),
    )
    if hasattr(errno, name)
}


def os_reason(exc: OSError) -> str:
    """A few Chinese words for why a file operation failed: "权限不足", "磁盘空间已满" …"""
    if getattr(exc, "winerror", None) in (32, 33):  # sharing/lock violation on Windows
        return "文件正被其他程序占用"
    reason = _OS_REASONS.get(exc.errno or 0)
    return reason or exc.strerror or str(exc)


def atomic_write(
    target: Path | str,
    write: Callable[[Path], None],
    *,
    in_use_hint: str = "文件可能正在其他程序中打开，或没有写入权限",
) -> Path:
    """Call `write(tmp)` on a temporary file in the target's folder, then rename it over."""
    # Imported here: read-only commands import this module (via backups) but never write.
    import shutil
    import tempfile

    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"目标文件夹不存在：{folder}。")
    if target.is_dir():
        raise UserError(f"目标路径是一个文件夹：{target}。")
    _remove_abandoned(folder, target.stem)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UserError(f"无法在“{folder}”中写入文件：{os_reason(exc)}。") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        if target.exists():
            shutil.copymode(target, tmp)
        else:
            os.chmod(tmp, (stat.S_IRUSR | stat.S_IWUSR | 0o066) & ~_UMASK)
        os.replace(tmp, target)
    except PermissionError:
        raise UserError(f"无法写入“{target.name}”：{in_use_hint}。") from None
    except OSError as exc:
        raise UserError(f"无法写入“{target.name}”：{os_reason(exc)}。") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return target


# A temporary file this old was left by a write that was killed (power cut, task manager):
# no write takes a day, so the next write of the same file removes it.
ABANDONED_AFTER_SECONDS = 24 * 3600


def _remove_abandoned(folder: Path, stem: str) -> None:
    import glob
    import time

    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    for leftover in folder.glob(f".{glob.escape(stem)}-*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
