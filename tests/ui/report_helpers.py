"""Helpers for the report views' tests: a context over a real database, a navigator recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings

from ysdesk.domain.model import ProjectFilter
from ysdesk.store import Store
from ysdesk.ui.context import AppContext
from ysdesk.ui.prompts import ScriptedPrompts


def make_ctx(store: Store, tmp_path: Path, today: date, answers: list | None = None) -> AppContext:
    """An AppContext with a private settings file and scripted prompts."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    return AppContext(
        store=store, settings=settings, today=today, prompts=ScriptedPrompts(answers or [])
    )


@dataclass
class Recorder:
    """Stands in for the main window: records what the views ask it to show."""

    shown: list[tuple[ProjectFilter, str]] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)

    def show_projects(self, project_filter: ProjectFilter, title: str = "") -> None:
        self.shown.append((project_filter, title))

    def open_project(self, project_id: int) -> None:
        self.opened.append(project_id)
