"""Reading a sheet's columns: synonyms, maps, saved mappings, guesses, precise refusals."""

from __future__ import annotations

import pytest

from ysdesk.domain.errors import BadFileError, UserError
from ysdesk.domain.model import Task, Unit
from ysdesk.domain.units import UnitResolver
from ysdesk.exchange.columns import (
    SKIP,
    ColumnsError,
    ReadOptions,
    SavedColumns,
    field_name,
    header_signature,
    parse_map,
    year_value,
)
from ysdesk.exchange.sheets import SheetGrid
from ysdesk.exchange.xlsx_import import PlanInfo, parse_workbook

TASKS = [Task(1, 1, "服务国家战略科技力量建设", ""), Task(4, 1, "加速集聚一流科技人才", "")]
ZONES = ["科技创新策源区", "产业创新承载区", "生态创新融合区", "辐射溢出联动区"]
UNITS = [
    Unit(1, "区科委", aliases=("区科技委",)),
    Unit(2, "复旦大学", aliases=("复旦",)),
    Unit(3, "区人才局"),
    Unit(4, "同济大学"),
    Unit(5, "区人社局"),
]
PLAN = PlanInfo(tasks=TASKS, zones=ZONES, resolver=UnitResolver(UNITS))

RESEARCH = [
    ["项目名称", "负责单位", "立项年度", "研究目标"],
    ["类脑智能概念验证中心", "复旦大学", 2025, "建成概念验证平台，完成5项成果转化"],
    ["数字城市研究院", "同济大学", "2025年", "形成数字城市标准3项"],
    ["交叉学科研究院", "区科委", 2024, "完成一期场地建设"],
]
TODO = [
    ["待办事项", "责任部门", "配合部门", "计划完成时间", "进展情况"],
    ["战略科学家引进工程", "区人才局", "区科委、复旦大学", "2026年底前", "已签约1位"],
    ["人才认定机制建设", "区人才局", "区人社局", "2025年9月", "目录已报审"],
]


def _grid(rows: list[list], merged: list | None = None, name: str = "表") -> SheetGrid:
    width = max(len(r) for r in rows)
    return SheetGrid(
        name=name, rows=[r + [None] * (width - len(r)) for r in rows], merged=merged or []
    )


def _parse(grids, **options):
    return parse_workbook(grids, PLAN, file_name="x.xlsx", options=ReadOptions(**options))


def _read(sheet) -> list[tuple[str, str | None, str]]:
    return [(c.header, c.public_field, c.source) for c in sheet.reading.report]


def test_unknown_headers_are_guessed_from_their_words_and_cells() -> None:
    sheet = _parse([_grid(RESEARCH)])
    assert _read(sheet) == [
        ("项目名称", "name", "alias"),
        ("负责单位", "lead", "guess"),
        ("立项年度", "year", "alias"),
        ("研究目标", "goal", "guess"),
    ]
    assert [c.column for c in sheet.reading.report] == ["A", "B", "C", "D"]
    guessed = [m for m in sheet.messages if "按其表头和内容读作" in m]
    assert guessed == [
        "“负责单位”列（B）不在常用表头中，按其表头和内容读作“牵头单位”。",
        "“研究目标”列（D）不在常用表头中，按其表头和内容读作“年度目标”。",
    ]
    first = sheet.rows[0].values
    assert first["lead_units"] == ["复旦大学"] and first["goal"].startswith("建成")
    assert [r.values["year"] for r in sheet.rows] == [2025, 2025, 2024]


def test_a_header_whose_cells_disagree_is_not_guessed_but_listed() -> None:
    rows = [[*r, "备注"] if i == 0 else [*r, "无"] for i, r in enumerate(RESEARCH)]
    rows[1][1] = rows[2][1] = rows[3][1] = "张三"  # people, not units
    rows[0].append("联系电话")
    for row in rows[1:]:
        row.append("021-12345678")
    with pytest.raises(ColumnsError) as caught:
        _parse([_grid(rows)])
    error = caught.value
    assert error.problem.startswith("工作表“表”第 1 行的表头（项目名称、负责单位、")
    assert "只认出了项目名称、立项年度（年度）、研究目标（年度目标）、备注，缺少" in error.message
    assert "--map 表头=字段" in error.message
    reading = {c.header: (c.public_field, c.source) for c in error.report}
    assert reading["负责单位"] == (None, "none")
    assert reading["联系电话"] == (None, "none")
    # Said to be a unit by the user, it is read as one.
    sheet = _parse([_grid(rows)], maps=(("负责单位", "lead_units"),))
    assert sheet.rows[0].values["lead_units"] == ["张三"]
    listed = [m for m in sheet.messages if m.startswith("未识别、未导入的列")]
    assert listed == ["未识别、未导入的列：“联系电话”（F）。"]


def test_no_column_that_can_be_a_name_names_the_one_to_map() -> None:
    with pytest.raises(ColumnsError) as caught:
        _parse([_grid(TODO, name="督办")])
    assert caught.value.message == (
        "工作表“督办”第 1 行的表头（待办事项、责任部门、配合部门、计划完成时间、进展情况）"
        "中没有可作项目名称的列；如“待办事项”是项目名称，请加 --map 待办事项=name。"
    )
    assert [c.public_field for c in caught.value.report] == [
        None,
        "lead",
        "co",
        "deadline",
        "progress",
    ]
    sheet = _parse([_grid(TODO, name="督办")], maps=(("待办事项", "name"),))
    assert _read(sheet)[0] == ("待办事项", "name", "map")
    assert [r.values["name"] for r in sheet.rows] == ["战略科学家引进工程", "人才认定机制建设"]
    assert sheet.rows[0].values["co_units"] == ["区科委", "复旦大学"]


def test_map_to_skip_ignores_a_column_and_unknown_headers_are_refused() -> None:
    sheet = _parse([_grid(TODO)], maps=(("待办事项", "name"), ("配合部门", SKIP)))
    assert _read(sheet)[2] == ("配合部门", "skip", "map")
    assert "co_units" not in sheet.rows[0].values
    with pytest.raises(UserError, match="“待办”不在工作表“表”第 1 行的表头中"):
        _parse([_grid(TODO)], maps=(("待办", "name"),))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("待办事项=name", ("待办事项", "name")),
        ("负责单位 = lead", ("负责单位", "lead_units")),
        ("研究目标＝goal", ("研究目标", "goal")),  # a full-width equals sign
        ("联系人=skip", ("联系人", SKIP)),
        ("计划完成时间=完成时限", ("计划完成时间", "deadline_text")),
        ("立项年度=YEAR", ("立项年度", "year")),
    ],
)
def test_map_arguments(text: str, expected: tuple[str, str]) -> None:
    assert parse_map(text) == expected


@pytest.mark.parametrize("text", ["待办事项", "=name", "待办事项=", "待办事项=名字"])
def test_bad_map_arguments_are_one_sentence(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_map(text)
    assert caught.value.message.endswith("。") and "\n" not in caught.value.message


def test_field_names_are_the_set_commands() -> None:
    assert field_name("deadline") == "deadline_text" and field_name("co") == "co_units"
    with pytest.raises(UserError, match="可用的字段有 name、goal、task、zones、lead、co"):
        field_name("owner")


def test_two_row_header_with_unknown_labels_under_a_merged_group() -> None:
    rows = [
        ["序号", "具体事项", "承办单位", None, "办结时间"],
        [None, None, "主办处室", "协同处室", None],
        [1, "甲事项", "区科委", "复旦大学", "2025年6月"],
        [2, "乙事项", "区人才局", "区人社局、同济大学", "2025年底前"],
    ]
    merged = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)]
    sheet = _parse([_grid(rows, merged)], maps=(("具体事项", "name"),))
    assert sheet.header_rows == (1, 2)
    assert _read(sheet) == [
        ("序号", None, "alias"),
        ("具体事项", "name", "map"),
        ("承办单位/主办处室", "lead", "guess"),
        ("承办单位/协同处室", "co", "guess"),
        ("办结时间", "deadline", "guess"),
    ]
    assert sheet.rows[1].values["co_units"] == ["区人社局", "同济大学"]
    assert sheet.rows[1].values["deadline_text"] == "2025年底前"
    # The sub-label alone names its column for --map.
    sheet = _parse([_grid(rows, merged)], maps=(("具体事项", "name"), ("协同处室", SKIP)))
    assert _read(sheet)[3] == ("承办单位/协同处室", "skip", "map")


def test_several_sheets_that_could_be_the_list_are_named() -> None:
    header = ["项目名称", "牵头单位", "完成时限", "进展情况"]
    older = _grid([header, ["甲", "区科委", "2024年底", "已完成"]], name="二〇二四年")
    newer = _grid([header, ["乙", "区科委", "2025年底", "推进中"]], name="二〇二五年")
    notes = _grid([["填报说明"], ["请按时填报"]], name="说明")
    with pytest.raises(ColumnsError) as caught:
        _parse([notes, older, newer])
    assert caught.value.message == (
        "文件“x.xlsx”有 2 个工作表都像项目清单：“二〇二四年”（第 1 行：项目名称、牵头单位、"
        "完成时限、进展情况）、“二〇二五年”（第 1 行：项目名称、牵头单位、完成时限、进展情况）"
        "；请用 --sheet 指定其一，如 --sheet 二〇二五年。"
    )
    assert caught.value.sheets == ["二〇二四年", "二〇二五年"]
    assert _parse([notes, older, newer], sheet="二〇二四年").rows[0].values["name"] == "甲"
    # The year asked for picks the sheet named with it.
    by_year = parse_workbook([notes, older, newer], PLAN, file_name="x.xlsx", year=2025)
    assert by_year.sheet == "二〇二五年"
    assert "按年度选用了工作表“二〇二五年”。" in by_year.messages
    with pytest.raises(UserError, match="没有工作表“2026”；其中的工作表：“说明”、“二〇二四年”"):
        _parse([notes, older, newer], sheet="2026")


def test_a_header_without_rows_under_it_is_said_so() -> None:
    rows = [["2025年项目清单"], ["项目名称", "牵头单位", "完成时限", "推进状态"], [None] * 4]
    with pytest.raises(BadFileError) as caught:
        _parse([_grid(rows, name="清单")])
    assert caught.value.message == (
        "工作表“清单”第 2 行是项目清单的表头（项目名称、牵头单位、完成时限、推进状态），"
        "但其下没有项目行。"
    )


@pytest.mark.parametrize(
    "rows",
    [
        [  # a budget table
            ["序号", "预算科目", "预算金额（万元）", "已支出", "执行率"],
            [1, "办公经费", 120.5, 80.2, 0.66],
            [2, "差旅费", 30, 12, 0.4],
        ],
        [  # a ledger
            ["日期", "摘要", "借方", "贷方", "余额"],
            ["2025-01-03", "购买办公用品", 300, None, 9700],
            ["2025-01-05", "报销差旅", 1200, None, 8500],
        ],
    ],
)
def test_a_plainly_unrelated_sheet_is_refused_in_one_sentence(rows) -> None:
    with pytest.raises(BadFileError) as caught:
        _parse([_grid(rows)])
    assert not isinstance(caught.value, ColumnsError)
    assert caught.value.message == (
        "文件“x.xlsx”中找不到项目清单的表头（至少需要“项目名称”及牵头单位、完成时限等列）。"
    )


def test_the_header_row_can_be_named() -> None:
    rows = [["项目名称", "牵头单位", "完成时限"], ["说明", "x", "y"], *RESEARCH]
    sheet = _parse([_grid(rows)], header_row=3)
    assert sheet.header_rows == (3, 3) and sheet.rows[0].values["name"] == "类脑智能概念验证中心"
    with pytest.raises(UserError, match="第 9 行是空行，不能作表头"):
        _parse([_grid(rows)], header_row=9)


def test_a_saved_mapping_reads_the_same_headers_and_says_so() -> None:
    signature = header_signature(TODO[0])
    saved = SavedColumns(
        id=7,
        fields={"待办事项": "name"},
        headers=tuple(TODO[0]),
        file_name="督办.xlsx",
        saved_at="2025-10-01 09:00:00",
        unit="区人才局",
    )
    # The same headers in another order are the same signature.
    shuffled = [[row[i] for i in (4, 0, 2, 1, 3)] for row in TODO]
    assert header_signature(shuffled[0]) == signature
    sheet = _parse([_grid(shuffled)], saved={signature: saved})
    assert ("待办事项", "name", "saved") in _read(sheet)
    assert sheet.messages[0] == (
        "表头与 2025-10-01 从“督办.xlsx”保存的列对应（区人才局）相同（编号 7），"
        "已按其读取：待办事项→项目名称。"
    )
    assert sheet.reading.learned() == {"待办事项": "name"}
    # The user's map wins over the saved one.
    mapped = _parse([_grid(TODO)], saved={signature: saved}, maps=(("进展情况", SKIP),))
    assert ("进展情况", "skip", "map") in _read(mapped)


def test_a_units_mapping_that_no_longer_fits_is_not_used_and_said_why() -> None:
    then = [*TODO[0][:4], "工作进展"]
    old = SavedColumns(
        id=3, fields={"待办事项": "name", "工作进展": "progress"}, headers=tuple(then)
    )
    changed = [["督办事项", *TODO[0][1:]], *TODO[1:]]
    with pytest.raises(ColumnsError):  # the old mapping does not name the renamed column
        _parse(
            [_grid(changed)], saved={header_signature(then): old}, unit="区人才局", unit_saved=[old]
        )
    sheet = _parse(
        [_grid(changed)],
        saved={header_signature(then): old},
        unit="区人才局",
        unit_saved=[old],
        maps=(("督办事项", "name"),),
    )
    assert (
        "“区人才局”保存的列对应（编号 3）与本表表头不符（本表没有“待办事项”、“工作进展”，"
        "多了“督办事项”、“进展情况”），未采用。" in sheet.messages
    )


@pytest.mark.parametrize(
    ("cell", "year"),
    [
        (2025, 2025),
        (2025.0, 2025),
        ("2025", 2025),
        ("2025年", 2025),
        ("２０２４年度", 2024),
        ("二〇二五年", 2025),
        ("二零二三", 2023),
        ("明年", None),
        (25, None),
        (True, None),
        (None, None),
    ],
)
def test_year_cells(cell, year) -> None:
    assert year_value(cell) == year


def test_an_unreadable_year_is_a_row_error() -> None:
    rows = [
        RESEARCH[0],
        ["甲", "复旦大学", "去年", "目标文字"],
        ["乙", "复旦大学", 2025, "目标文字"],
    ]
    sheet = _parse([_grid(rows)])
    assert sheet.rows[0].errors == ["无法识别的年度“去年”"] and not sheet.rows[1].errors
