"""Fuzzing the importer with whole generated workbooks: whatever the sheets hold, the import
gives a preview or its own one-sentence error, never anything else.

CI runs a few dozen workbooks; the long run is the `fuzz-long` profile:
    YSDESK_FUZZ=5000 .venv/bin/python -m pytest tests/services/test_importer_fuzz.py
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ysdesk.domain.errors import UserError
from ysdesk.exchange.sheets import read_workbook
from ysdesk.exchange.xlsx_import import FIELD_ALIASES, parse_workbook
from ysdesk.services.importer import ParsedFile, build_preview, plan_info
from ysdesk.store import Store

TODAY = date(2026, 11, 27)
EXAMPLES = int(os.environ.get("YSDESK_FUZZ", "40"))

HEADER_WORDS = [alias for aliases in FIELD_ALIASES.values() for alias in aliases] + [
    "联系人",
    "电话",
    "Name",
    "责任单位（牵头）",
    "完成时限*",
    "项 目 名 称",
]
UNIT_WORDS = ["区科委", "区科技委", "复旦大学", "区财政局", "某某公司", "区科委（牵头）"]
DEADLINE_WORDS = ["2025年12月底前", "２０２５年", "年底前", "2025.9", "长期", "2025年3月—12月"]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30).map(
    lambda s: "".join(ch for ch in s if ch.isprintable() or ch in "\n\t")
)


def cells() -> st.SearchStrategy:
    return st.one_of(
        st.none(),
        TEXT,
        st.sampled_from(HEADER_WORDS + UNIT_WORDS + DEADLINE_WORDS),
        st.sampled_from(
            ["一、打造全球科创策源新高地", "注：以上为初稿", "合计", "任务3", "（二）"]
        ),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
        st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
        st.times(),
        st.integers(1, 20).map(lambda n: "推进" * (n * 800)),  # up to 32,000 characters
    )


@st.composite
def sheets(draw: st.DrawFn) -> dict:
    width = draw(st.integers(1, 10))
    rows: list[list] = []
    for _ in range(draw(st.integers(0, 2))):  # title and 填报单位 lines
        rows.append(
            [draw(st.sampled_from(["2025年项目清单", "填报单位：区科委", "截至：2025年10月"]))]
        )
    if draw(st.booleans()):
        rows.append(draw(st.lists(st.sampled_from(HEADER_WORDS), min_size=width, max_size=width)))
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["data", "data", "data", "blank", "section"]))
        if kind == "blank":
            rows.append([])
        elif kind == "section":
            rows.append([draw(cells())])
        else:
            rows.append(draw(st.lists(cells(), min_size=width, max_size=width)))
    height = max(len(rows), 1)
    merges = []
    for _ in range(draw(st.integers(0, 4))):
        r0, c0 = draw(st.integers(1, height)), draw(st.integers(1, width))
        r1, c1 = draw(st.integers(r0, height + 2)), draw(st.integers(c0, width + 1))
        merges.append((r0, c0, r1, c1))
    return {
        "name": draw(st.sampled_from(["项目清单", "Sheet", "填报说明", "_ysdesk", "表 1"])),
        "rows": rows,
        "merges": merges,
        "hidden": draw(st.booleans()),
    }


@st.composite
def workbooks(draw: st.DrawFn) -> list[dict]:
    return draw(st.lists(sheets(), min_size=1, max_size=3))


def write(book: list[dict], path: Path) -> bool:
    """The workbook as openpyxl writes it; False when openpyxl itself refuses the values."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for index, sheet in enumerate(book):
        ws = wb.create_sheet(f"{sheet['name']}{index or ''}")
        for row in sheet["rows"]:
            ws.append([value.isoformat() if isinstance(value, time) else value for value in row])
        for r0, c0, r1, c1 in sheet["merges"]:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
        if sheet["hidden"] and index:
            ws.sheet_state = "hidden"
    try:
        wb.save(path)
    except (ValueError, TypeError):  # e.g. a character XML cannot hold
        return False
    return True


@pytest.fixture(scope="module")
def store(_sample_db_template: Path):
    with Store.open(_sample_db_template, readonly=True) as opened:
        yield opened


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(book=workbooks(), year=st.sampled_from([None, 2025]))
def test_any_workbook_gives_a_preview_or_one_sentence(
    store: Store, book: list[dict], year: int | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        if not write(book, path):
            return
        try:
            sheet = parse_workbook(read_workbook(path), plan_info(store), file_name=path.name)
            parsed = ParsedFile(path=path, sheet=sheet, file_hash="")
            preview = build_preview(store, parsed, year=year, default_year=2025)
        except UserError as exc:
            event("refused")
            assert exc.message and "\n" not in exc.message
            assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
            return
        event("previewed")
        data = preview.to_json(TODAY)
        assert data["summary"]["rows"] == len(preview.rows) > 0
        for row in preview.rows:
            row.json_text(TODAY)  # every row prints
