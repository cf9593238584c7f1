"""Edits and their undos restore the database exactly (fields, links, history, order)."""

from __future__ import annotations

from datetime import date

import pytest

from ysdesk.domain.errors import StaleEditError, UserError, ValidationError
from ysdesk.domain.model import ProjectFilter
from ysdesk.services import editing


def dump(store) -> list[tuple]:
    """Everything a user can see of the projects: fields, order, links and progress history."""
    rows = []
    for p in store.list_projects(ProjectFilter()):
        history = tuple((h.date, h.text, h.origin) for h in store.progress_history(p.id))
        data = p.to_json(date(2026, 11, 27))
        data.pop("version")
        data.pop("updated_at")
        rows.append((tuple(sorted(data.items(), key=lambda kv: kv[0])), history))
    return rows


def test_field_change_and_undo_restore_exactly(sample_store) -> None:
    before = dump(sample_store)
    pid = sample_store.project_ids(ProjectFilter(year=2025, task_no=2))[0]
    project = sample_store.get_project(pid)
    change = editing.apply_changes(
        sample_store,
        pid,
        {"task_no": 9, "status": "滞后", "zones": ("产业创新承载区",)},
        expected_version=project.version,
    )
    assert change.changed
    assert change.project.task_no == 9
    assert dump(sample_store) != before
    editing.undo_changes(sample_store, change, expected_version=change.project.version)
    assert dump(sample_store) == before


def test_stale_version_is_refused_and_nothing_changes(sample_store) -> None:
    pid = sample_store.project_ids(ProjectFilter(year=2025))[0]
    project = sample_store.get_project(pid)
    editing.apply_changes(sample_store, pid, {"note": "甲"}, expected_version=project.version)
    before = dump(sample_store)
    with pytest.raises(StaleEditError) as info:
        editing.apply_changes(sample_store, pid, {"note": "乙"}, expected_version=project.version)
    assert info.value.actual == project.version + 1
    assert dump(sample_store) == before


def test_progress_entry_and_its_undo(sample_store) -> None:
    pid = sample_store.project_ids(ProjectFilter(year=2025))[3]
    project = sample_store.get_project(pid)
    before = dump(sample_store)
    added = editing.add_progress(
        sample_store, pid, "2025-10-08", "完成设备招标。", expected_version=project.version
    )
    history = sample_store.progress_history(pid)
    assert ("2025-10-08", "完成设备招标。", "手工") in [(h.date, h.text, h.origin) for h in history]
    assert added.project.progress == "完成设备招标。"
    editing.undo_progress(sample_store, added, expected_version=added.project.version)
    assert dump(sample_store) == before
    with pytest.raises(UserError):
        editing.add_progress(
            sample_store, pid, "2025-10-09", project.progress, expected_version=None
        )
    with pytest.raises(ValidationError):
        editing.add_progress(sample_store, pid, "10月9日", "文字", expected_version=None)


def test_delete_and_restore_put_the_project_back_in_place(sample_store) -> None:
    before = dump(sample_store)
    order_before = sample_store.project_ids(ProjectFilter(year=2025))
    pid = sample_store.project_ids(ProjectFilter(year=2025, task_no=1))[0]
    deleted = editing.delete_project(sample_store, pid)
    assert pid not in sample_store.project_ids(ProjectFilter())
    editing.restore_project(sample_store, deleted)
    assert sample_store.project_ids(ProjectFilter(year=2025)) == order_before
    assert dump(sample_store) == before


def test_drafts_are_checked_field_by_field(sample_store) -> None:
    draft = editing.new_draft(sample_store, 2025)
    problems = editing.draft_problems(sample_store, draft)
    assert set(problems) == {"name", "task_no", "lead_units"}
    draft = editing.new_draft(sample_store, 2025, task_no=3, lead_unit="区科委")
    assert draft.code.startswith("2025-03-")
    assert set(editing.draft_problems(sample_store, draft)) == {"name"}
    draft = draft.replace(name="新建概念验证中心", co_units=("区科委",))
    assert set(editing.draft_problems(sample_store, draft)) == {"co_units"}
    with pytest.raises(ValidationError):
        editing.create_project(sample_store, draft)
    written = editing.create_project(sample_store, draft.replace(co_units=("复旦大学",)))
    created = written.project
    assert created.id and created.code == draft.code
    assert written.changes.added == {created.id} and written.changes.structure
    assert sample_store.audit_log(created.id)[0].field == "created"


def test_suggested_code_follows_the_list(sample_store) -> None:
    codes = [p.code for p in sample_store.list_projects(ProjectFilter(year=2025, task_no=1))]
    highest = max(int(c.rsplit("-", 1)[1]) for c in codes)
    assert editing.suggest_code(sample_store, 2025, 1) == f"2025-01-{highest + 1:02d}"
    assert editing.suggest_code(sample_store, 2026, 5) == "2026-05-01"


def test_duplicate_draft_copies_fields_under_a_new_name(sample_store) -> None:
    pid = sample_store.project_ids(ProjectFilter(year=2025))[0]
    source = sample_store.get_project(pid)
    copy = editing.duplicate_draft(sample_store, pid)
    assert copy.id is None and copy.name == source.name + editing.COPY_SUFFIX
    assert (copy.lead_units, copy.zones, copy.goal) == (
        source.lead_units,
        source.zones,
        source.goal,
    )
    assert copy.code != source.code


def test_words_become_field_values_as_the_editor_holds_them(sample_store) -> None:
    values = editing.values_from_words(
        sample_store,
        {
            "lead": "杨浦区科学技术委员会，复旦；区科委",
            "co": "",
            "zones": "策源区、辐射溢出联动区",
            "status": "进行中",
            "task": "7",
            "项目名称": " 新名称 ",
        },
    )
    assert values == {
        "lead_units": ("区科委", "复旦大学"),
        "co_units": (),
        "zones": ("科技创新策源区", "辐射溢出联动区"),
        "status": "推进中",
        "task_no": 7,
        "name": "新名称",
    }
    # What matches nothing stays as written, for the validation to refuse.
    unknown = editing.values_from_words(sample_store, {"lead": "火星办", "zones": "月球"})
    assert unknown == {"lead_units": ("火星办",), "zones": ("月球",)}
    with pytest.raises(UserError, match="colour"):
        editing.values_from_words(sample_store, {"colour": "red"})
    with pytest.raises(ValidationError, match="开心"):
        editing.values_from_words(sample_store, {"status": "开心"})


def test_a_project_is_found_by_id_or_code(sample_store) -> None:
    project = sample_store.list_projects(ProjectFilter(year=2025, task_no=4))[0]
    assert editing.find_project(sample_store, str(project.id)).id == project.id
    assert editing.find_project(sample_store, f" {project.code} ").id == project.id
    with pytest.raises(UserError, match="2099-01-01"):
        editing.find_project(sample_store, "2099-01-01")
