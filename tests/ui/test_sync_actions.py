"""The shared mode in the window: the status bar's state, 同步 in the worker, the conflicts
listed with a side to pick for each, undo across a sync, the password asked once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from tests.pg_cluster import OfficeServer
from tests.sync.helpers import by_code, edit, sync_desk
from ysdesk.server.connection import parse_url
from ysdesk.server.credentials import forget_password, stored_password
from ysdesk.services import sync
from ysdesk.store import Store
from ysdesk.ui import sync_actions
from ysdesk.ui.sync_actions import ConflictsDialog, state_text


@pytest.fixture
def desks(sample_db: Path, office_server: OfficeServer, tmp_path: Path) -> tuple[Path, Path]:
    """Desk A (the window's) shared the sample list; desk B cloned it."""
    with Store.open(sample_db) as store:
        sync.share(store, office_server.url, desk="A")
    b = tmp_path / "b.db"
    sync.clone(b, office_server.url, desk="B")[0].close()
    return sample_db, b


def _sync_in_window(window, qtbot, prefer=None) -> None:  # type: ignore[no-untyped-def]
    controller = window.sync
    controller.sync_now(prefer)
    qtbot.waitUntil(lambda: not controller._running, timeout=60_000)


def test_the_state_says_synced_pending_conflicts_or_offline() -> None:
    assert state_text(0, 0, False) == "已同步"
    assert state_text(3, 0, False) == "3 项待同步"
    assert state_text(2, 1, True) == "离线，1 处冲突，2 项待同步"


def test_a_single_file_database_shows_no_sync(window) -> None:  # type: ignore[no-untyped-def]
    assert not window.sync.action.isEnabled()
    assert not window.sync.label.isVisibleTo(window)


def test_sync_pulls_into_the_views_and_says_how_the_desk_stands(
    desks: tuple[Path, Path], open_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    a, b = desks
    window = open_window(a)
    assert window.sync.label.text() == "已同步"
    code = list(by_code(a))[2]
    edit(b, code, progress="乙写的进展")
    sync_desk(b)
    project_id = by_code(a)[code]["id"]
    window.open_project(project_id)
    _sync_in_window(window, qtbot)
    assert window.ctx.store.get_project(project_id).progress == "乙写的进展"
    assert window.editor.project is not None
    assert window.editor.project.progress == "乙写的进展"  # the open editor refreshed
    assert window.sync.label.text() == "已同步"
    assert "拉取 1 个项目" in window.statusBar().currentMessage()


def test_conflicts_are_listed_and_each_takes_the_side_picked(
    desks: tuple[Path, Path], open_window, qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    a, b = desks
    code, other = list(by_code(a))[4:6]
    edit(b, code, note="乙的备注", goal="乙的目标")
    edit(b, other, note="乙的另一条备注")
    sync_desk(b)
    window = open_window(a)
    edit_in = window.ctx.store
    for pid, changes in (
        (by_code(a)[code]["id"], {"note": "甲的备注", "goal": "甲的目标"}),
        (by_code(a)[other]["id"], {"note": "甲的另一条备注"}),
    ):
        edit_in.update_project(pid, changes, expected_version=None)
    window.sync.refresh()
    assert window.sync.label.text() == "2 项待同步"
    shown: list[ConflictsDialog] = []

    def answer(dialog: ConflictsDialog) -> int:
        shown.append(dialog)
        if len(shown) > 1:  # listed again after the picks: the one left open
            return QDialog.Rejected
        rows = {(c["code"], c["field"]): n for n, c in enumerate(dialog.conflicts)}
        dialog.pick(rows[(code, "note")], sync.THEIRS)
        dialog.pick(rows[(code, "goal")], sync.MINE)
        return QDialog.Accepted

    monkeypatch.setattr(ConflictsDialog, "exec", answer)
    _sync_in_window(window, qtbot)  # finds 3 conflicts, lists them, syncs with the picks
    qtbot.waitUntil(lambda: len(window.sync.conflicts()) == 1, timeout=60_000)
    assert [len(d.conflicts) for d in shown] == [3, 1]
    assert [(c["code"], c["field"]) for c in window.sync.conflicts()] == [(other, "note")]
    assert "1 处冲突" in window.sync.label.text()
    sync_desk(b)
    assert (by_code(b)[code]["note"], by_code(b)[code]["goal"]) == ("乙的备注", "甲的目标")
    assert by_code(a)[code]["note"] == "乙的备注"


def test_undo_works_across_a_sync_where_it_can_and_says_where_it_cannot(
    desks: tuple[Path, Path], open_window, qtbot, prompts
) -> None:  # type: ignore[no-untyped-def]
    from ysdesk.ui.commands import EditProjectCommand
    from ysdesk.ui.context import UNDO_BLOCKED

    a, b = desks
    window = open_window(a)
    ctx = window.ctx
    mine, theirs = list(by_code(a))[7:9]
    for code in (mine, theirs):
        pid = by_code(a)[code]["id"]
        project = ctx.store.get_project(pid)
        ctx.push(
            EditProjectCommand(
                ctx,
                pid,
                {"note": f"窗口写的备注 {code}"},
                expected_version=project.version,
                text="修改",
            )
        )
    edit(b, theirs, goal="乙改的目标")
    sync_desk(b)
    _sync_in_window(window, qtbot)  # pushes both notes, pulls B's goal on `theirs`
    assert "1 个项目在本窗口改过" in window.statusBar().currentMessage()
    ctx.undo_stack.undo()  # the note on `theirs`: the sync changed that project since
    assert prompts.asked[-1] == ("error", "无法撤销", f"无法撤销“修改”：{UNDO_BLOCKED}")
    assert by_code(a)[theirs]["note"] == f"窗口写的备注 {theirs}"
    ctx.undo_stack.undo()  # the note on `mine`: only its version moved, the undo works
    assert by_code(a)[mine]["note"] != f"窗口写的备注 {mine}"
    _sync_in_window(window, qtbot)  # and the undone note reaches the other desk
    sync_desk(b)
    assert by_code(b)[mine]["note"] == by_code(a)[mine]["note"]


def test_the_password_is_asked_once_and_kept_only_in_memory_without_a_keyring(
    desks: tuple[Path, Path],
    open_window,
    qtbot,
    prompts,
    office_server: OfficeServer,
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    from ysdesk.server import credentials

    a, _ = desks
    address = parse_url(office_server.url)
    forget_password(address)
    monkeypatch.setattr(credentials, "remember_password", lambda *_args: False)
    monkeypatch.setattr(sync, "remember_password", lambda *_args: False)
    prompts.answers = [office_server.office_password]
    window = open_window(a)
    _sync_in_window(window, qtbot)
    _sync_in_window(window, qtbot)
    assert [q[0] for q in prompts.asked] == ["password"]
    assert window.sync.offline_reason == ""
    assert stored_password(address) is None
    settings_text = Path(window.ctx.settings.fileName()).read_text("utf-8", "replace")
    assert office_server.office_password not in settings_text
    assert office_server.office_password.encode() not in a.read_bytes()


def test_an_unreachable_server_leaves_the_desk_offline_and_editing(
    desks: tuple[Path, Path], open_window, qtbot, prompts
) -> None:  # type: ignore[no-untyped-def]
    a, _ = desks
    with Store.open(a) as store:
        store.set_meta("sync_url", "postgresql://nobody@127.0.0.1:9/office")
    window = open_window(a)
    prompts.answers = [None]
    _sync_in_window(window, qtbot)
    assert window.sync.label.text().startswith("离线")
    assert any(kind == "error" and "无法连接服务器" in text for kind, _, text in prompts.asked)


def test_the_background_sync_runs_quietly_in_the_worker(
    desks: tuple[Path, Path], open_window, qtbot, prompts
) -> None:  # type: ignore[no-untyped-def]
    a, b = desks
    window = open_window(a)
    assert window.sync.timer.isActive()
    assert window.sync.timer.interval() == sync_actions.SYNC_EVERY_MS
    code = list(by_code(a))[10]
    edit(b, code, status="滞后")
    sync_desk(b)
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=60_000)  # start-up reads
    assert window.sync.sync_in_background()
    qtbot.waitUntil(lambda: not window.sync._running, timeout=60_000)
    assert window.ctx.store.get_project(by_code(a)[code]["id"]).status.value == "滞后"
    assert prompts.asked == []
