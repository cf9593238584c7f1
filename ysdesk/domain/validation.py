"""What keeps a project from being saved, said once: field → one Chinese sentence.

The store refuses a write with these sentences, the editor shows them under their fields,
the command line prints them; nobody words a rule of its own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ysdesk.domain.errors import ValidationError
from ysdesk.domain.model import FIELD_LABELS, Status, format_list

YEARS = range(1900, 2201)


@dataclass(frozen=True)
class PlanNames:
    """The plan's names a project may refer to: task numbers, unit and zone names (any
    collections: the store passes its cached maps' keys, the import checks 10,000 rows)."""

    task_nos: Collection[int]
    units: Collection[str]
    zones: Collection[str]  # in plan order, for the sentence that lists them


def project_problems(values: Mapping[str, Any], plan: PlanNames) -> dict[str, str]:
    """Field → one sentence for each field whose value keeps the project from being saved.

    `values` holds a project's fields as Project.field_value gives them (statuses as their
    words, lists as tuples); fields missing from it are not checked. Empty: it may be saved.
    """
    problems: dict[str, str] = {}
    if "name" in values and not str(values["name"] or "").strip():
        problems["name"] = "请填写项目名称。"
    if "task_no" in values and values["task_no"] not in plan.task_nos:
        problems["task_no"] = unknown_task(values["task_no"], plan)
    lead = tuple(values.get("lead_units", ()))
    co = tuple(values.get("co_units", ()))
    if "lead_units" in values:
        unknown = _unknown(lead, plan.units)
        if unknown:
            problems["lead_units"] = unknown_unit(unknown)
        elif not lead:
            problems["lead_units"] = "至少需要一个牵头单位。"
    if "co_units" in values:
        unknown = _unknown(co, plan.units)
        both = [u for u in co if u in lead]
        if unknown:
            problems["co_units"] = unknown_unit(unknown)
        elif both:
            problems["co_units"] = f"“{format_list(both)}”已是牵头单位，不能同时配合。"
    if "zones" in values:
        unknown = _unknown(values["zones"], plan.zones)
        if unknown:
            problems["zones"] = unknown_zone(unknown, plan.zones)
    if "year" in values and values["year"] not in YEARS:
        problems["year"] = f"年度应在 {YEARS[0]}–{YEARS[-1]} 之间：{values['year']}。"
    if "status" in values and Status.parse(values["status"]) is None:
        problems["status"] = unknown_status(values["status"])
    return problems


def check_project(values: Mapping[str, Any], plan: PlanNames) -> None:
    """Refuse a write with the first problem, naming the project when it has a name."""
    problems = project_problems(values, plan)
    if not problems:
        return
    sentence = next(iter(problems.values()))
    name = str(values.get("name") or "").strip()
    raise ValidationError(f"项目“{name}”未保存：{sentence}" if name else sentence)


def unknown_task(task_no: object, plan: PlanNames) -> str:
    """The sentence for a task number the plan does not have (or none chosen)."""
    if not task_no:
        return "请选择重点任务。"
    span = f"（应为 {min(plan.task_nos)}–{max(plan.task_nos)}）" if plan.task_nos else ""
    return f"没有第 {task_no} 项重点任务{span}。"


def unknown_unit(names: Iterable[str]) -> str:
    """The sentence for unit names the registry does not hold."""
    return f"单位名录中没有“{format_list(list(names))}”。"


def unknown_zone(names: Iterable[str], zones: Iterable[str]) -> str:
    """The sentence for zone names the plan does not have, listing those it has."""
    return f"没有名为“{format_list(list(names))}”的功能区（可选：{format_list(list(zones))}）。"


def unknown_status(text: object) -> str:
    """The sentence for a status word that means none of the statuses."""
    choices = format_list([s.value for s in Status])
    return f"无法识别的推进状态“{text}”（可选：{choices}）。"


def not_a_number(field: str, text: object) -> str:
    """The sentence for a number field (年度, 重点任务) given something else."""
    return f"{FIELD_LABELS[field]}应为数字：{text if text not in ('', None) else '（空）'}。"


def _unknown(names: Iterable[str], known: Collection[str]) -> list[str]:
    return [n for n in names if n not in known]
