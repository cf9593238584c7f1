"""Year rollover carries exactly the unfinished projects, linked back; comparing two years."""

from __future__ import annotations

import calendar
import re
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.errors import UserError
from ysdesk.domain.model import Project, ProjectFilter, Status
from ysdesk.services.progress import NullProgress
from ysdesk.services.rollover import (
    apply_rollover,
    compare_years,
    plan_rollover,
    shift_deadline_text,
)
from ysdesk.store import Store, kept_json
from ysdesk.store.backup import list_backups


@pytest.mark.parametrize(
    ("text", "shifted"),
    [
        ("2025年12月底前", "2026年12月底前"),
        ("2026年6月底前", "2026年6月底前"),
        ("持续推进", "持续推进"),
        ("年底前", "年底前"),
        ("2025年3月—12月", "2026年3月—12月"),
        ("2025.9", "2026.9"),
        ("2025-09-30", "2026-09-30"),
        ("20251231", "20261231"),
        ("２０２５年第三季度", "２０２６年第三季度"),
        ("二〇二五年底前", "二〇二六年底前"),
        ("2025年起持续推进", "2025年起持续推进"),
        ("2025年3月起逐步推开，2025年底前完成", "2025年3月起逐步推开，2026年底前完成"),
        ("2024年2月29日", "2024年2月29日"),
        ("12025年", "12025年"),
        ("", ""),
    ],
)
def test_shift_deadline_text(text: str, shifted: str) -> None:
    assert shift_deadline_text(text, 2025, 2026) == shifted


def test_shift_of_a_leap_day_keeps_a_date() -> None:
    assert shift_deadline_text("2024年2月29日", 2024, 2025) == "2025年2月28日"


_TEMPLATES = (
    "{y}年{m}月底前",
    "{y}年{m}月",
    "{y}.{m}",
    "{y}年{m}月{d}日",
    "{y}-{m:02d}-{d:02d}",
    "{y}年第{q}季度",
    "{y}年底前",
    "{y}年",
)


@settings(max_examples=60, deadline=None)
@given(
    template=st.sampled_from(_TEMPLATES),
    year=st.integers(2000, 2090),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    quarter=st.integers(1, 4),
)
@example(template="{y}年{m}月{d}日", year=2067, month=2, day=28, quarter=1)  # before a leap year
@example(template="{y}年{m}月底前", year=2067, month=2, day=1, quarter=1)
def test_shifted_text_means_the_same_day_a_year_later(
    template: str, year: int, month: int, day: int, quarter: int
) -> None:
    text = template.format(y=year, m=month, d=day, q=quarter)
    before = parse_deadline(text, year)
    after = parse_deadline(shift_deadline_text(text, year, year + 1), year + 1)
    assert before is not None and after is not None
    assert after == _a_year_later(before, named_day="{d" in template)


def _a_year_later(day: date, *, named_day: bool = False) -> date:
    """The same day next year. A day the text names stays that day ("2月28日" is the 28th in
    a leap year too); a month's end ("2月底") stays its last day (Feb 28/29)."""
    if named_day:
        return day.replace(year=day.year + 1)
    last = calendar.monthrange(day.year, day.month)[1]
    next_last = calendar.monthrange(day.year + 1, day.month)[1]
    return date(day.year + 1, day.month, next_last if day.day == last else day.day)


def _by_year(store: Store, year: int) -> list[Project]:
    return store.list_projects(ProjectFilter(year=year))


def test_rollover_of_the_sample_carries_exactly_the_unfinished(sample_store: Store) -> None:
    before = _by_year(sample_store, 2025)
    unfinished = [p for p in before if p.status is not Status.DONE]
    result = apply_rollover(sample_store, 2025, progress=NullProgress())
    carried = _by_year(sample_store, 2026)
    assert len(carried) == len(unfinished) == len(result.created)
    assert sorted(p.origin_id for p in carried) == sorted(p.id for p in unfinished)
    origins = {p.id: p for p in unfinished}
    for copy in carried:
        origin = origins[copy.origin_id]
        assert (copy.name, copy.task_no, copy.status) == (
            origin.name,
            origin.task_no,
            origin.status,
        )
        assert (copy.lead_units, copy.co_units, copy.zones) == (
            origin.lead_units,
            origin.co_units,
            origin.zones,
        )
        assert copy.deadline_text == shift_deadline_text(origin.deadline_text, 2025, 2026)
        assert "2025年" not in copy.deadline_text or "起" in copy.deadline_text
        assert copy.progress == ""
        if origin.progress:
            assert f"2025年进展：{origin.progress}" in copy.note
        assert re.fullmatch(rf"2026-{copy.task_no:02d}-\d\d", copy.code)
    assert len({p.code for p in carried}) == len(carried)
    # Within a task the codes count 01, 02, … in plan order.
    task1 = [p.code for p in carried if p.task_no == 4]
    assert task1 == [f"2026-04-{i:02d}" for i in range(1, len(task1) + 1)]
    # The source year is left exactly as it was.
    assert _by_year(sample_store, 2025) == before
    assert list_backups(sample_store)
    example = next(p for p in carried if p.deadline_text == "2026年12月底前")
    assert example.deadline == date(2026, 12, 31)


def test_a_second_rollover_is_refused_unless_existing_are_skipped(sample_store: Store) -> None:
    apply_rollover(sample_store, 2025)
    snapshot = _by_year(sample_store, 2026)
    with pytest.raises(UserError, match="已有从 2025 年度结转来的") as info:
        apply_rollover(sample_store, 2025)
    assert "\n" not in info.value.message
    assert _by_year(sample_store, 2026) == snapshot
    new = sample_store.insert_project(
        Project(
            id=None,
            year=2025,
            name="年中新增的项目",
            task_no=4,
            lead_units=("区人才局",),
            deadline_text="2025年11月",
        )
    )
    result = apply_rollover(sample_store, 2025, skip_existing=True)
    assert [origin for origin, _ in result.created] == [new.id]
    assert len(result.skipped_existing) == len(snapshot)
    added = sample_store.get_project(result.created[0][1])
    # Task 4 already had codes in 2026: the new one continues after them.
    last = max(p.code for p in snapshot if p.task_no == 4)
    assert added.code == f"2026-04-{int(last[-2:]) + 1:02d}"
    assert added.deadline_text == "2026年11月"


def test_excluded_projects_stay_behind(sample_store: Store) -> None:
    plan = plan_rollover(sample_store, 2025)
    leave = [i.project.id for i in plan.to_carry[:3]]
    result = apply_rollover(sample_store, 2025, exclude=leave)
    assert result.excluded == sorted(leave)
    origins = {p.origin_id for p in _by_year(sample_store, 2026)}
    assert not origins & set(leave)
    assert len(origins) == len(plan.to_carry) - 3


def test_plan_is_a_dry_run(sample_store: Store) -> None:
    count = sample_store.project_count()
    plan = plan_rollover(sample_store, 2025)
    assert sample_store.project_count() == count
    assert len(plan.items) == sample_store.project_count(2025)
    assert len(plan.done) == sum(p.status is Status.DONE for p in _by_year(sample_store, 2025))
    data = plan.to_json()
    assert data["summary"]["carry"] == len(plan.to_carry)


@pytest.mark.parametrize(
    ("years", "message"),
    [((2025, 2025), "应晚于"), ((2019, None), "没有项目")],
)
def test_impossible_rollovers_are_refused(
    sample_store: Store, years: tuple[int, int | None], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        apply_rollover(sample_store, *years)
    assert sample_store.project_count(2026) == 0


def test_compare_after_rollover_and_edits(sample_store: Store) -> None:
    apply_rollover(sample_store, 2025)
    carried = _by_year(sample_store, 2026)
    changed = carried[0]
    sample_store.update_project(
        changed.id, {"co_units": ("区财政局",)}, expected_version=changed.version
    )
    sample_store.insert_project(
        Project(id=None, year=2026, name="2026年新增项目", task_no=2, lead_units=("区科委",))
    )
    comparison = compare_years(sample_store, 2025, 2026)
    assert len(comparison.carried) == len(carried)
    assert all(c.by == "origin" for c in comparison.carried)
    assert [p.name for p in comparison.added] == ["2026年新增项目"]
    assert {p.status for p in comparison.dropped} == {Status.DONE}
    assert comparison.dropped_unfinished == []
    pair = next(c for c in comparison.carried if c.b.id == changed.id)
    assert "co_units" in {ch.field for ch in pair.changes}
    data = comparison.to_json()
    assert data["summary"]["added"] == 1 and data["summary"]["changed"] >= 1


def test_compare_matches_by_name_without_links(fresh_store: Store) -> None:
    def add(year: int, name: str, lead: str, deadline: str = "") -> None:
        fresh_store.insert_project(
            Project(
                id=None,
                year=year,
                name=name,
                task_no=1,
                lead_units=(lead,),
                deadline_text=deadline,
            )
        )

    add(2024, "区校合作", "区科委", "2024年12月")
    add(2024, "停办的项目", "区科委")
    add(2025, "区校 合作", "区教育局", "2025年6月")
    add(2025, "新项目", "区科委")
    comparison = compare_years(fresh_store, 2024, 2025)
    assert [(c.a.name, c.b.name, c.by) for c in comparison.carried] == [
        ("区校合作", "区校 合作", "name")
    ]
    fields = {ch.field: (ch.old, ch.new) for ch in comparison.carried[0].changes}
    assert fields["lead_units"] == ("区科委", "区教育局")
    assert fields["deadline_text"] == ("2024年12月", "2025年6月")
    assert [p.name for p in comparison.dropped] == ["停办的项目"]
    assert [p.name for p in comparison.added] == ["新项目"]
    assert comparison.dropped_unfinished == comparison.dropped
    with pytest.raises(UserError):
        compare_years(fresh_store, 2025, 2025)


def test_a_plan_made_over_its_own_connection_is_written_once(sample_db, sample_store) -> None:
    from ysdesk.services.rollover import carry_over
    from ysdesk.store.index_queries import open_reader

    with open_reader(sample_db) as reader:  # a worker's private connection
        plan = plan_rollover(reader, 2025)
    assert [i.to_json() for i in plan.items] == [
        i.to_json() for i in plan_rollover(sample_store, 2025).items
    ]
    result = carry_over(sample_store, plan)
    assert sample_store.project_count(2026) == len(result.created) == len(plan.to_carry)
    # The same plan again: 2026 changed since it was made, so nothing is written twice.
    with pytest.raises(UserError, match="生成结转方案后有改动"):
        carry_over(sample_store, plan, skip_existing=True)
    assert sample_store.project_count(2026) == len(result.created)


def test_a_stale_plan_is_refused_and_changes_nothing(sample_db, sample_store) -> None:
    from ysdesk.services.rollover import carry_over
    from ysdesk.store.index_queries import open_reader

    with open_reader(sample_db) as reader:  # a worker's private connection
        plan = plan_rollover(reader, 2025)
    pid = plan.items[0].project.id
    project = sample_store.get_project(pid)
    sample_store.update_project(pid, {"note": "后来补充"}, expected_version=project.version)
    with pytest.raises(UserError, match="生成结转方案后有改动"):
        carry_over(sample_store, plan)
    assert sample_store.project_count(2026) == 0


def _search_text(store: Store, project_id: int) -> str:
    return store.conn.execute(
        "SELECT search_text FROM projects WHERE id = ?", (project_id,)
    ).fetchone()[0]


def test_copies_are_stored_as_an_insert_would_store_them(sample_store: Store) -> None:
    """Search texts, kept JSON texts, list order, audit entries: as for any new project."""
    from ysdesk.domain.search import project_haystack

    origin_id = next(p.id for p in _by_year(sample_store, 2025) if p.status is not Status.DONE)
    # A search text another version laid out differently is made anew for its copy.
    sample_store.conn.execute("UPDATE projects SET search_text = 'x' WHERE id = ?", (origin_id,))
    sample_store.conn.commit()
    audit_before = len(sample_store.audit_log(limit=100_000))
    result = apply_rollover(sample_store, 2025)
    carried = _by_year(sample_store, 2026)
    for p in carried:
        assert _search_text(sample_store, p.id) == project_haystack(
            p.name, p.code, p.goal, p.lead_units, p.co_units, p.progress
        )
    assert origin_id in {p.origin_id for p in carried}
    assert kept_json.differences(sample_store) == []
    texts = dict(sample_store.project_json(ProjectFilter(year=2026), date(2026, 1, 1)))
    assert texts == {p.id: p.json_text(date(2026, 1, 1)) for p in carried}
    # Plan order is list order: each task's copies are 1, 2, … in the order they were planned.
    assert [p.id for p in carried] == [new for _, new in result.created]
    sorts = sample_store.conn.execute(
        "SELECT task_no, group_concat(sort) FROM (SELECT task_no, sort FROM projects"
        " WHERE year = 2026 ORDER BY task_no, id) GROUP BY task_no"
    ).fetchall()
    for _task, joined in sorts:
        numbers = [int(n) for n in joined.split(",")]
        assert numbers == list(range(1, len(numbers) + 1))
    audit = sample_store.audit_log(limit=100_000)
    assert len(audit) == audit_before + len(carried)
    created = [e for e in audit if e.project_id in {p.id for p in carried}]
    assert {(e.project_id, e.field, e.new, e.origin) for e in created} == {
        (p.id, "created", p.name, "2025年度结转") for p in carried
    }


class _CancelAt:
    """A progress object whose user presses 取消 before its `when`-th check."""

    def __init__(self, when: int) -> None:
        self.when = when
        self.checks = 0

    def start(self, total: int, label: str = "") -> None:
        pass

    def tick(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass

    @property
    def cancelled(self) -> bool:
        self.checks += 1
        return self.checks >= self.when


@pytest.mark.parametrize("when", [1, 2, 3, 4])
def test_a_cancelled_rollover_changes_nothing(sample_store: Store, when: int) -> None:
    from ysdesk.services.progress import Cancelled

    def state() -> tuple[int, ...]:
        return tuple(
            sample_store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("projects", "project_zones", "project_units", "audit_log")
        )

    before = state()
    progress = _CancelAt(when)
    with pytest.raises(Cancelled):
        apply_rollover(sample_store, 2025, progress=progress)
    assert progress.checks == when
    assert state() == before
    assert kept_json.differences(sample_store) == []
    # Nothing is left half-made: the same rollover then goes through.
    carry = len(plan_rollover(sample_store, 2025).to_carry)
    assert len(apply_rollover(sample_store, 2025).created) == carry


def test_the_backup_is_taken_before_the_write(sample_store: Store) -> None:
    apply_rollover(sample_store, 2025)
    backups = list_backups(sample_store)
    with Store.open(backups[0], readonly=True) as copy:
        assert copy.project_count(2026) == 0
        assert copy.project_count(2025) == sample_store.project_count(2025)
