"""Derive the date a 完成时限 means ("2025年12月底前", "2025年第三季度", Excel date cells).

The text as written is always kept by the caller; this module only derives a date where one is
meant and returns None for open-ended wording ("持续推进", "长期", "每学期初").
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from ysdesk.domain.patterns import lazy_compile
from ysdesk.domain.text import clean_cell_text, remove_spaces

NO_DATE_LABEL = "无固定日期"

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)

# Excel serial day numbers are counted from 1899-12-30 (which absorbs Lotus' 1900 leap-year
# bug for every date after February 1900).
_EXCEL_EPOCH = date(1899, 12, 30)
# A number cell is read as a serial date only when it lands in 1990–2100: far outside that it
# is a count or an amount, not a deadline someone typed as a date.
_SERIAL_MIN = (date(1990, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_MAX = (date(2100, 12, 31) - _EXCEL_EPOCH).days

_YEAR = r"(?<!\d)(?:19|2[01])\d\d"
# "中"/"初" end a date only when no word continues them: "6月中" but not "6月中小企业",
# "6月初" but not "6月初步完成".
_WORD_END = r"(?=$|[^\u4e00-\u9fff]|前|之前|以前|完成)"

# One mention of a date or a period. Alternatives are tried in order at each position, so a
# longer form ("2025年第3季度") wins over its prefix ("2025年"). The text has already been made
# half-width, space-free, with Chinese numerals as digits and "Q3" as "第3季度".
# A month alone means its last day, whatever follows: "12月底前", "12月" and also "12月前",
# which in office usage means "by the end of December", not "by 30 November".
_MENTION = lazy_compile(
    rf"""
      (?P<ymd> (?P<ymd_y>{_YEAR}) (?P<sep>[-./]) (?P<ymd_m>\d{{1,2}}) (?P=sep) (?P<ymd_d>\d{{1,2}})
               (?!\d) )
    | (?P<compact> (?P<c_y>{_YEAR}) (?P<c_m>[01]\d) (?P<c_d>[0-3]\d) (?!\d) )
    | (?P<quarter> (?:(?P<q_y>{_YEAR})年?)? (?:第(?P<q>[1-4])季度?|(?P<q2>[1-4])季度) )
    | (?P<half> (?:(?P<h_y>{_YEAR})年?)? (?P<h>[上下])半年 )
    | (?P<ym_num> (?P<n_y>{_YEAR}) [-./] (?P<n_m>\d{{1,2}})
                  (?:[-~—–―至到](?P<n_m2>\d{{1,2}})(?![\d.]))? (?![\d.]) )
    | (?P<month> (?:(?P<m_y>{_YEAR})年)? (?P<m>\d{{1,2}})月
                 (?: (?P<m_d>\d{{1,2}})[日号]
                   | (?P<m_part>上旬|中旬|下旬|底|末|(?:初|中){_WORD_END}) )? )
    | (?P<year> (?P<y>{_YEAR}) (?!\d) 年?度? (?P<y_part>中{_WORD_END})? )
    | (?P<year_word> (?<!\d) (?:年底|年末|年内|年终|年中{_WORD_END}|全年|本年度?|今年|当年|年度内) )
    """,
    re.VERBOSE | re.ASCII,
)

# A date followed by one of these starts a period ("2025年起持续推进"): it is no deadline.
_START_MARKS = ("起", "开始", "以来", "以后", "之后")

# Day of month a part of a month stands for; None means the month's last day.
_MONTH_PART_DAY: dict[str | None, int | None] = {
    None: None,
    "初": 10,
    "上旬": 10,
    "中": 15,
    "中旬": 20,
    "下旬": None,
    "底": None,
    "末": None,
}

_CHINESE_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# The form most cells and every export write ("2025年12月31日"): read without the grammar,
# whose compiling alone costs more than a short import's parsing.
_PLAIN_DATE = lazy_compile(rf"({_YEAR})年(\d{{1,2}})月(\d{{1,2}})日", re.ASCII)
_CHINESE_NUMBER = lazy_compile("[〇零一二三四五六七八九十]+")
_QUARTER_LATIN = lazy_compile(r"(?<![A-Za-z])[Qq]([1-4])(?!\d)")


def parse_deadline(value: object, year: int | None = None) -> date | None:
    """The date a 完成时限 means (end of the named period), or None; never raises."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _in_range(value.date())
    if isinstance(value, date):
        return _in_range(value)
    if isinstance(value, (int, float)):
        return _parse_number(value, year)
    if isinstance(value, str):
        return _parse_text(clean_cell_text(value), year)
    # Anything else (a time of day, a list, an error cell object) names no deadline; its
    # repr might contain digits that would read as one.
    return None


def deadline_display(d: date | None) -> str:
    """A derived deadline as shown in tables: "2025-12-31", or 无固定日期."""
    return d.isoformat() if d is not None else NO_DATE_LABEL


def excel_date_text(value: object) -> str:
    """The 完成时限 text of a cell: a date cell becomes "2025年12月31日", anything else its text."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return clean_cell_text(value)


def _parse_number(value: float, year: int | None) -> date | None:
    """A number cell: an Excel serial date, or a year/"2025.9" that Excel stored as a number."""
    if not math.isfinite(value):
        return None
    if MIN_DATE.year <= value < MAX_DATE.year + 1:
        # "2025.9" typed into Excel arrives as the float 2025.9; parse it as the text it was.
        # (Excel has already turned "2025.10" into 2025.1, which reads as January: unavoidable.)
        return _parse_text(clean_cell_text(value), year)
    if _SERIAL_MIN <= value <= _SERIAL_MAX:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    return None


def _parse_text(text: str, year: int | None) -> date | None:
    """Read the mentions in the text in order; the last one that names a date wins."""
    text = _prepare(text)
    plain = _PLAIN_DATE.fullmatch(text)
    if plain is not None:
        return _date(int(plain[1]), int(plain[2]), int(plain[3]))
    return _parse_mentions(text, year)


def _parse_mentions(text: str, year: int | None) -> date | None:
    """_parse_text on prepared text, through the whole grammar."""
    context_year = year
    found: date | None = None
    for match in _MENTION.finditer(text):
        explicit_year = _explicit_year(match)
        if explicit_year is not None:
            # A range like "2025年3月—12月" names its year once; later parts inherit it.
            context_year = explicit_year
        if text.startswith(_START_MARKS, match.end()):
            continue
        candidate = _mention_date(match, context_year)
        if candidate is not None:
            # The last date wins: a range gives its end, "6月立项，12月底前完成" its final step.
            found = candidate
    return found


def _prepare(text: str) -> str:
    """Half-width, space-free text with digits for Chinese numerals and "Q3" as "第3季度"."""
    text = remove_spaces(unicodedata.normalize("NFKC", text))
    text = _CHINESE_NUMBER.sub(_chinese_number_digits, text)
    return _QUARTER_LATIN.sub(r"第\1季度", text)


def _chinese_number_digits(match: re.Match[str]) -> str:
    """Digits for a run of Chinese numerals: 二〇二五 → 2025, 十二 → 12, 三十一 → 31."""
    run = match.group()
    if "十" not in run:
        return "".join(str(_CHINESE_DIGITS[ch]) for ch in run)
    tens, _, units = run.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return run
    tens_value = _CHINESE_DIGITS.get(tens, 1) if tens else 1
    units_value = _CHINESE_DIGITS.get(units, 0) if units else 0
    return str(tens_value * 10 + units_value)


def _explicit_year(match: re.Match[str]) -> int | None:
    """The year written in the mention itself, if any."""
    for name in ("ymd_y", "c_y", "q_y", "h_y", "n_y", "m_y", "y"):
        if match.group(name):
            return int(match.group(name))
    return None


def _mention_date(match: re.Match[str], year: int | None) -> date | None:
    """The date one mention stands for, given the year in force; None if it names none."""
    kind = match.lastgroup
    if kind == "ymd":
        return _date(year, int(match["ymd_m"]), int(match["ymd_d"]))
    if kind == "compact":
        return _date(year, int(match["c_m"]), int(match["c_d"]))
    if kind == "quarter":
        return _date(year, int(match["q"] or match["q2"]) * 3)
    if kind == "half":
        return _date(year, 6 if match["h"] == "上" else 12)
    if kind == "ym_num":
        return _date(year, int(match["n_m2"] or match["n_m"]))
    if kind == "month":
        day = int(match["m_d"]) if match["m_d"] else _MONTH_PART_DAY[match["m_part"]]
        return _date(year, int(match["m"]), day)
    if kind == "year":
        return _date(year, 6 if match["y_part"] else 12)
    if kind == "year_word":
        return _date(year, 6 if match.group() == "年中" else 12)
    return None


# Days per month (February in a common year): the calendar module, and the locale module
# it loads, cost 2.5 ms at every start that reads a 完成时限.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _date(year: int | None, month: int, day: int | None = None) -> date | None:
    """A valid date in range, with day None meaning the month's last day; else None."""
    if year is None or not 1 <= month <= 12:
        return None
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        return None
    last_day = _MONTH_DAYS[month - 1] + (month == 2 and _is_leap(year))
    if day is None:
        day = last_day
    if not 1 <= day <= last_day:
        return None
    return date(year, month, day)


def _in_range(d: date) -> date | None:
    """A date cell outside 1900–2200 is a typo or an epoch artefact, not a deadline."""
    return d if MIN_DATE <= d <= MAX_DATE else None
