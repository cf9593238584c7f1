"""The `column_mappings` table: how a department's own sheet was read, kept for its next one.

An applied import saves the columns it read by a user's map, a saved mapping or a guess,
per header signature and unit; the next sheet with the same headers is read with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ysdesk.domain.errors import NotFoundError
from ysdesk.domain.model import now_iso
from ysdesk.store.db import Store


@dataclass(frozen=True)
class SavedMapping:
    """One saved mapping: header key → field (as `--map` names it), with where it came from."""

    id: int
    signature: str
    unit: str
    headers: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)
    file_name: str = ""
    created_at: str = ""
    used_at: str = ""
    uses: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "headers": list(self.headers),
            "unit": self.unit or None,
            "fields": dict(self.fields),
            "file": self.file_name,
            "created_at": self.created_at,
            "used_at": self.used_at,
            "uses": self.uses,
        }


_COLUMNS = "id, signature, unit, headers, fields, file_name, created_at, used_at, uses"


def _mapping(row: tuple) -> SavedMapping:
    return SavedMapping(
        id=row[0],
        signature=row[1],
        unit=row[2],
        headers=tuple(json.loads(row[3] or "[]")),
        fields=dict(json.loads(row[4] or "{}")),
        file_name=row[5],
        created_at=row[6],
        used_at=row[7],
        uses=row[8],
    )


def list_mappings(store: Store) -> list[SavedMapping]:
    """Every saved mapping, the most recently used first."""
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} FROM column_mappings ORDER BY used_at DESC, id DESC"
    ).fetchall()
    return [_mapping(r) for r in rows]


def save_mapping(
    store: Store,
    *,
    signature: str,
    unit: str,
    headers: Sequence[str],
    fields: Mapping[str, str],
    file_name: str,
) -> int:
    """Save (or replace) the mapping of a header signature and unit; returns its id."""
    now = now_iso()
    with store.atomic():
        store.conn.execute(
            "INSERT INTO column_mappings"
            "(signature, unit, headers, fields, file_name, created_at, used_at, uses)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
            " ON CONFLICT(signature, unit) DO UPDATE SET headers = excluded.headers,"
            " fields = excluded.fields, file_name = excluded.file_name,"
            " used_at = excluded.used_at, uses = uses + 1",
            (
                signature,
                unit,
                json.dumps(list(headers), ensure_ascii=False),
                json.dumps(dict(fields), ensure_ascii=False, sort_keys=True),
                file_name,
                now,
                now,
            ),
        )
        row = store.conn.execute(
            "SELECT id FROM column_mappings WHERE signature = ? AND unit = ?", (signature, unit)
        ).fetchone()
    return int(row[0])


def forget_mapping(store: Store, mapping_id: int) -> SavedMapping:
    """Remove one saved mapping; NotFoundError when there is none with that id."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM column_mappings WHERE id = ?", (mapping_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"没有编号为 {mapping_id} 的列对应。")
    with store.atomic():
        store.conn.execute("DELETE FROM column_mappings WHERE id = ?", (mapping_id,))
    return _mapping(row)


__all__ = ["SavedMapping", "forget_mapping", "list_mappings", "save_mapping"]
