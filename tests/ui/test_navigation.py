"""Drag and drop moves projects between tasks (undoably); trees follow structural changes."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt

from tests.ui.conftest import dump
from ysdesk.domain.model import ProjectFilter
from ysdesk.ui.tree_model import PROJECT_MIME


def _task_index(model, task_no: int):
    for area_row in range(1, model.rowCount()):
        area = model.index(area_row, 0)
        for row in range(model.rowCount(area)):
            index = model.index(row, 0, area)
            if model.node(index).key == task_no:
                return index
    raise AssertionError(task_no)


def test_dragging_a_leaf_onto_another_task_moves_the_project(window, qtbot) -> None:
    store = window.ctx.store
    before = dump(store)
    model = window.navigation.models["task"]
    source_task = _task_index(model, 2)
    model.fetchMore(source_task)
    leaf = model.index(0, 0, source_task)
    pid = model.node(leaf).project_id
    assert model.flags(leaf) & Qt.ItemIsDragEnabled
    data = model.mimeData([leaf])
    target = _task_index(model, 7)
    assert model.canDropMimeData(data, Qt.MoveAction, -1, 0, target)
    # Areas and the 全部项目 node take no drops.
    assert not model.canDropMimeData(data, Qt.MoveAction, -1, 0, target.parent())
    total_before = model.node(target).total
    with qtbot.waitSignal(window.navigation.move_requested, timeout=2000):
        model.dropMimeData(data, Qt.MoveAction, -1, 0, target)
    qtbot.waitUntil(lambda: store.get_project(pid).task_no == 7, timeout=2000)
    # The tree was rebuilt: task 7 counts one more project, the audit log names the move.
    target = _task_index(window.navigation.models["task"], 7)
    assert window.navigation.models["task"].node(target).total == total_before + 1
    assert store.audit_log(pid)[0].field == "task_no"
    assert window.ctx.undo_stack.undoText().endswith("移到第 7 项任务")
    window.ctx.undo_stack.undo()
    assert dump(store) == before


def test_dropping_table_rows_on_a_task_moves_them_all_in_one_step(window, qtbot) -> None:
    store = window.ctx.store
    before = dump(store)
    ids = store.project_ids(ProjectFilter(year=2025, task_no=1))
    table = window.table.model
    data = table.mimeData([table.index(table.row_of(i), 0) for i in ids])
    tree = window.navigation.models["task"]
    target = _task_index(tree, 12)
    with qtbot.waitSignal(window.navigation.move_requested, timeout=2000):
        assert not tree.dropMimeData(data, Qt.MoveAction, -1, 0, target)
    qtbot.waitUntil(lambda: all(store.get_project(i).task_no == 12 for i in ids), timeout=2000)
    assert window.ctx.undo_stack.count() == 1
    window.ctx.undo_stack.undo()
    assert dump(store) == before


def test_foreign_drops_are_refused(window) -> None:
    tree = window.navigation.models["task"]
    target = _task_index(tree, 3)
    foreign = QMimeData()
    foreign.setText("not a project")
    assert not tree.canDropMimeData(foreign, Qt.MoveAction, -1, 0, target)
    broken = QMimeData()
    broken.setData(PROJECT_MIME, b"{not json")
    assert not tree.canDropMimeData(broken, Qt.MoveAction, -1, 0, target)
    zone_tree = window.navigation.models["zone"]
    assert not zone_tree.supportedDropActions() & Qt.MoveAction


def test_tree_keeps_expansion_and_selection_across_a_rebuild(window) -> None:
    nav = window.navigation
    model = nav.models["task"]
    task = _task_index(model, 9)
    nav.view().expand(task)
    nav.view().setCurrentIndex(task)
    pid = window.ctx.store.project_ids(ProjectFilter(year=2025, task_no=9))[0]
    window.project_actions.move_projects([pid], 10)
    task = _task_index(nav.models["task"], 9)
    assert nav.view().isExpanded(task)
    assert nav.current_node().key == 9
    assert pid not in window.table.model.ids()


def test_selecting_a_project_leaf_shows_it(window) -> None:
    model = window.navigation.models["task"]
    task = _task_index(model, 4)
    model.fetchMore(task)
    leaf = model.index(1, 0, task)
    window.navigation.view().setCurrentIndex(leaf)
    pid = model.node(leaf).project_id
    assert window.table.current_project_id() == pid
    assert window.editor.project.id == pid
    assert window.table.model.ids() == window.ctx.store.project_ids(
        ProjectFilter(year=2025, task_no=4)
    )
