"""The first step of an import: screen the returned file and set calamine parsing it.

Apart from services.importer, which loads the store, the sheet parser and the domain's
dataclasses: the command line starts the read first, so that all this loading happens while
python-calamine parses the file's big sheets in a worker thread (parsing releases the GIL;
the screening before it scans with the GIL held, so the caller loads nothing until it ends).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ysdesk.exchange.sheets import HIDDEN_SHEET, SheetGrid, open_workbook

if TYPE_CHECKING:
    from ysdesk.exchange.sheets import PendingSheets, Workbook


class StartedRead:
    """A returned workbook being screened, then parsed, in worker threads.

    `screened()` waits for the screening and raises its BadFileError; after it, the small
    hidden sheet is read and the others are being parsed.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.names: list[str] = []
        self._book: Workbook | None = None
        self._hidden: list[SheetGrid] = []
        self._pending: PendingSheets | None = None
        self._error: BaseException | None = None
        self._screening = threading.Thread(target=self._open, name="ysdesk-screen")
        self._screening.start()

    def _open(self) -> None:
        try:
            book = open_workbook(self.path)
        except BaseException as exc:  # handed to the thread that waits for the screening
            self._error = exc
            return
        try:
            self.names = book.sheet_names
            others = [n for n in self.names if n != HIDDEN_SHEET]
            self._pending = book.read_in_background(others)
            # Our export's hidden sheet names the year: the caller can load the projects to
            # compare with while the rest is parsed. It is read beside the big sheets (whose
            # parse starts first), not before them.
            self._hidden = book.read_beside([HIDDEN_SHEET]) if HIDDEN_SHEET in self.names else []
        except BaseException as exc:
            book.close()
            self._error = exc
            return
        self._book = book

    def screened(self) -> None:
        """Wait until the file is screened and opened; BadFileError when it is refused."""
        self._screening.join()
        if self._error is not None:
            raise self._error

    @property
    def hidden(self) -> list[SheetGrid]:
        """Our export's hidden sheet (empty when the workbook has none)."""
        self.screened()
        return self._hidden

    @property
    def parsing(self) -> bool:
        """Whether the workers are still screening or parsing the sheets."""
        if self._screening.is_alive():
            return True
        return self._pending is not None and self._pending.running

    def grids(self) -> list[SheetGrid]:
        """Every worksheet in the workbook's order (waits for the parse to end)."""
        self.screened()
        assert self._pending is not None  # set whenever the screening succeeded
        order = {name: index for index, name in enumerate(self.names)}
        grids = [*self._pending.result(), *self._hidden]
        return sorted(grids, key=lambda grid: order[grid.name])

    def close(self) -> None:
        """Close the workbook (after the screening and the parse, if still running)."""
        self._screening.join()
        if self._book is not None:
            self._book.close()

    def __enter__(self) -> StartedRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_reading(path: Path | str) -> StartedRead:
    """Start screening a returned workbook and parsing it: StartedRead.screened() raises
    BadFileError if it is unsafe."""
    return StartedRead(path)
