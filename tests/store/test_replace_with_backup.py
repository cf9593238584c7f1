"""Putting a backup in place of a database file that may not open at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ysdesk.domain.errors import DatabaseLockedError, SchemaError
from ysdesk.store import Store
from ysdesk.store.backup import auto_backup, backups_of, replace_with_backup


def _garble(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    data[:100] = b"x" * 100  # the header: no longer an SQLite file
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_garbled_file_is_replaced_and_kept_byte_for_byte(sample_db: Path) -> None:
    with Store.open(sample_db) as store:
        backup = auto_backup(store, "测试")
        count = store.project_count()
    assert backup is not None and backups_of(sample_db) == [backup]
    garbled = _garble(sample_db)
    journal = sample_db.with_name(sample_db.name + "-journal")
    journal.write_bytes(b"a hot journal of the damaged file")
    kept = replace_with_backup(sample_db, backup)
    assert kept is not None and kept.read_bytes() == garbled
    # The journal went with the file it belongs to: rolled back into the restored file,
    # it would damage it.
    assert not journal.exists()
    assert kept.with_name(kept.name + "-journal").read_bytes().startswith(b"a hot journal")
    with Store.open(sample_db) as store:
        assert store.project_count() == count
    assert not [p for p in sample_db.parent.iterdir() if p.suffix == ".tmp"]


def test_a_bad_backup_changes_nothing(sample_db: Path, tmp_path: Path) -> None:
    before = sample_db.read_bytes()
    bad = tmp_path / "not-a-backup.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(SchemaError):
        replace_with_backup(sample_db, bad)
    assert sample_db.read_bytes() == before
    assert backups_of(sample_db) == []


def test_a_database_in_use_is_not_replaced(sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(sample_db, copy)
    with Store.open(sample_db), pytest.raises(DatabaseLockedError):
        replace_with_backup(sample_db, copy)
