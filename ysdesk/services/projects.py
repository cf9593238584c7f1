"""Project queries shared by the window and the CLI: filters from user words, units resolution."""

from __future__ import annotations

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import OVERDUE_LABEL, ProjectFilter, Status
from ysdesk.domain.units import UnitResolver
from ysdesk.domain.validation import unknown_task, unknown_unit, unknown_zone
from ysdesk.store import Store

NO_ZONE_WORDS = ("无", "未标注", "未标注功能区", "none")


def unit_resolver(store: Store) -> UnitResolver:
    """A resolver over the store's unit registry (canonical names and aliases)."""
    return UnitResolver(store.units())


def resolve_unit(store: Store, name: str) -> str:
    """The canonical name of a unit written as a name or alias, or a refusal."""
    canonical = unit_resolver(store).resolve(name)
    if canonical is None:
        raise UserError(unknown_unit([name]))
    return canonical


def match_zone(names: list[str], word: str) -> str | None:
    """The zone a user means by its name or a part only it contains (“策源区”), or None."""
    word = word.strip()
    if word in names:
        return word
    matches = [n for n in names if word and word in n]
    return matches[0] if len(matches) == 1 else None


def filter_from_options(
    store: Store,
    *,
    year: int | None = None,
    task_no: int | None = None,
    zone: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    text: str = "",
) -> ProjectFilter:
    """A ProjectFilter from words as a user types them; unknown words are refused."""
    plan = store.plan_names()
    if task_no is not None and task_no not in plan.task_nos:
        raise UserError(unknown_task(task_no, plan))
    zone_name = None
    if zone is not None:
        if zone.strip().lower() in NO_ZONE_WORDS:
            zone_name = ""
        else:
            names = [z.name for z in store.zones()]
            zone_name = match_zone(names, zone)
            if zone_name is None:
                raise UserError(unknown_zone([zone], names))
    unit_name = resolve_unit(store, unit) if unit else None
    status_value = None
    overdue = False
    if status:
        if status.strip() == OVERDUE_LABEL:
            overdue = True
        else:
            status_value = Status.parse(status)
            if status_value is None:
                words = "、".join([s.value for s in Status] + [OVERDUE_LABEL])
                raise UserError(f"无法识别的状态“{status}”（可选：{words}）。")
    return ProjectFilter(
        year=year,
        task_no=task_no,
        zone=zone_name,
        unit=unit_name,
        status=status_value,
        overdue_only=overdue,
        text=text,
    )
