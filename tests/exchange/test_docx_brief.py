"""The brief's docx, opened again with python-docx and read as XML: GB/T 9704-2012 layout."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION_START
from docx.oxml.ns import qn
from docx.shared import Mm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ysdesk.domain.errors import UserError
from ysdesk.exchange import docx_gbt as gbt
from ysdesk.exchange.docx_brief import (
    BODY,
    AttachmentTable,
    BriefDocument,
    Column,
    Heading,
    Para,
    build_docx,
    chinese_date,
    write_docx,
)
from ysdesk.exchange.pdf import convert_to_pdf, libreoffice_available

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS_PER_MM = 1440 / 25.4

COLUMNS = (Column("序号", 10, center=True), Column("项目名称", 100), Column("进展情况", 115))


def _brief(**changes: object) -> BriefDocument:
    values: dict[str, object] = {
        "masthead": "杨“数”浦新质秀带创新区建设工作简报",
        "issue_no": 3,
        "total_issue_no": 15,
        "editor": "杨浦区科学技术委员会",
        "date": date(2026, 11, 30),
        "title": "杨“数”浦新质秀带创新区\n2025年度建设项目推进情况",
        "body": (
            Para(1, "一、总体进展"),
            Para(BODY, "共安排项目86个，其中已完成39个。"),
            Para(2, "（一）打造全球科创策源新高地"),
            Para(3, "安排项目4个。", "1.服务国家战略科技力量建设。"),
            Para(4, "“项目甲”（牵头单位：区科委）。", "（1）"),
        ),
        "report_to": "市科委领导",
        "send_to": "区委办公室",
        "distribute_to": "区有关部门",
        "copies": 40,
        "attachment": AttachmentTable(
            "2025年度项目推进情况表",
            COLUMNS,
            [
                Heading("一、打造全球科创策源新高地（2个）", 1),
                Heading("1.服务国家战略科技力量建设（2个）", 2),
                ("1", "项目甲", "已完成。"),
                ("2", "项目乙", ""),
            ],
        ),
        "attachment_note": "附件：2025年度项目推进情况表",
    }
    values.update(changes)
    return BriefDocument(**values)  # type: ignore[arg-type]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    return write_docx(_brief(), tmp_path / "简报.docx")


def _style(document, style_id: str):
    for element in document.styles.element.findall(qn("w:style")):
        if element.get(qn("w:styleId")) == style_id:
            return element
    raise AssertionError(f"style {style_id} missing")


def _paragraphs_with_style(document, style_id: str):
    return [p for p in document.paragraphs if p.style.style_id == style_id]


# ------------------------------------------------------------------ page
def test_page_is_a4_with_the_standard_margins(written: Path) -> None:
    section = docx.Document(str(written)).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)


def test_grid_and_spacing_give_22_lines_of_28_characters(written: Path) -> None:
    document = docx.Document(str(written))
    sect_pr = document.sections[0]._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"
    text_height = 297 - 37 - 35
    assert 22 * 579 <= text_height * TWIPS_PER_MM < 23 * 579
    # Word's reading of the grid (ECMA-376 §17.6.5): the pitch is the Normal font size plus
    # charSpace/4096 pt; the line of the section's own width holds 28 of them, not 29.
    width_pt = (
        int(sect_pr.find(qn("w:pgSz")).get(qn("w:w")))
        - int(sect_pr.find(qn("w:pgMar")).get(qn("w:left")))
        - int(sect_pr.find(qn("w:pgMar")).get(qn("w:right")))
    ) / 20
    normal_pt = int(_style(document, "Normal").find(f"{W}rPr/{W}sz").get(qn("w:val"))) / 2
    pitch_pt = normal_pt + int(grid.get(qn("w:charSpace"))) / 4096
    assert int(width_pt // pitch_pt) == 28
    assert 28 * pitch_pt <= 156 / 25.4 * 72  # also on the standard's nominal 156 mm
    body = _style(document, "GBBody")
    spacing = body.find(f"{W}pPr/{W}spacing")
    assert spacing.get(qn("w:line")) == "579"
    assert spacing.get(qn("w:lineRule")) == "exact"
    # The body stays off the grid (LibreOffice would give each character two cells) and fits
    # 28 characters by its run spacing, in either program.
    assert body.find(f"{W}pPr/{W}snapToGrid").get(qn("w:val")) == "0"
    char_spacing = int(body.find(f"{W}rPr/{W}spacing").get(qn("w:val")))
    pitch = 16 * 20 + char_spacing
    width = (210 - 28 - 26) * TWIPS_PER_MM
    assert 28 * pitch <= width - 20 and 29 * pitch > width  # a point of slack for LibreOffice
    # First-line indent of two characters, and the 26 characters after it.
    ind = body.find(f"{W}pPr/{W}ind")
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert ind.get(qn("w:firstLine")) == "640"
    assert 640 + 26 * pitch <= width < 640 + 27 * pitch


@pytest.mark.parametrize("style_id", ["GBBody", "GBHeading1", "GBHeading2", "GBHeading3"])
def test_every_body_style_is_off_the_grid_and_spaced_alike(written: Path, style_id: str) -> None:
    style = _style(docx.Document(str(written)), style_id)
    assert style.find(f"{W}pPr/{W}snapToGrid").get(qn("w:val")) == "0"
    assert int(style.find(f"{W}rPr/{W}spacing").get(qn("w:val"))) == gbt.BODY_CHAR_SPACING_TWIPS


def test_grid_char_space_is_the_pitch_difference_in_4096ths() -> None:
    assert gbt.GRID_CHAR_SPACE == -848
    # ECMA-376's example: an 11 pt Normal font on a 21 pt pitch grid is charSpace 40960.
    width_mm = 10 * 21 / 72 * 25.4
    assert gbt.grid_char_space(width_mm, 10, 11) in (40959, 40960)


EXPECTED_FONTS = {
    "Normal": (gbt.FANGSONG, 32),
    "GBBody": (gbt.FANGSONG, 32),
    "GBTitle": (gbt.XIAOBIAOSONG, 44),
    "GBHeading1": (gbt.HEITI, 32),
    "GBHeading2": (gbt.KAITI, 32),
    "GBHeading3": (gbt.FANGSONG, 32),
    "GBHeading4": (gbt.FANGSONG, 32),
    "GBPageNumber": (gbt.SONGTI, 28),
    "GBRecord": (gbt.FANGSONG, 28),
}


@pytest.mark.parametrize("style_id", sorted(EXPECTED_FONTS))
def test_styles_name_their_fonts_on_east_asia_with_explicit_spacing(
    written: Path, style_id: str
) -> None:
    document = docx.Document(str(written))
    style = _style(document, style_id)
    font, half_points = EXPECTED_FONTS[style_id]
    rfonts = style.find(f"{W}rPr/{W}rFonts")
    assert rfonts.get(qn("w:eastAsia")) == font
    assert rfonts.get(qn("w:ascii")) == font
    assert not [a for a in rfonts.attrib if "Theme" in a or "theme" in a]
    assert style.find(f"{W}rPr/{W}sz").get(qn("w:val")) == str(half_points)
    spacing = style.find(f"{W}pPr/{W}spacing")
    assert spacing.get(qn("w:after")) == "0"
    assert spacing.get(qn("w:before")) == "0"


def test_no_python_docx_defaults_left_over(written: Path) -> None:
    document = docx.Document(str(written))
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rfonts = defaults.find(f"{W}rPrDefault/{W}rPr/{W}rFonts")
    assert rfonts.get(qn("w:eastAsia")) == gbt.FANGSONG
    assert defaults.find(f"{W}pPrDefault/{W}pPr/{W}spacing").get(qn("w:after")) == "0"
    for rfonts in document.styles.element.iter(qn("w:rFonts")):
        assert qn("w:eastAsiaTheme") not in rfonts.attrib
        assert qn("w:asciiTheme") not in rfonts.attrib


def test_every_run_names_an_east_asian_font(written: Path) -> None:
    document = docx.Document(str(written))
    parts = (
        [document.element]
        + [s.footer._element for s in document.sections[:1]]
        + [document.sections[0].even_page_footer._element]
    )
    runs = [r for part in parts for r in part.iter(qn("w:r"))]
    assert len(runs) > 20
    for run in runs:
        rfonts = run.find(f"{W}rPr/{W}rFonts")
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), run.xml


def test_headings_use_their_levels_fonts(written: Path) -> None:
    document = docx.Document(str(written))
    by_style = {
        "GBHeading1": ("一、总体进展", gbt.HEITI),
        "GBHeading2": ("（一）打造全球科创策源新高地", gbt.KAITI),
        "GBHeading3": ("1.服务国家战略科技力量建设。", gbt.FANGSONG),
        "GBHeading4": ("（1）", gbt.FANGSONG),
    }
    for style_id, (lead, font) in by_style.items():
        (para,) = _paragraphs_with_style(document, style_id)
        first = para.runs[0]
        assert first.text == lead
        assert first._r.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) == font
    (title,) = _paragraphs_with_style(document, "GBTitle")
    assert title.text == "杨“数”浦新质秀带创新区\n2025年度建设项目推进情况"
    assert _style(document, "GBTitle").find(f"{W}pPr/{W}jc").get(qn("w:val")) == "center"


# ------------------------------------------------------------------ footers
def test_odd_and_even_footers_carry_the_page_number(written: Path) -> None:
    document = docx.Document(str(written))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align, side in (
        (section.footer, "right", "w:right"),
        (section.even_page_footer, "left", "w:left"),
    ):
        (para,) = footer.paragraphs
        xml = para._p.xml
        assert "PAGE" in "".join(t.text for t in para._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert para.text.startswith("— ") and para.text.endswith(" —")
        ppr = para._p.find(qn("w:pPr"))
        assert ppr.find(qn("w:jc")).get(qn("w:val")) == align
        assert ppr.find(qn("w:ind")).get(qn(side)) == str(gbt.CHAR_TWIPS)
        for run in para._p.iter(qn("w:r")):
            assert run.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) == gbt.SONGTI
            assert run.find(f"{W}rPr/{W}sz").get(qn("w:val")) == "28"


# ------------------------------------------------------------------ masthead and 报尾
def test_masthead_is_red_with_issue_numbers_editor_date_and_a_red_rule(written: Path) -> None:
    document = docx.Document(str(written))
    name, big = _paragraphs_with_style(document, "GBMasthead")
    assert (name.text, big.text) == ("杨“数”浦新质秀带创新区建设", "工作简报")
    for para in (name, big):
        run = para.runs[0]._r
        assert run.find(f"{W}rPr/{W}color").get(qn("w:val")) == gbt.RED
        assert run.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) == gbt.XIAOBIAOSONG
    assert big.runs[0].font.size > name.runs[0].font.size
    (issue,) = _paragraphs_with_style(document, "GBIssue")
    assert issue.text == "第3期（总第15期）"
    (line,) = _paragraphs_with_style(document, "GBEditorLine")
    assert line.text == "杨浦区科学技术委员会\t2026年11月30日"
    rule = line._p.find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert rule.get(qn("w:color")) == gbt.RED
    tab = _style(document, "GBEditorLine").find(f"{W}pPr/{W}tabs/{W}tab")
    assert tab.get(qn("w:val")) == "right"
    assert int(tab.get(qn("w:pos"))) == gbt.TEXT_WIDTH_TWIPS


def test_a_short_masthead_stays_on_one_line() -> None:
    document = build_docx(_brief(masthead="科技工作简报"))
    (masthead,) = _paragraphs_with_style(document, "GBMasthead")
    assert masthead.text == "科技工作简报"


def test_issue_line_without_total_issue(tmp_path: Path) -> None:
    document = build_docx(_brief(total_issue_no=None))
    (issue,) = _paragraphs_with_style(document, "GBIssue")
    assert issue.text == "第3期"


def _record_table(document):
    return document.tables[-1]


def test_record_lines_sit_between_rules(written: Path) -> None:
    document = docx.Document(str(written))
    record = _record_table(document)
    texts = [row.cells[0].text for row in record.rows]
    assert texts == ["报：市科委领导", "送：区委办公室", "发：区有关部门", "（共印40份）"]
    first = record.rows[0].cells[0]._tc.find(f"{W}tcPr/{W}tcBorders/{W}top")
    last = record.rows[-1].cells[0]._tc.find(f"{W}tcPr/{W}tcBorders/{W}bottom")
    middle = record.rows[2].cells[0]._tc.find(f"{W}tcPr/{W}tcBorders/{W}bottom")
    assert first.get(qn("w:val")) == "single" and last.get(qn("w:val")) == "single"
    assert int(middle.get(qn("w:sz"))) < int(last.get(qn("w:sz")))
    copies = record.rows[-1].cells[0].paragraphs[0]
    assert copies._p.find(f"{W}pPr/{W}jc").get(qn("w:val")) == "right"


def test_record_leaves_out_empty_lines_and_copies(tmp_path: Path) -> None:
    document = build_docx(_brief(send_to="  ", copies=None))
    texts = [row.cells[0].text for row in _record_table(document).rows]
    assert texts == ["报：市科委领导", "发：区有关部门"]


def _body_order(document) -> list[str]:
    """What the body holds, in order: the last paragraph text before each section break,
    "table:<first cell>" for tables, "sect:<start type>" where a section ends."""
    order = []
    for child in document.element.body:
        if child.tag == qn("w:tbl"):
            first = "".join(t.text or "" for t in child.iter(qn("w:t")))[:4]
            order.append(f"table:{first}")
        sect = child.find(f"{W}pPr/{W}sectPr") if child.tag == qn("w:p") else None
        if child.tag == qn("w:sectPr"):
            sect = child
        if sect is not None:
            kind = sect.find(qn("w:type"))
            order.append(f"sect:{kind.get(qn('w:val')) if kind is not None else 'nextPage'}")
    return order


def test_attachment_comes_before_the_record_which_ends_the_document(written: Path) -> None:
    document = docx.Document(str(written))
    order = _body_order(document)
    # Body, then the landscape 附件 from a new page, then the 报尾 alone on an even page.
    assert order == [
        "sect:nextPage",
        "table:序号项目",
        "sect:nextPage",
        "table:报：市科",
        "sect:evenPage",
    ]
    body, attachment, record = document.sections
    assert body.page_height > body.page_width
    assert attachment.page_width > attachment.page_height
    assert record.page_height > record.page_width
    assert abs(record.top_margin - Mm(37)) < Mm(0.1)
    assert abs(record.bottom_margin - Mm(35)) < Mm(0.1)
    # The page numbers run on: neither later section has footers of its own.
    assert attachment.footer.is_linked_to_previous and record.footer.is_linked_to_previous
    assert record.even_page_footer.is_linked_to_previous


def test_record_sits_at_the_foot_of_its_page(written: Path) -> None:
    document = docx.Document(str(written))
    record = _record_table(document)._tbl
    rows = record.findall(qn("w:tr"))
    heights = [tr.find(f"{W}trPr/{W}trHeight") for tr in rows]
    assert all(h.get(qn("w:hRule")) == "exact" for h in heights)
    assert {int(h.get(qn("w:val"))) for h in heights} == {gbt.LINE_PITCH_TWIPS}
    # The record page holds an exact spacer, the table and a one-point closing paragraph:
    # together they fill the 225 mm text block but for a margin of about a millimetre.
    spacer = record.getprevious()
    closing = record.getnext()

    def exact(p) -> int:
        spacing = p.find(f"{W}pPr/{W}spacing")
        assert spacing.get(qn("w:lineRule")) == "exact"
        return int(spacing.get(qn("w:line")))

    block = round(225 / 25.4 * 1440)
    used = exact(spacer) + len(rows) * gbt.LINE_PITCH_TWIPS + exact(closing)
    assert block - 60 <= used < block
    assert closing.getnext().tag == qn("w:sectPr")
    assert "".join(t.text for t in spacer.iter(qn("w:t"))) == ""


def test_record_page_has_no_grid_and_a_short_brief_still_puts_it_on_an_even_page() -> None:
    document = build_docx(_brief(attachment=None))
    assert len(document.sections) == 2
    record = document.sections[1]
    assert record.start_type == WD_SECTION_START.EVEN_PAGE
    assert record._sectPr.find(qn("w:docGrid")) is None
    assert document.sections[0]._sectPr.find(qn("w:docGrid")) is not None
    assert _body_order(document)[-2:] == ["table:报：市科", "sect:evenPage"]


def test_without_record_the_attachment_ends_the_document() -> None:
    document = build_docx(_brief(report_to="", send_to="", distribute_to="", copies=None))
    assert len(document.sections) == 2
    assert document.sections[-1].page_width > document.sections[-1].page_height
    assert not [t for t in document.tables if t.rows[0].cells[0].text.startswith("报")]


# ------------------------------------------------------------------ 附件
def test_attachment_is_a_landscape_section_with_a_repeating_header(written: Path) -> None:
    document = docx.Document(str(written))
    assert len(document.sections) == 3
    landscape = document.sections[1]
    assert landscape.page_width > landscape.page_height
    assert abs(landscape.page_width - Mm(297)) < Mm(0.1)
    table = document.tables[0]
    header = table.rows[0]
    assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert [c.text for c in header.cells] == ["序号", "项目名称", "进展情况"]
    assert [table.rows[1].cells[i].text for i in range(3)] == ["1", "项目甲", "已完成。"]
    assert len(table.rows) == 3
    area, task = (
        (p.text for p in _paragraphs_with_style(document, "GBTableGroup1")),
        (p.text for p in _paragraphs_with_style(document, "GBTableGroup2")),
    )
    assert list(area) == ["一、打造全球科创策源新高地（2个）"]
    assert list(task) == ["1.服务国家战略科技力量建设（2个）"]
    # 附件 on the block's first line, its title on the third (GB/T 9704 §7.3.7).
    labels = _paragraphs_with_style(document, "GBAttachmentLabel")
    assert [p.text for p in labels] == ["附件", ""]
    assert labels[1]._p.getnext() is _paragraphs_with_style(document, "GBTableTitle")[0]._p
    # The second section has no footer of its own: it continues the page numbers.
    assert landscape.footer.is_linked_to_previous


def test_long_groups_are_split_into_tables_that_say_continued(monkeypatch) -> None:
    from ysdesk.exchange import docx_brief

    monkeypatch.setattr(docx_brief, "MAX_TABLE_ROWS", 3)
    rows = [Heading("1.任务（7个）", 2)] + [(str(i), f"项目{i}", "") for i in range(1, 8)]
    document = build_docx(_brief(attachment=AttachmentTable("表", COLUMNS, rows)))
    tables = document.tables[:-1]
    assert [len(t.rows) - 1 for t in tables] == [3, 3, 1]
    assert all(t.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None for t in tables)
    headings = [p.text for p in _paragraphs_with_style(document, "GBTableGroup2")]
    assert headings == ["1.任务（7个）", "1.任务（7个）（续）", "1.任务（7个）（续）"]
    assert [t.rows[-1].cells[1].text for t in tables] == ["项目3", "项目6", "项目7"]


def test_attachment_note_follows_the_body(written: Path) -> None:
    document = docx.Document(str(written))
    texts = [p.text for p in document.paragraphs]
    assert "附件：2025年度项目推进情况表" in texts
    assert texts.index("附件：2025年度项目推进情况表") > texts.index("一、总体进展")


def test_without_attachment_or_record_there_is_one_portrait_section(tmp_path: Path) -> None:
    document = build_docx(
        _brief(attachment=None, report_to="", send_to="", distribute_to="", copies=None)
    )
    assert len(document.sections) == 1
    assert document.sections[0].page_height > document.sections[0].page_width


# ------------------------------------------------------------------ writing
def test_writing_replaces_the_old_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "brief.docx"
    target.write_bytes(b"old")
    write_docx(_brief(), target)
    assert docx.Document(str(target)).paragraphs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.docx"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "brief.docx"
    target.write_bytes(b"old")

    def broken_save(self, stream) -> None:
        stream.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", broken_save)
    with pytest.raises(UserError):
        write_docx(_brief(), target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.docx"]


def test_refuses_a_missing_folder_and_a_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="文件夹不存在"):
        write_docx(_brief(), tmp_path / "no" / "brief.docx")
    with pytest.raises(UserError, match=r"\.docx"):
        write_docx(_brief(), tmp_path / "brief.pdf")


def test_chinese_date() -> None:
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    cell=st.text(max_size=30),
)
def test_any_text_makes_a_readable_docx(tmp_path: Path, text: str, cell: str) -> None:
    brief = _brief(
        body=(Para(BODY, text), Para(2, text, text)),
        attachment=AttachmentTable("表", COLUMNS, [("1", cell, text)]),
        editor=text or "单位",
    )
    target = write_docx(brief, tmp_path / "any.docx")
    document = docx.Document(str(target))
    clean = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
    clean = clean.replace("\r\n", "\n").replace("\r", "\n")
    bodies = _paragraphs_with_style(document, "GBBody")
    assert any(p.text == clean for p in bodies)


# ------------------------------------------------------------------ LibreOffice
needs_pdf_tools = pytest.mark.skipif(
    not libreoffice_available() or shutil.which("pdftotext") is None,
    reason="LibreOffice or pdftotext is not installed",
)


def _page_lines(pdf: Path, page: int) -> list[str]:
    result = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.libreoffice
@needs_pdf_tools
def test_libreoffice_lays_out_22_lines_of_28_characters(tmp_path: Path) -> None:
    han = "创新策源功能全面增强区域科创能级持续提升"  # 20 characters, no digits
    body = tuple(Para(BODY, han * 7) for _ in range(12))
    target = write_docx(_brief(body=body, attachment=None), tmp_path / "lines.docx")
    pdf = convert_to_pdf(target)
    lines = _page_lines(pdf, 2)
    page_number = [line for line in lines if re.fullmatch(r"—\s*2\s*—", line)]
    assert page_number, lines
    text_lines = [line for line in lines if line not in page_number]
    assert 21 <= len(text_lines) <= 23, text_lines
    full = [line.replace(" ", "") for line in text_lines]
    # A line in the middle of a paragraph holds exactly 28 characters.
    widths = {len(line) for line in full if not line.endswith("。")}
    assert 28 in widths, full
    assert max(widths) <= 29, full


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


@pytest.mark.libreoffice
@needs_pdf_tools
@pytest.mark.parametrize(("paragraphs", "blank_before_record"), [(1, True), (5, False)])
def test_libreoffice_puts_the_record_alone_at_the_foot_of_the_last_even_page(
    tmp_path: Path, paragraphs: int, blank_before_record: bool
) -> None:
    han = "创新策源功能全面增强区域科创能级持续提升"
    body = tuple(Para(BODY, han * 7) for _ in range(paragraphs))
    pdf = convert_to_pdf(write_docx(_brief(body=body), tmp_path / "record.docx"))
    pages = _pages(pdf)
    assert pages % 2 == 0
    last = _page_lines(pdf, pages)
    assert [line.replace(" ", "") for line in last] == [
        "报：市科委领导",
        "送：区委办公室",
        "发：区有关部门",
        "（共印40份）",
        f"—{pages}—",
    ]
    # The page before holds the 附件 — or nothing, when the 附件 ended on an even page.
    before = _page_lines(pdf, pages - 1)
    assert (before == []) is blank_before_record, before
    if not blank_before_record:
        assert "项目甲" in "".join(before)
    # （共印40份） is on the text block's last line: its foot within 4 mm of the block's.
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (foot,) = [float(m) for m in re.findall(r'yMax="([\d.]+)"[^>]*>份）<', bbox)]
    block_foot_pt = (297 - 35) / 25.4 * 72
    assert block_foot_pt - 4 / 25.4 * 72 < foot < block_foot_pt


@pytest.mark.libreoffice
@needs_pdf_tools
def test_libreoffice_keeps_every_punctuation_mark_at_line_ends(tmp_path: Path) -> None:
    # Justified lines with hanging punctuation made LibreOffice drop marks at line ends.
    rnd = random.Random(7)
    han = "创新策源功能全面增强区域科创能级持续提升项目推进完成建设平台"
    marks = "，。；、：“”（）"
    paras = []
    for _ in range(80):
        pieces = []
        for _ in range(rnd.randint(40, 160)):
            r = rnd.random()
            if r < 0.06:
                pieces.append(rnd.choice(marks))
            elif r < 0.10:
                pieces.append(str(rnd.randint(1, 2026)))
            else:
                pieces.append(rnd.choice(han))
        paras.append("".join(pieces))
    brief = _brief(body=tuple(Para(BODY, p) for p in paras), attachment=None, report_to="")
    pdf = convert_to_pdf(write_docx(brief, tmp_path / "marks.docx"))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    source = "".join(paras)
    for mark in marks:
        # The masthead, title and 报尾 add a few marks of their own, never fewer.
        assert text.count(mark) >= source.count(mark), mark


def test_styles_let_punctuation_hang_in_word(written: Path) -> None:
    document = docx.Document(str(written))
    for style_id in ("Normal", "GBBody", "GBHeading1", "GBRecord"):
        ppr = _style(document, style_id).find(f"{W}pPr")
        assert ppr.find(f"{W}overflowPunct") is not None
        assert ppr.find(f"{W}overflowPunct").get(qn("w:val")) is None  # on
