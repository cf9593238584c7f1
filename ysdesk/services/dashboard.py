"""The supervision dashboard (督办看板): counts by status and area, overdue and due-soon lists.

Overdue is derived from the parsed 完成时限 against `today`, a parameter so that tests (and a
leader asking "what will be late next week") can fix the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ysdesk.domain.model import STATUS_ORDER, Area, Project, Status
from ysdesk.store import Store
from ysdesk.store.rollups import (
    count_due_between,
    due_between_ids,
    overdue_by_unit,
    overdue_ids,
    status_counts,
)

DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class DashboardEntry:
    """A project in the overdue or due-soon list; `days` is days overdue or days left."""

    project_id: int
    code: str
    name: str
    task_no: int
    lead_units: tuple[str, ...]
    deadline_text: str
    deadline: date
    status: str
    days: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.project_id,
            "code": self.code,
            "name": self.name,
            "task_no": self.task_no,
            "lead_units": list(self.lead_units),
            "deadline_text": self.deadline_text,
            "deadline": self.deadline.isoformat(),
            "status": self.status,
            "days": self.days,
        }


@dataclass(frozen=True)
class AreaCounts:
    """An area's projects: total, per stored status, and overdue."""

    area: Area
    total: int
    by_status: dict[str, int]
    overdue: int


@dataclass(frozen=True)
class UnitOverdueCount:
    """A unit with the overdue projects it leads and cooperates on."""

    unit: str
    lead: int
    co: int


@dataclass
class Dashboard:
    """Everything the 督办看板 shows for a year on a given day."""

    year: int
    today: date
    soon_days: int
    total: int
    by_status: dict[str, int]
    overdue_count: int
    due_soon_count: int
    by_area: list[AreaCounts]
    overdue: list[DashboardEntry]
    due_soon: list[DashboardEntry]
    top_units: list[UnitOverdueCount]

    @property
    def done(self) -> int:
        return self.by_status.get(Status.DONE.value, 0)

    def to_json(self) -> dict[str, Any]:
        """The `dashboard --json` object."""
        return {
            "year": self.year,
            "today": self.today.isoformat(),
            "soon_days": self.soon_days,
            "total": self.total,
            "by_status": dict(self.by_status),
            "overdue_count": self.overdue_count,
            "due_soon_count": self.due_soon_count,
            "by_area": [
                {
                    "area_no": a.area.no,
                    "title": a.area.title,
                    "total": a.total,
                    "by_status": dict(a.by_status),
                    "overdue": a.overdue,
                }
                for a in self.by_area
            ],
            "overdue": [e.to_json() for e in self.overdue],
            "due_soon": [e.to_json() for e in self.due_soon],
            "top_units": [{"unit": u.unit, "lead": u.lead, "co": u.co} for u in self.top_units],
        }

    def summary_line(self) -> str:
        """One Chinese sentence for the top of the view, the CLI and a brief."""
        return (
            f"{self.year} 年共 {self.total} 个项目，已完成 {self.done} 个，"
            f"逾期 {self.overdue_count} 个，{self.soon_days} 天内到期 {self.due_soon_count} 个"
            f"（截至 {self.today.isoformat()}）。"
        )


def build_dashboard(
    store: Store,
    year: int,
    today: date,
    *,
    soon_days: int = DUE_SOON_DAYS,
    limit: int | None = None,
    top_units: int = 10,
) -> Dashboard:
    """The dashboard of a year as seen on `today`; lists are capped at `limit` if given."""
    areas = store.areas()
    per_area: dict[int, dict[str, int]] = {a.no: {} for a in areas}
    overdue_per_area: dict[int, int] = {a.no: 0 for a in areas}
    by_status = {s.value: 0 for s in STATUS_ORDER}
    overdue_count = 0
    for sc in status_counts(store, year, today):
        counts = per_area.setdefault(sc.area_no, {})
        counts[sc.status] = counts.get(sc.status, 0) + sc.count
        by_status[sc.status] = by_status.get(sc.status, 0) + sc.count
        if sc.overdue:
            overdue_per_area[sc.area_no] = overdue_per_area.get(sc.area_no, 0) + sc.count
            overdue_count += sc.count
    last = today + timedelta(days=soon_days)
    overdue = _entries(store, overdue_ids(store, year, today, limit), today, overdue=True)
    due_soon = _entries(
        store, due_between_ids(store, year, today, last, limit), today, overdue=False
    )
    return Dashboard(
        year=year,
        today=today,
        soon_days=soon_days,
        total=sum(by_status.values()),
        by_status=by_status,
        overdue_count=overdue_count,
        due_soon_count=count_due_between(store, year, today, last),
        by_area=[
            AreaCounts(
                area=a,
                total=sum(per_area[a.no].values()),
                by_status={s.value: per_area[a.no].get(s.value, 0) for s in STATUS_ORDER},
                overdue=overdue_per_area[a.no],
            )
            for a in areas
        ],
        overdue=overdue,
        due_soon=due_soon,
        top_units=[
            UnitOverdueCount(unit=u.unit, lead=u.lead, co=u.co)
            for u in overdue_by_unit(store, year, today, top_units)
        ],
    )


def _entries(store: Store, ids: list[int], today: date, *, overdue: bool) -> list[DashboardEntry]:
    projects = store.get_projects(ids)
    entries = []
    for pid in ids:
        p = projects[pid]
        assert p.deadline is not None
        entries.append(_entry(p, today, overdue=overdue))
    return entries


def _entry(p: Project, today: date, *, overdue: bool) -> DashboardEntry:
    assert p.id is not None and p.deadline is not None
    days = (today - p.deadline).days if overdue else (p.deadline - today).days
    return DashboardEntry(
        project_id=p.id,
        code=p.code,
        name=p.name,
        task_no=p.task_no,
        lead_units=p.lead_units,
        deadline_text=p.deadline_text,
        deadline=p.deadline,
        status=p.display_status(today),
        days=days,
    )
