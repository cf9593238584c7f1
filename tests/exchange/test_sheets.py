"""The guarded workbook reader: real cells, merges, and every hostile file refused quickly."""

from __future__ import annotations

import io
import re
import shutil
import struct
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import olefile
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

from ysdesk.domain.errors import BadFileError
from ysdesk.exchange import sheets
from ysdesk.exchange.sheets import (
    SheetGrid,
    column_index,
    column_letters,
    open_workbook,
    read_workbook,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _workbook(path: Path, build=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws["A1"] = "2025年项目清单"
    ws.merge_cells("A1:D1")
    ws.append(["序号", "项目名称", "完成时限", "推进状态"])
    ws.append([1, "概念验证中心建设", date(2025, 12, 31), "推进中"])
    ws.append([2, "=1+1 不是公式", None, "已完成"])
    if build is not None:
        build(wb, ws)
    wb.save(path)
    return path


def _rezip(src: Path, dest: Path, edit) -> Path:
    """Copy a zip, passing each member through edit(name, bytes) -> bytes | None (drop)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = edit(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item.filename, data)
    return dest


def _refused(path: Path, *words: str, within: float = 10.0) -> str:
    start = time.perf_counter()
    with pytest.raises(BadFileError) as info:
        read_workbook(path)
    elapsed = time.perf_counter() - start
    message = info.value.message
    assert elapsed < within, f"refusal took {elapsed:.2f}s"
    assert path.name in message
    assert message.endswith("。") and "\n" not in message
    for word in words:
        assert word in message
    return message


@pytest.fixture(params=["whole", "piecewise"])
def screening(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each hostile member screened whole, and again piece by piece (as big members are),
    in pieces small enough that every pattern is cut somewhere."""
    if request.param == "piecewise":
        monkeypatch.setattr(sheets, "PIECEWISE_FROM_BYTES", 0)
        monkeypatch.setattr(sheets, "_PIECE_BYTES", 251)
    return request.param


# ------------------------------------------------------------------ reading
def test_reads_values_types_and_merges(tmp_path: Path, screening: str) -> None:
    grids = read_workbook(_workbook(tmp_path / "a.xlsx"))
    assert [g.name for g in grids] == ["清单"]
    grid = grids[0]
    assert grid.rows[0][0] == "2025年项目清单"
    assert grid.rows[1] == ["序号", "项目名称", "完成时限", "推进状态"]
    assert grid.rows[2][1] == "概念验证中心建设"
    assert isinstance(grid.rows[2][2], (date, datetime))
    assert grid.rows[3][2] is None  # empty cells are None, never ""
    # openpyxl stored "=1+1 …" as a formula with no cached value: it reads as nothing.
    assert grid.rows[3][1] is None
    assert grid.merged == [(0, 0, 0, 3)]
    assert grid.merge_at(0, 2) == (0, 0, 0, 3)
    assert grid.merge_at(1, 2) is None
    assert grid.filled_rows()[0] == ["2025年项目清单"] * 4
    assert grid.cell(99, 99) is None


@pytest.mark.parametrize("corner", ["A1", "B2"])
def test_grid_rows_are_calamines_rows_from_a1(tmp_path: Path, corner: str) -> None:
    """A table from A1 is converted row by row as calamine hands the rows over; one further
    in through calamine's whole list, padded from A1. Both give the same grid."""
    import python_calamine

    wb = openpyxl.Workbook()
    ws = wb.active
    ws[corner] = "标题"
    ws["D4"] = 3.5
    ws["A6"] = "末行"
    ws["F6"] = ""
    path = tmp_path / "ragged.xlsx"
    wb.save(path)
    grid = read_workbook(path)[0]
    raw = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    expected = [
        [None if v == "" else v for v in row] for row in raw.to_python(skip_empty_area=False)
    ]
    assert grid.rows == expected
    at = 0 if corner == "A1" else 1
    assert grid.rows[at][at] == "标题"
    assert (grid.n_rows, grid.n_cols) == (6, 4)


def test_offset_table_keeps_absolute_positions(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"] = "项目名称"
    ws["C5"] = "合并"
    ws.merge_cells("C5:C7")
    ws["D7"] = "尾"
    wb.save(tmp_path / "o.xlsx")
    grid = read_workbook(tmp_path / "o.xlsx")[0]
    assert grid.rows[2][2] == "项目名称"
    assert grid.merged == [(4, 2, 6, 2)]
    assert grid.filled_rows()[6][2] == "合并"


def test_hidden_sheets_are_read_and_marked(tmp_path: Path) -> None:
    def build(wb, ws):
        hidden = wb.create_sheet("_ysdesk")
        hidden["A1"] = "db_id"
        hidden.sheet_state = "hidden"

    grids = read_workbook(_workbook(tmp_path / "h.xlsx", build))
    assert [(g.name, g.hidden) for g in grids] == [("清单", False), ("_ysdesk", True)]


def test_sheets_read_one_by_one_equal_the_whole_read(tmp_path: Path) -> None:
    def build(wb, ws):
        hidden = wb.create_sheet("_ysdesk", 0)
        hidden["A1"] = "db_id"
        hidden.sheet_state = "hidden"
        wb.create_sheet("说明")["A1"] = "填报说明"
        ws["XFD1048576"] = "stray"

    path = _workbook(tmp_path / "h.xlsx", build)
    whole = read_workbook(path)
    with open_workbook(path) as book:
        assert book.sheet_names == ["_ysdesk", "清单", "说明"]
        hidden = book.read(["_ysdesk"])
        rest = book.read(["说明", "清单"])
    assert [g.name for g in rest] == ["清单", "说明"]  # the workbook's order
    assert [*hidden, *rest] == whole
    # Cells cut off go with the first visible sheet, whichever read fetches it.
    assert [g.dropped_cells for g in whole] == [[], ["XFD1048576"], []]


def test_workbook_total_is_checked_on_the_grids_too(tmp_path: Path, monkeypatch) -> None:
    """Rows written out of order make screening's estimate low; the grids still count."""
    src = _workbook(tmp_path / "src.xlsx")

    def reorder(name: str, data: bytes) -> bytes | None:
        if name == "xl/worksheets/sheet1.xml":
            far = b'<row r="2000"><c r="A2000" t="inlineStr"><is><t>far</t></is></c></row>'
            return data.replace(b"<sheetData>", b"<sheetData>" + far, 1)
        return data

    path = _rezip(src, tmp_path / "reordered.xlsx", reorder)
    assert read_workbook(path)[0].n_rows == 2000
    monkeypatch.setattr(sheets, "MAX_TOTAL_AREA", 4_000)
    _refused(path, "数据量过大")


def test_column_letters_round_trip() -> None:
    for index in (0, 25, 26, 701, 702, 16383):
        assert column_index(column_letters(index)) == index + 1
    assert column_letters(16383) == "XFD"


def test_stray_value_at_xfd1048576_is_cut_off_not_allocated(tmp_path: Path, screening: str) -> None:
    # Given to python-calamine as is, this file aborts the process (it asks for 512 GiB).
    def build(wb, ws):
        ws["XFD1048576"] = "stray"

    start = time.perf_counter()
    grid = read_workbook(_workbook(tmp_path / "stray.xlsx", build))[0]
    assert time.perf_counter() - start < 2
    assert grid.n_rows == 4 and grid.n_cols == 4
    assert grid.rows[2][1] == "概念验证中心建设"
    assert grid.dropped_cells == ["XFD1048576"]


def test_stray_styled_empty_cell_is_harmless_and_not_reported(
    tmp_path: Path, screening: str
) -> None:
    def build(wb, ws):
        ws["XFD1048576"].font = Font(bold=True)

    grid = read_workbook(_workbook(tmp_path / "styled.xlsx", build))[0]
    assert grid.n_cols == 4 and grid.dropped_cells == []


def test_forged_dimension_is_ignored(tmp_path: Path, screening: str) -> None:
    src = _workbook(tmp_path / "src.xlsx")

    def forge(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            data, count = re.subn(
                rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data
            )
            assert count == 1
        return data

    start = time.perf_counter()
    grid = read_workbook(_rezip(src, tmp_path / "forged.xlsx", forge))[0]
    assert time.perf_counter() - start < 2
    assert (grid.n_rows, grid.n_cols) == (4, 4)


def test_implicit_cell_positions_cannot_smuggle_a_huge_range(
    tmp_path: Path, screening: str
) -> None:
    src = _workbook(tmp_path / "src.xlsx")
    many = b"".join(b"<c><v>1</v></c>" for _ in range(20_000))

    def smuggle(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            data = data.replace(
                b"</sheetData>", b'<row r="1048576">' + many + b"</row></sheetData>"
            )
        return data

    _refused(_rezip(src, tmp_path / "implicit.xlsx", smuggle), "异常")


def test_table_larger_than_the_limit_is_refused(
    tmp_path: Path, monkeypatch, screening: str
) -> None:
    monkeypatch.setattr(sheets, "MAX_SHEET_AREA", 10)
    _refused(_workbook(tmp_path / "big.xlsx"), "过大")


def test_ods_is_read(tmp_path: Path) -> None:
    # An ODS written by hand: content.xml with one table (mimetype stored first, as required).
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="表1"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>项目名称</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    path = tmp_path / "a.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
            ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    grid = read_workbook(path)[0]
    assert grid.name == "表1"
    assert grid.rows[0][0] == "项目名称" and grid.rows[0][1] == 3


# ------------------------------------------------------------------ hostile
def test_missing_empty_folder_and_foreign_files(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.xlsx", "找不到")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    _refused(tmp_path / "empty.xlsx", "空文件")
    (tmp_path / "dir.xlsx").mkdir()
    _refused(tmp_path / "dir.xlsx", "不是文件")
    (tmp_path / "text.xlsx").write_text("序号,项目名称\n1,x\n", encoding="utf-8")
    _refused(tmp_path / "text.xlsx", "不是 Excel")
    (tmp_path / "page.xls").write_text("<html><table><tr><td>1</td></tr></table></html>")
    _refused(tmp_path / "page.xls", "网页", "另存为")
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.7\n")
    _refused(tmp_path / "doc.pdf", "PDF")


def test_too_large_file_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sheets, "MAX_FILE_BYTES", 1000)
    _refused(_workbook(tmp_path / "big.xlsx"), "过大")


def test_truncated_xlsx_is_refused(tmp_path: Path, screening: str) -> None:
    data = _workbook(tmp_path / "full.xlsx").read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 30):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(data[:cut])
        _refused(path, "损坏")


def test_truncated_xls_is_refused(tmp_path: Path) -> None:
    data = (FIXTURES / "stray_cell_iv65536.xls").read_bytes()
    path = tmp_path / "cut.xls"
    path.write_bytes(data[: len(data) // 2])
    _refused(path, "损坏")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "hello")
    _refused(path, "压缩包")
    doc = tmp_path / "report.xlsx"
    with zipfile.ZipFile(doc, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    _refused(doc, "Word")


def test_zip_bomb_is_refused_without_inflating_it(tmp_path: Path, screening: str) -> None:
    src = _workbook(tmp_path / "src.xlsx")
    zeros = b"\0" * (64 * 1024 * 1024)

    def bomb(name: str, data: bytes) -> bytes:
        return zeros if name == "xl/styles.xml" else data

    path = _rezip(src, tmp_path / "bomb.xlsx", bomb)
    assert path.stat().st_size < 200_000
    _refused(path, "压缩炸弹")


def test_too_many_members_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sheets, "MAX_ZIP_MEMBERS", 5)
    _refused(_workbook(tmp_path / "many.xlsx"), "过多")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_billion_laughs_is_refused_quickly(tmp_path: Path, part: str, screening: str) -> None:
    src = _workbook(tmp_path / "src.xlsx")

    def laugh(name: str, data: bytes) -> bytes:
        if name == part:
            body = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
            return BILLION_LAUGHS + body.replace(b"</", b"&lol9;</", 1)
        return data

    _refused(_rezip(src, tmp_path / "lol.xlsx", laugh), "XML 炸弹")


@pytest.mark.parametrize(
    "prolog",
    [
        b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b'\xef\xbb\xbf<?xml version="1.0"?><!-- made by hand --><?pi x?>\n<!doctype w SYSTEM "a">',
        b"<!-- <worksheet> in a comment is no root --><!DOCTYPE w>",
    ],
)
def test_dtd_anywhere_in_the_prolog_is_refused(
    tmp_path: Path, prolog: bytes, screening: str
) -> None:
    """External entities, a BOM, comments and processing instructions before the DTD."""
    src = _workbook(tmp_path / "src.xlsx")

    def declare(name: str, data: bytes) -> bytes | None:
        if name == "xl/worksheets/sheet1.xml":
            return prolog + re.sub(rb"^<\?xml[^>]*\?>", b"", data)
        return data

    _refused(_rezip(src, tmp_path / "dtd.xlsx", declare), "XML 炸弹")


def test_dtd_in_a_utf16_member_is_refused(tmp_path: Path, screening: str) -> None:
    src = _workbook(tmp_path / "src.xlsx")

    def wide(name: str, data: bytes) -> bytes | None:
        if name == "xl/styles.xml":
            text = re.sub(rb"^<\?xml[^>]*\?>", b"", data).decode("utf-8")
            return ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a>' + text).encode("utf-16")
        return data

    _refused(_rezip(src, tmp_path / "wide.xlsx", wide), "XML 炸弹")


def test_doctype_after_the_root_cannot_reach_calamine_as_a_dtd(
    tmp_path: Path, screening: str
) -> None:
    """Only the prolog is screened: a DOCTYPE past the root start is malformed XML, which
    calamine reads without declaring anything — an entity it names is an error, not a bomb."""
    src = _workbook(tmp_path / "src.xlsx")
    laughs = re.sub(rb"^<\?xml[^>]*\?>\n", b"", BILLION_LAUGHS)

    def late(name: str, data: bytes) -> bytes | None:
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"<sheetData>", b"<sheetData>" + laughs, 1)
            return re.sub(rb"<t>[^<]*</t>", b"<t>&lol9;</t>", data, count=1)
        return data

    start = time.perf_counter()
    with pytest.raises(BadFileError):
        read_workbook(_rezip(src, tmp_path / "late.xlsx", late))
    assert time.perf_counter() - start < 1

    def late_unused(name: str, data: bytes) -> bytes | None:
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"<sheetData>", b"<sheetData>" + laughs, 1)
        return data

    start = time.perf_counter()
    try:
        grids = read_workbook(_rezip(src, tmp_path / "late_unused.xlsx", late_unused))
    except BadFileError:
        grids = []
    assert time.perf_counter() - start < 1
    for grid in grids:
        assert not any("lol" in str(v) for row in grid.rows for v in row)


def test_doctype_as_cell_text_is_just_text(tmp_path: Path, screening: str) -> None:
    """Text is escaped (&lt;!DOCTYPE) or in CDATA: neither declares anything."""

    def build(wb, ws) -> None:
        ws.append([3, '<!DOCTYPE x [<!ENTITY y "z">]>', None, "推进中"])

    src = _workbook(tmp_path / "src.xlsx", build)
    assert read_workbook(src)[0].rows[4][1] == '<!DOCTYPE x [<!ENTITY y "z">]>'

    def cdata(name: str, data: bytes) -> bytes | None:
        # openpyxl writes the text inline, escaped: <t>&lt;!DOCTYPE …</t>
        return re.sub(
            rb"<t>&lt;!DOCTYPE[^<]*</t>", b'<t><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]>]]></t>', data
        )

    path = _rezip(src, tmp_path / "cdata.xlsx", cdata)
    assert b"<![CDATA[<!DOCTYPE" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert read_workbook(path)[0].rows[4][1] == '<!DOCTYPE x [<!ENTITY y "z">]>'


def test_calamine_itself_does_not_expand_entities(tmp_path: Path) -> None:
    """Why the DTD refusal is belt and braces: quick-xml fails on the first custom entity."""
    import python_calamine

    src = _workbook(tmp_path / "src.xlsx")

    def laugh(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            body = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
            body, count = re.subn(rb"<t>[^<]*</t>", b"<t>&lol9;</t>", body, count=1)
            assert count == 1
            return BILLION_LAUGHS + body
        return data

    path = _rezip(src, tmp_path / "lol.xlsx", laugh)
    start = time.perf_counter()
    with pytest.raises(python_calamine.CalamineError):
        python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert time.perf_counter() - start < 1


def test_password_protected_xlsx_is_refused() -> None:
    # An OOXML package encrypted with a password is a Compound File, like .xls.
    assert (FIXTURES / "password_protected.xlsx").read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    _refused(FIXTURES / "password_protected.xlsx", "密码")


def test_password_protected_xls_is_refused(tmp_path: Path) -> None:
    """FILEPASS in the workbook globals marks an encrypted .xls."""
    path = tmp_path / "locked.xls"
    shutil.copy(FIXTURES / "stray_cell_iv65536.xls", path)
    ole = olefile.OleFileIO(str(path), write_mode=True)
    data = bytearray(ole.openstream("Workbook").read())
    pos = 0
    while pos + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, pos)
        if kind == 0x005C:  # WRITEACCESS, right after the BOF: becomes FILEPASS
            struct.pack_into("<H", data, pos, 0x002F)
            break
        pos += 4 + length
    else:
        pytest.fail("no WRITEACCESS record")
    ole.write_stream("Workbook", bytes(data))
    ole.close()
    _refused(path, "密码")


def test_xls_with_a_stray_cell_at_iv65536_is_refused_quickly() -> None:
    # Read as is, calamine spends seconds and half a gigabyte on the 65536 × 256 rectangle.
    _refused(FIXTURES / "stray_cell_iv65536.xls", "IV65536")


def test_word_document_in_cfb_is_refused(tmp_path: Path) -> None:
    # Rename the Workbook stream of a real .xls: olefile cannot add streams, it can rename none,
    # so a CFB without any workbook stream is made by zeroing the directory entry's name.
    path = tmp_path / "other.xls"
    data = bytearray((FIXTURES / "stray_cell_iv65536.xls").read_bytes())
    name = "Workbook".encode("utf-16-le")
    index = data.find(name)
    assert index > 0
    data[index : index + len(name)] = "Workbool".encode("utf-16-le")
    path.write_bytes(bytes(data))
    _refused(path, "不是 Excel")


def test_xlsb_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsb"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\0\1")
    _refused(path, ".xlsb", "另存为")


def test_encrypted_zip_member_is_refused(tmp_path: Path, screening: str) -> None:
    src = _workbook(tmp_path / "src.xlsx")
    data = bytearray(src.read_bytes())
    # Set the "encrypted" flag bit in every local and central header.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= 1
            start += 4
    path = tmp_path / "zipcrypto.xlsx"
    path.write_bytes(bytes(data))
    _refused(path, "密码")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2048))
def test_random_bytes_only_ever_raise_bad_file(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(blob)
    try:
        read_workbook(path)
    except BadFileError:
        pass


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_corrupted_workbooks_only_ever_raise_bad_file(tmp_path: Path, flips) -> None:
    template = tmp_path / "template.xlsx"
    if not template.exists():
        _workbook(template)
    data = bytearray(template.read_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    path = tmp_path / "flipped.xlsx"
    path.write_bytes(bytes(data))
    try:
        grids = read_workbook(path)
    except BadFileError:
        return
    assert all(isinstance(g, SheetGrid) for g in grids)


def test_grid_from_bytes_in_memory_is_unaffected_by_zip_comment(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src.xlsx")
    buffer = io.BytesIO(src.read_bytes())
    with zipfile.ZipFile(buffer, "a") as z:
        z.comment = b"written by WPS"
    path = tmp_path / "comment.xlsx"
    path.write_bytes(buffer.getvalue())
    assert read_workbook(path)[0].rows[1][1] == "项目名称"


def test_workbook_of_chart_sheets_only_is_refused_in_one_sentence(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.create_chartsheet("图表")
    book.remove(book["Sheet"])
    path = tmp_path / "charts.xlsx"
    book.save(path)
    with pytest.raises(BadFileError, match="没有工作表"):
        sheets.open_workbook(path)


def test_stray_value_far_right_on_a_low_row_is_cut_off(tmp_path: Path, screening: str) -> None:
    """Rows below 100,000 do not make a sheet compact: a value at XFD99999 spans 1.6 billion
    cells from A1."""

    def build(wb, ws):
        ws["XFD99999"] = "stray"

    grid = read_workbook(_workbook(tmp_path / "far.xlsx", build))[0]
    assert (grid.n_rows, grid.n_cols) == (4, 4)
    assert grid.dropped_cells == ["XFD99999"]


_PROLOGS = [
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    b"\xef\xbb\xbf<?xml version='1.0'?><!-- by hand -->",
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x "y">]>',
    b"text before the root",
    b"",
]
_ROW_TAGS = st.sampled_from(
    ['<row r="{n}">', "<row>", '<row spans="1:3" r="{n}">', '<x:row r="{n}">']
)
_CELL_TAGS = st.sampled_from(
    ['<c r="{ref}" t="s">', '<c r="{ref}">', "<c>", '<c s="1" r="{ref}">', '<x:c r="{ref}">']
)
_TEXT = st.text(alphabet='<>/:"= crowAZ019&#;x', max_size=12)


@st.composite
def _sheet_xml(draw) -> bytes:
    # Half of the sheets are written as every writer does (compact), half anyhow.
    usual = draw(st.booleans())
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        number = draw(
            st.integers(1, 40) if usual else st.integers(1, 1_048_576) | st.integers(1, 40)
        )
        cells = []
        for _ in range(draw(st.integers(0, 4))):
            letters = draw(st.sampled_from(["A", "B", "Z"] if usual else ["A", "AA", "XFD"]))
            ref = f"{letters}{draw(st.integers(1, 1_048_576) | st.just(number))}"
            if usual:
                ref = f"{letters}{number}"
            tag = draw(st.just('<c r="{ref}" t="s">') if usual else _CELL_TAGS).format(ref=ref)
            end = "</x:c>" if tag.startswith("<x:") else "</c>"
            cells.append(f"{tag}<v>{draw(_TEXT)}</v>{end}")
        tag = draw(st.just('<row r="{n}">') if usual else _ROW_TAGS).format(n=number)
        end = "</x:row>" if tag.startswith("<x:") else "</row>"
        rows.append(tag + "".join(cells) + end)
    body = "".join(rows)
    data = "<sheetData>" + body + "</sheetData>" if draw(st.booleans()) else body
    return draw(st.sampled_from(_PROLOGS)) + f"<worksheet>{data}</worksheet>".encode()


@settings(max_examples=400, deadline=None)
@given(_sheet_xml())
def test_a_sheet_proven_compact_has_every_cell_within_z_and_row_99999(xml: bytes) -> None:
    """The quick proof (_bounded_area) may doubt a compact sheet, never pass one that is not:
    every cell and row it passes has its r first, a column A–Z and a row below 100,000."""
    if sheets._bounded_area(xml) is None:
        return
    for name, pattern in ((b"c", rb'\sr="([A-Z]+)([0-9]+)"'), (b"row", rb'\sr="()([0-9]+)"')):
        # Every element so named, prefixed or not (text in these sheets may hold "<c" too).
        tags = re.findall(rb"<(?:[A-Za-z_][\w.-]*:)?" + name + rb"(?=[\s>/])[^>]*", xml)
        for tag in tags:
            r = re.search(pattern, tag)
            assert r is not None, tag
            assert not r.group(1) or sheets.column_index(r.group(1)) <= 26, tag
            assert int(r.group(2)) < 100_000, tag


@settings(max_examples=400, deadline=None)
@given(_sheet_xml(), st.integers(17, 300))
def test_screening_piece_by_piece_agrees_with_screening_whole(xml: bytes, piece: int) -> None:
    """Whatever the piecewise screening accepts, screening the whole member accepts with the
    same size and area; what it cannot prove it leaves to the whole screening (None)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    member = archive.getinfo("xl/worksheets/sheet1.xml")

    declared = sheets._declares_dtd(xml)
    bound = sheets._bounded_area(xml) if b"sheetData" in xml else 0
    compact = bound is not None and bound <= sheets.MAX_SHEET_AREA
    saved = sheets._PIECE_BYTES
    sheets._PIECE_BYTES = piece
    try:
        result = sheets._screen_piecewise(archive, member, "x.xlsx", 10**9)
    except BadFileError as exc:
        assert "XML 炸弹" in exc.message and declared
        return
    finally:
        sheets._PIECE_BYTES = saved
    if result is not None:
        assert not declared and compact
        assert result == (len(xml), bound)
    elif sheets._prolog_declares_dtd(xml[:piece], partial=True) is not None:
        # A prolog read in the first piece: only an unusual or too large sheet (or a member
        # without sheet data that looks like an unusual one) is left to the whole path.
        assert not declared
        assert not compact or b"sheetData" not in xml


def test_a_central_directory_asking_for_a_newer_zip_version_is_refused(tmp_path: Path) -> None:
    data = bytearray(_workbook(tmp_path / "ok.xlsx").read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 6] = 64  # "version needed to extract": 6.4, which zipfile does not implement
    path = tmp_path / "newer.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(BadFileError, match="已损坏或不完整"):
        read_workbook(path)
