"""A damaged database in the window: one sentence and a way out, never an error per cell."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ysdesk.cli import main
from ysdesk.domain.model import Project
from ysdesk.store import Store
from ysdesk.store.backup import auto_backup, backups_of
from ysdesk.ui.app import open_at_start
from ysdesk.ui.main_window import MainWindow
from ysdesk.ui.prompts import ScriptedPrompts


def damage_a_project_page(db: Path) -> None:
    """Overwrite one leaf page of the projects table, as a failing disk would."""
    conn = sqlite3.connect(db)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        try:
            leaves = conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'projects' AND pagetype = 'leaf'"
            ).fetchall()
        except sqlite3.Error:
            pytest.skip("this SQLite has no dbstat table to find a page with")
    finally:
        conn.close()
    page = leaves[len(leaves) // 2][0]
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * page_size)
        fh.write(b"\xff" * page_size)


def _cells(window: MainWindow) -> list[str]:
    model = window.table.model
    return [model.index(row, 1).data(Qt.DisplayRole) for row in range(model.rowCount())]


def test_a_damaged_page_is_said_once_and_its_rows_marked(
    qtbot, open_window, prompts: ScriptedPrompts, sample_db: Path
) -> None:
    damage_a_project_page(sample_db)
    prompts.answers.append("cancel")
    window = open_window()
    names = _cells(window)
    qtbot.waitUntil(lambda: any(kind == "choose" for kind, *_ in prompts.asked))
    assert "（无法读取）" in names
    # Repaints and scrolling ask for the same rows again: no second question, no retry.
    fetches = window.table.model.fetches
    for _ in range(3):
        _cells(window)
        window.table.view.viewport().repaint()
    qtbot.wait(50)
    assert [kind for kind, *_ in prompts.asked] == ["choose"]
    assert prompts.asked[0][1] == "数据库读取失败"
    assert prompts.asked[0][2].startswith("数据库文件已损坏")
    assert window.table.model.fetches == fetches


def test_the_window_restores_a_backup_of_a_damaged_database(
    qtbot, open_window, prompts: ScriptedPrompts, sample_db: Path
) -> None:
    with Store.open(sample_db) as store:
        backup = auto_backup(store, "测试")
        expected = store.project_count()
    damage_a_project_page(sample_db)
    damaged = sample_db.read_bytes()
    prompts.answers.extend(["restore", str(backup), True])
    window = open_window()
    damaged_store = window.ctx.store
    _cells(window)
    qtbot.waitUntil(lambda: window.ctx.store is not damaged_store)
    assert window.ctx.store.project_count() == expected
    assert "（无法读取）" not in _cells(window)
    assert None not in _cells(window)
    kept = [p for p in backups_of(sample_db) if "恢复前" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert window.ctx.undo_stack.count() == 0


def test_restore_from_the_file_menu_undoes_later_edits(
    open_window, prompts: ScriptedPrompts, sample_db: Path
) -> None:
    with Store.open(sample_db) as store:
        backup = auto_backup(store, "测试")
        first = store.list_projects()[0]
    prompts.answers.extend([str(backup), True])
    window = open_window()
    store = window.ctx.store
    changed: Project = store.update_project(
        first.id, {"name": "改过的名称"}, expected_version=first.version
    )
    assert changed.name == "改过的名称"
    assert window.file_actions.restore_backup()
    assert window.ctx.store is not store
    assert window.ctx.store.get_project(first.id).name == first.name
    assert any(kind == "confirm" for kind, *_ in prompts.asked)


def test_restore_can_be_declined(open_window, prompts: ScriptedPrompts, sample_db: Path) -> None:
    with Store.open(sample_db) as store:
        backup = auto_backup(store, "测试")
    before = sample_db.read_bytes()
    prompts.answers.extend([str(backup), False])
    window = open_window()
    assert not window.file_actions.restore_backup()
    assert window.ctx.store.project_count() > 0
    assert sample_db.read_bytes() == before


# ------------------------------------------------------------------ starting on a bad file
def _garble(db: Path) -> bytes:
    data = b"x" * 100 + db.read_bytes()[100:]
    db.write_bytes(data)
    return data


def test_starting_on_a_garbled_database_offers_its_backup(qapp, sample_db: Path) -> None:
    with Store.open(sample_db) as store:
        backup = auto_backup(store, "测试")
        expected = store.project_count()
    garbled = _garble(sample_db)
    prompts = ScriptedPrompts(["restore", str(backup)])
    store = open_at_start(sample_db, prompts)
    assert store is not None
    try:
        assert store.path == sample_db and store.project_count() == expected
    finally:
        store.close()
    kind, title, text = prompts.asked[0]
    assert (kind, title) == ("choose", "无法打开数据库")
    assert "不是有效的 ysdesk 数据库" in text and "自动备份" in text
    assert any(p.read_bytes() == garbled for p in backups_of(sample_db))


def test_giving_up_on_a_garbled_database_leaves_it_alone(qapp, sample_db: Path) -> None:
    garbled = _garble(sample_db)
    prompts = ScriptedPrompts(["cancel"])
    assert open_at_start(sample_db, prompts) is None
    assert sample_db.read_bytes() == garbled
    # No backup of it yet, so no restore is offered.
    assert "自动备份" not in prompts.asked[0][2]


def test_starting_on_an_empty_file_can_open_another_database(
    qapp, sample_db: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    prompts = ScriptedPrompts(["open", str(sample_db)])
    store = open_at_start(empty, prompts)
    assert store is not None
    try:
        assert store.path == sample_db
    finally:
        store.close()
    assert empty.read_bytes() == b""


def test_starting_on_a_garbled_database_can_start_anew(qapp, tmp_path: Path) -> None:
    db = tmp_path / "ysdesk.db"
    db.write_bytes(b"not a database at all, but someone's data" * 100)
    prompts = ScriptedPrompts(["new", str(db)])
    store = open_at_start(db, prompts)
    assert store is not None
    try:
        # A new start, as a first one: the plan, no projects (the sample has its own file).
        assert (len(store.tasks()), len(store.zones()), store.project_count()) == (23, 4, 0)
    finally:
        store.close()
    assert any(p.read_bytes().startswith(b"not a database") for p in backups_of(db))


def test_screenshot_of_a_damaged_database_is_one_sentence(
    sample_db: Path, tmp_path: Path, capsys
) -> None:
    damage_a_project_page(sample_db)
    out = tmp_path / "s.png"
    assert main(["--db", str(sample_db), "screenshot", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "数据库文件已损坏，部分数据无法读取，请从备份恢复。"
    assert not out.exists()


def test_a_busy_database_is_said_in_the_status_bar_without_offering_a_restore(
    open_window, prompts: ScriptedPrompts, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ysdesk.domain.errors import UserError

    window = open_window()
    store = window.ctx.store
    real = store.get_projects

    def busy(ids):
        raise UserError("数据库正被其他程序占用，请稍后再试。")

    window.table.model.clear_cache()
    monkeypatch.setattr(store, "get_projects", busy)
    assert "（无法读取）" in _cells(window)
    qtbot.wait(20)
    assert prompts.asked == []
    assert window.statusBar().currentMessage() == "数据库正被其他程序占用，请稍后再试。"
    monkeypatch.setattr(store, "get_projects", real)
    window.table.model.clear_cache()  # what any change or 刷新 does
    assert "（无法读取）" not in _cells(window)
