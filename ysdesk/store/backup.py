"""Online backups (sqlite3 Connection.backup), automatic backups before risky work, restore."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ysdesk.domain.errors import SchemaError, UserError
from ysdesk.files import atomic_write, os_reason
from ysdesk.store.schema import SCHEMA_MAJOR

if TYPE_CHECKING:
    from ysdesk.store.db import Store

KEEP_BACKUPS = 20


def backup_dir(store: Store) -> Path:
    """Where automatic backups of this database go: a `backups` folder beside it."""
    assert store.path is not None
    return store.path.parent / "backups"


def backup_to(store: Store, dest: Path | str) -> Path:
    """Copy the live database to `dest` consistently; the old `dest` survives a failure."""
    dest = Path(dest)
    if not dest.parent.is_dir():
        raise UserError(f"备份目标文件夹不存在：{dest.parent}。")
    if store.path is not None and dest.resolve() == store.path.resolve():
        raise UserError("备份文件不能与当前数据库是同一个文件。")

    def write(tmp: Path) -> None:
        target = sqlite3.connect(tmp)
        try:
            store.conn.backup(target)
        finally:
            target.close()

    atomic_write(dest, write)
    return dest


def _slug(reason: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", reason).strip("_")[:40] or "backup"


def auto_backup(store: Store, reason: str, keep: int = KEEP_BACKUPS) -> Path | None:
    """A timestamped backup before something destructive; keeps the newest `keep`."""
    if store.path is None:
        return None
    folder = backup_dir(store)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建备份文件夹：{exc.strerror or exc}。") from None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{store.path.stem}-{stamp}-{_slug(reason)}.db"
    backup_to(store, dest)
    prune(folder, store.path.stem, keep)
    return dest


def copy_file_backup(path: Path, reason: str, keep: int = KEEP_BACKUPS) -> Path:
    """Back up a database file byte for byte (the caller holds the writer lock)."""
    folder = path.parent / "backups"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{path.stem}-{stamp}-{_slug(reason)}.db"
    import shutil  # read-only commands import this module but never copy a file

    try:
        folder.mkdir(exist_ok=True)
        shutil.copy2(path, dest)
    except OSError as exc:
        raise UserError(f"无法备份原数据库：{exc.strerror or exc}。") from None
    prune(folder, path.stem, keep)
    return dest


def list_backups(store: Store) -> list[Path]:
    """Automatic backups of this database, newest first."""
    if store.path is None:
        return []
    return backups_of(store.path)


def backups_of(path: Path) -> list[Path]:
    """Automatic backups of the database file `path` (which may be damaged), newest first."""
    folder = path.parent / "backups"
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-*.db"), reverse=True)


# Files SQLite keeps beside a database: a hot journal left by a crash would be rolled back
# into whatever file takes the database's name, so they go aside with the file they belong to.
_SIDE_FILES = ("-journal", "-wal", "-shm")


def replace_with_backup(path: Path | str, source: Path | str) -> Path | None:
    """Put a backup in place of the database file `path`, which need not open at all
    (damaged, emptied, from a newer version): the window's way back from a file that fails.

    No store may be open on `path`. The file that was there is kept first, byte for byte, in
    the backups folder (with its journal files), so nothing is lost; the backup is copied
    through SQLite into a temporary file and renamed over `path`. Returns the kept copy.
    """
    from ysdesk.store.lock import WriterLock

    path, source = Path(path), Path(source)
    validate_database_file(source)
    if path.exists() and source.resolve() == path.resolve():
        raise UserError("不能用数据库自身来恢复。")
    lock = WriterLock(path)
    lock.acquire()
    try:
        kept = copy_file_backup(path, "恢复前") if path.exists() else None
        for suffix in _SIDE_FILES:
            side = path.with_name(path.name + suffix)
            if side.exists() and kept is not None:
                try:
                    os.replace(side, kept.with_name(kept.name + suffix))
                except OSError as exc:
                    raise UserError(f"无法移开数据库的日志文件：{os_reason(exc)}。") from None

        def write(tmp: Path) -> None:
            src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
            target = sqlite3.connect(tmp)
            try:
                src.backup(target)
            finally:
                target.close()
                src.close()

        atomic_write(path, write)
    finally:
        lock.release()
    return kept


def prune(folder: Path, stem: str, keep: int) -> None:
    backups = sorted(folder.glob(f"{stem}-*.db"), reverse=True)
    for old in backups[keep:]:
        try:
            old.unlink()
        except OSError:
            pass


def validate_database_file(path: Path) -> None:
    """Refuse anything that is not a ysdesk database this version can read."""
    if not path.is_file():
        raise UserError(f"文件不存在：{path}。")
    with open(path, "rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise SchemaError(f"该文件不是 ysdesk 数据库：{path.name}。")
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        raise SchemaError(f"该文件不是有效的 ysdesk 数据库，或已损坏：{path.name}。") from None
    if not {"projects", "tasks", "units", "meta"} <= tables or version // 100 == 0:
        raise SchemaError(f"该文件不是 ysdesk 数据库：{path.name}。")
    if version // 100 > SCHEMA_MAJOR:
        raise SchemaError("该备份由更新版本的 ysdesk 创建，请升级后再恢复。")
    if ok != "ok":
        raise SchemaError(f"该备份文件已损坏：{path.name}。")
