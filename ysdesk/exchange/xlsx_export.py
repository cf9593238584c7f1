"""Government-layout workbooks: 项目清单, 分单位填报表, 分工表 and 责任矩阵 (DESIGN.md §5).

Pure writers: they take domain objects and an ExportMeta and write one file atomically; the
service decides what goes in. Every layout: title row merged across, a date line, header
row(s), area section rows, borders and wrap, A4 landscape one page wide with the header rows
repeated on every page, frozen header, page numbers in the footer.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from ysdesk.domain.model import CHINESE_NUMERALS, Area, Project, Status, Task, format_list
from ysdesk.exchange.roundtrip import (
    HIDDEN_SHEET,
    ID_HEADER,
    KIND_DIVISION,
    KIND_LABELS,
    KIND_MATRIX,
    LIST_LAYOUT,
    UNIT_SHEET_FIELDS,
    ExportMeta,
    export_keywords,
    meta_rows,
    project_chunks,
    row_hash,
)
from ysdesk.exchange.xlsx_base import (
    BODY_FONT,
    HEADER_FONT,
    TITLE_FONT,
    StyleKit,
    add_sheet,
    atomic_save,
    line_count,
    new_workbook,
    set_print_area,
    setup_columns,
    setup_print,
    sheet_text,
)

LIST_SHEET = "项目清单"
DIVISION_SHEET = "分工表"
MATRIX_SHEET = "责任矩阵"
CREATOR = "ysdesk"  # the document properties' 创建者

# (header, width in characters); 牵头单位 and 配合单位 sit under a merged 责任单位.
LIST_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5.5),
    ("重点任务", 15),
    ("项目名称", 22),
    ("年度目标", 34),
    ("功能区", 11),
    ("牵头单位", 13),
    ("配合单位", 16),
    ("完成时限", 13),
    ("推进状态", 8.5),
    ("进展情况", 34),
    ("备注", 10),
)
UNIT_GROUP = "责任单位"
STATUS_COLUMN = 8  # 0-based: 推进状态
UNIT_EDITABLE = frozenset(LIST_LAYOUT.index(f) for f in UNIT_SHEET_FIELDS)

DIVISION_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5.5),
    ("重点任务", 20),
    ("主要内容", 62),
    ("牵头单位", 18),
    ("配合单位", 26),
    ("完成时限", 14),
)

_WRAPPING = (2, 3, 4, 5, 6, 7, 9, 10)
_LINE_PT = 14.5  # line height of 11 pt CJK text
_SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


@dataclass(frozen=True)
class ListExport:
    """A project list (or one unit's sheet) ready to be written."""

    title: str
    as_of: date
    areas: Sequence[Area]
    tasks: Sequence[Task]
    projects: Sequence[Project]
    meta: ExportMeta
    unit: str = ""  # set for a unit sheet: 填报单位 line, protection


@dataclass(frozen=True)
class MatrixRow:
    """One unit of the responsibility matrix: counts per task, then totals."""

    unit: str
    cells: dict[int, tuple[int, int]]  # task_no → (lead projects, cooperating projects)
    lead_total: int
    co_total: int


@dataclass(frozen=True)
class MatrixExport:
    """Units × tasks grouped under their areas."""

    title: str
    as_of: date
    areas: Sequence[Area]
    tasks: Sequence[Task]
    rows: Sequence[MatrixRow]
    meta: ExportMeta
    task_projects: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DivisionRow:
    """One task of the 分工表, aggregated from its projects."""

    task: Task
    content: str
    lead_units: tuple[str, ...]
    co_units: tuple[str, ...]
    deadline: str


@dataclass(frozen=True)
class DivisionExport:
    title: str
    as_of: date
    areas: Sequence[Area]
    rows: Sequence[DivisionRow]
    meta: ExportMeta


def date_line(as_of: date) -> str:
    return f"截至日期：{as_of.year}年{as_of.month}月{as_of.day}日"


def section_label(area: Area) -> str:
    """The section row of an area: 一、打造全球科创策源新高地."""
    return f"{CHINESE_NUMERALS[area.no - 1]}、{area.title}"


def _define_common(kit: StyleKit, *, editable: frozenset[str] = frozenset()) -> None:
    wrap_center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap_left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    kit.define(
        "title",
        font=Font(name=TITLE_FONT, size=18),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        border=None,
    )
    kit.define(
        "date",
        font=Font(name=BODY_FONT, size=11),
        alignment=Alignment(horizontal="right", vertical="center"),
        border=None,
    )
    kit.define(
        "unit_line",
        font=Font(name=BODY_FONT, size=11),
        alignment=Alignment(horizontal="left", vertical="center"),
        border=None,
    )
    kit.define(
        "header", font=Font(name=HEADER_FONT, size=11), alignment=wrap_center, fill=_HEADER_FILL
    )
    kit.define(
        "section",
        font=Font(name=HEADER_FONT, size=11),
        alignment=Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1),
        fill=_SECTION_FILL,
    )
    body = Font(name=BODY_FONT, size=11)
    kit.define("center", font=body, alignment=wrap_center)
    kit.define("left", font=body, alignment=wrap_left)
    kit.define("center_open", font=body, alignment=wrap_center, locked=False)
    kit.define("left_open", font=body, alignment=wrap_left, locked=False)
    kit.define(
        "hidden",
        font=Font(name=BODY_FONT, size=9, color="808080"),
        alignment=Alignment(horizontal="center", vertical="center"),
        border=None,
    )
    kit.define(
        "note",
        font=Font(name=BODY_FONT, size=10),
        alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
        border=None,
    )
    kit.define(
        "mark",
        font=Font(name="宋体", size=11),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    )
    kit.define(
        "vertical",
        font=Font(name=HEADER_FONT, size=10),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        fill=_HEADER_FILL,
    )


def _describe(wb: Workbook, meta: ExportMeta, title: str) -> None:
    """The document properties (文件属性 in Excel and WPS): what the file is, what made it."""
    wb.properties.creator = CREATOR
    wb.properties.title = sheet_text(title)
    wb.properties.subject = KIND_LABELS.get(meta.kind, "")
    wb.properties.keywords = export_keywords(meta)


def _finish(
    wb: Workbook,
    target: Path,
    meta: ExportMeta,
    title: str,
    projects: Sequence[Project] = (),
    hashes: dict[int, str] | None = None,
) -> None:
    """What every export ends with: its document properties, the hidden sheet, the save."""
    _describe(wb, meta, title)
    _write_hidden(wb, meta, projects, hashes)
    wb.save(target)


def _write_hidden(
    wb: Workbook,
    meta: ExportMeta,
    projects: Sequence[Project],
    hashes: dict[int, str] | None = None,
) -> None:
    ws = add_sheet(wb, HIDDEN_SHEET)
    ws.sheet_state = "veryHidden"  # not even 取消隐藏 shows it: only code reads it
    kit = StyleKit(ws)
    kit.define("plain", font=Font(size=9), alignment=Alignment(), border=None)
    for row in meta_rows(meta):
        ws.append([kit.cell(sheet_text(value), "plain") for value in row])
    for row in project_chunks(projects, hashes):
        ws.append(row)


# ------------------------------------------------------------------ 项目清单
def write_project_list(path: Path, data: ListExport) -> Path:
    """Write a 项目清单 (or a unit's sheet when data.unit is set) to `path` atomically."""
    return atomic_save(lambda tmp: _save_project_list(tmp, data), path)


def _save_project_list(target: Path, data: ListExport) -> None:
    wb = new_workbook()
    ws = add_sheet(wb, LIST_SHEET)
    kit = StyleKit(ws)
    _define_common(kit)
    ncols = len(LIST_COLUMNS)
    widths = [w for _, w in LIST_COLUMNS] + [9]
    setup_columns(ws, widths, hidden_from=ncols)
    ws.freeze_panes = "A5"
    ws.sheet_view.zoomScale = 90
    setup_print(ws, title_rows=(3, 4))
    unit_sheet = bool(data.unit)

    by_task: dict[int, list[Project]] = {}
    for project in data.projects:
        by_task.setdefault(project.task_no, []).append(project)
    task_by_no = {t.no: t for t in data.tasks}
    hashes: dict[int, str] = {}
    status_ranges: list[str] = []
    center = "center_open" if unit_sheet else "center"
    left = "left_open" if unit_sheet else "left"
    # Pass 1: the rows' texts and heights. The commonest height becomes the sheet's default
    # row height, so only the other rows carry one (openpyxl writes a row height slowly).
    plan: list[tuple[Area, list[tuple[str, list[tuple[Project, tuple[str, ...], float]]]]]] = []
    heights: Counter[float] = Counter()
    serial = 0
    for area in data.areas:
        tasks = [t for t in data.tasks if t.area_no == area.no and t.no in by_task]
        if not tasks:
            continue
        groups = []
        for task in tasks:
            projects = by_task[task.no]
            task_text = sheet_text(task_by_no[task.no].label)
            task_lines = line_count(task_text, LIST_COLUMNS[1][1])
            rows = []
            for project in projects:
                serial += 1
                texts = (
                    str(serial),
                    task_text,
                    sheet_text(project.name),
                    sheet_text(project.goal),
                    sheet_text(format_list(project.zones)),
                    sheet_text(format_list(project.lead_units)),
                    sheet_text(format_list(project.co_units)),
                    sheet_text(project.deadline_text),
                    project.status.value,
                    sheet_text(project.progress),
                    sheet_text(project.note),
                )
                # Only text that can wrap decides the height (short cells never do).
                lines = max(
                    (
                        line_count(texts[i], LIST_COLUMNS[i][1])
                        for i in _WRAPPING
                        if len(texts[i]) * 2 > LIST_COLUMNS[i][1]
                    ),
                    default=1,
                )
                if len(projects) == 1:
                    lines = max(lines, task_lines)
                height = min(409, lines * _LINE_PT + 8)
                heights[height] += 1
                rows.append((project, texts, height))
            groups.append((task_text, rows))
        plan.append((area, groups))
    default_height = heights.most_common(1)[0][0] if heights else _LINE_PT + 8
    ws.sheet_format.defaultRowHeight = default_height
    ws.sheet_format.customHeight = True

    # Pass 2: write.
    _write_list_top(ws, kit, data, ncols, unit_sheet)
    row_index = 4
    first_data = row_index + 1
    for area, groups in plan:
        row_index += 1
        ws.row_dimensions[row_index].height = 24
        ws.append(
            [kit.cell(section_label(area), "section")] + [kit.cell(None, "section")] * (ncols - 1)
        )
        ws.merged_cells.add(f"A{row_index}:{get_column_letter(ncols)}{row_index}")
        for task_text, rows in groups:
            start = row_index + 1
            for position, (project, texts, height) in enumerate(rows):
                row_index += 1
                if height != default_height:
                    ws.row_dimensions[row_index].height = height
                if project.id is not None:
                    # As the import will see the row: the merged task cell filled down.
                    hashes[project.id] = row_hash(texts[1:])
                ws.append(
                    [
                        kit.cell(int(texts[0]), "center"),
                        kit.cell(task_text if position == 0 else None, "center"),
                        kit.cell(texts[2], "left"),
                        kit.cell(texts[3], "left"),
                        kit.cell(texts[4], "center"),
                        kit.cell(texts[5], "center"),
                        kit.cell(texts[6], "center"),
                        kit.cell(texts[7], "center"),
                        kit.cell(texts[8], center),
                        kit.cell(texts[9], left),
                        kit.cell(texts[10], left),
                        kit.cell(project.id, "hidden"),
                    ]
                )
            if row_index > start:
                ws.merged_cells.add(f"B{start}:B{row_index}")
    last_row = row_index
    if last_row >= first_data:
        letter = get_column_letter(STATUS_COLUMN + 1)
        status_ranges.append(f"{letter}{first_data}:{letter}{last_row}")
    _add_status_validation(ws, status_ranges)
    set_print_area(ws, last_row=max(last_row, 4), last_col=ncols)
    if unit_sheet:
        _protect(ws)
    _finish(wb, target, data.meta, data.title, data.projects, hashes)


def _write_list_top(
    ws: WriteOnlyWorksheet, kit: StyleKit, data: ListExport, ncols: int, unit_sheet: bool
) -> None:
    """Title, date (and 填报单位) line, and the two header rows."""
    # Title and date line.
    ws.row_dimensions[1].height = 42
    ws.append([kit.cell(sheet_text(data.title), "title")] + [None] * (ncols - 1))
    ws.merged_cells.add(f"A1:{get_column_letter(ncols)}1")
    ws.row_dimensions[2].height = 24
    if unit_sheet:
        line = [kit.cell(f"填报单位：{sheet_text(data.unit)}", "unit_line")] + [None] * 4
        line += [kit.cell(date_line(data.as_of), "date")] + [None] * (ncols - 6)
        ws.append(line)
        ws.merged_cells.add("A2:E2")
        ws.merged_cells.add(f"F2:{get_column_letter(ncols)}2")
    else:
        ws.append([kit.cell(date_line(data.as_of), "date")] + [None] * (ncols - 1))
        ws.merged_cells.add(f"A2:{get_column_letter(ncols)}2")

    # Two header rows: 责任单位 spans 牵头单位 | 配合单位, every other header spans both rows.
    group_cols = (5, 6)
    top = []
    bottom = []
    for index, (name, _) in enumerate(LIST_COLUMNS):
        if index in group_cols:
            top.append(kit.cell(UNIT_GROUP if index == group_cols[0] else None, "header"))
            bottom.append(kit.cell(name, "header"))
        else:
            top.append(kit.cell(name, "header"))
            bottom.append(kit.cell(None, "header"))
            letter = get_column_letter(index + 1)
            ws.merged_cells.add(f"{letter}3:{letter}4")
    top.append(kit.cell(ID_HEADER, "hidden"))
    bottom.append(kit.cell(None, "hidden"))
    ws.merged_cells.add(
        f"{get_column_letter(group_cols[0] + 1)}3:{get_column_letter(group_cols[1] + 1)}3"
    )
    ws.row_dimensions[3].height = 22
    ws.row_dimensions[4].height = 22
    ws.append(top)
    ws.append(bottom)


def _add_status_validation(ws: WriteOnlyWorksheet, ranges: list[str]) -> None:
    if not ranges:
        return
    words = ",".join(s.value for s in Status)
    validation = DataValidation(
        type="list",
        formula1=f'"{words}"',
        allow_blank=True,
        showDropDown=False,  # (sic) False shows the arrow: the OOXML attribute is inverted
        showErrorMessage=True,
        errorTitle="推进状态",
        error="请从下拉列表中选择：" + "、".join(s.value for s in Status) + "。",
        showInputMessage=True,
        promptTitle="推进状态",
        prompt="请选择：" + "、".join(s.value for s in Status),
    )
    for cell_range in ranges:
        validation.add(cell_range)
    ws.data_validations.dataValidation.append(validation)


def _protect(ws: WriteOnlyWorksheet) -> None:
    """Lock everything but the unlocked cells; rows and columns may still be resized."""
    ws.protection = SheetProtection(
        sheet=True,
        formatRows=False,
        formatColumns=False,
        selectLockedCells=False,
        selectUnlockedCells=False,
    )


# -------------------------------------------------------------------- 分工表
def write_division(path: Path, data: DivisionExport) -> Path:
    """Write a 分工表 (one row per task) to `path` atomically."""
    return atomic_save(lambda tmp: _save_division(tmp, data), path)


def _save_division(target: Path, data: DivisionExport) -> None:
    wb = new_workbook()
    ws = add_sheet(wb, DIVISION_SHEET)
    kit = StyleKit(ws)
    _define_common(kit)
    ncols = len(DIVISION_COLUMNS)
    setup_columns(ws, [w for _, w in DIVISION_COLUMNS], hidden_from=None)
    ws.freeze_panes = "A4"
    setup_print(ws, title_rows=(3, 3))
    last = get_column_letter(ncols)
    ws.row_dimensions[1].height = 42
    ws.append([kit.cell(sheet_text(data.title), "title")] + [None] * (ncols - 1))
    ws.merged_cells.add(f"A1:{last}1")
    ws.row_dimensions[2].height = 24
    ws.append([kit.cell(date_line(data.as_of), "date")] + [None] * (ncols - 1))
    ws.merged_cells.add(f"A2:{last}2")
    ws.row_dimensions[3].height = 24
    ws.append([kit.cell(name, "header") for name, _ in DIVISION_COLUMNS])
    row_index = 3
    by_area: dict[int, list[DivisionRow]] = {}
    for row in data.rows:
        by_area.setdefault(row.task.area_no, []).append(row)
    for area in data.areas:
        rows = by_area.get(area.no, [])
        if not rows:
            continue
        row_index += 1
        ws.row_dimensions[row_index].height = 24
        ws.append(
            [kit.cell(section_label(area), "section")] + [kit.cell(None, "section")] * (ncols - 1)
        )
        ws.merged_cells.add(f"A{row_index}:{last}{row_index}")
        for row in rows:
            row_index += 1
            texts = (
                str(row.task.no),
                sheet_text(row.task.label),
                sheet_text(row.content),
                sheet_text(format_list(row.lead_units)),
                sheet_text(format_list(row.co_units)),
                sheet_text(row.deadline),
            )
            lines = max(line_count(texts[i], DIVISION_COLUMNS[i][1]) for i in range(1, ncols))
            ws.row_dimensions[row_index].height = min(409, lines * _LINE_PT + 8)
            ws.append(
                [
                    kit.cell(row.task.no, "center"),
                    kit.cell(texts[1], "left"),
                    kit.cell(texts[2], "left"),
                    kit.cell(texts[3], "center"),
                    kit.cell(texts[4], "center"),
                    kit.cell(texts[5], "center"),
                ]
            )
    set_print_area(ws, last_row=row_index, last_col=ncols)
    _finish(wb, target, dataclasses.replace(data.meta, kind=KIND_DIVISION), data.title)


# ------------------------------------------------------------------ 责任矩阵
def matrix_mark(lead: int, co: int) -> str:
    """● for leading, ○ for cooperating, with the number of projects when more than one."""
    parts = []
    if lead:
        parts.append("●" if lead == 1 else f"●{lead}")
    if co:
        parts.append("○" if co == 1 else f"○{co}")
    return "\n".join(parts)


def write_matrix(path: Path, data: MatrixExport) -> Path:
    """Write the 责任矩阵 (units × tasks under their areas) to `path` atomically."""
    return atomic_save(lambda tmp: _save_matrix(tmp, data), path)


def _save_matrix(target: Path, data: MatrixExport) -> None:
    wb = new_workbook()
    ws = add_sheet(wb, MATRIX_SHEET)
    kit = StyleKit(ws)
    _define_common(kit)
    tasks = list(data.tasks)
    ncols = 2 + len(tasks) + 2
    last = get_column_letter(ncols)
    setup_columns(ws, [5, 22] + [4.6] * len(tasks) + [7, 7], hidden_from=None)
    ws.freeze_panes = "C6"
    setup_print(ws, title_rows=(3, 5))
    ws.row_dimensions[1].height = 42
    ws.append([kit.cell(sheet_text(data.title), "title")] + [None] * (ncols - 1))
    ws.merged_cells.add(f"A1:{last}1")
    ws.row_dimensions[2].height = 24
    ws.append([kit.cell(date_line(data.as_of), "date")] + [None] * (ncols - 1))
    ws.merged_cells.add(f"A2:{last}2")

    # Row 3: areas over their tasks; row 4: task numbers; row 5: task titles (stacked).
    top = [kit.cell("序号", "header"), kit.cell("单位", "header")]
    numbers = [kit.cell(None, "header"), kit.cell(None, "header")]
    titles = [kit.cell(None, "header"), kit.cell(None, "header")]
    column = 3
    for area in data.areas:
        area_tasks = [t for t in tasks if t.area_no == area.no]
        if not area_tasks:
            continue
        first = column
        for position, task in enumerate(area_tasks):
            top.append(kit.cell(section_label(area) if position == 0 else None, "header"))
            numbers.append(kit.cell(task.no, "header"))
            titles.append(kit.cell(sheet_text(task.title), "vertical"))
            column += 1
        ws.merged_cells.add(f"{get_column_letter(first)}3:{get_column_letter(column - 1)}3")
    for label in ("牵头项目", "配合项目"):
        top.append(kit.cell(label, "header"))
        numbers.append(kit.cell(None, "header"))
        titles.append(kit.cell(None, "header"))
    for col in (1, 2, ncols - 1, ncols):
        letter = get_column_letter(col)
        ws.merged_cells.add(f"{letter}3:{letter}5")
    ws.row_dimensions[3].height = 48
    ws.row_dimensions[4].height = 18
    # Task titles wrap a character or two per line in their narrow columns.
    longest = max((len(t.title) for t in tasks), default=4)
    ws.row_dimensions[5].height = min(300, (longest // 2 + 1) * 13 + 6)
    ws.append(top)
    ws.append(numbers)
    ws.append(titles)

    row_index = 5
    for serial, row in enumerate(data.rows, start=1):
        row_index += 1
        cells = [kit.cell(serial, "center"), kit.cell(sheet_text(row.unit), "left")]
        tall = 1
        for task in tasks:
            lead, co = row.cells.get(task.no, (0, 0))
            mark = matrix_mark(lead, co)
            tall = max(tall, mark.count("\n") + 1)
            cells.append(kit.cell(mark or None, "mark"))
        cells.append(kit.cell(row.lead_total, "center"))
        cells.append(kit.cell(row.co_total, "center"))
        ws.row_dimensions[row_index].height = max(
            tall * _LINE_PT + 6, line_count(row.unit, 22) * _LINE_PT + 6
        )
        ws.append(cells)

    # Totals: lead units per task, and projects per task.
    lead_units = [kit.cell(None, "header"), kit.cell("牵头单位数", "header")]
    project_counts = [kit.cell(None, "header"), kit.cell("项目数", "header")]
    for task in tasks:
        leads = sum(1 for r in data.rows if r.cells.get(task.no, (0, 0))[0])
        lead_units.append(kit.cell(leads, "center"))
        project_counts.append(kit.cell(data.task_projects.get(task.no, 0), "center"))
    lead_units += [
        kit.cell(sum(r.lead_total for r in data.rows), "center"),
        kit.cell(None, "center"),
    ]
    project_counts += [
        kit.cell(None, "center"),
        kit.cell(sum(r.co_total for r in data.rows), "center"),
    ]
    for line in (lead_units, project_counts):
        row_index += 1
        ws.row_dimensions[row_index].height = 22
        ws.append(line)
    row_index += 1
    ws.row_dimensions[row_index].height = 20
    ws.append(
        [kit.cell("注：●表示牵头，○表示配合，符号后的数字为项目数。", "note")]
        + [None] * (ncols - 1)
    )
    ws.merged_cells.add(f"A{row_index}:{last}{row_index}")
    set_print_area(ws, last_row=row_index, last_col=ncols)
    _finish(wb, target, dataclasses.replace(data.meta, kind=KIND_MATRIX), data.title)
