"""GB/T 9704-2012 page layout primitives for python-docx documents (no content here).

python-docx's default template is US Letter with theme fonts and 10 pt after paragraphs; every
property a 公文 depends on is therefore written explicitly: page, margins, grid, styles, fonts on
w:eastAsia (python-docx's `font.name` sets only ascii/hAnsi), odd/even footers.
"""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import quoteattr

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Mm
from lxml import etree

# Fonts named by the standard; Windows offices have them, LibreOffice substitutes elsewhere.
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"

RED = "FF0000"

# Page geometry (GB/T 9704-2012 §5.2): A4, text block 156 × 225 mm.
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = 26
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
# The page number's dash sits 7 mm below the text block: footer distance + line height = 28 mm.
FOOTER_DISTANCE_MM = 22
FOOTER_LINE_TWIPS = 320

BODY_SIZE_PT = 16  # 3号
TITLE_SIZE_PT = 22  # 2号
PAGE_NUMBER_SIZE_PT = 14  # 4号
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH_TWIPS = 579  # 28.95 pt: 22 lines fill the 225 mm block
CHAR_TWIPS = BODY_SIZE_PT * 20  # "one character" of indents: a 3号 character


def mm_to_twips(mm: float) -> int:
    """Millimetres to twentieths of a point, rounded."""
    return round(mm / 25.4 * 1440)


def grid_char_space(
    width_mm: float = TEXT_WIDTH_MM, chars: int = CHARS_PER_LINE, size_pt: float = BODY_SIZE_PT
) -> int:
    """w:docGrid/@w:charSpace giving Word `chars` characters per line: the pitch's difference
    from the Normal font size, in 4096ths of a point (ECMA-376 §17.6.5), rounded down."""
    pitch_pt = width_mm / 25.4 * 72 / chars
    return math.floor((pitch_pt - size_pt) * 4096)


TEXT_WIDTH_TWIPS = mm_to_twips(TEXT_WIDTH_MM)
TEXT_HEIGHT_TWIPS = mm_to_twips(PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM)
# -848: a grid pitch of 15.793 pt, 28 of which fill the 442.2 pt line.
GRID_CHAR_SPACE = grid_char_space()
# Why 28 characters per line come from run spacing and not from the character grid:
# Word and LibreOffice read a character grid differently. Word adds the grid's pitch difference
# (charSpace, -0.207 pt) to every character it snaps (16 pt → 15.793 pt, 28 fit). LibreOffice
# 7.4 gives a snapped 16 pt character as many whole 15.793 pt cells as it needs — two — and
# ignores run spacing while measuring (14 characters per line); it also sets digits in whole
# cells ("2026 年11 月"). So every paragraph style of the brief stays off the grid
# (w:snapToGrid="0", see add_paragraph_style) and its 3号 runs carry -8 twips of spacing:
# 28 × 15.6 pt = 436.8 pt fit the line in both programs, 29 × 15.6 pt = 452.4 pt do not.
# Measured in LibreOffice 7.4 with the grid declared: -5 twips (the exact fit, 441 pt) still
# breaks lines after 27 characters, -6 … -12 give 28; Word would fit 29 only below -15.
# The section still declares the 22 × 28 grid (linesAndChars, GRID_CHAR_SPACE) for Word,
# which shows it in 页面设置 → 文档网格 and lays out text typed in the Normal style by it.
BODY_CHAR_SPACING_TWIPS = -8


# ------------------------------------------------------------------ run properties
def rfonts_xml(east_asia: str, latin: str | None = None) -> str:
    """A w:rFonts element naming the font for every script (no theme fonts)."""
    latin = latin or east_asia
    return (
        f"<w:rFonts w:ascii={quoteattr(latin)} w:hAnsi={quoteattr(latin)}"
        f" w:eastAsia={quoteattr(east_asia)} w:cs={quoteattr(latin)}/>"
    )


def rpr_xml(
    font: str,
    size_pt: float,
    *,
    bold: bool = False,
    color: str | None = None,
    spacing_twips: int | None = None,
    scale: int | None = None,
) -> str:
    """The inner XML of a w:rPr in schema order: fonts, bold, colour, spacing, scale, size."""
    half_points = round(size_pt * 2)
    parts = [rfonts_xml(font)]
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if spacing_twips is not None:
        parts.append(f'<w:spacing w:val="{spacing_twips}"/>')
    if scale is not None:
        parts.append(f'<w:w w:val="{scale}"/>')
    parts.append(f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>')
    parts.append('<w:lang w:val="en-US" w:eastAsia="zh-CN"/>')
    return "".join(parts)


# ------------------------------------------------------------------ paragraph styles
def ppr_xml(
    *,
    align: str = "both",
    first_line_chars: int = 0,
    left_twips: int = 0,
    right_twips: int = 0,
    line_twips: int | None = LINE_PITCH_TWIPS,
    before_twips: int = 0,
    after_twips: int = 0,
    snap_to_grid: bool = True,
    keep_next: bool = False,
    keep_lines: bool = False,
    outline_level: int | None = None,
    tabs: str = "",
    borders: str = "",
) -> str:
    """The inner XML of a w:pPr in schema order, every spacing value explicit."""
    parts = []
    if keep_next:
        parts.append("<w:keepNext/>")
    if keep_lines:
        parts.append("<w:keepLines/>")
    parts.append('<w:widowControl w:val="0"/>')
    if borders:
        parts.append(f"<w:pBdr>{borders}</w:pBdr>")
    if tabs:
        parts.append(f"<w:tabs>{tabs}</w:tabs>")
    # Punctuation may hang into the margin: Word's default, written out because LibreOffice
    # (7.4) reads this element inverted and so turns hanging punctuation off — which it needs:
    # in justified Chinese lines it now and then drops a hanging comma from the page
    # (measured: 1 to 5 of 979 marks lost in a probe text); without hanging it moves a
    # character down to the next line instead.
    parts.append("<w:overflowPunct/>")
    if not snap_to_grid:
        parts.append('<w:snapToGrid w:val="0"/>')
    if line_twips is None:
        line = 'w:line="240" w:lineRule="auto"'
    else:
        line = f'w:line="{line_twips}" w:lineRule="exact"'
    parts.append(
        f'<w:spacing w:before="{before_twips}" w:beforeLines="0" w:after="{after_twips}"'
        f' w:afterLines="0" {line}/>'
    )
    ind = f'w:left="{left_twips}" w:right="{right_twips}"'
    if first_line_chars:
        ind += (
            f' w:firstLineChars="{first_line_chars * 100}"'
            f' w:firstLine="{first_line_chars * CHAR_TWIPS}"'
        )
    else:
        ind += ' w:firstLineChars="0" w:firstLine="0"'
    parts.append(f"<w:ind {ind}/>")
    parts.append(f'<w:jc w:val="{align}"/>')
    if outline_level is not None:
        parts.append(f'<w:outlineLvl w:val="{outline_level}"/>')
    return "".join(parts)


def add_paragraph_style(
    document: Document,
    style_id: str,
    name: str,
    font: str,
    size_pt: float,
    *,
    bold: bool = False,
    color: str | None = None,
    based_on: str = "Normal",
    char_spacing: int | None = None,
    **ppr: object,
) -> None:
    """Add (or replace) a paragraph style with every font and spacing property explicit; off
    the document grid unless asked (BODY_CHAR_SPACING_TWIPS says why)."""
    ppr.setdefault("snap_to_grid", False)
    styles = document.styles.element
    for old in styles.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == style_id:
            styles.remove(old)
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    xml = (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f"<w:name w:val={quoteattr(name)}/>{based}"
        f'<w:uiPriority w:val="1"/><w:qFormat/>'
        f"<w:pPr>{ppr_xml(**ppr)}</w:pPr>"  # type: ignore[arg-type]
        f"<w:rPr>{rpr_xml(font, size_pt, bold=bold, color=color, spacing_twips=char_spacing)}"
        "</w:rPr></w:style>"
    )
    styles.append(parse_xml(xml))


def _reset_defaults(document: Document) -> None:
    """Replace the template's theme fonts and 10 pt after-spacing by explicit 公文 defaults."""
    styles = document.styles.element
    old = styles.find(qn("w:docDefaults"))
    new = parse_xml(
        f"<w:docDefaults {nsdecls('w')}>"
        f"<w:rPrDefault><w:rPr>{rpr_xml(FANGSONG, BODY_SIZE_PT)}</w:rPr></w:rPrDefault>"
        f"<w:pPrDefault><w:pPr>{ppr_xml()}</w:pPr></w:pPrDefault>"
        "</w:docDefaults>"
    )
    if old is not None:
        styles.replace(old, new)
    else:
        styles.insert(0, new)
    # Normal carries the body font and size too: LibreOffice derives the character grid's
    # width from the default paragraph style's East Asian font size.
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) == "Normal":
            styles.remove(style)
    styles.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:default="1" w:styleId="Normal">'
            '<w:name w:val="Normal"/><w:qFormat/>'
            f"<w:pPr>{ppr_xml()}</w:pPr>"
            f"<w:rPr>{rpr_xml(FANGSONG, BODY_SIZE_PT)}</w:rPr></w:style>"
        )
    )
    # Any other template style that names theme fonts would override w:eastAsia in Word.
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(qn(f"w:{attr}"), None)


def new_document() -> Document:
    """A python-docx Document with the 公文 defaults (fonts, spacing, A4 section, footers)."""
    document = new_docx()
    _reset_defaults(document)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    setup_section(document.sections[0])
    return document


# ------------------------------------------------------------------ sections
def setup_section(section: Section, *, landscape: bool = False) -> None:
    """A4 with the standard margins and the 22 × 28 grid; landscape for wide tables (no grid)."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width = Mm(PAGE_HEIGHT_MM)
        section.page_height = Mm(PAGE_WIDTH_MM)
        # The portrait block turned on its side: binding margin stays generous, and the
        # bottom keeps room for the page number.
        section.top_margin = Mm(26)
        section.bottom_margin = Mm(30)
        section.left_margin = Mm(MARGIN_TOP_MM)
        section.right_margin = Mm(MARGIN_BOTTOM_MM)
        section.footer_distance = Mm(17)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(MARGIN_TOP_MM)
        section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
        section.left_margin = Mm(MARGIN_LEFT_MM)
        section.right_margin = Mm(MARGIN_RIGHT_MM)
        section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.header_distance = Mm(15)
    section.gutter = Mm(0)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = etree.SubElement(sect_pr, qn("w:docGrid"))
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    if landscape:
        # Table text sets its own single spacing; a line grid would stretch every row.
        grid.set(qn("w:linePitch"), "312")
    else:
        # The 22 × 28 grid as Word's 文档网格 dialog writes it; the body styles do not snap to
        # it (see BODY_CHAR_SPACING_TWIPS for why), so LibreOffice's reading cannot hurt them.
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.set(qn("w:charSpace"), str(GRID_CHAR_SPACE))


def enable_odd_even_footers(document: Document) -> None:
    """w:evenAndOddHeaders in settings: odd and even pages get their own footer."""
    document.settings.odd_and_even_pages_header_footer = True


def page_number_paragraph_xml(*, odd: bool) -> str:
    """ "— N —" in 4号 宋体 with a PAGE field; odd pages right, even pages left, one char in."""
    rpr = f"<w:rPr>{rpr_xml(SONGTI, PAGE_NUMBER_SIZE_PT)}</w:rPr>"

    def run(inner: str) -> str:
        return f"<w:r>{rpr}{inner}</w:r>"

    indent = {"right_twips": CHAR_TWIPS} if odd else {"left_twips": CHAR_TWIPS}
    ppr = ppr_xml(
        align="right" if odd else "left",
        line_twips=FOOTER_LINE_TWIPS,
        snap_to_grid=False,
        **indent,  # type: ignore[arg-type]
    )
    return (
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="GBPageNumber"/>{ppr}</w:pPr>'
        + run('<w:t xml:space="preserve">— </w:t>')
        + run('<w:fldChar w:fldCharType="begin"/>')
        + run('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
        + run('<w:fldChar w:fldCharType="separate"/>')
        + run("<w:t>1</w:t>")
        + run('<w:fldChar w:fldCharType="end"/>')
        + run('<w:t xml:space="preserve"> —</w:t>')
        + "</w:p>"
    )


def set_page_number_footers(document: Document, section: Section) -> None:
    """Odd and even page footers with the page number; later sections inherit them."""
    enable_odd_even_footers(document)
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        element = footer._element
        for child in list(element):
            element.remove(child)
        element.append(parse_xml(page_number_paragraph_xml(odd=odd)))


def add_gbt_styles(document: Document) -> None:
    """The paragraph styles of a 简报: masthead, title, headings 一/（一）/1./（1）, body, 版记."""
    body: dict[str, Any] = {"first_line_chars": 2, "char_spacing": BODY_CHAR_SPACING_TWIPS}
    add_paragraph_style(document, "GBBody", "公文正文", FANGSONG, BODY_SIZE_PT, **body)
    add_paragraph_style(
        document,
        "GBTitle",
        "公文标题",
        XIAOBIAOSONG,
        TITLE_SIZE_PT,
        align="center",
        snap_to_grid=False,
        keep_next=True,
    )
    add_paragraph_style(
        document,
        "GBHeading1",
        "一级标题",
        HEITI,
        BODY_SIZE_PT,
        keep_next=True,
        outline_level=0,
        **body,
    )
    add_paragraph_style(
        document,
        "GBHeading2",
        "二级标题",
        KAITI,
        BODY_SIZE_PT,
        keep_next=True,
        outline_level=1,
        **body,
    )
    add_paragraph_style(
        document, "GBHeading3", "三级标题", FANGSONG, BODY_SIZE_PT, outline_level=2, **body
    )
    add_paragraph_style(
        document, "GBHeading4", "四级标题", FANGSONG, BODY_SIZE_PT, outline_level=3, **body
    )
    add_paragraph_style(
        document,
        "GBMasthead",
        "版头名称",
        XIAOBIAOSONG,
        36,
        color=RED,
        align="center",
        line_twips=None,
        snap_to_grid=False,
    )
    add_paragraph_style(
        document,
        "GBIssue",
        "期号",
        FANGSONG,
        BODY_SIZE_PT,
        align="center",
        char_spacing=BODY_CHAR_SPACING_TWIPS,
    )
    add_paragraph_style(
        document,
        "GBEditorLine",
        "编印单位行",
        FANGSONG,
        BODY_SIZE_PT,
        char_spacing=BODY_CHAR_SPACING_TWIPS,
        align="left",
        snap_to_grid=False,
        tabs=f'<w:tab w:val="right" w:pos="{TEXT_WIDTH_TWIPS}"/>',
    )
    add_paragraph_style(
        document,
        "GBRecord",
        "版记",
        FANGSONG,
        PAGE_NUMBER_SIZE_PT,
        align="left",
        left_twips=CHAR_TWIPS,
        right_twips=CHAR_TWIPS,
        snap_to_grid=False,
    )
    add_paragraph_style(
        document,
        "GBPageNumber",
        "页码",
        SONGTI,
        PAGE_NUMBER_SIZE_PT,
        line_twips=FOOTER_LINE_TWIPS,
        snap_to_grid=False,
    )
    add_paragraph_style(
        document, "GBAttachmentLabel", "附件标识", HEITI, BODY_SIZE_PT, align="left"
    )
    add_paragraph_style(
        document,
        "GBTableTitle",
        "表格标题",
        XIAOBIAOSONG,
        18,
        align="center",
        snap_to_grid=False,
        after_twips=120,
        keep_next=True,
    )
    for style_id, name, font, before in (
        ("GBTableGroup1", "表格分组（领域）", HEITI, 160),
        ("GBTableGroup2", "表格分组（任务）", KAITI, 100),
    ):
        add_paragraph_style(
            document,
            style_id,
            name,
            font,
            12,
            align="left",
            line_twips=None,
            before_twips=before,
            after_twips=60,
            snap_to_grid=False,
            keep_next=True,
        )
    add_paragraph_style(
        document,
        "GBTableText",
        "表格文字",
        FANGSONG,
        10.5,
        align="left",
        line_twips=None,
        snap_to_grid=False,
    )
    add_paragraph_style(
        document,
        "GBTableHeader",
        "表头",
        HEITI,
        10.5,
        align="center",
        line_twips=None,
        snap_to_grid=False,
    )
