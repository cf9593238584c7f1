"""First start: the office's own list begins with the plan only; the sample has its own file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ysdesk.domain.model import Project, ProjectFilter
from ysdesk.services.locations import default_db_path, sample_db_path, user_data_dir
from ysdesk.services.workspace import open_or_create, open_sample
from ysdesk.store import Store
from ysdesk.store import db as db_module
from ysdesk.store.backup import backups_of
from ysdesk.store.schema import MIGRATIONS, encode_version

ROOT = Path(__file__).resolve().parents[2]


def plan_counts(store: Store) -> tuple[int, ...]:
    return (
        len(store.areas()),
        len(store.tasks()),
        len(store.zones()),
        len(store.indicators()),
        store.project_count(),
    )


def test_first_start_creates_the_plan_and_units_without_projects() -> None:
    path = default_db_path()
    assert not path.parent.exists()
    store = open_or_create(path)
    try:
        assert plan_counts(store) == (4, 23, 4, 4, 0)
        bundled = json.loads((ROOT / "sample_data" / "units.json").read_text("utf-8"))
        assert sorted(u.name for u in store.units()) == sorted(u["name"] for u in bundled)
        assert store.years() == []
    finally:
        store.close()
    assert path.parent == user_data_dir()
    assert not sample_db_path().exists()


def test_first_start_read_only_creates_the_plan_too(tmp_path: Path) -> None:
    store = open_or_create(tmp_path / "ro.db", readonly=True)
    try:
        assert store.readonly
        assert plan_counts(store) == (4, 23, 4, 4, 0)
    finally:
        store.close()


def test_an_existing_database_is_opened_as_it_is(sample_db: Path) -> None:
    store = open_or_create(sample_db)
    try:
        assert store.project_count() == 86
    finally:
        store.close()


def test_the_sample_list_opens_in_its_own_file() -> None:
    office = open_or_create(default_db_path())
    office.close()
    store = open_sample()
    try:
        assert store.path == sample_db_path() != default_db_path()
        assert plan_counts(store)[:4] == (4, 23, 4, 4)
        assert store.project_count() == 86
        assert store.years() == [2025]
    finally:
        store.close()
    again = open_sample(readonly=True)
    try:
        assert again.project_count() == 86  # opened, not filled a second time
    finally:
        again.close()
    office = Store.open(default_db_path(), readonly=True)
    try:
        assert office.project_count() == 0
    finally:
        office.close()


def test_the_sample_file_ignores_the_database_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YSDESK_DB", str(tmp_path / "office.db"))
    assert default_db_path() == tmp_path / "office.db"
    assert sample_db_path() == user_data_dir() / "示例清单.db"


def test_an_upgrade_keeps_the_list_and_backs_it_up_before_migrating(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a newer package does on its first start: the user's file, migrated, backed up."""
    path = default_db_path()
    older = encode_version(len(MIGRATIONS) - 1)
    with monkeypatch.context() as old_version:
        # The file as the version before the last migration made and left it.
        old_version.setattr(db_module, "MIGRATIONS", MIGRATIONS[:-1])
        store = open_or_create(path)
        try:
            assert store.schema_version == older
            store.insert_project(
                Project(
                    id=None,
                    year=2026,
                    name="国际技术转移中心建设",
                    task_no=5,
                    lead_units=("区科委",),
                )
            )
        finally:
            store.close()
    assert backups_of(path) == []
    store = open_or_create(path)
    try:
        assert store.schema_version == encode_version(len(MIGRATIONS))
        assert [p.name for p in store.list_projects(ProjectFilter())] == ["国际技术转移中心建设"]
    finally:
        store.close()
    (backup,) = backups_of(path)
    assert "升级前" in backup.name
    with sqlite3.connect(backup) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == older
        assert old.execute("SELECT name FROM projects").fetchall() == [("国际技术转移中心建设",)]
