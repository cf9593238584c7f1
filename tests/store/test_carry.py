"""The rollover's queries: the year read in plan order, copies written in a fixed number of
statements whatever the year's size, refused whole when an origin has gone."""

from __future__ import annotations

import pytest

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import ProjectFilter
from ysdesk.services.rollover import carry_over, plan_rollover
from ysdesk.services.synthetic import add_synthetic_list
from ysdesk.store import Store
from ysdesk.store.carry import Copy, insert_copies, year_sources


def test_year_sources_are_the_year_in_plan_order(sample_store: Store) -> None:
    projects = sample_store.list_projects(ProjectFilter(year=2025))
    sources = year_sources(sample_store, 2025)
    assert [
        (s.id, s.year, s.code, s.name, s.task_no, s.status, s.deadline_text, s.progress, s.note)
        for s in sources
    ] == [
        (p.id, p.year, p.code, p.name, p.task_no, p.status, p.deadline_text, p.progress, p.note)
        for p in projects
    ]
    assert year_sources(sample_store, 2019) == []


def test_copies_keep_their_origins_links_and_the_given_order(sample_store: Store) -> None:
    first, second = sample_store.list_projects(ProjectFilter(year=2025))[:2]
    copies = [Copy(second.id, " 2030-01-07 ", "2030年底前", "备注"), Copy(first.id, "", "", "")]
    created = insert_copies(sample_store, 2030, copies, origin="测试")
    assert [origin for origin, _ in created] == [second.id, first.id]
    assert created[0][1] < created[1][1]
    copy = sample_store.get_project(created[0][1])
    assert (copy.year, copy.code, copy.deadline_text, copy.note, copy.progress) == (
        2030,
        "2030-01-07",
        "2030年底前",
        "备注",
        "",
    )
    assert copy.deadline is not None and copy.deadline.isoformat() == "2030-12-31"
    assert (copy.zones, copy.lead_units, copy.co_units) == (
        second.zones,
        second.lead_units,
        second.co_units,
    )
    assert (copy.name, copy.goal, copy.task_no, copy.status) == (
        second.name,
        second.goal,
        second.task_no,
        second.status,
    )
    assert copy.origin_id == second.id and copy.version == 1


def test_a_copy_of_a_deleted_project_is_refused_whole(sample_store: Store) -> None:
    first, second = sample_store.list_projects(ProjectFilter(year=2025))[:2]
    sample_store.delete_project(second.id, expected_version=second.version)
    count = sample_store.project_count()
    with pytest.raises(UserError, match="已被删除"):
        insert_copies(
            sample_store, 2026, [Copy(first.id, "", "", ""), Copy(second.id, "", "", "")], origin=""
        )
    assert sample_store.project_count() == count
    with pytest.raises(UserError, match="年度无效"):
        insert_copies(sample_store, 2201, [Copy(first.id, "", "", "")], origin="")


def test_the_statements_of_a_rollover_do_not_grow_with_the_list(
    sample_store: Store, fresh_store: Store
) -> None:
    """Besides filling its temporary table and the kept JSON texts (one executemany each), a
    rollover's write runs the same few statements for 47 copies as for 360."""
    add_synthetic_list(fresh_store, 600, 2025)
    # sqlite-utils sets a PRAGMA on the connection's first write.
    skipped = ("INSERT INTO temp.carry_copies VALUES", "UPDATE project_json SET text = '", "PRAGMA")

    def statements(store: Store) -> set[str]:
        plan = plan_rollover(store, 2025)
        executed: list[str] = []
        store.conn.set_trace_callback(executed.append)
        try:
            carry_over(store, plan)
        finally:
            store.conn.set_trace_callback(None)
        assert store.project_count(2026) == len(plan.to_carry) > 40
        # A trigger's statements are traced as its statement's text again: distinct texts.
        return {sql for sql in executed if not sql.startswith(skipped)}

    small, big = statements(sample_store), statements(fresh_store)
    assert len(small) == len(big) <= 30, (len(small), len(big))
