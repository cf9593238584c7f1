"""The first step of an import: screen and read the returned file in a child process.

The child (exchange.sheet_process) starts before services.importer, the store and the domain
model are loaded: the caller loads them while the file is read. Whatever the file does to the
reader (a Rust abort, an allocation beyond the ceiling, a loop) ends the child, and the
caller gets one sentence.
"""

from __future__ import annotations

from pathlib import Path

from ysdesk.exchange.sheet_process import IsolatedRead
from ysdesk.exchange.sheets import HIDDEN_SHEET, SheetGrid


class StartedRead:
    """A returned workbook being screened and read in a child process.

    `grids()` waits for it (BadFileError when the file is refused); our export's hidden
    sheet, which names the year, is also set apart.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._read = IsolatedRead(self.path)

    @property
    def hidden(self) -> list[SheetGrid]:
        """Our export's hidden sheet (empty when the workbook has none)."""
        return [grid for grid in self.grids() if grid.name == HIDDEN_SHEET]

    def grids(self) -> list[SheetGrid]:
        """Every worksheet in the workbook's order (waits for the read)."""
        return self._read.grids()

    def close(self) -> None:
        """End the read if it is still running."""
        self._read.close()

    def __enter__(self) -> StartedRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_reading(path: Path | str) -> StartedRead:
    """Start screening and reading a returned workbook in a child process."""
    return StartedRead(path)
