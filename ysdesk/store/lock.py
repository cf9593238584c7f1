"""One writer per database: an OS-level lock on a file beside it.

The lock is held by the operating system (flock / LockFileEx through filelock), so a crashed
process releases it automatically and never blocks the next start.
"""

from __future__ import annotations

import os
from pathlib import Path

from ysdesk.domain.errors import DatabaseLockedError, LockUnavailableError
from ysdesk.files import os_reason


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class WriterLock:
    """Holds the writer lock of one database file while the store is open for writing."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._info = self.path.with_name(self.path.name + ".info")
        # Imported here: only writers need it, and read-only commands start faster without it.
        from filelock import FileLock

        self._lock = FileLock(str(self.path), timeout=0, thread_local=False, is_singleton=False)

    def acquire(self) -> None:
        """Take the lock or refuse with one sentence naming the holder when known."""
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = ""
            try:
                holder = self._info.read_text(encoding="utf-8").strip()
            except OSError:
                pass
            who = f"（{holder}）" if holder else ""
            raise DatabaseLockedError(
                f"数据库正由另一个 ysdesk 窗口或命令使用{who}，请先关闭它再写入。"
            ) from None
        except OSError as exc:
            raise LockUnavailableError(
                f"无法在数据库所在的文件夹“{self.path.parent}”中写入文件：{os_reason(exc)}。"
            ) from None
        try:
            import socket  # only a writer names its host: read-only commands skip loading it

            self._info.write_text(
                f"进程 {os.getpid()}，主机 {socket.gethostname()}", encoding="utf-8"
            )
        except OSError:
            pass

    def release(self) -> None:
        if self._lock.is_locked:
            try:
                self._info.unlink(missing_ok=True)
            except OSError:
                pass
            self._lock.release(force=True)

    @property
    def held(self) -> bool:
        return self._lock.is_locked
