"""Export use cases: the year's 项目清单, 分工表, 责任矩阵 and one 填报表 per lead unit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.errors import UserError
from ysdesk.domain.model import Project, ProjectFilter, now_iso
from ysdesk.exchange.roundtrip import KIND_DIVISION, KIND_LIST, KIND_MATRIX, KIND_UNIT, ExportMeta
from ysdesk.exchange.xlsx_base import safe_file_name
from ysdesk.exchange.xlsx_export import (
    LIST_SHEET,
    DivisionExport,
    DivisionRow,
    ListExport,
    MatrixExport,
    MatrixRow,
    write_division,
    write_matrix,
    write_project_list,
)
from ysdesk.services.progress import NullProgress, Progress, check_cancelled
from ysdesk.store import Store

PLAN_NAME = "杨“数”浦新质秀带创新区"
KINDS = ("list", "division", "matrix", "unit-sheets")
KIND_TITLES = {
    "list": "项目清单",
    "division": "分工表",
    "matrix": "责任矩阵",
    "unit-sheets": "分单位填报表",
}


def _projects(store: Store, year: int) -> list[Project]:
    projects = store.list_projects(ProjectFilter(year=year))
    if not projects:
        raise UserError(f"数据库中没有 {year} 年度的项目，无法导出。")
    return projects


def _workbook_path(output: Path | str) -> Path:
    """The target of a single workbook: it must be named .xlsx, or Excel and WPS warn that the
    file's format and extension do not match (an ".xls" that is really .xlsx)."""
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise UserError(f"导出的 Excel 文件名应以 .xlsx 结尾：{output.name}。")
    return output


def _meta(store: Store, kind: str, year: int, unit: str = "", sheet: str = "") -> ExportMeta:
    return ExportMeta(
        kind=kind, db_id=store.db_id, year=year, exported_at=now_iso(), unit=unit, sheet=sheet
    )


def list_title(year: int, unit: str = "") -> str:
    if unit:
        return f"{PLAN_NAME}{year}年度项目推进情况表"
    return f"{PLAN_NAME}{year}年度项目清单"


def export_list(store: Store, year: int, output: Path, *, today: date) -> Path:
    """The year's 项目清单 with the round-trip data for merging returns."""
    return write_project_list(_workbook_path(output), _list_data(store, year, today))


def _list_data(store: Store, year: int, today: date) -> ListExport:
    return ListExport(
        title=list_title(year),
        as_of=today,
        areas=store.areas(),
        tasks=store.tasks(),
        projects=_projects(store, year),
        meta=_meta(store, KIND_LIST, year, sheet=LIST_SHEET),
    )


def unit_sheet_name(year: int, unit: str) -> str:
    """The file name of a unit's sheet: 2025年项目推进情况表_区科委.xlsx."""
    return f"{year}年项目推进情况表_{safe_file_name(unit)}.xlsx"


def export_unit_sheets(
    store: Store, year: int, folder: Path, *, today: date, progress: Progress | None = None
) -> list[Path]:
    """One workbook per lead unit, with only the projects it leads, into `folder`."""
    return prepare_export(store, "unit-sheets", year, folder, today=today).run(progress)


def _unit_sheet_jobs(store: Store, year: int, folder: Path, today: date) -> list[_Write]:
    projects = _projects(store, year)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"“{folder}”是文件，分单位填报表需要一个文件夹。")
    if not folder.exists() and not folder.parent.is_dir():
        raise UserError(f"目标文件夹的上级文件夹不存在：{folder.parent}。")
    by_unit: dict[str, list[Project]] = {}
    for project in projects:
        for unit in project.lead_units:
            by_unit.setdefault(unit, []).append(project)
    order = {u.name: i for i, u in enumerate(store.units())}
    units = sorted(by_unit, key=lambda u: (order.get(u, len(order)), u))
    areas = store.areas()
    tasks = store.tasks()
    jobs = []
    for unit in units:
        data = ListExport(
            title=list_title(year, unit),
            as_of=today,
            areas=areas,
            tasks=tasks,
            projects=by_unit[unit],
            meta=_meta(store, KIND_UNIT, year, unit=unit, sheet=LIST_SHEET),
            unit=unit,
        )
        jobs.append(_Write(write_project_list, folder / unit_sheet_name(year, unit), data))
    return jobs


def division_rows(projects: Sequence[Project], store: Store, year: int) -> list[DivisionRow]:
    """One row per task: its projects as 主要内容, units by how often they appear, deadline."""
    by_task: dict[int, list[Project]] = {}
    for project in projects:
        by_task.setdefault(project.task_no, []).append(project)
    rows = []
    for task in store.tasks():
        items = by_task.get(task.no, [])
        lines = []
        for index, p in enumerate(items, start=1):
            goal = f"：{p.goal}" if p.goal else ""
            lines.append(f"{index}. {p.name}{goal}" if len(items) > 1 else f"{p.name}{goal}")
        leads = Counter(u for p in items for u in p.lead_units)
        cos = Counter(u for p in items for u in p.co_units if u not in leads)
        rows.append(
            DivisionRow(
                task=task,
                content="\n".join(lines) or "（本年度暂无项目）",
                lead_units=tuple(u for u, _ in leads.most_common()),
                co_units=tuple(u for u, _ in cos.most_common()),
                deadline=_task_deadline(items, year),
            )
        )
    return rows


def _task_deadline(items: Sequence[Project], year: int) -> str:
    """The latest dated 完成时限 of a task's projects, else the commonest text."""
    dated = [(parse_deadline(p.deadline_text, year), p.deadline_text) for p in items]
    with_date = [(d, text) for d, text in dated if d is not None]
    if with_date:
        return max(with_date)[1]
    texts = Counter(p.deadline_text for p in items if p.deadline_text)
    return texts.most_common(1)[0][0] if texts else ""


def export_division(store: Store, year: int, output: Path, *, today: date) -> Path:
    """The 分工表: one row per task aggregated from the year's projects."""
    return write_division(_workbook_path(output), _division_data(store, year, today))


def _division_data(store: Store, year: int, today: date) -> DivisionExport:
    return DivisionExport(
        title=f"{PLAN_NAME}{year}年度重点任务分工表",
        as_of=today,
        areas=store.areas(),
        rows=division_rows(_projects(store, year), store, year),
        meta=_meta(store, KIND_DIVISION, year),
    )


def matrix_rows(store: Store, projects: Sequence[Project]) -> list[MatrixRow]:
    """Units that lead or cooperate on a project of the year, in registry order."""
    cells: dict[str, dict[int, list[int]]] = {}
    for p in projects:
        for unit in p.lead_units:
            cells.setdefault(unit, {}).setdefault(p.task_no, [0, 0])[0] += 1
        for unit in p.co_units:
            cells.setdefault(unit, {}).setdefault(p.task_no, [0, 0])[1] += 1
    order = {u.name: i for i, u in enumerate(store.units())}
    rows = []
    for unit in sorted(cells, key=lambda u: (order.get(u, len(order)), u)):
        counts = {task: (c[0], c[1]) for task, c in cells[unit].items()}
        rows.append(
            MatrixRow(
                unit=unit,
                cells=counts,
                lead_total=sum(c[0] for c in counts.values()),
                co_total=sum(c[1] for c in counts.values()),
            )
        )
    return rows


def export_matrix(store: Store, year: int, output: Path, *, today: date) -> Path:
    """The 责任矩阵: units × the 23 tasks grouped under their areas, with totals."""
    return write_matrix(_workbook_path(output), _matrix_data(store, year, today))


def _matrix_data(store: Store, year: int, today: date) -> MatrixExport:
    projects = _projects(store, year)
    return MatrixExport(
        title=f"{PLAN_NAME}{year}年度责任矩阵",
        as_of=today,
        areas=store.areas(),
        tasks=store.tasks(),
        rows=matrix_rows(store, projects),
        meta=_meta(store, KIND_MATRIX, year),
        task_projects=dict(Counter(p.task_no for p in projects)),
    )


@dataclass(frozen=True)
class _Write:
    writer: Callable[[Path, Any], Path]
    path: Path
    data: Any


@dataclass(frozen=True)
class ExportJob:
    """Everything an export needs, read from the store; `run` writes the files.

    Preparing reads the store (its thread only); running touches files only, so a window
    runs it in a worker.
    """

    kind: str
    writes: tuple[_Write, ...]
    folder: Path | None = None  # unit sheets: created when the job runs

    @property
    def paths(self) -> list[Path]:
        return [w.path for w in self.writes]

    def run(self, progress: Progress | None = None) -> list[Path]:
        """Write every file (each atomically); returns their paths."""
        progress = progress or NullProgress()
        if self.folder is not None and not self.folder.exists():
            try:
                self.folder.mkdir()
            except OSError as exc:
                raise UserError(f"无法创建文件夹“{self.folder}”：{exc.strerror or exc}。") from None
        progress.start(len(self.writes), f"导出{KIND_TITLES.get(self.kind, self.kind)}")
        written = []
        for write in self.writes:
            check_cancelled(progress)
            written.append(write.writer(write.path, write.data))
            progress.tick()
        progress.finish()
        return written


def prepare_export(store: Store, kind: str, year: int, output: Path, *, today: date) -> ExportJob:
    """Read what an export needs from the store; nothing is written yet."""
    output = Path(output)
    if kind in ("list", "division", "matrix"):
        output = _workbook_path(output)
    if kind == "list":
        data = _list_data(store, year, today)
        return ExportJob(kind, (_Write(write_project_list, output, data),))
    if kind == "division":
        return ExportJob(
            kind, (_Write(write_division, output, _division_data(store, year, today)),)
        )
    if kind == "matrix":
        return ExportJob(kind, (_Write(write_matrix, output, _matrix_data(store, year, today)),))
    if kind == "unit-sheets":
        return ExportJob(kind, tuple(_unit_sheet_jobs(store, year, output, today)), folder=output)
    raise UserError(f"未知的导出类型：{kind}（可选：{'、'.join(KINDS)}）。")


def export(
    store: Store,
    kind: str,
    year: int,
    output: Path,
    *,
    today: date,
    progress: Progress | None = None,
) -> list[Path]:
    """Any export by its command-line name; returns the files written."""
    return prepare_export(store, kind, year, output, today=today).run(progress)
