"""Indicators: judging target vs actual, lenient names, values entered and imported from sheets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import Indicator, IndicatorValue
from ysdesk.services.indicators import (
    delete_value,
    import_values,
    indicator_lines,
    indicator_status,
    indicator_statuses,
    match_indicator,
    read_value_rows,
    set_value,
)
from ysdesk.store import Store

RD = Indicator(
    id=1, name="全社会研发经费投入占GDP比重", unit="%", target_value=5.5, target_year=2027
)
UNICORNS = Indicator(id=4, name="独角兽企业", unit="家", target_value=20, target_year=2030)


def _v(year: int, value: float, ind: Indicator = RD) -> IndicatorValue:
    return IndicatorValue(indicator_id=ind.id, year=year, value=value)


@pytest.mark.parametrize(
    ("values", "judgement", "on_track"),
    [
        ([], "暂无实际值", None),
        ([_v(2024, 4.8)], "数据不足，暂无法判断进度", None),
        ([_v(2024, 4.8), _v(2025, 5.1)], "符合进度", True),  # path expects 5.033 in 2025
        ([_v(2024, 4.8), _v(2025, 4.9)], "落后于进度", False),
        ([_v(2024, 4.8), _v(2026, 5.6)], "已达标", True),
        ([_v(2024, 4.8), _v(2027, 5.4)], "到期未达标", False),
    ],
)
def test_judgement(values: list[IndicatorValue], judgement: str, on_track: bool | None) -> None:
    status = indicator_status(RD, list(reversed(values)))
    assert status.judgement == judgement
    assert status.on_track is on_track
    if values:
        assert status.latest == values[-1]
        assert status.gap == pytest.approx(5.5 - values[-1].value)


def test_path_runs_from_the_first_value_to_the_target() -> None:
    status = indicator_status(RD, [_v(2025, 5.1), _v(2024, 4.8)])
    assert [p.year for p in status.path] == [2024, 2025, 2026, 2027]
    assert [round(p.value, 3) for p in status.path] == [4.8, 5.033, 5.267, 5.5]
    assert status.expected == pytest.approx(5.0333, abs=1e-3)
    assert status.needed_per_year == pytest.approx(0.2)
    assert "差距 0.4 个百分点" in status.sentence()


def test_baseline_starts_the_path_when_known() -> None:
    ind = Indicator(
        id=4,
        name="独角兽企业",
        unit="家",
        target_value=20,
        target_year=2030,
        baseline_value=8,
        baseline_year=2024,
    )
    status = indicator_status(ind, [IndicatorValue(4, 2025, 9)])
    assert status.path[0].year == 2024 and status.expected == pytest.approx(10)
    assert status.judgement == "落后于进度"
    assert "2025 年实际 9家，目标 2030 年 20家，差距 11 家" in status.sentence()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("全社会研发经费投入占GDP比重", "全社会研发经费投入占GDP比重"),
        ("研发经费投入占GDP比重（%）", "全社会研发经费投入占GDP比重"),
        ("全社会研发经费投入占 gdp 比重", "全社会研发经费投入占GDP比重"),
        ("R&D经费占比", "全社会研发经费投入占GDP比重"),
        ("数字经济核心产业增加值占全市比重(%)", "数字经济核心产业占全市比重"),
        ("数字经济", "数字经济核心产业占全市比重"),
        ("孵化活化率", "企业孵化活化率"),
        ("独角兽企业数量（家）", "独角兽企业"),
        ("独角兽", "独角兽企业"),
        ("比重", None),
        ("企业", None),
        ("GDP增速", None),
        ("", None),
    ],
)
def test_names_match_leniently(sample_store: Store, name: str, expected: str | None) -> None:
    found = match_indicator(sample_store.indicators(), name)
    assert (found.name if found else None) == expected


def test_set_and_delete_values(sample_store: Store) -> None:
    set_value(
        sample_store, "研发经费投入占GDP比重（%）", 2025, 5.1, source="统计公报", as_of="2026-03"
    )
    values = sample_store.indicator_values()
    assert [(v.year, v.value, v.source, v.as_of) for v in values] == [
        (2025, 5.1, "统计公报", "2026-03")
    ]
    set_value(sample_store, "研发经费投入占GDP比重", 2025, 5.2)
    assert [v.value for v in sample_store.indicator_values()] == [5.2]
    assert indicator_statuses(sample_store)[0].latest.value == 5.2
    assert "全社会研发经费投入占GDP比重：2025 年实际 5.2%" in indicator_lines(sample_store)[0]
    delete_value(sample_store, "研发", 2025)
    assert sample_store.indicator_values() == []
    with pytest.raises(UserError, match="没有 2025 年的实际值"):
        delete_value(sample_store, "研发", 2025)


@pytest.mark.parametrize(
    ("name", "year", "value", "message"),
    [
        ("GDP增速", 2025, 1.0, "没有名为"),
        ("独角兽", 2025, -3.0, "不能为负数"),
        ("独角兽", 1800, 3.0, "年度无效"),
        ("独角兽", 2025, float("nan"), "数值无效"),
        ("独角兽", 2025, float("inf"), "有限的数字"),
        ("独角兽", 2025, 1e308, "过大"),
        ("独角兽", 2025, 2.5, "整数"),
        ("研发", 2025, 100.5, "0 到 100"),
        ("孵化", 2025, 1e308, "0 到 100"),
    ],
)
def test_bad_values_are_refused(
    sample_store: Store, name: str, year: int, value: float, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        set_value(sample_store, name, year, value)
    assert sample_store.indicator_values() == []


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_a_two_column_sheet_with_optional_columns(
    sample_store: Store, tmp_path: Path
) -> None:
    path = _sheet(
        tmp_path / "指标.xlsx",
        [
            ["2025年目标指标完成情况"],
            ["指标名称", "数值", "年度", "来源", "日期"],
            ["研发经费投入占GDP比重（%）", 0.051, 2025, "区统计局", datetime(2026, 3, 1)],
            ["数字经济核心产业占全市比重", "18.5%", "2025年", "市经信委", "2026年2月"],
            ["独角兽企业（家）", 12, 2025, "", None],
            ["GDP增速", 5.2, 2025, "", None],
            ["注：数据为初步统计", None, None, None, None],
        ],
    )
    preview = import_values(sample_store, path, dry_run=True)
    assert sample_store.indicator_values() == []
    assert preview.summary == {"rows": 4, "new": 3, "update": 0, "unchanged": 0, "error": 1}
    rd = preview.rows[0]
    assert rd.row == 3 and rd.value is not None and rd.value.value == pytest.approx(5.1)
    assert "按百分数" in rd.messages[0]
    assert preview.rows[1].value.as_of == "2026年2月"
    assert preview.rows[0].value.as_of == "2026-03-01"
    assert preview.rows[3].action == "error" and "GDP增速" in preview.rows[3].messages[0]
    applied = import_values(sample_store, path)
    assert applied.applied
    stored = {(v.indicator_id, v.year): v.value for v in sample_store.indicator_values()}
    assert len(stored) == 3
    again = import_values(sample_store, path, dry_run=True)
    assert again.summary["unchanged"] == 3


def test_import_refuses_absurd_rows_and_keeps_the_others(
    sample_store: Store, tmp_path: Path
) -> None:
    path = _sheet(
        tmp_path / "absurd.xlsx",
        [
            ["指标名称", "数值", "年度"],
            ["独角兽企业", 12.5, 2025],
            ["企业孵化活化率", 140, 2025],
            ["数字经济核心产业占全市比重", 1e308, 2025],
            ["全社会研发经费投入占GDP比重", 5.2, 2025],
        ],
    )
    result = import_values(sample_store, path)
    assert [r.action for r in result.rows] == ["error", "error", "error", "new"]
    assert "整数" in result.rows[0].messages[0]
    assert "0 到 100" in result.rows[1].messages[0] and "0 到 100" in result.rows[2].messages[0]
    assert [v.value for v in sample_store.indicator_values()] == [5.2]


def test_import_without_year_column_needs_a_year(sample_store: Store, tmp_path: Path) -> None:
    path = _sheet(tmp_path / "two.xlsx", [["企业孵化活化率", 31.5], ["独角兽企业", 11]])
    result = import_values(sample_store, path, dry_run=True)
    assert [r.action for r in result.rows] == ["error", "error"]
    assert "缺少年度" in result.rows[0].messages[0]
    result = import_values(sample_store, path, year=2025)
    assert [r.action for r in result.rows] == ["new", "new"]
    assert {v.value for v in sample_store.indicator_values()} == {31.5, 11}


def test_import_refuses_foreign_and_empty_files(sample_store: Store, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook at all")
    with pytest.raises(UserError):
        import_values(sample_store, junk)
    empty = _sheet(tmp_path / "empty.xlsx", [["备注"], ["没有数据"]])
    with pytest.raises(UserError, match="没有找到"):
        import_values(sample_store, empty)
    assert sample_store.indicator_values() == []


def test_an_indicator_sheet_that_aborts_the_reader_is_refused(sample_store: Store) -> None:
    """The sheet is read in a child process: a file whose forged counts make calamine abort
    ends that process only (read here, the abort would end the test run with it)."""
    bomb = Path(__file__).parents[1] / "fixtures" / "catalogue" / "unique_count_bomb.xlsx"
    with pytest.raises(UserError, match="无法读取"):
        import_values(sample_store, bomb)
    assert sample_store.indicator_values() == []


_cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.sampled_from(["独角兽企业", "研发投入", "数值", "指标名称", "年度", "2025", "5.5%", "abc"]),
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_cells, max_size=5), max_size=8))
def test_any_rows_give_rows_or_one_refusal(sample_store: Store, rows: list[list[object]]) -> None:
    try:
        result = read_value_rows(sample_store, rows, year=2025)
    except UserError as exc:
        assert "\n" not in exc.message
        return
    for row in result:
        assert row.action in {"new", "update", "unchanged", "error"}
        if row.action != "error":
            assert row.value is not None and row.value.value >= 0
            assert row.indicator is not None
        else:
            assert row.messages
