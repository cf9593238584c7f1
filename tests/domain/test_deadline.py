"""Deriving the date a 完成时限 means, as written in real government sheets."""

from __future__ import annotations

import calendar
from datetime import date, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ysdesk.domain.deadline import (
    MAX_DATE,
    MIN_DATE,
    NO_DATE_LABEL,
    _parse_mentions,
    _prepare,
    deadline_display,
    excel_date_text,
    parse_deadline,
)

# (text, expected) with the list's year 2025 known.
WITH_YEAR = [
    ("2025年12月底前", date(2025, 12, 31)),
    ("2025年6月", date(2025, 6, 30)),
    ("2025年2月", date(2025, 2, 28)),
    ("2024年2月", date(2024, 2, 29)),
    ("2025.9", date(2025, 9, 30)),
    ("2025.12", date(2025, 12, 31)),
    ("2025-09", date(2025, 9, 30)),
    ("2025/9", date(2025, 9, 30)),
    ("2025年第三季度", date(2025, 9, 30)),
    ("2025年三季度", date(2025, 9, 30)),
    ("2025年Q3", date(2025, 9, 30)),
    ("2025Q3", date(2025, 9, 30)),
    ("2025年第一季度", date(2025, 3, 31)),
    ("2025年第四季度", date(2025, 12, 31)),
    ("第二季度", date(2025, 6, 30)),
    ("第四季度末", date(2025, 12, 31)),
    ("年底前", date(2025, 12, 31)),
    ("年内", date(2025, 12, 31)),
    ("年底", date(2025, 12, 31)),
    ("年末", date(2025, 12, 31)),
    ("本年度内完成", date(2025, 12, 31)),
    ("2025年3月—12月", date(2025, 12, 31)),
    ("2025年3月-12月", date(2025, 12, 31)),
    ("2025年3月–12月", date(2025, 12, 31)),
    ("2025年3月～12月", date(2025, 12, 31)),
    ("2025年3月至12月", date(2025, 12, 31)),
    ("2025年3月到12月", date(2025, 12, 31)),
    ("2025年3-12月", date(2025, 12, 31)),
    ("2025.3-2025.9", date(2025, 9, 30)),
    ("2025.9-12", date(2025, 12, 31)),
    ("2025年3月至2026年6月", date(2026, 6, 30)),
    ("2025年12月31日", date(2025, 12, 31)),
    ("2025年6月30日前", date(2025, 6, 30)),
    ("2025年6月1号", date(2025, 6, 1)),
    ("2025-12-31", date(2025, 12, 31)),
    ("2025/12/31", date(2025, 12, 31)),
    ("2025.12.31", date(2025, 12, 31)),
    ("2025.6.1", date(2025, 6, 1)),
    ("20251231", date(2025, 12, 31)),
    ("２０２５年６月", date(2025, 6, 30)),
    ("２０２５．９", date(2025, 9, 30)),
    ("２０２５年１２月３１日", date(2025, 12, 31)),
    ("6月底前", date(2025, 6, 30)),
    ("9月", date(2025, 9, 30)),
    ("12月31日前", date(2025, 12, 31)),
    ("上半年", date(2025, 6, 30)),
    ("下半年", date(2025, 12, 31)),
    ("2025年上半年", date(2025, 6, 30)),
    ("2026年下半年", date(2026, 12, 31)),
    ("2026年底", date(2026, 12, 31)),
    ("2026年底前", date(2026, 12, 31)),
    ("2025年底前完成", date(2025, 12, 31)),
    ("2025年12月前", date(2025, 12, 31)),  # "before December" means by the end of December
    ("2025年6月前完成", date(2025, 6, 30)),
    ("2025年内", date(2025, 12, 31)),
    ("2025年度", date(2025, 12, 31)),
    ("2027年", date(2027, 12, 31)),
    ("2027", date(2027, 12, 31)),
    ("2025-2026年", date(2026, 12, 31)),
    ("2025—2027年", date(2027, 12, 31)),
    ("2025至2027年", date(2027, 12, 31)),
    ("2025年中", date(2025, 6, 30)),
    ("年中", date(2025, 6, 30)),
    ("2025年6月上旬", date(2025, 6, 10)),
    ("2025年6月中旬", date(2025, 6, 20)),
    ("2025年6月下旬", date(2025, 6, 30)),
    ("6月初", date(2025, 6, 10)),
    ("6月中", date(2025, 6, 15)),
    ("十二月底", date(2025, 12, 31)),
    ("二〇二五年六月", date(2025, 6, 30)),
    ("二零二五年十二月三十一日", date(2025, 12, 31)),
    ("二〇二六年底", date(2026, 12, 31)),
    ("2025年 12月 底前", date(2025, 12, 31)),
    ("  2025年12月底前\n", date(2025, 12, 31)),
    ("2025年6月底前完成立项，12月底前建成", date(2025, 12, 31)),
    ("2025年3月起至12月", date(2025, 12, 31)),
    ("每年6月", date(2025, 6, 30)),
]

NO_DATE = [
    "每学期初",
    "持续推进",
    "长期",
    "常态化",
    "每年",
    "按计划",
    "按计划推进",
    "",
    "   ",
    "—",
    "待定",
    "3年内",  # within three years of an unknown start
    "2025年起持续推进",  # a start, not an end
    "2025年开始",
    "2025年2月30日",  # no such day
    "2025年13月",
    "1850年",
    "9999年",
    "46022",  # a serial number as text is not a date anyone wrote
    "完成1000家",
]


@pytest.mark.parametrize(("text", "expected"), WITH_YEAR)
def test_parse_deadline_with_year(text: str, expected: date) -> None:
    assert parse_deadline(text, 2025) == expected


@pytest.mark.parametrize("text", NO_DATE)
def test_open_ended_wording_gives_no_date(text: str) -> None:
    assert parse_deadline(text, 2025) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年12月底前", date(2025, 12, 31)),
        ("2025年第三季度", date(2025, 9, 30)),
        ("2025年3月—12月", date(2025, 12, 31)),
        ("年底前", None),
        ("年内", None),
        ("6月底前", None),
        ("上半年", None),
        ("第三季度", None),
        ("十二月底", None),
    ],
)
def test_year_is_needed_only_when_the_text_has_none(text: str, expected: date | None) -> None:
    assert parse_deadline(text) == expected


def test_a_year_in_the_text_wins_over_the_list_year() -> None:
    assert parse_deadline("2026年6月底前", 2025) == date(2026, 6, 30)
    assert parse_deadline("6月底前", 2024) == date(2024, 6, 30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 12, 31), date(2025, 12, 31)),
        (datetime(2025, 6, 30, 17, 45), date(2025, 6, 30)),
        (date(1, 1, 1), None),
        (datetime(1899, 12, 30), None),
        (46022, date(2025, 12, 31)),  # Excel serial
        (46022.0, date(2025, 12, 31)),
        (46022.75, date(2025, 12, 31)),  # a time of day is not a later day
        (45658, date(2025, 1, 1)),
        (2025, date(2025, 12, 31)),  # a year typed into a number cell
        (2025.0, date(2025, 12, 31)),
        (2025.9, date(2025, 9, 30)),  # "2025.9" typed into Excel becomes a number
        (2025.12, date(2025, 12, 31)),
        (5, None),
        (0, None),
        (-46022, None),
        (10**30, None),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
        (None, None),
        (object(), None),
        (["2025年"], None),
    ],
)
def test_parse_deadline_of_cell_values(value: object, expected: date | None) -> None:
    assert parse_deadline(value, 2025) == expected


def _in_range(result: object) -> bool:
    return result is None or (isinstance(result, date) and MIN_DATE <= result <= MAX_DATE)


DEADLINE_ALPHABET = (
    "0123456789年月日号底前内末季度第上下半旬初中起至到-—~/.Q一二三四五六七八九十〇 "
)


@given(
    st.one_of(
        st.text(),
        st.text(alphabet=DEADLINE_ALPHABET),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(),
        st.datetimes(),
        st.none(),
        st.booleans(),
    ),
    st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6)),
)
def test_parse_deadline_never_raises_and_stays_in_range(value: object, year: int | None) -> None:
    assert _in_range(parse_deadline(value, year))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _chinese_digits(number: int) -> str:
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(number))


def _chinese_month(month: int) -> str:
    units = "一二三四五六七八九"
    if month < 10:
        return units[month - 1]
    return "十" + (units[month - 11] if month > 10 else "")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


MONTH_FORMS = [
    "{y}年{m}月",
    "{y}年{m}月底",
    "{y}年{m}月底前",
    "{y}年{m}月前",
    "{y}年{m}月末",
    "{y}.{m}",
    "{y}/{m}",
    "{y}-{m:02d}",
    "{y}年1月—{m}月",
    "{y}年1月至{m}月底前",
]


@given(
    st.integers(min_value=1900, max_value=2199),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(MONTH_FORMS),
    st.booleans(),
)
def test_month_forms_round_trip_to_month_end(
    year: int, month: int, form: str, fullwidth: bool
) -> None:
    text = form.format(y=year, m=month)
    if fullwidth:
        text = _fullwidth(text)
    assert parse_deadline(text) == _month_end(year, month)


@given(st.integers(min_value=1900, max_value=2199), st.integers(min_value=1, max_value=12))
def test_chinese_numeral_months_round_trip(year: int, month: int) -> None:
    text = f"{_chinese_digits(year)}年{_chinese_month(month)}月底前"
    assert parse_deadline(text) == _month_end(year, month)


@given(st.dates(min_value=MIN_DATE, max_value=date(2199, 12, 31)))
def test_full_dates_round_trip(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日前",
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}{m:02d}{d:02d}",
        _fullwidth(f"{y}-{m}-{d}"),
        f"{_chinese_digits(y)}年{_chinese_month(m)}月{d}日",
    ):
        assert parse_deadline(text) == day, text
    assert parse_deadline(excel_date_text(day)) == day


@given(
    st.integers(min_value=1850, max_value=2250),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(["", "0"]),
    st.none() | st.integers(min_value=1900, max_value=2199),
)
def test_plain_dates_read_as_the_whole_grammar_reads_them(
    y: int, m: int, d: int, pad: str, year: int | None
) -> None:
    # "2025年12月31日" skips the grammar; impossible days and out-of-range years included.
    text = f"{y}年{pad}{m}月{pad}{d}日"
    assert parse_deadline(text, year) == _parse_mentions(_prepare(text), year), text


@given(
    st.integers(min_value=1900, max_value=2199),
    st.integers(min_value=1, max_value=4),
    st.sampled_from(
        ["{y}年第{q}季度", "{y}年{cq}季度", "{y}年第{cq}季度末", "{y}年Q{q}", "{y}q{q}"]
    ),
)
def test_quarters_round_trip_to_quarter_end(year: int, quarter: int, form: str) -> None:
    text = form.format(y=year, q=quarter, cq="一二三四"[quarter - 1])
    assert parse_deadline(text) == _month_end(year, quarter * 3)


@given(
    st.integers(min_value=1900, max_value=2199),
    st.sampled_from(["{y}年", "{y}年底", "{y}年底前", "{y}年内", "{y}年末", "{y}年度"]),
)
def test_years_round_trip_to_year_end(year: int, form: str) -> None:
    assert parse_deadline(form.format(y=year)) == date(year, 12, 31)


@given(
    st.integers(min_value=1900, max_value=2198),
    st.integers(min_value=1, max_value=10),
    st.sampled_from(["-", "—", "至", "~"]),
)
def test_year_ranges_give_the_end_of_the_last_year(first: int, span: int, dash: str) -> None:
    last = first + span
    assume(last <= 2199)
    assert parse_deadline(f"{first}{dash}{last}年") == date(last, 12, 31)


@given(
    st.integers(min_value=1900, max_value=2199),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["{m}月", "{m}月底前", "{m}月前", "{cm}月底"]),
)
def test_month_without_year_takes_the_list_year(year: int, month: int, form: str) -> None:
    text = form.format(m=month, cm=_chinese_month(month))
    assert parse_deadline(text, year) == _month_end(year, month)
    assert parse_deadline(text) is None


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_excel_serial_numbers_round_trip(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_deadline(serial) == day
    assert parse_deadline(float(serial) + 0.5) == day


def test_deadline_display() -> None:
    assert deadline_display(date(2025, 12, 31)) == "2025-12-31"
    assert deadline_display(date(2025, 6, 1)) == "2025-06-01"
    assert deadline_display(None) == NO_DATE_LABEL == "无固定日期"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 12, 31), "2025年12月31日"),
        (date(2025, 6, 1), "2025年6月1日"),
        (datetime(2025, 6, 30, 12, 0), "2025年6月30日"),
        ("  2025年12月底前 ", "2025年12月底前"),
        (2025.0, "2025"),
        (None, ""),
    ],
)
def test_excel_date_text(value: object, expected: str) -> None:
    assert excel_date_text(value) == expected


@given(st.integers(1950, 2150), st.integers(1, 12))
def test_a_month_alone_ends_on_its_last_day_leap_years_included(year: int, month: int) -> None:
    """A month alone is its last day: "2024年2月" is 2024-02-29, "2100年2月" 2100-02-28."""
    last = calendar.monthrange(year, month)[1]
    assert parse_deadline(f"{year}年{month}月") == date(year, month, last)
    assert parse_deadline(f"{year}年{month}月{last}日") == date(year, month, last)
    assert parse_deadline(f"{year}年{month}月{last + 1}日") is None
