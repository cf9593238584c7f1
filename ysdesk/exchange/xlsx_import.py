"""Read a department's returned sheet into parsed rows, without the store.

Finds the sheet and its header row(s) by itself (title rows, a 填报单位 line and a 填报说明
sheet before it are skipped), maps header-name variants to fields (DESIGN.md §5), fills
vertical merges down, understands section rows ("一、…", "1.任务…"), blank rows, repeated
header rows and footnotes ("注：…"), and turns each project row into field values: task
references in any usual form, units split and resolved, 完成时限 from text or date cells,
status words. What a row means for the database (new, update, conflict) is the service's job.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ysdesk.domain.deadline import excel_date_text, parse_deadline
from ysdesk.domain.errors import BadFileError
from ysdesk.domain.model import CHINESE_NUMERALS, Status, Task
from ysdesk.domain.patterns import lazy_compile
from ysdesk.domain.text import clean_cell_text, normalize_spaces, remove_spaces, to_halfwidth
from ysdesk.domain.units import UnitResolver, split_units
from ysdesk.exchange.columns import (
    FIELD_ALIASES,
    CellTests,
    Reading,
    ReadOptions,
    header_field,
    missing_rows_message,
    read_columns,
    year_value,
)
from ysdesk.exchange.roundtrip import (
    KIND_LABELS,
    KIND_LIST,
    KIND_UNIT,
    LIST_LAYOUT,
    RoundTrip,
    read_roundtrip,
    row_hash,
)
from ysdesk.exchange.sheets import HIDDEN_SHEET, Cell, SheetGrid

_NAME_HEADERS = frozenset(FIELD_ALIASES["name"])
_NAME_HEADER_STARTS = frozenset(alias[0] for alias in _NAME_HEADERS)

_YEAR = lazy_compile(r"(20\d\d)\s*年")
_UNIT_LINE = lazy_compile(r"(?:填报|报送|责任|牵头)单位\s*[:：]\s*([^\s　]+(?:[ 　][^\s　：:]+)*)")
_AS_OF = lazy_compile(r"(?:截至|截止|填报日期|填报时间|报送日期)(?:日期|时间)?\s*[:：]?\s*(.+)")
_FOOTNOTE = lazy_compile(
    r"^(?:注|附注|说明|备注|填报说明|填表说明)\s*[0-9０-９一二三四五六七八九十]*\s*[:：、.．]|^[*＊※]"
)
_TOTAL = lazy_compile(r"^(?:合计|小计|总计|共计)")
_AREA_SECTION = lazy_compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)])"
)
_TASK_PREFIX = lazy_compile(
    r"^(?:重点)?任务\s*(?:第)?\s*([0-9]+|[一二三四五六七八九十]+)\s*(?:项)?\s*[.、．:：]?\s*(.*)$"
)
_TASK_ORDINAL = lazy_compile(r"^第\s*([0-9]+|[一二三四五六七八九十]+)\s*项\s*[.、．:：]?\s*(.*)$")
_TASK_NUMBERED = lazy_compile(r"^([0-9]+)\s*(?:[.、．。:：)）]\s*|\s+|$)(.*)$", re.DOTALL)
_TASK_BRACKETED = lazy_compile(
    r"^[（(]\s*([0-9]+|[一二三四五六七八九十]+)\s*[）)]\s*(.*)$", re.DOTALL
)
_TASK_CHINESE = lazy_compile(r"^([一二三四五六七八九十]+)\s*[、.．]\s*(.*)$", re.DOTALL)
_TITLE_NOISE = lazy_compile(r"[\s“”\"'‘’。．.、，,；;：:（）()《》<>—\-]")
_PROGRESS_DATE = lazy_compile(
    r"^\s*[（(【\[]?\s*(?:截至|截止)?\s*"
    r"((?:(?:19|20)\d\d\s*[年./-]\s*)?\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?)"
    r"\s*[）)】\]]?\s*(?:[:：,，、]|\s)?"
)
_ZONE_SPLIT = lazy_compile(r"[、,，;；/／\n]+")


@dataclass(frozen=True)
class PlanInfo:
    """What parsing needs to know of the plan: tasks, zone names and the unit registry."""

    tasks: Sequence[Task]
    zones: Sequence[str]
    resolver: UnitResolver


@dataclass(slots=True)  # one per row of a sheet: slots make them quicker to build
class ParsedRow:
    """One project row: field values as read (None: not given), and what was noticed.

    A row of our own export whose cells still hash as exported is `untouched`: its values
    are read only if the import needs them (it matches such rows by their hidden id).
    """

    row: int  # 1-based, as Excel numbers rows
    values: dict[str, Any] = field(default_factory=dict)
    project_id: int | None = None
    progress_date: str | None = None
    new_units: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    untouched: bool = False
    _pending: Any = field(default=None, repr=False, compare=False)

    def ensure_values(self) -> None:
        """Read an untouched row's values after all (e.g. the ids cannot be trusted)."""
        if self._pending is None:
            return
        reader, cells = self._pending
        self._pending = None
        full = reader.read(self.row, cells)
        self.values.update(full.values)
        self.progress_date = full.progress_date
        self.new_units = full.new_units
        self.messages = full.messages
        self.errors = full.errors
        self.untouched = False


@dataclass
class ParsedSheet:
    """A returned workbook as parsed: its rows and what the sheet says about itself."""

    file_name: str
    sheet: str
    header_rows: tuple[int, int]  # 1-based first and last header row
    columns: dict[str, int]  # field → 0-based column
    rows: list[ParsedRow]
    roundtrip: RoundTrip | None = None
    year_hint: int | None = None
    unit_hint: str = ""
    as_of: date | None = None
    messages: list[str] = field(default_factory=list)
    reading: Reading | None = None  # how each column was read
    sheets: list[str] = field(default_factory=list)  # the workbook's sheets, by name

    @property
    def kind(self) -> str:
        return self.roundtrip.meta.kind if self.roundtrip else ""


# -------------------------------------------------------------------- values
def text_value(value: Cell) -> str:
    """Cell text with spaces collapsed and lines trimmed."""
    if value.__class__ is str and value.isprintable():  # type: ignore[union-attr]
        # The common case, without the regex passes: no newlines, controls or odd spaces.
        text = value.strip()  # type: ignore[union-attr]
        if "  " not in text and "\u3000" not in text and "\xa0" not in text:
            return text
    return normalize_spaces(clean_cell_text(value))


def deadline_value(value: Cell) -> str:
    """The 完成时限 text of a cell; a serial-number cell becomes a date written out."""
    if isinstance(value, (date, datetime)):
        return excel_date_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 3000:
        derived = parse_deadline(value)
        if derived is not None:
            return excel_date_text(derived)
    # Full-width digits (２０２５年) are the same deadline as half-width ones.
    return to_halfwidth(text_value(value))


def _numeral(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if not text or any(ch not in CHINESE_NUMERALS for ch in text):
        return None
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CHINESE_NUMERALS.index(text[1]) + 1 if len(text) == 2 else None
    if len(text) == 1:
        return CHINESE_NUMERALS.index(text) + 1
    if len(text) == 2 and text[1] == "十":
        return (CHINESE_NUMERALS.index(text[0]) + 1) * 10
    if len(text) == 3 and text[1] == "十":
        return (CHINESE_NUMERALS.index(text[0]) + 1) * 10 + CHINESE_NUMERALS.index(text[2]) + 1
    return None


def _title_key(text: str) -> str:
    return _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


class TaskMatcher:
    """Task references as sheets write them: 2.提升…, （三）推动…, 任务4, 第4项, or the title."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self._numbers = {t.no for t in tasks}
        self._titles = {_title_key(t.title): t.no for t in tasks}
        self._keys = list(self._titles)
        self._cache: dict[Cell, tuple[int | None, str]] = {}

    def match(self, value: Cell) -> tuple[int | None, str]:
        """(task number or None, a note when the reference was doubtful)."""
        try:
            return self._cache[value]
        except KeyError:
            found = self._cache[value] = self._match(value)
            return found
        except TypeError:  # an unhashable value cannot come from a sheet, but be safe
            return self._match(value)

    def _match(self, value: Cell) -> tuple[int | None, str]:
        if value is None or isinstance(value, bool):
            return None, ""
        if isinstance(value, (int, float)):
            number = int(value) if float(value).is_integer() else None
            if number in self._numbers:
                return number, ""
            return None, f"无法识别的重点任务“{clean_cell_text(value)}”"
        text = unicodedata.normalize("NFKC", clean_cell_text(value)).strip()
        if not text:
            return None, ""
        number: int | None = None
        title = text
        for pattern in (
            _TASK_PREFIX,
            _TASK_ORDINAL,
            _TASK_BRACKETED,
            _TASK_NUMBERED,
            _TASK_CHINESE,
        ):
            m = pattern.match(text)
            if m:
                number = _numeral(m.group(1))
                title = m.group(2)
                break
        by_title = self._by_title(title) if title else None
        if by_title is not None:
            # The title decides: "（三）推动新型研发机构…" numbers tasks within its area.
            return by_title, ""
        if number in self._numbers:
            return number, ""
        return None, f"无法识别的重点任务“{text[:30]}”"

    def match_section(self, text: str) -> int | None:
        """The task a section row names by its title (or as 任务N); None for other rows."""
        text = unicodedata.normalize("NFKC", text).strip()
        m = _TASK_PREFIX.match(text)
        if m and _numeral(m.group(1)) in self._numbers:
            return _numeral(m.group(1))
        for pattern in (_TASK_BRACKETED, _TASK_NUMBERED, _TASK_CHINESE):
            m = pattern.match(text)
            if m:
                text = m.group(2)
                break
        return self._by_title(text)

    def _by_title(self, title: str) -> int | None:
        key = _title_key(title)
        if not key:
            return None
        if key in self._titles:
            return self._titles[key]
        contained = [no for k, no in self._titles.items() if k in key or key in k]
        if len(contained) == 1 and len(key) >= 4:
            return contained[0]
        # A title with a typo or a word changed still names its task when it is close enough.
        import difflib  # rarely needed: most sheets name tasks by number or exact title

        close = difflib.get_close_matches(key, self._keys, n=1, cutoff=0.75)
        return self._titles[close[0]] if close else None


def status_value(value: Cell) -> Status | None:
    """A status word in any usual wording (未开始, 进行中, 已办结 …), or None."""
    return _status_cached(value) if value.__class__ is str else Status.parse(clean_cell_text(value))


@functools.lru_cache(maxsize=1024)
def _status_cached(value: str) -> Status | None:
    return Status.parse(clean_cell_text(value))


def progress_date(text: str, year: int | None) -> str | None:
    """The day a progress text reports, when it starts with one: "10月15日：…" → 2025-10-15.

    A cell of several dated lines ("7月10日：…\n10月15日：…") reports its latest day.
    """
    latest = None
    for line in text.split("\n"):
        m = _PROGRESS_DATE.match(line)
        if m:
            derived = parse_deadline(m.group(1), year)
            if derived is not None and (latest is None or derived > latest):
                latest = derived
    return latest.isoformat() if latest else None


def split_zones(value: Cell, zones: Sequence[str]) -> tuple[list[str], list[str]]:
    """(known zone names in order, unknown pieces) of a 功能区 cell; 策源区 finds 科技创新策源区."""
    known: list[str] = []
    unknown: list[str] = []
    text = unicodedata.normalize("NFKC", clean_cell_text(value))
    for piece in _ZONE_SPLIT.split(text):
        piece = remove_spaces(piece)
        if not piece or piece in ("无", "-", "—", "/"):
            continue
        if piece in zones:
            match = piece
        else:
            candidates = [z for z in zones if piece in z or z in piece]
            match = candidates[0] if len(candidates) == 1 else None
        if match is None:
            unknown.append(piece)
        elif match not in known:
            known.append(match)
    return known, unknown


# ------------------------------------------------------------------ parsing
def parse_workbook(
    grids: Sequence[SheetGrid],
    plan: PlanInfo,
    *,
    file_name: str,
    year: int | None = None,
    roundtrip: RoundTrip | None = None,
    options: ReadOptions | None = None,
) -> ParsedSheet:
    """Find the project sheet and parse its rows; BadFileError when nothing looks like one.

    `roundtrip` is the hidden data when the caller has read it already (else it is read here);
    `options` the user's column mappings, sheet and header row, and the saved mappings.
    """
    if roundtrip is None:
        roundtrip = read_roundtrip(grids)
    if roundtrip is not None and roundtrip.meta.kind not in ("", KIND_LIST, KIND_UNIT):
        label = KIND_LABELS.get(roundtrip.meta.kind, roundtrip.meta.kind)
        raise BadFileError(f"文件“{file_name}”是导出的{label}，不是项目清单，不能导入。")
    filled = {i: g.filled_rows() if g.merged else g.rows for i, g in enumerate(grids)}
    known_year = year or (roundtrip.meta.year if roundtrip else None)
    header = read_columns(
        grids,
        filled,
        options or ReadOptions(),
        cell_tests(plan),
        file_name=file_name,
        year=known_year,
    )
    grid = grids[header.sheet_index]
    rows = filled[header.sheet_index]
    sheet = ParsedSheet(
        file_name=file_name,
        sheet=grid.name,
        header_rows=(header.first + 1, header.last + 1),
        columns=dict(header.columns),
        rows=[],
        roundtrip=roundtrip,
        reading=header,
        sheets=[g.name for g in grids if g.name != HIDDEN_SHEET],
    )
    _read_preamble(sheet, rows[: header.first])
    sheet.messages.extend(header.messages)
    if grid.dropped_cells:
        shown = "、".join(grid.dropped_cells[:3])
        sheet.messages.append(
            f"表格主体之外的 {len(grid.dropped_cells)} 个单元格（{shown}）已忽略。"
        )
    year = known_year or sheet.year_hint
    _parse_rows(sheet, grid, rows, header, plan, year)
    if not sheet.rows:
        raise BadFileError(missing_rows_message(header, grid.name))
    if roundtrip is None and not any(_reads_as_project(row, year) for row in sheet.rows):
        raise BadFileError(
            f"文件“{file_name}”的工作表“{grid.name}”不像项目清单：没有一行写有项目名称及"
            "重点任务、牵头单位、功能区、推进状态或完成时限，未导入。"
        )
    return sheet


def cell_tests(plan: PlanInfo) -> CellTests:
    """How the column reader recognises the plan's units, zones and tasks in a cell."""
    tasks = TaskMatcher(plan.tasks)
    zones = tuple(plan.zones)

    def unit(value: Cell) -> bool:
        if not isinstance(value, str):
            return False
        return any(_resolve_name(n, plan.resolver) is not None for n, _ in _split_units(value))

    def zone(value: Cell) -> bool:
        return bool(_zones_cached(value, zones)[0]) if isinstance(value, str) else False

    def task(value: Cell) -> bool:
        return tasks.match(value)[0] is not None

    return CellTests(unit=unit, zone=zone, task=task)


def _reads_as_project(row: ParsedRow, year: int | None) -> bool:
    """Whether a row reads as a project: a name beside a task, a lead unit, a zone, a status
    word or a deadline (a table that merely has a 项目 column holds none of these)."""
    values = row.values
    if not values.get("name"):
        return False
    if any(values.get(f) for f in ("task_no", "zones", "lead_units", "status")):
        return True
    deadline = values.get("deadline_text")
    return bool(deadline) and parse_deadline(deadline, year) is not None


def _read_preamble(sheet: ParsedSheet, rows: list[list[Cell]]) -> None:
    """Title, 填报单位 and 截至日期 lines above the header."""
    for row in rows:
        seen: set[str] = set()
        for value in row:
            if not isinstance(value, str) or value in seen:
                continue
            seen.add(value)
            text = unicodedata.normalize("NFKC", value)
            if sheet.year_hint is None:
                m = _YEAR.search(text)
                if m:
                    sheet.year_hint = int(m.group(1))
            m = _UNIT_LINE.search(text)
            if m and not sheet.unit_hint:
                sheet.unit_hint = m.group(1).strip()
            m = _AS_OF.search(text)
            if m and sheet.as_of is None:
                sheet.as_of = parse_deadline(m.group(1))


def _parse_rows(
    sheet: ParsedSheet,
    grid: SheetGrid,
    rows: list[list[Cell]],
    header: Reading,
    plan: PlanInfo,
    year: int | None,
) -> None:
    columns = sheet.columns
    tasks = TaskMatcher(plan.tasks)
    name_col = columns["name"]
    task_col = columns.get("task_no")
    width = max(columns.values()) + 1
    header_row = _padded(rows[header.last], width)
    reader = _RowReader(columns, header, plan, tasks, year)
    bases = sheet.roundtrip.bases if sheet.roundtrip is not None else {}
    # Rows of our own layout are checked against the hash of their cells as exported: a row
    # that still hashes the same is a project row exactly as exported (most rows of a
    # return), taken before any other test and read only if the import needs its values.
    quick = bool(bases) and all(columns.get(f) == i for i, f in enumerate(LIST_LAYOUT))
    section_task: int | None = None
    previous_task: int | None = None
    previous_untouched: list[Cell] | None = None  # its task is matched only if a row needs it
    raw_rows = grid.rows
    append = sheet.rows.append
    for index in range(header.last + 1, len(rows)):
        if quick:
            cells = rows[index]
            untouched = _untouched(index + 1, cells, bases, reader)
            if untouched is not None:
                append(untouched)
                previous_untouched = cells
                continue
        raw = raw_rows[index] if index < len(raw_rows) else []
        filled = len(raw) - raw.count(None)
        if not filled:
            continue
        row = _padded(rows[index], width)
        first = raw[0]
        if first is None:
            first = next(v for v in raw if v is not None)
        first_text = text_value(first) if isinstance(first, str) else ""
        if filled == 1 and (name_col >= len(raw) or raw[name_col] is None):
            # A lone value outside the name column: a section, a total or a footnote.
            if _FOOTNOTE.match(first_text):
                break
            if _TOTAL.match(remove_spaces(first_text)):
                continue
            found = tasks.match_section(first_text)
            if found is not None:
                section_task = found
                previous_task = None
                previous_untouched = None
            elif _AREA_SECTION.match(first_text):
                section_task = None
                previous_task = None
                previous_untouched = None
            continue
        if first_text and row[name_col] is None:
            if _FOOTNOTE.match(first_text):
                break
            if _TOTAL.match(remove_spaces(first_text)):
                continue
        if _is_repeated_header(row, header_row, columns):
            continue
        parsed = reader.read(index + 1, row)
        if previous_untouched is not None:
            previous_task = tasks.match(previous_untouched[1])[0] or previous_task
            previous_untouched = None
        if parsed.values.get("task_no") is None:
            inherited = section_task
            if task_col is not None and previous_task is not None and inherited is None:
                # No merge information (ODS) or a blank under the task: same task as above.
                inherited = previous_task
            if inherited is not None:
                parsed.values["task_no"] = inherited
                parsed.errors = [e for e in parsed.errors if "重点任务" not in e]
        previous_task = parsed.values.get("task_no") or previous_task
        append(parsed)


# In the export's layout (LIST_LAYOUT): 重点任务 … 备注 are hashed, the hidden id comes last.
_ID_COLUMN = len(LIST_LAYOUT) - 1
_HASHED = slice(1, _ID_COLUMN)


def _untouched(
    number: int, cells: list[Cell], bases: dict[int, Any], reader: _RowReader
) -> ParsedRow | None:
    """A row still exactly as exported, or None (then it is read in full)."""
    if len(cells) <= _ID_COLUMN:
        return None
    project_id = _project_id(cells[_ID_COLUMN])
    base = bases.get(project_id) if project_id is not None else None
    if base is None or not base.row_hash or row_hash(cells[_HASHED]) != base.row_hash:
        return None
    # Positional: 10,000 of them in a return (row, values, project_id, progress_date,
    # new_units, messages, errors, untouched, _pending).
    return ParsedRow(number, {}, project_id, None, [], [], [], True, (reader, cells))


def _padded(row: list[Cell], width: int) -> list[Cell]:
    return row if len(row) >= width else row + [None] * (width - len(row))


def _is_repeated_header(row: list[Cell], header_row: list[Cell], columns: dict[str, int]) -> bool:
    value = row[columns["name"]]
    if value is None:
        return False
    if value != header_row[columns["name"]] and (
        value.__class__ is not str
        or value.lstrip()[:1] not in _NAME_HEADER_STARTS  # type: ignore[union-attr]
        or remove_spaces(value) not in _NAME_HEADERS  # type: ignore[arg-type]
    ):
        return False  # the cheap tests first: a project's name is no header word
    hits = 0
    for name, col in columns.items():
        if header_field(row[col]) == name:
            hits += 1
    return hits >= 3


class _RowReader:
    """Turns one project row into field values; columns are looked up once, not per cell."""

    def __init__(
        self,
        columns: dict[str, int],
        header: Reading,
        plan: PlanInfo,
        tasks: TaskMatcher,
        year: int | None,
    ) -> None:
        self.columns = columns
        self.header = header
        self.plan = plan
        self.tasks = tasks
        self.year = year
        self.zones = tuple(plan.zones)
        get = columns.get
        self.id_col = get("id")
        self.name_col = columns["name"]
        self.task_col = get("task_no")
        self.text_cols = [(n, get(n)) for n in ("goal", "note") if get(n) is not None]
        self.deadline_col = get("deadline_text")
        self.status_col = get("status")
        self.progress_col = get("progress")
        self.zones_col = get("zones")
        self.year_col = get("year")
        self.lead_col = get("lead_units")
        self.co_col = get("co_units")

    def read(self, number: int, row: list[Cell]) -> ParsedRow:
        parsed = ParsedRow(row=number)
        values = parsed.values
        if self.id_col is not None:
            parsed.project_id = _project_id(row[self.id_col])
        name = values["name"] = text_value(row[self.name_col])
        if not name:
            parsed.errors.append("项目名称为空")
        if self.task_col is not None:
            task_no, note = self.tasks.match(row[self.task_col])
            values["task_no"] = task_no
            if note:
                parsed.errors.append(note)
        for field_name, col in self.text_cols:
            values[field_name] = text_value(row[col])
        if self.deadline_col is not None:
            values["deadline_text"] = deadline_value(row[self.deadline_col])
        if self.status_col is not None:
            raw = row[self.status_col]
            status = status_value(raw)
            values["status"] = status.value if status else None
            if status is None and raw is not None and clean_cell_text(raw):
                parsed.messages.append(f"无法识别的推进状态“{clean_cell_text(raw)[:20]}”，未修改")
        if self.progress_col is not None:
            text = values["progress"] = text_value(row[self.progress_col])
            if text:
                parsed.progress_date = progress_date(text, self.year)
        if self.year_col is not None:
            raw = row[self.year_col]
            values["year"] = year_value(raw)
            if values["year"] is None and raw is not None and clean_cell_text(raw):
                parsed.errors.append(f"无法识别的年度“{clean_cell_text(raw)[:20]}”")
        if self.zones_col is not None:
            known, unknown = _zones_cached(row[self.zones_col], self.zones)
            values["zones"] = list(known)
            for piece in unknown:
                parsed.messages.append(f"无法识别的功能区“{piece}”，已忽略")
        if self.lead_col is not None or self.co_col is not None:
            _units(
                parsed,
                row[self.lead_col] if self.lead_col is not None else None,
                row[self.co_col] if self.co_col is not None else None,
                self.columns,
                self.header,
                self.plan.resolver,
            )
        return parsed


def _project_id(value: Cell) -> int | None:
    if value.__class__ is float:  # how calamine gives every number
        return int(value) if value.is_integer() and value > 0 else None  # type: ignore[union-attr]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and value > 0:
            return int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


@functools.lru_cache(maxsize=4096)
def _zones_cached(value: Cell, zones: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    known, unknown = split_zones(value, zones)
    return tuple(known), tuple(unknown)


def _units(
    parsed: ParsedRow,
    lead_cell: Cell,
    co_cell: Cell,
    columns: dict[str, int],
    header: Reading,
    resolver: UnitResolver,
) -> None:
    """Split and resolve units; a lone 责任单位 column leads with its marked or first unit."""
    has_lead = "lead_units" in columns
    has_co = "co_units" in columns
    leads, cos, new_units = _unit_fields(
        lead_cell if has_lead else None,
        co_cell if has_co else None,
        has_lead,
        has_co,
        header.responsible_lead,
        resolver,
    )
    if has_lead:
        parsed.values["lead_units"] = list(leads) or None
    if cos is not None:
        parsed.values["co_units"] = list(cos)
    parsed.new_units.extend(new_units)
    for name in new_units:
        parsed.messages.append(f"单位名录中没有“{name}”，导入时将新建该单位")


@functools.lru_cache(maxsize=65_536)
def _unit_fields(
    lead_cell: Cell,
    co_cell: Cell,
    has_lead: bool,
    has_co: bool,
    responsible_header: bool,
    resolver: UnitResolver,
) -> tuple[tuple[str, ...], tuple[str, ...] | None, tuple[str, ...]]:
    """(leads, cooperating units or None when not given, unknown names) of two unit cells.

    Cached: a sheet repeats the same few unit cells over thousands of rows.
    """
    new_units: list[str] = []

    def resolve(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
        result = []
        for name, marked in pieces:
            canonical = _resolve_name(name, resolver)
            if canonical is None:
                canonical = name
                if name not in new_units:
                    new_units.append(name)
            result.append((canonical, marked))
        return result

    leads: list[str] = []
    cos: list[str] = []
    responsible = responsible_header and clean_cell_text(lead_cell) != ""
    if has_lead:
        pieces = resolve(_split_units(lead_cell))
        if responsible and pieces:
            marked = [n for n, lead in pieces if lead]
            leads = _unique(marked or [pieces[0][0]])
            cos = _unique(n for n, _ in pieces if n not in leads)
        else:
            leads = _unique(n for n, _ in pieces)
    if has_co:
        pieces = resolve(_split_units(co_cell))
        for name, marked in pieces:
            # "区科委（牵头）" written among the cooperating units still leads.
            if marked and name not in leads:
                leads.append(name)
        cos = _unique([*cos, *(n for n, marked in pieces if not marked and n not in leads)])
    given_co = has_co or responsible
    return (
        tuple(leads),
        tuple(u for u in cos if u not in leads) if given_co else None,
        tuple(new_units),
    )


@functools.lru_cache(maxsize=16_384)
def _resolve_name(name: str, resolver: UnitResolver) -> str | None:
    return resolver.resolve(name)


# A cell that holds only names and separators: no brackets, colons, role words, 等 or edge
# punctuation, so splitting at the separators is all split_units would do.
_UNIT_NAME_CHARS = (
    "[^()\\[\\]{}【】〔〕〖〗:：\\s牵主配协参责负等。.·\\-\x00-\x1f\x7f-\x9f"
    "\u00ad\u200b-\u200d\u2060\ufeff、,;/]+"
)
_PLAIN_UNITS = lazy_compile(f"{_UNIT_NAME_CHARS}(?:[、,;/\\n]+{_UNIT_NAME_CHARS})*")
_UNIT_SEPARATORS = lazy_compile(r"[、,;/\n]+")


def _split_units(cell: Cell) -> list[tuple[str, bool]]:
    """split_units with a fast path for the common cell of plain names and separators."""
    if cell.__class__ is str:
        text = unicodedata.normalize("NFKC", cell).strip()  # type: ignore[arg-type]
        if _PLAIN_UNITS.fullmatch(text):
            return [(name, False) for name in _unique(_UNIT_SEPARATORS.split(text)) if name]
    return split_units(cell)


def _unique(names: Any) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(name, None)
    return list(seen)


__all__ = [
    "FIELD_ALIASES",
    "ParsedRow",
    "ParsedSheet",
    "PlanInfo",
    "TaskMatcher",
    "deadline_value",
    "header_field",
    "parse_workbook",
    "progress_date",
    "split_zones",
    "status_value",
]
