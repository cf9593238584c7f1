"""The hidden round-trip data: packing, unpacking, and damaged or hostile cells."""

from __future__ import annotations

import base64
import hashlib
import time
import zlib
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from ysdesk.domain.model import Project, Status
from ysdesk.exchange import roundtrip
from ysdesk.exchange.roundtrip import (
    FORMAT_NAME,
    HIDDEN_SHEET,
    ExportMeta,
    meta_rows,
    project_chunks,
    read_roundtrip,
    row_hash,
    same_as_base,
    value_hash,
)
from ysdesk.exchange.sheets import SheetGrid

META = ExportMeta(kind="list", db_id="abc", year=2025, exported_at="2025-11-01 10:00:00")


def _grid(rows) -> SheetGrid:
    return SheetGrid(name=HIDDEN_SHEET, rows=[list(r) for r in rows], hidden=True)


def _project(i: int, **extra) -> Project:
    return Project(
        id=i,
        year=2025,
        name=f"项目{i}",
        task_no=1,
        lead_units=("区科委",),
        status=Status.IN_PROGRESS,
        version=3,
        **extra,
    )


def test_bases_round_trip_through_many_cells(monkeypatch) -> None:
    monkeypatch.setattr(roundtrip, "_CHUNK_CHARS", 100)
    projects = [_project(i, goal="目标" * i) for i in range(1, 60)]
    chunks = list(project_chunks(projects, {1: "h1"}))
    assert len(chunks) > 5
    trip = read_roundtrip([_grid(meta_rows(META) + chunks)])
    assert trip is not None and trip.meta == META
    assert sorted(trip.bases) == list(range(1, 60))
    assert trip.bases[1].row_hash == "h1" and trip.bases[2].row_hash == ""
    assert trip.bases[7].version == 3 and trip.bases[7].values["goal"] == "目标" * 7
    assert trip.bases[7].values["lead_units"] == ["区科委"]


def test_long_values_are_kept_as_hashes() -> None:
    long = "很长的进展" * 2000
    trip = read_roundtrip(
        [_grid(meta_rows(META) + list(project_chunks([_project(1, progress=long)])))]
    )
    base = trip.bases[1].values["progress"]
    assert base == value_hash(long) and same_as_base(long, base) and not same_as_base("x", base)


def test_damaged_or_hostile_cells_give_no_bases_quickly(monkeypatch) -> None:
    monkeypatch.setattr(roundtrip, "_MAX_UNPACKED", 1024 * 1024)
    bomb = base64.b64encode(zlib.compress(b"\0" * (16 * 1024 * 1024), 9)).decode()
    for cells in (["not base64 !!"], [base64.b64encode(b"not zlib").decode()], [bomb]):
        start = time.perf_counter()
        trip = read_roundtrip([_grid([*meta_rows(META), *(["", c] for c in cells)])])
        assert trip is not None and trip.bases == {}
        assert time.perf_counter() - start < 3


def test_foreign_or_broken_hidden_sheets_are_ignored() -> None:
    assert read_roundtrip([_grid([["something else"]])]) is None
    assert read_roundtrip([_grid([[FORMAT_NAME, "1"], ["year", "二〇二五"]])]) is None
    other = SheetGrid(name="Sheet1", rows=meta_rows(META))
    assert read_roundtrip([other]) is None


_CELLS = st.lists(
    st.none()
    | st.text(max_size=30)
    | st.floats(allow_nan=False)
    | st.integers()
    | st.booleans()
    | st.dates()
    | st.datetimes(),
    max_size=12,
)


@given(_CELLS)
def test_a_row_hashes_its_cells_as_written(cells: list) -> None:
    """Text as is, empty cells as "", anything else as its repr: a typed 0 in a cell that
    was exported empty changes the hash (the row is read, not taken as untouched)."""
    parts = [c if isinstance(c, str) else "" if c is None else repr(c) for c in cells]
    expected = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=10).hexdigest()
    assert row_hash(cells) == expected
    if None in cells:
        i = cells.index(None)
        assert row_hash([*cells[:i], 0.0, *cells[i + 1 :]]) != row_hash(cells)
        assert row_hash([*cells[:i], False, *cells[i + 1 :]]) != row_hash(cells)


def test_row_hash_of_dates_and_numbers_is_their_repr() -> None:
    assert row_hash(["a", None, 1.5, date(2025, 1, 2)]) == row_hash(
        ["a", "", "1.5", "datetime.date(2025, 1, 2)"]
    )
    assert row_hash([datetime(2025, 1, 2, 3, 4)]) != row_hash([date(2025, 1, 2)])
