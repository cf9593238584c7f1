"""`screenshot`: render the main window offscreen into a PNG (docs, bug reports, checks)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from ysdesk.domain.errors import DatabaseLockedError, UserError
from ysdesk.files import atomic_write
from ysdesk.services.trees import TREE_KINDS

DEFAULT_SIZE = (1600, 1000)
# The unit with most projects in typical lists: a full, representative 按责任单位 view.
PREFERRED_UNIT = "区科委"


def parse_size(text: str) -> tuple[int, int]:
    """ "1600x1000" → (1600, 1000); refused in one sentence otherwise."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise UserError(f"图片尺寸应写成 宽x高，例如 1600x1000：{text}。") from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise UserError(f"图片尺寸超出范围（320x240 至 8000x8000）：{text}。")
    return width, height


def render_screenshot(
    db_path: Path,
    output: Path,
    *,
    view: str = "task",
    size: tuple[int, int] = DEFAULT_SIZE,
    today: date | None = None,
) -> Path:
    """Open the window on a database offscreen, show a view, and save it as a PNG."""
    output = Path(output)
    if output.suffix.lower() != ".png":
        raise UserError(f"截图文件应以 .png 结尾：{output.name}。")
    if not output.parent.is_dir():
        raise UserError(f"截图所在的文件夹不存在：{output.parent}。")
    # Offscreen whatever the desktop: the command must work on a server and in CI.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from PySide6.QtCore import QSettings, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from ysdesk.services.workspace import open_or_create
    from ysdesk.ui.app import make_application
    from ysdesk.ui.context import AppContext
    from ysdesk.ui.main_window import MainWindow
    from ysdesk.ui.prompts import ScriptedPrompts

    previous_handler = qInstallMessageHandler(_quiet_offscreen_notice)
    app = make_application()
    try:
        store = open_or_create(db_path)
    except DatabaseLockedError:
        store = open_or_create(db_path, readonly=True)  # another window holds it: just look
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # A throwaway settings file: a screenshot neither reads nor changes the user's.
            settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.IniFormat)
            ctx = AppContext(
                store=store,
                settings=settings,
                today=today or date.today(),
                prompts=ScriptedPrompts(),
            )
            window = MainWindow(ctx)
            unreadable: list[str] = []
            window.table.model.read_failed.connect(lambda text, _damaged: unreadable.append(text))
            try:
                window.resize(*size)
                _show(window, view)
                window.show()
                for _ in range(3):
                    app.processEvents()
                if _wait_for_columns(window, app):
                    _show(window, view)  # the zone and unit trees exist only now
                    for _ in range(3):
                        app.processEvents()
                image = window.grab()
                if unreadable:  # rows of the table could not be read (a damaged file)
                    raise UserError(unreadable[0])

                def save(tmp: Path) -> None:
                    if not image.save(str(tmp), "PNG"):
                        raise UserError(f"无法写入截图：{output}。")

                atomic_write(output, save)
            finally:
                window.close()
                window.deleteLater()
                QApplication.processEvents()
    finally:
        store.close()
        qInstallMessageHandler(previous_handler)
    return output


def _wait_for_columns(window: object, app: object, limit: float = 120.0) -> bool:
    """Let a large list's worker deliver names, links and search texts; True if it had to."""
    data = window.data  # type: ignore[attr-defined]
    table = window.table  # type: ignore[attr-defined]
    if not (data.loading or table.waiting):
        return False
    deadline = time.monotonic() + limit
    while (data.loading or table.waiting) and time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)
    return True


def _quiet_offscreen_notice(kind: object, context: object, message: str) -> None:
    """Keep the command's stderr to its one line: the offscreen plugin's notice is noise."""
    if "propagateSizeHints" in message:
        return
    sys.stderr.write(message + "\n")


def _show(window: object, view: str) -> None:
    """Bring up a view with something selected, as a user would look at it."""
    from ysdesk.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    if view in TREE_KINDS:
        window.show_view("projects")
        nav = window.navigation
        nav.set_kind(view)
        model = nav.model()
        if view == "task":
            nav.select_path((("all", None),))
        elif view == "zone" and model.rowCount() > 1:
            first_zone = model.index(1, 0)
            nav.view().expand(first_zone)
            nav.view().setCurrentIndex(first_zone)
        elif view == "unit" and model.rowCount() > 1:
            rows = range(1, model.rowCount())
            row = next((r for r in rows if model.data(model.index(r, 0)) == PREFERRED_UNIT), 1)
            nav.view().expand(model.index(row, 0))
            nav.view().setCurrentIndex(model.index(row, 0))
        first = window.table.model.project_id(0)
        if first is not None:
            window.table.select_project(first)
        return
    if view not in window.views():
        known = "、".join([*TREE_KINDS, *[v for v in window.views() if v != "projects"]])
        raise UserError(f"没有名为“{view}”的视图（可选：{known}）。")
    window.show_view(view)
