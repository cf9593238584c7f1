"""Where the database lives by default: $YSDESK_DB, else the per-user data folder.

Apart from services.workspace (which loads the store) so that the command line can find its
database without loading anything else first.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_DB = "YSDESK_DB"
DB_NAME = "ysdesk.db"
# The sample list's own file, beside the office's: opening the sample never touches the list.
SAMPLE_DB_NAME = "示例清单.db"


def user_data_dir() -> Path:
    """The per-user data folder: %APPDATA%\\ysdesk, ~/Library/Application Support/ysdesk, or XDG."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ysdesk"


def default_db_path() -> Path:
    """$YSDESK_DB, else ysdesk.db in the per-user data folder."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return user_data_dir() / DB_NAME


def sample_db_path() -> Path:
    """The sample list's database in the per-user data folder (never $YSDESK_DB)."""
    return user_data_dir() / SAMPLE_DB_NAME
