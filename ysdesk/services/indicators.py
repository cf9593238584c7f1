"""The plan's target indicators: target vs latest actual, the gap, the path, and value import.

All four targets are "higher is better" (研发投入占比, 数字经济占比, 孵化活化率, 独角兽数量):
an actual value at or above the target meets it. Between a starting value (the baseline, or
the first actual) and the target, the path is a straight line year by year; an actual value
on or above the line is on track.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ysdesk.domain.errors import UserError, ValidationError
from ysdesk.domain.model import Indicator, IndicatorValue
from ysdesk.domain.text import clean_cell_text
from ysdesk.exchange.sheet_process import read_isolated
from ysdesk.store import Store
from ysdesk.store.backup import auto_backup

# Tolerance when comparing a value with the target or the path (floats from sheets).
_EPS = 1e-9


@dataclass(frozen=True)
class PathPoint:
    """The value the straight path to the target expects in a year."""

    year: int
    value: float


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator: its actual values, the latest one, the gap and a judgement."""

    indicator: Indicator
    values: tuple[IndicatorValue, ...]
    latest: IndicatorValue | None
    gap: float | None  # target − latest: still to go (≤ 0 once met)
    judgement: str
    on_track: bool | None
    path: tuple[PathPoint, ...]
    expected: float | None  # what the path expects in the latest value's year
    needed_per_year: float | None  # yearly rise still needed to reach the target in time

    def to_json(self) -> dict[str, Any]:
        ind = self.indicator
        return {
            "id": ind.id,
            "name": ind.name,
            "unit": ind.unit,
            "comparator": ind.comparator,
            "target_value": ind.target_value,
            "target_year": ind.target_year,
            "values": [
                {"year": v.year, "value": v.value, "source": v.source, "as_of": v.as_of}
                for v in self.values
            ],
            "latest": (
                {"year": self.latest.year, "value": self.latest.value} if self.latest else None
            ),
            "gap": _round(self.gap),
            "judgement": self.judgement,
            "on_track": self.on_track,
            "expected": _round(self.expected),
            "needed_per_year": _round(self.needed_per_year),
            "path": [{"year": p.year, "value": _round(p.value)} for p in self.path],
        }

    def sentence(self) -> str:
        """One Chinese sentence for the brief and the CLI."""
        ind = self.indicator
        target = f"目标 {ind.target_year} 年 {format_value(ind, ind.target_value, comparator=True)}"
        if self.latest is None:
            return f"{ind.name}：{target}，暂无实际值。"
        actual = f"{self.latest.year} 年实际 {format_value(ind, self.latest.value)}"
        gap = ""
        if self.gap is not None and self.gap > _EPS:
            gap = f"，差距 {format_gap(ind, self.gap)}"
            if self.needed_per_year is not None:
                gap += f"（需年均提高 {format_gap(ind, self.needed_per_year)}）"
        return f"{ind.name}：{actual}，{target}{gap}，{self.judgement}。"


def format_value(ind: Indicator, value: float, *, comparator: bool = False) -> str:
    """ "5.5%", "≥20%", "20家": a value in the indicator's unit."""
    prefix = ind.comparator if comparator and ind.comparator not in ("", "=") else ""
    return f"{prefix}{_number(value)}{ind.unit}"


def format_gap(ind: Indicator, gap: float) -> str:
    """A gap in words: percentage points for shares, the unit otherwise."""
    if ind.unit == "%":
        return f"{_number(gap)} 个百分点"
    return f"{_number(gap)} {ind.unit}".strip()


def indicator_status(indicator: Indicator, values: Sequence[IndicatorValue]) -> IndicatorStatus:
    """Judge one indicator from its actual values (any order)."""
    ordered = tuple(sorted(values, key=lambda v: v.year))
    latest = ordered[-1] if ordered else None
    target, target_year = indicator.target_value, indicator.target_year
    start = _start(indicator, ordered)
    path = _path(start, target, target_year)
    expected = _expected(start, target, target_year, latest.year) if latest else None
    gap = target - latest.value if latest else None
    needed = None
    if latest is not None and gap is not None and gap > _EPS and latest.year < target_year:
        needed = gap / (target_year - latest.year)
    if latest is None:
        judgement, on_track = "暂无实际值", None
    elif latest.value >= target - _EPS:
        judgement, on_track = "已达标", True
    elif latest.year >= target_year:
        judgement, on_track = "到期未达标", False
    elif expected is None or start is None or start.year >= latest.year:
        judgement, on_track = "数据不足，暂无法判断进度", None
    elif latest.value >= expected - _EPS:
        judgement, on_track = "符合进度", True
    else:
        judgement, on_track = "落后于进度", False
    return IndicatorStatus(
        indicator=indicator,
        values=ordered,
        latest=latest,
        gap=gap,
        judgement=judgement,
        on_track=on_track,
        path=path,
        expected=expected,
        needed_per_year=needed,
    )


def indicator_statuses(store: Store) -> list[IndicatorStatus]:
    """Every indicator of the plan with its judgement (two queries)."""
    values: dict[int, list[IndicatorValue]] = {}
    for v in store.indicator_values():
        values.setdefault(v.indicator_id, []).append(v)
    return [indicator_status(ind, values.get(ind.id, [])) for ind in store.indicators()]


def indicator_lines(store: Store) -> list[str]:
    """The indicators as sentences, for the Word brief."""
    return [s.sentence() for s in indicator_statuses(store)]


# ------------------------------------------------------------------ names
def _name_key(text: str) -> str:
    """Indicator names compared without spaces, brackets' content, punctuation or case."""
    text = unicodedata.normalize("NFKC", clean_cell_text(text)).casefold()
    text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】", "", text)
    text = text.replace("r&d", "研发").replace("研究与试验发展", "研发")
    return re.sub(r"[\s\W_]+", "", text)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def match_indicator(indicators: Sequence[Indicator], name: str) -> Indicator | None:
    """The indicator a name as written means ("研发经费投入占GDP比重（%）" → the R&D one)."""
    key = _name_key(name)
    if not key:
        return None
    keys = [(ind, _name_key(ind.name)) for ind in indicators]
    for ind, ind_key in keys:
        if key == ind_key:
            return ind
    contained = [
        ind
        for ind, ind_key in keys
        if min(len(key), len(ind_key)) >= 2 and (key in ind_key or ind_key in key)
    ]
    if len(contained) == 1:
        return contained[0]
    # Reworded names ("R&D经费占比", "数字经济核心产业增加值占全市比重"): the indicator sharing
    # the largest part of the shorter name's character pairs, if clearly ahead of the next.
    grams = _bigrams(key)
    scored = []
    for ind, ind_key in keys:
        other = _bigrams(ind_key)
        shared = len(grams & other)
        scored.append((shared / min(len(grams), len(other)) if shared >= 2 else 0.0, ind))
    scored.sort(key=lambda pair: -pair[0])
    if scored and scored[0][0] >= 0.6 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.2):
        return scored[0][1]
    return None


def resolve_indicator(store: Store, name: str) -> Indicator:
    """The indicator named (leniently), or a refusal listing the plan's indicators."""
    indicators = store.indicators()
    found = match_indicator(indicators, name)
    if found is None:
        names = "、".join(i.name for i in indicators)
        raise UserError(f"没有名为“{name}”的目标指标（可选：{names}）。")
    return found


def set_value(
    store: Store,
    name: str,
    year: int,
    value: float,
    *,
    source: str = "",
    as_of: str = "",
) -> IndicatorValue:
    """Record (or replace) an indicator's actual value for a year."""
    indicator = resolve_indicator(store, name)
    entry = _validated(indicator, year, value, source, as_of)
    store.set_indicator_value(entry)
    return entry


def delete_value(store: Store, name: str, year: int) -> None:
    """Remove an indicator's actual value of a year, or refuse when there is none."""
    indicator = resolve_indicator(store, name)
    if not any(v.year == year for v in store.indicator_values(indicator.id)):
        raise UserError(f"指标“{indicator.name}”没有 {year} 年的实际值。")
    store.delete_indicator_value(indicator.id, year)


# Units that count things: their values are whole numbers.
COUNT_UNITS = frozenset({"家", "个", "项", "件", "人", "名", "所", "座", "台", "套", "次", "款"})
# No district indicator comes near these: a larger value is a typing slip (an extra row of
# zeros, "1e308"), and it would flatten every chart and path computed from it.
MAX_COUNT = 1_000_000
MAX_AMOUNT = 1_000_000_000


@dataclass(frozen=True)
class ValueLimits:
    """What an indicator's actual value may be: a range, and whether it must be whole."""

    minimum: float
    maximum: float
    whole: bool
    kind: str  # "百分比", "计数" or "数值", for the refusal's wording


def value_limits(indicator: Indicator) -> ValueLimits:
    """The range of sensible actual values for an indicator's unit (the window's entry uses it)."""
    unit = indicator.unit.strip()
    if unit in ("%", "％"):
        return ValueLimits(0.0, 100.0, whole=False, kind="百分比")
    if unit in COUNT_UNITS:
        return ValueLimits(0.0, float(MAX_COUNT), whole=True, kind="计数")
    return ValueLimits(0.0, float(MAX_AMOUNT), whole=False, kind="数值")


def _validated(
    indicator: Indicator, year: int, value: float, source: str, as_of: str
) -> IndicatorValue:
    if not 1900 <= int(year) <= 2200:
        raise ValidationError(f"年度无效：{year}。")
    name = indicator.name
    if not math.isfinite(value):
        raise ValidationError(f"指标“{name}”的数值无效：应为有限的数字，不能是 {value}。")
    if value < 0:
        raise ValidationError(f"指标“{name}”的数值不能为负数：{_shown(value)}。")
    limits = value_limits(indicator)
    if value > limits.maximum:
        if limits.kind == "百分比":
            raise ValidationError(
                f"指标“{name}”是百分比，数值应在 0 到 100 之间，不能是 {_shown(value)}。"
            )
        raise ValidationError(
            f"指标“{name}”的数值过大：{_shown(value)}{indicator.unit}"
            f"（不应超过 {_number(limits.maximum)}{indicator.unit}）。"
        )
    if limits.whole and value != int(value):
        raise ValidationError(
            f"指标“{name}”按{indicator.unit}计数，数值应为整数，不能是 {_shown(value)}。"
        )
    return IndicatorValue(
        indicator_id=indicator.id,
        year=int(year),
        value=float(value),
        source=source.strip(),
        as_of=as_of.strip(),
    )


# ------------------------------------------------------------------ import
_NAME_HEADERS = ("指标名称", "指标", "名称", "指标项", "指标名")
_VALUE_HEADERS = ("数值", "实际值", "完成值", "实际完成值", "指标值", "值", "实际数值")
_YEAR_HEADERS = ("年度", "年份", "年")
_SOURCE_HEADERS = ("来源", "数据来源", "出处")
_DATE_HEADERS = ("日期", "数据日期", "统计日期", "截至日期", "截止日期", "时间")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class ImportRow:
    """One sheet row read as an indicator value; `action` is new, update, unchanged or error."""

    row: int
    name: str
    action: str
    value: IndicatorValue | None = None
    indicator: Indicator | None = None
    messages: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        v = self.value
        return {
            "row": self.row,
            "name": self.name,
            "action": self.action,
            "indicator": self.indicator.name if self.indicator else None,
            "year": v.year if v else None,
            "value": v.value if v else None,
            "source": v.source if v else "",
            "as_of": v.as_of if v else "",
            "messages": list(self.messages),
        }


@dataclass
class ImportResult:
    """A previewed or applied import of indicator values."""

    file_name: str
    rows: list[ImportRow]
    applied: bool = False
    backup: Path | None = None

    @property
    def summary(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), "new": 0, "update": 0, "unchanged": 0, "error": 0}
        for r in self.rows:
            counts[r.action] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(r.action == "error" for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "applied": self.applied,
            "summary": self.summary,
            "rows": [r.to_json() for r in self.rows],
        }


def read_value_rows(
    store: Store, rows: Sequence[Sequence[object]], *, year: int | None = None
) -> list[ImportRow]:
    """Read a sheet's rows (指标名称 | 数值, optional 年度/来源/日期) into import rows."""
    indicators = store.indicators()
    current = {(v.indicator_id, v.year): v for v in store.indicator_values()}
    header_at, columns = _find_header(rows)
    result: list[ImportRow] = []
    seen: dict[tuple[int, int], int] = {}
    for index in range(header_at + 1, len(rows)):
        cells = rows[index]
        name = clean_cell_text(_cell(cells, columns["name"]))
        raw_value = _cell(cells, columns["value"])
        if not name and clean_cell_text(raw_value) == "":
            continue
        row_no = index + 1
        indicator = match_indicator(indicators, name) if name else None
        if indicator is None:
            if not name or not _looks_numeric(raw_value):
                # A title, note or total line between the values: not an indicator row.
                continue
            result.append(
                ImportRow(row_no, name, "error", messages=(f"“{name}”不是本方案的目标指标。",))
            )
            continue
        messages: list[str] = []
        value = _parse_value(raw_value, indicator, messages)
        row_year = _parse_year(_cell(cells, columns.get("year")), year)
        if value is None or row_year is None:
            if value is None:
                messages.append(f"数值无法识别：“{clean_cell_text(raw_value)}”。")
            if row_year is None:
                messages.append("缺少年度：表格没有“年度”列时请指定数据所属年度。")
            result.append(
                ImportRow(row_no, name, "error", indicator=indicator, messages=tuple(messages))
            )
            continue
        try:
            entry = _validated(
                indicator,
                row_year,
                value,
                clean_cell_text(_cell(cells, columns.get("source"))),
                _date_text(_cell(cells, columns.get("date"))),
            )
        except UserError as exc:
            result.append(
                ImportRow(row_no, name, "error", indicator=indicator, messages=(exc.message,))
            )
            continue
        key = (indicator.id, entry.year)
        if key in seen:
            messages.append(f"与第 {seen[key]} 行重复，以本行为准。")
        seen[key] = row_no
        old = current.get(key)
        if old is None:
            action = "new"
        elif (old.value, old.source, old.as_of) == (entry.value, entry.source, entry.as_of):
            action = "unchanged"
        else:
            action = "update"
            messages.append(f"原值 {format_value(indicator, old.value)} 将被替换。")
        result.append(
            ImportRow(row_no, name, action, entry, indicator=indicator, messages=tuple(messages))
        )
    if not result:
        raise UserError("表格中没有找到任何目标指标的数值（应为“指标名称 | 数值”两列）。")
    return result


def import_values(
    store: Store, path: Path | str, *, year: int | None = None, dry_run: bool = False
) -> ImportResult:
    """Import actual values from a two-column sheet; valid rows are written in one transaction."""
    path = Path(path)
    rows = read_value_rows(store, _sheet_rows(path), year=year)
    result = ImportResult(file_name=path.name, rows=rows)
    writes = [r.value for r in rows if r.action in ("new", "update") and r.value is not None]
    if dry_run or not writes:
        return result
    result.backup = auto_backup(store, "导入指标前")
    with store.atomic():
        for value in writes:
            store.set_indicator_value(value)
    result.applied = True
    return result


def _sheet_rows(path: Path) -> list[list[object]]:
    """The first visible non-empty sheet's rows, screened and read in a child process."""
    for sheet in read_isolated(path):
        if sheet.hidden:
            continue
        rows: list[list[object]] = [list(r) for r in sheet.filled_rows()]
        if any(any(clean_cell_text(c) for c in r) for r in rows):
            return rows
    raise UserError(f"文件中没有含数据的工作表：{path.name}。")


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]]:
    """(header row index, column of each field); no header means name | value from the top."""
    for index, cells in enumerate(rows[:20]):
        texts = [_header_key(c) for c in cells]
        name = _column(texts, _NAME_HEADERS)
        value = _column(texts, _VALUE_HEADERS, exclude={name})
        if name is not None and value is not None:
            columns = {"name": name, "value": value}
            for field, words in (
                ("year", _YEAR_HEADERS),
                ("source", _SOURCE_HEADERS),
                ("date", _DATE_HEADERS),
            ):
                found = _column(texts, words, exclude=set(columns.values()))
                if found is not None:
                    columns[field] = found
            return index, columns
    return -1, {"name": 0, "value": 1}


def _header_key(cell: object) -> str:
    text = unicodedata.normalize("NFKC", clean_cell_text(cell))
    return re.sub(r"\([^()]*\)|\s", "", text)


def _column(
    texts: list[str], words: Sequence[str], exclude: Collection[int | None] = ()
) -> int | None:
    for word in words:
        for i, text in enumerate(texts):
            if i not in exclude and text == word:
                return i
    return None


def _cell(cells: Sequence[object], column: int | None) -> object:
    if column is None or column >= len(cells):
        return None
    return cells[column]


def _looks_numeric(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return bool(_NUMBER.search(unicodedata.normalize("NFKC", clean_cell_text(value))))


def _parse_value(raw: object, indicator: Indicator, messages: list[str]) -> float | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        value = float(raw)
        if indicator.unit == "%" and 0 < value <= 1 and indicator.target_value > 1:
            # A percentage-formatted cell stores 5.2% as 0.052.
            messages.append(f"数值 {_number(value)} 按百分数 {_number(value * 100)}% 读入。")
            return value * 100
        return value if math.isfinite(value) else None
    text = unicodedata.normalize("NFKC", clean_cell_text(raw)).replace(",", "")
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    return float(numbers[0])


def _parse_year(raw: object, default: int | None) -> int | None:
    if raw is None or clean_cell_text(raw) == "":
        return default
    if isinstance(raw, (datetime, date)):
        return raw.year
    match = re.search(
        r"(?<!\d)(19|2[01])\d\d(?!\d)", unicodedata.normalize("NFKC", clean_cell_text(raw))
    )
    return int(match.group()) if match else None


def _date_text(raw: object) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return clean_cell_text(raw)


def _start(indicator: Indicator, values: tuple[IndicatorValue, ...]) -> PathPoint | None:
    if indicator.baseline_value is not None and indicator.baseline_year is not None:
        return PathPoint(indicator.baseline_year, indicator.baseline_value)
    if values:
        return PathPoint(values[0].year, values[0].value)
    return None


def _path(start: PathPoint | None, target: float, target_year: int) -> tuple[PathPoint, ...]:
    if start is None or start.year >= target_year:
        return ()
    return tuple(
        PathPoint(y, _expected(start, target, target_year, y) or 0.0)
        for y in range(start.year, target_year + 1)
    )


def _expected(start: PathPoint | None, target: float, target_year: int, year: int) -> float | None:
    if start is None or start.year >= target_year:
        return None
    if year >= target_year:
        return target
    if year <= start.year:
        return start.value
    share = (year - start.year) / (target_year - start.year)
    return start.value + (target - start.value) * share


def _number(value: float) -> str:
    """2 decimals at most, no trailing zeros: 5.5, 20, 0.35."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _shown(value: float) -> str:
    """A refused value as typed: 2.5, 150, -3, 1e+308 (never 300 digits, never rounded to 0)."""
    if abs(value) >= 1e9 or (value != 0 and abs(value) < 0.01):
        return f"{value:g}"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
