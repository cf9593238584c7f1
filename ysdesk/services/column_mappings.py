"""Column mappings as use cases: what a read is told (the user's maps and the database's saved
mappings), what an applied import remembers, and the `mappings` command's list and forget."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ysdesk.domain.errors import UserError
from ysdesk.domain.units import UnitResolver
from ysdesk.exchange.columns import (
    FIELD_TITLES,
    SKIP,
    ReadOptions,
    SavedColumns,
    field_name,
    header_key,
    parse_map,
)
from ysdesk.store import Store
from ysdesk.store.mappings import SavedMapping, forget_mapping, list_mappings, save_mapping


def parse_maps(texts: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`--map 表头=字段` arguments → (header, field) pairs; one sentence for a bad one."""
    maps = [parse_map(text) for text in texts]
    _check_maps(maps)
    return tuple(maps)


def _check_maps(maps: Sequence[tuple[str, str]]) -> None:
    by_field: dict[str, str] = {}
    for header, name in maps:
        if name != SKIP and name in by_field and by_field[name] != header:
            raise UserError(
                f"“{FIELD_TITLES[name]}”只能对应一列，--map 却把“{by_field[name]}”"
                f"和“{header}”都指定为它。"
            )
        by_field.setdefault(name, header)


def field_maps(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(header, field named as --map or the window names it) → (header, parser field)."""
    maps = [(header, field_name(name)) for header, name in pairs]
    _check_maps(maps)
    return tuple(maps)


def _columns(mapping: SavedMapping) -> SavedColumns:
    return SavedColumns(
        id=mapping.id,
        fields=mapping.fields,
        headers=mapping.headers,
        unit=mapping.unit,
        file_name=mapping.file_name,
        saved_at=mapping.used_at,
    )


def reading_options(
    store: Store,
    *,
    maps: Sequence[tuple[str, str]] = (),
    sheet: str | None = None,
    header_row: int | None = None,
    unit: str | None = None,
) -> ReadOptions:
    """What a read of a returned sheet is told: the user's choices and, from the database,
    the saved mapping of every header signature (the unit's own first, else one saved
    without a unit, else another unit's) and the unit's mappings, to say why they were not
    used when the headers changed."""
    if header_row is not None and header_row < 1:
        raise UserError("--header-row 应为从 1 起的行号。")
    resolved = ""
    if unit:
        resolved = UnitResolver(store.units()).resolve(unit) or unit
    known = list_mappings(store)  # the most recently used first
    # For each signature: the unit's own mapping, else one saved without a unit, else the
    # one another unit used last.
    saved: dict[str, SavedColumns] = {}
    rank: dict[str, int] = {}
    for mapping in known:
        score = 2 if resolved and mapping.unit == resolved else int(not mapping.unit)
        if score > rank.get(mapping.signature, -1):
            saved[mapping.signature] = _columns(mapping)
            rank[mapping.signature] = score
    unit_saved = [_columns(m) for m in known if resolved and m.unit == resolved]
    return ReadOptions(
        maps=tuple(maps),
        sheet=sheet,
        header_row=header_row,
        saved=saved,
        unit=resolved,
        unit_saved=unit_saved,
    )


def remember_columns(
    store: Store,
    *,
    signature: str,
    headers: Sequence[str],
    learned: dict[str, str],
    unit: str,
    file_name: str,
) -> int | None:
    """Save how an applied import read the columns no synonym covers (inside its
    transaction); None when every column was read by the synonyms."""
    if not learned or not signature:
        return None
    return save_mapping(
        store,
        signature=signature,
        unit=unit,
        headers=headers,
        fields=learned,
        file_name=file_name,
    )


def mappings(store: Store) -> list[SavedMapping]:
    """Every saved mapping, the most recently used first."""
    return list_mappings(store)


def forget(store: Store, mapping_id: int) -> SavedMapping:
    """Remove a saved mapping; NotFoundError (one sentence) when there is none."""
    return forget_mapping(store, mapping_id)


def describe(mapping: SavedMapping) -> str:
    """One line of the `mappings` command: id, unit, headers, what the columns are read as."""
    fields = "；".join(
        f"{_header_of(mapping, key)}→{FIELD_TITLES.get(field_name(name), name)}"
        for key, name in mapping.fields.items()
    )
    unit = mapping.unit or "（任何单位）"
    used = f"{mapping.used_at[:10]} 用于“{mapping.file_name}”，共 {mapping.uses} 次"
    return f"{mapping.id}  {unit}  表头：{'、'.join(mapping.headers)}  读作：{fields}  （{used}）"


def _header_of(mapping: SavedMapping, key: str) -> str:
    return next((h for h in mapping.headers if header_key(h) == key), key)


__all__ = [
    "describe",
    "field_maps",
    "forget",
    "mappings",
    "parse_maps",
    "reading_options",
    "remember_columns",
]
