"""The command line's progress line: only on a terminal, only for long work, CJK-aware."""

from __future__ import annotations

import io

from ysdesk.services.progress import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_long_work_on_a_terminal_is_shown_and_cleared() -> None:
    stream, clock = Terminal(), Clock()
    progress = TerminalProgress(stream, clock=clock)
    progress.start(300, "比对项目")
    progress.tick(100)
    assert stream.getvalue() == ""  # the first half second: nothing
    clock.now = 0.6
    progress.tick(50)
    assert stream.getvalue() == "\r比对项目 150/300 50%"
    clock.now = 0.65
    progress.tick(50)  # within the redraw interval: not drawn again
    assert stream.getvalue().count("\r") == 1
    clock.now = 0.9
    progress.tick(100)
    assert stream.getvalue().endswith("\r比对项目 300/300 100%")
    progress.finish()
    width = len("比对项目 300/300 100%") + 4  # four CJK characters take two columns each
    assert stream.getvalue().endswith("\r" + " " * width + "\r")


def test_nothing_is_written_when_not_on_a_terminal() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = TerminalProgress(stream, clock=clock)
    clock.now = 10
    progress.start(10, "读取")
    progress.tick(5)
    progress.finish()
    assert stream.getvalue() == ""


def test_work_without_a_count_is_shown_by_its_label() -> None:
    stream, clock = Terminal(), Clock()
    progress = TerminalProgress(stream, clock=clock)
    clock.now = 1
    progress.start(0, "写入")
    assert stream.getvalue() == "\r写入…"
