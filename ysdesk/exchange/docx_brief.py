"""The 工作简报 as a .docx laid out per GB/T 9704-2012: masthead, title, body, 报尾, 附件 table.

The content arrives as plain data (BriefDocument); this module only lays it out. Paragraphs and
the project table are written as WordprocessingML directly (python-docx builds the package,
styles, sections and footers): building a 10,000-row table cell by cell through the python-docx
API is quadratic, one lxml parse of the same XML takes a second.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from docx.document import Document
from docx.enum.section import WD_SECTION_START
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.section import Section
from lxml import etree

from ysdesk.domain.errors import UserError
from ysdesk.exchange import docx_gbt as gbt
from ysdesk.files import atomic_write

BODY = 0
LEVEL_STYLES = {
    BODY: ("GBBody", gbt.FANGSONG),
    1: ("GBHeading1", gbt.HEITI),
    2: ("GBHeading2", gbt.KAITI),
    3: ("GBHeading3", gbt.FANGSONG),
    4: ("GBHeading4", gbt.FANGSONG),
}
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Para:
    """A body paragraph at level 0 body, 1 一、, 2 （一）, 3 1., 4 （1）; `lead` starts it."""

    level: int
    text: str
    lead: str = ""


@dataclass(frozen=True)
class Column:
    """A column of the 附件 table: header text, width in millimetres, centred or not."""

    title: str
    width_mm: float
    center: bool = False


@dataclass(frozen=True)
class Heading:
    """A heading between the 附件's tables: level 1 (黑体) for an area, 2 (楷体) for a task."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class AttachmentTable:
    """The 附件: a title and rows; a Heading row ends one table and heads the next."""

    title: str
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[str] | Heading]


# The 报尾's rows: one grid line each (GB/T 9704 sets it on the page's lines like the body).
RECORD_ROW_TWIPS = gbt.LINE_PITCH_TWIPS
# Room left under the 报尾 on its page: the hairline paragraph that must end the document, and
# a margin so that rounding or border widths never push the table onto a page of its own (the
# last rule then sits about 0.8 mm above the text block's foot instead of exactly on it).
RECORD_FOOT_TWIPS = 20 + 40

# LibreOffice lays out a table in time quadratic in its rows (2,000 rows: 90 s); tables of a
# few hundred rows each keep a PDF of thousands of projects within its time limit.
MAX_TABLE_ROWS = 400


@dataclass(frozen=True)
class BriefDocument:
    """Everything printed on a brief, already worded."""

    masthead: str
    issue_no: int
    total_issue_no: int | None
    editor: str
    date: date
    title: str
    body: tuple[Para, ...]
    report_to: str = ""
    send_to: str = ""
    distribute_to: str = ""
    copies: int | None = None
    attachment: AttachmentTable | None = None
    attachment_note: str = ""  # "附件：…" line under the body


def chinese_date(value: date) -> str:
    """2025年12月1日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    return f"{value.year}年{value.month}月{value.day}日"


# ------------------------------------------------------------------ XML pieces
def _text(value: str) -> str:
    return escape(_ILLEGAL_XML.sub("", value))


def _run(text: str, font: str, size_pt: float, **rpr: object) -> str:
    """One run (line breaks become w:br) with its fonts named on w:eastAsia as well."""
    if size_pt == gbt.BODY_SIZE_PT:
        rpr.setdefault("spacing_twips", gbt.BODY_CHAR_SPACING_TWIPS)
    props = f"<w:rPr>{gbt.rpr_xml(font, size_pt, **rpr)}</w:rPr>"  # type: ignore[arg-type]
    pieces = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{_text(p)}</w:t>' for p in pieces)
    return f"<w:r>{props}{inner}</w:r>"


def _para(style: str, runs: str, ppr: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{runs}</w:p>'


def _body_para(para: Para) -> str:
    style, font = LEVEL_STYLES[para.level]
    size = gbt.BODY_SIZE_PT
    if para.lead:
        runs = _run(para.lead, font, size) + _run(para.text, gbt.FANGSONG, size)
    else:
        runs = _run(para.text, font, size)
    return _para(style, runs)


def _fit_size(text: str, largest: float) -> float:
    """The largest size (≤ `largest`) at which `text` fits on one line of the text block."""
    width_pt = gbt.TEXT_WIDTH_MM / 25.4 * 72 - 4
    return float(max(16, min(largest, int(width_pt / max(len(text), 1)))))


def masthead_lines(name: str) -> list[tuple[str, float, int]]:
    """The masthead as (text, size pt, letter spacing twips) lines: a long name ending in
    工作简报 is set as the name over a large, spaced 工作简报, as offices print their 简报."""
    for suffix in ("工作简报", "简报"):
        head = name[: -len(suffix)]
        if name.endswith(suffix) and len(head) >= 6:
            return [(head, _fit_size(head, 30), 0), (suffix, 54 if len(suffix) == 4 else 60, 240)]
    return [(name, _fit_size(name, 42), 0)]


def _masthead(doc: BriefDocument) -> list[str]:
    parts = []
    for text, size, spacing in masthead_lines(doc.masthead):
        parts.append(
            _para(
                "GBMasthead",
                _run(text, gbt.XIAOBIAOSONG, size, color=gbt.RED, spacing_twips=spacing),
                '<w:spacing w:before="0" w:after="0" w:line="'
                f'{round(size * 20 * 1.35)}" w:lineRule="exact"/>',
            )
        )
    issue = f"第{doc.issue_no}期"
    if doc.total_issue_no:
        issue += f"（总第{doc.total_issue_no}期）"
    parts.append(_para("GBIssue", _run(issue, gbt.FANGSONG, gbt.BODY_SIZE_PT)))
    editor_line = (
        _run(doc.editor, gbt.FANGSONG, gbt.BODY_SIZE_PT)
        + _run("", gbt.FANGSONG, gbt.BODY_SIZE_PT).replace(
            '<w:t xml:space="preserve"></w:t>', "<w:tab/>"
        )
        + _run(chinese_date(doc.date), gbt.FANGSONG, gbt.BODY_SIZE_PT)
    )
    rule = f'<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="6" w:color="{gbt.RED}"/></w:pBdr>'
    parts.append(_para("GBEditorLine", editor_line, rule))
    # One empty line under the red rule, then the title.
    parts.append(_para("GBBody", _run("", gbt.FANGSONG, gbt.BODY_SIZE_PT)))
    return parts


def _record_lines(doc: BriefDocument) -> list[tuple[str, str]]:
    lines = [("报", doc.report_to), ("送", doc.send_to), ("发", doc.distribute_to)]
    return [(label, value) for label, value in lines if value.strip()]


def _record_rows(doc: BriefDocument) -> int:
    """How many lines the 报尾 takes (0: there is none)."""
    lines = len(_record_lines(doc))
    return lines + 1 if doc.copies else lines


def _record(doc: BriefDocument) -> str:
    """报尾: 报：/送：/发： between a thick rule above and a thin one, then （共印X份） and a
    thick rule; a one-column table so the rules span the text block while text sits one
    character in. Every row is exactly one line of the grid high, so the table's height is
    known before any layout and the space above it can put its last rule on the block's foot."""
    lines = _record_lines(doc)
    width = gbt.TEXT_WIDTH_TWIPS
    size = gbt.PAGE_NUMBER_SIZE_PT
    thick = 'w:val="single" w:sz="8" w:space="0" w:color="000000"'
    thin = 'w:val="single" w:sz="6" w:space="0" w:color="000000"'

    def row(content: str, *, align: str = "left", top: str = "", bottom: str = "") -> str:
        borders = ""
        if top:
            borders += f"<w:top {top}/>"
        if bottom:
            borders += f"<w:bottom {bottom}/>"
        tc_borders = f"<w:tcBorders>{borders}</w:tcBorders>" if borders else ""
        ppr = f'<w:jc w:val="{align}"/>'
        return (
            f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{RECORD_ROW_TWIPS}"'
            ' w:hRule="exact"/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{width}"'
            f' w:type="dxa"/>{tc_borders}</w:tcPr>{_para("GBRecord", content, ppr)}</w:tc></w:tr>'
        )

    rows = []
    for index, (label, value) in enumerate(lines):
        rows.append(
            row(
                _run(f"{label}：{value.strip()}", gbt.FANGSONG, size),
                top=thick if index == 0 else "",
                bottom=thin if index == len(lines) - 1 else "",
            )
        )
    if doc.copies:
        rows.append(
            row(
                _run(f"（共印{doc.copies}份）", gbt.FANGSONG, size),
                align="right",
                top=thin if not lines else "",
                bottom=thick,
            )
        )
    elif rows:
        rows[-1] = rows[-1].replace(f"<w:bottom {thin}/>", f"<w:bottom {thick}/>")
    if not rows:
        return ""
    margin = gbt.CHAR_TWIPS
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
        '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="{margin}" w:type="dxa"/>'
        f'<w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid>{"".join(rows)}</w:tbl>'
    )


def _attachment(table: AttachmentTable) -> list[str]:
    """附件 label, title, then a table per group of rows (each with a repeating header row,
    w:tblHeader) under its heading; a group longer than MAX_TABLE_ROWS continues as （续）."""
    widths = [gbt.mm_to_twips(c.width_mm) for c in table.columns]
    total = sum(widths)
    size = 10.5
    # GB/T 9704 §7.3.7: "附件" on the block's first line, the title centred on its third.
    parts = [
        _para("GBAttachmentLabel", _run("附件", gbt.HEITI, gbt.BODY_SIZE_PT)),
        _para("GBAttachmentLabel", ""),
        _para("GBTableTitle", _run(table.title, gbt.XIAOBIAOSONG, 18)),
    ]
    cell_pr = [
        f'<w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        for w in widths
    ]
    header = "".join(
        f"<w:tc>{pr}{_para('GBTableHeader', _run(c.title, gbt.HEITI, size))}</w:tc>"
        for c, pr in zip(table.columns, cell_pr, strict=True)
    )
    header_row = f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>"
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    table_start = (
        f'<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/>"
        f"<w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders>"
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="28" w:type="dxa"/>'
        '<w:left w:w="57" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>'
        '<w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0"'
        ' w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{header_row}"
    )
    # The same rPr serves every cell: build it once.
    body_rpr = f"<w:rPr>{gbt.rpr_xml(gbt.FANGSONG, size)}</w:rPr>"
    centre = '<w:jc w:val="center"/>'
    heading_fonts = {1: ("GBTableGroup1", gbt.HEITI), 2: ("GBTableGroup2", gbt.KAITI)}
    rows: list[str] = []
    heading: Heading | None = None

    def flush() -> None:
        if rows:
            parts.append(table_start + "".join(rows) + "</w:tbl>")
            rows.clear()

    for row in table.rows:
        if isinstance(row, Heading):
            flush()
            heading = row
            style, font = heading_fonts.get(row.level, heading_fonts[2])
            parts.append(_para(style, _run(row.text, font, 12)))
            continue
        if len(rows) >= MAX_TABLE_ROWS:
            flush()
            if heading is not None:
                style, font = heading_fonts.get(heading.level, heading_fonts[2])
                parts.append(_para(style, _run(f"{heading.text}（续）", font, 12)))
        cells = []
        for value, column, pr in zip(row, table.columns, cell_pr, strict=True):
            pieces = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
            inner = "<w:br/>".join(f'<w:t xml:space="preserve">{_text(p)}</w:t>' for p in pieces)
            jc = centre if column.center else ""
            cells.append(
                f'<w:tc>{pr}<w:p><w:pPr><w:pStyle w:val="GBTableText"/>{jc}</w:pPr>'
                f"<w:r>{body_rpr}{inner}</w:r></w:p></w:tc>"
            )
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(cells)}</w:tr>")
    flush()
    return parts


def _splice_body(document: Document, body_xml: str) -> Document:
    """Put `body_xml` before the body's final sectPr by re-parsing the whole part once.

    Moving a large parsed subtree into another lxml document is quadratic in its node count
    (12 s for a 1,000-row table); one parse of the spliced text is linear.
    """
    part = document.part
    xml = etree.tostring(part.element, encoding="unicode")
    at = xml.rfind("<w:sectPr")
    if at < 0:
        at = xml.rfind("</w:body>")
    part._element = parse_xml(xml[:at] + body_xml + xml[at:])
    return part.document


BODY_SECTION, ATTACHMENT_SECTION, RECORD_SECTION = "body", "attachment", "record"


def _shape_sections(document: Document, kinds: list[str]) -> list[str]:
    """Turn the document's final sectPr into the last of `kinds` and return the sectPr XML
    that ends each section before it. The body section keeps the page-number footers; the
    others name none and so inherit them (the numbers run on through the 附件)."""
    sentinel = document.element.body.find(qn("w:sectPr"))
    template = deepcopy(sentinel)
    inline = []
    for index, kind in enumerate(kinds):
        last = index == len(kinds) - 1
        element = sentinel if last else deepcopy(template)
        if kind != BODY_SECTION:
            for ref in element.findall(qn("w:footerReference")) + element.findall(
                qn("w:headerReference")
            ):
                element.remove(ref)
            section = Section(element, document.part)
            if kind == ATTACHMENT_SECTION:
                gbt.setup_section(section, landscape=True)
                section.start_type = WD_SECTION_START.NEW_PAGE
            else:
                # GB/T 9704 §7.4: the 版记 is on the last page, the back of the sheet in
                # double-sided printing: an even page (a blank page comes before when needed).
                section.start_type = WD_SECTION_START.EVEN_PAGE
                # No document grid on this page: its rows are exact anyway, and LibreOffice
                # 7.4 starts a page that has a grid and an even-page start ~4 mm low, which
                # would push the last rule below the text block.
                for grid in element.findall(qn("w:docGrid")):
                    element.remove(grid)
        if not last:
            inline.append(etree.tostring(element, encoding="unicode"))
    return inline


def _hairline(sect_pr: str = "") -> str:
    """A paragraph one point high: ends a section (or the document) after a table without
    taking a line of its own."""
    return _para(
        "GBRecord",
        "",
        '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>' + sect_pr,
    )


def _record_page(doc: BriefDocument, record: str) -> list[str]:
    """The 报尾 at the foot of a page of its own: an empty paragraph exactly as high as the
    text block less the 报尾's rows pushes it down (the page holds nothing else)."""
    room = gbt.TEXT_HEIGHT_TWIPS - _record_rows(doc) * RECORD_ROW_TWIPS - RECORD_FOOT_TWIPS
    spacer = _para(
        "GBRecord",
        "",
        f'<w:spacing w:before="0" w:after="0" w:line="{room}" w:lineRule="exact"/>',
    )
    return [spacer, record]


def build_docx(doc: BriefDocument) -> Document:
    """The brief as an in-memory python-docx Document: body, then the 附件 in a landscape
    section, then the 报尾 alone at the foot of the last (even) page — GB/T 9704 §7.3.7 puts
    the 附件 before the 版记, §7.4.1 the 版记's last rule on the last page's block foot."""
    document = gbt.new_document()
    gbt.add_gbt_styles(document)
    gbt.set_page_number_footers(document, document.sections[0])
    parts = _masthead(doc)
    parts.append(_para("GBTitle", _run(doc.title, gbt.XIAOBIAOSONG, gbt.TITLE_SIZE_PT)))
    parts.append(_para("GBBody", ""))
    parts.extend(_body_para(p) for p in doc.body)
    if doc.attachment_note:
        parts.append(_para("GBBody", ""))
        parts.append(_body_para(Para(BODY, doc.attachment_note)))
    record = _record(doc)
    kinds = [BODY_SECTION]
    if doc.attachment is not None:
        kinds.append(ATTACHMENT_SECTION)
    if record:
        kinds.append(RECORD_SECTION)
    ends = iter(_shape_sections(document, kinds))
    if len(kinds) > 1:
        parts.append(_hairline(next(ends)))
    if doc.attachment is not None:
        parts.extend(_attachment(doc.attachment))
        if record:
            parts.append(_hairline(next(ends)))
    if record:
        parts.extend(_record_page(doc, record))
    # The document ends with a paragraph (a table may not end it).
    parts.append(_hairline())
    document = _splice_body(document, "".join(parts))
    core = document.core_properties
    core.title = _ILLEGAL_XML.sub("", doc.title)[:255]
    core.author = _ILLEGAL_XML.sub("", doc.editor)[:255]
    core.subject = _ILLEGAL_XML.sub("", doc.masthead)[:255]
    core.comments = ""
    return document


def _save(document: Document, path: Path) -> None:
    with open(path, "wb") as fh:
        document.save(fh)


def write_docx(doc: BriefDocument, path: Path) -> Path:
    """Write the brief atomically: a temporary file in the target folder, then os.replace."""
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise UserError(f"简报文件名应以 .docx 结尾：{path.name}。")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"保存简报的文件夹不存在：{folder}。")
    document = build_docx(doc)
    atomic_write(
        path,
        lambda tmp: _save(document, tmp),
        in_use_hint="文件可能正在 Word/WPS 中打开，或没有写入权限",
    )
    return path
