"""The responsibility matrix agrees with the project list cell by cell, and its checks hold."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import Project, ProjectFilter
from ysdesk.services.matrix import CountBy, build_matrix, check_lines
from ysdesk.store import Store


def recompute(projects: list[dict[str, Any]], by: str) -> dict[str, dict[int, tuple[int, int]]]:
    """{unit: {task: (lead, co)}} counted straight from `list --json` objects."""
    leads: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    cos: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for p in projects:
        for unit in p["lead_units"]:
            leads[unit][p["task_no"]] += 1
        for unit in p["co_units"]:
            cos[unit][p["task_no"]] += 1
    result: dict[str, dict[int, tuple[int, int]]] = {}
    for unit in set(leads) | set(cos):
        cells = {}
        for task in range(1, 24):
            lead, co = leads[unit][task], cos[unit][task]
            if by == "tasks":
                lead, co = int(lead > 0), int(co > 0 and lead == 0)
            cells[task] = (lead, co)
        result[unit] = cells
    return result


def assert_matches_list(matrix_json: dict[str, Any], projects: list[dict[str, Any]]) -> None:
    expected = recompute(projects, matrix_json["by"])
    rows = {r["unit"]: r for r in matrix_json["rows"]}
    assert set(rows) == set(expected)
    for unit, cells in expected.items():
        row = rows[unit]
        assert set(row["cells"]) == {str(n) for n in range(1, 24)}
        for task, (lead, co) in cells.items():
            assert row["cells"][str(task)] == {"lead": lead, "co": co}, (unit, task)
        assert row["lead_total"] == sum(c[0] for c in cells.values())
        assert row["co_total"] == sum(c[1] for c in cells.values())
    for task in range(1, 24):
        column = matrix_json["column_totals"][str(task)]
        assert column["lead"] == sum(cells[task][0] for cells in expected.values())
        assert column["co"] == sum(cells[task][1] for cells in expected.values())
        assert column["projects"] == sum(p["task_no"] == task for p in projects)
    lead_units: dict[int, set[str]] = defaultdict(set)
    for p in projects:
        lead_units[p["task_no"]].update(p["lead_units"])
    assert matrix_json["tasks_without_lead"] == [t for t in range(1, 24) if not lead_units[t]]
    multiple = {m["task_no"]: set(m["units"]) for m in matrix_json["tasks_with_multiple_leads"]}
    assert multiple == {t: units for t, units in lead_units.items() if len(units) > 1}


@pytest.mark.parametrize("by", ["projects", "tasks"])
def test_sample_matrix_matches_the_list(sample_store: Store, today: date, by: str) -> None:
    projects = [p.to_json(today) for p in sample_store.list_projects(ProjectFilter(year=2025))]
    matrix = build_matrix(sample_store, 2025, by)
    data = matrix.to_json()
    assert_matches_list(data, projects)
    assert data["lead_total"] == sum(r["lead_total"] for r in data["rows"])
    if by == "projects":
        assert data["lead_total"] == sum(len(p["lead_units"]) for p in projects)
        assert data["co_total"] == sum(len(p["co_units"]) for p in projects)


def test_rows_follow_the_registry_and_units_without_role_are_listed(sample_store: Store) -> None:
    registry = [u.name for u in sample_store.units()]
    matrix = build_matrix(sample_store, 2025)
    names = [r.unit for r in matrix.rows]
    assert names == [n for n in registry if n in set(names)]
    assert matrix.units_without_role == [n for n in registry if n not in set(names)]
    assert matrix.units_without_role, "the sample registry has units without projects"
    everyone = build_matrix(sample_store, 2025, all_units=True)
    assert [r.unit for r in everyone.rows] == registry
    for name in matrix.units_without_role:
        row = everyone.row(name)
        assert row is not None and row.lead_total == row.co_total == 0


def test_counting_tasks_takes_a_units_strongest_role(fresh_store: Store) -> None:
    def add(name: str, task: int, lead: tuple[str, ...], co: tuple[str, ...] = ()) -> None:
        fresh_store.insert_project(
            Project(id=None, year=2025, name=name, task_no=task, lead_units=lead, co_units=co)
        )

    add("甲", 3, ("区科委",), ("区财政局",))
    add("乙", 3, ("区财政局",), ("区科委",))
    add("丙", 3, ("区科委",))
    add("丁", 5, ("区商务委",), ("区科委",))
    by_projects = build_matrix(fresh_store, 2025, CountBy.PROJECTS)
    kw = by_projects.row("区科委")
    assert kw is not None
    assert (kw.cells[3].lead, kw.cells[3].co) == (2, 1)
    assert (kw.cells[5].lead, kw.cells[5].co) == (0, 1)
    by_tasks = build_matrix(fresh_store, 2025, CountBy.TASKS)
    kw = by_tasks.row("区科委")
    assert kw is not None
    assert (kw.cells[3].lead, kw.cells[3].co) == (1, 0)
    assert (kw.cells[5].lead, kw.cells[5].co) == (0, 1)
    assert (kw.lead_total, kw.co_total) == (1, 1)
    # Listed in the registry's order, as the rows are.
    assert by_tasks.tasks_with_multiple_leads == {3: ["区科委", "区财政局"]}
    assert by_tasks.tasks_without_lead == [n for n in range(1, 24) if n not in (3, 5)]
    assert by_projects.column_totals[3].projects == 3
    assert by_projects.max_cell_load == 2 * 2 + 1


def test_check_lines_name_the_problems(fresh_store: Store) -> None:
    fresh_store.insert_project(
        Project(id=None, year=2025, name="唯一项目", task_no=1, lead_units=("区科委", "复旦大学"))
    )
    lines = check_lines(build_matrix(fresh_store, 2025))
    assert lines[0].startswith("无牵头单位的任务（22 项）")
    assert "第 1 项（区科委、复旦大学）" in lines[1]
    assert "本年度未承担任务的单位" in lines[2]


def test_an_empty_year_has_every_task_without_lead(sample_store: Store) -> None:
    matrix = build_matrix(sample_store, 2031)
    assert matrix.rows == []
    assert matrix.tasks_without_lead == list(range(1, 24))


def test_unknown_count_mode_is_refused(sample_store: Store) -> None:
    with pytest.raises(UserError, match="计数方式"):
        build_matrix(sample_store, 2025, "units")


@pytest.mark.slow
def test_generated_matrix_matches_the_list(generated_db: Path, today: date) -> None:
    store = Store.open(generated_db, readonly=True)
    try:
        projects = [p.to_json(today) for p in store.list_projects(ProjectFilter(year=2025))]
        assert len(projects) == 10_000
        for by in ("projects", "tasks"):
            assert_matches_list(build_matrix(store, 2025, by).to_json(), projects)
    finally:
        store.close()
