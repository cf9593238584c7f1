"""The progress object long use cases report to; the window passes a dialog, tests a fake."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ysdesk.domain.errors import UserError
from ysdesk.domain.text import display_width


class Cancelled(UserError):
    """Raised by a use case when its progress object says the user cancelled; its
    transaction is rolled back, so nothing changed."""

    def __init__(self, message: str = "已取消，未作改动。") -> None:
        super().__init__(message)


class Progress(Protocol):
    """start/tick/finish, as qutebrowser's history import does; no Qt here."""

    def start(self, total: int, label: str = "") -> None: ...

    def tick(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...

    @property
    def cancelled(self) -> bool: ...


class NullProgress:
    """Reports nowhere; the default for the CLI and for callers that do not care."""

    cancelled = False

    def start(self, total: int, label: str = "") -> None:
        pass

    def tick(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


def check_cancelled(progress: Progress) -> None:
    """Stop a use case between steps when the user pressed 取消."""
    if progress.cancelled:
        raise Cancelled()


class TerminalProgress:
    """Progress on a terminal's line (the command line's stderr): "比对项目 12000/300000 4%".

    Silent when the stream is not a terminal (a pipe, a log file, the tests' capture) and
    for work that ends within `delay` seconds; redrawn at most every `interval` seconds.
    """

    cancelled = False

    def __init__(
        self,
        stream: Any,
        *,
        delay: float = 0.5,
        interval: float = 0.2,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        isatty = getattr(stream, "isatty", None)
        self._stream = stream if isatty is not None and isatty() else None
        self._clock = clock or time.monotonic
        self._delay = delay
        self._interval = interval
        self._began = self._clock()
        self._drawn_at: float | None = None
        self._total = 0
        self._done = 0
        self._label = ""
        self._width = 0

    def start(self, total: int, label: str = "") -> None:
        self._total, self._done = max(total, 0), 0
        self._label = label or self._label
        self._draw(force=self._drawn_at is not None)

    def tick(self, n: int = 1) -> None:
        self._done += n
        self._draw()

    def finish(self) -> None:
        self._done = self._total
        if self._stream is not None and self._drawn_at is not None:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._drawn_at = None

    def _draw(self, *, force: bool = False) -> None:
        if self._stream is None:
            return
        now = self._clock()
        if now - self._began < self._delay:
            return
        if not force and self._drawn_at is not None and now - self._drawn_at < self._interval:
            return
        if self._total:
            share = min(100, self._done * 100 // self._total)
            text = f"{self._label} {self._done}/{self._total} {share}%"
        else:
            text = f"{self._label}…"
        width = display_width(text)
        self._width = max(self._width, width)
        self._stream.write("\r" + text + " " * (self._width - width))
        self._stream.flush()
        self._drawn_at = now
