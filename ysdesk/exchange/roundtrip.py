"""The hidden data an exported workbook carries so its return can be merged three-way.

A very hidden sheet holds the database's identity, the year, the export time, the unit of a
unit sheet, and per project its id, version and the values as exported (the merge base). The
project id is also in a hidden column beside each row, so rows survive re-sorting. Every part
is optional on the way back: a department may delete the sheet or the column, and the import
falls back to matching by task and name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ysdesk.exchange.sheets import HIDDEN_SHEET, SheetGrid

if TYPE_CHECKING:  # the import reads the hidden sheet before the domain model is loaded
    from ysdesk.domain.model import Project

FORMAT_NAME = "ysdesk-exchange"
FORMAT_VERSION = 1
ID_HEADER = "ysdesk编号"
PROJECTS_MARK = "projects"
HASH_PREFIX = "sha256:"

KIND_LIST = "list"
KIND_UNIT = "unit"
KIND_DIVISION = "division"
KIND_MATRIX = "matrix"
KIND_LABELS = {
    KIND_LIST: "项目清单",
    KIND_UNIT: "分单位填报表",
    KIND_DIVISION: "分工表",
    KIND_MATRIX: "责任矩阵",
}

# Fields a project list carries, i.e. the fields a return can change; order of the base JSON.
BASE_FIELDS: tuple[str, ...] = (
    "task_no",
    "name",
    "goal",
    "zones",
    "lead_units",
    "co_units",
    "deadline_text",
    "status",
    "progress",
    "note",
)
# Column order of an exported 项目清单 (and unit sheet), the hidden id last.
# What a unit may fill in on its own sheet; every other column is locked by sheet protection.
UNIT_SHEET_FIELDS: frozenset[str] = frozenset({"status", "progress", "note"})
LIST_LAYOUT: tuple[str, ...] = ("serial", *BASE_FIELDS, "id")
# A base value longer than this is kept as its hash: equality is all the merge needs, and a
# cell holds at most 32,767 characters.
_LONG_VALUE = 4_000


@dataclass(frozen=True)
class ExportMeta:
    """Who exported what, when: written into the hidden sheet."""

    kind: str
    db_id: str
    year: int
    exported_at: str
    unit: str = ""
    sheet: str = ""


class Base:
    """A project as exported: its version then and its field values (or their hashes).

    The JSON is decoded on first use: a return mostly repeats the export, and rows whose
    cells equal the database never need their base.
    """

    __slots__ = ("_raw", "_values", "row_hash", "version")

    def __init__(
        self,
        version: int,
        values: dict[str, Any] | None = None,
        raw: str = "",
        row_hash: str = "",
    ) -> None:
        self.version = version
        self._values = values
        self._raw = raw
        self.row_hash = row_hash

    @property
    def values(self) -> dict[str, Any]:
        if self._values is None:
            try:
                data = json.loads(self._raw)
            except ValueError:
                data = None
            self._values = data if isinstance(data, dict) else {}
        return self._values


@dataclass
class RoundTrip:
    """What a returned workbook still carries of its export.

    The bases are unpacked on first use: the year and the database they came from are known at
    once, and a caller can unpack them in its own time (while the big sheet is being read).
    """

    meta: ExportMeta
    packed: list[str] = field(default_factory=list, repr=False)
    _bases: dict[int, Base] | None = field(default=None, repr=False, compare=False)

    @property
    def bases(self) -> dict[int, Base]:
        """Per project id: the version, row hash and values as exported."""
        if self._bases is None:
            self._bases = _unpack_bases(self.packed)
        return self._bases


def base_value(project: Project, name: str) -> Any:
    """A field as the base JSON stores it: lists for unit/zone lists, the status word."""
    value = project.field_value(name)
    if isinstance(value, tuple):
        return list(value)
    return value


def value_hash(value: Any) -> str:
    """The hash a long base value is replaced by."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return HASH_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_hashed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(HASH_PREFIX) and len(value) == 71


def same_as_base(value: Any, base: Any) -> bool:
    """Whether a (JSON-shaped) value equals a base value that may be a hash."""
    if is_hashed(base):
        return value_hash(value) == base
    return value == base


def encode_base(project: Project) -> str:
    """The base JSON of one project (compact; long values hashed)."""
    values: dict[str, Any] = {
        "task_no": project.task_no,
        "name": project.name,
        "goal": project.goal,
        "zones": list(project.zones),
        "lead_units": list(project.lead_units),
        "co_units": list(project.co_units),
        "deadline_text": project.deadline_text,
        "status": project.status.value,
        "progress": project.progress,
        "note": project.note,
    }
    for name in ("goal", "progress", "note", "name"):
        if len(values[name]) > _LONG_VALUE:
            values[name] = value_hash(values[name])
    # ASCII (\u escapes): the import splits the unpacked lines of 10,000 projects in half
    # the time when their text is pure ASCII (measured against UTF-8 JSON).
    return json.dumps(values, separators=(",", ":"))


def meta_rows(meta: ExportMeta) -> list[list[str]]:
    """The key/value rows at the top of the hidden sheet."""
    return [
        [FORMAT_NAME, str(FORMAT_VERSION)],
        ["kind", meta.kind],
        ["db_id", meta.db_id],
        ["year", str(meta.year)],
        ["exported_at", meta.exported_at],
        ["unit", meta.unit],
        ["sheet", meta.sheet],
        [PROJECTS_MARK, "base64(zlib(id<TAB>version<TAB>row hash<TAB>base JSON, per line))"],
    ]


# Bases are packed as JSON lines, many projects to a cell: a hidden sheet of 10,000 one-cell
# rows would cost a quarter of the export's time and of the import's reading.
_CHUNK_CHARS = 30_000
_MAX_UNPACKED = 256 * 1024 * 1024


def row_hash(texts: Iterable[Any]) -> str:
    """A short hash of a row's cells as written: a row whose cells still hash the same was
    not touched, so the import need not parse it (most rows of a return)."""
    try:  # text and empty cells, as every cell of an untouched row is
        joined = "\x1f".join([t if t is not None else "" for t in texts])
    except TypeError:  # a number, a date: written as its repr
        joined = "\x1f".join(
            [t if t.__class__ is str else "" if t is None else repr(t) for t in texts]
        )
    return _blake2b(joined.encode("utf-8"), digest_size=10).hexdigest()


_blake2b = hashlib.blake2b


def project_chunks(
    projects: Iterable[Project], row_hashes: dict[int, str] | None = None
) -> Iterable[list[Any]]:
    """Rows of the hidden sheet holding every project's id, version, row hash and base.

    One line per project (tab-separated; JSON escapes tabs), the lines deflated and base64
    encoded, cut into cells: a fifth of the plain text, which openpyxl writes and calamine
    reads back several times faster.
    """
    hashes = row_hashes or {}
    text = "\n".join(
        f"{p.id}\t{p.version}\t{hashes.get(p.id or 0, '')}\t{encode_base(p)}" for p in projects
    )
    packed = base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")
    for start in range(0, len(packed), _CHUNK_CHARS):
        yield ["", packed[start : start + _CHUNK_CHARS]]


def _unpack(chunks: list[str]) -> str:
    """The lines of the packed cells; "" when they are damaged or would inflate too far."""
    try:
        data = base64.b64decode("".join(chunks), validate=True)
        inflater = zlib.decompressobj()
        text = inflater.decompress(data, _MAX_UNPACKED)
        if inflater.unconsumed_tail:
            return ""  # larger than any export: not ours, or hostile
        return text.decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError):
        return ""


def export_keywords(meta: ExportMeta) -> str:
    """The keywords of an export's document properties: the format, the kind and the year."""
    return f"{FORMAT_NAME} kind={meta.kind} year={meta.year}"


def read_roundtrip(grids: Iterable[SheetGrid]) -> RoundTrip | None:
    """The hidden data of a returned workbook, or None when it is gone or unreadable."""
    for grid in grids:
        if grid.name != HIDDEN_SHEET or not grid.rows or grid.cell(0, 0) != FORMAT_NAME:
            continue
        return _parse_hidden(grid)
    return None


def _parse_hidden(grid: SheetGrid) -> RoundTrip | None:
    values: dict[str, str] = {}
    start = None
    for index, row in enumerate(grid.rows[1:], start=1):
        key = _text(row[0] if row else None)
        if key == PROJECTS_MARK:
            start = index + 1
            break
        values[key] = _text(row[1] if len(row) > 1 else None)
    try:
        year = int(float(values.get("year", "")))
    except ValueError:
        return None
    meta = ExportMeta(
        kind=values.get("kind", ""),
        db_id=values.get("db_id", ""),
        year=year,
        exported_at=values.get("exported_at", ""),
        unit=values.get("unit", ""),
        sheet=values.get("sheet", ""),
    )
    if start is None:
        return RoundTrip(meta=meta)
    chunks = [row[1] for row in grid.rows[start:] if len(row) > 1 and isinstance(row[1], str)]
    return RoundTrip(meta=meta, packed=chunks)


def _unpack_bases(chunks: list[str]) -> dict[int, Base]:
    bases: dict[int, Base] = {}
    if not chunks:
        return bases
    for line in _unpack(chunks).split("\n"):
        parts = line.split("\t", 3)
        if len(parts) != 4:
            continue
        try:  # positional (version, values, raw, row hash): one per project of the export
            bases[int(parts[0])] = Base(int(parts[1]), None, parts[3], parts[2])
        except ValueError:
            continue
    return bases


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
