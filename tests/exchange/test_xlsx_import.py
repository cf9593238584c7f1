"""Parsing returned sheets: headers, task references, units, dates, sections, random sheets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ysdesk.domain.errors import BadFileError, UserError
from ysdesk.domain.model import Task, Unit
from ysdesk.domain.units import UnitResolver
from ysdesk.exchange.sheets import SheetGrid, read_workbook
from ysdesk.exchange.xlsx_import import (
    FIELD_ALIASES,
    PlanInfo,
    TaskMatcher,
    deadline_value,
    header_field,
    parse_workbook,
    progress_date,
    split_zones,
)
from ysdesk.services.importer import preview_file
from ysdesk.store import Store

TASKS = [
    Task(1, 1, "服务国家战略科技力量建设", ""),
    Task(2, 1, "提升高校创新策源能力", ""),
    Task(3, 1, "推动新型研发机构高质量发展", ""),
    Task(4, 1, "加速集聚一流科技人才", ""),
    Task(12, 2, "营造浓厚创新创业氛围", ""),
]
ZONES = ["科技创新策源区", "产业创新承载区", "生态创新融合区", "辐射溢出联动区"]
UNITS = [
    Unit(1, "区科委", aliases=("区科技委", "杨浦区科学技术委员会")),
    Unit(2, "复旦大学", aliases=("复旦",)),
    Unit(3, "区财政局"),
    Unit(4, "区人才局", aliases=("区委人才办",)),
]
PLAN = PlanInfo(tasks=TASKS, zones=ZONES, resolver=UnitResolver(UNITS))


def _grid(rows: list[list], merged: list | None = None, name: str = "表") -> SheetGrid:
    width = max(len(r) for r in rows)
    return SheetGrid(
        name=name, rows=[r + [None] * (width - len(r)) for r in rows], merged=merged or []
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2.提升高校创新策源能力", 2),
        ("2、提升高校创新策源能力", 2),
        ("（三）推动新型研发机构高质量发展", 3),
        ("(3)推动新型研发机构高质量发展", 3),
        ("任务4", 4),
        ("重点任务 4", 4),
        ("第4项", 4),
        ("加速集聚一流科技人才", 4),
        ("4", 4),
        (4, 4),
        (4.0, 4),
        ("１２．营造浓厚创新创业氛围", 12),
        # The title wins over a number that counts within an area.
        ("（一）提升高校创新策源能力", 2),
        ("提升高校创新策源能", 2),  # a character short: still the task
    ],
)
def test_task_references(written, expected) -> None:
    assert TaskMatcher(TASKS).match(written) == (expected, "")


@pytest.mark.parametrize("written", ["任务99", "无关的文字", 0, "99.其他"])
def test_unknown_task_references_are_reported(written) -> None:
    number, note = TaskMatcher(TASKS).match(written)
    assert number is None and "无法识别的重点任务" in note


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("项目名称", "name"),
        ("工作任务", "name"),
        ("具体举措", "name"),
        ("牵头单位", "lead_units"),
        ("责任单位", "lead_units"),
        ("牵头部门", "lead_units"),
        ("配合单位", "co_units"),
        ("协办单位", "co_units"),
        ("完成时限", "deadline_text"),
        ("时间节点", "deadline_text"),
        ("完成时间", "deadline_text"),
        ("完成时限（年月）", "deadline_text"),
        ("推进状态", "status"),
        ("状态", "status"),
        ("进展情况", "progress"),
        ("推进情况", "progress"),
        ("工作进展", "progress"),
        ("完成情况", "either"),
        ("功能区", "zones"),
        ("所在功能区", "zones"),
        (" 项 目 名 称 ", "name"),
        ("*项目名称：", "name"),
        ("项目名称及主要内容", "name"),
        ("联系人", None),
    ],
)
def test_header_variants(header, field) -> None:
    assert header_field(header) == field


def test_deadline_cells() -> None:
    assert deadline_value(datetime(2025, 12, 31)) == "2025年12月31日"
    assert deadline_value(date(2025, 6, 30)) == "2025年6月30日"
    assert deadline_value(45838.0) == "2025年6月30日"  # a serial number without date format
    assert deadline_value("２０２５年９月") == "2025年9月"
    assert deadline_value(2025.9) == "2025.9"
    assert deadline_value("  持续推进 ") == "持续推进"


def test_progress_dates() -> None:
    assert progress_date("10月15日：资金已拨付", 2025) == "2025-10-15"
    assert progress_date("（2025年11月3日）完成验收", None) == "2025-11-03"
    assert progress_date("2025.9.30 召开推进会", None) == "2025-09-30"
    assert progress_date("已完成。资金已拨付", 2025) is None
    assert progress_date("2025年10月完成", 2025) is None  # a month is no day
    assert progress_date("7月10日：立项\n10月15日：开工\n说明文字", 2025) == "2025-10-15"


def test_zones() -> None:
    assert split_zones("策源区、产业创新承载区", ZONES) == (
        ["科技创新策源区", "产业创新承载区"],
        [],
    )
    assert split_zones("创新区", ZONES) == ([], ["创新区"])  # ambiguous: several zones
    assert split_zones("无", ZONES) == ([], [])


HEADER = ["序号", "重点任务", "项目名称", "牵头单位", "配合单位", "完成时限", "推进状态"]


def test_responsible_column_leads_with_marked_or_first_unit() -> None:
    grid = _grid(
        [
            ["序号", "重点任务", "项目名称", "责任单位", "完成时限"],
            [1, "任务1", "甲", "复旦、区科技委（牵头）", "年底前"],
            [2, "任务1", "乙", "区财政局、复旦大学", "年底前"],
        ]
    )
    sheet = parse_workbook([grid], PLAN, file_name="x.xlsx", year=2025)
    first, second = sheet.rows
    assert first.values["lead_units"] == ["区科委"] and first.values["co_units"] == ["复旦大学"]
    assert second.values["lead_units"] == ["区财政局"] and second.values["co_units"] == ["复旦大学"]


def test_units_marked_lead_in_the_cooperating_column_and_unknown_units() -> None:
    grid = _grid(
        [
            HEADER,
            [1, 1, "甲", "区科委", "区财政局（牵头）、某新单位\n复旦", "年底前", "进行中"],
        ]
    )
    row = parse_workbook([grid], PLAN, file_name="x.xlsx").rows[0]
    assert row.values["lead_units"] == ["区科委", "区财政局"]
    assert row.values["co_units"] == ["某新单位", "复旦大学"]
    assert row.new_units == ["某新单位"]
    assert row.values["status"] == "推进中"


def test_sections_blank_rows_repeated_headers_totals_and_footnotes() -> None:
    grid = _grid(
        [
            ["2025年度项目清单"],
            ["填报单位：区科委", None, None, None, None, "截至2025年10月31日"],
            HEADER,
            ["一、打造全球科创策源新高地"],
            [1, None, "甲", "区科委", None, "年底前", "未开始"],
            [None] * 7,
            ["2.提升高校创新策源能力"],  # a task as a section row
            [2, None, "乙", "区科委", None, "年底前", "未开始"],
            HEADER,  # the header repeated on a second printed page
            [3, None, "丙", "区科委", None, "年底前", "未开始"],
            ["合计", None, None, None, None, None, None],
            ["注：本表由各单位填报。"],
            ["1. 看起来像数据的脚注", None, "不该读到"],
        ],
        merged=[(0, 0, 0, 6), (3, 0, 3, 6), (6, 0, 6, 6), (11, 0, 11, 6)],
    )
    sheet = parse_workbook([grid], PLAN, file_name="x.xlsx")
    assert [(r.row, r.values["name"], r.values["task_no"]) for r in sheet.rows] == [
        (5, "甲", None),
        (8, "乙", 2),
        (10, "丙", 2),
    ]
    assert sheet.year_hint == 2025 and sheet.unit_hint == "区科委"
    assert sheet.as_of == date(2025, 10, 31)
    assert sheet.header_rows == (3, 3)


def test_two_row_header_with_a_merged_group() -> None:
    grid = _grid(
        [
            ["序号", "项目名称", "责任单位", None, "完成时限", "完成情况"],
            [None, None, "牵头单位", "配合单位", None, None],
            [1, "甲", "区科委", "复旦", "2025年底", "已完成"],
        ],
        merged=[(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4), (0, 5, 1, 5)],
    )
    sheet = parse_workbook([grid], PLAN, file_name="x.xlsx")
    assert sheet.header_rows == (1, 2)
    assert sheet.columns["lead_units"] == 2 and sheet.columns["co_units"] == 3
    assert sheet.columns["status"] == 5  # 完成情况 holding status words
    row = sheet.rows[0]
    assert row.values["lead_units"] == ["区科委"] and row.values["co_units"] == ["复旦大学"]
    assert row.values["status"] == "已完成"


def test_either_column_with_sentences_is_progress() -> None:
    grid = _grid(
        [
            ["项目名称", "牵头单位", "完成时限", "完成情况"],
            ["甲", "区科委", "年底", "已召开推进会三次，完成年度任务的六成。"],
        ]
    )
    sheet = parse_workbook([grid], PLAN, file_name="x.xlsx")
    assert sheet.columns["progress"] == 3 and "status" not in sheet.columns


def test_vertical_merge_is_filled_down_and_blank_task_cells_inherit() -> None:
    rows = [HEADER, [1, "1.服务国家战略科技力量建设", "甲", "区科委", None, "年底", None]]
    rows += [[2, None, "乙", "区科委", None, "年底", None], [3, None, "丙", "区科委", None, "年底"]]
    merged = parse_workbook([_grid(rows, merged=[(1, 1, 2, 1)])], PLAN, file_name="x.xlsx")
    # Row 3 is merged; row 4 has no merge (as ODS returns arrive) and inherits the task above.
    assert [r.values["task_no"] for r in merged.rows] == [1, 1, 1]


def test_the_sheet_after_an_instruction_sheet_is_found() -> None:
    notes = _grid([["填报说明"], ["1. 请按时填报"], ["2. 项目名称不得修改"]], name="填报说明")
    data = _grid([HEADER, [1, 1, "甲", "区科委", None, "年底", "未开始"]], name="数据")
    sheet = parse_workbook([notes, data], PLAN, file_name="x.xlsx")
    assert sheet.sheet == "数据" and len(sheet.rows) == 1


def test_no_header_is_refused() -> None:
    with pytest.raises(BadFileError, match="找不到项目清单的表头"):
        parse_workbook([_grid([["a", "b"], [1, 2]])], PLAN, file_name="x.xlsx")


# ------------------------------------------------------------------ random sheets
_HEADER_WORDS = sorted({a for aliases in FIELD_ALIASES.values() for a in aliases} | {"联系人"})
_CELL = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["区科委、复旦（牵头）", "任务3", "（二）提升高校创新策源能力", "进行中"]),
    st.sampled_from(["=1+1", "注：说明", "一、章节", "合计", "２０２５年９月", "\t"]),
    st.integers(-5, 50_000),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2200, 1, 1)),
    st.booleans(),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(st.sampled_from(_HEADER_WORDS), min_size=1, max_size=9),
    rows=st.lists(st.lists(_CELL, max_size=10), max_size=12),
    title=st.booleans(),
)
def test_random_sheets_only_raise_the_importers_errors(
    sample_store: Store, tmp_path: Path, header, rows, title
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append(["2025年度项目清单"])
    ws.append(header)
    for row in rows:
        ws.append([_safe(v) for v in row])
    path = tmp_path / "random.xlsx"
    wb.save(path)
    try:
        preview = preview_file(sample_store, path, year=2025)
    except UserError:
        return
    assert preview.counts()["rows"] == len(preview.rows)
    preview.to_json(date(2026, 1, 1))


def _safe(value):
    if isinstance(value, str):
        # openpyxl refuses control characters; the reader cleans what arrives anyway.
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n")
    return value


def test_read_and_parse_a_real_file(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, "任务1", "甲", "区科委", "复旦", datetime(2025, 12, 31), "已完成"])
    wb.save(tmp_path / "a.xlsx")
    sheet = parse_workbook(read_workbook(tmp_path / "a.xlsx"), PLAN, file_name="a.xlsx")
    assert sheet.rows[0].values["deadline_text"] == "2025年12月31日"


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("区科委复旦大学、,，；;/\n\t （）()牵头配合等:： .-·\u200b０a")
        ),
        max_size=20,
    )
)
def test_fast_unit_split_agrees_with_the_domain(text: str) -> None:
    from ysdesk.domain.units import split_units
    from ysdesk.exchange.xlsx_import import _split_units

    fast = [(name.casefold(), lead) for name, lead in _split_units(text)]
    assert fast == [(name.casefold(), lead) for name, lead in split_units(text)]


def test_untouched_rows_of_an_export_are_not_parsed_until_needed(
    sample_store: Store, tmp_path: Path
) -> None:
    from ysdesk.services.exporter import export_list
    from ysdesk.services.importer import parse_file, plan_info

    path = export_list(sample_store, 2025, tmp_path / "list.xlsx", today=date(2026, 11, 27))
    wb = openpyxl.load_workbook(path)
    ws = wb["项目清单"]
    first = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 12).value)
    ws.cell(first, 11).value = "改了备注"
    wb.save(path)
    rows = parse_file(path, plan_info(sample_store)).sheet.rows
    assert [r.untouched for r in rows].count(False) == 1 and not rows[0].untouched
    assert rows[1].untouched and "goal" not in rows[1].values
    rows[1].ensure_values()
    assert not rows[1].untouched and rows[1].values["goal"]
