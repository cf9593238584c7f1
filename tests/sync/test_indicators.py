"""The indicators' actual values travel between desks: one value per indicator and year,
merged three ways like a project's field (set on one desk: kept; set differently on two:
a conflict the user settles; removed on one and untouched on the other: removed)."""

from __future__ import annotations

from pathlib import Path

from tests.sync.helpers import sync_desk
from ysdesk.domain.model import IndicatorValue
from ysdesk.services import sync
from ysdesk.store import Store


def _values(path: Path) -> dict[tuple[str, int], tuple[float, str]]:
    with Store.open(path, readonly=True) as store:
        names = {i.id: i.name for i in store.indicators()}
        return {
            (names[v.indicator_id], v.year): (v.value, v.source) for v in store.indicator_values()
        }


def _set(path: Path, indicator: int, year: int, value: float, source: str = "") -> None:
    with Store.open(path) as store:
        store.set_indicator_value(IndicatorValue(indicator, year, value, source, "2026-11-01"))


def test_indicator_values_set_on_two_desks_are_both_kept(desks: tuple[Path, Path]) -> None:
    a, b = desks
    _set(a, 1, 2025, 4.9, "区统计局")
    _set(b, 2, 2025, 12.5, "市经信委")
    with Store.open(a) as store:
        assert sync.status(store, ask_server=False).pending == 1
    assert sync_desk(a).pushed == 1
    report = sync_desk(b)
    assert (report.pushed, report.indicators_pulled, report.conflicts) == (1, 1, [])
    sync_desk(a)
    assert (
        _values(a)
        == _values(b)
        == {
            ("全社会研发经费投入占GDP比重", 2025): (4.9, "区统计局"),
            ("数字经济核心产业占全市比重", 2025): (12.5, "市经信委"),
        }
    )
    assert sync_desk(a).pushed == sync_desk(b).pushed == 0


def test_one_value_set_differently_on_two_desks_is_a_conflict(
    desks: tuple[Path, Path],
) -> None:
    a, b = desks
    _set(a, 3, 2025, 20.0)
    sync_desk(a)
    sync_desk(b)
    _set(a, 3, 2025, 24.0, "甲")
    _set(b, 3, 2025, 26.0, "乙")
    sync_desk(a)
    report = sync_desk(b)
    assert [(c.code, c.field, c.mine, c.theirs, c.base, c.label) for c in report.conflicts] == [
        ("企业孵化活化率（2025 年）", "indicator_value", "26（乙）", "24（甲）", "20", "指标实际值")
    ]
    assert _values(b)[("企业孵化活化率", 2025)] == (26.0, "乙")  # kept here until decided
    with Store.open(b) as store:
        picked = sync.picks(store, [("企业孵化活化率（2025 年）", "指标实际值", sync.THEIRS)])
        assert sync.sync(store, prefer=picked).conflicts == []
    sync_desk(a)
    assert _values(a) == _values(b)
    assert _values(b)[("企业孵化活化率", 2025)] == (24.0, "甲")


def test_a_value_removed_on_one_desk_is_removed_on_the_other(desks: tuple[Path, Path]) -> None:
    a, b = desks
    _set(a, 4, 2024, 3.0)
    sync_desk(a)
    sync_desk(b)
    assert ("独角兽企业", 2024) in _values(b)
    with Store.open(b) as store:
        store.delete_indicator_value(4, 2024)
    sync_desk(b)
    sync_desk(a)
    assert ("独角兽企业", 2024) not in _values(a)
    assert _values(a) == _values(b)
