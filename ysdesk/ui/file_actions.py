"""The 文件 and 帮助 actions: new/open database, backup copy, recent files, about."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QWidget

from ysdesk.domain.errors import DatabaseLockedError, UserError
from ysdesk.services.workspace import init_database, user_data_dir
from ysdesk.store import Store
from ysdesk.store.backup import (
    backup_to,
    backups_of,
    replace_with_backup,
    validate_database_file,
)
from ysdesk.ui.context import AppContext

DB_FILTER = "ysdesk 数据库 (*.db *.sqlite);;所有文件 (*)"
RECENT_KEY = "recent_dbs"
RECENT_MAX = 8


def recent_files(ctx: AppContext) -> list[str]:
    """Databases opened before, newest first (those that still exist)."""
    value = ctx.settings.value(RECENT_KEY, [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [p for p in items if p and Path(p).exists()]


def remember(ctx: AppContext, path: Path) -> None:
    """Put a database at the top of the recent list and make it the one opened next time."""
    text = str(path.resolve())
    items = [text, *[p for p in recent_files(ctx) if p != text]][:RECENT_MAX]
    ctx.settings.setValue(RECENT_KEY, items)
    ctx.settings.setValue("last_db", text)


class FileActions(QObject):
    """Switching databases goes through AppContext.replace_store: every view reloads."""

    database_opened = Signal(str)
    message = Signal(str)

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        style = window.style()
        self.new_db = QAction("新建数据库(&N)…", window)
        self.new_db.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.open_db = QAction(
            style.standardIcon(QStyle.SP_DialogOpenButton), "打开数据库(&O)…", window
        )
        self.open_db.setShortcut(QKeySequence.Open)
        self.backup = QAction(
            style.standardIcon(QStyle.SP_DialogSaveButton), "备份/另存副本(&B)…", window
        )
        self.backup.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.backup.setToolTip("把当前数据库完整复制一份（修改本已随时保存）")
        self.restore = QAction("从备份恢复(&E)…", window)
        self.restore.setToolTip("用 backups 文件夹中的自动备份（或任一备份文件）替换当前数据库")
        self.recent_menu = QMenu("最近打开(&R)", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.quit = QAction("退出(&X)", window)
        self.quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit.triggered.connect(window.close)
        self.about = QAction("关于 ysdesk(&A)", window)
        self.about.setShortcut(QKeySequence.HelpContents)
        self.new_db.triggered.connect(lambda: self.new_database())
        self.open_db.triggered.connect(lambda: self.open_database())
        self.backup.triggered.connect(lambda: self.backup_copy())
        self.restore.triggered.connect(lambda: self.restore_backup())
        self.about.triggered.connect(self.show_about)

    def _folder(self) -> str:
        path = self.ctx.store.path
        return str(path.parent if path else user_data_dir())

    # ---------------------------------------------------------------- actions
    def new_database(self, path: str | None = None) -> bool:
        """Create a database with the plan and units (no projects) and switch to it."""
        path = path or self.ctx.prompts.save_file(
            "新建数据库", str(Path(self._folder()) / "新清单.db"), DB_FILTER, default_suffix="db"
        )
        if not path:
            return False
        target = Path(path)
        current = self.ctx.store.path
        if current is not None and target.resolve() == current.resolve():
            self.ctx.prompts.error("新建数据库", "不能用新数据库覆盖当前打开的数据库。")
            return False
        try:
            # The file dialog has already asked before replacing an existing file.
            store = init_database(target, force=target.exists())
        except UserError as exc:
            self.ctx.prompts.error("新建数据库", exc.message)
            return False
        self._switch(store)
        self.message.emit(f"已新建数据库：{target}")
        return True

    def open_database(self, path: str | None = None) -> bool:
        """Open another database (read-only when another window holds it)."""
        path = path or self.ctx.prompts.open_file("打开数据库", self._folder(), DB_FILTER)
        if not path:
            return False
        target = Path(path)
        current = self.ctx.store.path
        if current is not None and target.resolve() == current.resolve():
            return True
        try:
            validate_database_file(target)
            try:
                store = Store.open(target)
            except DatabaseLockedError as exc:
                if not self.ctx.prompts.confirm(
                    "数据库正在使用", f"{exc.message}\n是否以只读方式打开？", ok="只读打开"
                ):
                    return False
                store = Store.open(target, readonly=True)
        except UserError as exc:
            self.ctx.prompts.error("无法打开数据库", exc.message)
            return False
        self._switch(store)
        self.message.emit(f"已打开：{target}")
        return True

    def backup_copy(self, path: str | None = None) -> bool:
        """Copy the whole database to a file; the window's modified mark clears."""
        current = self.ctx.store.path
        stem = current.stem if current else "ysdesk"
        suggested = Path(self._folder()) / f"{stem}-备份-{date.today():%Y%m%d}.db"
        path = path or self.ctx.prompts.save_file(
            "备份/另存副本", str(suggested), DB_FILTER, default_suffix="db"
        )
        if not path:
            return False
        try:
            dest = backup_to(self.ctx.store, Path(path))
        except UserError as exc:
            self.ctx.prompts.error("备份失败", exc.message)
            return False
        self.ctx.undo_stack.setClean()
        self.message.emit(f"已备份到：{dest}")
        return True

    def restore_backup(self, path: str | None = None) -> bool:
        """Replace the open database with a backup; the current file is kept in backups first.

        Works on a damaged database too: the file is replaced as a whole, not read.
        """
        current = self.ctx.store.path
        if current is None:
            self.ctx.prompts.error("从备份恢复", "内存数据库没有备份。")
            return False
        if self.ctx.store.readonly:
            self.ctx.prompts.error(
                "从备份恢复", "数据库以只读方式打开（可能正被其他窗口使用），不能恢复。"
            )
            return False
        backups = backups_of(current)
        folder = backups[0].parent if backups else current.parent
        path = path or self.ctx.prompts.open_file("选择要恢复的备份", str(folder), DB_FILTER)
        if not path:
            return False
        source = Path(path)
        try:
            validate_database_file(source)
            if source.resolve() == current.resolve():
                raise UserError("不能用当前数据库自身来恢复。")
        except UserError as exc:
            self.ctx.prompts.error("从备份恢复", exc.message)
            return False
        if not self.ctx.prompts.confirm(
            "从备份恢复",
            f"用备份“{source.name}”替换当前数据库“{current.name}”？\n"
            "当前数据库会先原样保存到 backups 文件夹，恢复后撤销记录清空。",
            ok="恢复",
        ):
            return False
        # The file is replaced as a whole: let go of it and its lock. Nothing may run the
        # event loop (a message box would repaint the table) until the window has a store again.
        self.ctx.store.close()
        failure: UserError | None = None
        try:
            kept = replace_with_backup(current, source)
        except UserError as exc:
            failure, kept = exc, None
        # After a failure the old file is untouched: it opens as it did before.
        self._switch(Store.open(current))
        if failure is not None:
            self.ctx.prompts.error("从备份恢复", failure.message)
            return False
        where = f"，原数据库已保存为 {kept}" if kept else ""
        self.message.emit(f"已从备份“{source.name}”恢复{where}。")
        return True

    def _switch(self, store: Store) -> None:
        old = self.ctx.replace_store(store)
        old.close()
        if store.path is not None:
            remember(self.ctx, store.path)
            self.database_opened.emit(str(store.path))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        current = str(self.ctx.store.path.resolve()) if self.ctx.store.path else ""
        items = [p for p in recent_files(self.ctx) if p != current]
        if not items:
            empty = self.recent_menu.addAction("（无）")
            empty.setEnabled(False)
            return
        for number, path in enumerate(items, start=1):
            action = self.recent_menu.addAction(f"&{number} {path}")
            action.triggered.connect(lambda _=False, p=path: self.open_database(p))

    def about_text(self) -> str:
        """The plan's 文号, issuers and date, and where the data is."""
        store = self.ctx.store
        doc = store.plan_document()
        lines = ["ysdesk 项目清单工作台", ""]
        if doc is not None:
            lines += [
                f"方案：{doc.title}",
                f"文号：{doc.doc_no}",
                # One issuer a line: joined, they wrapped mid-name in the message box.
                "印发：" + "\n　　　".join(doc.issuers),
                f"日期：{doc.issued.year}年{doc.issued.month}月{doc.issued.day}日",
                "",
            ]
        where = str(store.path) if store.path else "内存数据库"
        mode = "（只读）" if store.readonly else ""
        lines.append(f"数据库：{where}{mode}")
        lines.append(
            f"项目：{store.project_count()} 个，年度：{'、'.join(map(str, store.years()))}"
        )
        return "\n".join(lines)

    def show_about(self) -> None:
        self.ctx.prompts.info("关于 ysdesk", self.about_text())
