"""The brief's content against the database: every number printed is the store's number."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import IndicatorValue, Project, ProjectFilter, Status
from ysdesk.exchange import pdf
from ysdesk.exchange.docx_brief import BODY
from ysdesk.exchange.pdf import libreoffice_available
from ysdesk.services.brief import (
    STATUS_PHRASES,
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
from ysdesk.services.indicators import (
    format_gap,
    format_value,
    indicator_status,
    indicator_statuses,
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
    (first, late, areas, *_rest) = [p.text for p in build.document.body if p.level == BODY]
    assert f"共安排项目{len(projects)}个" in first
    assert f"覆盖方案全部{len(sample_store.tasks())}项重点任务" in first
    leads = {u for p in projects for u in p.lead_units}
    assert f"牵头单位{len(leads)}家" in first
    for status in Status:
        n = sum(p.status is status for p in projects)
        if n:
            assert f"{STATUS_PHRASES[status]}{n}个" in first
    done = sum(p.status is Status.DONE for p in projects)
    assert f"已完成{done}个，完成率{round(done * 100 / len(projects), 1)}%" in first
    assert f"逾期项目{len(overdue)}个" in late
    lagging_overdue = sum(p.status is Status.LAGGING for p in overdue)
    other = len(overdue) - lagging_overdue
    assert f"其中{lagging_overdue}个已报进度滞后，另有{other}个（" in late
    for status in (Status.IN_PROGRESS, Status.NOT_STARTED, Status.PAUSED):
        n = sum(p.status is status for p in overdue)
        assert (f"{STATUS_PHRASES[status]}{n}个" in late) == bool(n)
    # Areas from the highest completion rate down, each with the store's rate.
    rates = []
    for area in sample_store.areas():
        in_area = [p for p in projects if p.area_no == area.no]
        area_done = sum(p.status is Status.DONE for p in in_area)
        rate = round(area_done * 100 / len(in_area), 1)
        assert re.search(rf"{area.title}领域(项目完成率最高，为)?{rate}%", areas), areas
        rates.append((rate, areas.index(area.title)))
    assert [at for _rate, at in sorted(rates, key=lambda r: -r[0])] == sorted(
        at for _r, at in rates
    )
    assert "完成率最高" in areas
    assert build.stats["total"] == len(projects)
    assert build.stats["overdue"] == len(overdue)


def test_each_task_paragraph_counts_and_names_its_projects(
    sample_store: Store, today: date
) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    projects = sample_store.list_projects(ProjectFilter(year=2025), today=today)
    task_paras = {p.lead: p.text for p in build.document.body if p.level == 3 and p.lead}
    for task in sample_store.tasks():
        mine = [p for p in projects if p.task_no == task.no]
        text = task_paras[f"{task.no}.{task.title}。"]
        if not mine:
            assert text == "本年度清单未安排项目。"
            continue
        assert text.startswith(f"安排项目{len(mine)}个。")
        for status in Status:
            group = [p for p in mine if p.status is status]
            phrase = STATUS_PHRASES[status]
            if len(group) == 1:
                assert f"{_quoted(group[0].name)}{phrase}" in text, text
            elif group:
                names = "".join(_quoted(p.name) for p in group[:5])
                assert f"{phrase}{len(group)}个：{names}" in text, text
        # Each project is named once, past-deadline ones are flagged where they are named.
        for p in mine:
            assert text.count(_quoted(p.name)) == 1 or p.status is Status.IN_PROGRESS
        late = [p for p in mine if p.is_overdue(today) and p.status is not Status.LAGGING]
        assert ("已过完成时限" in text) == bool(late)
        assert "、“" not in text  # no 顿号 between quoted names


def _quoted(name: str) -> str:
    return "“" + name.replace("“", "‘").replace("”", "’") + "”"


def test_area_openers_break_the_area_down(sample_store: Store, today: date) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    projects = sample_store.list_projects(ProjectFilter(year=2025), today=today)
    body = list(build.document.body)
    for area in sample_store.areas():
        at = body.index(next(p for p in body if p.level == 2 and p.text == area.label))
        opener = body[at + 1].text
        in_area = [p for p in projects if p.area_no == area.no]
        tasks = [t for t in sample_store.tasks() if t.area_no == area.no]
        assert opener.startswith(f"本领域{len(tasks)}项重点任务共安排项目{len(in_area)}个，")
        for status in Status:
            n = sum(p.status is status for p in in_area)
            assert (f"{STATUS_PHRASES[status]}{n}个" in opener) == bool(n)


def test_a_progress_note_follows_a_name_directly_only_after_an_adverb() -> None:
    from ysdesk.services.brief import _task_sentence

    def project(name: str, progress: str) -> Project:
        return Project(
            id=None,
            year=2025,
            name=name,
            task_no=1,
            lead_units=("区科委",),
            status=Status.IN_PROGRESS,
            progress=progress,
        )

    text = _task_sentence(
        [project("甲", "已引进团队3个。其余在谈。"), project("乙", "")], date(2025, 6, 1)
    )
    assert text == "安排项目2个。正在推进2个：“甲”“乙”，其中“甲”已引进团队3个。"
    text = _task_sentence([project("甲", "2025年新认定2家。"), project("乙", "")], date(2025, 6, 1))
    assert "其中“甲”，2025年新认定2家。" in text


def test_problems_list_lagging_projects_with_units_and_reasons(
    sample_store: Store, today: date
) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    lagging = sample_store.list_projects(
        ProjectFilter(year=2025, status=Status.LAGGING), today=today
    )
    body = list(build.document.body)
    (heading,) = [p for p in body if p.lead.startswith("（一）进度滞后项目")]
    assert heading.lead == f"（一）进度滞后项目{len(lagging)}个。"
    firsts = Counter(p.lead_units[0] for p in lagging)
    for unit, n in firsts.items():
        assert f"{unit}{n}个" in heading.text
    items = [p for p in body if p.level == 4]
    assert len(items) == min(len(lagging), 20)
    first = lagging[0]
    assert f"（{'、'.join(first.lead_units)}牵头，完成时限{first.deadline_text}）" in items[0].text
    assert f"原因：{reason_from(first.progress)}" in items[0].text
    overdue_other = [
        p
        for p in sample_store.list_projects(
            ProjectFilter(year=2025, overdue_only=True), today=today
        )
        if p.status is not Status.LAGGING
    ]
    assert overdue_other
    (late,) = [p for p in body if p.lead.endswith(f"逾期未完成项目{len(overdue_other)}个。")]
    for p in overdue_other:
        assert _quoted(p.name) in late.text
    idle = [p for p in body if p.lead.startswith("（三）尚未启动或暂缓实施项目")]
    assert idle and "尚未启动" in idle[0].text and "暂缓实施" in idle[0].text


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


def test_indicators_say_what_the_indicator_service_says(sample_store: Store, today: date) -> None:
    rd, digital, incubation, _unicorn = sample_store.indicators()
    # On track, behind, met and no value at all.
    sample_store.set_indicator_value(IndicatorValue(rd.id, 2024, 4.6, "区统计局"))
    sample_store.set_indicator_value(IndicatorValue(rd.id, 2025, 5.057, "区统计局"))
    sample_store.set_indicator_value(IndicatorValue(digital.id, 2024, 12.0))
    sample_store.set_indicator_value(IndicatorValue(digital.id, 2025, 12.5))
    sample_store.set_indicator_value(IndicatorValue(incubation.id, 2025, 41.0))
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    paras = {p.lead: p.text for p in build.document.body if p.level == 3}
    statuses = indicator_statuses(sample_store)
    assert {s.judgement for s in statuses} >= {"符合进度", "落后于进度", "已达标", "暂无实际值"}
    for index, status in enumerate(statuses, start=1):
        ind = status.indicator
        text = paras[f"{index}.{ind.name}。"]
        assert text.endswith(f"{status.judgement}。") or status.latest is None, text
        assert f"{ind.target_year}年达到{format_value(ind, ind.target_value)}" in text
        if status.latest is None:
            assert "暂无实际值" in text
            continue
        assert f"{status.latest.year}年实际值为{format_value(ind, status.latest.value)}" in text
        if status.gap > 0:
            assert f"还差{format_gap(ind, status.gap).replace(' ', '')}" in text
            assert f"需年均提高{format_gap(ind, status.needed_per_year).replace(' ', '')}" in text
        else:
            assert "还差" not in text
    assert paras[f"1.{rd.name}。"] == (
        "2025年实际值为5.06%（来源：区统计局），目标为2027年达到5.5%，还差0.44个百分点，"
        "需年均提高0.22个百分点，符合进度。"
    )
    assert paras[f"2.{digital.name}。"].startswith("2025年实际值为12.5%，目标为2027年达到20%以上")


def test_indicators_without_values_are_one_sentence(sample_store: Store, today: date) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    body = list(build.document.body)
    at = body.index(next(p for p in body if p.text == "四、目标指标"))
    assert body[at + 1].text == (
        "方案确定的目标指标共4项：全社会研发经费投入占GDP比重2027年达到5.5%，"
        "数字经济核心产业占全市比重2027年达到20%以上，企业孵化活化率2030年达到40%，"
        "独角兽企业2030年达到20家。目前各项指标均暂无实际值，差距无法测算。"
    )
    assert body[at + 2].text == "五、下一步工作"


def test_indicator_sentence_for_a_count_and_a_missed_deadline() -> None:
    from ysdesk.domain.model import Indicator

    count = Indicator(4, "独角兽企业", "家", 20.0, 2030)
    status = indicator_status(count, [IndicatorValue(4, 2025, 12), IndicatorValue(4, 2026, 13)])
    assert indicator_sentence(status) == (
        "2026年实际值为13家，目标为2030年达到20家，还差7家，需年均提高1.75家，落后于进度。"
    )
    late = indicator_status(count, [IndicatorValue(4, 2030, 18)])
    assert indicator_sentence(late).endswith("还差2家，到期未达标。")
    assert indicator_sentence(indicator_status(count, [])) == (
        "目标为2030年达到20家；暂无实际值，差距无法测算。"
    )


def test_reason_is_taken_from_the_sentence_that_names_it() -> None:
    text = "平台已挂牌。受选址调整影响，设备采购尚未启动。下一步加快推进。"
    assert reason_from(text) == "受选址调整影响，设备采购尚未启动"
    assert reason_from("已完成场地装修。正在招商。") == "正在招商"
    assert reason_from("") == "牵头单位尚未报送进展情况"


def test_next_steps_default_and_typed_text(sample_store: Store, today: date) -> None:
    build = build_brief(sample_store, 2025, BriefSettings(date=today), today)
    stats = build.stats
    behind = stats["by_status"]["滞后"] + stats["overdue"] - stats["overdue_lagging"]
    default = default_next_steps(2025, stats, 4)
    assert f"对进度滞后或逾期未完成的{behind}个项目逐项分析原因" in default
    open_count = stats["total"] - stats["by_status"]["已完成"]
    assert f"尚未完成的{open_count}个项目" in default
    assert "纳入2026年度项目清单" in default
    # Written in November 2026, the brief of 2025 plans 2027's list, not 2026's.
    assert "谋划2027年度项目清单" in default
    early = default_next_steps(2025, {**stats, "as_of": "2025-06-30"}, 4)
    assert "谋划2026年度项目清单" in early
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
        r for t in document.tables[:-1] for r in t.rows[1:] if re.fullmatch(r"\d+", r.cells[0].text)
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
    # The 附件 comes before the 报尾, which ends the PDF alone on an even page.
    info = subprocess.run(["pdfinfo", str(output.pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages % 2 == 0
    last = subprocess.run(
        ["pdftotext", "-f", str(pages), "-l", str(pages), str(output.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "（共印40份）" in last.replace(" ", "") and "项目名称" not in last
    everything = subprocess.run(
        ["pdftotext", str(output.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert everything.index("序号") < everything.index("报：")


def test_past_deadline_projects_are_named_when_few_and_counted_when_many() -> None:
    from ysdesk.services.brief import _task_sentence

    def project(n: int, status: Status) -> Project:
        return Project(
            id=None,
            year=2025,
            name=f"项目{n}",
            task_no=1,
            lead_units=("区科委",),
            status=status,
            deadline_text="2025年6月",
            deadline=date(2025, 6, 30),
        )

    today = date(2026, 1, 1)
    few = _task_sentence([project(n, Status.NOT_STARTED) for n in range(2)], today)
    assert few == "安排项目2个。尚未启动2个：“项目0”“项目1”，均已过完成时限。"
    group = [project(n, Status.NOT_STARTED) for n in range(8)]
    group[0] = replace(group[0], deadline=None)
    many = _task_sentence(group, today)
    assert many.endswith("等8个项目，其中7个已过完成时限。")
    group = [replace(p, deadline=None) for p in group[:3]] + group[4:6]
    named = _task_sentence(group, today)
    assert named.endswith("“项目2”“项目4”“项目5”，其中“项目4”“项目5”已过完成时限。")
    one = _task_sentence([project(0, Status.PAUSED)], today)
    assert one == "安排项目1个。“项目0”暂缓实施（已过完成时限）。"
    lagging = _task_sentence([project(0, Status.LAGGING)], today)
    assert "已过完成时限" not in lagging
