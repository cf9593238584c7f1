"""The progress object long use cases report to; the window passes a dialog, tests a fake."""

from __future__ import annotations

from typing import Protocol


class Cancelled(Exception):
    """Raised by a use case when its progress object says the user cancelled."""


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
