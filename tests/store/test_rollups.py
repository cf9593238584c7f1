"""Aggregate queries: right counts, and a fixed number of statements whatever the list's size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from ysdesk.domain.model import ProjectFilter, Status
from ysdesk.services.dashboard import build_dashboard
from ysdesk.services.matrix import build_matrix
from ysdesk.services.rollover import plan_rollover
from ysdesk.store import Store
from ysdesk.store.rollups import (
    overdue_by_unit,
    projects_per_task,
    status_counts,
    unit_task_role_counts,
)


@contextmanager
def counted(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        store.conn.set_trace_callback(None)


def test_role_counts_match_the_projects(sample_store: Store) -> None:
    projects = sample_store.list_projects(ProjectFilter(year=2025))
    expected: Counter[tuple[str, int, str]] = Counter()
    for p in projects:
        expected.update((u, p.task_no, "lead") for u in p.lead_units)
        expected.update((u, p.task_no, "co") for u in p.co_units)
    got = {(c.unit, c.task_no, c.role): c.count for c in unit_task_role_counts(sample_store, 2025)}
    assert got == dict(expected)
    assert projects_per_task(sample_store, 2025) == dict(Counter(p.task_no for p in projects))
    assert unit_task_role_counts(sample_store, 2030) == []


def test_status_counts_and_overdue_units(sample_store: Store, today: date) -> None:
    projects = sample_store.list_projects(ProjectFilter(year=2025))
    counts = status_counts(sample_store, 2025, today)
    assert sum(c.count for c in counts) == len(projects)
    assert sum(c.count for c in counts if c.overdue) == sum(p.is_overdue(today) for p in projects)
    assert not any(c.overdue and c.status == Status.DONE.value for c in counts)
    late = [p for p in projects if p.is_overdue(today)]
    lead = Counter(u for p in late for u in p.lead_units)
    top = overdue_by_unit(sample_store, 2025, today, limit=100)
    assert {u.unit: u.lead for u in top if u.lead} == dict(lead)
    assert [u.lead for u in top] == sorted((u.lead for u in top), reverse=True)


@pytest.mark.slow
def test_statement_count_does_not_grow_with_the_list(
    sample_db: Path, generated_db: Path, today: date
) -> None:
    def statements(path: Path) -> list[int]:
        store = Store.open(path, readonly=True)
        try:
            sizes = []
            for work in (
                lambda: build_matrix(store, 2025),
                lambda: build_matrix(store, 2025, "tasks"),
                lambda: build_dashboard(store, 2025, today, limit=50),
                lambda: plan_rollover(store, 2025),
            ):
                with counted(store) as executed:
                    work()
                sizes.append(len(executed))
            return sizes
        finally:
            store.close()

    small, big = statements(sample_db), statements(generated_db)
    assert small == big, (small, big)
    assert max(big) <= 12
