"""The command line's editing commands: add, set, delete, history (DESIGN.md §4).

They call the services the window's editor calls (ysdesk.services.editing): the same
validation, audit entries and version increments. Every refusal is one Chinese sentence
(exit 2) and changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ysdesk.cli import EXIT_OK, Context, _int_in
from ysdesk.domain.errors import NotFoundError, UserError

if TYPE_CHECKING:
    from ysdesk.domain.model import AuditEntry, Project
    from ysdesk.store import Store

_VERSION = _int_in(1, 2**62, "版本号")
_YEAR = _int_in(1, 9999, "年度")
# How long a command waits for another writer (a command finishing its write) before it
# refuses: scripted edits from several processes then mostly go through one after another,
# while a window holding the database is reported within seconds.
WRITER_WAIT = 5.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"等待秒数应为数字：{text}") from None
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError(f"等待秒数应在 0–600 之间：{text}")
    return value


def _add_wait(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--wait",
        type=_seconds,
        default=WRITER_WAIT,
        metavar="SECONDS",
        help=f"数据库正被其他命令写入时最多等待的秒数（默认 {WRITER_WAIT:g}，0 为不等待）",
    )


def open_for_writing(ctx: Context, wait: float) -> Store:
    """The database opened for writing, waiting up to `wait` seconds for another writer.

    The writer lock is taken without blocking (ysdesk.store.lock), so this asks again every
    few hundredths of a second, at random moments so that waiting commands take turns.
    """
    import random
    import time

    from ysdesk.domain.errors import DatabaseLockedError, LockUnavailableError

    deadline = time.monotonic() + wait
    while True:
        try:
            return ctx.open_store()
        except LockUnavailableError:
            raise  # a read-only folder: waiting does not help
        except DatabaseLockedError as exc:
            if time.monotonic() >= deadline:
                if not wait:
                    raise
                raise DatabaseLockedError(f"已等待 {wait:g} 秒，未作修改：{exc.message}") from None
            time.sleep(random.uniform(0.01, 0.05))


def add_parsers(sub: Any) -> None:
    """The parsers of add, set, delete and history, on the CLI's subparsers."""
    p = sub.add_parser("add", help="新建项目（与窗口中新建项目相同的检查和修改记录）")
    p.add_argument("--year", type=_YEAR, required=True)
    p.add_argument("--task", type=int, required=True, metavar="N")
    p.add_argument("--name", required=True, metavar="S", help="项目名称")
    p.add_argument("--lead", required=True, metavar="U", help="牵头单位，多个用“、”分隔")
    p.add_argument("--co", default="", metavar="U", help="配合单位，多个用“、”分隔")
    p.add_argument("--zone", default="", metavar="Z", help="功能区，多个用“、”分隔")
    p.add_argument("--goal", default="", metavar="TEXT", help="年度目标")
    p.add_argument("--deadline", default="", metavar="TEXT", help="完成时限，如 2025年12月底前")
    p.add_argument("--status", default="", metavar="S", help="推进状态（默认未启动）")
    p.add_argument("--json", action="store_true")
    _add_wait(p)

    p = sub.add_parser("set", help="修改项目的字段（REF 为项目编号或 id）")
    p.add_argument("ref", metavar="REF", help="项目编号（如 2025-03-02）或 id")
    p.add_argument(
        "assignments",
        nargs="+",
        metavar="FIELD=VALUE",
        help="字段：name goal task zones lead co deadline status progress note code year；"
        "多个单位或功能区用“、”分隔",
    )
    p.add_argument(
        "--expect-version", type=_VERSION, metavar="V", help="项目须仍为第 V 版，否则不修改"
    )
    p.add_argument("--json", action="store_true")
    _add_wait(p)

    p = sub.add_parser("delete", help="删除项目（先自动备份，记入修改记录）")
    p.add_argument("ref", metavar="REF", help="项目编号（如 2025-03-02）或 id")
    p.add_argument(
        "--expect-version", type=_VERSION, metavar="V", help="项目须仍为第 V 版，否则不删除"
    )
    _add_wait(p)

    p = sub.add_parser("history", help="一个项目的修改记录（时间顺序）")
    p.add_argument("ref", metavar="REF", help="项目编号（如 2025-03-02）或 id")
    p.add_argument("--json", action="store_true")


def _assignments(items: list[str]) -> dict[str, str]:
    """FIELD=VALUE words as a mapping (the value may itself hold “=”)."""
    words: dict[str, str] = {}
    for item in items:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise UserError(f"修改应写成 字段=值（如 status=推进中）：{item}。")
        if field.strip() in words:
            raise UserError(f"字段“{field.strip()}”写了不止一次。")
        words[field.strip()] = value
    return words


def _print_project(ctx: Context, store: Store, project_id: int) -> None:
    """The project as `list --json` prints it (the same characters)."""
    from ysdesk.domain.model import ProjectFilter

    [(_, text)] = store.project_json(ProjectFilter(ids=(project_id,)), ctx.today)
    ctx.out.write(text + "\n")


def _label(project: Project) -> str:
    return f"“{project.name}”（{project.code or '无编号'}，id {project.id}）"


def cmd_add(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services import editing

    words = {"name": args.name, "lead": args.lead, "co": args.co, "zones": args.zone}
    words |= {"goal": args.goal, "deadline": args.deadline}
    if args.status:
        words["status"] = args.status
    with open_for_writing(ctx, args.wait) as store:
        values = editing.values_from_words(store, words)
        draft = editing.new_draft(store, args.year, task_no=args.task)
        project = editing.create_project(store, editing.with_values(draft, values)).project
        if args.json:
            _print_project(ctx, store, project.id or 0)
    if not args.json:
        ctx.out.write(f"{project.id}\t{project.code}\t{project.name}\n")
    print(f"已新建项目{_label(project)}。", file=sys.stderr)
    return EXIT_OK


def cmd_set(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.domain.model import FIELD_LABELS
    from ysdesk.services import editing

    words = _assignments(args.assignments)
    with open_for_writing(ctx, args.wait) as store:
        project = editing.find_project(store, args.ref)
        values = editing.values_from_words(store, words)
        change = editing.apply_changes(
            store, project.id or 0, values, expected_version=args.expect_version
        )
        if args.json:
            _print_project(ctx, store, project.id or 0)
    after = change.project
    if not args.json:
        for field, old in change.old.items():
            new = change.new[field]
            if old != new:
                ctx.out.write(f"{FIELD_LABELS[field]}：{_text(old)} → {_text(new)}\n")
    if change.changed:
        print(f"已修改项目{_label(after)}，现为第 {after.version} 版。", file=sys.stderr)
    else:
        print(f"项目{_label(after)}的这些字段已是所给的值，未作修改。", file=sys.stderr)
    return EXIT_OK


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        value = "、".join(value)
    return str(value) if value not in ("", None) else "（空）"


def cmd_delete(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services import editing

    with open_for_writing(ctx, args.wait) as store:
        project = editing.find_project(store, args.ref)
        _, backup = editing.delete_for_good(
            store, project.id or 0, expected_version=args.expect_version
        )
    where = f"，删除前已备份到 {backup}" if backup else ""
    print(f"已删除项目{_label(project)}{where}。", file=sys.stderr)
    return EXIT_OK


def cmd_history(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services import editing

    with ctx.open_store(readonly=True) as store:
        try:
            project_id = editing.find_project(store, args.ref).id or 0
        except NotFoundError:
            # A deleted project keeps its log: its id still finds it.
            if not args.ref.strip().isdigit():
                raise
            project_id = int(args.ref)
            if not store.audit_log(project_id, limit=1):
                raise
        entries = list(reversed(store.audit_log(project_id, limit=-1)))
    if args.json:
        ctx.print_json([_entry_json(e) for e in entries])
        return EXIT_OK
    for e in entries:
        ctx.out.write(_entry_line(e) + "\n")
    print(f"共 {len(entries)} 条修改记录。", file=sys.stderr)
    return EXIT_OK


def _entry_json(entry: AuditEntry) -> dict[str, Any]:
    from ysdesk.domain.model import FIELD_LABELS

    return {
        "id": entry.id,
        "at": entry.at,
        "field": entry.field,
        "label": FIELD_LABELS.get(entry.field, entry.field),
        "old": entry.old,
        "new": entry.new,
        "origin": entry.origin,
        "batch_id": entry.batch_id,
    }


def _entry_line(entry: AuditEntry) -> str:
    from ysdesk.domain.model import FIELD_LABELS

    label = FIELD_LABELS.get(entry.field, entry.field)
    if entry.field == "created":
        what = f"{label}：{entry.new}"
    elif entry.field == "deleted":
        what = f"{label}：{entry.old}"
    else:
        what = f"{label}：{entry.old or '（空）'} → {entry.new or '（空）'}"
    return f"{entry.at}  {what}（{entry.origin}）"


COMMANDS = {"add": cmd_add, "set": cmd_set, "delete": cmd_delete, "history": cmd_history}
