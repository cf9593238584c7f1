"""The project model: its JSON made for any day from the undated text, its stored form, filters."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ysdesk.domain.model import (
    UNDATED,
    Project,
    Status,
    dated_json_text,
    json_strings,
    stored_project,
)

TODAY = date(2026, 11, 27)

_ids = st.none() | st.integers(min_value=1, max_value=2**53)
_names = st.lists(st.text(max_size=12), max_size=4).map(tuple)
_projects = st.builds(
    Project,
    id=_ids,
    year=st.integers(min_value=1900, max_value=2200),
    name=st.text(min_size=1),
    task_no=st.integers(min_value=1, max_value=23),
    code=st.text(max_size=20),
    area_no=st.none() | st.integers(min_value=0, max_value=4),
    zones=_names,
    lead_units=_names,
    co_units=_names,
    goal=st.text(),
    deadline_text=st.text(max_size=20),
    deadline=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    status=st.sampled_from(Status),
    progress=st.text(),
    note=st.text(),
    created_at=st.text(max_size=19),
    updated_at=st.text(max_size=19),
    version=st.integers(min_value=1, max_value=10**6),
    origin_id=_ids | st.booleans(),  # not an int: written as json writes it
)


# Text a field may hold that looks like the key a day decides.
_tricky = st.sampled_from(
    ['"overdue": false', '", "overdue": false, "x": "', '\\"overdue\\": false']
)
_days = st.dates(min_value=date(1999, 1, 1), max_value=date(2101, 1, 1))


@settings(max_examples=150)
@given(_projects, _days, _tricky)
def test_the_undated_text_made_for_a_day_is_that_days_text(
    project: Project, day: date, tricky: str
) -> None:
    """Quotes, backslashes, control characters, CJK, emoji and fields that spell the key."""
    for candidate in (project, project.replace(name=tricky, goal=tricky, note=tricky)):
        undated = candidate.json_text(UNDATED)
        assert '"overdue": false' in undated
        made = dated_json_text(undated, candidate.is_overdue(day))
        assert made == candidate.json_text(day)
        assert json.loads(made) == candidate.to_json(day)


def test_json_of_a_typical_project() -> None:
    project = Project(
        id=7,
        year=2025,
        name="“概念验证”中心\t建设\n（一期）\\",
        task_no=4,
        zones=("科技创新策源区",),
        lead_units=("区科委",),
        deadline_text="2025年6月",
        deadline=date(2025, 6, 30),
        status=Status.IN_PROGRESS,
    )
    data = json.loads(project.json_text(TODAY))
    assert data["overdue"] is True and data["co_units"] == [] and data["origin_id"] is None
    assert data["deadline"] == "2025-06-30" and data["status"] == "推进中"
    assert data["name"] == project.name and list(data)[:3] == ["id", "code", "year"]


def test_json_strings() -> None:
    assert json_strings(()) == "[]"
    assert json_strings(["区科委", 'a"b']) == json.dumps(["区科委", 'a"b'], ensure_ascii=False)


@settings(max_examples=100)
@given(_projects)
def test_stored_project_is_the_project_its_fields_make(project: Project) -> None:
    values = [getattr(project, f.name) for f in dataclasses.fields(Project)]
    built = stored_project(values)
    assert built == project
    assert hash(built) == hash(project)
    assert built.replace(name="改名").name == "改名"
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.name = "x"  # type: ignore[misc]


def test_stored_project_refuses_a_short_or_long_row() -> None:
    values = [1, 2026, "项目", 3, "", 1, (), (), (), "", "", None, Status.DONE, "", "", "", "", 1]
    with pytest.raises(ValueError):
        stored_project(values)  # no origin_id, no history
    with pytest.raises(ValueError):
        stored_project([*values, None, (), "extra"])


def test_filter_conditions_mean_what_their_names_say() -> None:
    from ysdesk.domain.model import ProjectFilter, Role, status_label

    project = Project(
        id=3,
        year=2025,
        name="复旦大学概念验证中心",
        task_no=4,
        area_no=1,
        zones=("科技创新策源区",),
        lead_units=("区科委",),
        co_units=("复旦大学",),
        deadline=date(2025, 6, 30),
        status=Status.IN_PROGRESS,
    )
    hits = [
        ProjectFilter(),
        ProjectFilter(year=2025, task_no=4, area_no=1, ids=(3, 9)),
        ProjectFilter(zone="科技创新策源区"),
        ProjectFilter(unit="复旦大学"),
        ProjectFilter(unit="复旦大学", role=Role.CO),
        ProjectFilter(role=Role.LEAD),  # a role alone says nothing
        ProjectFilter(status=Status.IN_PROGRESS, overdue_only=True),
        ProjectFilter(text="ＦＤ 概念"),  # full-width, pinyin initials, every term
        ProjectFilter(text="qkw"),  # a unit's initials
    ]
    misses = [
        ProjectFilter(year=2026),
        ProjectFilter(ids=()),
        ProjectFilter(zone=""),
        ProjectFilter(unit="复旦大学", role=Role.LEAD),
        ProjectFilter(status=Status.DONE),
        ProjectFilter(text="fd 量子"),
    ]
    assert [f for f in hits if not f.matches(project, TODAY)] == []
    assert [f for f in misses if f.matches(project, TODAY)] == []
    assert not ProjectFilter(overdue_only=True).matches(project, date(2025, 6, 30))
    assert ProjectFilter(zone="").matches(project.replace(zones=()), TODAY)
    assert status_label(Status.IN_PROGRESS, True) == project.display_status(TODAY) == "逾期"
    assert status_label(Status.LAGGING, True) == "滞后"
    assert status_label(Status.DONE, False) == "已完成"
