"""Edits of single projects, as the window's editor and the command line make them; each is
one transaction.

Every write returns what it changed (`changes`, ysdesk.services.changes) and what its undo
needs (previous values, snapshots, entry ids), so an undo command holds plain data and calls
back into this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ysdesk.domain.errors import NotFoundError, UserError, ValidationError
from ysdesk.domain.model import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    LIST_FIELDS,
    Project,
    ProjectFilter,
    Status,
)
from ysdesk.domain.units import split_units
from ysdesk.domain.validation import not_a_number, project_problems, unknown_status
from ysdesk.services.changes import Changes
from ysdesk.services.projects import match_zone, unit_resolver
from ysdesk.store import ProjectSnapshot, Store
from ysdesk.store.backup import auto_backup
from ysdesk.store.index_queries import (
    ids_with_code,
    last_progress_id,
    project_position,
    revert_progress,
    set_project_position,
)

COPY_SUFFIX = "（副本）"
_CODE = re.compile(r"^(\d{4})-(\d{2})-(\d+)$")

# The names the command line's `set` and `add` give the fields a user edits (DESIGN.md §4),
# with code and year, which the editor edits too.
WORD_FIELDS: dict[str, str] = {
    "name": "name",
    "goal": "goal",
    "task": "task_no",
    "zones": "zones",
    "lead": "lead_units",
    "co": "co_units",
    "deadline": "deadline_text",
    "status": "status",
    "progress": "progress",
    "note": "note",
    "code": "code",
    "year": "year",
}
# The same fields by their Chinese labels (项目名称=…, 推进状态=…).
_LABEL_FIELDS = {FIELD_LABELS[f]: f for f in WORD_FIELDS.values()}
# Zones in one value are separated as units are (、，,；;／/ or a new line).
_LIST_SEPARATORS = re.compile(r"[、，,；;／/\n]")


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

    @property
    def changes(self) -> Changes:
        """The fields this write changed (none when every value was already so)."""
        fields = [k for k in self.new if self.old.get(k) != self.new[k]]
        return Changes.fields(self.project.id or 0, fields, self.project.version)


@dataclass(frozen=True)
class Written:
    """A project as a write left it, and what the write changed."""

    project: Project
    changes: Changes


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


def undo_changes(store: Store, change: FieldChange, *, expected_version: int | None) -> FieldChange:
    """Put the fields back; a project moved to another task returns to its old place.

    Returns the undo as a change of its own (from the values written to the old ones).
    """
    with store.atomic():
        project = store.update_project(
            change.project.id or 0, change.old, expected_version=expected_version
        )
        if "task_no" in change.old or "year" in change.old:
            set_project_position(store, project.id or 0, change.old_position)
    return FieldChange(project=project, old=change.new, new=change.old)


@dataclass(frozen=True)
class ProgressAdded:
    """A new progress entry and what undoing it needs."""

    project: Project
    previous_text: str
    after_id: int  # entries with a larger id were written by this addition
    date: str
    text: str

    @property
    def changes(self) -> Changes:
        return Changes.fields(self.project.id or 0, ["progress"], self.project.version)


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


def undo_progress(store: Store, added: ProgressAdded, *, expected_version: int | None) -> Written:
    """Take back an entry: the history and the latest text read as before it was added."""
    project = revert_progress(
        store,
        added.project.id or 0,
        added.previous_text,
        added.after_id,
        expected_version=expected_version,
    )
    return Written(project, Changes.fields(project.id or 0, ["progress"], project.version))


def draft_problems(store: Store, draft: Project) -> dict[str, str]:
    """Field → one Chinese sentence, for what keeps a project from being saved (inline)."""
    values = {field: draft.field_value(field) for field in EDITABLE_FIELDS}
    return project_problems(values, store.plan_names())


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


def create_project(store: Store, draft: Project) -> Written:
    """Save a new project (the store refuses it with the first problem draft_problems shows)."""
    project = store.insert_project(draft)
    return Written(project, Changes.inserted(project.id or 0, project.version))


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

    @property
    def changes(self) -> Changes:
        return Changes.deleted(self.snapshot.project.id or 0)


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


def restore_project(store: Store, deleted: Deleted) -> Written:
    """Put a deleted project back with its id, version, history and place."""
    with store.atomic():
        project = store.restore_project(deleted.snapshot)
        set_project_position(store, project.id or 0, deleted.position)
    return Written(project, Changes.inserted(project.id or 0, project.version))


# ------------------------------------------------------------ words of the command line
def find_project(store: Store, ref: str) -> Project:
    """The project a user names by its id (87) or its code (2025-03-02)."""
    ref = ref.strip()
    if ref.isdigit():
        return store.get_project(int(ref), with_history=False)
    ids = ids_with_code(store, ref)
    if not ids:
        raise NotFoundError(f"没有编号为“{ref}”的项目（也可用 list 列出的 id 指定项目）。")
    if len(ids) > 1:
        listed = "、".join(map(str, ids))
        raise UserError(f"编号为“{ref}”的项目有 {len(ids)} 个（id {listed}），请用 id 指定。")
    return store.get_project(ids[0], with_history=False)


def field_of_word(word: str) -> str:
    """The project field a user names (`lead`, `牵头单位`), or a refusal naming the choices."""
    key = word.strip()
    field = WORD_FIELDS.get(key.lower()) or _LABEL_FIELDS.get(key)
    if field is None:
        choices = "、".join(WORD_FIELDS)
        raise UserError(f"无法识别的字段“{word}”（可修改：{choices}）。")
    return field


def values_from_words(store: Store, words: Mapping[str, str]) -> dict[str, Any]:
    """Field values from words as a user types them (`lead=区科委、复旦大学`), keyed by field.

    Units are found by name or alias, zones by name or a part of one, statuses as sheets
    write them. A unit or zone that matches nothing is kept as written, for the validation
    to refuse in its own sentence.
    """
    values: dict[str, Any] = {}
    resolver = None
    zone_names: list[str] | None = None
    for word, text in words.items():
        field = field_of_word(word)
        if field in values:
            raise UserError(f"字段“{word}”写了不止一次。")
        text = text.strip()
        if field in ("lead_units", "co_units"):
            resolver = resolver or unit_resolver(store)
            values[field] = _distinct(
                resolver.resolve(name) or name for name, _lead in split_units(text)
            )
        elif field == "zones":
            zone_names = zone_names if zone_names is not None else [z.name for z in store.zones()]
            pieces = (piece.strip() for piece in _LIST_SEPARATORS.split(text))
            values[field] = _distinct(
                match_zone(zone_names, piece) or piece for piece in pieces if piece
            )
        elif field == "status":
            status = Status.parse(text)
            if status is None:
                raise ValidationError(unknown_status(text))
            values[field] = status.value
        elif field in ("task_no", "year"):
            if not text.isdigit():
                raise ValidationError(not_a_number(field, text))
            values[field] = int(text)
        else:
            values[field] = text
    return values


def _distinct(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def with_values(project: Project, values: Mapping[str, Any]) -> Project:
    """A copy of a project (or draft) with field values as update_project accepts them."""
    changes = dict(values)
    if "status" in changes:
        status = changes["status"]
        changes["status"] = status if isinstance(status, Status) else Status(status)
    for field in LIST_FIELDS & changes.keys():
        changes[field] = tuple(changes[field])
    return project.replace(**changes)


def delete_for_good(
    store: Store, project_id: int, *, expected_version: int | None = None
) -> tuple[Deleted, Path | None]:
    """Delete a project that no undo will bring back (the command line): a backup first.

    A stale version is refused before the backup is made, and again inside the deletion.
    """
    project = store.get_project(project_id, with_history=False)
    if expected_version is not None and project.version != expected_version:
        # The store refuses it in its own sentence; no backup is made for nothing.
        return delete_project(store, project_id, expected_version=expected_version), None
    backup = auto_backup(store, "删除项目前")
    return delete_project(store, project_id, expected_version=expected_version), backup
