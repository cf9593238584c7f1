"""Read any workbook (.xlsx/.xlsm/.xls/.ods) into plain grids, after screening it first.

python-calamine does the reading (about 9× faster than openpyxl), but it must never see a file
that can hurt it: calamine builds every sheet as one dense rectangle from A1 to the farthest cell
with a value, so a single value at XFD1048576 makes it ask for 512 GiB and abort the process
(a Rust abort, not an exception). Everything below the screening functions therefore runs only
after the file has been proven small, well-formed and bounded:

- not a file, empty, larger than MAX_FILE_BYTES;
- magic bytes: a zip (xlsx/xlsm/ods; xlsb is refused), or a Compound File (CFB) holding either a
  BIFF workbook (.xls) or an encrypted OOXML package (a password-protected .xlsx);
- zip: member count, actual (not declared) uncompressed size, compression ratio (zip bombs);
  a zip that is not a workbook; XML with a DTD (entity bombs are refused before any parser runs;
  calamine's quick-xml would not expand them anyway, it fails on the first unknown entity);
- the farthest cell of each sheet, found by scanning the cells themselves (a forged <dimension>
  is ignored, as calamine ignores it too); a sheet whose cells span more than MAX_SHEET_AREA is
  read without its far-away stray cells, or refused when no compact table remains;
- .xls: the BIFF record stream is scanned for FILEPASS (an open password) and for the cell
  records' farthest row and column before calamine sees it.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Union

from ysdesk.domain.errors import BadFileError
from ysdesk.domain.patterns import lazy_compile

Cell = Union[str, int, float, bool, date, datetime, None]  # noqa: UP007 (a runtime alias)
Merge = tuple[int, int, int, int]  # (row0, col0, row1, col1), 0-based, inclusive

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
# Worksheet XML compresses 10–30× in practice; zip bombs reach ~1000×. Small members may have
# any ratio (a 2 KB styles part of zeros harms no one).
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 10 * 1024 * 1024
MAX_SHEETS = 255
# Cells a sheet may span from A1 (rows × columns): 99,999 rows × 26 columns (the compact
# sheet's quick proof), beyond any list of projects (100,000 projects × 15 columns = 1.5
# million). A dense sheet of 4 million cells took the reading child 11.7 s and 775 MB alone.
MAX_SHEET_AREA = 2_600_000
MAX_TOTAL_AREA = 3_000_000
MAX_MERGES = 200_000
# A run of more than this many empty columns (rows) ends the table when far-away cells must be
# cut off: the stray cell at XFD1048576 is separated from the table by thousands of them.
STRAY_COLUMN_GAP = 64
STRAY_ROW_GAP = 10_000

# The very hidden sheet our exports carry (exchange.roundtrip), which the import reads first.
HIDDEN_SHEET = "_ysdesk"
# Members from this size are screened piece by piece (_screen_piecewise).
PIECEWISE_FROM_BYTES = 1024 * 1024
_PIECE_BYTES = 256 * 1024
# Longer than any match of _UNUSUAL_CELL, _UNUSUAL_ROW, _PREFIXED or _ROW_NUMBER (up to five
# digits) counted from its first byte, lookahead included (at most 14).
_PIECE_CONTEXT = 16

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_COLUMN_LETTERS = lazy_compile(rb"^[A-Z]{1,3}$")

# Any element named c (optionally prefixed, as the OpenXML SDK writes x:c) with its r attribute
# if it has one: one pass over the sheet gives both the farthest cell and the cells without r,
# whose position calamine infers from their neighbours.
_CELL_START = lazy_compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b(?:[^>]*?\sr="([A-Z]{1,4})([0-9]{1,9})")?')
_ROW_NUMBER = lazy_compile(rb'<row r="([0-9]{1,9})"')
# A cell or row whose first attribute is not a compact r: r missing or not first, a column
# past Z, a row number of six digits or more (or anything else odd). One pattern per element,
# each beginning with its name: a pattern beginning with "<" alone would be tried at every one
# of a sheet's million tags (twice the time).
_UNUSUAL_CELL = lazy_compile(rb'<c(?! r="[A-Z][0-9]{1,5}")[\s>/]')
_UNUSUAL_ROW = lazy_compile(rb'<row(?! r="[0-9]{1,5}")[\s>/]')
# A namespace prefix (x:c, x:row), found by what follows the colon; text such as "备注:c d"
# matches too and merely takes the exact path.
_PREFIXED = lazy_compile(rb":(?:c|row)[\s>/]")
_ROW_START = lazy_compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b(?:[^>]*?\sr="([0-9]{1,9})")?')
_CELL_ELEMENT = lazy_compile(
    rb"<((?:[A-Za-z_][\w.-]*:)?c)\b([^>]*?)(/>|>.*?</\1>)",
    re.DOTALL,
)
_CELL_REF = lazy_compile(rb'\sr="([A-Z]{1,4})([0-9]{1,9})"')
_CELL_VALUE = lazy_compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is|f)\b")
_DOCTYPE = lazy_compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_XML_SPACE = b" \t\r\n"
# Bytes an element name may start with (letters, _, :, and any non-ASCII UTF-8 lead byte).
_NAME_START = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:" + bytes(range(0x80, 0x100))
)
# ODS repeats a cell or a row by a count; repeated *empty* cells are how LibreOffice pads every
# row to column AMJ, but a repeated cell with a value is expanded by the reader.
_ODS_REPEATED_CELL = lazy_compile(
    rb"<table:(?:covered-)?table-cell\b([^>]*?number-columns-repeated=\"([0-9]+)\"[^>]*)>"
)
_ODS_REPEATED_ROW = lazy_compile(
    rb"<table:table-row\b[^>]*?number-rows-repeated=\"([0-9]+)\"[^>]*>(.*?)</table:table-row>",
    re.DOTALL,
)
_ODS_MAX_REPEAT_ROWS = 100_000
_ODS_MAX_REPEAT_COLUMNS = 1_024

# BIFF8 records that put a value into a cell (row, column first in their data); BLANK and
# MULBLANK are formatting only and calamine ignores them. MULRK's last column ends its data.
_BIFF_FILEPASS = 0x002F
_BIFF_BOF = 0x0809
_BIFF_EOF = 0x000A
_BIFF_VALUE_CELLS = frozenset({0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6})
_BIFF_MULRK = 0x00BD
_BIFF_BOUNDSHEET = 0x0085
_MAX_XLS_STREAM = 200 * 1024 * 1024

_PLAIN_TYPES = frozenset({str, float, int, bool, date, datetime})


class SheetGrid:
    """One worksheet as plain rows from A1; merged ranges as 0-based inclusive rectangles.

    A plain class rather than a dataclass: an import loads this module before it starts
    reading the file, and loading the dataclasses machinery would delay the start by 10 ms.
    """

    __slots__ = ("dropped_cells", "hidden", "merged", "name", "rows")

    def __init__(
        self,
        name: str,
        rows: list[list[Cell]],
        merged: list[Merge] | None = None,
        hidden: bool = False,
        dropped_cells: list[str] | None = None,
    ) -> None:
        self.name = name
        self.rows = rows
        self.merged: list[Merge] = [] if merged is None else merged
        self.hidden = hidden
        # Far-away stray cells left out (at most a few, reported by the importer), "XFD1048576".
        self.dropped_cells: list[str] = [] if dropped_cells is None else dropped_cells

    def _fields(self) -> tuple[object, ...]:
        return (self.name, self.rows, self.merged, self.hidden, self.dropped_cells)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not SheetGrid:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, like the rows it holds

    def __repr__(self) -> str:
        return (
            f"SheetGrid(name={self.name!r}, rows=<{len(self.rows)} rows>, "
            f"merged={self.merged!r}, hidden={self.hidden!r})"
        )

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> Cell:
        """The value at (row, col), None outside the grid."""
        if 0 <= row < len(self.rows):
            values = self.rows[row]
            if 0 <= col < len(values):
                return values[col]
        return None

    def merge_at(self, row: int, col: int) -> Merge | None:
        """The merged range covering (row, col), if any."""
        for merge in self.merged:
            if merge[0] <= row <= merge[2] and merge[1] <= col <= merge[3]:
                return merge
        return None

    def filled_rows(self) -> list[list[Cell]]:
        """Rows with every merged range's cells holding its top-left value (a copy)."""
        width = self.n_cols
        rows = [list(r) + [None] * (width - len(r)) for r in self.rows]
        for r0, c0, r1, c1 in self.merged:
            value = rows[r0][c0]
            for r in range(r0, r1 + 1):
                line = rows[r]
                for c in range(c0, c1 + 1):
                    line[c] = value
        return rows


def column_letters(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 16383 → XFD)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str | bytes) -> int:
    """Excel letters → 1-based column number (A → 1, XFD → 16384)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def read_workbook(path: Path | str) -> list[SheetGrid]:
    """Every worksheet of an .xlsx/.xlsm/.xls/.ods file, screened first; BadFileError if unsafe."""
    with open_workbook(path) as book:
        return book.read()


def open_workbook(path: Path | str) -> Workbook:
    """Screen a workbook file and open it for reading its sheets; BadFileError if unsafe."""
    path = Path(path)
    name = path.name or str(path)
    data = _read_file(path, name)
    head = data[:8]
    if head.startswith(_ZIP_MAGIC):
        source, dropped = _screen_zip(data, name)
    elif head == _CFB_MAGIC:
        source, dropped = _screen_cfb(data, name), {}
    else:
        raise BadFileError(_foreign_message(data, name))
    return Workbook(source, name, dropped)


# ------------------------------------------------------------------ screening
def _read_file(path: Path, name: str) -> bytes:
    try:
        if not path.exists():
            raise BadFileError(f"找不到文件“{name}”。")
        if not path.is_file():
            raise BadFileError(f"“{name}”不是文件（可能是文件夹）。")
        size = path.stat().st_size
        if size == 0:
            raise BadFileError(f"文件“{name}”是空文件。")
        if size > MAX_FILE_BYTES:
            mb = MAX_FILE_BYTES // (1024 * 1024)
            raise BadFileError(
                f"文件“{name}”过大（{size / 1048576:.0f} MB），超过 {mb} MB 的上限。"
            )
        return path.read_bytes()
    except OSError as exc:
        raise BadFileError(f"无法读取文件“{name}”：{exc.strerror or exc}。") from None


def _foreign_message(data: bytes, name: str) -> str:
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or (
        start.startswith(b"<?xml")
        and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]
    ):
        return (
            f"文件“{name}”是网页或 XML 格式另存的表格，不是真正的 Excel 工作簿，"
            "请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"
        )
    if start.startswith(b"%pdf"):
        return f"文件“{name}”是 PDF 文件，不是 Excel 表格。"
    return f"文件“{name}”不是 Excel 表格文件（应为 .xlsx 或 .xls）。"


def _screen_zip(data: bytes, name: str) -> tuple[bytes, dict[str, list[str]]]:
    """Check a zip-based workbook; returns the bytes calamine may read and the cells cut off."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,  # a damaged "version needed to extract" (zip file version 6.4)
    ):
        raise BadFileError(f"文件“{name}”已损坏或不完整，无法读取。") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise BadFileError(f"文件“{name}”包含的部件过多（{len(members)} 个），疑似异常文件。")
    names = {m.filename for m in members}
    if "xl/workbook.bin" in names:
        raise BadFileError(
            f"文件“{name}”是 .xlsb 二进制工作簿，暂不支持，请在 Excel 中另存为 .xlsx 后再导入。"
        )
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise _zip_bomb(name)
    is_ods = False
    if "mimetype" in names and archive.getinfo("mimetype").file_size <= 1024:
        is_ods = (
            _member_bytes(archive, archive.getinfo("mimetype"), name, 1024).strip() == _ODS_MIME
        )
    if not is_ods and not ({"xl/workbook.xml", "[Content_Types].xml"} <= names):
        if "word/document.xml" in names:
            raise BadFileError(f"文件“{name}”是 Word 文档，不是 Excel 表格。")
        if "ppt/presentation.xml" in names:
            raise BadFileError(f"文件“{name}”是演示文稿，不是 Excel 表格。")
        raise BadFileError(f"文件“{name}”是压缩包，不是 Excel 工作簿。")
    total = 0
    patched: dict[str, bytes] = {}
    dropped: dict[str, list[str]] = {}
    area_total = 0
    for member in members:
        if member.is_dir():
            continue
        # Inflating stops as soon as the member passes its ratio limit or the total limit.
        ratio_limit = max(RATIO_CHECK_FROM_BYTES, MAX_COMPRESSION_RATIO * member.compress_size)
        limit = min(ratio_limit, MAX_UNCOMPRESSED_BYTES - total)
        if not is_ods and member.file_size >= PIECEWISE_FROM_BYTES:
            screened = _screen_piecewise(archive, member, name, limit)
            if screened is not None:
                size, area = screened
                total += size
                area_total += area
                continue
        content = _member_bytes(archive, member, name, limit)
        total += len(content)
        if _declares_dtd(content):
            raise _xml_bomb(name)
        if is_ods:
            if member.filename == "content.xml":
                _screen_ods_content(content, name)
            continue
        if b"sheetData" not in content:
            continue
        area, replacement, cut = _screen_sheet_xml(content, name)
        area_total += area
        if replacement is not None:
            patched[member.filename] = replacement
            dropped[member.filename] = cut
    if area_total > MAX_TOTAL_AREA:
        raise BadFileError(f"文件“{name}”的数据量过大（各工作表共约 {area_total} 个单元格）。")
    if not patched:
        return data, {}
    return _rewrite_zip(archive, patched, name), dropped


def _member_bytes(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, limit: int
) -> bytes:
    """A member's content, counting the bytes actually inflated (declared sizes can lie)."""
    if member.flag_bits & 0x1:
        raise BadFileError(f"文件“{name}”设有打开密码，请先取消密码后再导入。")
    if member.compress_type == zipfile.ZIP_DEFLATED and isinstance(archive.fp, io.BytesIO):
        return _inflate(archive.fp.getbuffer(), member, name, limit)
    try:
        with archive.open(member) as stream:
            chunks = []
            size = 0
            while True:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise _zip_bomb(name)
                chunks.append(chunk)
            return b"".join(chunks)
    except BadFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        raise BadFileError(f"文件“{name}”已损坏或不完整，无法读取。") from None


def _inflate(data: memoryview, member: zipfile.ZipInfo, name: str, limit: int) -> bytes:
    """A deflated member inflated in one call, up to `limit` bytes.

    The checksum is left to calamine, which verifies it on reading (it reads the same bytes,
    so the screening sees what calamine will see); zipfile's reads in chunks and its CRC pass
    made inflating the largest part cost half again as much.
    """
    compressed = _compressed(data, member, name)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        content = inflater.decompress(compressed, limit + 1)
    except zlib.error:
        raise _corrupt(name) from None
    if len(content) > limit:
        raise _zip_bomb(name)
    if not inflater.eof:
        raise _corrupt(name)
    return content


def _corrupt(name: str) -> BadFileError:
    return BadFileError(f"文件“{name}”已损坏或不完整，无法读取。")


def _zip_bomb(name: str) -> BadFileError:
    return BadFileError(f"文件“{name}”解压后过大，疑似“压缩炸弹”，已拒绝读取。")


def _xml_bomb(name: str) -> BadFileError:
    return BadFileError(f"文件“{name}”含有 XML 实体声明（疑似“XML 炸弹”），已拒绝读取。")


def _compressed(data: memoryview, member: zipfile.ZipInfo, name: str) -> memoryview:
    """A member's deflated bytes, found through its local header."""
    header = bytes(data[member.header_offset : member.header_offset + 30])
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise _corrupt(name)
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    start = member.header_offset + 30 + name_length + extra_length
    compressed = data[start : start + member.compress_size]
    if len(compressed) != member.compress_size:
        raise _corrupt(name)
    return compressed


def _screen_piecewise(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, limit: int
) -> tuple[int, int] | None:
    """(inflated size, area bound) of a big member proven harmless piece by piece, or None
    when it must be screened whole (an unusual sheet, an unusual prolog, a stored member).

    The member is inflated a quarter of a megabyte at a time and each piece is scanned while
    it is still in the processor's cache, never the whole XML held at once: for the common
    sheet (see _bounded_area) a third less time than inflating it whole and scanning that.
    A piece is scanned together with the last bytes of the one before, and a match is taken
    only where all its bytes are in the piece: the next piece sees the rest.
    """
    if member.flag_bits & 0x1 or member.compress_type != zipfile.ZIP_DEFLATED:
        return None
    if not isinstance(archive.fp, io.BytesIO):
        return None
    pending: memoryview | bytes = _compressed(archive.fp.getbuffer(), member, name)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    tail = b""
    is_sheet = False
    last_row: int | None = None
    while True:
        try:
            chunk = inflater.decompress(pending, _PIECE_BYTES)
        except zlib.error:
            raise _corrupt(name) from None
        pending = inflater.unconsumed_tail
        size += len(chunk)
        if size > limit:
            raise _zip_bomb(name)
        final = not chunk
        piece = tail + chunk
        if not tail:  # the first piece holds the prolog
            prolog = _prolog_declares_dtd(piece, partial=not final)
            if prolog is None:
                return None
            if prolog:
                raise _xml_bomb(name)
        # What starts in the last bytes is judged with the next piece, which repeats them.
        whole = len(piece) if final else len(piece) - _PIECE_CONTEXT
        compact, last = _scan_compact(piece, whole)
        if not compact:
            return None
        is_sheet = is_sheet or b"sheetData" in piece
        if last is not None:
            last_row = last
        if final:
            break
        tail = piece[-_PIECE_CONTEXT:]
    if not inflater.eof:
        raise _corrupt(name)
    if not is_sheet:
        return size, 0
    area = (last_row or 0) * 26  # as _bounded_area
    return (size, area) if area <= MAX_SHEET_AREA else None


def _declares_dtd(content: bytes) -> bool:
    """Whether an XML member declares a DTD (where entity bombs and external entities live).

    XML allows a DOCTYPE only in the prolog, before the root element, so only the prolog is
    scanned, not the megabytes after it. A "<!DOCTYPE" further on declares nothing: inside text
    or an attribute it is written &lt;!DOCTYPE, inside CDATA it is text, and a raw one after the
    root start makes the document malformed; calamine's quick-xml then passes it as an event
    calamine ignores, and expands no entity (it fails on the first unknown one). Anything but a
    plain 8-bit prolog (UTF-16 or -32, text before the root, a member that is not XML) is
    searched whole, as before.
    """
    if b"\0" in content[:4]:
        # A wide encoding: its markup is ASCII with NUL bytes between the characters.
        return bool(_DOCTYPE.search(content.replace(b"\0", b"")))
    declared = _prolog_declares_dtd(content)
    if declared is not None:
        return declared
    return b"<!" in content and bool(_DOCTYPE.search(content))


def _prolog_declares_dtd(content: bytes, *, partial: bool = False) -> bool | None:
    """Whether a plain 8-bit prolog declares a DTD; None when there is no such prolog to
    read (a wide encoding, text before the root, not XML): then the whole is searched.

    `partial`: the content is the first piece of a member, cut anywhere (even inside "<!--").
    """
    if b"\0" in content[:4]:
        return None
    pos = 3 if content.startswith(b"\xef\xbb\xbf") else 0
    end = len(content)
    while True:
        while pos < end and content[pos] in _XML_SPACE:
            pos += 1
        if content.startswith(b"<?", pos):  # the XML declaration or a processing instruction
            close, skip = content.find(b"?>", pos + 2), 2
        elif content.startswith(b"<!--", pos):
            close, skip = content.find(b"-->", pos + 4), 3
        elif content.startswith(b"<!", pos):
            if partial and end - pos < 4:
                return None  # perhaps a comment cut short
            return True  # a DOCTYPE: the one markup declaration a prolog may hold
        elif content.startswith(b"<", pos) and pos + 1 < end and content[pos + 1] in _NAME_START:
            return False  # the root element: no DTD can follow it
        else:
            return None  # not a well-formed prolog: search it all
        if close < 0:
            return None
        pos = close + skip


def _bounded_area(content: bytes) -> int | None:
    """A quick estimate of the area when one pass proves the sheet compact, else None.

    The common sheet — single-letter columns, row numbers below 100,000, every <c> and <row>
    starting with its r attribute (as Excel, WPS, LibreOffice and openpyxl write them) —
    spans at most 99,999 × 26 cells, within MAX_SHEET_AREA: one regex pass proves it, about
    three times faster than listing every cell. Anything else takes the exact path.
    """
    compact, last_row = _scan_compact(content, len(content))
    if not compact:
        return None
    # Rows are in order in every writer's output; the per-sheet limit holds regardless.
    return (last_row or 0) * 26


def _scan_compact(content: bytes, whole: int) -> tuple[bool, int | None]:
    """Over what starts before `whole` (the bytes after it are context only): whether no
    unusual cell or row starts there (see _bounded_area), and the number of the last row
    that does (99,999 when unreadable; None when there is none)."""
    for search in (_UNUSUAL_CELL.search, _UNUSUAL_ROW.search, _PREFIXED.search):
        found = search(content)
        if found is not None and found.start() < whole:
            return False, None
    last = content.rfind(b'<row r="', 0, whole + 7)
    if last < 0:
        return True, None
    digits = _ROW_NUMBER.match(content, last)
    return True, int(digits.group(1)) if digits else 99_999


def _screen_sheet_xml(content: bytes, name: str) -> tuple[int, bytes | None, list[str]]:
    """(area from A1, replacement XML without far-away cells or None, refs of cells cut off)."""
    bound = _bounded_area(content)
    if bound is not None and bound <= MAX_SHEET_AREA:
        return bound, None, []
    max_row = 0
    max_col = 0
    implicit_cells = 0
    columns: set[bytes] = set()
    rows: set[bytes] = set()
    for letters, digits in _CELL_START.findall(content):
        if letters:
            columns.add(letters)
            rows.add(digits)
        else:
            implicit_cells += 1
    if columns:
        max_col = max(column_index(c) for c in columns)
        max_row = max(int(r) for r in rows)
    implicit_rows = 0
    for digits in _ROW_START.findall(content):
        if digits:
            max_row = max(max_row, int(digits))
        else:
            implicit_rows += 1
    # Cells and rows without an r attribute continue from their neighbour: bound them from above.
    max_col = min(max_col + implicit_cells, 16_384)
    max_row = min(max_row + implicit_rows, 1_048_576)
    area = max_row * max_col
    if area <= MAX_SHEET_AREA:
        return area, None, []
    if implicit_cells or implicit_rows:
        raise BadFileError(
            f"文件“{name}”中有工作表的单元格范围异常巨大，疑似异常文件，已拒绝读取。"
        )
    return _cut_strays(content, name)


def _cut_strays(content: bytes, name: str) -> tuple[int, bytes, list[str]]:
    """Drop cells separated from the table by a wide gap of empty columns or rows."""
    cells: list[tuple[int, int]] = []
    for match in _CELL_ELEMENT.finditer(content):
        ref = _CELL_REF.search(match.group(2))
        if ref is not None:
            cells.append((int(ref.group(2)), column_index(ref.group(1))))
    keep_cols = _compact_prefix(sorted({c for _, c in cells}), STRAY_COLUMN_GAP)
    keep_rows = _compact_prefix(sorted({r for r, c in cells if c <= keep_cols}), STRAY_ROW_GAP)
    area = keep_rows * keep_cols
    if area > MAX_SHEET_AREA:
        raise BadFileError(f"文件“{name}”中有工作表的数据量过大（约 {area} 个单元格），无法读取。")
    cut: list[str] = []

    def keep_or_drop(match: re.Match[bytes]) -> bytes:
        ref = _CELL_REF.search(match.group(2))
        assert ref is not None  # every cell has r here: checked by the caller
        row, col = int(ref.group(2)), column_index(ref.group(1))
        if row <= keep_rows and col <= keep_cols:
            return match.group(0)
        if _CELL_VALUE.search(match.group(3)):  # a bare styled cell holds nothing to report
            cut.append(f"{ref.group(1).decode()}{row}")
        return b""

    return area, _CELL_ELEMENT.sub(keep_or_drop, content), cut


def _compact_prefix(values: list[int], gap: int) -> int:
    """The last value before the first gap wider than `gap` (values sorted, 1-based)."""
    last = 0
    for value in values:
        if value - last > gap + 1 and last:
            break
        last = value
    return last


def _rewrite_zip(archive: zipfile.ZipFile, patched: dict[str, bytes], name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for member in archive.infolist():
            if member.is_dir():
                continue
            content = patched.get(member.filename)
            if content is None:
                content = _member_bytes(archive, member, name, MAX_UNCOMPRESSED_BYTES)
            target.writestr(member.filename, content)
    return out.getvalue()


def _screen_ods_content(content: bytes, name: str) -> None:
    for attributes, count in _ODS_REPEATED_CELL.findall(content):
        if int(count) > _ODS_MAX_REPEAT_COLUMNS and b"value-type" in attributes:
            raise BadFileError(f"文件“{name}”中有重复次数异常的单元格，疑似异常文件，已拒绝读取。")
    for count, body in _ODS_REPEATED_ROW.findall(content):
        if int(count) > _ODS_MAX_REPEAT_ROWS and b"value-type" in body:
            raise BadFileError(f"文件“{name}”中有重复次数异常的行，疑似异常文件，已拒绝读取。")


def _screen_cfb(data: bytes, name: str) -> bytes:
    """A Compound File: an .xls workbook is screened; encrypted OOXML and others are refused."""
    import olefile  # only CFB files need it

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:
        # olefile raises a variety of errors (OSError, struct.error, IndexError …) on broken
        # containers; all of them mean the same to the user.
        raise BadFileError(f"文件“{name}”已损坏或不完整，无法读取。") from None
    try:
        streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
        if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
            raise BadFileError(f"文件“{name}”设有打开密码，请先在 Excel 中取消密码后再导入。")
        stream_name = "Workbook" if "Workbook" in streams else "Book" if "Book" in streams else None
        if stream_name is None:
            if "WordDocument" in streams:
                raise BadFileError(f"文件“{name}”是 Word 文档，不是 Excel 表格。")
            raise BadFileError(f"文件“{name}”不是 Excel 表格文件（应为 .xlsx 或 .xls）。")
        if ole.get_size(stream_name) > _MAX_XLS_STREAM:
            raise BadFileError(f"文件“{name}”过大，无法读取。")
        stream = ole.openstream(stream_name).read()
    except BadFileError:
        raise
    except Exception:
        raise BadFileError(f"文件“{name}”已损坏或不完整，无法读取。") from None
    finally:
        ole.close()
    _screen_biff(stream, name)
    return data


def _screen_biff(stream: bytes, name: str) -> None:
    """Refuse a password or a sheet whose value cells span an enormous rectangle."""
    pos = 0
    end = len(stream)
    depth = 0
    max_row = max_col = 0
    total = 0
    unpack = struct.unpack_from
    while pos + 4 <= end:
        kind, length = unpack("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if pos > end:
            raise BadFileError(f"文件“{name}”已损坏或不完整，无法读取。")
        if kind in _BIFF_VALUE_CELLS and length >= 4:
            row, col = unpack("<HH", stream, body)
            max_row = max(max_row, row + 1)
            max_col = max(max_col, col + 1)
        elif kind == _BIFF_MULRK and length >= 6:
            row = unpack("<H", stream, body)[0]
            last_col = unpack("<H", stream, pos - 2)[0]
            max_row = max(max_row, row + 1)
            max_col = max(max_col, last_col + 1)
        elif kind == _BIFF_FILEPASS:
            raise BadFileError(f"文件“{name}”设有打开密码，请先在 Excel 中取消密码后再导入。")
        elif kind == _BIFF_BOF:
            depth += 1
            max_row = max_col = 0
        elif kind == _BIFF_EOF:
            depth -= 1
            area = max_row * max_col
            if area > MAX_SHEET_AREA:
                raise BadFileError(
                    f"文件“{name}”中有工作表的单元格范围异常巨大（到 {column_letters(max_col - 1)}"
                    f"{max_row}），疑似异常文件，已拒绝读取。"
                )
            total += area
            max_row = max_col = 0
    if total > MAX_TOTAL_AREA:
        raise BadFileError(f"文件“{name}”的数据量过大（各工作表共约 {total} 个单元格）。")


# -------------------------------------------------------------------- reading
class Workbook:
    """A workbook that passed screening, open in python-calamine; sheets are read on request."""

    def __init__(self, source: bytes, name: str, dropped: dict[str, list[str]]) -> None:
        import python_calamine

        self.name = name
        self._source = source
        with self._calamine_errors():
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source))
        try:
            with self._calamine_errors():
                metadata = self._book.sheets_metadata
                if len(metadata) > MAX_SHEETS:
                    raise BadFileError(f"文件“{name}”的工作表过多（{len(metadata)} 个）。")
                visible = python_calamine.SheetVisibleEnum.Visible
                # (name, hidden) of every worksheet, in the workbook's order.
                self._sheets = [
                    (meta.name, meta.visible != visible)
                    for meta in metadata
                    if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
                ]
        except BaseException:
            self.close()
            raise
        if not self._sheets:
            self.close()
            raise BadFileError(f"文件“{name}”中没有工作表。")
        # The cut cells cannot be attributed to a sheet name cheaply (parts are not names);
        # the importer reports them once, with the first visible sheet.
        self._cut_refs = [ref for refs in dropped.values() for ref in refs]
        self._cut_sheet = next((n for n, hidden in self._sheets if not hidden), None)
        self._area = 0  # cells of the sheets read so far

    @property
    def sheet_names(self) -> list[str]:
        """The worksheets' names in the workbook's order."""
        return [name for name, _ in self._sheets]

    def read(self, names: Collection[str] | None = None) -> list[SheetGrid]:
        """These worksheets (all when None) as grids, in the workbook's order."""
        return self._to_grids(self._parse(names))

    def _parse(self, names: Collection[str] | None) -> list[tuple[str, bool, Any]]:
        book = self._book
        with self._calamine_errors():
            return [
                (sheet_name, hidden, book.get_sheet_by_name(sheet_name))
                for sheet_name, hidden in self._sheets
                if names is None or sheet_name in names
            ]

    def _to_grids(self, parsed: list[tuple[str, bool, Any]]) -> list[SheetGrid]:
        grids: list[SheetGrid] = []
        with self._calamine_errors():
            for sheet_name, hidden, sheet in parsed:
                # From A1 (as a table of ours starts), rows are converted as calamine hands
                # them over, without its list of all of them first (a tenth quicker).
                if sheet.start == (0, 0):
                    rows = _plain_rows(sheet.iter_rows())
                else:
                    rows = _plain_rows(sheet.to_python(skip_empty_area=False))
                # Screening bounds each sheet; the workbook's total is checked on the grids
                # themselves too, since its per-sheet estimate trusts the row order.
                self._area += len(rows) * max(map(len, rows), default=0)
                if self._area > MAX_TOTAL_AREA:
                    raise BadFileError(
                        f"文件“{self.name}”的数据量过大（各工作表共约 {self._area} 个单元格）。"
                    )
                merged = _merges(sheet.merged_cell_ranges, rows, self.name)
                grid = SheetGrid(name=sheet_name, rows=rows, merged=merged, hidden=hidden)
                if sheet_name == self._cut_sheet and self._cut_refs:
                    grid.dropped_cells = list(self._cut_refs)
                grids.append(grid)
        return grids

    @contextlib.contextmanager
    def _calamine_errors(self) -> Iterator[None]:
        """Whatever calamine raises (or panics with) becomes one sentence for the user."""
        import python_calamine

        try:
            yield
        except BadFileError:
            raise
        except python_calamine.PasswordError:
            raise BadFileError(
                f"文件“{self.name}”设有打开密码，请先在 Excel 中取消密码后再导入。"
            ) from None
        except BaseException as exc:
            _reraise_fatal(exc)
            raise BadFileError(f"文件“{self.name}”已损坏或格式无法识别，无法读取。") from None

    def close(self) -> None:
        """Release calamine's copy of the file."""
        self._book.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reraise_fatal(exc: BaseException) -> None:
    """Ctrl-C and interpreter exit pass through; a Rust panic (a BaseException) does not."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
        raise exc


def _plain_rows(raw: Iterable[list[object]]) -> list[list[Cell]]:
    """Empty strings → None; times and durations → text; trailing empty rows dropped."""
    rows: list[list[Cell]] = [
        [
            (None if value == "" else value) if value.__class__ in _PLAIN_TYPES else _convert(value)
            for value in row
        ]
        for row in raw
    ]
    while rows and not any(v is not None for v in rows[-1]):
        rows.pop()
    return rows


def _convert(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M") if not value.second else value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (str, int, float, bool, date)):
        return value  # a subclass of a plain type
    return str(value)


def _merges(raw: object, rows: list[list[Cell]], name: str) -> list[Merge]:
    """Merged ranges clipped to the grid; degenerate ones dropped."""
    if not raw:
        return []
    ranges = list(raw)  # type: ignore[call-overload]
    if len(ranges) > MAX_MERGES:
        raise BadFileError(f"文件“{name}”中的合并单元格过多（{len(ranges)} 处），疑似异常文件。")
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    result: list[Merge] = []
    for (r0, c0), (r1, c1) in ranges:
        r1 = min(r1, height - 1)
        c1 = min(c1, width - 1)
        if r0 > r1 or c0 > c1 or (r0 == r1 and c0 == c1):
            continue
        result.append((r0, c0, r1, c1))
    return result


def iter_nonempty(grid: SheetGrid) -> Iterator[tuple[int, list[Cell]]]:
    """(row index, row) for rows that hold at least one value."""
    for index, row in enumerate(grid.rows):
        if any(v is not None for v in row):
            yield index, row


__all__ = [
    "MAX_SHEET_AREA",
    "Cell",
    "Merge",
    "SheetGrid",
    "Workbook",
    "column_index",
    "column_letters",
    "iter_nonempty",
    "open_workbook",
    "read_workbook",
]
