"""Starting the window: QApplication, settings, the database (created on first start)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from ysdesk.domain.errors import DatabaseLockedError, UserError
from ysdesk.services.workspace import default_db_path, open_or_create
from ysdesk.ui.context import AppContext
from ysdesk.ui.main_window import MainWindow

ORGANIZATION = "ysdesk"
APPLICATION = "ysdesk"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("ysdesk 项目清单工作台")
    return app  # type: ignore[return-value]


def run_app(db_path: Path | None) -> int:
    """Open the window on `db_path`, the last database, or the default one."""
    app = make_application()
    settings = QSettings()
    path = db_path or Path(str(settings.value("last_db", "") or default_db_path()))
    try:
        store = open_or_create(path)
    except DatabaseLockedError as exc:
        QMessageBox.information(None, "只读打开", f"{exc.message}\n本窗口将以只读方式打开。")
        store = open_or_create(path, readonly=True)
    except UserError as exc:
        QMessageBox.critical(None, "无法打开数据库", exc.message)
        return 2
    settings.setValue("last_db", str(path))
    window = MainWindow(AppContext(store=store, settings=settings))
    window.resize(1400, 900)
    window.show()
    try:
        return app.exec()
    finally:
        store.close()
