"""The responsibility matrix: units (rows) × the 23 tasks (columns), lead ● and cooperating ○.

Counting projects, a cell says how many projects of the task the unit leads and cooperates on.
Counting tasks, a cell says whether the unit leads the task (it leads any project of it) or,
failing that, cooperates on it: a unit's role on a task is its strongest role there, so each
cell of the task view is ●, ○ or empty, as in a government 分工表.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import Area, Role, Task
from ysdesk.store import Store
from ysdesk.store.rollups import projects_per_task, unit_task_role_counts


class CountBy(str, enum.Enum):
    """What a matrix cell counts."""

    PROJECTS = "projects"
    TASKS = "tasks"

    @property
    def label(self) -> str:
        return "按项目计" if self is CountBy.PROJECTS else "按任务计"


@dataclass(frozen=True)
class Cell:
    """Lead and cooperating counts of one unit on one task."""

    lead: int = 0
    co: int = 0

    @property
    def load(self) -> int:
        """Weight for shading: leading a project is twice the work of cooperating on one."""
        return 2 * self.lead + self.co

    def count(self, role: Role) -> int:
        return self.lead if role is Role.LEAD else self.co


@dataclass(frozen=True)
class MatrixRow:
    """One unit's cells (every task present, zeros included) and its totals."""

    unit: str
    kind: str
    cells: dict[int, Cell]
    lead_total: int
    co_total: int

    @property
    def load(self) -> int:
        return 2 * self.lead_total + self.co_total


@dataclass(frozen=True)
class ColumnTotal:
    """A task's column: summed lead and cooperating counts, and its number of projects."""

    lead: int
    co: int
    projects: int


@dataclass
class Matrix:
    """The whole matrix of a year with its checks."""

    year: int
    by: CountBy
    areas: list[Area]
    tasks: list[Task]
    rows: list[MatrixRow]
    column_totals: dict[int, ColumnTotal]
    tasks_without_lead: list[int]
    tasks_with_multiple_leads: dict[int, list[str]]
    units_without_role: list[str]
    max_cell_load: int = field(default=0)

    @property
    def lead_total(self) -> int:
        return sum(r.lead_total for r in self.rows)

    @property
    def co_total(self) -> int:
        return sum(r.co_total for r in self.rows)

    def task(self, task_no: int) -> Task:
        return next(t for t in self.tasks if t.no == task_no)

    def row(self, unit: str) -> MatrixRow | None:
        return next((r for r in self.rows if r.unit == unit), None)

    def to_json(self) -> dict[str, Any]:
        """The `matrix --json` object (DESIGN.md §4), plus the checks and totals."""
        return {
            "year": self.year,
            "by": self.by.value,
            "areas": [
                {
                    "no": a.no,
                    "title": a.title,
                    "tasks": [t.no for t in self.tasks if t.area_no == a.no],
                }
                for a in self.areas
            ],
            "tasks": [{"no": t.no, "area_no": t.area_no, "title": t.title} for t in self.tasks],
            "rows": [
                {
                    "unit": r.unit,
                    "kind": r.kind,
                    "cells": {
                        str(no): {"lead": c.lead, "co": c.co} for no, c in sorted(r.cells.items())
                    },
                    "lead_total": r.lead_total,
                    "co_total": r.co_total,
                }
                for r in self.rows
            ],
            "column_totals": {
                str(no): {"lead": c.lead, "co": c.co, "projects": c.projects}
                for no, c in sorted(self.column_totals.items())
            },
            "lead_total": self.lead_total,
            "co_total": self.co_total,
            "tasks_without_lead": list(self.tasks_without_lead),
            "tasks_with_multiple_leads": [
                {"task_no": no, "units": units}
                for no, units in sorted(self.tasks_with_multiple_leads.items())
            ],
            "units_without_role": list(self.units_without_role),
        }


def build_matrix(
    store: Store,
    year: int,
    by: CountBy | str = CountBy.PROJECTS,
    *,
    all_units: bool = False,
) -> Matrix:
    """The matrix of a year from one grouped query; rows follow the unit registry's order."""
    by = _count_by(by)
    tasks = store.tasks()
    if not tasks:
        raise UserError("数据库中没有方案的重点任务，请先执行 init。")
    task_nos = [t.no for t in tasks]
    raw: dict[str, dict[int, dict[str, int]]] = {}
    for rc in unit_task_role_counts(store, year):
        raw.setdefault(rc.unit, {}).setdefault(rc.task_no, {})[rc.role] = rc.count
    lead_units_of_task: dict[int, list[str]] = {no: [] for no in task_nos}
    rows: list[MatrixRow] = []
    units_without_role: list[str] = []
    for unit in store.units():
        counts = raw.get(unit.name)
        if counts is None:
            units_without_role.append(unit.name)
            if not all_units:
                continue
            counts = {}
        cells: dict[int, Cell] = {}
        for no in task_nos:
            lead = counts.get(no, {}).get("lead", 0)
            co = counts.get(no, {}).get("co", 0)
            if lead:
                lead_units_of_task[no].append(unit.name)
            cells[no] = _cell(lead, co, by)
        rows.append(
            MatrixRow(
                unit=unit.name,
                kind=unit.kind,
                cells=cells,
                lead_total=sum(c.lead for c in cells.values()),
                co_total=sum(c.co for c in cells.values()),
            )
        )
    projects = projects_per_task(store, year)
    column_totals = {
        no: ColumnTotal(
            lead=sum(r.cells[no].lead for r in rows),
            co=sum(r.cells[no].co for r in rows),
            projects=projects.get(no, 0),
        )
        for no in task_nos
    }
    return Matrix(
        year=year,
        by=by,
        areas=store.areas(),
        tasks=tasks,
        rows=rows,
        column_totals=column_totals,
        tasks_without_lead=[no for no in task_nos if not lead_units_of_task[no]],
        tasks_with_multiple_leads={
            no: units for no, units in lead_units_of_task.items() if len(units) > 1
        },
        units_without_role=units_without_role,
        max_cell_load=max((c.load for r in rows for c in r.cells.values()), default=0),
    )


def check_lines(matrix: Matrix) -> list[str]:
    """The matrix's checks as Chinese sentences (shown beside the view and under the table)."""
    lines = []
    if matrix.tasks_without_lead:
        numbers = "、".join(str(n) for n in matrix.tasks_without_lead)
        lines.append(f"无牵头单位的任务（{len(matrix.tasks_without_lead)} 项）：第 {numbers} 项。")
    else:
        lines.append("每项重点任务都有牵头单位。")
    if matrix.tasks_with_multiple_leads:
        parts = [
            f"第 {no} 项（{'、'.join(units)}）"
            for no, units in sorted(matrix.tasks_with_multiple_leads.items())
        ]
        lines.append(f"有多个牵头单位的任务（{len(parts)} 项）：" + "；".join(parts) + "。")
    else:
        lines.append("没有由多个单位牵头的任务。")
    if matrix.units_without_role:
        lines.append(
            f"本年度未承担任务的单位（{len(matrix.units_without_role)} 个）："
            + "、".join(matrix.units_without_role)
            + "。"
        )
    else:
        lines.append("名录中的单位都承担了任务。")
    return lines


def _cell(lead: int, co: int, by: CountBy) -> Cell:
    if by is CountBy.PROJECTS:
        return Cell(lead=lead, co=co)
    # Counting tasks: a unit that leads any project of the task leads the task.
    return Cell(lead=1 if lead else 0, co=1 if co and not lead else 0)


def _count_by(by: CountBy | str) -> CountBy:
    if isinstance(by, CountBy):
        return by
    try:
        return CountBy(by)
    except ValueError:
        raise UserError(f"无法识别的计数方式“{by}”（可选：projects、tasks）。") from None
