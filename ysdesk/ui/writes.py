"""Work off the main thread with its outcome reported: a use case that writes much (a large
carry-over, an import) runs in the window's worker through a twin connection of the window's
store."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from ysdesk.domain.errors import UserError
from ysdesk.services.progress import Cancelled, NullProgress, Progress
from ysdesk.store import Store
from ysdesk.ui.context import AppContext

CANCELLED = "已取消，未作改动。"


def write_in_worker(
    ctx: AppContext,
    owner: QWidget,
    title: str,
    work: Callable[[Store, Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[UserError], None],
) -> None:
    """`work(store, progress)` writes in the window's worker, through a twin connection of
    the window's store (its writer lock covers it), with a progress dialog over `owner`:
    a large year's write does not freeze the window. 取消 stops it inside its transaction,
    which then changes nothing.

    Without a worker or a file (an in-memory database) it writes here, in the window's store.
    """
    store = ctx.store
    if ctx.tasks is None or store.path is None:
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            result = work(store, NullProgress())
        except UserError as exc:
            on_error(exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        on_done(result)
        return

    def in_worker(progress: Progress) -> Any:
        twin = store.twin()
        try:
            return work(twin, progress)
        finally:
            twin.close()

    run_reporting(ctx, owner, title, in_worker, on_done, on_error, settle=store.forget_caches)


def run_reporting(
    ctx: AppContext,
    owner: QWidget,
    title: str,
    in_worker: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[UserError], None],
    *,
    settle: Callable[[], None] = lambda: None,
) -> None:
    """`in_worker(progress)` in the window's worker with a progress dialog over `owner`: its
    result goes to `on_done`; a refusal, and 取消 (as CANCELLED), to `on_error`; a bug to the
    excepthook. `settle` runs first on the main thread, whatever the outcome."""
    assert ctx.tasks is not None

    def done(result: Any) -> None:
        settle()
        on_done(result)

    def failed(exc: BaseException) -> None:
        settle()
        if isinstance(exc, UserError):
            on_error(exc)
        else:  # a bug: the application's excepthook logs it and tells the user
            sys.excepthook(type(exc), exc, exc.__traceback__)

    task = ctx.tasks.run(title, in_worker, done, failed, owner)

    def finished() -> None:
        if isinstance(task.error, Cancelled):
            settle()
            on_error(UserError(CANCELLED))

    task.done.connect(finished)
