"""WriteOp and ReadOp: a use case in the window's worker, its Changes broadcast, 取消 honoured."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from tests.ui.report_helpers import make_ctx
from ysdesk.domain.errors import UserError
from ysdesk.services import editing
from ysdesk.services.changes import Changes
from ysdesk.services.progress import Cancelled
from ysdesk.store import Store
from ysdesk.ui.context import AppContext
from ysdesk.ui.tasks import TaskRunner
from ysdesk.ui.writes import ReadOp, WriteOp


@pytest.fixture
def ctx(sample_store: Store, tmp_path: Path, today: date) -> AppContext:
    """A context with a worker, as the main window gives it."""
    ctx = make_ctx(sample_store, tmp_path, today)
    ctx.tasks = TaskRunner(None, ctx.prompts)
    return ctx


@pytest.fixture
def owner(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_write_runs_in_the_worker_and_its_changes_are_broadcast_first(
    qtbot, ctx: AppContext, owner: QWidget, sample_store: Store
) -> None:
    first = sample_store.list_projects()[0]
    heard: list[tuple[str, object]] = []
    ctx.changes.data_changed.connect(lambda changes: heard.append(("broadcast", changes)))
    threads = []

    def write(store: Store, progress) -> editing.FieldChange:
        threads.append(threading.current_thread() is threading.main_thread())
        assert store is not sample_store  # a twin connection, under the window's lock
        return editing.apply_changes(store, first.id, {"note": "后台写入"}, expected_version=None)

    WriteOp(ctx, owner, "写入", write).success(
        lambda change: heard.append(("success", change))
    ).run(source=owner)
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=5000)
    assert threads == [False]
    (kind, changes), (then, change) = heard
    assert (kind, then) == ("broadcast", "success")
    assert change.changes == changes
    assert changes == Changes.fields(first.id, ["note"], first.version + 1)
    assert changes.source is owner
    assert sample_store.get_project(first.id).note == "后台写入"


def test_a_write_whose_undo_command_tells_the_views_is_not_broadcast_twice(
    qtbot, ctx: AppContext, owner: QWidget, sample_store: Store
) -> None:
    first = sample_store.list_projects()[0]
    heard, results = [], []
    ctx.changes.data_changed.connect(heard.append)

    def write(store: Store, progress) -> editing.FieldChange:
        return editing.apply_changes(store, first.id, {"note": "x"}, expected_version=None)

    WriteOp(ctx, owner, "写入", write, broadcast=False).success(results.append).run()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert heard == []


def test_a_write_stopped_in_the_worker_changes_nothing(
    qtbot, ctx: AppContext, owner: QWidget, sample_store: Store
) -> None:
    """取消 stops the write inside its transaction; the window's store then sees no change."""
    before = sample_store.project_count()
    first = sample_store.list_projects()[0]
    outcome: list[object] = []

    def write(target: Store, progress) -> None:
        with target.atomic():
            target.update_project(first.id, {"name": "写了一半"}, expected_version=first.version)
            target.add_unit("写了一半的新单位")
            raise Cancelled()

    WriteOp(ctx, owner, "写入", write).success(outcome.append).failure(outcome.append).run()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    [error] = outcome
    assert isinstance(error, Cancelled) and error.message == "已取消，未作改动。"
    assert ctx.prompts.asked == []  # a cancel is not an error to show
    assert sample_store.project_count() == before
    assert sample_store.get_project(first.id).name == first.name
    assert "写了一半的新单位" not in {u.name for u in sample_store.units()}


def test_a_refusal_is_shown_unless_the_caller_takes_it(
    qtbot, ctx: AppContext, owner: QWidget
) -> None:
    def refuse(store: Store, progress) -> None:
        raise UserError("不行。")

    task_done = []
    WriteOp(ctx, owner, "写入", refuse).run()
    qtbot.waitUntil(lambda: bool(ctx.prompts.asked), timeout=5000)
    assert ctx.prompts.asked == [("error", "写入", "不行。")]
    WriteOp(ctx, owner, "写入", refuse).failure(task_done.append).run()
    qtbot.waitUntil(lambda: bool(task_done), timeout=5000)
    assert len(ctx.prompts.asked) == 1


def test_a_read_runs_over_a_read_only_connection_and_a_cancel_discards_it(
    qtbot, ctx: AppContext, owner: QWidget, sample_store: Store
) -> None:
    seen: list[object] = []

    def read(store: Store, progress) -> int:
        seen.append(store.readonly)
        return store.project_count()

    ReadOp(ctx, owner, "读取", read).success(seen.append).run()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen == [True, sample_store.project_count()]

    started, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def slow(store: Store, progress) -> int:
        started.set()
        release.wait(5)
        return 1

    task = ReadOp(ctx, owner, "读取", slow).success(outcome.append).failure(outcome.append).run()
    assert started.wait(5) and task is not None
    task.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert isinstance(outcome[0], Cancelled)


def test_without_a_worker_the_use_case_runs_here(
    ctx: AppContext, owner: QWidget, sample_store: Store
) -> None:
    ctx.tasks = None
    first = sample_store.list_projects()[0]
    heard, results = [], []
    ctx.changes.data_changed.connect(heard.append)
    WriteOp(
        ctx,
        owner,
        "写入",
        lambda store, _: editing.apply_changes(
            store, first.id, {"note": "此处"}, expected_version=None
        ),
    ).success(results.append).run()
    assert results and results[0].project.note == "此处"
    assert heard == [results[0].changes]
