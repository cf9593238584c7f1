"""The editor writes each field at once, undo/redo restore the database exactly, stale edits ask."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt

from tests.ui.conftest import dump
from ysdesk.domain.model import ProjectFilter, Status
from ysdesk.services.changes import Changes


def _show(window, task_no: int = 2, index: int = 0):
    """Select a project of a task in the table; returns it as stored."""
    store = window.ctx.store
    pid = store.project_ids(ProjectFilter(year=2025, task_no=task_no))[index]
    assert window.table.select_project(pid)
    assert window.editor.project.id == pid
    return store.get_project(pid)


def _type(line_edit, text: str) -> None:
    """What typing and leaving the field does."""
    line_edit.setText(text)
    line_edit.setModified(True)
    line_edit.editingFinished.emit()


def _task_node(window, task_no: int):
    model = window.navigation.models["task"]
    for area_row in range(1, model.rowCount()):
        area = model.index(area_row, 0)
        for row in range(model.rowCount(area)):
            index = model.index(row, 0, area)
            if model.node(index).key == task_no:
                return model, index
    raise AssertionError(task_no)


def test_a_field_edit_is_written_audited_and_undone_exactly(window) -> None:
    store = window.ctx.store
    project = _show(window)
    before = dump(store)
    _type(window.editor.name, "  量子计算概念验证中心建设  ")
    stored = store.get_project(project.id)
    assert stored.name == "量子计算概念验证中心建设"
    assert stored.version == project.version + 1
    entry = store.audit_log(project.id)[0]
    assert (entry.field, entry.old, entry.new, entry.origin) == (
        "name",
        project.name,
        "量子计算概念验证中心建设",
        "手工",
    )
    # The table row and the tree leaf show the new name; the history tab the audit entry.
    row = window.table.model.row_of(project.id)
    assert window.table.model.data(window.table.model.index(row, 1)) == stored.name
    assert window.editor.audit_model.data(window.editor.audit_model.index(0, 1)) == "项目名称"
    after = dump(store)
    stack = window.ctx.undo_stack
    assert stack.undoText().startswith("修改“")
    assert window.undo_action.text().startswith("撤销")
    stack.undo()
    assert dump(store) == before
    assert window.editor.name.text() == project.name  # the editor follows the undo
    stack.redo()
    assert dump(store) == after


def test_status_edit_updates_table_and_tree_rollups(window) -> None:
    store = window.ctx.store
    pid = next(
        p.id
        for p in store.list_projects(ProjectFilter(year=2025, task_no=3))
        if p.status is not Status.DONE
    )
    window.table.select_project(pid)
    model, task_index = _task_node(window, 3)
    done_before = model.node(task_index).done
    all_done_before = model.node(model.index(0, 0)).done
    combo = window.editor.status
    combo.setCurrentIndex(combo.findData("已完成"))
    combo.activated.emit(combo.currentIndex())
    assert store.get_project(pid).status is Status.DONE
    assert model.node(task_index).done == done_before + 1
    assert model.node(model.index(0, 0)).done == all_done_before + 1
    assert f"完成 {done_before + 1}" in model.data(
        model.index(task_index.row(), 1, task_index.parent())
    )
    row = window.table.model.row_of(pid)
    assert window.table.model.data(window.table.model.index(row, 7)) == "已完成"
    window.ctx.undo_stack.undo()
    assert model.node(task_index).done == done_before


def test_every_field_of_the_editor_reaches_the_database(window) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window, task_no=4)
    before = dump(store)
    _type(editor.code, "2025-04-99")
    _type(editor.deadline, "2025年第三季度")
    assert editor.derived.text() == "→ 2025-09-30"
    editor.task.set_task_no(9)
    editor.task.task_chosen.emit(9)
    boxes = editor.zones.boxes()
    boxes[3].setChecked(not boxes[3].isChecked())
    boxes[3].clicked.emit()
    editor.goal.setPlainText("年内完成平台建设。")
    editor.goal.document().setModified(True)
    editor.goal.committed.emit(editor.goal.toPlainText())
    editor.note.setPlainText("区领导关注")
    editor.note.committed.emit(editor.note.toPlainText())
    editor.co.units_changed.emit(("复旦大学",))
    stored = store.get_project(project.id)
    assert stored.code == "2025-04-99"
    assert stored.deadline_text == "2025年第三季度"
    assert stored.deadline.isoformat() == "2025-09-30"
    assert stored.task_no == 9
    assert ("辐射溢出联动区" in stored.zones) != ("辐射溢出联动区" in project.zones)
    assert (stored.goal, stored.note, stored.co_units) == (
        "年内完成平台建设。",
        "区领导关注",
        ("复旦大学",),
    )
    assert window.ctx.undo_stack.count() == 7
    while window.ctx.undo_stack.canUndo():
        window.ctx.undo_stack.undo()
    assert dump(store) == before


def test_inline_validation_keeps_bad_values_out(window) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    _type(editor.name, "   ")
    assert editor.errors["name"].isVisibleTo(editor)
    assert editor.errors["name"].text() == "请填写项目名称。"
    editor.lead.units_changed.emit(())
    assert editor.errors["lead_units"].text() == "至少需要一个牵头单位。"
    editor.co.units_changed.emit(project.lead_units[:1])
    assert "不能同时配合" in editor.errors["co_units"].text()
    assert store.get_project(project.id).version == project.version
    assert window.ctx.undo_stack.count() == 0


def test_derived_deadline_is_shown_live(window) -> None:
    editor = window.editor
    _show(window)
    editor.deadline.setText("2025年12月底前")
    assert editor.derived.text() == "→ 2025-12-31"
    editor.deadline.setText("持续推进")
    assert editor.derived.text() == "→ 无固定日期"
    editor.deadline.setText("２０２５年６月")
    assert editor.derived.text() == "→ 2025-06-30"


def test_unit_pickers_search_names_aliases_and_pinyin(window) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    box = editor.co.search
    assert "复旦大学" in box.candidates("fd")
    assert "区科委" in box.candidates("科学技术委员会")
    box.setText("区科技委")  # an alias of 区科委
    box.returnPressed.emit()
    if "区科委" in project.lead_units:
        assert "不能同时配合" in editor.errors["co_units"].text()
    else:
        assert "区科委" in store.get_project(project.id).co_units
    box.setText("不存在的单位")
    box.returnPressed.emit()
    assert editor.errors["co_units"].text() == "单位名录中没有“不存在的单位”。"


def test_task_picker_groups_tasks_under_areas(window) -> None:
    picker = window.editor.task
    model = picker.model()
    headings = [model.item(r) for r in range(model.rowCount()) if not model.item(r).isSelectable()]
    assert [h.text() for h in headings][:1] == ["（一）打造全球科创策源新高地"]
    assert len(headings) == 4
    assert picker.findData(23, Qt.UserRole + 1) > picker.findData(18, Qt.UserRole + 1) > 0


def test_a_stale_edit_is_caught_and_the_user_chooses(window, prompts) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    # Someone else writes the project (no broadcast reaches this window).
    store.update_project(project.id, {"note": "他人修改"}, expected_version=project.version)
    prompts.answers.append("cancel")
    _type(editor.name, "我的名称")
    assert prompts.asked[-1][0:2] == ("choose", "修改冲突")
    assert store.get_project(project.id).name == project.name
    assert editor.name.text() == "我的名称"
    prompts.answers.append("overwrite")
    _type(editor.name, "我的名称")
    stored = store.get_project(project.id)
    assert (stored.name, stored.note) == ("我的名称", "他人修改")
    store.update_project(project.id, {"goal": "又改了"}, expected_version=stored.version)
    prompts.answers.append("reload")
    _type(editor.name, "第三次")
    assert store.get_project(project.id).name == "我的名称"
    assert editor.name.text() == "我的名称"
    assert editor.goal.toPlainText() == "又改了"


def test_a_change_elsewhere_reloads_unless_the_user_is_typing(window) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    stored = store.update_project(project.id, {"goal": "新目标"}, expected_version=project.version)
    window.ctx.notify(Changes.fields(project.id, ["goal"], stored.version))
    assert editor.goal.toPlainText() == "新目标"
    editor.name.setText("正在输入")
    editor.name.setModified(True)
    again = store.update_project(project.id, {"goal": "再改"}, expected_version=stored.version)
    window.ctx.notify(Changes.fields(project.id, ["goal"], again.version))
    assert editor.name.text() == "正在输入"
    assert editor.notice.isVisibleTo(editor)


def test_progress_entries_are_added_read_and_undone(window) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    before = dump(store)
    rows = editor.progress_model.rowCount()
    editor.progress_text.setPlainText("完成概念验证中心场地改造。")
    editor.add_progress()
    assert editor.progress_model.rowCount() == rows + 1
    assert store.get_project(project.id).progress == "完成概念验证中心场地改造。"
    history = store.progress_history(project.id)
    assert ("2026-11-27", "完成概念验证中心场地改造。") in [(h.date, h.text) for h in history]
    assert editor.latest.text().endswith("完成概念验证中心场地改造。")
    window.ctx.undo_stack.undo()
    assert dump(store) == before
    assert editor.progress_model.rowCount() == rows


def test_new_project_draft_validates_then_saves_undoably(window) -> None:
    store = window.ctx.store
    editor = window.editor
    _model, task5 = _task_node(window, 5)
    window.navigation.view().setCurrentIndex(task5)
    window.project_actions.new.trigger()
    assert editor.is_draft
    assert editor.task.task_no() == 5
    assert editor.code.text().startswith("2025-05-")
    assert not editor.save_draft_button.isEnabled()
    assert editor.errors["name"].text() == "请填写项目名称。"
    assert editor.errors["lead_units"].text() == "至少需要一个牵头单位。"
    editor.name.setText("国际技术转移中心建设")
    editor.name.textEdited.emit("国际技术转移中心建设")
    editor.lead.units_changed.emit(("区科委",))
    assert editor.save_draft_button.isEnabled()
    count = store.project_count(2025)
    editor.save_draft()
    assert store.project_count(2025) == count + 1
    new_id = window.table.current_project_id()
    created = store.get_project(new_id)
    assert (created.name, created.task_no, created.lead_units) == (
        "国际技术转移中心建设",
        5,
        ("区科委",),
    )
    assert not editor.is_draft
    window.ctx.undo_stack.undo()
    assert store.project_count(2025) == count
    window.ctx.undo_stack.redo()
    assert store.get_project(new_id).name == "国际技术转移中心建设"


def test_delete_is_confirmed_and_undone_in_one_step(window, prompts) -> None:
    store = window.ctx.store
    before = dump(store)
    ids = store.project_ids(ProjectFilter(year=2025, task_no=6))[:2]
    window.table.select_project(ids[0])
    selection = window.table.view.selectionModel()
    row = window.table.model.row_of(ids[1])
    flags = QItemSelectionModel.SelectionFlag
    selection.select(window.table.model.index(row, 0), flags.Select | flags.Rows)
    prompts.answers.append(False)
    assert not window.project_actions.delete_projects()
    assert dump(store) == before
    prompts.answers.append(True)
    assert window.project_actions.delete_projects()
    assert not set(ids) & set(store.project_ids(ProjectFilter()))
    assert window.ctx.undo_stack.undoText() == "删除 2 个项目"
    window.ctx.undo_stack.undo()
    assert dump(store) == before


def test_duplicate_inserts_a_copy_and_selects_it(window) -> None:
    store = window.ctx.store
    project = _show(window)
    new_id = window.project_actions.duplicate_project()
    copy = store.get_project(new_id)
    assert copy.name == project.name + "（副本）"
    assert window.table.current_project_id() == new_id
    window.ctx.undo_stack.undo()
    assert new_id not in store.project_ids(ProjectFilter())


def test_set_status_on_several_rows_is_one_macro(window) -> None:
    store = window.ctx.store
    ids = store.project_ids(ProjectFilter(year=2025, task_no=8))
    window.table.view.selectAll()
    count = window.project_actions.set_status(Status.PAUSED)
    assert count >= len(ids)
    assert all(p.status is Status.PAUSED for p in store.list_projects(ProjectFilter(year=2025)))
    assert window.ctx.undo_stack.count() == 1
    window.ctx.undo_stack.undo()
    assert any(p.status is not Status.PAUSED for p in store.list_projects(ProjectFilter()))


def test_editor_tab_order_follows_the_form(window) -> None:
    editor = window.editor
    _show(window)
    order = [editor.name]
    widget = editor.name
    for _ in range(6):
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.TabFocus:
            widget = widget.nextInFocusChain()
        order.append(widget)
    assert order[1] is editor.code
    assert order[2] is editor.year or order[2].parent() is editor.year


def test_undo_after_a_write_outside_the_stack_refuses_instead_of_overwriting(
    window, prompts
) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    _type(editor.code, "2025-02-77")
    stored = store.get_project(project.id)
    # Another writer (an import, another tool) changes the project afterwards.
    store.update_project(project.id, {"code": "2025-02-88"}, expected_version=stored.version)
    window.ctx.undo_stack.undo()
    assert store.get_project(project.id).code == "2025-02-88"
    assert prompts.asked[-1][0] == "error" and "撤销" in prompts.asked[-1][1]
    # The failed step is dropped from the stack.
    assert window.ctx.undo_stack.count() == 0


def test_a_stale_progress_entry_asks_too(window, prompts) -> None:
    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    store.update_project(project.id, {"note": "他人修改"}, expected_version=project.version)
    editor.progress_text.setPlainText("本周完成验收。")
    prompts.answers.append("overwrite")
    editor.add_progress()
    assert prompts.asked[-1][:2] == ("choose", "修改冲突")
    stored = store.get_project(project.id)
    assert (stored.progress, stored.note) == ("本周完成验收。", "他人修改")


def test_window_run_task_delivers_on_the_main_thread(window, qtbot) -> None:
    results = []

    def work(progress):
        progress.start(2, "计算")
        progress.tick()
        progress.tick()
        return "完成"

    task = window.run_task("测试任务", work, results.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert results == ["完成"]


def test_changing_the_year_says_where_the_project_went_and_undo_brings_it_back(window) -> None:
    store = window.ctx.store
    project = _show(window, task_no=4)
    before = dump(store)
    editor = window.editor
    editor.year.setValue(2026)
    editor.year.editingFinished.emit()
    assert store.get_project(project.id).year == 2026
    # The row left the 2025 list; the status bar says where it went, the editor keeps it.
    assert window.table.model.row_of(project.id) == -1
    message = window.statusBar().currentMessage()
    assert "已移至 2026 年清单" in message and "Ctrl+Z" in message
    assert editor.project is not None and editor.project.id == project.id
    assert editor.year.value() == 2026 and editor.name.text() == project.name
    # Switching nodes does not repeat the message.
    window.statusBar().clearMessage()
    window.navigation.select_all()
    assert window.statusBar().currentMessage() == ""
    # Undo moves it back, selects it again and says so.
    window.ctx.undo_stack.undo()
    assert dump(store) == before
    assert window.table.current_project_id() == project.id
    assert "已回到 2025 年清单" in window.statusBar().currentMessage()
    assert editor.project.year == 2025


def test_the_editor_and_the_command_line_say_the_same_sentence(window, capsys, tmp_path) -> None:
    """One validation: what the editor shows under a field is what `set` refuses with."""
    import shutil

    from ysdesk.cli import main

    store = window.ctx.store
    editor = window.editor
    project = _show(window)
    copy = tmp_path / "copy.db"  # the window holds the writer lock of its own file
    shutil.copy(store.path, copy)
    lead = project.lead_units[0]
    cases = [
        ("name", lambda: _type(editor.name, "  "), "name=  "),
        ("lead_units", lambda: editor.lead.units_changed.emit(()), "lead="),
        ("co_units", lambda: editor.co.units_changed.emit((lead,)), f"co={lead}"),
    ]
    for field, edit, words in cases:
        edit()
        shown = editor.errors[field].text()
        assert shown
        assert main(["--db", str(copy), "set", str(project.id), words]) == 2
        refusal = capsys.readouterr().err.strip()
        assert refusal in (shown, f"项目“{project.name}”未保存：{shown}")
    assert store.get_project(project.id).version == project.version
