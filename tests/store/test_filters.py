"""The SQL form of overdue says what Project.is_overdue says, for any deadline, status and day.

(The filters' SQL is held to ProjectFilter.matches over random projects in
tests/services/test_project_index.py, beside the in-memory index.)
"""

from __future__ import annotations

import sqlite3
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ysdesk.domain.model import Project, ProjectFilter, Status
from ysdesk.store.filters import OVERDUE_SQL, overdue_args, where_clause

_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(
    deadline=st.none() | _dates,
    status=st.sampled_from(list(Status)),
    today=_dates,
    same_day=st.booleans(),
)
def test_overdue_sql_is_project_is_overdue(
    deadline: date | None, status: Status, today: date, same_day: bool
) -> None:
    if same_day and deadline is not None:
        today = deadline  # the boundary: due today is not overdue yet
    project = Project(id=1, year=2025, name="项目", task_no=1, deadline=deadline, status=status)
    conn = sqlite3.connect(":memory:")
    # The store keeps the derived deadline as ISO text and the status as its word.
    (overdue,) = conn.execute(
        f"SELECT {OVERDUE_SQL} FROM (SELECT ? AS deadline, ? AS status) p",
        [*overdue_args(today), deadline.isoformat() if deadline else None, status.value],
    ).fetchone()
    assert bool(overdue) is project.is_overdue(today)


def test_no_condition_no_clause_and_blank_text_adds_none() -> None:
    assert where_clause(ProjectFilter()) == ("", [])
    assert where_clause(ProjectFilter(text="  \u3000 ")) == ("", [])
    clause, args = where_clause(ProjectFilter(year=2025, text="ＦＤ 复旦"))
    assert clause.startswith(" WHERE ") and args == [2025, "fd", "复旦"]
