"""Use cases run off the main thread with their outcome delivered (Anki's CollectionOp shape).

    WriteOp(ctx, owner, "导入", lambda store, progress: apply_import(store, …)) \\
        .success(on_written).failure(on_refused).run(source=self)

A WriteOp runs its use case in the window's worker through a twin connection of the
window's store (its writer lock covers it), with a progress dialog over `owner`; 取消 stops
it inside its transaction, which then changes nothing. On success the Changes the result
carries are broadcast (views refresh from them; `source` does not reload itself), then
`success` gets the result. A ReadOp does the same over a private read-only connection and
broadcasts nothing. A refusal (a UserError, or Cancelled when the user pressed 取消) goes to
`failure`, which by default shows it (and says nothing of a cancel); a bug goes to the
excepthook.

Without a worker or a file (an in-memory database) the use case runs here, in the window's
store.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from ysdesk.domain.errors import UserError
from ysdesk.services.changes import Changes
from ysdesk.services.progress import Cancelled, NullProgress, Progress, check_cancelled
from ysdesk.store import Store
from ysdesk.store.index_queries import open_reader
from ysdesk.ui.context import AppContext
from ysdesk.ui.tasks import Task

T = TypeVar("T")


def changes_of(result: Any) -> Changes | None:
    """The Changes a use case's result carries (itself, or its `changes`), if any."""
    if isinstance(result, Changes):
        return result
    changes = getattr(result, "changes", None)
    return changes if isinstance(changes, Changes) else None


class _StoreOp(Generic[T]):
    """What WriteOp and ReadOp share: callbacks, the worker, the delivery."""

    def __init__(
        self,
        ctx: AppContext,
        owner: QWidget | None,
        title: str,
        op: Callable[[Store, Progress], T],
    ) -> None:
        self.ctx = ctx
        self.owner = owner
        self.title = title
        self.op = op
        self._success: Callable[[T], None] = lambda _result: None
        self._failure: Callable[[UserError], None] = self._show_refusal

    def success(self, on_success: Callable[[T], None]) -> _StoreOp[T]:
        """Call `on_success(result)` on the main thread once the use case is done."""
        self._success = on_success
        return self

    def failure(self, on_failure: Callable[[UserError], None]) -> _StoreOp[T]:
        """Call `on_failure(error)` for a refusal or a cancel instead of showing it."""
        self._failure = on_failure
        return self

    def _show_refusal(self, error: UserError) -> None:
        if not isinstance(error, Cancelled):
            self.ctx.prompts.error(self.title, error.message)

    # ----------------------------------------------------------------- running
    def _open(self, path: Any) -> Store:
        raise NotImplementedError

    def _finished_in_worker(self, progress: Progress) -> None:
        """Runs in the worker after the use case returned."""

    def _settle(self) -> None:
        """Runs on the main thread after the worker, whatever the outcome."""

    def _deliver(self, result: T, source: object) -> None:
        self._success(result)

    def run(self, *, source: object = None) -> Task | None:
        """Start the use case (in the worker when the window has one: its Task, else None)."""
        store = self.ctx.store
        if self.ctx.tasks is None or store.path is None:
            QApplication.setOverrideCursor(Qt.WaitCursor)
            try:
                result = self.op(store, NullProgress())
            except UserError as exc:
                self._failure(exc)
                return None
            finally:
                QApplication.restoreOverrideCursor()
            self._deliver(result, source)
            return None
        path = store.path

        def in_worker(progress: Progress) -> T:
            own = self._open(path)
            try:
                result = self.op(own, progress)
            finally:
                own.close()
            self._finished_in_worker(progress)
            return result

        def done(result: T) -> None:
            self._settle()
            self._deliver(result, source)

        def failed(exc: BaseException) -> None:
            self._settle()
            if isinstance(exc, UserError):
                self._failure(exc)
            else:  # a bug: the application's excepthook logs it and tells the user
                sys.excepthook(type(exc), exc, exc.__traceback__)

        task = self.ctx.tasks.run(self.title, in_worker, done, failed, self.owner)

        def finished() -> None:
            # The task runner keeps a cancel to itself: tell the one who started the work.
            if isinstance(task.error, Cancelled):
                self._settle()
                self._failure(task.error)

        task.done.connect(finished)
        return task


class WriteOp(_StoreOp[T]):
    """A use case that writes: its result's Changes are broadcast before `success`."""

    def __init__(
        self,
        ctx: AppContext,
        owner: QWidget | None,
        title: str,
        op: Callable[[Store, Progress], T],
        *,
        broadcast: bool = True,
    ) -> None:
        """`broadcast=False` when `success` pushes an undo command that tells the views."""
        super().__init__(ctx, owner, title, op)
        self._broadcast = broadcast

    def _open(self, path: Any) -> Store:
        return self.ctx.store.twin()

    def _settle(self) -> None:
        # The twin may have added units: the window's store forgets what it cached.
        self.ctx.store.forget_caches()

    def _deliver(self, result: T, source: object) -> None:
        changes = changes_of(result)
        if self._broadcast and changes is not None and not changes.empty:
            self.ctx.notify(changes.with_source(source))
        self._success(result)


class ReadOp(_StoreOp[T]):
    """A use case that only reads, over a private read-only connection in the worker."""

    def _open(self, path: Any) -> Store:
        return open_reader(path)

    def _finished_in_worker(self, progress: Progress) -> None:
        # Reads may not stop half way; 取消 pressed meanwhile discards what they found.
        check_cancelled(progress)
