"""The field-by-field three-way merge shared by returned sheets and shared-mode desks.

Each field of a project is compared three ways: its value as both sides last agreed (the
base), mine and theirs. Changed on one side only, that side's value wins; changed on both
to different values, it is a conflict the user resolves; both sides holding the same value
is no change at all.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

# The fields desks of the shared mode merge, in the order conflicts are listed.
SYNC_FIELDS: tuple[str, ...] = (
    "year",
    "code",
    "name",
    "task_no",
    "zones",
    "lead_units",
    "co_units",
    "goal",
    "deadline_text",
    "status",
    "progress",
    "note",
)
LIST_VALUE_FIELDS = frozenset({"zones", "lead_units", "co_units"})
# A project's place in its task's list travels with its fields but is presentation, not
# content: two desks moving one project is no conflict (the server's place wins).
SORT = "sort"


class Merge(enum.Enum):
    """What the three-way comparison of one field decides."""

    SAME = "same"  # both sides hold one value
    MINE = "mine"  # only mine changed since the base: keep mine
    THEIRS = "theirs"  # only theirs changed: take theirs
    CONFLICT = "conflict"  # both changed, differently


def _equal(value: Any, base: Any) -> bool:
    return value == base


def merge_field(
    base: Any,
    mine: Any,
    theirs: Any,
    *,
    same_as_base: Callable[[Any, Any], bool] = _equal,
) -> Merge:
    """The three-way decision for one field; `same_as_base(value, base)` compares a side with
    the base (a returned sheet's base may be a hash of the value)."""
    if mine == theirs:
        return Merge.SAME
    if same_as_base(theirs, base):
        return Merge.MINE
    if same_as_base(mine, base):
        return Merge.THEIRS
    return Merge.CONFLICT


def merge_values(
    base: dict[str, Any] | None, mine: dict[str, Any], theirs: dict[str, Any]
) -> dict[str, Merge]:
    """merge_field over every synced field; without a base, a difference is a conflict."""
    if base is None:
        return {f: Merge.SAME if mine[f] == theirs[f] else Merge.CONFLICT for f in SYNC_FIELDS}
    return {f: merge_field(base.get(f), mine[f], theirs[f]) for f in SYNC_FIELDS}
