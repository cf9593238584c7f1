"""What the shared-mode tests share: desks (replica databases) of one office server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ysdesk.services import sync
from ysdesk.store import Store

TODAY = date(2026, 11, 27)


def listing(path: Path) -> list[dict[str, Any]]:
    """`list --json` of a desk, as its kept texts print it."""
    with Store.open(path, readonly=True) as store:
        return [json.loads(text) for _, text in store.project_json(today=TODAY)]


def by_code(path: Path) -> dict[str, dict[str, Any]]:
    return {p["code"]: p for p in listing(path)}


def project_id(path: Path, code: str) -> int:
    return by_code(path)[code]["id"]


def edit(path: Path, code: str, **changes: Any) -> None:
    """Change fields of the project with this code, as the editor would."""
    with Store.open(path) as store:
        store.update_project(project_id(path, code), changes, expected_version=None)


def sync_desk(path: Path, prefer: str | None = None) -> sync.SyncReport:
    with Store.open(path) as store:
        return sync.sync(store, prefer=prefer)
