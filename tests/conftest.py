"""Shared fixtures: a fresh store, the sample database; Qt runs offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("YSDESK_DB", None)

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.pg_cluster import office_server, pg_cluster, pg_database  # noqa: F401  (fixtures)
from ysdesk.services.workspace import init_database
from ysdesk.store import Store

# The sample list is for 2025; judge overdue against a fixed day so tests never drift.
TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep per-user folders (data, Qt settings) out of the real home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("APPDATA", str(home / "appdata"))
    # Server passwords go to a keyring file of the test's own, never the user's keyring.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_backend.TempFileKeyring")
    monkeypatch.setenv("YSDESK_TEST_KEYRING", str(home / "keyring.json"))
    monkeypatch.delenv("PGPASSWORD", raising=False)


@pytest.fixture(scope="session")
def _sample_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sample.db"
    init_database(path, sample=True).close()
    return path


@pytest.fixture(scope="session")
def _plan_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "plan.db"
    init_database(path, sample=False).close()
    return path


@pytest.fixture
def sample_db(tmp_path: Path, _sample_db_template: Path) -> Path:
    """A private copy of the database with the plan and the sample 2025 list."""
    path = tmp_path / "ysdesk.db"
    shutil.copy(_sample_db_template, path)
    return path


@pytest.fixture
def plan_db(tmp_path: Path, _plan_db_template: Path) -> Path:
    """A private copy of a database with the plan and units but no projects."""
    path = tmp_path / "plan.db"
    shutil.copy(_plan_db_template, path)
    return path


@pytest.fixture
def sample_store(sample_db: Path) -> Iterator[Store]:
    store = Store.open(sample_db)
    yield store
    store.close()


@pytest.fixture
def fresh_store(plan_db: Path) -> Iterator[Store]:
    store = Store.open(plan_db)
    yield store
    store.close()


@pytest.fixture
def today() -> date:
    return TODAY


GENERATED_COUNT = 10_000


@pytest.fixture(scope="session")
def generated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan with a generated 10,000-project 2025 list, built once; open it read-only."""
    from ysdesk.services.synthetic import add_synthetic_list

    path = tmp_path_factory.mktemp("generated") / "generated.db"
    store = init_database(path, sample=False)
    try:
        add_synthetic_list(store, GENERATED_COUNT, 2025)
    finally:
        store.close()
    return path
