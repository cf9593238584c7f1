"""Long use cases off the main thread: a worker, a progress dialog, the result on the main thread.

The work function gets a Progress (ysdesk.services.progress) and must not touch the window's
Store: sqlite3 connections belong to the thread that opened them. It parses files, computes,
or opens its own connection (a read-only one, or for a large write `Store.twin()` under the
window's writer lock: ui/writes.py); small writes happen on the main thread in `on_done`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ysdesk.domain.errors import UserError
from ysdesk.services.progress import Cancelled
from ysdesk.ui.prompts import Prompts

# Quick jobs finish before the dialog would appear, so it never flashes.
SHOW_AFTER_MS = 400


class QtProgress(QObject):
    """A Progress whose methods may be called from the worker: they only emit signals."""

    started = Signal(int, str)
    ticked = Signal(int)
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()

    def start(self, total: int, label: str = "") -> None:
        self.started.emit(int(total), label)

    def tick(self, n: int = 1) -> None:
        self.ticked.emit(int(n))

    def finish(self) -> None:
        self.finished.emit()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the work to stop at its next check (called on the main thread)."""
        self._cancel.set()


class _Worker(QThread):
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[QtProgress], Any], progress: QtProgress) -> None:
        super().__init__()
        self._work = work
        self._progress = progress

    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except BaseException as exc:  # delivered to the main thread, which decides
            self.failed.emit(exc)
            return
        self.succeeded.emit(result)


class Task(QObject):
    """One running use case; `done` fires on the main thread after on_done/on_error ran."""

    done = Signal()

    def __init__(
        self,
        title: str,
        work: Callable[[QtProgress], Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        parent_widget: QWidget | None,
        prompts: Prompts,
        *,
        quiet: bool = False,
    ) -> None:
        super().__init__()
        self.title = title
        self.result: Any = None
        self.error: BaseException | None = None
        self._on_done = on_done
        self._on_error = on_error
        self._prompts = prompts
        self.progress = QtProgress(self)
        self.dialog: QProgressDialog | None = None
        if not quiet:
            self.dialog = QProgressDialog(title, "取消", 0, 0, parent_widget)
            self.dialog.setWindowTitle(title)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.setMinimumDuration(SHOW_AFTER_MS)
            self.dialog.setMinimumWidth(360)
            self.dialog.canceled.connect(self.progress.cancel)
            self.progress.started.connect(self._started)
            self.progress.ticked.connect(self._ticked)
        self.worker = _Worker(work, self.progress)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)

    def start(self) -> None:
        self.worker.start()

    def cancel(self) -> None:
        """What the dialog's 取消 button does: the work stops at its next check."""
        self.progress.cancel()

    def abandon(self) -> None:
        """Cancel, wait for the worker, and never deliver its result (the window is closing)."""
        self.progress.cancel()
        self.worker.succeeded.disconnect(self._succeeded)
        self.worker.failed.disconnect(self._failed)
        self.worker.wait()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    @Slot(int, str)
    def _started(self, total: int, label: str) -> None:
        assert self.dialog is not None
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(0)
        if label:
            self.dialog.setLabelText(label)

    @Slot(int)
    def _ticked(self, n: int) -> None:
        assert self.dialog is not None
        if self.dialog.maximum() > 0:
            self.dialog.setValue(min(self.dialog.value() + n, self.dialog.maximum()))

    def _close(self) -> None:
        self.worker.wait()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.progress.cancel)
            self.dialog.close()
            self.dialog.deleteLater()

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self._close()
        self.result = result
        try:
            if self._on_done is not None:
                self._on_done(result)
        except UserError as exc:
            self.error = exc
            self._prompts.error(self.title, exc.message)
        finally:
            self.done.emit()

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._close()
        self.error = exc
        try:
            if isinstance(exc, Cancelled):
                return
            if self._on_error is not None:
                self._on_error(exc)
            elif isinstance(exc, UserError):
                self._prompts.error(self.title, exc.message)
            else:
                # A bug: the application's excepthook logs it and tells the user.
                sys.excepthook(type(exc), exc, exc.__traceback__)
        finally:
            self.done.emit()


class TaskRunner(QObject):
    """Starts Tasks and keeps them alive until they are done."""

    def __init__(self, parent_widget: QWidget | None, prompts: Prompts) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._prompts = prompts
        self._running: set[Task] = set()

    def run(
        self,
        title: str,
        work: Callable[[QtProgress], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        parent: QWidget | None = None,
    ) -> Task:
        """Run `work(progress)` in a worker; `on_done(result)` runs on the main thread.

        The progress dialog belongs to `parent` (a modal dialog that started the work, so
        its 取消 button can be pressed), else to the main window.
        """
        owner = parent or self._parent_widget
        return self._start(Task(title, work, on_done, on_error, owner, self._prompts))

    def run_quiet(
        self,
        work: Callable[[QtProgress], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Background work the user did not ask for (prefetching): no dialog."""
        task = Task("", work, on_done, on_error, None, self._prompts, quiet=True)
        return self._start(task)

    def _start(self, task: Task) -> Task:
        self._running.add(task)
        task.done.connect(lambda: self._running.discard(task))
        task.start()
        return task

    @property
    def running(self) -> int:
        return len(self._running)

    def wait_all(self) -> None:
        """Stop waiting for every task (closing the window): cancel, join, drop results."""
        for task in list(self._running):
            task.abandon()
        self._running.clear()
