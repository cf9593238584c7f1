"""Import a returned sheet: preview (match, field diffs, three-way conflicts), apply, revert.

parse_file reads and parses without the store (a window runs it in a worker thread);
build_preview matches the rows to the year's projects and compares each field three ways —
the sheet, the database now, and the values as exported (the base the hidden sheet carries):

- changed only in the sheet → update;
- changed only in the database since the export → keep the database value;
- changed in both, differently → conflict, applied only when the user picks the sheet's value.

apply_import writes the chosen changes in one transaction after a backup, records the batch
and returns a receipt; revert_import undoes the whole import from that receipt.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.errors import UserError
from ysdesk.domain.merge import Merge, merge_field
from ysdesk.domain.model import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    LIST_FIELDS,
    Project,
    ProjectFilter,
    Status,
    format_list,
    json_string,
    json_strings,
)
from ysdesk.domain.text import remove_spaces
from ysdesk.domain.units import UnitResolver
from ysdesk.exchange.columns import (
    FIELD_NAMES,
    FIELD_TITLES,
    ColumnReading,
    ColumnsError,
    ReadOptions,
)
from ysdesk.exchange.roundtrip import (
    BASE_FIELDS,
    UNIT_SHEET_FIELDS,
    Base,
    RoundTrip,
    base_value,
    read_roundtrip,
    same_as_base,
)
from ysdesk.exchange.sheet_process import read_isolated
from ysdesk.exchange.xlsx_import import ParsedRow, ParsedSheet, PlanInfo, parse_workbook
from ysdesk.services.changes import Changes
from ysdesk.services.column_mappings import reading_options, remember_columns
from ysdesk.services.import_reading import StartedRead, start_reading
from ysdesk.services.progress import NullProgress, Progress
from ysdesk.store import Store
from ysdesk.store.backup import auto_backup
from ysdesk.store.imports import (
    delete_progress_after,
    delete_unused_units,
    progress_floor,
    project_versions,
)

NEW = "new"
UPDATE = "update"
UNCHANGED = "unchanged"
CONFLICT = "conflict"
ERROR = "error"
ACTIONS = (NEW, UPDATE, UNCHANGED, CONFLICT, ERROR)
_ACTION_JSON = {action: json_string(action) for action in ACTIONS}
ACTION_LABELS = {
    NEW: "新增",
    UPDATE: "更新",
    UNCHANGED: "无变化",
    CONFLICT: "冲突",
    ERROR: "错误",
}
# The fields a sheet can change, in the order a preview lists them.
SHEET_FIELDS: tuple[str, ...] = BASE_FIELDS
UNDO_ORIGIN = "撤销导入"
_FULL_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_MISSING_SHOWN = 10


@dataclass
class FieldChange:
    """One field of one row: database value → sheet value, with the base when known."""

    field: str
    old: Any
    new: Any
    base: Any = None
    conflict: bool = False

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "old": self.old,
            "new": self.new,
            "base": self.base,
            "conflict": self.conflict,
        }


@dataclass(slots=True)  # 10,000 of them in a return: slots make them quicker to build
class PreviewRow:
    """What one row of the sheet would do."""

    row: int
    action: str
    project: Project | None  # as it would be after applying every non-conflicting change
    current: Project | None = None  # the matched project as the database holds it
    changes: list[FieldChange] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    progress_date: str | None = None
    # An unchanged row of a preview that printed the database's JSON texts instead of loading
    # its projects (ImportPreview.project_json): the project's id; project and current are None.
    stored_id: int | None = None

    @property
    def project_id(self) -> int | None:
        return self.current.id if self.current is not None else self.stored_id

    @property
    def conflicts(self) -> list[FieldChange]:
        return [c for c in self.changes if c.conflict]

    def to_json(self, today: date, known: dict[int, str] | None = None) -> dict[str, Any]:
        if self.project is not None:
            project = self.project.to_json(today)
        elif self.stored_id is not None and known is not None:
            project = json.loads(known[self.stored_id])
        else:
            project = None
        return {
            "row": self.row,
            "action": self.action,
            "project": project,
            "changes": [c.to_json() for c in self.changes],
            "messages": list(self.messages),
        }

    def json_text(self, today: date, known: dict[int, str] | None = None) -> str:
        """to_json as JSON text, the characters json.dumps(…, ensure_ascii=False) writes.

        `known`: the JSON text of projects as the database holds them (for `today`), written
        while the sheet was being parsed: an unchanged row's project is one of them.
        """
        project = self.project
        if project is None:
            stored = self.stored_id
            text = known[stored] if known is not None and stored is not None else "null"
        elif known is not None and project is self.current and project.id in known:
            text = known[project.id]  # type: ignore[index]
        else:
            text = project.json_text(today)
        changes = _json_dumps([c.to_json() for c in self.changes]) if self.changes else "[]"
        messages = json_strings(self.messages) if self.messages else "[]"
        return (
            f'{{"row": {self.row:d}, "action": {_ACTION_JSON[self.action]}, '
            f'"project": {text}, "changes": {changes}, "messages": {messages}}}'
        )


@dataclass
class ImportPreview:
    """The preview of one file against the database (DESIGN.md §4 JSON shape)."""

    file_name: str
    file_hash: str
    sheet: str
    year: int
    unit: str
    rows: list[PreviewRow]
    messages: list[str] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    as_of: date | None = None
    db_id: str = ""
    # JSON text of the year's projects as stored, by id, for the day `json_today` (read while
    # the sheet was parsed, when the caller asked for JSON): PreviewRow.json_text and to_json
    # (for that day) take an unchanged row's project from here.
    project_json: dict[int, str] | None = None
    # How each column was read, the header signature, and what an apply saves for it.
    columns: list[ColumnReading] = field(default_factory=list)
    signature: str = ""
    headers: tuple[str, ...] = ()
    learned: dict[str, str] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)  # the workbook's sheets, by name
    header_row: int | None = None  # the first header row, 1-based

    def counts(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), **dict.fromkeys(ACTIONS, 0)}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        return {**self.counts(), "missing": len(self.missing), "messages": list(self.messages)}

    def to_json(self, today: date, *, with_rows: bool = True) -> dict[str, Any]:
        """The preview as JSON data; without rows for a caller that writes them one by one."""
        data: dict[str, Any] = {
            "file": self.file_name,
            "sheet": self.sheet,
            "year": self.year,
            "unit": self.unit or None,
            "summary": self.summary(),
            "columns": [c.to_json() for c in self.columns],
        }
        if with_rows:
            data["rows"] = [row.to_json(today, self.project_json) for row in self.rows]
        return data


@dataclass
class ImportChoices:
    """What to apply: rows (None: every new/update/conflict row) and conflicts' sheet fields."""

    rows: set[int] | None = None
    take_sheet: dict[int, set[str]] = field(default_factory=dict)
    accept_sheet: bool = False


@dataclass
class UpdatedProject:
    before: Project
    fields: tuple[str, ...]
    version_after: int


@dataclass
class ImportReceipt:
    """What an applied import did, enough to put everything back."""

    batch_id: int
    file_name: str
    created: dict[int, int] = field(default_factory=dict)  # id → version after creation
    updated: list[UpdatedProject] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    progress_floor: int = 0
    backup_path: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    skipped_conflicts: int = 0

    @property
    def project_ids(self) -> list[int]:
        return [*self.created, *(u.before.id for u in self.updated if u.before.id is not None)]

    @property
    def changes(self) -> Changes:
        """What the import wrote: projects added, fields updated, units created."""
        updated = {u.before.id: u for u in self.updated if u.before.id is not None}
        return Changes(
            added=frozenset(self.created),
            changed={pid: frozenset(u.fields) for pid, u in updated.items()},
            plan=bool(self.new_units),
            versions={**self.created, **{pid: u.version_after for pid, u in updated.items()}},
        )

    def reverted_changes(self, versions: dict[int, int]) -> Changes:
        """What revert_import wrote, given the versions it returned."""
        updated = {u.before.id: u for u in self.updated if u.before.id is not None}
        return Changes(
            changed={pid: frozenset(u.fields) for pid, u in updated.items()},
            removed=frozenset(self.created),
            plan=bool(self.new_units),
            versions={pid: v for pid, v in versions.items() if pid in updated},
        )


# ------------------------------------------------------------------ parsing
def plan_info(store: Store) -> PlanInfo:
    """What parsing needs from the store (tasks, zones, units), gathered on the store's thread."""
    return PlanInfo(
        tasks=store.tasks(),
        zones=[z.name for z in store.zones()],
        resolver=UnitResolver(store.units()),
    )


@dataclass
class ParsedFile:
    """A file read and parsed, with its hash: the part of an import that needs no store."""

    path: Path
    sheet: ParsedSheet
    file_hash: str


def parse_file(
    path: Path | str,
    plan: PlanInfo,
    *,
    year: int | None = None,
    progress: Progress | None = None,
    options: ReadOptions | None = None,
) -> ParsedFile:
    """Read and parse a returned workbook (no store: safe in a worker thread); `options`
    as services.column_mappings.reading_options gathers them on the store's thread."""
    progress = progress or NullProgress()
    path = Path(path)
    progress.start(2, f"读取 {path.name}")
    grids = read_isolated(path)
    progress.tick()
    sheet = parse_workbook(grids, plan, file_name=path.name, year=year, options=options)
    progress.tick()
    progress.finish()
    return ParsedFile(path=path, sheet=sheet, file_hash=_file_hash(path))


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------ preview
def name_key(name: str) -> str:
    """How names are matched: half-width, no spaces, brackets and quotes unified, case-folded."""
    text = remove_spaces(unicodedata.normalize("NFKC", name))
    for a, b in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("—", "-")):
        text = text.replace(a, b)
    return text.casefold()


def _sheet_value(name: str, value: Any) -> Any:
    """A parsed value in the base's JSON shape (lists, status words)."""
    if name in LIST_FIELDS:
        return list(value or ())
    return value


def _resolve_year(
    store: Store, parsed: ParsedSheet, year: int | None, default_year: int | None = None
) -> int:
    if year is not None:
        return year
    if parsed.roundtrip is not None:
        return parsed.roundtrip.meta.year
    if parsed.year_hint is not None:
        return parsed.year_hint
    row_years = Counter(r.values.get("year") for r in parsed.rows if r.values.get("year"))
    if row_years:  # a 立项年度 column: the year most of its rows name
        return row_years.most_common(1)[0][0]
    if default_year is not None:
        return default_year
    years = store.years()
    if len(years) == 1:
        return years[0]
    raise UserError(f"无法从“{parsed.file_name}”判断年度，请用 --year 指定。")


def _resolve_scope(store: Store, parsed: ParsedSheet, unit: str | None) -> str:
    resolver = UnitResolver(store.units())
    sheet_unit = ""
    if parsed.roundtrip is not None and parsed.roundtrip.meta.unit:
        sheet_unit = parsed.roundtrip.meta.unit
    # A 填报单位 line only says who filled the sheet in: only a unit sheet's hidden unit or
    # --unit restricts what a sheet may change.
    if unit:
        chosen = resolver.resolve(unit)
        if chosen is None:
            raise UserError(f"单位名录中没有“{unit}”。")
        if sheet_unit and sheet_unit != chosen:
            raise UserError(
                f"“{parsed.file_name}”是“{sheet_unit}”的填报表，与指定的单位“{chosen}”不符。"
            )
        return chosen
    return sheet_unit


def build_preview(
    store: Store,
    parsed_file: ParsedFile,
    *,
    unit: str | None = None,
    year: int | None = None,
    default_year: int | None = None,
    progress: Progress | None = None,
) -> ImportPreview:
    """Match the parsed rows to the database and diff them field by field (reads only).

    The year is `year`, else the one the sheet names, else `default_year` (the window's).
    """
    return _build_preview(store, parsed_file, unit, year, default_year, progress, None)


def preview_in_worker(
    db_path: Path,
    path: Path | str,
    plan: PlanInfo,
    *,
    default_year: int | None = None,
    progress: Progress | None = None,
    maps: Sequence[tuple[str, str]] = (),
    sheet: str | None = None,
    header_row: int | None = None,
) -> ImportPreview:
    """Parse a returned sheet and preview it against the database at `db_path` through a
    read-only connection of this thread's own (SQLite connections stay on their thread):
    the window's import, which keeps a large year's comparison off its main thread.
    `maps`, `sheet`, `header_row`: the columns, sheet and header row the user picked."""
    with Store.open(db_path, readonly=True) as store:
        options = reading_options(store, maps=maps, sheet=sheet, header_row=header_row)
        parsed = parse_file(path, plan, progress=progress, options=options)
        return build_preview(store, parsed, default_year=default_year, progress=progress)


# Rows compared between two progress ticks: a tick per row cost more than most rows' comparison.
_TICK_ROWS = 250


def _build_preview(
    store: Store,
    parsed_file: ParsedFile,
    unit: str | None,
    year: int | None,
    default_year: int | None,
    progress: Progress | None,
    loaded: YearProjects | None,
) -> ImportPreview:
    """build_preview, given the projects of a year when the caller has loaded them."""
    progress = progress or NullProgress()
    parsed = parsed_file.sheet
    explicit_year = year
    year = _resolve_year(store, parsed, year, default_year)
    scope = _resolve_scope(store, parsed, unit)
    preview = ImportPreview(
        file_name=parsed.file_name,
        file_hash=parsed_file.file_hash,
        sheet=parsed.sheet,
        year=year,
        unit=scope,
        rows=[],
        messages=list(parsed.messages),
        as_of=parsed.as_of,
        db_id=store.db_id,
    )
    reading = parsed.reading
    if reading is not None:
        preview.columns = list(reading.report)
        preview.signature = reading.signature
        preview.headers = reading.headers
        preview.learned = reading.learned()
        preview.header_row = reading.first + 1
    preview.sheets = list(parsed.sheets)
    trip = parsed.roundtrip
    bases: dict[int, Base] = {}
    trust_ids = False
    if trip is not None:
        if trip.meta.db_id and trip.meta.db_id == store.db_id:
            bases = trip.bases
            trust_ids = True
            if trip.meta.year != year:
                preview.messages.append(
                    f"表格导出自 {trip.meta.year} 年度，按 {year} 年度导入，按任务和名称匹配。"
                )
                trust_ids = False
                bases = {}
        else:
            preview.messages.append("该表格由其他数据库导出，按重点任务和项目名称匹配。")
    elif parsed.columns.get("id") is None:
        preview.messages.append(
            "表格中没有导出时的隐藏信息，按重点任务和项目名称匹配，无法检测冲突。"
        )
    else:
        preview.messages.append("表格中的隐藏工作表已被删除，无法检测冲突，按数据库现值比较。")

    # A unit's sheet leaves only 推进状态/进展情况/备注 unlocked: the rest is not its to change.
    editable = UNIT_SHEET_FIELDS if trip is not None and trip.meta.unit else None
    projects = loaded if loaded is not None and loaded.year == year else None
    if projects is None:
        projects = YearProjects.load(store, year)
    if not trust_ids or scope or any(row.project_id is None for row in parsed.rows):
        projects.complete()  # rows matched by name, or a unit's scope: every project counts
    else:  # the rows every cell of which is as exported need no more than their ids
        projects.preload([row.project_id for row in parsed.rows if not row.untouched])
    names = _NameIndex(projects.complete)
    settle = store.as_stored  # a row's project as the apply will leave it
    seen: dict[int, int] = {}  # project id → sheet row that matched it
    progress.start(len(parsed.rows), "比对项目")
    append = preview.rows.append
    others = _OtherYears(store, explicit=explicit_year is not None)
    for index, row in enumerate(parsed.rows, 1):
        own = row.values.get("year") if not row.untouched else None
        if own is None or own == year:
            append(
                _preview_row(
                    row, year, scope, projects, names, seen, bases, trust_ids, editable, settle
                )
            )
        else:
            append(others.preview_row(row, own, year, scope, editable, settle))
        if not index % _TICK_ROWS:
            progress.tick(_TICK_ROWS)
    progress.finish()
    preview.messages.extend(others.messages(year))
    if scope:
        in_scope = [p.id for p in projects.complete() if scope in p.lead_units]
    else:
        in_scope = projects.ids
    preview.missing = [i for i in in_scope if i not in seen]
    if preview.missing:
        shown = preview.missing[:_MISSING_SHOWN]
        projects.preload(shown)
        names = "、".join(projects.get(i).name for i in shown)  # type: ignore[union-attr]
        more = "等" if len(preview.missing) > _MISSING_SHOWN else ""
        preview.messages.append(
            f"数据库中有 {len(preview.missing)} 个项目不在表格中（不会删除）：{names}{more}。"
        )
    new_units = sorted({u for r in preview.rows if r.action != ERROR for u in r.new_units})
    if new_units:
        preview.messages.append(f"将新建单位：{format_list(new_units)}。")
    return preview


def unread_preview(path: Path | str, error: ColumnsError, year: int) -> ImportPreview:
    """A preview without rows for a sheet whose columns (or sheet) the user must name first:
    the window shows the columns as read, and the sentence, so that the user can pick."""
    return ImportPreview(
        file_name=Path(path).name,
        file_hash="",
        sheet=error.sheet,
        year=year,
        unit="",
        rows=[],
        messages=[error.problem],
        columns=list(error.report),
        sheets=list(error.sheets),
        header_row=error.header_row,
    )


def preview_file(
    store: Store,
    path: Path | str,
    *,
    unit: str | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    options: ReadOptions | None = None,
) -> ImportPreview:
    """Parse and preview in one go (the command line)."""
    with start_reading(path) as started:
        return preview_started(
            store, started, unit=unit, year=year, progress=progress, options=options
        )


def preview_started(
    store: Store,
    started: StartedRead,
    *,
    unit: str | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    json_today: date | None = None,
    options: ReadOptions | None = None,
) -> ImportPreview:
    """preview_file for a workbook already read (services.import_reading).

    For a caller that prints the preview as JSON (`json_today`), the untouched rows of this
    database's own export print the projects' JSON texts as the database keeps them.
    """
    progress = progress or NullProgress()
    path = started.path
    plan = plan_info(store)
    if options is None:
        options = reading_options(store, unit=unit)
    progress.start(2, f"读取 {path.name}")
    roundtrip = read_roundtrip(started.hidden)
    known_year = year or (roundtrip.meta.year if roundtrip is not None else None)
    loaded = None
    project_json: dict[int, str] | None = None
    if known_year is None:
        pass
    elif json_today is not None and _own_export(store, roundtrip, known_year, unit):
        # Its untouched rows print the projects' texts as the database keeps them.
        project_json = dict(store.project_json(ProjectFilter(year=known_year), json_today))
        loaded = YearProjects(store, known_year, list(project_json))
    else:
        loaded = YearProjects.load(store, known_year)
    file_hash = _file_hash(path)
    grids = started.grids()
    progress.tick()
    sheet = parse_workbook(
        grids, plan, file_name=path.name, year=year, roundtrip=roundtrip, options=options
    )
    progress.tick()
    progress.finish()
    parsed = ParsedFile(path=path, sheet=sheet, file_hash=file_hash)
    preview = _build_preview(store, parsed, unit, year, None, progress, loaded)
    if loaded is not None and loaded.year == preview.year:
        preview.project_json = project_json
    return preview


def _own_export(store: Store, roundtrip: RoundTrip | None, year: int, unit: str | None) -> bool:
    """Whether the sheet is this database's export of `year`, not a unit's: its rows are
    matched by their hidden ids, and an untouched one needs no more than that."""
    return (
        roundtrip is not None
        and bool(roundtrip.meta.db_id)
        and roundtrip.meta.db_id == store.db_id
        and roundtrip.meta.year == year
        and not roundtrip.meta.unit
        and not unit
    )


class YearProjects:
    """The projects of the year a sheet is compared with, loaded as far as its rows need.

    A return of our own export matches nearly every row by its hidden id, every cell as
    exported: such a row needs only to know its project is there. The projects themselves are
    loaded for the other rows (`preload`, one query), or all of them at once (`complete`) when
    a row is matched by its name or a unit's scope is checked.
    """

    def __init__(self, store: Store, year: int, ids: list[int]) -> None:
        self.store = store
        self.year = year
        self.ids = ids  # in plan order
        self.id_set = set(ids)
        self.by_id: dict[int, Project] = {}
        self._all: list[Project] | None = None

    @classmethod
    def load(cls, store: Store, year: int) -> YearProjects:
        projects = store.list_projects(ProjectFilter(year=year))
        loaded = cls(store, year, [p.id for p in projects])  # type: ignore[misc]
        loaded._all = projects
        loaded.by_id = dict(zip(loaded.ids, projects, strict=True))
        return loaded

    def complete(self) -> list[Project]:
        """Every project of the year, loaded now if not yet."""
        if self._all is None:
            self._all = self.store.list_projects(ProjectFilter(year=self.year))
            self.by_id = {p.id: p for p in self._all}  # type: ignore[misc]
        return self._all

    def preload(self, ids: Iterable[int | None]) -> None:
        """Load these projects (those of the year not loaded yet) in one query."""
        wanted = {i for i in ids if i in self.id_set and i not in self.by_id}
        if wanted and self._all is None:
            self.by_id.update(self.store.get_projects(sorted(wanted)))

    def get(self, project_id: int | None) -> Project | None:
        """A project of the year by id (loaded now if it was not), None if not of this year."""
        if project_id not in self.id_set:
            return None
        if project_id not in self.by_id:
            self.preload([project_id])
        return self.by_id.get(project_id)  # type: ignore[arg-type]


class _OtherYears:
    """Rows whose own year (a 立项年度 column) is not the import's: each is compared with its
    year's list, or, when the user named the year (--year), listed as not imported."""

    def __init__(self, store: Store, *, explicit: bool) -> None:
        self.store = store
        self.explicit = explicit
        self.years: dict[int, tuple[YearProjects, _NameIndex, dict[int, int]]] = {}
        self.counts: Counter[int] = Counter()

    def preview_row(
        self,
        row: ParsedRow,
        own: int,
        year: int,
        scope: str,
        editable: frozenset[str] | None,
        settle: Callable[[Project], Project],
    ) -> PreviewRow:
        self.counts[own] += 1
        if self.explicit:
            return PreviewRow(
                row=row.row,
                action=ERROR,
                project=None,
                messages=[f"该行年度为 {own} 年，不是指定的 {year} 年，未导入", *row.messages],
                progress_date=row.progress_date,
            )
        if own not in self.years:
            projects = YearProjects.load(self.store, own)
            self.years[own] = (projects, _NameIndex(projects.complete), {})
        projects, names, seen = self.years[own]
        return _preview_row(row, own, scope, projects, names, seen, {}, False, editable, settle)

    def messages(self, year: int) -> list[str]:
        if not self.counts:
            return []
        shown = "、".join(f"{y} 年 {n} 行" for y, n in sorted(self.counts.items()))
        total = sum(self.counts.values())
        if self.explicit:
            return [
                f"有 {total} 行的年度不是 {year} 年（{shown}），未导入，已列为错误行；"
                "不指定年度时各行导入其年度的清单。"
            ]
        return [f"按各行的年度，有 {total} 行导入其他年度的清单：{shown}。"]


class _NameIndex:
    """Projects by (task, normalised name) and by name, built on the first lookup: a return
    of our own export matches every row by its hidden id and never needs it."""

    def __init__(self, projects: Callable[[], Sequence[Project]]) -> None:
        self._projects = projects
        self._by_key: dict[tuple[int, str], list[Project]] | None = None
        self._by_name: dict[str, list[Project]] = {}

    def lookup(self, task_no: int | None, key: str) -> list[Project]:
        if self._by_key is None:
            self._by_key = {}
            for p in self._projects():
                name = name_key(p.name)
                self._by_key.setdefault((p.task_no, name), []).append(p)
                self._by_name.setdefault(name, []).append(p)
        if task_no:
            return self._by_key.get((task_no, key), [])
        return self._by_name.get(key, [])


def _preview_row(
    row: ParsedRow,
    year: int,
    scope: str,
    projects: YearProjects,
    names: _NameIndex,
    seen: dict[int, int],
    bases: dict[int, Base],
    trust_ids: bool,
    editable: frozenset[str] | None,
    settle: Callable[[Project], Project],
) -> PreviewRow:
    pid = row.project_id
    if row.untouched and trust_ids and not row.errors and pid in projects.id_set:
        # Most rows of a return: every cell as exported, matched by the hidden id. Whatever the
        # database did since, it keeps (the general path below ends the same way).
        current = projects.by_id.get(pid)  # type: ignore[arg-type]
        in_scope = not scope or (current is not None and scope in current.lead_units)
        if in_scope and pid not in seen:
            seen[pid] = row.row  # type: ignore[index]
            # Positional (row, action, project, current, changes, messages, new_units,
            # progress_date, stored_id): 10,000 of them in a return. The project itself is
            # there only when it was loaded (see YearProjects).
            return PreviewRow(
                row.row,
                UNCHANGED,
                current,
                current,
                [],
                list(row.messages),
                [],
                row.progress_date,
                None if current is not None else pid,
            )
    result = PreviewRow(
        row=row.row,
        action=ERROR,
        project=None,
        messages=list(row.messages),
        new_units=list(row.new_units),
        progress_date=row.progress_date,
    )
    if row.untouched and not (trust_ids and pid in projects.id_set):
        row.ensure_values()
        result.messages = list(row.messages)
        result.new_units = list(row.new_units)
        result.progress_date = row.progress_date
    if row.errors:
        result.messages = [*row.errors, *result.messages]
        return result
    values = row.values
    current: Project | None = None
    if trust_ids and pid is not None:
        current = projects.get(pid)
        if current is None:
            result.messages.insert(
                0, f"表格中的项目（编号 {row.project_id}）在数据库中已不存在（可能已删除），未导入"
            )
            return result
    if current is None:
        key = name_key(values.get("name") or "")
        task_no = values.get("task_no")
        candidates = names.lookup(task_no, key)
        if len(candidates) > 1:
            candidates = [c for c in candidates if c.id not in seen] or candidates
        if len(candidates) == 1 or (candidates and task_no):
            current = candidates[0]
    if current is not None and current.id in seen:
        result.messages.insert(0, f"与第 {seen[current.id]} 行是同一个项目，已跳过")
        return result
    if current is None:
        return _new_row(result, values, year, scope, settle)
    assert current.id is not None
    seen[current.id] = row.row
    result.current = current
    if scope and scope not in current.lead_units:
        result.messages.insert(0, f"该项目不由“{scope}”牵头，不能通过其填报表修改")
        result.project = current
        return result
    if row.untouched:
        # Every cell as exported: whatever the database did since, it keeps.
        result.project = current
        result.action = UNCHANGED
        return result
    base = bases.get(current.id)
    db_unchanged = base is not None and base.version == current.version
    updated = current
    for name in SHEET_FIELDS:
        if name not in values or values[name] is None:
            continue
        raw = values[name]
        stored = getattr(current, name)
        # Compared in the model's own types first: most rows of a return are unchanged.
        if name == "status":
            if raw == stored.value:
                continue
        elif name in LIST_FIELDS:
            if tuple(raw) == stored:
                continue
        elif raw == stored:
            continue
        sheet = _sheet_value(name, raw)
        db = base_value(current, name)
        if name == "deadline_text" and _same_day(sheet, current):
            continue
        if base is None and sheet in ("", []):
            # A blank cell in a sheet that did not come from our export means "not reported";
            # in our own export every cell was filled, so there a blank is a deliberate edit.
            continue
        if editable is not None and name not in editable:
            result.messages.append(f"单位填报表中“{FIELD_LABELS[name]}”不可修改，未采用表格中的值")
            continue
        if base is None or db_unchanged or name not in base.values:
            result.changes.append(FieldChange(name, db, sheet, None if base is None else db))
        else:
            decided = merge_field(base.values[name], db, sheet, same_as_base=same_as_base)
            if decided in (Merge.MINE, Merge.SAME):
                continue  # changed in the database only (or to the same value): keep it
            conflict = decided is Merge.CONFLICT
            result.changes.append(FieldChange(name, db, sheet, base.values[name], conflict))
            if conflict:
                continue
        updated = updated.replace(**{name: _model_value(name, sheet)})
    overlap = [u for u in updated.co_units if u in updated.lead_units]
    if overlap:
        # A unit the sheet made a lead while the database lists it as cooperating: it leads.
        updated = _drop_from_co(result, current, updated, overlap, base)
    result.project = _as_applied(current, updated, settle)
    if "lead_units" in values and values["lead_units"] is None:
        result.messages.append("牵头单位为空，保留原值")
    if any(c.conflict for c in result.changes):
        result.action = CONFLICT
    elif result.changes:
        result.action = UPDATE
    else:
        result.action = UNCHANGED
    if result.action == UNCHANGED:
        result.new_units = []
    return result


def _drop_from_co(
    result: PreviewRow, current: Project, updated: Project, overlap: list[str], base: Base | None
) -> Project:
    co = [u for u in updated.co_units if u not in overlap]
    change = next((c for c in result.changes if c.field == "co_units"), None)
    if change is not None:
        change.new = co
    else:
        base_co = base.values.get("co_units") if base is not None else None
        result.changes.append(FieldChange("co_units", list(current.co_units), co, base_co))
    result.messages.append(f"“{format_list(overlap)}”改为牵头，已从配合单位中移除")
    return updated.replace(co_units=tuple(co))


def _as_applied(
    current: Project, updated: Project, settle: Callable[[Project], Project]
) -> Project:
    """An edited project as the apply leaves it: normalised and derived as the store writes
    it, one version up when any field changes (the store bumps it only then)."""
    if updated is current:
        return current
    written = settle(updated)
    if any(written.field_value(f) != current.field_value(f) for f in EDITABLE_FIELDS):
        written = written.replace(version=current.version + 1)
    return written


def _same_day(sheet: Any, current: Project) -> bool:
    """A date cell (2025年12月31日) naming the day the database's wording already means."""
    if not isinstance(sheet, str) or not _FULL_DATE.fullmatch(sheet):
        return False
    return current.deadline is not None and parse_deadline(sheet, current.year) == current.deadline


def _new_row(
    result: PreviewRow,
    values: dict[str, Any],
    year: int,
    scope: str,
    settle: Callable[[Project], Project],
) -> PreviewRow:
    problems = []
    if not values.get("task_no"):
        problems.append(
            "新项目缺少重点任务（或无法识别）"
            if "task_no" in values
            else "新项目缺少重点任务：表格中没有重点任务列，无法新增"
        )
    leads = list(values.get("lead_units") or ())
    if not leads and scope:
        leads = [scope]
    if not leads:
        problems.append("新项目缺少牵头单位")
    elif scope and scope not in leads:
        problems.append(f"新项目不由“{scope}”牵头，不能通过其填报表新增")
    if problems:
        result.messages = [*problems, *result.messages]
        return result
    status = Status(values["status"]) if values.get("status") else Status.NOT_STARTED
    co = [u for u in values.get("co_units") or () if u not in leads]
    result.project = settle(
        Project(
            id=None,
            year=year,
            name=values["name"],
            task_no=values["task_no"],
            zones=tuple(values.get("zones") or ()),
            lead_units=tuple(leads),
            co_units=tuple(co),
            goal=values.get("goal") or "",
            deadline_text=values.get("deadline_text") or "",
            status=status,
            progress=values.get("progress") or "",
            note=values.get("note") or "",
        )
    )
    result.action = NEW
    return result


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _model_value(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        return tuple(value)
    if name == "status":
        return Status(value)
    return value


# -------------------------------------------------------------------- apply
def _chosen_changes(row: PreviewRow, choices: ImportChoices) -> dict[str, Any]:
    picked = choices.take_sheet.get(row.row, set())
    changes = {}
    for change in row.changes:
        if change.conflict and not (choices.accept_sheet or change.field in picked):
            continue
        changes[change.field] = _model_value(change.field, change.new)
    return changes


def apply_import(
    store: Store,
    preview: ImportPreview,
    choices: ImportChoices | None = None,
    *,
    expected_versions: dict[int, int] | None = None,
    backup: bool = True,
    progress: Progress | None = None,
) -> ImportReceipt:
    """Apply the chosen rows in one transaction after a backup; all or nothing.

    `expected_versions` overrides the versions seen at preview time (a redo after an undo).
    """
    choices = choices or ImportChoices()
    progress = progress or NullProgress()
    if store.readonly:
        raise UserError("数据库以只读方式打开，不能导入。")
    if preview.db_id and store.db_id != preview.db_id:
        raise UserError("预览所用的数据库已更换，请重新预览后再导入。")
    selected = [
        row
        for row in preview.rows
        if row.action in (NEW, UPDATE, CONFLICT)
        and (choices.rows is None or row.row in choices.rows)
    ]
    backup_path = ""
    if backup and selected:
        made = auto_backup(store, "导入前")
        backup_path = str(made) if made else ""
    origin = preview.file_name
    planned = {row.row: _chosen_changes(row, choices) for row in selected if row.action != NEW}
    counts = {
        "new": sum(1 for row in selected if row.action == NEW),
        "update": sum(1 for changes in planned.values() if changes),
        "conflict_taken": sum(
            1 for row in selected for c in row.conflicts if c.field in planned.get(row.row, {})
        ),
        "conflict_kept": sum(
            1 for row in selected for c in row.conflicts if c.field not in planned.get(row.row, {})
        ),
    }
    receipt = ImportReceipt(batch_id=0, file_name=origin, backup_path=backup_path, counts=counts)
    receipt.skipped_conflicts = counts["conflict_kept"]
    progress.start(len(selected), "导入项目")
    with store.atomic():
        # How the columns were read, as the user approved it in the preview, reads the
        # department's next sheet with the same headers.
        remember_columns(
            store,
            signature=preview.signature,
            headers=preview.headers,
            learned=preview.learned,
            unit=preview.unit,
            file_name=preview.file_name,
        )
        receipt.progress_floor = progress_floor(store)
        receipt.batch_id = store.record_import_batch(
            file_name=origin,
            file_hash=preview.file_hash,
            unit=preview.unit,
            year=preview.year,
            counts=counts,
            backup_path=backup_path,
        )
        resolver = UnitResolver(store.units())
        wanted = {u for row in selected for u in row.new_units}
        for name in sorted(wanted):
            if resolver.resolve(name) is None:
                resolver.add(store.add_unit(name, kind="导入新增"))
                receipt.new_units.append(name)
        for row in selected:
            if row.action == NEW:
                assert row.project is not None
                created = store.insert_project(
                    row.project,
                    origin=origin,
                    batch_id=receipt.batch_id,
                    progress_date=row.progress_date or _as_of(preview),
                )
                assert created.id is not None
                receipt.created[created.id] = created.version
            else:
                current = row.current
                assert current is not None and current.id is not None
                changes = planned[row.row]
                if not changes:
                    progress.tick()
                    continue
                expected = (expected_versions or {}).get(current.id, current.version)
                after = store.update_project(
                    current.id,
                    changes,
                    expected_version=expected,
                    origin=origin,
                    batch_id=receipt.batch_id,
                    progress_date=row.progress_date or _as_of(preview),
                )
                receipt.updated.append(
                    UpdatedProject(
                        before=current, fields=tuple(changes), version_after=after.version
                    )
                )
            progress.tick()
    progress.finish()
    return receipt


def _as_of(preview: ImportPreview) -> str | None:
    return preview.as_of.isoformat() if preview.as_of else None


def revert_import(store: Store, receipt: ImportReceipt) -> dict[int, int]:
    """Put back everything an import changed; returns the affected projects' new versions.

    Created projects are deleted, updated ones get their old values back, the progress entries
    the import added are removed, and units it created go again if nothing uses them.
    """
    origin = f"{UNDO_ORIGIN}：{receipt.file_name}"
    with store.atomic():
        for project_id, version in receipt.created.items():
            store.delete_project(project_id, expected_version=version, origin=origin)
        for item in reversed(receipt.updated):
            before = item.before
            assert before.id is not None
            store.update_project(
                before.id,
                {name: getattr(before, name) for name in item.fields},
                expected_version=item.version_after,
                origin=origin,
            )
        delete_progress_after(
            store, receipt.progress_floor, [u.before.id for u in receipt.updated if u.before.id]
        )
        delete_unused_units(store, receipt.new_units)
    return project_versions(store, receipt.project_ids)


def summary_line(preview: ImportPreview) -> str:
    """One Chinese sentence of counts."""
    c = preview.counts()
    return (
        f"共 {c['rows']} 行：新增 {c[NEW]}，更新 {c[UPDATE]}，无变化 {c[UNCHANGED]}，"
        f"冲突 {c[CONFLICT]}，错误 {c[ERROR]}。"
    )


def describe_value(value: Any) -> str:
    """A field value as one line of text (lists joined with 、)."""
    if value is None:
        return "（空）"
    if isinstance(value, (list, tuple)):
        return format_list([str(v) for v in value]) or "（空）"
    text = str(value)
    return text if text else "（空）"


def row_line(row: PreviewRow) -> str:
    """One row of a preview as the command line prints it."""
    name = row.project.name if row.project is not None else ""
    parts = [f"第{row.row}行", ACTION_LABELS[row.action], name]
    details = []
    for c in row.changes:
        mark = "【冲突】" if c.conflict else ""
        details.append(f"{c.label}{mark}：{describe_value(c.old)} → {describe_value(c.new)}")
    text = "  ".join(p for p in parts if p)
    if details:
        text += "  " + "；".join(details)
    if row.messages:
        text += "  （" + "；".join(row.messages) + "）"
    return text


def selected_conflicts(preview: ImportPreview) -> Iterable[tuple[int, str]]:
    """(row, field) of every conflict, for a window's check boxes."""
    for row in preview.rows:
        for change in row.conflicts:
            yield row.row, change.field


__all__: Sequence[str] = [
    "ACTIONS",
    "ACTION_LABELS",
    "FIELD_NAMES",
    "FIELD_TITLES",
    "ColumnReading",
    "ColumnsError",
    "ImportChoices",
    "ImportPreview",
    "ImportReceipt",
    "apply_import",
    "build_preview",
    "parse_file",
    "plan_info",
    "preview_file",
    "preview_started",
    "revert_import",
    "unread_preview",
]
