"""The SQL form of the domain's project rules: overdue and the conditions of a ProjectFilter.

`Project.is_overdue` and `ProjectFilter.matches` (domain.model) define them; tests hold this
SQL to those definitions over random projects, days and filters. The conditions name the
project row `p` and its task `t` (`FROM projects p JOIN tasks t ON t.no = p.task_no`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ysdesk.domain.model import ProjectFilter, Status
from ysdesk.domain.text import query_terms

# Project.is_overdue for the row `p`: a deadline before the day, not done. Its arguments are
# overdue_args(day).
OVERDUE_SQL = "(p.deadline IS NOT NULL AND p.deadline < ? AND p.status != ?)"


def overdue_args(day: date) -> list[str]:
    """The arguments of OVERDUE_SQL for `day`."""
    return [day.isoformat(), Status.DONE.value]


def where_clause(filt: ProjectFilter, today: date | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (" WHERE …", or "" for no condition) and its arguments for a filter;
    overdue is judged on `today` (the real date when None)."""
    clauses: list[str] = []
    args: list[Any] = []
    if filt.year is not None:
        clauses.append("p.year = ?")
        args.append(filt.year)
    if filt.task_no is not None:
        clauses.append("p.task_no = ?")
        args.append(filt.task_no)
    if filt.area_no is not None:
        clauses.append("t.area_no = ?")
        args.append(filt.area_no)
    if filt.zone is not None:
        if filt.zone == "":
            clauses.append("NOT EXISTS (SELECT 1 FROM project_zones pz WHERE pz.project_id = p.id)")
        else:
            clauses.append(
                "p.id IN (SELECT pz.project_id FROM project_zones pz"
                " JOIN zones z ON z.id = pz.zone_id WHERE z.name = ?)"
            )
            args.append(filt.zone)
    if filt.unit is not None:
        sql = (
            "p.id IN (SELECT pu.project_id FROM project_units pu"
            " JOIN units u ON u.id = pu.unit_id WHERE u.name = ?"
        )
        args.append(filt.unit)
        if filt.role is not None:
            sql += " AND pu.role = ?"
            args.append(filt.role.value)
        clauses.append(sql + ")")
    if filt.status is not None:
        clauses.append("p.status = ?")
        args.append(filt.status.value)
    if filt.overdue_only:
        clauses.append(OVERDUE_SQL)
        args.extend(overdue_args(today or date.today()))
    for term in query_terms(filt.text):
        # The search text is written by the store from the same fields (project_haystack).
        clauses.append("instr(p.search_text, ?) > 0")
        args.append(term)
    if filt.ids is not None:
        clauses.append("p.id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(list(filt.ids)))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args
