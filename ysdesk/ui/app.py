"""Starting the window: QApplication, style, settings, the database (created on first start)."""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ysdesk.domain.errors import DatabaseLockedError, UserError
from ysdesk.services.workspace import (
    default_db_path,
    init_database,
    open_or_create,
    sample_db_path,
    user_data_dir,
)
from ysdesk.store import Store
from ysdesk.store.backup import backups_of, replace_with_backup
from ysdesk.store.db import as_user_error
from ysdesk.ui.context import AppContext
from ysdesk.ui.file_actions import DB_FILTER, remember
from ysdesk.ui.main_window import MainWindow
from ysdesk.ui.prompts import Prompts
from ysdesk.ui.style import apply_style

# Qt's xcb platform plugin aborts the process ("could not load the Qt platform plugin") when
# one of these is missing; the Debian package that brings each (the .deb depends on them).
XCB_LIBRARIES = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)

ORGANIZATION = "ysdesk"
# Set to a file name, the window writes the time of its first paint there and quits:
# scripts/bench_package.py times the launch of the packaged app against `python main.py`.
STARTUP_PROBE = "YSDESK_STARTUP_PROBE"
APPLICATION = "ysdesk"
DEFAULT_SIZE = (1440, 900)


def missing_xcb_packages() -> list[str]:
    """The Debian packages Qt's xcb plugin needs that this Linux system lacks (else [])."""
    if not sys.platform.startswith("linux"):
        return []
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return []  # offscreen, wayland …: the xcb plugin is not loaded
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return []  # Qt tries Wayland first; it says itself if neither works
    missing = []
    for soname, package in XCB_LIBRARIES:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def check_platform() -> None:
    """Refuse in one sentence, before Qt aborts, when the window's system libraries lack."""
    missing = missing_xcb_packages()
    if missing:
        raise UserError(
            "无法打开窗口：缺少 Qt 显示窗口所需的系统库，请先安装："
            f"sudo apt install {' '.join(missing)}。"
        )


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with names (for QSettings), the Fusion style and a CJK font."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("ysdesk 项目清单工作台")
    app.setStyle("Fusion")
    apply_style(app)  # type: ignore[arg-type]
    # Every module is imported now, the pinyin tables among them: ~260,000 objects that live
    # as long as the program. Out of the cyclic collector's sight, a full collection takes a
    # few milliseconds instead of the 80–130 ms that once landed on a node switch.
    gc.collect()
    gc.freeze()
    return app  # type: ignore[return-value]


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """A bug: log it beside the data and tell the user in one sentence; keep the window."""
    log = user_data_dir() / "error.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(kind, exc, tb)))
    except OSError:
        pass
    sys.__excepthook__(kind, exc, tb)
    # A damaged or vanished database file, a full disk … that no caller turned into a sentence.
    known = exc if isinstance(exc, UserError) else as_user_error(exc)
    text = (
        known.message
        if known is not None
        else f"程序内部错误（{kind.__name__}），详情已记录在 {log}。"
    )
    if text in _showing:
        return  # the same sentence is on screen already: say it once, not once per repaint
    _showing.add(text)
    try:
        if known is not None:
            QMessageBox.warning(None, "数据库出错", text)
        else:
            QMessageBox.critical(None, "程序内部错误", text)
    finally:
        _showing.discard(text)


_showing: set[str] = set()  # sentences the excepthook has on screen now


def open_at_start(path: Path, prompts: Prompts) -> Store | None:
    """The database the window starts on, or None when the user gives up.

    A file that cannot be opened (damaged, emptied, not a ysdesk database, from a newer
    version) does not end the program: the user may restore one of its backups, open another
    database or start a new one (the plan, no projects); whatever was there is kept first.
    """
    while True:
        try:
            return open_or_create(path)
        except DatabaseLockedError as exc:
            prompts.info("只读打开", f"{exc.message}\n本窗口将以只读方式打开。")
            try:
                return open_or_create(path, readonly=True)
            except UserError as again:
                problem = again
        except UserError as exc:
            problem = exc
        backups = backups_of(path)
        choices = [("restore", "从备份恢复(&E)…")] if backups else []
        choices += [
            ("open", "打开其他数据库(&O)…"),
            ("new", "新建数据库(&N)…"),
            ("cancel", "退出"),
        ]
        choice = prompts.choose(
            "无法打开数据库",
            f"{problem.message}\n{path}\n"
            + ("可以用它的自动备份恢复（当前文件会先原样保存），" if backups else "")
            + "可以打开其他数据库，或新建一个数据库（含方案，不含项目）。",
            choices,
        )
        if choice is None:
            return None
        try:
            if choice == "restore":
                folder = str(backups[0].parent)
                chosen = prompts.open_file("选择要恢复的备份", folder, DB_FILTER)
                if chosen:
                    replace_with_backup(path, chosen)
            elif choice == "open":
                chosen = prompts.open_file("打开数据库", str(path.parent), DB_FILTER)
                if chosen:
                    path = Path(chosen)
            elif choice == "new":
                chosen = prompts.save_file("新建数据库", str(path), DB_FILTER, default_suffix="db")
                if chosen:
                    # The file dialog asked before replacing; a replaced file is backed up.
                    target = Path(chosen)
                    return init_database(target, force=target.exists())
        except UserError as exc:
            prompts.error("无法打开数据库", exc.message)


def start_path(db_path: Path | None, settings: QSettings) -> Path:
    """The database a start opens: the one asked for, else the last one, else the default."""
    if db_path is not None:
        return db_path
    path = Path(str(settings.value("last_db", "") or default_db_path()))
    if not path.exists() and path != default_db_path():
        return default_db_path()  # the last database was moved away
    if path == sample_db_path():
        # The sample was a look, not the office's work: a plain start opens the office's list.
        return default_db_path()
    return path


class _FirstPaint(QObject):
    """Writes the wall-clock time of the window's first paint to a file, then quits."""

    def __init__(self, window: QWidget, target: Path) -> None:
        super().__init__(window)
        self.target = target
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Paint:
            watched.removeEventFilter(self)
            # Once this paint is done: what the user sees is on the screen.
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        self.target.write_text(f"{time.time():.6f}\n", "utf-8")
        QApplication.quit()


def _quit_after_first_paint(window: QWidget, target: Path) -> None:
    _FirstPaint(window, target)


def run_app(db_path: Path | None) -> int:
    """Open the window on `db_path`, the last database, or the default one."""
    check_platform()
    app = make_application()
    sys.excepthook = _excepthook
    settings = QSettings()
    store = open_at_start(start_path(db_path, settings), Prompts())
    if store is None:
        return 2
    ctx = AppContext(store=store, settings=settings)
    assert store.path is not None
    remember(ctx, store.path)
    window = MainWindow(ctx)
    if settings.value("window/geometry") is None:
        free = app.primaryScreen().availableGeometry()
        if free.width() < DEFAULT_SIZE[0] or free.height() < DEFAULT_SIZE[1]:
            window.showMaximized()  # a laptop screen: all of it, not a window cut off below
        else:
            window.resize(*DEFAULT_SIZE)
    window.show()
    probe = os.environ.get(STARTUP_PROBE)
    if probe:
        _quit_after_first_paint(window, Path(probe))
    try:
        return app.exec()
    finally:
        ctx.store.close()
