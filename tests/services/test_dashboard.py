"""The supervision dashboard around a fixed "today": overdue, due soon, counts, top units."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ysdesk.domain.model import Project, ProjectFilter, Status
from ysdesk.services.dashboard import build_dashboard
from ysdesk.store import Store

TODAY = date(2025, 6, 15)


def _add(
    store: Store,
    name: str,
    deadline: str,
    status: Status = Status.IN_PROGRESS,
    task: int = 1,
    lead: tuple[str, ...] = ("区科委",),
    co: tuple[str, ...] = (),
) -> int:
    project = store.insert_project(
        Project(
            id=None,
            year=2025,
            name=name,
            task_no=task,
            lead_units=lead,
            co_units=co,
            deadline_text=deadline,
            status=status,
        )
    )
    assert project.id is not None
    return project.id


@pytest.fixture
def deadlines(fresh_store: Store) -> dict[str, int]:
    """Projects whose deadlines sit just around 2025-06-15."""
    s = fresh_store
    return {
        "yesterday": _add(s, "昨日到期", "2025年6月14日", lead=("区商务委",), co=("区科委",)),
        "today": _add(s, "今日到期", "2025年6月15日"),
        "in30": _add(s, "三十天后到期", "2025年7月15日", task=8),
        "in31": _add(s, "三十一天后到期", "2025年7月16日", task=8),
        "done_late": _add(s, "已完成的旧项目", "2025年6月1日", Status.DONE),
        "done_soon": _add(s, "已完成的近期项目", "2025年6月20日", Status.DONE),
        "open": _add(s, "持续项目", "持续推进", task=13),
        "lagging": _add(s, "滞后项目", "2025年5月", Status.LAGGING, task=20),
        "may": _add(s, "五月底到期", "2025年5月底前", Status.NOT_STARTED, lead=("区商务委",)),
        "year_end": _add(s, "年底前项目", "年底前", task=20),
    }


def test_overdue_and_due_soon_around_a_fixed_day(
    fresh_store: Store, deadlines: dict[str, int]
) -> None:
    board = build_dashboard(fresh_store, 2025, TODAY)
    assert [e.project_id for e in board.overdue] == [
        deadlines["may"],
        deadlines["lagging"],
        deadlines["yesterday"],
    ]
    assert [e.days for e in board.overdue] == [15, 15, 1]
    assert [e.project_id for e in board.due_soon] == [deadlines["today"], deadlines["in30"]]
    assert [e.days for e in board.due_soon] == [0, 30]
    assert board.overdue_count == 3 and board.due_soon_count == 2
    lagging = next(e for e in board.overdue if e.project_id == deadlines["lagging"])
    assert lagging.status == "滞后"
    may = next(e for e in board.overdue if e.project_id == deadlines["may"])
    assert may.status == "逾期" and may.lead_units == ("区商务委",)
    # One day later the project due today is overdue and the 31-day one is due soon.
    later = build_dashboard(fresh_store, 2025, TODAY + timedelta(days=1))
    assert deadlines["today"] in [e.project_id for e in later.overdue]
    assert deadlines["in31"] in [e.project_id for e in later.due_soon]


def test_counts_by_status_and_area(fresh_store: Store, deadlines: dict[str, int]) -> None:
    board = build_dashboard(fresh_store, 2025, TODAY)
    assert board.total == 10
    assert board.by_status == {"未启动": 1, "推进中": 6, "已完成": 2, "滞后": 1, "暂缓": 0}
    areas = {a.area.no: a for a in board.by_area}
    assert [areas[n].total for n in (1, 2, 3, 4)] == [5, 2, 1, 2]
    assert [areas[n].overdue for n in (1, 2, 3, 4)] == [2, 0, 0, 1]
    assert areas[1].by_status["已完成"] == 2
    assert "共 10 个项目，已完成 2 个，逾期 3 个，30 天内到期 2 个" in board.summary_line()


def test_units_with_most_overdue_projects(fresh_store: Store, deadlines: dict[str, int]) -> None:
    board = build_dashboard(fresh_store, 2025, TODAY)
    top = [(u.unit, u.lead, u.co) for u in board.top_units]
    assert top == [("区商务委", 2, 0), ("区科委", 1, 1)]


def test_limit_caps_lists_but_not_counts(fresh_store: Store, deadlines: dict[str, int]) -> None:
    board = build_dashboard(fresh_store, 2025, TODAY, limit=1, soon_days=40)
    assert len(board.overdue) == 1 and board.overdue_count == 3
    assert len(board.due_soon) == 1 and board.due_soon_count == 3


@pytest.mark.parametrize("day", ["2025-06-30", "2025-09-30", "2025-12-31", "2026-11-27"])
def test_overdue_agrees_with_the_project_list(sample_store: Store, day: str) -> None:
    today = date.fromisoformat(day)
    projects = sample_store.list_projects(ProjectFilter(year=2025))
    board = build_dashboard(sample_store, 2025, today)
    expected = {p.id for p in projects if p.is_overdue(today)}
    assert {e.project_id for e in board.overdue} == expected
    assert board.overdue_count == len(expected)
    soon = {
        p.id
        for p in projects
        if p.deadline is not None
        and p.status is not Status.DONE
        and today <= p.deadline <= today + timedelta(days=30)
    }
    assert {e.project_id for e in board.due_soon} == soon
    assert board.total == len(projects)
    assert sum(a.total for a in board.by_area) == len(projects)


def test_json_shape(sample_store: Store, today: date) -> None:
    data = build_dashboard(sample_store, 2025, today).to_json()
    assert {"by_status", "by_area", "overdue", "due_soon", "top_units"} <= set(data)
    assert data["overdue"] and {"id", "name", "lead_units", "deadline", "days"} <= set(
        data["overdue"][0]
    )
