"""Starting the window: QApplication, style, settings, the database (created on first start)."""

from __future__ import annotations

import gc
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from ysdesk.domain.errors import DatabaseLockedError, UserError
from ysdesk.services.workspace import default_db_path, open_or_create, user_data_dir
from ysdesk.ui.context import AppContext
from ysdesk.ui.file_actions import remember
from ysdesk.ui.main_window import MainWindow
from ysdesk.ui.style import apply_style

ORGANIZATION = "ysdesk"
APPLICATION = "ysdesk"
DEFAULT_SIZE = (1440, 900)


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
    QMessageBox.critical(
        None, "程序内部错误", f"程序内部错误（{kind.__name__}），详情已记录在 {log}。"
    )


def run_app(db_path: Path | None) -> int:
    """Open the window on `db_path`, the last database, or the default one."""
    app = make_application()
    sys.excepthook = _excepthook
    settings = QSettings()
    path = db_path or Path(str(settings.value("last_db", "") or default_db_path()))
    if db_path is None and not path.exists() and path != default_db_path():
        path = default_db_path()  # the last database was moved away
    try:
        store = open_or_create(path)
    except DatabaseLockedError as exc:
        QMessageBox.information(None, "只读打开", f"{exc.message}\n本窗口将以只读方式打开。")
        store = open_or_create(path, readonly=True)
    except UserError as exc:
        QMessageBox.critical(None, "无法打开数据库", exc.message)
        return 2
    ctx = AppContext(store=store, settings=settings)
    remember(ctx, path)
    window = MainWindow(ctx)
    if settings.value("window/geometry") is None:
        free = app.primaryScreen().availableGeometry()
        if free.width() < DEFAULT_SIZE[0] or free.height() < DEFAULT_SIZE[1]:
            window.showMaximized()  # a laptop screen: all of it, not a window cut off below
        else:
            window.resize(*DEFAULT_SIZE)
    window.show()
    try:
        return app.exec()
    finally:
        ctx.store.close()
