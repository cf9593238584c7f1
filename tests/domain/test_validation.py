"""One validation of a project: each rule gives its field one sentence."""

from __future__ import annotations

import pytest

from ysdesk.domain.errors import ValidationError
from ysdesk.domain.validation import PlanNames, check_project, project_problems

PLAN = PlanNames(
    task_nos=frozenset(range(1, 24)),
    units=frozenset({"区科委", "复旦大学", "同济大学"}),
    zones=("科技创新策源区", "产业创新承载区"),
)
GOOD = {
    "name": "概念验证中心",
    "year": 2025,
    "task_no": 3,
    "zones": ("科技创新策源区",),
    "lead_units": ("区科委",),
    "co_units": ("复旦大学",),
    "status": "推进中",
}


def test_a_complete_project_has_no_problem() -> None:
    assert project_problems(GOOD, PLAN) == {}
    check_project(GOOD, PLAN)
    assert project_problems({}, PLAN) == {}  # fields not given are not checked


@pytest.mark.parametrize(
    ("change", "field", "sentence"),
    [
        ({"name": " \n"}, "name", "请填写项目名称。"),
        ({"task_no": 0}, "task_no", "请选择重点任务。"),
        ({"task_no": 24}, "task_no", "没有第 24 项重点任务（应为 1–23）。"),
        ({"lead_units": ()}, "lead_units", "至少需要一个牵头单位。"),
        ({"lead_units": ("区科委", "火星局")}, "lead_units", "单位名录中没有“火星局”。"),
        ({"co_units": ("月球局", "水星局")}, "co_units", "单位名录中没有“月球局、水星局”。"),
        ({"co_units": ("区科委",)}, "co_units", "“区科委”已是牵头单位，不能同时配合。"),
        (
            {"zones": ("火星区",)},
            "zones",
            "没有名为“火星区”的功能区（可选：科技创新策源区、产业创新承载区）。",
        ),
        ({"year": 1899}, "year", "年度应在 1900–2200 之间：1899。"),
        (
            {"status": "开心"},
            "status",
            "无法识别的推进状态“开心”（可选：未启动、推进中、已完成、滞后、暂缓）。",
        ),
    ],
)  # fmt: skip
def test_each_rule_names_its_field(change: dict, field: str, sentence: str) -> None:
    assert project_problems(GOOD | change, PLAN) == {field: sentence}
    with pytest.raises(ValidationError) as info:
        check_project(GOOD | change, PLAN)
    if field == "name":
        assert info.value.message == sentence
    else:
        assert info.value.message == f"项目“概念验证中心”未保存：{sentence}"


def test_every_broken_field_is_reported_once() -> None:
    bad = {"name": "", "task_no": 99, "lead_units": (), "co_units": ("火星局",), "year": 3000}
    assert set(project_problems(bad, PLAN)) == {"name", "task_no", "lead_units", "co_units", "year"}
