"""Undo commands call the services and broadcast the Changes they return; a write outside the
undo stack (a sync) blocks the steps it would be overwritten by."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.ui.conftest import dump
from tests.ui.report_helpers import make_ctx
from ysdesk.services.changes import Changes
from ysdesk.store import Store
from ysdesk.ui.commands import (
    DeleteProjectCommand,
    EditProjectCommand,
    InsertProjectCommand,
    MacroCommand,
)
from ysdesk.ui.context import UNDO_BLOCKED, AppContext


@pytest.fixture
def ctx(sample_store: Store, tmp_path: Path, today: date) -> AppContext:
    return make_ctx(sample_store, tmp_path, today)


@pytest.fixture
def heard(ctx: AppContext) -> list[Changes]:
    changes: list[Changes] = []
    ctx.changes.data_changed.connect(changes.append)
    return changes


def _edit(ctx: AppContext, pid: int, values: dict, macro=None) -> EditProjectCommand:
    version = ctx.store.get_project(pid).version
    return EditProjectCommand(
        ctx, pid, values, expected_version=version, text="修改", source="editor", macro=macro
    )


def test_each_step_broadcasts_what_the_service_wrote(
    ctx: AppContext, heard: list[Changes], sample_store: Store
) -> None:
    pid = sample_store.list_projects()[0].id
    version = sample_store.get_project(pid).version
    ctx.push(_edit(ctx, pid, {"status": "滞后", "note": "等待批复"}))
    assert heard == [Changes.fields(pid, ["status", "note"], version + 1)]
    assert heard[0].source == "editor" and not heard[0].structure
    ctx.undo_stack.undo()
    assert heard[-1] == Changes.fields(pid, ["status", "note"], version + 2)
    assert heard[-1].source is None  # every view refreshes after an undo
    ctx.undo_stack.redo()
    ctx.push(_edit(ctx, pid, {"task_no": 9}))
    assert heard[-1].structure and ctx.versions[pid] == version + 4


def test_insert_and_delete_broadcast_added_and_removed(
    ctx: AppContext, heard: list[Changes], sample_store: Store
) -> None:
    from ysdesk.services import editing

    draft = editing.new_draft(sample_store, 2025, task_no=3, lead_unit="区科委")
    ctx.push(InsertProjectCommand(ctx, draft.replace(name="新项目"), "新建"))
    [added] = heard[-1].added
    project = sample_store.get_project(added)
    ctx.push(
        DeleteProjectCommand(
            ctx, added, expected_version=project.version, project_name=project.name
        )
    )
    assert heard[-1] == Changes.deleted(added) and added not in ctx.versions
    ctx.undo_stack.undo()  # the deleted project is back, at its version
    assert heard[-1] == Changes.inserted(added, project.version)
    assert ctx.versions[added] == project.version


def test_a_macro_is_one_broadcast(
    ctx: AppContext, heard: list[Changes], sample_store: Store
) -> None:
    a, b = (p.id for p in sample_store.list_projects()[:2])
    macro = MacroCommand(ctx, "设置状态")
    _edit(ctx, a, {"status": "暂缓"}, macro)
    _edit(ctx, b, {"status": "暂缓"}, macro)
    ctx.push(macro)
    assert len(heard) == 1 and dict(heard[0].changed) == {a: {"status"}, b: {"status"}}


def _sync_like(ctx: AppContext, sample_store: Store, pid: int, note: str) -> None:
    """What a sync does: another connection writes, then its Changes are broadcast."""
    twin = sample_store.twin()
    try:
        project = twin.update_project(pid, {"note": note}, expected_version=None)
    finally:
        twin.close()
    ctx.notify(Changes.fields(pid, ["note"], project.version))


def test_a_write_outside_the_stack_blocks_the_steps_it_would_lose(
    ctx: AppContext, sample_store: Store
) -> None:
    first, second = (p.id for p in sample_store.list_projects()[:2])
    ctx.push(_edit(ctx, first, {"note": "我的修改"}))
    ctx.push(_edit(ctx, second, {"note": "另一项目"}))
    _sync_like(ctx, sample_store, first, "另一台电脑的修改")
    ctx.push(_edit(ctx, first, {"status": "滞后"}))  # made after the sync: undoable
    before = dump(sample_store)
    ctx.undo_stack.undo()  # the status edit
    assert sample_store.get_project(first).status.value != "滞后"
    ctx.undo_stack.undo()  # the other project's edit: untouched by the sync
    assert sample_store.get_project(second).note != "另一项目"
    ctx.undo_stack.undo()  # would write over the sync: refused, nothing changes
    assert sample_store.get_project(first).note == "另一台电脑的修改"
    assert ctx.prompts.asked[-1] == (
        "error",
        "无法撤销",
        f"无法撤销“修改”：{UNDO_BLOCKED}",
    )
    assert dump(sample_store) != before  # the two undos above went through
    assert not ctx.undo_stack.canUndo()


def test_settled_ids_block_every_step_on_them(ctx: AppContext, sample_store: Store) -> None:
    a, b = (p.id for p in sample_store.list_projects()[:2])
    macro = MacroCommand(ctx, "设置状态")
    _edit(ctx, a, {"status": "暂缓"}, macro)
    _edit(ctx, b, {"status": "暂缓"}, macro)
    ctx.push(macro)
    before = dump(sample_store)
    ctx.notify(Changes(renumbered={b: 9999}))  # a sync gave b's id to another desk's project
    ctx.undo_stack.undo()
    assert dump(sample_store) == before  # neither project was touched
    assert ctx.prompts.asked == [("error", "无法撤销", f"无法撤销“设置状态”：{UNDO_BLOCKED}")]
    assert not ctx.undo_stack.canUndo()
