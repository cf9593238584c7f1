"""Features that plug themselves into the main window.

Each entry names a function `install(window) -> None` ("module:function") in the
feature's own module
(import/export, brief, matrix, indicators, dashboard, rollover …). The main window calls
them in order after it has built its menus and views, so a feature adds its actions and
views without the main window growing logic. What a feature may use on `window`:

- `window.ctx`: the AppContext (store, settings, undo stack, today, change broadcast);
- `window.menu(key)`: the QMenu for "file", "edit", "view", "data", "report" or "help";
- `window.add_view(key, title, widget)`: a page of the central area, reachable from 视图;
- `window.show_view(key)`, `window.show_projects(filter, title)`, `window.open_project(id)`;
- `window.run_task(title, work, on_done)`: run `work(progress)` in a worker with a progress
  dialog and call `on_done(result)` on the main thread (never touch the store in `work`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# Append "ysdesk.ui.<module>:install" entries; order is the order of the menu entries.
FEATURES: list[str] = [
    "ysdesk.ui.matrix_view:install",
    "ysdesk.ui.indicators_view:install",
    "ysdesk.ui.dashboard_view:install",
    "ysdesk.ui.rollover_dialog:install",
    "ysdesk.ui.brief_dialog:install",
    "ysdesk.ui.exchange_actions:install",
    "ysdesk.ui.sync_actions:install",
    "ysdesk.ui.welcome:install",
]


def installers() -> list[Callable[[Any], None]]:
    """The install functions named in FEATURES, imported when the window is built."""
    result = []
    for entry in FEATURES:
        module, _, name = entry.partition(":")
        result.append(getattr(importlib.import_module(module), name or "install"))
    return result
