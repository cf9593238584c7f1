"""Saved column mappings: saved per header signature and unit, listed, forgotten, migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from ysdesk.domain.errors import NotFoundError
from ysdesk.store import Store
from ysdesk.store.mappings import forget_mapping, list_mappings, save_mapping
from ysdesk.store.schema import MIGRATIONS, encode_version

HEADERS = ["待办事项", "责任部门", "配合部门", "计划完成时间", "进展情况"]


def _save(store: Store, unit: str = "", fields: dict | None = None, name: str = "督办.xlsx"):
    return save_mapping(
        store,
        signature="sig",
        unit=unit,
        headers=HEADERS,
        fields=fields or {"待办事项": "name"},
        file_name=name,
    )


def test_saved_listed_and_replaced_per_signature_and_unit(fresh_store: Store) -> None:
    first = _save(fresh_store)
    other = _save(fresh_store, unit="区人才局")
    assert first != other
    again = _save(fresh_store, fields={"待办事项": "name", "配合部门": "skip"}, name="十月.xlsx")
    assert again == first
    saved = {m.id: m for m in list_mappings(fresh_store)}
    assert saved[first].fields == {"待办事项": "name", "配合部门": "skip"}
    assert saved[first].uses == 2 and saved[first].file_name == "十月.xlsx"
    assert saved[first].headers == tuple(HEADERS)
    assert saved[other].unit == "区人才局" and saved[other].uses == 1
    assert saved[first].to_json()["unit"] is None


def test_forget_removes_one_and_refuses_an_unknown_id(fresh_store: Store) -> None:
    kept, gone = _save(fresh_store), _save(fresh_store, unit="区科委")
    assert forget_mapping(fresh_store, gone).unit == "区科委"
    assert [m.id for m in list_mappings(fresh_store)] == [kept]
    with pytest.raises(NotFoundError, match=f"没有编号为 {gone} 的列对应"):
        forget_mapping(fresh_store, gone)


def _database_at(path: Path, applied: int) -> None:
    """A database as a version with `applied` migrations left it (empty but for its schema)."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    for migration in MIGRATIONS[:applied]:
        migration(db)
    db.conn.execute(f"PRAGMA user_version = {encode_version(applied)}")
    db.conn.commit()
    db.conn.close()


@pytest.mark.parametrize("applied", range(1, len(MIGRATIONS)))
def test_every_earlier_version_migrates_to_keep_mappings(tmp_path: Path, applied: int) -> None:
    path = tmp_path / f"v{applied}.db"
    _database_at(path, applied)
    with Store.open(path) as store:
        assert store.schema_version == encode_version(len(MIGRATIONS))
        saved = _save(store)
        assert [m.id for m in list_mappings(store)] == [saved]
