"""The 工作简报: numbers and sentences built from the annual list, settings remembered per brief.

`build_brief` reads the store (main thread); `write_brief` only writes files (safe in a worker);
`record_brief` saves the settings and the printed numbers so the next issue number is suggested
and the next brief can say what changed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ysdesk.domain.errors import UserError
from ysdesk.domain.model import (
    Area,
    Indicator,
    Project,
    ProjectFilter,
    Status,
    Task,
)
from ysdesk.exchange.docx_brief import (
    BODY,
    AttachmentTable,
    BriefDocument,
    Column,
    Heading,
    Para,
    chinese_date,
    write_docx,
)
from ysdesk.exchange.pdf import LibreOfficeMissingError, convert_to_pdf, libreoffice_available
from ysdesk.services.indicators import (
    IndicatorStatus,
    format_gap,
    format_value,
    indicator_statuses,
)
from ysdesk.services.progress import NullProgress, Progress, check_cancelled
from ysdesk.store import Store
from ysdesk.store.briefs import BriefRecord, add_brief, last_brief, previous_brief

DEFAULT_MASTHEAD = "杨“数”浦新质秀带创新区建设工作简报"
DEFAULT_EDITOR = "杨浦区科学技术委员会"
DEFAULT_REPORT_TO = "市科委领导，区委、区人大、区政府、区政协领导"
DEFAULT_SEND_TO = "市科委相关处室，区委办公室、区政府办公室"
DEFAULT_DISTRIBUTE_TO = "各功能区推进机构，区有关部门，在区高校"
DEFAULT_COPIES = 40

# Long lists become "…等N个项目" in sentences; the 附件 table always has every project.
NAMES_IN_SENTENCE = 5
PROBLEMS_LISTED = 20
UNITS_LISTED = 15

_NUMERALS = "一二三四五六七八九十"
# The order a leader reads statuses in: what is done first, what is stuck last.
REPORT_ORDER = (Status.DONE, Status.IN_PROGRESS, Status.LAGGING, Status.NOT_STARTED, Status.PAUSED)
_REASON_WORDS = (
    "受",
    "因",
    "由于",
    "原因",
    "尚未",
    "未能",
    "未完成",
    "滞后",
    "延期",
    "推迟",
    "延迟",
    "待",
    "困难",
    "问题",
    "暂缓",
    "调整",
)
# How a status reads in a sentence: 正在推进31个, not 推进中31个.
STATUS_PHRASES = {
    Status.DONE: "已完成",
    Status.IN_PROGRESS: "正在推进",
    Status.LAGGING: "进度滞后",
    Status.NOT_STARTED: "尚未启动",
    Status.PAUSED: "暂缓实施",
}
_NOT_LAGGING = tuple(s for s in REPORT_ORDER if s is not Status.LAGGING)
# A progress note starting with one of these reads on straight after a project's name.
_ADVERB_STARTS = ("已", "正", "累计", "共", "均", "预计", "完成", "新")
_GAP_EPS = 1e-9
_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])")
_LEAD_PATTERNS = (
    (re.compile(r"^（[一二三四五六七八九十]+）"), 2),
    (re.compile(r"^[0-9０-９]+[.．、]"), 3),
    (re.compile(r"^（[0-9０-９]+）"), 4),
)


@dataclass(frozen=True)
class BriefSettings:
    """What the user enters for one issue; remembered with the brief in the database."""

    issue_no: int = 1
    total_issue_no: int | None = None
    date: date = field(default_factory=date.today)
    masthead: str = DEFAULT_MASTHEAD
    editor: str = DEFAULT_EDITOR
    report_to: str = DEFAULT_REPORT_TO
    send_to: str = DEFAULT_SEND_TO
    distribute_to: str = DEFAULT_DISTRIBUTE_TO
    copies: int | None = DEFAULT_COPIES
    title: str = ""  # empty: the default title for the year
    next_steps: str = ""  # empty: the default 五、下一步工作 worded from the numbers

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BriefSettings:
        """Settings from saved JSON; unknown keys are ignored, missing ones take defaults."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        if isinstance(values.get("date"), str):
            try:
                values["date"] = date.fromisoformat(values["date"])
            except ValueError:
                values.pop("date")
        return cls(**values)

    def validate(self) -> None:
        """Refuse settings that cannot be printed."""
        if self.issue_no < 1:
            raise UserError("期号应为正整数。")
        if self.total_issue_no is not None and self.total_issue_no < self.issue_no:
            raise UserError("总期号不能小于期号。")
        if not self.masthead.strip():
            raise UserError("简报名称不能为空。")
        if not self.editor.strip():
            raise UserError("编印单位不能为空。")
        if self.copies is not None and self.copies < 0:
            raise UserError("共印份数不能为负数。")


@dataclass(frozen=True)
class BriefBuild:
    """A brief worded and ready to write, with the numbers it prints."""

    year: int
    settings: BriefSettings
    document: BriefDocument
    stats: dict[str, Any]
    previous: BriefRecord | None = None


@dataclass(frozen=True)
class BriefOutput:
    """What was written: the docx, the PDF (or why there is none)."""

    docx: Path
    pdf: Path | None = None
    pdf_message: str = ""


# ------------------------------------------------------------------ settings
def suggest_settings(store: Store, today: date) -> BriefSettings:
    """The last brief's settings with the next issue numbers and today's date."""
    last = last_brief(store)
    if last is None:
        return BriefSettings(date=today)
    settings = BriefSettings.from_json(last.settings)
    return replace(
        settings,
        issue_no=last.issue_no + 1,
        total_issue_no=last.total_issue_no + 1 if last.total_issue_no else None,
        date=today,
    )


def default_title(year: int) -> str:
    """The title (two lines, as the standard's 梯形 arrangement)."""
    return f"杨“数”浦新质秀带创新区\n{year}年度建设项目推进情况"


# ------------------------------------------------------------------ numbers
def brief_stats(
    projects: list[Project], areas: list[Area], today: date, *, as_of: date | None = None
) -> dict[str, Any]:
    """The numbers a brief prints and the next one compares with."""
    by_status = Counter(p.status.value for p in projects)
    overdue = [p for p in projects if p.is_overdue(today)]
    overdue_by_status = Counter(p.status.value for p in overdue)
    by_area: dict[str, dict[str, int]] = {}
    for area in areas:
        in_area = [p for p in projects if p.area_no == area.no]
        by_area[str(area.no)] = {
            "total": len(in_area),
            "done": sum(p.status is Status.DONE for p in in_area),
            "overdue": sum(p.is_overdue(today) for p in in_area),
        }
    total = len(projects)
    done = by_status.get(Status.DONE.value, 0)
    return {
        "as_of": (as_of or today).isoformat(),
        "total": total,
        "by_status": {s.value: by_status.get(s.value, 0) for s in Status},
        "overdue": len(overdue),
        "overdue_lagging": overdue_by_status.get(Status.LAGGING.value, 0),
        "overdue_by_status": {s.value: overdue_by_status.get(s.value, 0) for s in Status},
        "by_area": by_area,
        "tasks": len({p.task_no for p in projects}),
        "lead_units": len({u for p in projects for u in p.lead_units}),
        "done_rate": _rate(done, total),
    }


def _rate(part: int, whole: int) -> float:
    """A percentage with one decimal, as printed (0 when there is no whole)."""
    return round(part * 100 / whole, 1) if whole else 0.0


def _num(value: float) -> str:
    """5.5 → "5.5", 20.0 → "20"."""
    return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _quote(name: str) -> str:
    """A project name in “…”, with its own double quotes turned into single ones."""
    inner = name.replace("“", "‘").replace("”", "’").replace('"', "'").strip()
    return f"“{inner}”"


def _lead(p: Project) -> str:
    return "、".join(p.lead_units) or "未明确牵头单位"


def _names(projects: list[Project], *, units: bool = False, limit: int = NAMES_IN_SENTENCE) -> str:
    """“A”“B”等N个项目 — no 顿号 between quoted names (GB/T 15834) — or, with units,
    “A”（区科委）、“B”（复旦大学）."""
    shown = projects[:limit]
    if units:
        text = "、".join(f"{_quote(p.name)}（{_lead(p)}）" for p in shown)
    else:
        text = "".join(_quote(p.name) for p in shown)
    if len(projects) > limit:
        text += f"等{len(projects)}个项目"
    return text


def _first_sentence(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    first = _SENTENCE_END.split(text)[0].rstrip("。；;！!？? ")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _reason_sentences(progress: str) -> tuple[str, bool]:
    """The sentences of a progress note that explain a delay, and whether any did (else the
    latest sentence)."""
    text = " ".join(progress.split())
    if not text:
        return "牵头单位尚未报送进展情况", False
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    chosen = [s for s in sentences if any(w in s for w in _REASON_WORDS)][:2]
    found = bool(chosen)
    return "".join(chosen or sentences[-1:]).rstrip("。；;！!？? "), found


def reason_from(progress: str) -> str:
    """The reason a project is behind, taken from its progress note (sentences naming one)."""
    return _reason_sentences(progress)[0]


def _breakdown(counts: dict[str, int], order: Iterable[Status] = REPORT_ORDER) -> str:
    """已完成3个、正在推进2个 … (statuses with no project left out)."""
    return "、".join(
        f"{STATUS_PHRASES[s]}{counts[s.value]}个" for s in order if counts.get(s.value)
    )


def _change(label: str, old: int, new: int) -> str:
    if new == old:
        return f"{label}与上期持平（{new}个）"
    verb = "增加到" if new > old else "减少到"
    return f"{label}由上期的{old}个{verb}{new}个"


# ------------------------------------------------------------------ sections
def _overall(
    year: int,
    stats: dict[str, Any],
    areas: list[Area],
    task_count: int,
    today: date,
    previous: BriefRecord | None,
) -> list[Para]:
    total = stats["total"]
    by_status = stats["by_status"]
    covered = stats["tasks"]
    if covered == task_count:
        scope = f"覆盖方案全部{task_count}项重点任务"
    else:
        scope = f"涉及方案{task_count}项重点任务中的{covered}项"
    rest = _breakdown(by_status, REPORT_ORDER[1:])
    paras = [Para(1, "一、总体进展")]
    paras.append(
        Para(
            BODY,
            f"截至{chinese_date(today)}，{year}年度项目清单共安排项目{total}个，{scope}，"
            f"牵头单位{stats['lead_units']}家。其中，已完成{by_status[Status.DONE.value]}个，"
            f"完成率{_num(stats['done_rate'])}%" + (f"；{rest}" if rest else "") + "。",
        )
    )
    overdue = stats["overdue"]
    if overdue:
        lagging = stats["overdue_lagging"]
        other = overdue - lagging
        text = (
            f"已过完成时限但尚未完成的逾期项目{overdue}个，"
            f"占项目总数的{_num(_rate(overdue, total))}%"
        )
        others = _breakdown(stats.get("overdue_by_status", {}), _NOT_LAGGING)
        if lagging and other:
            text += (
                f"，其中{lagging}个已报进度滞后，另有{other}个（{others}）未报滞后，需核实进度。"
            )
        elif lagging:
            text += "，均已报进度滞后。"
        else:
            text += f"，均未报进度滞后（{others}），需核实进度。"
        paras.append(Para(BODY, text))
    else:
        paras.append(Para(BODY, "已到完成时限的项目均已完成，暂无逾期项目。"))
    paras.append(Para(BODY, _area_ranking(stats, areas)))
    if previous is not None and previous.stats.get("by_status"):
        old = previous.stats
        old_status = old.get("by_status", {})
        changes = [
            _change("项目总数", int(old.get("total", 0)), total),
            _change(
                "已完成项目",
                int(old_status.get(Status.DONE.value, 0)),
                by_status[Status.DONE.value],
            ),
            _change(
                "滞后项目",
                int(old_status.get(Status.LAGGING.value, 0)),
                by_status[Status.LAGGING.value],
            ),
            _change("逾期项目", int(old.get("overdue", 0)), overdue),
        ]
        when = previous.date
        try:
            when = chinese_date(date.fromisoformat(previous.date))
        except ValueError:
            pass
        paras.append(
            Para(
                BODY,
                f"与上期简报（第{previous.issue_no}期，{when}）相比，" + "，".join(changes) + "。",
            )
        )
    return paras


def _area_ranking(stats: dict[str, Any], areas: list[Area]) -> str:
    """分领域看, the areas from the highest completion rate down (their counts follow in 二)."""
    rows = []
    empty = []
    for area in areas:
        numbers = stats["by_area"].get(str(area.no), {"total": 0, "done": 0})
        if numbers["total"]:
            rows.append((_rate(numbers["done"], numbers["total"]), area))
        else:
            empty.append(area)
    rows.sort(key=lambda row: (-row[0], row[1].no))
    if not rows:
        return "分领域看，各领域本年度均未安排项目。"
    (best_rate, best), *others = rows
    if not others:
        text = f"分领域看，{best.title}领域项目完成率为{_num(best_rate)}%"
    else:
        text = f"分领域看，{best.title}领域项目完成率最高，为{_num(best_rate)}%；其后依次为"
        text += "、".join(f"{area.title}领域{_num(rate)}%" for rate, area in others)
    if empty:
        text += "；" + "、".join(f"{area.title}领域" for area in empty) + "本年度未安排项目"
    return text + "。"


def _by_area(
    projects: list[Project], areas: list[Area], tasks: list[Task], today: date
) -> list[Para]:
    paras = [Para(1, "二、分领域推进情况")]
    by_task: dict[int, list[Project]] = defaultdict(list)
    for p in projects:
        by_task[p.task_no].append(p)
    for area in areas:
        paras.append(Para(2, area.label))
        area_tasks = [t for t in tasks if t.area_no == area.no]
        area_projects = [p for t in area_tasks for p in by_task.get(t.no, [])]
        if not area_projects:
            paras.append(Para(BODY, f"本领域{len(area_tasks)}项重点任务本年度均未安排项目。"))
            continue
        counts = Counter(p.status.value for p in area_projects)
        paras.append(
            Para(
                BODY,
                f"本领域{len(area_tasks)}项重点任务共安排项目{len(area_projects)}个，"
                f"{_breakdown(counts)}。",
            )
        )
        for task in area_tasks:
            paras.append(
                Para(
                    3, _task_sentence(by_task.get(task.no, []), today), f"{task.no}.{task.title}。"
                )
            )
    return paras


def _continue(snippet: str) -> str:
    """How a progress snippet follows a project's name: directly after an adverb ("已…"),
    after a comma otherwise ("，2025年…")."""
    return snippet if snippet.startswith(_ADVERB_STARTS) else f"，{snippet}"


def _late(projects: list[Project], counted: str, named: str = "") -> str:
    """The past-deadline projects of a group: named when few ("其中“A”“B”"), counted when
    many ("另有95个")."""
    if len(projects) > NAMES_IN_SENTENCE:
        return f"{counted}{len(projects)}个"
    return named + _names(projects)


def _task_sentence(projects: list[Project], today: date) -> str:
    """One task in prose: each status group names its projects once, marks those past their
    deadline, and the first project under way says how far it has come."""
    if not projects:
        return "本年度清单未安排项目。"
    groups: dict[Status, list[Project]] = defaultdict(list)
    for p in projects:
        groups[p.status].append(p)
    clauses = []
    for status in REPORT_ORDER:
        items = groups.get(status, [])
        if not items:
            continue
        phrase = STATUS_PHRASES[status]
        # 滞后 already says it; the others are flagged when their deadline has passed.
        late = [p for p in items if status is not Status.LAGGING and p.is_overdue(today)]
        snippet = _first_sentence(items[0].progress) if status is Status.IN_PROGRESS else ""
        if len(items) == 1:
            clause = f"{_quote(items[0].name)}{phrase}" + ("（已过完成时限）" if late else "")
            if snippet:
                clause += f"，{snippet}"
        else:
            clause = f"{phrase}{len(items)}个：{_names(items)}"
            if snippet and items[0] in late:
                late.remove(items[0])
                clause += f"，其中{_quote(items[0].name)}已过完成时限，{snippet}"
                if late:
                    clause += f"，{_late(late, '另有')}也已过完成时限"
            else:
                if snippet:
                    clause += f"，其中{_quote(items[0].name)}{_continue(snippet)}"
                if late and not snippet and len(late) == len(items):
                    clause += "，均已过完成时限"
                elif late:
                    counted = "另有" if snippet else "其中"
                    named = "" if snippet else "其中"
                    clause += f"，{_late(late, counted, named)}已过完成时限"
        clauses.append(clause)
    return f"安排项目{len(projects)}个。" + "；".join(clauses) + "。"


def _problems(projects: list[Project], today: date) -> list[Para]:
    paras = [Para(1, "三、存在的问题")]
    lagging = [p for p in projects if p.status is Status.LAGGING]
    overdue_other = [p for p in projects if p.is_overdue(today) and p.status is not Status.LAGGING]
    idle = [p for p in projects if p.status in (Status.NOT_STARTED, Status.PAUSED)]
    if not lagging and not overdue_other:
        paras.append(Para(BODY, "各项目总体按计划推进，暂无滞后或逾期未完成项目。"))
    numeral = iter(_NUMERALS)
    if lagging:
        units = Counter(u for p in lagging for u in p.lead_units[:1])
        ranked = sorted(units.items(), key=lambda item: (-item[1], item[0]))
        shown = "、".join(f"{u}{n}个" for u, n in ranked[:NAMES_IN_SENTENCE])
        more = f"等{len(ranked)}家单位" if len(ranked) > NAMES_IN_SENTENCE else ""
        paras.append(
            Para(
                2,
                f"按第一牵头单位分：{shown}{more}。",
                f"（{next(numeral)}）进度滞后项目{len(lagging)}个。",
            )
        )
        for index, p in enumerate(lagging[:PROBLEMS_LISTED], start=1):
            deadline = f"，完成时限{p.deadline_text}" if p.deadline_text else ""
            reason, found = _reason_sentences(p.progress)
            label = "原因" if found else "情况"
            paras.append(
                Para(
                    4,
                    f"{_quote(p.name)}（{_lead(p)}牵头{deadline}）。{label}：{reason}。",
                    f"（{index}）",
                )
            )
        if len(lagging) > PROBLEMS_LISTED:
            rest = len(lagging) - PROBLEMS_LISTED
            paras.append(Para(BODY, f"另有{rest}个进度滞后项目，详见附件。"))
    if overdue_other:
        by_unit: dict[str, list[Project]] = defaultdict(list)
        for p in overdue_other:
            by_unit[p.lead_units[0] if p.lead_units else "未明确牵头单位"].append(p)
        ranked_units = sorted(by_unit.items(), key=lambda item: (-len(item[1]), item[0]))
        parts = [
            f"{unit}{len(items)}个（{_names(items, limit=3)}）"
            for unit, items in ranked_units[:UNITS_LISTED]
        ]
        if len(ranked_units) > UNITS_LISTED:
            parts.append(f"其他{len(ranked_units) - UNITS_LISTED}家单位")
        paras.append(
            Para(
                2,
                "以下项目已过完成时限，但未报进度滞后，请牵头单位核实进度或申请调整时限："
                + "；".join(parts)
                + "。",
                f"（{next(numeral)}）逾期未完成项目{len(overdue_other)}个。",
            )
        )
    if idle:
        clauses = []
        for status in (Status.NOT_STARTED, Status.PAUSED):
            items = [p for p in idle if p.status is status]
            if items:
                clauses.append(
                    f"{STATUS_PHRASES[status]}{len(items)}个：{_names(items, units=True)}"
                )
        paras.append(
            Para(
                2,
                "；".join(clauses) + "。",
                f"（{next(numeral)}）尚未启动或暂缓实施项目{len(idle)}个。",
            )
        )
    return paras


def _target(ind: Indicator) -> str:
    """2027年达到5.5% / 2027年达到20%以上: the plan's words for a target."""
    above = "以上" if ind.comparator in ("≥", ">=") else ""
    return f"{ind.target_year}年达到{format_value(ind, ind.target_value)}{above}"


def _compact(text: str) -> str:
    """The indicator service's phrases without the spaces the window puts around numbers."""
    return text.replace(" ", "")


def indicator_sentence(status: IndicatorStatus) -> str:
    """One indicator as the indicators view judges it: latest value, target, gap, judgement."""
    ind = status.indicator
    target = f"目标为{_target(ind)}"
    latest = status.latest
    if latest is None:
        return f"{target}；{status.judgement}，差距无法测算。"
    source = f"（来源：{latest.source}）" if latest.source else ""
    text = f"{latest.year}年实际值为{format_value(ind, latest.value)}{source}，{target}"
    if status.gap is not None and status.gap > _GAP_EPS:
        text += f"，还差{_compact(format_gap(ind, status.gap))}"
        if status.needed_per_year is not None:
            text += f"，需年均提高{_compact(format_gap(ind, status.needed_per_year))}"
    return text + f"，{status.judgement}。"


def _indicators(statuses: list[IndicatorStatus]) -> list[Para]:
    paras = [Para(1, "四、目标指标")]
    if not statuses:
        paras.append(Para(BODY, "方案未设定目标指标。"))
        return paras
    if all(s.latest is None for s in statuses):
        # Nothing measured yet: the targets in one sentence rather than one empty line each.
        targets = "，".join(f"{s.indicator.name}{_target(s.indicator)}" for s in statuses)
        judgement = statuses[0].judgement
        paras.append(
            Para(
                BODY,
                f"方案确定的目标指标共{len(statuses)}项：{targets}。"
                f"目前各项指标均{judgement}，差距无法测算。",
            )
        )
        return paras
    paras.append(Para(BODY, f"方案确定的目标指标共{len(statuses)}项，进展如下。"))
    for index, status in enumerate(statuses, start=1):
        paras.append(Para(3, indicator_sentence(status), f"{index}.{status.indicator.name}。"))
    return paras


def default_next_steps(year: int, stats: dict[str, Any], indicator_count: int) -> str:
    """A sensible 五、下一步工作 worded from the numbers; the user may rewrite it."""
    lagging = stats["by_status"].get(Status.LAGGING.value, 0)
    overdue = stats["overdue"]
    behind = lagging + overdue - stats.get("overdue_lagging", 0)
    open_count = stats["total"] - stats["by_status"].get(Status.DONE.value, 0)
    try:
        as_of = date.fromisoformat(stats.get("as_of", ""))
    except (TypeError, ValueError):
        as_of = date(year, 12, 31)
    # A brief written after the list's year plans the year after the current one.
    plan_year = max(year, as_of.year) + 1
    lines = []
    if behind:
        lines.append(
            f"加快推进滞后和逾期项目。对进度滞后或逾期未完成的{behind}个项目逐项分析原因，"
            "明确整改措施和完成时限，由牵头单位每月报送进展，跟踪督办到位。"
        )
    else:
        lines.append("保持项目推进节奏。各牵头单位按月报送进展，跟踪督办，确保项目按期完成。")
    if open_count:
        lines.append(
            f"做好年度收尾和结转。{year}年度清单中尚未完成的{open_count}个项目逐项梳理原因，"
            f"符合条件的纳入{year + 1}年度项目清单继续推进，确保任务不断档。"
        )
    if indicator_count:
        lines.append(
            "加强目标指标监测。对照方案确定的各项目标指标，按季度采集最新数据，分析差距，"
            "提出针对性举措。"
        )
    lines.append(
        f"谋划{plan_year}年度项目清单。依托市区联动工作机制，会同各牵头单位细化"
        f"{plan_year}年度任务，形成项目清单，逐项推进实施；依据监督评估结果，及时优化调整"
        "工作内容。"
    )
    return "\n".join(f"（{_NUMERALS[i]}）{line}" for i, line in enumerate(lines))


def pdf_available() -> bool:
    """Whether briefs can be converted to PDF here (LibreOffice is installed)."""
    return libreoffice_available()


def default_next_steps_for(store: Store, year: int, today: date) -> str:
    """The default 五、下一步工作 of `year`'s brief as the dialog shows it for editing."""
    projects = store.list_projects(ProjectFilter(year=year), today=today)
    stats = brief_stats(projects, store.areas(), today)
    return default_next_steps(year, stats, len(store.indicators()))


def next_steps_paragraphs(text: str) -> list[Para]:
    """Typed text as paragraphs; a line starting "（一）…。" or "1.…。" gets its heading font."""
    paras = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        for pattern, level in _LEAD_PATTERNS:
            if pattern.match(line):
                end = line.find("。")
                if 0 < end <= 40 and end < len(line) - 1:
                    paras.append(Para(level, line[end + 1 :], line[: end + 1]))
                else:
                    paras.append(Para(level, line))
                break
        else:
            paras.append(Para(BODY, line))
    return paras


ATTACHMENT_COLUMNS = (
    Column("序号", 10, center=True),
    Column("项目名称", 52),
    Column("牵头单位", 28),
    Column("配合单位", 32),
    Column("完成时限", 22, center=True),
    Column("推进状态", 17, center=True),
    Column("进展情况", 64),
)


def _attachment(
    year: int, projects: list[Project], areas: list[Area], tasks: list[Task], today: date
) -> AttachmentTable:
    """Every project, under its area and task headings (a table per task)."""
    by_task: dict[int, list[Project]] = defaultdict(list)
    for p in projects:
        by_task[p.task_no].append(p)
    rows: list[tuple[str, ...] | Heading] = []
    serial = 0
    for area in areas:
        area_tasks = [t for t in tasks if t.area_no == area.no and by_task.get(t.no)]
        if not area_tasks:
            continue
        count = sum(len(by_task[t.no]) for t in area_tasks)
        rows.append(Heading(f"{area.numeral}、{area.title}（{count}个）", 1))
        for task in area_tasks:
            items = by_task[task.no]
            rows.append(Heading(f"{task.no}.{task.title}（{len(items)}个）", 2))
            for p in items:
                serial += 1
                rows.append(
                    (
                        str(serial),
                        p.name,
                        "、".join(p.lead_units),
                        "、".join(p.co_units),
                        p.deadline_text,
                        p.display_status(today),
                        p.progress,
                    )
                )
    return AttachmentTable(f"{year}年度项目推进情况表", ATTACHMENT_COLUMNS, rows)


# ------------------------------------------------------------------ use cases
def build_brief(store: Store, year: int, settings: BriefSettings, today: date) -> BriefBuild:
    """Word the brief of `year`'s list from the store; nothing is written."""
    settings.validate()
    projects = store.list_projects(ProjectFilter(year=year), today=today)
    if not projects:
        raise UserError(f"{year} 年度没有项目，无法生成简报。")
    areas = store.areas()
    tasks = store.tasks()
    statuses = indicator_statuses(store)
    stats = brief_stats(projects, areas, today)
    previous = previous_brief(store, year, settings.issue_no)
    body: list[Para] = []
    body += _overall(year, stats, areas, len(tasks), today, previous)
    body += _by_area(projects, areas, tasks, today)
    body += _problems(projects, today)
    body += _indicators(statuses)
    body.append(Para(1, "五、下一步工作"))
    steps = settings.next_steps.strip() or default_next_steps(year, stats, len(statuses))
    body += next_steps_paragraphs(steps)
    document = BriefDocument(
        masthead=settings.masthead.strip(),
        issue_no=settings.issue_no,
        total_issue_no=settings.total_issue_no,
        editor=settings.editor.strip(),
        date=settings.date,
        title=settings.title.strip() or default_title(year),
        body=tuple(body),
        report_to=settings.report_to,
        send_to=settings.send_to,
        distribute_to=settings.distribute_to,
        copies=settings.copies,
        attachment=_attachment(year, projects, areas, tasks, today),
        attachment_note=f"附件：{year}年度项目推进情况表",
    )
    return BriefBuild(year, settings, document, stats, previous)


def write_brief(
    build: BriefBuild,
    path: Path,
    *,
    pdf: bool = False,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> BriefOutput:
    """Write the docx (atomically) and, when asked, its PDF; touches no database."""
    progress = progress or NullProgress()
    progress.start(2 if pdf else 1, "生成简报")
    docx = write_docx(build.document, Path(path))
    progress.tick()
    if not pdf:
        progress.finish()
        return BriefOutput(docx)
    check_cancelled(progress)
    try:
        kwargs = {} if timeout is None else {"timeout": timeout}
        pdf_path = convert_to_pdf(docx, **kwargs)
    except LibreOfficeMissingError as exc:
        progress.finish()
        return BriefOutput(docx, None, exc.message)
    except UserError as exc:
        # LibreOffice there but failing (a timeout, a crash, a profile in use): the Word brief
        # stands and is this issue, as when LibreOffice is absent.
        progress.finish()
        message = exc.message
        if "Word 文件" not in message:
            message = message.rstrip("。") + "；Word 文件已生成。"
        return BriefOutput(docx, None, message)
    progress.tick()
    progress.finish()
    return BriefOutput(docx, pdf_path)


def record_brief(store: Store, build: BriefBuild, path: Path) -> BriefRecord:
    """Remember the brief: settings (for the next issue) and the numbers it printed."""
    settings = build.settings
    return add_brief(
        store,
        year=build.year,
        issue_no=settings.issue_no,
        total_issue_no=settings.total_issue_no,
        date=settings.date.isoformat(),
        settings=settings.to_json(),
        stats=build.stats,
        path=str(path),
    )


def generate_brief(
    store: Store,
    year: int,
    settings: BriefSettings,
    path: Path,
    today: date,
    *,
    pdf: bool = False,
    progress: Progress | None = None,
) -> tuple[BriefOutput, BriefRecord | None]:
    """Build, write and record a brief (the command line's whole use case); a read-only
    store gets the files but no record."""
    build = build_brief(store, year, settings, today)
    output = write_brief(build, path, pdf=pdf, progress=progress)
    record = None if store.readonly else record_brief(store, build, output.docx)
    return output, record
