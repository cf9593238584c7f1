"""The writer lock: a second writer is refused; a folder that takes no lock file is named."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from ysdesk.domain.errors import DatabaseLockedError, LockUnavailableError
from ysdesk.store.lock import WriterLock


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    first = WriterLock(tmp_path / "a.db")
    first.acquire()
    try:
        with pytest.raises(DatabaseLockedError, match="另一个 ysdesk 窗口或命令") as caught:
            WriterLock(tmp_path / "a.db").acquire()
        assert not isinstance(caught.value, LockUnavailableError)
    finally:
        first.release()


def test_a_folder_without_write_permission_is_not_another_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if os.fsdecode(path).endswith(".lock"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(LockUnavailableError) as caught:
        WriterLock(tmp_path / "a.db").acquire()
    assert caught.value.message == f"无法在数据库所在的文件夹“{tmp_path}”中写入文件：权限不足。"
