"""Year rollover (结转): start next year's list from this year's; and comparing two years.

Unfinished projects are copied into the new year linked to their origin (origin_id), with the
完成时限's explicit year moved forward, codes numbered for the new year and the old progress
kept as a note; completed projects stay behind. The write is one transaction after a backup,
a few statements for the whole year (store.carry), whatever the number of projects.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.errors import UserError
from ysdesk.domain.model import FIELD_LABELS, Project, ProjectFilter, Status, format_list
from ysdesk.services.changes import Changes
from ysdesk.services.progress import NullProgress, Progress, check_cancelled
from ysdesk.store import Store
from ysdesk.store.backup import auto_backup
from ysdesk.store.carry import (
    Copy,
    SourceProject,
    codes_of_year,
    insert_copies,
    origin_links,
    year_sources,
)
from ysdesk.store.stamps import years_stamp

_FULLWIDTH_DIGITS = "０１２３４５６７８９"
_CHINESE_DIGITS = "〇一二三四五六七八九"
# A year followed by one of these starts a period ("2025年起持续推进"): it stays as written,
# since the work did start then.
_START_MARKS = ("起", "开始", "以来", "以后", "之后")
_AFTER_YEAR = re.compile(r"[年./-]?度?(?:\d{1,2}月?(?:\d{1,2}[日号])?)?")


@dataclass(frozen=True)
class RolloverItem:
    """One project of the source year and what rollover does with it."""

    project: SourceProject
    action: str  # "carry" | "done" | "existing"
    new_code: str = ""
    new_deadline_text: str = ""
    new_deadline: date | None = None
    existing_id: int | None = None

    @property
    def carry(self) -> bool:
        return self.action == "carry"

    @property
    def action_label(self) -> str:
        if self.action == "carry":
            return "结转"
        if self.action == "existing":
            return f"已结转（项目 {self.existing_id}）"
        return "已完成，不结转"

    def to_json(self) -> dict[str, Any]:
        p = self.project
        return {
            "id": p.id,
            "code": p.code,
            "name": p.name,
            "task_no": p.task_no,
            "status": p.status.value,
            "action": self.action,
            "deadline_text": p.deadline_text,
            "new_code": self.new_code,
            "new_deadline_text": self.new_deadline_text,
            "new_deadline": self.new_deadline.isoformat() if self.new_deadline else None,
            "existing_id": self.existing_id,
        }


@dataclass
class RolloverPlan:
    """What rolling `from_year` over into `to_year` would do, project by project."""

    from_year: int
    to_year: int
    items: list[RolloverItem]
    # The two years as they were when planned (see carry_over); not part of the JSON.
    stamp: tuple[int, int, str] = ()

    @property
    def to_carry(self) -> list[RolloverItem]:
        return [i for i in self.items if i.action == "carry"]

    @property
    def existing(self) -> list[RolloverItem]:
        return [i for i in self.items if i.action == "existing"]

    @property
    def done(self) -> list[RolloverItem]:
        return [i for i in self.items if i.action == "done"]

    def to_json(self) -> dict[str, Any]:
        return {
            "from_year": self.from_year,
            "to_year": self.to_year,
            "summary": {
                "projects": len(self.items),
                "carry": len(self.to_carry),
                "done": len(self.done),
                "existing": len(self.existing),
            },
            "items": [i.to_json() for i in self.items],
        }


@dataclass
class RolloverResult:
    """The outcome of an applied rollover: (source id, new id) pairs and what was left out."""

    from_year: int
    to_year: int
    created: list[tuple[int, int]]
    skipped_existing: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    backup: Path | None = None

    @property
    def changes(self) -> Changes:
        """The projects the rollover added (it changes no other)."""
        return Changes(added=frozenset(new for _, new in self.created))

    def to_json(self) -> dict[str, Any]:
        return {
            "from_year": self.from_year,
            "to_year": self.to_year,
            "created": [{"origin_id": a, "id": b} for a, b in self.created],
            "skipped_existing": self.skipped_existing,
            "excluded": self.excluded,
            "backup": str(self.backup) if self.backup else None,
        }


def shift_deadline_text(text: str, from_year: int, to_year: int) -> str:
    """The 完成时限 with its explicit mentions of `from_year` moved to `to_year`.

    "2025年12月底前" → "2026年12月底前"; "2026年6月底前", "持续推进" and "年底前" stay (the last
    derives its date from the new project's year); "2025年起…" stays, as the work began then.
    Full-width (２０２５) and Chinese-numeral (二〇二五) years keep their way of writing.
    """
    pattern, spellings = _year_pattern(from_year, to_year)
    if not text or not any(s in text for s in spellings):
        return text
    normalised = unicodedata.normalize("NFKC", text)

    def replace(match: re.Match[str]) -> str:
        # Positions agree between the text and its NFKC form: only digits change width.
        rest = normalised[match.end() :] if len(normalised) == len(text) else text[match.end() :]
        after = _AFTER_YEAR.match(rest)
        if rest[after.end() if after else 0 :].startswith(_START_MARKS):
            return match.group()
        return spellings[match.group()]

    shifted = pattern.sub(replace, text)
    # 2月29日 of a leap year has no twin in the next year: use the month's last day.
    lost = parse_deadline(shifted, to_year) is None and parse_deadline(text, from_year) is not None
    if shifted != text and lost:
        shifted = re.sub(r"2月29([日号])", r"2月28\1", shifted)
    return shifted


@functools.lru_cache(maxsize=16)
def _year_pattern(from_year: int, to_year: int) -> tuple[re.Pattern[str], dict[str, str]]:
    """The regex finding `from_year` in any of its spellings, and each spelling's successor."""
    spellings = {
        str(from_year): str(to_year),
        _digits(from_year, _FULLWIDTH_DIGITS): _digits(to_year, _FULLWIDTH_DIGITS),
        _digits(from_year, _CHINESE_DIGITS): _digits(to_year, _CHINESE_DIGITS),
        _digits(from_year, _CHINESE_DIGITS).replace("〇", "零"): _digits(
            to_year, _CHINESE_DIGITS
        ).replace("〇", "零"),
    }
    alternatives = "|".join(re.escape(s) for s in spellings)
    digit = r"[0-9０-９〇零一二三四五六七八九]"
    # A compact date "20251231" is a year too; "120250" is not.
    pattern = re.compile(rf"(?<!{digit})({alternatives})(?=(?:[01]\d[0-3]\d)?(?!{digit}))")
    return pattern, spellings


def plan_rollover(store: Store, from_year: int, to_year: int | None = None) -> RolloverPlan:
    """What a rollover would do: every project of `from_year` with its action and new values."""
    to_year = from_year + 1 if to_year is None else to_year
    if to_year <= from_year:
        raise UserError(f"结转目标年度（{to_year}）应晚于源年度（{from_year}）。")
    if to_year > 2200:
        raise UserError(f"结转目标年度无效：{to_year}。")
    stamp = years_stamp(store, (from_year, to_year))
    projects = year_sources(store, from_year)
    if not projects:
        raise UserError(f"{from_year} 年度没有项目，无可结转。")
    links = origin_links(store, to_year, [p.id for p in projects])
    numbering = _CodeNumbering(to_year, codes_of_year(store, to_year))
    items = []
    # Lists repeat a handful of deadline wordings: shift and parse each one once.
    shifted: dict[str, tuple[str, date | None]] = {}
    for p in projects:
        if p.status is Status.DONE:
            items.append(RolloverItem(project=p, action="done"))
            continue
        if p.deadline_text not in shifted:
            text = shift_deadline_text(p.deadline_text, from_year, to_year)
            shifted[p.deadline_text] = (text, parse_deadline(text, to_year))
        new_text, new_deadline = shifted[p.deadline_text]
        existing = links.get(p.id)
        items.append(
            RolloverItem(
                project=p,
                action="existing" if existing is not None else "carry",
                new_code="" if existing is not None else numbering.next(p.task_no),
                new_deadline_text=new_text,
                new_deadline=new_deadline,
                existing_id=existing,
            )
        )
    return RolloverPlan(from_year=from_year, to_year=to_year, items=items, stamp=stamp)


def _backup_reason(to_year: int) -> str:
    return f"{to_year}年度结转前"


def apply_rollover(
    store: Store,
    from_year: int,
    to_year: int | None = None,
    *,
    exclude: Collection[int] = (),
    skip_existing: bool = False,
    progress: Progress | None = None,
) -> RolloverResult:
    """Carry the unfinished projects over (except `exclude`) in one transaction after a backup.

    Refuses when the target year already holds copies of the same projects, unless
    `skip_existing` says to leave those out.
    """
    plan = plan_rollover(store, from_year, to_year)
    check_carryable(plan, exclude, skip_existing)
    backup = auto_backup(store, _backup_reason(plan.to_year))
    return carry_over(
        store,
        plan,
        exclude=exclude,
        skip_existing=skip_existing,
        backup=backup,
        progress=progress,
    )


def carry_over(
    store: Store,
    plan: RolloverPlan,
    *,
    exclude: Collection[int] = (),
    skip_existing: bool = False,
    backup: Path | None = None,
    progress: Progress | None = None,
) -> RolloverResult:
    """Write a plan made earlier (in a worker) in one transaction, after its backup was taken.

    Refuses, changing nothing, when either year changed since the plan was made.
    """
    progress = progress or NullProgress()
    if years_stamp(store, (plan.from_year, plan.to_year)) != plan.stamp:
        raise UserError(
            f"{plan.from_year} 年度或 {plan.to_year} 年度的项目在生成结转方案后有改动，"
            "未作结转；请重新打开年度结转。"
        )
    check_carryable(plan, exclude, skip_existing)
    excluded = set(exclude)
    existing = [i for i in plan.existing if i.project.id not in excluded]
    items = [i for i in plan.to_carry if i.project.id not in excluded]
    progress.start(len(items), f"结转到 {plan.to_year} 年度")
    created = insert_copies(
        store,
        plan.to_year,
        [_carried_copy(i) for i in items],
        origin=f"{plan.from_year}年度结转",
        between=lambda: check_cancelled(progress),
    )
    progress.tick(len(items))
    progress.finish()
    return RolloverResult(
        from_year=plan.from_year,
        to_year=plan.to_year,
        created=created,
        skipped_existing=[i.project.id for i in existing],
        excluded=sorted(i.project.id for i in plan.to_carry if i.project.id in excluded),
        backup=backup,
    )


def check_carryable(
    plan: RolloverPlan, exclude: Collection[int] = (), skip_existing: bool = False
) -> None:
    """Refuse (UserError) a plan that would copy a project twice or carry nothing."""
    excluded = set(exclude)
    existing = [i for i in plan.existing if i.project.id not in excluded]
    if existing and not skip_existing:
        first = existing[0].project.name
        raise UserError(
            f"{plan.to_year} 年度已有从 {plan.from_year} 年度结转来的 {len(existing)} 个相同项目"
            f"（如“{first}”），未作改动；如只结转其余项目，"
            "请勾选“跳过已结转的项目”（命令行加 --skip-existing）。"
        )
    if not any(i.project.id not in excluded for i in plan.to_carry):
        raise UserError(f"没有需要从 {plan.from_year} 年度结转到 {plan.to_year} 年度的项目。")


def _carried_copy(item: RolloverItem) -> Copy:
    """What differs in the copy: its code, its 完成时限, and the progress moved into the note."""
    p = item.project
    note = p.note
    if p.progress:
        carried = f"{p.year}年进展：{p.progress}"
        note = f"{note}\n{carried}" if note else carried
    return Copy(origin_id=p.id, code=item.new_code, deadline_text=item.new_deadline_text, note=note)


class _CodeNumbering:
    """Codes "YYYY-TT-NN" for a year, continuing after the codes it already has."""

    def __init__(self, year: int, existing: list[tuple[int, str]]) -> None:
        self.year = year
        self.last: dict[int, int] = {}
        self.width = 2
        pattern = re.compile(rf"^{year}-(\d+)-(\d+)$")
        for task_no, code in existing:
            match = pattern.match(code.strip())
            if match and int(match.group(1)) == task_no:
                seq = int(match.group(2))
                self.last[task_no] = max(self.last.get(task_no, 0), seq)
                self.width = max(self.width, len(match.group(2)))

    def next(self, task_no: int) -> str:
        seq = self.last.get(task_no, 0) + 1
        self.last[task_no] = seq
        return f"{self.year}-{task_no:02d}-{seq:0{self.width}d}"


def _digits(year: int, alphabet: str) -> str:
    return "".join(alphabet[int(d)] for d in str(year))


# ------------------------------------------------------------------ comparison
_COMPARED_FIELDS = ("name", "task_no", "lead_units", "co_units", "deadline_text")


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between a project and its successor."""

    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True)
class CarriedPair:
    """A project of year A and its successor in year B; `by` is "origin" or "name"."""

    a: Project
    b: Project
    by: str
    changes: tuple[FieldChange, ...]


@dataclass
class Comparison:
    """Two years side by side: added, dropped, carried (with their changes)."""

    year_a: int
    year_b: int
    added: list[Project]
    dropped: list[Project]
    carried: list[CarriedPair]

    @property
    def changed(self) -> list[CarriedPair]:
        return [c for c in self.carried if c.changes]

    @property
    def dropped_unfinished(self) -> list[Project]:
        return [p for p in self.dropped if p.status is not Status.DONE]

    def to_json(self) -> dict[str, Any]:
        """The `compare --json` object."""
        return {
            "year_a": self.year_a,
            "year_b": self.year_b,
            "summary": {
                "added": len(self.added),
                "dropped": len(self.dropped),
                "dropped_unfinished": len(self.dropped_unfinished),
                "carried": len(self.carried),
                "changed": len(self.changed),
            },
            "added": [_brief(p) for p in self.added],
            "dropped": [_brief(p) for p in self.dropped],
            "carried": [
                {
                    "a": _brief(c.a),
                    "b": _brief(c.b),
                    "by": c.by,
                    "changes": [
                        {"field": ch.field, "label": ch.label, "old": ch.old, "new": ch.new}
                        for ch in c.changes
                    ],
                }
                for c in self.carried
            ],
        }


def compare_years(store: Store, year_a: int, year_b: int) -> Comparison:
    """Match year B's projects to year A's by origin link, then by name; report the rest."""
    if year_a == year_b:
        raise UserError("请选择两个不同的年度进行比较。")
    a_list = store.list_projects(ProjectFilter(year=year_a))
    b_list = store.list_projects(ProjectFilter(year=year_b))
    if not a_list and not b_list:
        raise UserError(f"{year_a} 年度和 {year_b} 年度都没有项目。")
    a_by_id = {p.id: p for p in a_list}
    matched_a: set[int | None] = set()
    pairs: dict[int | None, tuple[Project, str]] = {}
    for b in b_list:
        if b.origin_id is not None and b.origin_id in a_by_id and b.origin_id not in matched_a:
            matched_a.add(b.origin_id)
            pairs[b.id] = (a_by_id[b.origin_id], "origin")
    by_name: dict[str, list[Project]] = {}
    for a in a_list:
        if a.id not in matched_a:
            by_name.setdefault(_name_key(a.name), []).append(a)
    for b in b_list:
        if b.id in pairs:
            continue
        candidates = by_name.get(_name_key(b.name))
        if candidates:
            a = candidates.pop(0)
            matched_a.add(a.id)
            pairs[b.id] = (a, "name")
    carried = []
    added = []
    for b in b_list:
        if b.id in pairs:
            a, how = pairs[b.id]
            carried.append(CarriedPair(a=a, b=b, by=how, changes=_changes(a, b)))
        else:
            added.append(b)
    dropped = [a for a in a_list if a.id not in matched_a]
    return Comparison(year_a=year_a, year_b=year_b, added=added, dropped=dropped, carried=carried)


def _changes(a: Project, b: Project) -> tuple[FieldChange, ...]:
    changes = []
    for name in _COMPARED_FIELDS:
        old, new = getattr(a, name), getattr(b, name)
        if old != new:
            changes.append(FieldChange(field=name, old=_text(old), new=_text(new)))
    return tuple(changes)


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return format_list(value)
    return str(value)


def _name_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _brief(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "task_no": p.task_no,
        "status": p.status.value,
        "lead_units": list(p.lead_units),
        "deadline_text": p.deadline_text,
    }
