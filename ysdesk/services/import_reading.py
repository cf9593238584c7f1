"""The first step of an import: screen the returned file and read its sheets.

Apart from services.importer, which loads the store, the sheet parser and the domain's
dataclasses: the command line refuses a hostile file before it loads any of them.
"""

from __future__ import annotations

from pathlib import Path

from ysdesk.exchange.sheets import HIDDEN_SHEET, SheetGrid, open_workbook


class StartedRead:
    """A returned workbook, screened (BadFileError when it is refused) and read.

    Its hidden sheet (our export's, which names the year) is apart from the others.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        with open_workbook(self.path) as book:
            self.names = book.sheet_names
            self._grids = book.read()
        self._hidden = [grid for grid in self._grids if grid.name == HIDDEN_SHEET]

    @property
    def hidden(self) -> list[SheetGrid]:
        """Our export's hidden sheet (empty when the workbook has none)."""
        return self._hidden

    def grids(self) -> list[SheetGrid]:
        """Every worksheet in the workbook's order."""
        return self._grids

    def close(self) -> None:
        """Nothing is held open once the sheets are read."""

    def __enter__(self) -> StartedRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_reading(path: Path | str) -> StartedRead:
    """Screen a returned workbook (BadFileError if it is unsafe) and read it."""
    return StartedRead(path)
