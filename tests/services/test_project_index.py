"""The in-memory index answers filters exactly as the store's SQL and ProjectFilter.matches do."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ysdesk.domain.model import Project, ProjectFilter, Role, Status
from ysdesk.services.project_index import ProjectIndex
from ysdesk.store import Store

ZONES = ["科技创新策源区", "产业创新承载区", "生态创新融合区", "辐射溢出联动区", ""]
UNITS = ["区科委", "复旦大学", "同济大学", "区发展改革委", "区财政局"]
TEXTS = ["", "fd", "复旦", "FD", "平台", "zx", "2025", "cx pt", "ｆｄ", "不存在的词"]


def test_select_by_node_filters_matches_sql(sample_store, today) -> None:
    index = ProjectIndex(sample_store, 2025, today)
    index.load_haystacks(sample_store)
    assert len(index) == 86
    for filt in (
        ProjectFilter(year=2025),
        ProjectFilter(year=2025, task_no=3),
        ProjectFilter(year=2025, area_no=2),
        ProjectFilter(year=2025, zone=""),
        ProjectFilter(year=2025, zone="科技创新策源区"),
        ProjectFilter(year=2025, unit="区科委", role=Role.LEAD),
        ProjectFilter(year=2025, unit="区科委", role=Role.CO),
        ProjectFilter(year=2025, overdue_only=True),
        ProjectFilter(year=2024),
    ):
        assert index.select(filt) == sample_store.project_ids(filt, today), filt


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    task=st.one_of(st.none(), st.integers(1, 23)),
    zone=st.one_of(st.none(), st.sampled_from(ZONES)),
    unit=st.one_of(st.none(), st.sampled_from(UNITS)),
    status=st.one_of(st.none(), st.sampled_from(list(Status))),
    overdue=st.booleans(),
    text=st.sampled_from(TEXTS),
)
def test_any_filter_matches_sql(sample_store, today, task, zone, unit, status, overdue, text):
    index = ProjectIndex(sample_store, 2025, today)
    index.load_haystacks(sample_store)
    filt = ProjectFilter(
        year=2025,
        task_no=task,
        zone=zone,
        unit=unit,
        status=status,
        overdue_only=overdue,
        text=text,
    )
    assert index.select(filt) == sample_store.project_ids(filt, today)


def test_two_filters_intersect_and_typing_narrows(sample_store, today) -> None:
    index = ProjectIndex(sample_store, 2025, today)
    index.load_haystacks(sample_store)
    node = ProjectFilter(year=2025, area_no=1)
    expected_f = sample_store.project_ids(ProjectFilter(year=2025, area_no=1, text="f"), today)
    expected_fd = sample_store.project_ids(ProjectFilter(year=2025, area_no=1, text="fd"), today)
    assert index.select(node, ProjectFilter(text="f")) == expected_f
    assert index.select(node, ProjectFilter(text="fd")) == expected_fd
    assert expected_fd and set(expected_fd) < set(expected_f)
    # Deleting a character widens again.
    assert index.select(node, ProjectFilter(text="f")) == expected_f


def test_pinyin_initials_find_fudan(sample_store, today) -> None:
    index = ProjectIndex(sample_store, 2025, today)
    index.load_haystacks(sample_store)
    hits = index.select(ProjectFilter(year=2025, text="fd"))
    names = [index.name(i) for i in hits]
    assert any("复旦" in n for n in names)


def test_refresh_follows_edits_and_deletes(sample_store, today) -> None:
    index = ProjectIndex(sample_store, 2025, today)
    index.load_haystacks(sample_store)
    pid = index.order[0]
    project = sample_store.get_project(pid)
    sample_store.update_project(
        pid, {"name": "量子计算中试平台", "task_no": 7}, expected_version=project.version
    )
    other = index.order[1]
    sample_store.delete_project(other)
    index.refresh(sample_store, [pid, other])
    assert other not in index
    assert index.task_no(pid) == 7
    assert pid in index.select(ProjectFilter(year=2025, text="lzjs"))
    assert index.select(ProjectFilter(year=2025)) == sample_store.project_ids(
        ProjectFilter(year=2025), today
    )


def test_sorting_by_columns(sample_store, today) -> None:
    index = ProjectIndex(sample_store, 2025, today)
    ids = index.select(ProjectFilter(year=2025))
    by_deadline = index.sorted_ids(ids, "deadline")
    deadlines = [index.deadline(i) for i in by_deadline]
    dated = [d for d in deadlines if d is not None]
    assert dated == sorted(dated)
    assert deadlines[len(dated) :] == [None] * (len(deadlines) - len(dated))
    by_name_desc = index.sorted_ids(ids, "name", descending=True)
    names = [index.name(i) for i in by_name_desc]
    assert names == sorted(names, reverse=True)
    assert sorted(index.sorted_ids(ids, "status")) == sorted(ids)


def test_prefetched_columns_answer_like_lazily_read_ones(sample_db, sample_store, today) -> None:
    from ysdesk.services.project_index import prefetch

    lazy = ProjectIndex(sample_store, 2025, today)
    eager = ProjectIndex(sample_store, 2025, today)
    eager.install(prefetch(sample_db, 2025))
    assert eager.has_haystacks and not lazy.has_haystacks
    for filt in (
        ProjectFilter(year=2025, text="fd"),
        ProjectFilter(year=2025, text="复旦 平台"),
        ProjectFilter(year=2025, unit="区科委", role=Role.LEAD),
        ProjectFilter(year=2025, zone=""),
    ):
        assert eager.select(filt) == lazy.select(filt) == sample_store.project_ids(filt, today)
    pid = eager.order[0]
    assert (eager.name(pid), eager.zones(pid), eager.leads(pid)) == (
        lazy.name(pid),
        lazy.zones(pid),
        lazy.leads(pid),
    )
    # Another year's prefetch is ignored.
    other = ProjectIndex(sample_store, 2026, today)
    other.install(prefetch(sample_db, 2025))
    assert not other.has_haystacks


def test_split_views_keep_every_match() -> None:
    from ysdesk.domain.search import search_haystack
    from ysdesk.services.project_index import split_haystack

    haystack = search_haystack("复旦大学AI创新中心2025", "区科委")
    ascii_view, cjk_view = split_haystack(haystack)
    assert ascii_view.isascii()
    for term in ("fddx", "ai", "2025", "fudan", "qkw"):
        assert (term in haystack) and (term in ascii_view)
    for term in ("复旦", "ai创新", "区科委"):
        assert term in cjk_view
    # Characters on both sides of Chinese text never join into a false ASCII match.
    assert "ai2025" not in ascii_view


def test_worker_columns_equal_the_lazily_read_ones(sample_db, sample_store, today) -> None:
    from ysdesk.services.project_index import LINKS, SEARCH, prefetch_columns, prefetch_search

    lazy = ProjectIndex(sample_store, 2025, today)
    eager = ProjectIndex(sample_store, 2025, today)
    assert lazy.missing(ProjectFilter(unit="区科委"), ProjectFilter(text="fd")) == {LINKS, SEARCH}
    eager.install(prefetch_columns(sample_db, 2025))
    assert eager.missing(ProjectFilter(unit="区科委"), sort_key="name") == set()
    assert eager.missing(ProjectFilter(text="fd")) == {SEARCH}
    assert eager.missing(ProjectFilter(text=" ")) == set()  # no term, nothing to read
    eager.install(prefetch_search(sample_db, 2025))
    assert eager.missing(ProjectFilter(text="fd"), sort_key="deadline") == set()
    for pid in lazy.order:
        assert eager.name(pid) == lazy.name(pid)
        assert eager.deadline(pid) == lazy.deadline(pid)
        assert (eager.zones(pid), eager.leads(pid), eager.cos(pid)) == (
            lazy.zones(pid),
            lazy.leads(pid),
            lazy.cos(pid),
        )
    for zone in ("科技创新策源区", ""):
        assert eager.linked_ids("zone", zone) == lazy.linked_ids("zone", zone)
    assert eager.linked_ids("unit", "复旦大学") == lazy.linked_ids("unit", "复旦大学")


def test_a_project_added_after_the_worker_read_is_filled_in(sample_db, sample_store, today):
    from ysdesk.services.project_index import prefetch

    data = prefetch(sample_db, 2025)
    source = sample_store.get_project(sample_store.project_ids(ProjectFilter(year=2025))[0])
    added = sample_store.insert_project(source.replace(id=None, code="2025-99-01", name="新项目"))
    new_id = added.id
    assert new_id is not None
    index = ProjectIndex(sample_store, 2025, today)
    index.install(data)
    assert index.name(new_id) == "新项目"
    assert new_id in index.select(ProjectFilter(text="新项目"))
    assert index.sorted_ids([new_id, index.order[0]], "deadline")


def test_leaf_names_are_read_for_those_leaves_only(sample_store, today, monkeypatch) -> None:
    from ysdesk.services import project_index

    reads: list[object] = []
    real = project_index.label_rows

    def counting(store, year, ids=None):
        reads.append(None if ids is None else len(ids))
        return real(store, year, ids)

    monkeypatch.setattr(project_index, "label_rows", counting)
    index = ProjectIndex(sample_store, 2025, today)
    ids = index.task_ids(1)
    index.prime_labels(ids)
    assert [index.name(i) for i in ids] == [sample_store.get_project(i).name for i in ids]
    assert reads == [len(ids)]


def test_a_cancelled_prefetch_stops(sample_db) -> None:
    import pytest

    from ysdesk.services.progress import Cancelled
    from ysdesk.services.project_index import prefetch_columns, prefetch_search

    for read in (prefetch_columns, prefetch_search):
        with pytest.raises(Cancelled):
            read(sample_db, 2025, lambda: True)


# ---------------------------------------------------------------------------------------------
# The index, the store's SQL and the definition (ProjectFilter.matches) over random projects.

_UNITS = ["区科委", "复旦大学", "同济大学", "区财政局"]
_PLAN_ZONES = ["科技创新策源区", "产业创新承载区", "生态创新融合区", "辐射溢出联动区"]
_TASKS = [1, 2, 7, 13, 20]  # few, so that a task filter often has hits
_WORDS = [
    "复旦",
    "平台",
    "创新",
    "中心",
    "量子",
    "AI",
    "5G",
    "2025",
    "同济",
    "ａｉ",
    "Lab",
    "区科委",
]
_DEADLINES = ["", "持续推进", "2025年3月底前", "2025年12月底前", "2026年6月", "年底前", "2027年"]


@st.composite
def _random_project(draw: st.DrawFn) -> Project:
    units = draw(st.lists(st.sampled_from(_UNITS), min_size=1, max_size=4, unique=True))
    leads = draw(st.integers(1, len(units)))
    return Project(
        id=None,
        year=draw(st.sampled_from([2025, 2026])),
        name="".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3))),
        task_no=draw(st.sampled_from(_TASKS)),
        code=draw(st.sampled_from(["", "2025-01-02", "X7"])),
        zones=tuple(draw(st.lists(st.sampled_from(_PLAN_ZONES), max_size=2, unique=True))),
        lead_units=tuple(units[:leads]),
        co_units=tuple(units[leads:]),
        goal=" ".join(draw(st.lists(st.sampled_from(_WORDS), max_size=2))),
        deadline_text=draw(st.sampled_from(_DEADLINES)),
        status=draw(st.sampled_from(list(Status))),
        progress=draw(st.sampled_from(["", "已完成验收", "fd 推进中"])),
    )


_CONDITIONS = {
    "year": st.sampled_from([2025, 2026]),
    "task_no": st.sampled_from([*_TASKS, 3]),
    "area_no": st.integers(1, 4),
    "zone": st.sampled_from(["", *_PLAN_ZONES]),
    "unit": st.sampled_from(_UNITS),
    "role": st.sampled_from(list(Role)),
    "status": st.sampled_from(list(Status)),
    "overdue_only": st.just(True),
    "text": st.sampled_from(
        ["fd", "复旦", "FD", "ｆｄ", "ai", "5g", "2025", "pt cx", "lab", "qkw", " "]
    ),
    "ids": st.lists(st.integers(1, 14), max_size=6).map(tuple),
}


@st.composite
def _random_filter(draw: st.DrawFn) -> ProjectFilter:
    """A filter with a few conditions (all of them at once would rarely let a project pass)."""
    names = draw(st.lists(st.sampled_from(sorted(_CONDITIONS)), max_size=3, unique=True))
    if "unit" in names and "role" not in names and draw(st.booleans()):
        names.append("role")
    return ProjectFilter(**{name: draw(_CONDITIONS[name]) for name in names})


# Days around the deadlines the projects' texts give, and those days themselves.
_days = st.sampled_from(
    [date(2025, 3, 31), date(2025, 12, 31), date(2026, 6, 30), date(2025, 12, 30)]
) | st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@pytest.fixture(scope="module")
def _plan_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ysdesk.services.workspace import init_database

    path = tmp_path_factory.mktemp("plan") / "plan.db"
    init_database(path, sample=False).close()
    return path


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(
    projects=st.lists(_random_project(), min_size=1, max_size=14),
    # Many filters per database: building one costs far more than asking it.
    filters=st.lists(_random_filter(), min_size=10, max_size=20),
    second=st.none() | _random_filter(),
    today=_days,
)
def test_index_and_sql_select_what_the_definition_says(
    _plan_template: Path, tmp_path: Path, projects, filters, second, today
) -> None:
    """Random projects, random filters (and two at once, as a tree node and the toolbar give
    them to the index): the SQL and the index pick exactly the ids ProjectFilter.matches
    picks, in plan order; the index the same whether its columns were read lazily or by a
    worker."""
    from ysdesk.services.project_index import prefetch

    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        path = Path(folder) / "random.db"
        shutil.copy(_plan_template, path)
        with Store.open(path) as store:
            store.insert_projects(projects)
            stored = store.list_projects()
            in_order = store.project_ids()
            indexes = {}
            for year in (2025, 2026):
                lazy = ProjectIndex(store, year, today)
                eager = ProjectIndex(store, year, today)
                eager.install(prefetch(path, year))
                indexes[year] = (lazy, eager)
            for filt in filters:
                expected = [p.id for p in stored if filt.matches(p, today)]
                assert store.project_ids(filt, today) == sorted(expected, key=in_order.index)
                for year, pair in indexes.items():
                    together = (filt,) if second is None else (filt, second)
                    wanted = [
                        p.id
                        for p in stored
                        if p.year == year and all(f.matches(p, today) for f in together)
                    ]
                    for index in pair:
                        assert index.select(*together) == sorted(wanted, key=in_order.index)
