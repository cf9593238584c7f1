"""SQLite through sqlite-utils: schema, migrations, queries, one-transaction writes, audit, backups.

May import ysdesk.domain; never Qt, never exchange/services/ui.
"""

from ysdesk.store.db import ORIGIN_MANUAL, ProjectSnapshot, Store

__all__ = ["ORIGIN_MANUAL", "ProjectSnapshot", "Store"]
