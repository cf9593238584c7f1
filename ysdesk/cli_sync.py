"""The shared-mode commands of the command line: server init/account, share, clone, sync.

Registered by cli.build_parser; exit codes as everywhere: 0 in sync, 1 with conflicts left,
2 refused (server unreachable, wrong password, not a ysdesk server: one Chinese sentence).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ysdesk.server.connection import ServerAddress

EXIT_OK, EXIT_PARTIAL, EXIT_REFUSED = 0, 1, 2
_URL_HELP = "服务器地址，如 postgresql://账号@主机:5432/数据库名（可加 ?sslmode=require）"


def add_commands(sub: Any) -> None:
    """Add server, share, clone and sync to the command parser's subcommands."""
    p = sub.add_parser("server", help="共享模式的服务器：建立数据结构、添加账号")
    server = p.add_subparsers(
        dest="server_command", metavar="ACTION", required=True, parser_class=type(p)
    )
    q = server.add_parser("init", help="在 PostgreSQL 数据库中建立或升级共享数据结构（可重复运行）")
    q.add_argument("url", metavar="URL", help=_URL_HELP)
    q = server.add_parser("account", help="添加办公室账号，或某单位的账号（--unit）")
    q.add_argument("url", metavar="URL", help=_URL_HELP + "（管理员账号）")
    q.add_argument("login", metavar="LOGIN", help="新账号名")
    q.add_argument("--unit", metavar="U", help="单位账号：只能修改本单位牵头项目的状态、进展、备注")
    q.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取新账号的密码（一行）"
    )

    p = sub.add_parser("share", help="把本数据库的清单放到空的服务器上，本机成为第一台共享电脑")
    p.add_argument("url", metavar="URL", help=_URL_HELP)
    p.add_argument("--desk", metavar="NAME", help="本机在修改记录中的名称（默认 计算机名:文件名）")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("clone", help="从服务器建立本机的副本（--db 指定的新文件）")
    p.add_argument("url", metavar="URL", help=_URL_HELP)
    p.add_argument("--desk", metavar="NAME", help="本机在修改记录中的名称（默认 计算机名:文件名）")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("sync", help="同步：推送本机的修改，拉取其他电脑的修改")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--mine", action="store_true", help="冲突字段采用本机的值")
    group.add_argument("--theirs", action="store_true", help="冲突字段采用服务器上的值")
    group.add_argument("--status", action="store_true", help="只显示待同步的内容，不同步")
    group.add_argument(
        "--pick",
        action="append",
        metavar="编号:字段=mine|theirs",
        help="逐个决定冲突：如 2025-01-01:note=theirs（字段也可写中文名，如 备注；"
        "删除冲突写 deleted；可重复）",
    )
    p.add_argument("--json", action="store_true")


def _prompt(address: ServerAddress) -> str | None:
    """Ask for the password on the terminal (never when input is not a terminal)."""
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(f"服务器 {address.host} 上账号“{address.user}”的密码：") or None


def _print_json(ctx: Any, data: Any) -> None:
    ctx.print_json(data)


def cmd_server(args: argparse.Namespace, ctx: Any) -> int:
    from ysdesk.domain.errors import UserError
    from ysdesk.services import sync

    if args.server_command == "init":
        before, after = sync.init_server_at(args.url, prompt=_prompt)
        if before == after:
            print(f"服务器上的共享数据结构已是第 {after} 版，无需改动。", file=sys.stderr)
        else:
            print(
                f"已在服务器上建立共享数据结构（第 {before} 版 → 第 {after} 版）。", file=sys.stderr
            )
        return EXIT_OK
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        if not sys.stdin.isatty():
            raise UserError("请在终端中输入新账号的密码，或用 --password-stdin 从标准输入读取。")
        password = getpass.getpass(f"新账号“{args.login}”的密码：")
    if not password:
        raise UserError("密码不能为空。")
    sync.add_account_at(args.url, args.login, password, unit=args.unit, prompt=_prompt)
    kind = f"单位“{args.unit}”的账号" if args.unit else "办公室账号"
    print(f"已添加{kind}：{args.login}。", file=sys.stderr)
    return EXIT_OK


def _report_lines(report: Any) -> list[str]:
    from ysdesk.services.importer import describe_value

    lines = [f"已同步：推送 {report.pushed} 个项目，拉取 {report.pulled} 个项目。"]
    if report.units_added:
        lines.append(f"新增单位 {report.units_added} 个。")
    for change in report.codes:
        lines.append(f"编号 {change.old} 已被其他电脑使用，“{change.name}”改为 {change.new}。")
    for code in report.refused:
        lines.append(f"未推送 {code}：本账号只能修改本单位牵头项目的推进状态、进展情况和备注。")
    for c in report.conflicts:
        if c.field == "deleted":
            mine = "已删除" if c.mine else "已修改"
            theirs = "已删除" if c.theirs else "已修改"
            lines.append(f"冲突 {c.code}“{c.name}”：本机{mine}，服务器上{theirs}。")
        else:
            lines.append(
                f"冲突 {c.code}“{c.name}” {c.label}：本机“{describe_value(c.mine)}”，"
                f"服务器“{describe_value(c.theirs)}”（原为“{describe_value(c.base)}”）。"
            )
    if report.conflicts:
        lines.append("冲突的字段保留本机的值；用 sync --mine 或 sync --theirs 决定采用哪一方。")
    return lines


def cmd_share(args: argparse.Namespace, ctx: Any) -> int:
    from ysdesk.services import sync

    store = ctx.open_store()
    try:
        report = sync.share(store, args.url, prompt=_prompt, desk=args.desk or "")
    finally:
        store.close()
    return _finish(args, ctx, report, f"已把 {ctx.db_path.name} 的清单共享到服务器。")


def cmd_clone(args: argparse.Namespace, ctx: Any) -> int:
    from ysdesk.services import sync

    store, report = sync.clone(ctx.db_path, args.url, prompt=_prompt, desk=args.desk or "")
    store.close()
    return _finish(args, ctx, report, f"已建立副本：{ctx.db_path}。")


def _finish(args: argparse.Namespace, ctx: Any, report: Any, first: str) -> int:
    if args.json:
        _print_json(ctx, report.to_json())
    else:
        for line in [line for line in (first, *_report_lines(report)) if line]:
            print(line, file=sys.stderr)
    return EXIT_PARTIAL if report.conflicts else EXIT_OK


def _pick(text: str) -> tuple[str, str, str]:
    """`编号:字段=mine|theirs` → (code, field, side)."""
    from ysdesk.domain.errors import UserError
    from ysdesk.services import sync

    sides = {"mine": sync.MINE, "本机": sync.MINE, "theirs": sync.THEIRS, "服务器": sync.THEIRS}
    head, _, picked = text.rpartition("=")
    code, _, name = head.partition(":")
    if not code or not name or picked.strip() not in sides:
        raise UserError(f"--pick 的写法应为 编号:字段=mine 或 编号:字段=theirs，而不是：{text}")
    return code.strip(), name.strip(), sides[picked.strip()]


def cmd_sync(args: argparse.Namespace, ctx: Any) -> int:
    from ysdesk.services import sync

    store = ctx.open_store()
    try:
        if args.status:
            state = sync.status(store, prompt=_prompt)
        else:
            prefer: Any = sync.MINE if args.mine else sync.THEIRS if args.theirs else None
            if args.pick:
                prefer = sync.picks(store, [_pick(text) for text in args.pick])
            report = sync.sync(store, prefer=prefer, prompt=_prompt)
    finally:
        store.close()
    if not args.status:
        return _finish(args, ctx, report, "")
    if args.json:
        _print_json(ctx, state.to_json())
    else:
        lines = [
            f"服务器：{state.url}（本机：{state.desk}）",
            f"上次同步：{state.synced_at or '从未'}",
        ]
        lines.append(
            f"本机待同步：{state.pending} 项"
            + (f"（{'、'.join(state.pending_codes[:10])}）" if state.pending_codes else "")
        )
        if state.waiting_on_server is None:
            lines.append(f"离线：{state.offline_reason}")
        else:
            lines.append(f"服务器上待拉取：{state.waiting_on_server} 个项目")
        if state.conflicts:
            lines.append(f"上次同步留下冲突 {len(state.conflicts)} 处。")
        ctx.out.write("\n".join(lines) + "\n")
    return EXIT_PARTIAL if state.conflicts else EXIT_OK


COMMANDS = {"server": cmd_server, "share": cmd_share, "clone": cmd_clone, "sync": cmd_sync}
