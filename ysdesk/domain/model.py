"""Dataclasses and enums for the plan (areas, tasks, zones, indicators, units) and projects."""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from json.encoder import encode_basestring as json_string  # the C function json.dumps uses
from typing import Any

CHINESE_NUMERALS = "一二三四五六七八九十"


class Status(str, enum.Enum):
    """The status a project is in; 逾期 is derived, never stored."""

    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"
    LAGGING = "滞后"
    PAUSED = "暂缓"

    @classmethod
    def parse(cls, text: str | None) -> Status | None:
        """Map a status word as departments write it to a Status, or None."""
        if text is None:
            return None
        key = "".join(str(text).split())
        if not key:
            return None
        for status in cls:
            if key == status.value:
                return status
        return _STATUS_WORDS.get(key)


_STATUS_WORDS: dict[str, Status] = {
    "未开始": Status.NOT_STARTED,
    "尚未启动": Status.NOT_STARTED,
    "待启动": Status.NOT_STARTED,
    "进行中": Status.IN_PROGRESS,
    "正在推进": Status.IN_PROGRESS,
    "在推进": Status.IN_PROGRESS,
    "正常推进": Status.IN_PROGRESS,
    "按计划推进": Status.IN_PROGRESS,
    "实施中": Status.IN_PROGRESS,
    "完成": Status.DONE,
    "已完成": Status.DONE,
    "已办结": Status.DONE,
    "办结": Status.DONE,
    "已落实": Status.DONE,
    "落后": Status.LAGGING,
    "进度滞后": Status.LAGGING,
    "滞后推进": Status.LAGGING,
    "延期": Status.LAGGING,
    "暂停": Status.PAUSED,
    "缓办": Status.PAUSED,
}

STATUS_ORDER: tuple[Status, ...] = tuple(Status)
OVERDUE_LABEL = "逾期"


def status_label(status: Status, overdue: bool) -> str:
    """The status word a user sees: the stored status, or 逾期 when overdue and not 滞后."""
    if overdue and status is not Status.LAGGING:
        return OVERDUE_LABEL
    return status.value


class Role(str, enum.Enum):
    """A unit's role on a project."""

    LEAD = "lead"
    CO = "co"

    @property
    def label(self) -> str:
        return "牵头" if self is Role.LEAD else "配合"


@dataclass(frozen=True)
class PlanDocument:
    """The plan's own metadata (文号, issuers, date, title)."""

    doc_no: str
    title: str
    issuers: tuple[str, ...]
    issued: date
    published_by: str = ""


@dataclass(frozen=True)
class Area:
    """One of the four chapters of 重点任务, e.g. （一）打造全球科创策源新高地."""

    no: int
    title: str
    intro: str = ""

    @property
    def numeral(self) -> str:
        return CHINESE_NUMERALS[self.no - 1]

    @property
    def label(self) -> str:
        return f"（{self.numeral}）{self.title}"


@dataclass(frozen=True)
class Task:
    """One of the 23 numbered key tasks."""

    no: int
    area_no: int
    title: str
    text: str

    @property
    def label(self) -> str:
        return f"{self.no}. {self.title}"


@dataclass(frozen=True)
class Zone:
    """A functional zone (功能区); area_km2 is None for the zone outside the district."""

    id: int
    name: str
    area_km2: float | None
    description: str = ""


@dataclass(frozen=True)
class Indicator:
    """A target indicator of the plan, e.g. 全社会研发经费投入占GDP比重 5.5% by 2027."""

    id: int
    name: str
    unit: str
    target_value: float
    target_year: int
    comparator: str = "="  # "≥" when the plan says 以上
    baseline_value: float | None = None
    baseline_year: int | None = None


@dataclass(frozen=True)
class IndicatorValue:
    """An actual value of an indicator in a year, with its source."""

    indicator_id: int
    year: int
    value: float
    source: str = ""
    as_of: str = ""


@dataclass(frozen=True)
class Unit:
    """A responsible unit with its canonical name, kind and aliases."""

    id: int
    name: str
    kind: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgressEntry:
    """One dated entry of a project's 进展情况 history."""

    date: str
    text: str
    origin: str = ""
    id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One field change of a project: time, field, old → new, origin (手工 or a file name)."""

    at: str
    project_id: int
    field: str
    old: str
    new: str
    origin: str
    id: int | None = None
    batch_id: int | None = None


# Fields a user edits; the store writes them, the audit log names them.
EDITABLE_FIELDS: tuple[str, ...] = (
    "year",
    "code",
    "name",
    "task_no",
    "zones",
    "lead_units",
    "co_units",
    "goal",
    "deadline_text",
    "status",
    "progress",
    "note",
)

FIELD_LABELS: dict[str, str] = {
    "id": "编号",
    "year": "年度",
    "code": "项目编号",
    "name": "项目名称",
    "task_no": "重点任务",
    "area_no": "任务领域",
    "zones": "功能区",
    "lead_units": "牵头单位",
    "co_units": "配合单位",
    "goal": "年度目标",
    "deadline_text": "完成时限",
    "deadline": "完成日期",
    "status": "推进状态",
    "progress": "进展情况",
    "note": "备注",
    "created": "新增项目",
    "deleted": "删除项目",
}

LIST_FIELDS = frozenset({"zones", "lead_units", "co_units"})


@dataclass(frozen=True)
class Project:
    """One project of an annual list."""

    id: int | None
    year: int
    name: str
    task_no: int
    code: str = ""
    area_no: int = 0
    zones: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()
    co_units: tuple[str, ...] = ()
    goal: str = ""
    deadline_text: str = ""
    deadline: date | None = None
    status: Status = Status.NOT_STARTED
    progress: str = ""
    note: str = ""
    created_at: str = ""
    updated_at: str = ""
    version: int = 1
    origin_id: int | None = None
    history: tuple[ProgressEntry, ...] = field(default=(), compare=False)

    def is_overdue(self, today: date) -> bool:
        """Overdue (逾期): the derived deadline has passed and the project is not done.

        The one definition of overdue; the store's SQL form (store.filters.OVERDUE_SQL) is
        tested against it.
        """
        return (
            self.deadline is not None and self.deadline < today and self.status is not Status.DONE
        )

    def display_status(self, today: date) -> str:
        """The status word a user sees (status_label)."""
        return status_label(self.status, self.is_overdue(today))

    def units(self) -> tuple[str, ...]:
        """Lead units then cooperating units."""
        return self.lead_units + self.co_units

    def field_value(self, name: str) -> Any:
        """The value of an editable field as the store compares it."""
        value = getattr(self, name)
        return value.value if isinstance(value, Status) else value

    def replace(self, **changes: Any) -> Project:
        return dataclasses.replace(self, **changes)

    def to_json(self, today: date) -> dict[str, Any]:
        """The JSON object of `list --json` (DESIGN.md §4) and of an import preview's rows.

        The one place a project's JSON is made: json_text writes this object, and the texts
        the store keeps (store.kept_json) are json_text for UNDATED.
        """
        return {
            "id": self.id,
            "code": self.code,
            "year": self.year,
            "name": self.name,
            "task_no": self.task_no,
            "area_no": self.area_no,
            "zones": list(self.zones),
            "lead_units": list(self.lead_units),
            "co_units": list(self.co_units),
            "goal": self.goal,
            "deadline_text": self.deadline_text,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "status": self.status.value,
            "progress": self.progress,
            "note": self.note,
            "overdue": self.is_overdue(today),
            "version": self.version,
            "origin_id": self.origin_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def json_text(self, today: date) -> str:
        """to_json as JSON text, as json.dumps(…, ensure_ascii=False) writes it."""
        return json.dumps(self.to_json(today), ensure_ascii=False)


# A day before every deadline: a project's JSON text for it says "overdue": false, and is
# the same for every day on which the project is not overdue.
UNDATED = date.min
_NOT_OVERDUE, _OVERDUE = '"overdue": false', '"overdue": true'


def dated_json_text(undated: str, overdue: bool) -> str:
    """A project's json_text(UNDATED) made into its json_text for a day on which it is
    `overdue` or not: the "overdue" value is the only part of the text that a day decides.

    Outside a string a JSON text has no quote escaped, and inside one every quote is: the
    first '"overdue": false' is the key's.
    """
    return undated.replace(_NOT_OVERDUE, _OVERDUE, 1) if overdue else undated


PROJECT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Project))
_new_object = object.__new__


def stored_project(values: Sequence[Any]) -> Project:
    """A Project from every field's value in declaration order (history last), as the store
    reads them back: values it wrote itself, so nothing is converted or checked.

    A frozen dataclass's __init__ sets its 20 fields one by one through object.__setattr__;
    filling the instance dict at once builds 10,000 projects in less than half the time.
    """
    project = _new_object(Project)
    project.__dict__.update(zip(PROJECT_FIELDS, values, strict=True))
    return project


def json_strings(values: Sequence[str]) -> str:
    """A list of strings as JSON text (as json.dumps writes it, non-ASCII kept)."""
    if len(values) < 2:  # most unit and zone lists
        return f"[{json_string(values[0])}]" if values else "[]"
    return "[" + ", ".join(map(json_string, values)) + "]"


@dataclass(frozen=True)
class ProjectFilter:
    """What a list of projects is narrowed to; None means no restriction."""

    year: int | None = None
    task_no: int | None = None
    area_no: int | None = None
    zone: str | None = None  # a zone name; "" means 未标注功能区
    unit: str | None = None  # canonical unit name (lead or cooperating)
    role: Role | None = None  # with unit: only lead or only cooperating
    status: Status | None = None
    overdue_only: bool = False
    text: str = ""  # search over name, goal, units, progress (and pinyin initials)
    ids: tuple[int, ...] | None = None

    def matches(self, project: Project, today: date) -> bool:
        """Whether a project passes every condition: what each condition means.

        The one definition of the filters. The store's SQL (store.filters.where_clause) and the
        window's in-memory index (services.project_index) are faster forms of it, tested
        against it over random projects and filters.
        """
        p = project
        if self.ids is not None and p.id not in self.ids:
            return False
        if self.year is not None and p.year != self.year:
            return False
        if self.task_no is not None and p.task_no != self.task_no:
            return False
        if self.area_no is not None and p.area_no != self.area_no:
            return False
        if self.zone is not None and (self.zone not in p.zones if self.zone else p.zones):
            return False
        if self.unit is not None:
            units = {Role.LEAD: p.lead_units, Role.CO: p.co_units}.get(self.role, p.units())
            if self.unit not in units:
                return False
        if self.status is not None and p.status is not self.status:
            return False
        if self.overdue_only and not p.is_overdue(today):
            return False
        if self.text:
            # Imported here: pypinyin's dictionaries take ~0.2 s to load (see Store._haystack).
            from ysdesk.domain.search import matches, project_haystack

            haystack = project_haystack(
                p.name, p.code, p.goal, p.lead_units, p.co_units, p.progress
            )
            return matches(haystack, self.text)
        return True


def format_list(values: tuple[str, ...] | list[str]) -> str:
    """Join unit or zone names the way government sheets do: with 、."""
    return "、".join(values)


def now_iso() -> str:
    """Local time, seconds precision, as stored in created/updated/audit columns."""
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")
