"""A large list's names, links and search texts come from a worker; the window never waits.

The sample list is small, so these tests lower the size from which the window waits for the
worker (ProjectData.sync_limit) and hold the worker at a gate: everything the user does
before the gate opens must be answered without reading those columns on the main thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ysdesk.domain.model import ProjectFilter
from ysdesk.services import project_index
from ysdesk.services.trees import LOADING_LABEL, loading_tree
from ysdesk.ui import project_data
from ysdesk.ui.main_window import MainWindow
from ysdesk.ui.table_model import COLUMN_KEYS
from ysdesk.ui.tree_model import TreeModel

WHOLE_YEAR_READS = ("label_rows", "sort_rows", "link_rows", "haystacks")


class Gate:
    """Holds the prefetch stages until opened; records reads of whole years by thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open_event = threading.Event()
        self.main_thread_reads: list[str] = []
        for name in ("prefetch_columns", "prefetch_search"):
            monkeypatch.setattr(project_data, name, self._held(getattr(project_data, name)))
        for name in WHOLE_YEAR_READS:
            monkeypatch.setattr(project_index, name, self._watched(name))
        monkeypatch.setattr(project_data.ProjectData, "sync_limit", 0)

    def _held(self, read: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any) -> Any:
            assert self.open_event.wait(10), "the test never opened the gate"
            return read(*args)

        return held

    def _watched(self, name: str) -> Callable[..., Any]:
        real = getattr(project_index, name)

        def watched(store: Any, *args: Any, **kwargs: Any) -> Any:
            ids = kwargs.get("ids", args[1] if len(args) > 1 else None)
            if ids is None and threading.current_thread() is threading.main_thread():
                self.main_thread_reads.append(name)
            return real(store, *args, **kwargs)

        return watched

    def open(self) -> None:
        self.open_event.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate(monkeypatch)
    yield gate
    gate.open()  # never leave a worker waiting


@pytest.fixture
def gated_window(gate: Gate, open_window) -> MainWindow:
    window = open_window()
    assert window.data.loading
    return window


def _settled(window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.data.loading and not window.table.waiting, timeout=10000)


def test_search_typed_before_the_texts_arrive_waits_then_applies(gated_window, gate, qtbot):
    window = gated_window
    store = window.ctx.store
    shown = window.table.model.ids()
    # Names and links are read first; a search typed meanwhile goes ahead of them.
    assert window.data.loading_groups == project_data.COLUMN_GROUPS
    qtbot.keyClicks(window.filter_bar.search, "fd")
    assert window.data.loading_groups == {project_index.SEARCH}
    # Nothing was read on the main thread: the rows stay and the caption says why.
    assert gate.main_thread_reads == []
    assert window.table.waiting and window.table.caption.busy()
    assert window.table.model.ids() == shown
    assert "正在载入检索数据" in window.table.caption.text()
    gate.open()
    _settled(window, qtbot)
    expected = store.project_ids(ProjectFilter(year=2025, text="fd"), window.ctx.today)
    assert expected and window.table.model.ids() == expected
    assert not window.table.caption.busy()
    assert "筛选后" in window.table.caption.text()
    assert gate.main_thread_reads == []
    assert all(window.data.index.has(g) for g in project_data.COLUMN_GROUPS)


def test_zone_tree_shows_loading_then_builds(gated_window, gate, qtbot, qtmodeltester):
    window = gated_window
    nav = window.navigation
    nav.set_kind("zone")
    model = nav.model()
    assert model.rowCount() == 1
    loading = model.index(0, 0)
    assert model.data(loading) == LOADING_LABEL
    assert not model.flags(loading) & Qt.ItemIsSelectable
    # The tester stays attached to what it checks: check a model of its own.
    placeholder = TreeModel()
    placeholder.set_root(loading_tree(2025), window.data.index)
    qtmodeltester.check(placeholder)
    assert gate.main_thread_reads == []
    gate.open()
    qtbot.waitUntil(lambda: nav.model().rowCount() > 1, timeout=10000)
    labels = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert "科技创新策源区" in labels and "未标注功能区" in labels
    assert gate.main_thread_reads == []


def test_unit_filter_and_sort_by_name_wait_too(gated_window, gate, qtbot):
    window = gated_window
    bar = window.filter_bar
    bar.set_filters(unit="区科委")
    assert window.table.waiting and "功能区和单位" in window.table.caption.text()
    window.table.view.sortByColumn(COLUMN_KEYS.index("name"), Qt.DescendingOrder)
    assert gate.main_thread_reads == []
    gate.open()
    _settled(window, qtbot)
    store = window.ctx.store
    expected = store.project_ids(ProjectFilter(year=2025, unit="区科委"), window.ctx.today)
    names = [store.get_project(i).name for i in window.table.model.ids()]
    assert sorted(window.table.model.ids()) == sorted(expected)
    assert names == sorted(names, reverse=True)


def test_task_leaves_read_only_their_own_names(gated_window, gate, qtbot):
    window = gated_window
    model = window.navigation.models["task"]
    area = model.index(1, 0)
    task = model.index(0, 0, area)
    model.fetchMore(task)
    leaf = model.node(model.index(0, 0, task))
    assert leaf.label == window.ctx.store.get_project(leaf.project_id).name
    assert gate.main_thread_reads == []


def test_edits_while_the_worker_reads_are_not_lost(gated_window, gate, qtbot):
    window = gated_window
    store = window.ctx.store
    pid = window.data.index.order[0]
    project = store.get_project(pid)
    window.editor.show_project(pid)
    name = {"name": "量子计算中试平台"}
    stored = store.update_project(pid, name, expected_version=project.version)
    from ysdesk.services.changes import Changes

    window.ctx.notify(Changes.fields(pid, ["name"], stored.version))
    gate.open()
    _settled(window, qtbot)
    index = window.data.index
    assert index.name(pid) == "量子计算中试平台"
    assert pid in index.select(ProjectFilter(year=2025, text="lzjs"))


def test_another_year_meanwhile_drops_the_old_read(gated_window, gate, qtbot):
    window = gated_window
    store = window.ctx.store
    pid = window.data.index.order[0]
    with store.atomic():
        store.update_project(pid, {"year": 2026}, expected_version=store.get_project(pid).version)
    window.data.set_year(2026)
    gate.open()
    _settled(window, qtbot)
    index = window.data.index
    assert index.year == 2026 and index.has(project_index.SEARCH)
    assert index.order == [pid]
    assert index.select(ProjectFilter(text=index.name(pid)[:2])) == [pid]


def test_small_lists_answer_at_once(open_window, qtbot):
    window = open_window()
    qtbot.keyClicks(window.filter_bar.search, "fd")
    assert not window.table.waiting
    store = window.ctx.store
    assert window.table.model.ids() == store.project_ids(
        ProjectFilter(year=2025, text="fd"), window.ctx.today
    )
