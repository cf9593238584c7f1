"""The brief's content against the database: every number printed is the store's number."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import IndicatorValue, ProjectFilter, Status
from ysdesk.exchange import pdf
from ysdesk.exchange.pdf import libreoffice_available
from ysdesk.services.brief import (
    BriefSettings,
    build_brief,
    default_next_steps,
    generate_brief,
    indicator_sentence,
    next_steps_paragraphs,
    reason_from,
    record_brief,
    suggest_settings,
    write_brief,
)
from ysdesk.store import Store
from ysdesk.store.briefs import list_briefs


def _texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _body(build) -> str:
    return "\n".join(p.lead + p.text for p in build.document.body)


def test_overall_numbers_match_the_database(sample_store: Store, today: date) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    projects = sample_store.list_projects(ProjectFilter(year=2025), today=today)
    overdue = sample_store.list_projects(ProjectFilter(year=2025, overdue_only=True), today=today)
    text = _body(build)
    assert f"共安排项目{len(projects)}个" in text
    for status in Status:
        n = sum(p.status is status for p in projects)
        if n:
            assert f"{status.value}{n}个" in text
    done = sum(p.status is Status.DONE for p in projects)
    assert f"完成率{round(done * 100 / len(projects), 1)}%" in text
    assert f"逾期项目{len(overdue)}个" in text
    lagging_overdue = sum(p.status is Status.LAGGING for p in overdue)
    assert f"其中已标注滞后的{lagging_overdue}个" in text
    for area in sample_store.areas():
        in_area = [p for p in projects if p.area_no == area.no]
        area_done = sum(p.status is Status.DONE for p in in_area)
        assert f"{area.title}{len(in_area)}个、已完成{area_done}个" in text
    assert build.stats["total"] == len(projects)
    assert build.stats["overdue"] == len(overdue)


def test_each_task_paragraph_counts_its_projects(sample_store: Store, today: date) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    projects = sample_store.list_projects(ProjectFilter(year=2025), today=today)
    task_paras = {p.lead: p.text for p in build.document.body if p.level == 3 and p.lead}
    for task in sample_store.tasks():
        mine = [p for p in projects if p.task_no == task.no]
        text = task_paras[f"{task.no}.{task.title}。"]
        if mine:
            assert text.startswith(f"安排项目{len(mine)}个")
            done = [p for p in mine if p.status is Status.DONE]
            if done:
                assert f"已完成{len(done)}个" in text
                assert f"“{done[0].name.replace('“', '‘').replace('”', '’')}”" in text
        else:
            assert text == "本年度清单未安排项目。"


def test_problems_list_lagging_projects_with_units_and_reasons(
    sample_store: Store, today: date
) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    lagging = sample_store.list_projects(
        ProjectFilter(year=2025, status=Status.LAGGING), today=today
    )
    body = list(build.document.body)
    (heading,) = [p for p in body if p.lead.startswith("（一）滞后项目")]
    assert heading.lead == f"（一）滞后项目{len(lagging)}个。"
    items = [p for p in body if p.level == 4]
    assert len(items) == min(len(lagging), 20)
    first = lagging[0]
    assert f"牵头单位：{'、'.join(first.lead_units)}" in items[0].text
    assert f"原因：{reason_from(first.progress)}" in items[0].text
    overdue_other = [
        p
        for p in sample_store.list_projects(
            ProjectFilter(year=2025, overdue_only=True), today=today
        )
        if p.status is not Status.LAGGING
    ]
    if overdue_other:
        assert any(p.lead.endswith(f"逾期未完成项目{len(overdue_other)}个。") for p in body)


def test_no_problems_is_said_plainly(fresh_store: Store, today: date) -> None:
    from ysdesk.domain.model import Project

    fresh_store.insert_project(
        Project(
            id=None,
            year=2025,
            name="示范项目",
            task_no=1,
            lead_units=("区科委",),
            status=Status.DONE,
            deadline_text="2025年12月底前",
        )
    )
    build = build_brief(fresh_store, 2025, BriefSettings(date=today), today)
    text = _body(build)
    assert "暂无滞后或逾期未完成项目" in text
    assert "暂无逾期项目" in text
    assert "共安排项目1个" in text


def test_indicators_show_target_latest_value_and_gap(sample_store: Store, today: date) -> None:
    indicators = sample_store.indicators()
    rd = next(i for i in indicators if "研发经费" in i.name)
    sample_store.set_indicator_value(IndicatorValue(rd.id, 2024, 4.6, "区统计局"))
    sample_store.set_indicator_value(IndicatorValue(rd.id, 2025, 4.9, "区统计局"))
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    (para,) = [p for p in build.document.body if p.level == 3 and rd.name in p.lead]
    assert para.text == (
        "目标为2027年达到5.5%；最新值为4.9%（2025年，来源：区统计局）；距目标还差0.6个百分点。"
    )
    others = [p for p in build.document.body if p.level == 3 and "独角兽" in p.lead]
    assert others[0].text.endswith("最新值尚未录入，差距暂无法测算。")


def test_indicator_reached_and_at_least_targets() -> None:
    from ysdesk.domain.model import Indicator

    share = Indicator(2, "数字经济核心产业占全市比重", "%", 20.0, 2027, "≥")
    assert indicator_sentence(share, IndicatorValue(2, 2025, 21.0)).endswith("已达到目标值。")
    assert "20%以上" in indicator_sentence(share, None)
    count = Indicator(4, "独角兽企业", "家", 20.0, 2030)
    assert indicator_sentence(count, IndicatorValue(4, 2025, 12)).endswith("距目标还差8家。")


def test_reason_is_taken_from_the_sentence_that_names_it() -> None:
    text = "平台已挂牌。受选址调整影响，设备采购尚未启动。下一步加快推进。"
    assert reason_from(text) == "受选址调整影响，设备采购尚未启动"
    assert reason_from("已完成场地装修。正在招商。") == "正在招商"
    assert reason_from("") == "牵头单位尚未报送进展情况"


def test_next_steps_default_and_typed_text(sample_store: Store, today: date) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    lagging = build.stats["by_status"]["滞后"]
    default = default_next_steps(2025, build.stats, 4)
    assert f"对{lagging}个滞后项目、{build.stats['overdue']}个逾期未完成项目" in default
    assert "2026年度项目清单" in default
    paras = next_steps_paragraphs("（一）抓督办。每月通报。\n普通一段。\n\n1.细化清单。逐项落实。")
    assert [(p.level, p.lead, p.text) for p in paras] == [
        (2, "（一）抓督办。", "每月通报。"),
        (0, "", "普通一段。"),
        (3, "1.细化清单。", "逐项落实。"),
    ]
    custom = replace(BriefSettings(date=today), next_steps="（一）专项督查。年底前完成。")
    build = build_brief(sample_store, 2025, custom, today)
    after = [p for p in build.document.body if p.lead == "（一）专项督查。"]
    assert after and after[0].text == "年底前完成。"


def test_settings_are_remembered_and_the_next_issue_is_suggested(
    sample_store: Store, today: date, tmp_path: Path
) -> None:
    first = suggest_settings(sample_store, today)
    assert first.issue_no == 1 and first.total_issue_no is None and first.date == today
    settings = replace(
        first, issue_no=4, total_issue_no=20, editor="区推进办", copies=25, report_to="区领导"
    )
    _output, record = generate_brief(sample_store, 2025, settings, tmp_path / "b.docx", today)
    assert record.issue_no == 4
    suggested = suggest_settings(sample_store, date(2026, 12, 30))
    assert (suggested.issue_no, suggested.total_issue_no) == (5, 21)
    assert suggested.editor == "区推进办" and suggested.copies == 25
    assert suggested.report_to == "区领导"
    assert suggested.date == date(2026, 12, 30)
    (saved,) = list_briefs(sample_store)
    assert saved.settings["editor"] == "区推进办"
    assert saved.stats["total"] == sample_store.project_count(2025)
    assert saved.path == str(tmp_path / "b.docx")


def test_change_since_the_previous_brief(sample_store: Store, today: date, tmp_path: Path) -> None:
    settings = BriefSettings(issue_no=1, date=date(2026, 10, 30))
    generate_brief(sample_store, 2025, settings, tmp_path / "1.docx", today)
    before = sample_store.list_projects(ProjectFilter(year=2025, status=Status.LAGGING))
    done_before = len(sample_store.list_projects(ProjectFilter(year=2025, status=Status.DONE)))
    target = before[0]
    sample_store.update_project(
        target.id, {"status": Status.DONE.value}, expected_version=target.version
    )
    build = build_brief(sample_store, 2025, replace(settings, issue_no=2, date=today), today)
    (change,) = [p.text for p in build.document.body if p.text.startswith("与上期简报")]
    assert change.startswith("与上期简报（第1期，2026年10月30日）相比")
    assert f"已完成项目由上期的{done_before}个增加到{done_before + 1}个" in change
    assert f"滞后项目由上期的{len(before)}个减少到{len(before) - 1}个" in change
    assert "项目总数与上期持平" in change
    # Regenerating issue 1 does not compare it with itself.
    again = build_brief(sample_store, 2025, settings, today)
    assert not [p for p in again.document.body if p.text.startswith("与上期简报")]


def test_refusals(sample_store: Store, today: date) -> None:
    with pytest.raises(UserError, match="2030 年度没有项目"):
        build_brief(sample_store, 2030, BriefSettings(date=today), today)
    with pytest.raises(UserError, match="期号"):
        build_brief(sample_store, 2025, BriefSettings(issue_no=0), today)
    with pytest.raises(UserError, match="总期号"):
        build_brief(sample_store, 2025, BriefSettings(issue_no=5, total_issue_no=2), today)
    assert list_briefs(sample_store) == []


def test_settings_json_round_trip() -> None:
    settings = BriefSettings(issue_no=2, total_issue_no=9, date=date(2026, 1, 2), copies=None)
    assert BriefSettings.from_json(settings.to_json()) == settings
    assert BriefSettings.from_json({"issue_no": 3, "unknown": 1, "date": "bad"}).issue_no == 3


def test_docx_of_the_sample_list_carries_the_numbers(
    sample_store: Store, today: date, tmp_path: Path
) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    output = write_brief(build, tmp_path / "brief.docx")
    texts = _texts(output.docx)
    total = sample_store.project_count(2025)
    assert any(f"共安排项目{total}个" in t for t in texts)
    document = docx.Document(str(output.docx))
    data_rows = [
        r for t in document.tables[1:] for r in t.rows[1:] if re.fullmatch(r"\d+", r.cells[0].text)
    ]
    assert [int(r.cells[0].text) for r in data_rows] == list(range(1, total + 1))
    names = {p.name for p in sample_store.list_projects(ProjectFilter(year=2025))}
    assert {r.cells[1].text for r in data_rows} == names


def test_pdf_without_libreoffice_still_writes_the_docx(
    sample_store: Store, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pdf.ENV_SOFFICE, "")
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    output = write_brief(build, tmp_path / "brief.docx", pdf=True)
    assert output.docx.exists() and output.pdf is None
    assert "未找到 LibreOffice" in output.pdf_message
    record = record_brief(sample_store, build, output.docx)
    assert record.issue_no == 1


@pytest.mark.libreoffice
@pytest.mark.skipif(
    not libreoffice_available() or shutil.which("pdftotext") is None,
    reason="LibreOffice or pdftotext is not installed",
)
def test_sample_brief_in_libreoffice_has_22_lines_per_body_page(
    sample_store: Store, today: date, tmp_path: Path
) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    output = write_brief(build, tmp_path / "brief.docx", pdf=True)
    assert output.pdf is not None and output.pdf.stat().st_size > 10_000
    counts = []
    for page in (2, 3):
        result = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(output.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        assert re.fullmatch(rf"—\s*{page}\s*—", lines[-1]), lines[-1]
        counts.append(len(lines) - 1)
    assert all(21 <= n <= 23 for n in counts), counts
