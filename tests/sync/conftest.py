"""Two desks of one office: the sample database shared, and a clone of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg_cluster import OfficeServer
from ysdesk.services import sync
from ysdesk.store import Store


@pytest.fixture
def desks(sample_db: Path, office_server: OfficeServer, tmp_path: Path) -> tuple[Path, Path]:
    """Desk A shared the sample list; desk B cloned it."""
    with Store.open(sample_db) as store:
        sync.share(store, office_server.url, desk="A")
    b = tmp_path / "b.db"
    store, _ = sync.clone(b, office_server.url, desk="B")
    store.close()
    return sample_db, b
