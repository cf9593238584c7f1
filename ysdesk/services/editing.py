"""Edits of single projects as the window's undo commands make them; each is one transaction.

Every function returns what its undo needs (previous values, snapshots, entry ids), so an
undo command holds plain data and calls back into this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ysdesk.domain.errors import UserError, ValidationError
from ysdesk.domain.model import Project, ProjectFilter, Status
from ysdesk.store import ProjectSnapshot, Store
from ysdesk.store.backup import auto_backup
from ysdesk.store.index_queries import (
    last_progress_id,
    project_position,
    revert_progress,
    set_project_position,
)

# Changing these moves a project to another node of some navigation tree.
STRUCTURAL_FIELDS = frozenset({"year", "task_no", "zones", "lead_units", "co_units"})
COPY_SUFFIX = "（副本）"
_CODE = re.compile(r"^(\d{4})-(\d{2})-(\d+)$")


@dataclass(frozen=True)
class FieldChange:
    """A written change: the fields' values before and after, and the version it produced."""

    project: Project
    old: dict[str, Any]
    new: dict[str, Any]
    old_position: int = 0  # place within the task's list before the change

    @property
    def changed(self) -> bool:
        return self.old != self.new


def field_values(project: Project, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The values of some editable fields in the form update_project accepts."""
    return {k: project.field_value(k) for k in fields}


def apply_changes(
    store: Store, project_id: int, changes: dict[str, Any], *, expected_version: int | None
) -> FieldChange:
    """Write field changes if the project is still at `expected_version` (else StaleEditError)."""
    with store.atomic():
        before = store.get_project(project_id, with_history=False)
        position = project_position(store, project_id)
        old = field_values(before, list(changes))
        after = store.update_project(project_id, changes, expected_version=expected_version)
    return FieldChange(
        project=after, old=old, new=field_values(after, list(changes)), old_position=position
    )


def undo_changes(store: Store, change: FieldChange, *, expected_version: int | None) -> Project:
    """Put the fields back; a project moved to another task returns to its old place."""
    with store.atomic():
        project = store.update_project(
            change.project.id or 0, change.old, expected_version=expected_version
        )
        if "task_no" in change.old or "year" in change.old:
            set_project_position(store, project.id or 0, change.old_position)
    return project


def is_structural(fields: dict[str, Any] | list[str]) -> bool:
    """Whether changing these fields moves the project between tree nodes."""
    return not STRUCTURAL_FIELDS.isdisjoint(fields)


@dataclass(frozen=True)
class ProgressAdded:
    """A new progress entry and what undoing it needs."""

    project: Project
    previous_text: str
    after_id: int  # entries with a larger id were written by this addition
    date: str
    text: str


def add_progress(
    store: Store, project_id: int, date_text: str, text: str, *, expected_version: int | None
) -> ProgressAdded:
    """Add a dated 进展情况 entry; it becomes the project's latest progress."""
    text = text.strip()
    if not text:
        raise ValidationError("请填写进展情况。")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_text):
        raise ValidationError(f"日期格式应为 YYYY-MM-DD：{date_text}。")
    with store.atomic():
        before = store.get_project(project_id, with_history=False)
        if before.progress == text:
            raise UserError("与最新进展相同，未添加。")
        after_id = last_progress_id(store, project_id)
        project = store.add_progress(project_id, date_text, text, expected_version=expected_version)
    return ProgressAdded(
        project=project, previous_text=before.progress, after_id=after_id, date=date_text, text=text
    )


def undo_progress(store: Store, added: ProgressAdded, *, expected_version: int | None) -> Project:
    """Take back an entry: the history and the latest text read as before it was added."""
    return revert_progress(
        store,
        added.project.id or 0,
        added.previous_text,
        added.after_id,
        expected_version=expected_version,
    )


def draft_problems(store: Store, draft: Project) -> dict[str, str]:
    """Field → one Chinese sentence, for what keeps a project from being saved (inline)."""
    problems: dict[str, str] = {}
    if not draft.name.strip():
        problems["name"] = "请填写项目名称。"
    if draft.task_no not in {t.no for t in store.tasks()}:
        problems["task_no"] = "请选择重点任务。"
    if not draft.lead_units:
        problems["lead_units"] = "至少需要一个牵头单位。"
    both = set(draft.lead_units) & set(draft.co_units)
    if both:
        problems["co_units"] = f"“{'、'.join(sorted(both))}”已是牵头单位，不能同时配合。"
    return problems


def suggest_code(store: Store, year: int, task_no: int) -> str:
    """The next code in the list's pattern "2025-03-04" (year, task, number within the task)."""
    numbers = [0]
    for p in store.list_projects(ProjectFilter(year=year, task_no=task_no)):
        match = _CODE.match(p.code)
        if match and int(match.group(1)) == year and int(match.group(2)) == task_no:
            numbers.append(int(match.group(3)))
    return f"{year}-{task_no:02d}-{max(numbers) + 1:02d}"


def new_draft(
    store: Store,
    year: int,
    *,
    task_no: int | None = None,
    zone: str | None = None,
    lead_unit: str | None = None,
) -> Project:
    """An unsaved project pre-filled from where the user stands in the navigation tree."""
    return Project(
        id=None,
        year=year,
        name="",
        task_no=task_no or 0,
        code=suggest_code(store, year, task_no) if task_no else "",
        zones=(zone,) if zone else (),
        lead_units=(lead_unit,) if lead_unit else (),
        status=Status.NOT_STARTED,
    )


def create_project(store: Store, draft: Project) -> Project:
    """Save a new project (refused with the first problem when it is not complete)."""
    problems = draft_problems(store, draft)
    if problems:
        raise ValidationError(next(iter(problems.values())))
    return store.insert_project(draft)


def duplicate_draft(store: Store, project_id: int) -> Project:
    """A copy of a project to insert: same fields, new name and code, no history yet."""
    source = store.get_project(project_id, with_history=False)
    return source.replace(
        id=None,
        name=source.name + COPY_SUFFIX,
        code=suggest_code(store, source.year, source.task_no),
        created_at="",
        updated_at="",
        version=1,
        origin_id=None,
    )


@dataclass(frozen=True)
class Deleted:
    """A deleted project: its snapshot and its place in its task's list."""

    snapshot: ProjectSnapshot
    position: int


def backup_before_deleting(store: Store, count: int) -> Path | None:
    """An automatic backup before several projects are deleted at once (DESIGN.md §6): their
    undo lives only as long as the window."""
    if count < 2:
        return None
    return auto_backup(store, f"删除{count}个项目前")


def delete_project(
    store: Store, project_id: int, *, expected_version: int | None = None
) -> Deleted:
    """Delete a project; `restore_project` puts it back exactly."""
    with store.atomic():
        position = project_position(store, project_id)
        snapshot = store.delete_project(project_id, expected_version=expected_version)
    return Deleted(snapshot=snapshot, position=position)


def restore_project(store: Store, deleted: Deleted) -> Project:
    """Put a deleted project back with its id, version, history and place."""
    with store.atomic():
        project = store.restore_project(deleted.snapshot)
        set_project_position(store, project.id or 0, deleted.position)
    return project
