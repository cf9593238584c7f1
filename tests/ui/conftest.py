"""A real main window over a private copy of the sample database, with scripted prompts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from ysdesk.domain.model import ProjectFilter
from ysdesk.store import Store
from ysdesk.ui.context import AppContext
from ysdesk.ui.main_window import MainWindow
from ysdesk.ui.prompts import ScriptedPrompts


def make_settings(tmp_path: Path) -> QSettings:
    """A settings file in the test's folder, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return make_settings(tmp_path)


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def open_window(
    qtbot, sample_db: Path, today: date, settings: QSettings, prompts: ScriptedPrompts
) -> Iterator[Callable[..., MainWindow]]:
    """Build windows (several may share one settings file, one at a time)."""
    opened: list[tuple[MainWindow, AppContext]] = []

    def build(db: Path | None = None, *, readonly: bool = False) -> MainWindow:
        store = Store.open(db or sample_db, readonly=readonly)
        ctx = AppContext(store=store, settings=settings, today=today, prompts=prompts)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        if settings.value("window/geometry") is None:
            window.resize(1600, 1000)
        window.show()
        qtbot.waitExposed(window)
        opened.append((window, ctx))
        return window

    yield build
    for window, ctx in opened:
        window.tasks.wait_all()
        window.close()
        ctx.store.close()


@pytest.fixture
def window(open_window) -> MainWindow:
    return open_window()


def dump(store: Store) -> list[tuple]:
    """What a user can see of every project: fields, order, links, progress history."""
    rows = []
    for p in store.list_projects(ProjectFilter()):
        data = p.to_json(date(2026, 11, 27))
        # The version counts writes (an undo is one); updated_at moves with it.
        data.pop("version")
        data.pop("updated_at")
        history = tuple((h.date, h.text, h.origin) for h in store.progress_history(p.id))
        rows.append((tuple(sorted(data.items())), history))
    return rows
