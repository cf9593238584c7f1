"""The 数据 menu's Excel exchange: export the four layouts, import a department's return.

Exports read the store on the main thread and write the workbook in a worker; imports parse
the file in a worker, then show the preview, whose 导入 applies on the main thread as one
undoable step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ysdesk.domain.errors import UserError
from ysdesk.services.exporter import KIND_TITLES, prepare_export, unit_sheet_name
from ysdesk.services.importer import (
    ImportPreview,
    build_preview,
    parse_file,
    plan_info,
    preview_in_worker,
)
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
        plan = plan_info(self.ctx.store)
        db_path, year = self.ctx.store.path, self._year()
        if db_path is None:  # an in-memory database has no second connection: compare here
            self.window.run_task(
                "读取表格",
                lambda progress: parse_file(path, plan, progress=progress),
                lambda parsed: self._show_preview(
                    build_preview(self.ctx.store, parsed, default_year=year)
                ),
            )
            return
        self.window.run_task(
            "读取表格",
            lambda progress: preview_in_worker(
                db_path, path, plan, default_year=year, progress=progress
            ),
            self._show_preview,
        )

    def _show_preview(self, preview: ImportPreview) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = ImportPreviewDialog(self.ctx, preview, self.window)
        self.dialog.open()


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


__all__ = ["ExchangeActions", "install", "unit_sheet_name"]
