"""Access to the bundled `resources` and `sample_data` folders, in a wheel or a checkout."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def bundled(folder: str) -> Traversable:
    """The `resources` or `sample_data` folder.

    pyproject maps both into the package (`ysdesk.resources`, `ysdesk.sample_data`); when
    ysdesk runs from a source checkout (`python main.py`), the folders sit beside the package.
    """
    try:
        return resources.files(f"ysdesk.{folder}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / folder
