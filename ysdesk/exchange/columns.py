"""What each column of a returned sheet means: the one place that decides it.

A header cell is read, in this order, by the user's `--map 表头=字段` (source "map"), by the
mapping saved for sheets with the same headers (source "saved"), by the table of header
synonyms (DESIGN.md §5, source "alias"), and last by its words *and* its cells agreeing on a
field (单位 whose cells are known units, 时间 whose cells are 完成时限 …, source "guess").
Anything else stays unread (source "none") and is listed. The reading of every column is kept
as a report (`ColumnReading`), printed by the dry run and shown above a preview's rows.

The header row is looked for in the first rows of every visible sheet (or the one `--sheet`
names, at the row `--header-row` names); only the chosen row's cells are judged by content,
once per sheet, never per row. When nothing fits, the refusal says precisely what is
missing: no column that can be a project name, too few known columns, several sheets that
could be the list.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.errors import BadFileError, UserError
from ysdesk.domain.model import FIELD_LABELS, Status
from ysdesk.domain.patterns import lazy_compile
from ysdesk.domain.text import clean_cell_text
from ysdesk.exchange.roundtrip import ID_HEADER
from ysdesk.exchange.sheets import HIDDEN_SHEET, Cell, SheetGrid, column_letters

# ------------------------------------------------------------------ vocabulary
# Field names as the model spells them; "either" is 完成情况 (status or progress by content),
# "serial" and "id" are read but never written to a project.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "serial": ("序号", "编号", "序", "no", "no."),
    "id": (ID_HEADER.casefold(),),
    "task_no": (
        "重点任务",
        "主要任务",
        "所属任务",
        "对应任务",
        "所属重点任务",
        "对应重点任务",
        "任务",
        "任务编号",
        "重点任务编号",
        "任务序号",
    ),
    "name": (
        "项目名称",
        "工作任务",
        "具体举措",
        "项目",
        "具体项目",
        "举措",
        "主要举措",
        "项目内容",
        "具体工作",
        "工作事项",
        "任务事项",
    ),
    "goal": (
        "年度目标",
        "目标任务",
        "工作目标",
        "年度任务目标",
        "年度工作目标",
        "年度目标任务",
        "建设内容",
        "主要内容",
        "目标",
        "年度计划",
        "预期目标",
    ),
    "zones": ("功能区", "所在功能区", "所属功能区", "功能片区", "所在区域"),
    "lead_units": (
        "牵头单位",
        "牵头部门",
        "责任单位",
        "责任部门",
        "主责单位",
        "主责部门",
        "牵头",
        "责任主体",
    ),
    "co_units": (
        "配合单位",
        "配合部门",
        "协办单位",
        "协办部门",
        "参与单位",
        "协同单位",
        "配合",
        "协作单位",
    ),
    "deadline_text": (
        "完成时限",
        "时间节点",
        "完成时间",
        "时限",
        "计划完成时间",
        "完成期限",
        "时间安排",
        "完成节点",
    ),
    "status": ("推进状态", "状态", "进度状态", "项目状态", "完成状态", "推进状况"),
    "progress": (
        "进展情况",
        "推进情况",
        "工作进展",
        "进展",
        "最新进展",
        "推进进展",
        "进度情况",
        "目前进展",
        "当前进展",
        "工作推进情况",
        "进展情况说明",
    ),
    "either": ("完成情况", "落实情况", "执行情况"),
    "note": ("备注", "说明", "备注说明"),
    # A row's own year: it goes to that year's list (立项年度 of a research-project sheet).
    "year": ("年度", "立项年度", "年份", "所属年度", "项目年度", "计划年度", "实施年度"),
}
# 责任单位 alone names the lead; with 配合单位 beside it, it is a group over both.
RESPONSIBLE_HEADERS = frozenset({"责任单位", "责任部门", "责任主体"})

SKIP = "skip"
# The names `set` and `--map` use for fields → the parser's names.
FIELD_NAMES: dict[str, str] = {
    "name": "name",
    "goal": "goal",
    "task": "task_no",
    "zones": "zones",
    "lead": "lead_units",
    "co": "co_units",
    "deadline": "deadline_text",
    "status": "status",
    "progress": "progress",
    "note": "note",
    "year": "year",
}
PUBLIC_NAMES: dict[str, str] = {inner: public for public, inner in FIELD_NAMES.items()}
# What a drop-down offers, in this order, with the labels a clerk reads.
FIELD_TITLES: dict[str, str] = {
    **{inner: FIELD_LABELS.get(inner, "年度") for inner in FIELD_NAMES.values()},
    SKIP: "不导入",
}

ALIAS = "alias"
MAP = "map"
SAVED = "saved"
GUESS = "guess"
NONE = "none"
SOURCES = (ALIAS, MAP, SAVED, GUESS, NONE)

HEADER_SCAN_ROWS = 40
# A project list needs a name and at least this many of the fields that describe a project.
_SUBSTANTIVE = frozenset(
    {"task_no", "goal", "zones", "lead_units", "co_units", "deadline_text", "status", "progress"}
)
_MIN_SUBSTANTIVE = 2
_VALUE_FIELDS = frozenset(FIELD_ALIASES) - {"serial", "id", "either"}
# Cells sampled under a header to judge what its column holds, and the share that must agree.
_SAMPLE_CELLS = 100
_SAMPLE_ROWS = 400
_AGREE = 0.6
_STATUS_LIKE_MAX = 6
_SHOWN_HEADERS = 12

_ALIAS_FIELD: dict[str, str] = {
    alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases
}
# Longer aliases first, so "重点任务编号" is tried before "重点任务" when a header only starts so.
_PREFIX_ALIASES = sorted((a for a in _ALIAS_FIELD if len(a) >= 3), key=len, reverse=True)

_BRACKETED = lazy_compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_HEADER_NOISE = lazy_compile(r"[*＊:：\s]")
_DIGIT = lazy_compile(r"\d")
_NUMBER_TEXT = lazy_compile(r"^[\d.,，%％+\-\s]+$")
_YEAR_TEXT = lazy_compile(r"^((?:19|20)\d\d)\s*(?:年度?)?$")
_CHINESE_YEAR = lazy_compile(r"^([〇零一二三四五六七八九]{4})\s*(?:年度?)?$")
_CHINESE_DIGITS = {ch: str(i) for i, ch in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_NO_DATE_WORDS = ("持续", "长期", "常态", "每年", "每季", "每月", "每学期", "适时", "按需", "全年")

# Words of a header that point at a field, for headers the synonyms do not know. Each
# candidate is tried against the column's cells in this order; the first that agrees wins.
_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("status", ("状态", "状况")),
    ("year", ("年度", "年份")),
    ("deadline_text", ("时限", "时间", "日期", "节点", "期限", "截止", "年月", "完成时")),
    ("zones", ("功能区", "区域", "片区", "园区", "区位")),
    ("task_no", ("任务", "领域")),
    ("progress", ("进展", "进度", "推进", "落实", "执行", "完成情况")),
    ("goal", ("目标", "内容", "计划", "预期", "成果", "要求", "指标")),
    ("note", ("备注", "说明", "附注", "其他")),
)
_UNIT_WORDS = ("单位", "部门", "主体", "机构", "处室", "科室", "院系")
_CO_WORDS = ("配合", "协办", "协助", "协同", "协作", "参与", "合作", "联合", "支持")
_NAME_WORDS = ("名称", "事项", "项目", "课题", "工作", "举措", "任务", "题目", "事件")
_HINT_MAX_CHARS = 16


@dataclass(frozen=True)
class ColumnReading:
    """How one column was read: its header, letter, field (the parser's name, SKIP or None)
    and where that came from (alias, map, saved, guess, none)."""

    header: str
    index: int  # 0-based
    field: str | None
    source: str

    @property
    def column(self) -> str:
        return column_letters(self.index)

    @property
    def public_field(self) -> str | None:
        """The field as `set` and `--map` name it (skip included), None when not read."""
        if self.field == SKIP:
            return SKIP
        return PUBLIC_NAMES.get(self.field) if self.field is not None else None

    @property
    def title(self) -> str:
        """The field as a clerk reads it: 牵头单位, 不导入, 序号（不导入）, 未识别 …"""
        if self.field in FIELD_TITLES:
            return FIELD_TITLES[self.field]  # type: ignore[index]
        if self.field == "serial":
            return "序号（不导入）"
        if self.field == "id":
            return "项目编号（用于匹配）"
        return "未识别"

    def to_json(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "column": self.column,
            "field": self.public_field,
            "source": self.source,
        }


@dataclass(frozen=True)
class SavedColumns:
    """A mapping saved by an applied import, as the reader uses it: header key → field
    (named as `--map` names them, skip included)."""

    id: int
    fields: Mapping[str, str]
    headers: tuple[str, ...] = ()
    unit: str = ""
    file_name: str = ""
    saved_at: str = ""


@dataclass
class ReadOptions:
    """What the user asked for (--map, --sheet, --header-row) and what the database knows
    (mappings saved per header signature, and for the import's unit its other mappings)."""

    maps: tuple[tuple[str, str], ...] = ()  # (header as written, parser field or SKIP)
    sheet: str | None = None
    header_row: int | None = None  # 1-based
    saved: Mapping[str, SavedColumns] = field(default_factory=dict)
    unit: str = ""
    unit_saved: Sequence[SavedColumns] = ()


@dataclass(frozen=True)
class CellTests:
    """How the plan recognises a cell: a known unit, a zone, a task reference."""

    unit: Callable[[Cell], bool]
    zone: Callable[[Cell], bool]
    task: Callable[[Cell], bool]


@dataclass
class Reading:
    """The header found and how each of its columns is read."""

    sheet_index: int
    first: int  # 0-based first header row
    last: int  # 0-based last header row
    columns: dict[str, int]  # parser field → 0-based column
    responsible_lead: bool  # the lead column is a lone 责任单位: "（牵头）" marks or first = lead
    report: list[ColumnReading]
    signature: str
    headers: tuple[str, ...]
    saved: SavedColumns | None = None
    messages: list[str] = field(default_factory=list)

    def learned(self) -> dict[str, str]:
        """What an applied import saves: header key → field (as --map names it) of every
        column read by a map, a saved mapping or a guess."""
        return {
            header_key(c.header): c.public_field or SKIP
            for c in self.report
            if c.source in (MAP, SAVED, GUESS)
        }


class ColumnsError(BadFileError):
    """A refusal about the header a user can fix by naming columns or a sheet: the window
    shows it with the columns as read (and the sheets) so that the user can pick."""

    def __init__(
        self,
        message: str,
        *,
        sheet: str = "",
        sheets: Sequence[str] = (),
        report: Sequence[ColumnReading] = (),
        header_row: int | None = None,
        problem: str = "",
    ) -> None:
        super().__init__(message)
        self.sheet = sheet
        self.sheets = list(sheets)
        self.report = list(report)
        self.header_row = header_row
        self.problem = problem or message


# ------------------------------------------------------------------ header words
def header_key(value: Cell) -> str:
    """A header cell as compared with the aliases: half-width, no spaces, marks or colons."""
    text = unicodedata.normalize("NFKC", clean_cell_text(value))
    return _HEADER_NOISE.sub("", text).casefold()


def header_field(value: Cell) -> str | None:
    """The field a header cell names by the synonyms, or None."""
    if not isinstance(value, str):
        return _header_field(value) if value is not None else None
    found = _HEADER_CACHE.get(value, _MISSING)
    if found is _MISSING:
        found = _header_field(value)
        if len(_HEADER_CACHE) < 50_000:
            _HEADER_CACHE[value] = found
    return found  # type: ignore[return-value]


_HEADER_CACHE: dict[str, str | None] = {}
_MISSING = object()


def _header_field(value: Cell) -> str | None:
    return _key_field(header_key(value))


def _key_field(key: str) -> str | None:
    if not key:
        return None
    found = _ALIAS_FIELD.get(key)
    if found is None:
        bare = _BRACKETED.sub("", key)
        found = _ALIAS_FIELD.get(bare)
        if found is None and bare:
            for alias in _PREFIX_ALIASES:
                if bare.startswith(alias):
                    return _ALIAS_FIELD[alias]
    return found


def hinted_fields(key: str) -> tuple[str, ...]:
    """Fields a header's words point at (单位 → lead/co, 时间 → deadline …), to be confirmed
    by the column's cells; empty for long texts or texts with digits (data, not headers)."""
    if not key or len(key) > _HINT_MAX_CHARS or _DIGIT.search(key):
        return ()
    found = _HINT_CACHE.get(key)
    if found is None:
        bare = _BRACKETED.sub("", key) or key
        hints = [name for name, words in _HINTS if any(w in bare for w in words)]
        if any(w in bare for w in _UNIT_WORDS):
            if any(w in bare for w in _CO_WORDS):
                hints.insert(0, "co_units")
            else:
                hints[:0] = ["lead_units", "co_units"]
        found = _HINT_CACHE[key] = tuple(hints)
    return found


_HINT_CACHE: dict[str, tuple[str, ...]] = {}


def parse_map(text: str) -> tuple[str, str]:
    """A `--map 表头=字段` argument → (header, parser field or SKIP); UserError otherwise."""
    normalized = unicodedata.normalize("NFKC", text)
    header, sep, name = normalized.rpartition("=")
    header, name = header.strip(), name.strip()
    if not sep or not header or not name:
        raise UserError(f"--map 的写法是“表头=字段”（如 --map 待办事项=name），而不是“{text}”。")
    return header, field_name(name)


def field_name(name: str) -> str:
    """A field as a user writes it (lead, skip, or its label 牵头单位) → the parser's name."""
    key = name.strip()
    folded = key.casefold()
    if folded == SKIP:
        return SKIP
    if folded in FIELD_NAMES:
        return FIELD_NAMES[folded]
    for inner, label in FIELD_TITLES.items():
        if key == label:
            return inner
    known = "、".join([*FIELD_NAMES, SKIP])
    raise UserError(f"未知的字段“{name}”：可用的字段有 {known}。")


def year_value(value: Cell) -> int | None:
    """A year cell (2025, "2025年", "二〇二五年度"), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and 1900 <= value <= 2200 else None
    if isinstance(value, (date, datetime)):
        return None
    text = unicodedata.normalize("NFKC", clean_cell_text(value)).strip()
    m = _YEAR_TEXT.match(text)
    if m:
        return int(m.group(1))
    m = _CHINESE_YEAR.match(text)
    if m:
        return int("".join(_CHINESE_DIGITS[ch] for ch in m.group(1)))
    return None


def header_signature(headers: Iterable[str]) -> str:
    """The headers of a sheet as one text, the same whatever their order: a department's
    next return is recognised by it."""
    return "|".join(sorted({k for k in (header_key(h) for h in headers) if k}))


def either_is_status(cells: Sequence[Cell]) -> bool:
    """完成情况 holds status words when most of its filled cells are short status words."""
    values = [clean_cell_text(v) for v in cells[:200] if v is not None]
    values = [v for v in values if v]
    if not values:
        return True
    words = sum(1 for v in values if len(v) <= _STATUS_LIKE_MAX and Status.parse(v) is not None)
    return words * 10 >= len(values) * 6


# ------------------------------------------------------------------ one header row
@dataclass
class _Column:
    index: int
    header: str  # as shown: "责任单位/牵头单位" under a merged group
    keys: tuple[str, ...]  # what --map may name: the shown text, the lower, the upper label
    alias: str | None
    alias_key: str  # the key of the label the alias came from (责任单位 decides a lone lead)
    hints: tuple[str, ...]


@dataclass
class _Candidate:
    sheet_index: int
    sheet: str
    hidden: bool
    first: int
    last: int
    columns: list[_Column]
    signature: str
    # index → (field, source), for the columns read by a map, a saved mapping or an alias
    fields: dict[int, tuple[str | None, str]]
    saved: SavedColumns | None
    unmatched: list[str]  # headers --map names that are not in this row
    judged: bool = False
    notes: list[str] = field(default_factory=list)

    def field_set(self) -> set[str]:
        return {f for f, _ in self.fields.values() if f is not None and f != SKIP}

    def rank(self) -> tuple[int, ...]:
        found = self.field_set()
        firm = len(found & (_VALUE_FIELDS | {"either"})) * 10 + ("id" in found)
        hints = sum(1 for c in self.columns if c.hints and c.index not in self.fields)
        return (
            not self.hidden,
            -len(self.unmatched),
            "name" in found,
            firm,
            hints,
            -self.sheet_index,
            -self.first,
        )

    def valid(self) -> bool:
        found = self.field_set()
        if "either" in found:
            found.add("status")
        return "name" in found and len(found & _SUBSTANTIVE) >= _MIN_SUBSTANTIVE

    def plausible(self) -> bool:
        """Enough of a header to say precisely what it lacks (else: not a project list):
        two of a name and the fields that describe a project, by synonyms or words."""
        found = self.field_set()
        hinted = {h for c in self.columns if c.index not in self.fields for h in c.hints[:1]}
        return len((found | hinted) & (_SUBSTANTIVE | {"name", "either"})) >= 2


_Label = tuple[str, str, "str | None", tuple[str, ...]]  # text, key, alias, hinted fields
_NO_LABEL: _Label = ("", "", None, ())


def _label(value: Cell) -> _Label:
    """What a cell says as a header: its text, key, synonym field and hinted fields. Cached
    by value: the header rows are tried as single and as double headers, over 40 rows."""
    if value is None:
        return _NO_LABEL
    found = _LABEL_CACHE.get(value) if isinstance(value, str) else None
    if found is None:
        text = clean_cell_text(value).strip()
        key = header_key(text)
        alias = header_field(text)
        found = (text, key, alias, hinted_fields(key) if alias is None else ())
        if isinstance(value, str) and len(_LABEL_CACHE) < 50_000:
            _LABEL_CACHE[value] = found
    return found


_LABEL_CACHE: dict[str, _Label] = {}


def _columns_of(top: list[Cell], bottom: list[Cell] | None) -> list[_Column]:
    """Columns of a one- or two-row header; the sub-label wins under a merged group label."""
    columns = []
    width = max(len(top), len(bottom or ()))
    for col in range(width):
        upper = _label(top[col]) if col < len(top) else _NO_LABEL
        lower = _label(bottom[col]) if bottom is not None and col < len(bottom) else _NO_LABEL
        if lower[0] == upper[0]:
            lower = _NO_LABEL
        if not upper[0] and not lower[0]:
            continue
        if upper[0] and lower[0]:
            # The key of "上/下" is the keys joined: no text is normalised twice.
            shown, keys = f"{upper[0]}/{lower[0]}", (f"{upper[1]}/{lower[1]}", lower[1], upper[1])
        else:
            one = upper if upper[0] else lower
            shown, keys = one[0], (one[1],)
        alias, alias_key = lower[2], lower[1]
        if alias is None:
            alias, alias_key = upper[2], upper[1]
        hints = () if alias is not None else (lower if lower[0] else upper)[3]
        columns.append(_Column(col, shown, keys, alias, alias_key, hints))
    return columns


def _candidate(
    sheet_index: int,
    grid: SheetGrid,
    first: int,
    last: int,
    top: list[Cell],
    bottom: list[Cell] | None,
    options: ReadOptions,
) -> _Candidate:
    columns = _columns_of(top, bottom)
    signature = "|".join(sorted({c.keys[0] for c in columns if c.keys[0]}))
    saved = options.saved.get(signature) if options.saved else None
    fields: dict[int, tuple[str | None, str]] = {}
    taken: set[str] = set()
    unmatched = []
    for header, name in options.maps:
        key = header_key(header)
        hits = [c for c in columns if c.keys[0] == key]
        hits = hits or [c for c in columns if key in c.keys[1:2]]
        hits = hits or [c for c in columns if key in c.keys]
        if len(hits) != 1:
            unmatched.append(header)
            continue
        fields[hits[0].index] = (name, MAP)
        if name != SKIP:
            taken.add(name)
    if saved is not None:
        by_key = {k: FIELD_NAMES.get(v, SKIP) for k, v in saved.fields.items()}
        for c in columns:
            name = by_key.get(c.keys[0])
            if name is None or c.index in fields or name in taken:
                continue
            fields[c.index] = (name, SAVED)
            if name != SKIP:
                taken.add(name)
    for c in columns:
        if c.alias is None or c.index in fields or c.alias in taken:
            continue
        fields[c.index] = (c.alias, ALIAS)
        taken.add(c.alias)
    return _Candidate(
        sheet_index,
        grid.name,
        grid.hidden,
        first,
        last,
        columns,
        signature,
        fields,
        saved,
        unmatched,
    )


def _is_sub_header(top: list[Cell], bottom: list[Cell]) -> bool:
    """Whether the second row holds header words under the first (not a data row): a
    synonym, or only words that point at fields (主办处室 | 协同处室 under 承办单位)."""
    labels = [
        lower
        for col, lower in enumerate(bottom)
        if lower is not None and lower != (top[col] if col < len(top) else None)
    ]
    if any(_label(label)[2] is not None for label in labels):
        return True
    return bool(labels) and all(_label(label)[3] for label in labels)


def _is_title(row: list[Cell]) -> bool:
    """A row whose cells all hold one text: a title merged across, never a header's top."""
    values = {v for v in row if v is not None}
    return len(values) == 1


def _row_candidate(
    sheet_index: int, grid: SheetGrid, rows: list[list[Cell]], r: int, options: ReadOptions
) -> _Candidate:
    top = rows[r]
    single = _candidate(sheet_index, grid, r, r, top, None, options)
    if r + 1 >= len(rows) or _is_title(top):
        return single
    double = _candidate(sheet_index, grid, r, r + 1, top, rows[r + 1], options)
    if double.rank()[1:5] > single.rank()[1:5] or (
        double.rank()[1:5] == single.rank()[1:5]
        and double.field_set()
        and _is_sub_header(top, rows[r + 1])
    ):
        return double
    return single


# ------------------------------------------------------------------ judging by content
def _samples(rows: list[list[Cell]], start: int, col: int) -> list[Cell]:
    cells = []
    for row in rows[start : start + _SAMPLE_ROWS]:
        value = row[col] if col < len(row) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        cells.append(value)
        if len(cells) >= _SAMPLE_CELLS:
            break
    return cells


def _is_text(value: Cell) -> bool:
    if not isinstance(value, str):
        return False
    text = clean_cell_text(value).strip()
    return len(text) >= 2 and not _NUMBER_TEXT.match(unicodedata.normalize("NFKC", text))


def _is_deadline(value: Cell, year: int | None) -> bool:
    if isinstance(value, (date, datetime)):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value > 3000 and parse_deadline(value) is not None
    text = clean_cell_text(value)
    if any(w in text for w in _NO_DATE_WORDS):
        return True
    return parse_deadline(text, year or 2000) is not None


def _share(cells: Sequence[Cell], test: Callable[[Cell], bool]) -> float:
    return sum(1 for v in cells if test(v)) / len(cells) if cells else 0.0


def _agrees(name: str, cells: Sequence[Cell], tests: CellTests, year: int | None) -> bool:
    """Whether most of a column's cells hold what `name` holds."""
    if not cells:
        return False
    if name in ("lead_units", "co_units"):
        share = _share(cells, tests.unit)
    elif name == "deadline_text":
        share = _share(cells, lambda v: _is_deadline(v, year))
    elif name == "status":
        share = _share(
            cells,
            lambda v: (
                len(clean_cell_text(v)) <= _STATUS_LIKE_MAX
                and Status.parse(clean_cell_text(v)) is not None
            ),
        )
    elif name == "year":
        share = _share(cells, lambda v: year_value(v) is not None)
    elif name == "zones":
        share = _share(cells, tests.zone)
    elif name == "task_no":
        share = _share(cells, tests.task)
    elif name == "progress":
        share = _share(cells, _is_text) if not either_is_status(list(cells)) else 0.0
    else:  # goal, note: text
        share = _share(cells, _is_text)
    return share >= _AGREE


def _judge(cand: _Candidate, rows: list[list[Cell]], tests: CellTests, year: int | None) -> None:
    """Read the unknown columns by their words and cells (guess), and 完成情况 by its cells."""
    if cand.judged:
        return
    cand.judged = True
    start = cand.last + 1
    taken = cand.field_set()
    for c in cand.columns:
        found = cand.fields.get(c.index)
        if found is not None and found[0] == "either":
            cells = _samples(rows, start, c.index)
            if "status" not in taken and ("progress" in taken or either_is_status(cells)):
                name = "status"
            elif "progress" not in taken:
                name = "progress"
            else:
                name = None
            cand.fields[c.index] = (name, ALIAS)
            if name is not None:
                taken.add(name)
    for c in cand.columns:
        if c.index in cand.fields or not c.hints:
            continue
        options = [h for h in c.hints if h not in taken]
        if not options:
            continue
        cells = _samples(rows, start, c.index)
        for name in options:
            if _agrees(name, cells, tests, year):
                cand.fields[c.index] = (name, GUESS)
                taken.add(name)
                cand.notes.append(
                    f"“{c.header}”列（{column_letters(c.index)}）不在常用表头中，"
                    f"按其表头和内容读作“{FIELD_TITLES[name]}”。"
                )
                break
        else:
            label = FIELD_TITLES.get(options[0], options[0])
            why = "该列为空" if not cells else "但其内容与之不符"
            cand.notes.append(
                f"“{c.header}”列（{column_letters(c.index)}）的表头像是“{label}”，{why}，未导入。"
            )


def _report(cand: _Candidate) -> list[ColumnReading]:
    report = []
    for c in cand.columns:
        name, source = cand.fields.get(c.index, (None, NONE))
        report.append(ColumnReading(c.header, c.index, name, source))
    return report


def _columns_map(cand: _Candidate) -> tuple[dict[str, int], bool]:
    columns: dict[str, int] = {}
    lead_key = ""
    co_named = False  # a 配合单位 column, even one skipped: then 责任单位 is the lead alone
    for c in cand.columns:
        name, _source = cand.fields.get(c.index, (None, NONE))
        co_named = co_named or name == "co_units" or c.alias == "co_units"
        if name is None or name == SKIP or name in columns:
            continue
        columns[name] = c.index
        if name == "lead_units":
            lead_key = c.alias_key if c.alias == "lead_units" else ""
    responsible = lead_key in RESPONSIBLE_HEADERS and not co_named
    return columns, responsible


# ------------------------------------------------------------------ finding the header
def read_columns(
    grids: Sequence[SheetGrid],
    filled: Mapping[int, list[list[Cell]]],
    options: ReadOptions,
    tests: CellTests,
    *,
    file_name: str,
    year: int | None = None,
) -> Reading:
    """The header row (pair) of the project list and how each column is read; a precise
    BadFileError (ColumnsError where naming a column or sheet would help) otherwise."""
    names = [g.name for g in grids if g.name != HIDDEN_SHEET]
    indexes = _sheet_indexes(grids, options, file_name, names)
    best: dict[int, list[_Candidate]] = {}
    for index in indexes:
        grid, rows = grids[index], filled[index]
        if options.header_row is not None:
            r = options.header_row - 1
            if r >= len(rows) or not any(v is not None for v in rows[r]):
                raise UserError(
                    f"工作表“{grid.name}”第 {options.header_row} 行是空行，不能作表头。"
                )
            tried = [_row_candidate(index, grid, rows, r, options)]
        else:
            tried = [
                _row_candidate(index, grid, rows, r, options)
                for r in range(min(len(rows), HEADER_SCAN_ROWS))
                if sum(v is not None for v in rows[r]) >= 3
            ]
        tried = [c for c in tried if c.field_set() or any(col.hints for col in c.columns)]
        if tried:
            tried.sort(key=_Candidate.rank, reverse=True)
            best[index] = tried[:3]
    valid: list[_Candidate] = []
    for index, cands in best.items():
        for cand in cands:
            if not cand.plausible() and not options.maps:
                continue
            _judge(cand, filled[index], tests, year)
            if cand.valid():
                valid.append(cand)
                break
    chosen = _choose(valid, options, year, file_name)
    if chosen is None:
        _refuse(best, options, file_name, names)
    assert chosen is not None
    rows = filled[chosen.sheet_index]
    if chosen.unmatched:
        _unmatched(chosen, options)
    columns, responsible = _columns_map(chosen)
    report = _report(chosen)
    messages = list(chosen.notes)
    if chosen.saved is not None:
        messages.insert(0, _saved_message(chosen.saved, report))
    elif options.unit_saved:
        messages.extend(_other_mappings(options.unit, options.unit_saved, chosen))
    unread = [c for c in report if c.source == NONE and not _noted(c, chosen.notes)]
    unread = [c for c in unread if _samples(rows, chosen.last + 1, c.index)]
    if unread:
        shown = "、".join(f"“{c.header}”（{c.column}）" for c in unread)
        messages.append(f"未识别、未导入的列：{shown}。")
    return Reading(
        sheet_index=chosen.sheet_index,
        first=chosen.first,
        last=chosen.last,
        columns=columns,
        responsible_lead=responsible,
        report=report,
        signature=chosen.signature,
        headers=tuple(c.header for c in chosen.columns),
        saved=chosen.saved,
        messages=messages,
    )


def _noted(column: ColumnReading, notes: list[str]) -> bool:
    return any(n.startswith(f"“{column.header}”列（{column.column}）") for n in notes)


def _sheet_indexes(
    grids: Sequence[SheetGrid], options: ReadOptions, file_name: str, names: list[str]
) -> list[int]:
    if options.sheet is None:
        return [i for i, g in enumerate(grids) if g.name != HIDDEN_SHEET]
    wanted = unicodedata.normalize("NFKC", options.sheet).strip()
    for exact in (True, False):
        for i, g in enumerate(grids):
            name = unicodedata.normalize("NFKC", g.name).strip()
            if g.name != HIDDEN_SHEET and (
                name == wanted if exact else name.casefold() == wanted.casefold()
            ):
                return [i]
    raise UserError(
        f"文件“{file_name}”中没有工作表“{options.sheet}”；其中的工作表：{_quoted(names)}。"
    )


def _choose(
    valid: list[_Candidate], options: ReadOptions, year: int | None, file_name: str
) -> _Candidate | None:
    if not valid:
        return None
    visible = [c for c in valid if not c.hidden]
    if len(visible) <= 1:
        return max(valid, key=_Candidate.rank)
    # Our own export: the sheet with the hidden project ids is the list.
    with_ids = [c for c in visible if "id" in c.field_set()]
    if len(with_ids) == 1:
        return with_ids[0]
    if year is not None:
        named = [c for c in visible if _names_year(c.sheet, year)]
        if len(named) == 1:
            named[0].notes.insert(0, f"按年度选用了工作表“{named[0].sheet}”。")
            return named[0]
    listed = "、".join(
        f"“{c.sheet}”（第 {c.first + 1} 行：{_headers_text(c, 6)}）" for c in visible
    )
    suggested = _suggested_sheet(visible)
    problem = f"文件“{file_name}”有 {len(visible)} 个工作表都像项目清单：{listed}。"
    raise ColumnsError(
        f"{problem[:-1]}；请用 --sheet 指定其一，如 --sheet {suggested}。",
        sheets=[c.sheet for c in visible],
        problem=problem,
    )


def _year_forms(year: int) -> tuple[str, ...]:
    digits = str(year)
    chinese = "".join("〇一二三四五六七八九"[int(d)] for d in digits)
    return digits, chinese, chinese.replace("〇", "零")


def _names_year(sheet: str, year: int) -> bool:
    text = unicodedata.normalize("NFKC", sheet)
    return any(form in text or form in sheet for form in _year_forms(year))


def _suggested_sheet(cands: list[_Candidate]) -> str:
    """The sheet naming the latest year, else the last one (where new sheets are added)."""
    dated = []
    for c in cands:
        for y in range(2100, 1999, -1):
            if _names_year(c.sheet, y):
                dated.append((y, c.sheet))
                break
    return max(dated)[1] if dated else cands[-1].sheet


def _quoted(names: Iterable[str]) -> str:
    return "、".join(f"“{n}”" for n in names)


def _headers_text(cand: _Candidate, limit: int = _SHOWN_HEADERS) -> str:
    headers = [c.header for c in cand.columns]
    shown = "、".join(headers[:limit])
    return shown + (f" 等 {len(headers)} 列" if len(headers) > limit else "")


def _refuse(
    best: dict[int, list[_Candidate]], options: ReadOptions, file_name: str, names: list[str]
) -> None:
    """Say precisely why no header fits (always raises)."""
    cands = [c for cs in best.values() for c in cs if c.plausible() or options.maps]
    if not cands:
        if options.sheet is not None or options.header_row is not None:
            where = f"工作表“{options.sheet}”" if options.sheet else f"文件“{file_name}”"
            if options.header_row is not None:
                where += f"第 {options.header_row} 行"
            raise BadFileError(
                f"{where}不像项目清单的表头（至少需要“项目名称”及牵头单位、完成时限等列）。"
            )
        raise BadFileError(
            f"文件“{file_name}”中找不到项目清单的表头（至少需要“项目名称”及牵头单位、"
            "完成时限等列）。"
        )
    cand = max(cands, key=lambda c: (c.judged, *c.rank()))
    if cand.unmatched:
        _unmatched(cand, options)
    where = f"工作表“{cand.sheet}”第 {cand.first + 1} 行的表头（{_headers_text(cand)}）"
    report = _report(cand)
    found = cand.field_set()
    if "name" not in found:
        suggestion = _name_suggestion(cand)
        problem = f"{where}中没有可作项目名称的列。"
        if suggestion:
            message = f"{problem[:-1]}；如“{suggestion}”是项目名称，请加 --map {suggestion}=name。"
        else:
            message = f"{problem[:-1]}；请用 --map 表头=name 指明项目名称所在的列。"
    else:
        read = [c for c in report if c.field in _VALUE_FIELDS]
        known = "、".join(
            c.header if c.header == c.title else f"{c.header}（{c.title}）" for c in read
        )
        problem = f"{where}只认出了{known}，缺少牵头单位、完成时限等列，不像项目清单。"
        message = (
            f"{problem[:-1]}；如确是项目清单，请用 --map 表头=字段 指明各列"
            f"（字段：{'、'.join(FIELD_NAMES)} 或 skip）。"
        )
    raise ColumnsError(
        message,
        sheet=cand.sheet,
        sheets=names,
        report=report,
        header_row=cand.first + 1,
        problem=problem,
    )


def _name_suggestion(cand: _Candidate) -> str:
    """The header of the column most likely to hold the projects' names, or ""."""
    free = [c for c in cand.columns if cand.fields.get(c.index, (None,))[0] is None]
    for c in free:
        if any(w in c.header for w in _NAME_WORDS):
            return c.header
    return ""


def _unmatched(cand: _Candidate, options: ReadOptions) -> None:
    header = cand.unmatched[0]
    key = header_key(header)
    several = [c for c in cand.columns if key in c.keys]
    where = f"工作表“{cand.sheet}”第 {cand.first + 1} 行"
    if len(several) > 1:
        shown = "、".join(f"“{c.header}”" for c in several)
        raise UserError(f"--map 中的表头“{header}”在{where}对应多列（{shown}），请写出完整的表头。")
    raise UserError(f"--map 中的表头“{header}”不在{where}的表头中（{_headers_text(cand)}）。")


def _saved_message(saved: SavedColumns, report: list[ColumnReading]) -> str:
    used = [c for c in report if c.source == SAVED]
    shown = "、".join(f"{c.header}→{c.title}" for c in used)
    when = saved.saved_at[:10]
    origin = f"从“{saved.file_name}”" if saved.file_name else ""
    unit = f"（{saved.unit}）" if saved.unit else ""
    return f"表头与 {when} {origin}保存的列对应{unit}相同（编号 {saved.id}），已按其读取：{shown}。"


def _other_mappings(unit: str, others: Sequence[SavedColumns], cand: _Candidate) -> list[str]:
    """Why the unit's saved mappings were not used: the headers changed since."""
    here = {c.keys[0] for c in cand.columns}
    messages = []
    for saved in others[:2]:
        then = {header_key(h): h for h in saved.headers}
        missing = [h for k, h in then.items() if k not in here and k in saved.fields]
        added = [c.header for c in cand.columns if c.keys[0] not in then]
        parts = []
        if missing:
            parts.append(f"本表没有{_quoted(missing[:4])}")
        if added:
            parts.append(f"多了{_quoted(added[:4])}")
        diff = "，".join(parts) or "表头不同"
        messages.append(
            f"“{unit}”保存的列对应（编号 {saved.id}）与本表表头不符（{diff}），未采用。"
        )
    return messages


def missing_rows_message(reading: Reading, sheet: str) -> str:
    """The refusal when a header is found but no project row under it."""
    shown = "、".join(reading.headers[:_SHOWN_HEADERS])
    return (
        f"工作表“{sheet}”第 {reading.first + 1} 行是项目清单的表头（{shown}），但其下没有项目行。"
    )


__all__ = [
    "ALIAS",
    "FIELD_ALIASES",
    "FIELD_NAMES",
    "FIELD_TITLES",
    "GUESS",
    "MAP",
    "NONE",
    "SAVED",
    "SKIP",
    "CellTests",
    "ColumnReading",
    "ColumnsError",
    "ReadOptions",
    "Reading",
    "SavedColumns",
    "field_name",
    "header_field",
    "header_key",
    "header_signature",
    "parse_map",
    "read_columns",
    "year_value",
]
