"""Access to the bundled `resources` and `sample_data` folders, in a wheel or a checkout."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable


def bundled(folder: str) -> Traversable:
    """The `resources` or `sample_data` folder.

    pyproject maps both into the package (`ysdesk.resources`, `ysdesk.sample_data`); when
    ysdesk runs from a source checkout (`python main.py`), the folders sit beside the package.
    """
    # Imported here: importlib.resources loads tempfile and more, which a command reading
    # only the database never needs.
    from importlib import resources

    try:
        return resources.files(f"ysdesk.{folder}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / folder
