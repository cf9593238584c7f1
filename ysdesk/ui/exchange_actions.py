"""The 数据 menu's Excel exchange: export the four layouts, import a department's return.

Exports read the store on the main thread and write the workbook in a worker; imports parse
the file in a worker, then show the preview, whose 导入 applies on the main thread as one
undoable step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ysdesk.domain.errors import UserError
from ysdesk.services.column_mappings import field_maps, reading_options
from ysdesk.services.exporter import KIND_TITLES, prepare_export, unit_sheet_name
from ysdesk.services.importer import (
    ColumnsError,
    ImportPreview,
    build_preview,
    parse_file,
    plan_info,
    preview_in_worker,
    unread_preview,
)
from ysdesk.services.progress import Progress
from ysdesk.store import Store
from ysdesk.ui.column_strip import ReadRequest
from ysdesk.ui.exchange_preview import ImportPreviewDialog
from ysdesk.ui.prompts import save_path

EXCEL_FILTER = "Excel 工作簿 (*.xlsx)"
IMPORT_FILTER = "Excel 表格 (*.xlsx *.xlsm *.xls *.ods);;所有文件 (*)"
LAST_FOLDER = "exchange/folder"
IMPORT_TEXT = "导入部门报表(&I)…"

EXPORT_MENU = (
    ("list", "导出项目清单(&L)…"),
    ("division", "导出分工表(&D)…"),
    ("matrix", "导出责任矩阵(&M)…"),
    ("unit-sheets", "导出分单位填报表(&U)…"),
)


class ExchangeActions:
    """Menu actions of one window; keeps the open preview dialog alive."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.ctx = window.ctx
        self.dialog: ImportPreviewDialog | None = None
        self.last_paths: list[Path] = []

    # ------------------------------------------------------------------ export
    def _year(self) -> int:
        data = getattr(self.window, "data", None)
        if data is not None:
            return int(data.year)
        years = self.ctx.store.years()
        return years[-1] if years else self.ctx.today.year

    def _folder(self) -> str:
        return str(self.ctx.settings.value(LAST_FOLDER, "") or Path.home())

    def export(self, kind: str) -> None:
        """Ask where, then write the export in a worker."""
        year = self._year()
        title = f"导出{KIND_TITLES[kind]}"
        prompts = self.ctx.prompts
        if kind == "unit-sheets":
            chosen = prompts.choose_folder(f"{title}：选择保存的文件夹", self._folder())
            if not chosen:
                return
            target = Path(chosen) / f"{year}年分单位填报表"
        else:
            suggested = str(Path(self._folder()) / f"{year}年{KIND_TITLES[kind]}.xlsx")
            saved = save_path(prompts, title, suggested, EXCEL_FILTER, "xlsx")
            if saved is None:
                return
            target = saved
        self.ctx.settings.setValue(
            LAST_FOLDER, str(target.parent if kind != "unit-sheets" else chosen)
        )
        try:
            job = prepare_export(self.ctx.store, kind, year, target, today=self.ctx.today)
        except UserError as exc:
            prompts.error(title, exc.message)
            return
        self.window.run_task(title, job.run, lambda paths: self._exported(title, paths))

    def _exported(self, title: str, paths: list[Path]) -> None:
        self.last_paths = list(paths)
        if len(paths) == 1:
            text = f"已保存到：{paths[0]}"
        else:
            text = f"已在“{paths[0].parent}”中保存 {len(paths)} 个工作簿（如 {paths[0].name}）。"
        self.ctx.prompts.info(title, text)

    # ------------------------------------------------------------------ import
    def import_file(self, path: str | None = None) -> None:
        """Pick a returned sheet, parse it in a worker, then show the preview."""
        if path is None:
            path = self.ctx.prompts.open_file("导入部门报表", self._folder(), IMPORT_FILTER)
            if not path:
                return
        self.ctx.settings.setValue(LAST_FOLDER, str(Path(path).parent))
        reader = SheetReader(self.ctx.store, path, self._year())
        self.window.run_task(
            "读取表格",
            reader.work(ReadRequest()),
            lambda result: self._show_preview(reader.finish(result), reader),
            lambda exc: self._refused(exc, reader),
        )

    def _refused(self, exc: BaseException, reader: SheetReader) -> None:
        """A sheet whose columns or sheet the user must name opens with the strip to do it."""
        if isinstance(exc, ColumnsError):
            self._show_preview(reader.unread(exc), reader)
        elif isinstance(exc, UserError):
            self.ctx.prompts.error("读取表格", exc.message)
        else:  # a bug: the application's excepthook logs it and tells the user
            sys.excepthook(type(exc), exc, exc.__traceback__)

    def _show_preview(self, preview: ImportPreview, reader: SheetReader | None = None) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = ImportPreviewDialog(self.ctx, preview, self.window, reader=reader)
        self.dialog.open()


class SheetReader:
    """How one returned file is read into a preview for a ReadRequest (the columns, sheet and
    header row the user picked): the work for a worker, then what the main thread adds."""

    def __init__(self, store: Store, path: str, year: int) -> None:
        self.store = store
        self.path = path
        self.year = year
        self.plan = plan_info(store)

    def work(self, request: ReadRequest) -> Callable[[Progress], Any]:
        """What the worker does: read, parse and compare through a connection of its own."""
        maps = field_maps(request.maps)
        db_path, plan, path, year = self.store.path, self.plan, self.path, self.year
        if db_path is None:  # an in-memory database has no second connection: compare here
            options = reading_options(
                self.store, maps=maps, sheet=request.sheet, header_row=request.header_row
            )
            return lambda progress: parse_file(path, plan, progress=progress, options=options)
        return lambda progress: preview_in_worker(
            db_path,
            path,
            plan,
            default_year=year,
            progress=progress,
            maps=maps,
            sheet=request.sheet,
            header_row=request.header_row,
        )

    def finish(self, result: Any) -> ImportPreview:
        """The preview of what the worker returned (compared here for an in-memory store)."""
        if isinstance(result, ImportPreview):
            return result
        return build_preview(self.store, result, default_year=self.year)

    def unread(self, error: ColumnsError) -> ImportPreview:
        """A preview without rows that shows the columns as read and what is missing."""
        return unread_preview(self.path, error, self.year)


def install(window: Any) -> None:
    """Add the export entries and 导入部门报表… to the 数据 menu."""
    actions = ExchangeActions(window)
    window.exchange_actions = actions
    menu = window.menu("data")
    importing = menu.addAction(IMPORT_TEXT)
    importing.setEnabled(not window.ctx.readonly)
    importing.triggered.connect(lambda: actions.import_file())
    menu.addSeparator()
    for kind, label in EXPORT_MENU:
        action = menu.addAction(label)
        action.triggered.connect(lambda _checked=False, k=kind: actions.export(k))


__all__ = ["ExchangeActions", "SheetReader", "install", "unit_sheet_name"]
