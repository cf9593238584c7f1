"""Project actions of the window: what happens around the commands they push."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel

from ysdesk.domain.model import ProjectFilter


def _select(window, ids: list[int]) -> None:
    window.table.select_project(ids[0])
    selection = window.table.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    for pid in ids[1:]:
        row = window.table.model.row_of(pid)
        selection.select(window.table.model.index(row, 0), flags.Select | flags.Rows)


def _backups(store) -> list[Path]:
    folder = store.path.parent / "backups"
    return sorted(folder.glob("*.db")) if folder.is_dir() else []


def test_a_bulk_delete_is_backed_up_first(window, prompts) -> None:
    """Undo lives only as long as the window: deleting several projects at once takes an
    automatic backup first (as imports and rollovers do), holding every one of them."""
    store = window.ctx.store
    ids = store.project_ids(ProjectFilter(year=2025, task_no=6))[:3]
    _select(window, ids)
    prompts.answers.append(True)
    assert window.project_actions.delete_projects()
    assert not set(ids) & set(store.project_ids(ProjectFilter()))
    backups = _backups(store)
    assert len(backups) == 1 and "删除" in backups[0].name
    conn = sqlite3.connect(backups[0])
    try:
        kept = {r[0] for r in conn.execute("SELECT id FROM projects")}
    finally:
        conn.close()
    assert set(ids) <= kept


def test_a_single_delete_or_a_cancelled_one_takes_no_backup(window, prompts) -> None:
    store = window.ctx.store
    ids = store.project_ids(ProjectFilter(year=2025, task_no=6))[:2]
    _select(window, ids)
    prompts.answers.append(False)
    assert not window.project_actions.delete_projects()
    _select(window, ids[:1])
    window.table.select_project(ids[0])
    prompts.answers.append(True)
    assert window.project_actions.delete_projects()
    assert _backups(store) == []
