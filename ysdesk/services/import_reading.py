"""The first step of an import: screen the returned file and set calamine parsing it.

Apart from services.importer, which loads the store, the sheet parser and the domain's
dataclasses: the command line starts the read first, so that all this loading happens while
python-calamine parses the big sheets in a worker thread (with the GIL released).
"""

from __future__ import annotations

from pathlib import Path

from ysdesk.exchange.roundtrip import HIDDEN_SHEET
from ysdesk.exchange.sheets import SheetGrid, open_workbook


class StartedRead:
    """A returned workbook, screened; its small hidden sheet read, the others being parsed."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.book = open_workbook(self.path)
        try:
            self.names = self.book.sheet_names
            # Our export's hidden sheet names the year: the caller can load the projects to
            # compare with while the rest is parsed.
            self.hidden = self.book.read([HIDDEN_SHEET]) if HIDDEN_SHEET in self.names else []
            others = [n for n in self.names if n != HIDDEN_SHEET]
            self._pending = self.book.read_in_background(others)
        except BaseException:
            self.book.close()
            raise

    @property
    def parsing(self) -> bool:
        """Whether calamine is still parsing the sheets in the worker thread."""
        return self._pending.running

    def grids(self) -> list[SheetGrid]:
        """Every worksheet in the workbook's order (waits for the parse to end)."""
        order = {name: index for index, name in enumerate(self.names)}
        grids = [*self._pending.result(), *self.hidden]
        return sorted(grids, key=lambda grid: order[grid.name])

    def close(self) -> None:
        """Close the workbook (after the parse, if it is still running)."""
        self.book.close()

    def __enter__(self) -> StartedRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_reading(path: Path | str) -> StartedRead:
    """Screen a returned workbook and start parsing it; BadFileError if it is unsafe."""
    return StartedRead(path)
