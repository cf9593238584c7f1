"""The command line (DESIGN.md §4). No Qt is imported here except by `screenshot` and the window.

Exit codes: 0 done; 1 done with conflicts or row errors; 2 refused (one Chinese line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from ysdesk.domain.errors import UserError

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_REFUSED = 2


class Refused(Exception):
    """Raised by the parser instead of printing English usage text."""


_ARGPARSE_MESSAGES = (
    ("the following arguments are required: ", "缺少必需的参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("invalid choice: ", "无效的选项："),
    ("expected one argument", "需要一个值"),
    ("invalid int value: ", "不是有效的整数："),
    ("not allowed with argument", "不能与此参数同时使用"),
)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An argparse parser that refuses in one Chinese line (exit 2), never English usage."""

    def error(self, message: str) -> NoReturn:
        for english, chinese in _ARGPARSE_MESSAGES:
            message = message.replace(english, chinese)
        message = message.replace("argument ", "参数 ").replace("(choose from ", "（可选：")
        if message.endswith(")") and "（可选：" in message:
            message = message[:-1] + "）"
        raise Refused(f"命令参数有误：{message}。可用 --help 查看用法。")


@dataclass
class Context:
    """What every command gets: the database path and the date overdue is judged against."""

    db_path: Path
    today: date
    out: Any = None

    def __post_init__(self) -> None:
        if self.out is None:
            self.out = sys.stdout

    def open_store(self, *, readonly: bool = False):
        from ysdesk.services.workspace import open_or_create

        return open_or_create(self.db_path, readonly=readonly)

    def print_json(self, data: Any) -> None:
        json.dump(data, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def build_parser() -> ChineseArgumentParser:
    """The argument parser: every command of DESIGN.md §4, and a few more."""
    parser = ChineseArgumentParser(
        prog="ysdesk",
        description="杨“数”浦新质秀带创新区项目清单工作台。不带命令时打开窗口。",
    )
    parser.add_argument(
        "--db", metavar="PATH", help="数据库文件（默认 $YSDESK_DB 或用户数据文件夹）"
    )
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", type=_parse_date, help="判断逾期所用的日期（默认今天）"
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser
    )

    p = sub.add_parser("init", help="新建数据库（方案、功能区、指标、单位）")
    p.add_argument("--sample", action="store_true", help="同时载入示例年度项目清单")
    p.add_argument("--force", action="store_true", help="数据库已存在时先备份再重建")

    p = sub.add_parser("list", help="列出项目")
    p.add_argument("--year", type=int)
    p.add_argument("--task", type=int, metavar="N")
    p.add_argument("--zone", metavar="Z", help="功能区名称；“无”表示未标注功能区")
    p.add_argument("--unit", metavar="U", help="单位名称或简称（牵头或配合）")
    p.add_argument("--status", metavar="S", help="未启动/推进中/已完成/滞后/暂缓，或 逾期")
    p.add_argument(
        "--search", metavar="TEXT", help="按名称、目标、单位、进展检索（支持拼音首字母）"
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("units", help="列出单位及其别名")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("import", help="导入部门报回的 Excel（.xlsx/.xls）")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--unit", metavar="U", help="只允许修改该单位牵头的项目")
    p.add_argument("--year", type=int)
    p.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    p.add_argument("--accept-sheet", action="store_true", help="冲突字段一律采用表格中的值")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="导出政府模板格式的 Excel")
    p.add_argument("kind", choices=["list", "division", "matrix", "unit-sheets"])
    p.add_argument("--year", type=int, required=True)
    p.add_argument("-o", "--output", required=True, metavar="PATH")

    p = sub.add_parser("brief", help="生成 Word 工作简报")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("-o", "--output", required=True, metavar="FILE.docx")
    p.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 转为 PDF")
    p.add_argument("--issue", type=int, metavar="N", help="期号（默认接上一期）")
    p.add_argument("--date", type=_parse_date, metavar="YYYY-MM-DD", help="印发日期")
    p.add_argument("--total-issue", type=int, metavar="N", help="总期号（默认接上一期）")
    p.add_argument("--masthead", metavar="TEXT", help="简报名称（版头）")
    p.add_argument("--editor", metavar="TEXT", help="编印单位")
    p.add_argument("--title", metavar="TEXT", help="标题（默认按年度生成）")
    p.add_argument("--report-to", metavar="TEXT", help="报：")
    p.add_argument("--send-to", metavar="TEXT", help="送：")
    p.add_argument("--distribute-to", metavar="TEXT", help="发：")
    p.add_argument("--copies", type=int, metavar="N", help="共印份数")
    p.add_argument("--next-steps", metavar="FILE", help="“五、下一步工作”的文字（UTF-8 文本文件）")

    p = sub.add_parser("matrix", help="责任矩阵（单位 × 重点任务）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--by", choices=["projects", "tasks"], default="projects")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("indicators", help="目标指标：目标值、实际值与差距")
    p.add_argument("--set", nargs=3, metavar=("NAME", "YEAR", "VALUE"), help="录入某年实际值")
    p.add_argument("--source", default="", help="与 --set 同用：数据来源")
    p.add_argument("--import", dest="import_file", metavar="FILE", help="从两列表格导入实际值")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("dashboard", help="督办看板：按状态、逾期、30 天内到期")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("rollover", help="把未完成项目结转到下一年度")
    p.add_argument("--year", type=int, required=True, help="从该年度结转")
    p.add_argument("--to", type=int, dest="to_year", help="结转到的年度（默认下一年）")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("compare", help="比较两个年度的清单")
    p.add_argument("year_a", type=int)
    p.add_argument("year_b", type=int)
    p.add_argument("--json", action="store_true")

    sub.add_parser("check", help="检查数据库完整性与方案一致性")

    p = sub.add_parser("backup", help="在线备份数据库")
    p.add_argument("path", metavar="PATH")

    p = sub.add_parser("restore", help="从备份恢复（恢复前自动备份当前数据）")
    p.add_argument("path", metavar="PATH")

    p = sub.add_parser("screenshot", help="在后台渲染主窗口并保存为 PNG")
    p.add_argument("output", metavar="OUT.png")
    p.add_argument(
        "--view",
        choices=["task", "zone", "unit", "matrix", "indicators", "dashboard"],
        default="task",
    )
    p.add_argument("--size", default="1600x1000", metavar="WxH")
    return parser


# ------------------------------------------------------------------ commands
def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services.workspace import init_database

    store = init_database(ctx.db_path, sample=args.sample, force=args.force)
    try:
        count = store.project_count()
    finally:
        store.close()
    extra = f"，含示例项目 {count} 个" if args.sample else ""
    print(f"已创建数据库：{ctx.db_path}{extra}。", file=sys.stderr)
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services.projects import filter_from_options

    store = ctx.open_store(readonly=True)
    try:
        filt = filter_from_options(
            store,
            year=args.year,
            task_no=args.task,
            zone=args.zone,
            unit=args.unit,
            status=args.status,
            text=args.search or "",
        )
        projects = store.list_projects(filt, today=ctx.today)
    finally:
        store.close()
    if args.json:
        ctx.print_json([p.to_json(ctx.today) for p in projects])
        return EXIT_OK
    for p in projects:
        status = p.display_status(ctx.today)
        lead = "、".join(p.lead_units)
        ctx.out.write(
            f"{p.id:>5}  {p.code:<11} 任务{p.task_no:<3} {status:<4} "
            f"{p.deadline_text or '—':<14} {p.name}（{lead}）\n"
        )
    print(f"共 {len(projects)} 个项目。", file=sys.stderr)
    return EXIT_OK


def cmd_units(args: argparse.Namespace, ctx: Context) -> int:
    store = ctx.open_store(readonly=True)
    try:
        units = store.units()
    finally:
        store.close()
    if args.json:
        ctx.print_json(
            [
                {"id": u.id, "name": u.name, "kind": u.kind, "aliases": list(u.aliases)}
                for u in units
            ]
        )
        return EXIT_OK
    for u in units:
        aliases = "、".join(u.aliases)
        ctx.out.write(f"{u.name}\t{u.kind}\t{aliases}\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.store.check import check

    store = ctx.open_store(readonly=True)
    try:
        problems = check(store)
        summary = (
            f"{len(store.tasks())} 项重点任务，{len(store.zones())} 个功能区，"
            f"{len(store.units())} 个单位，{store.project_count()} 个项目"
        )
    finally:
        store.close()
    for problem in problems:
        ctx.out.write(f"问题：{problem}\n")
    if problems:
        print(f"检查发现 {len(problems)} 个问题（{summary}）。", file=sys.stderr)
        return EXIT_PARTIAL
    ctx.out.write(f"检查通过：{summary}。\n")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.store.backup import backup_to

    store = ctx.open_store(readonly=True)
    try:
        dest = backup_to(store, Path(args.path))
    finally:
        store.close()
    ctx.out.write(f"已备份到：{dest}\n")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.store import Store
    from ysdesk.store.backup import restore_from, validate_database_file

    source = Path(args.path)
    validate_database_file(source)
    store = Store.open(ctx.db_path, create=True)
    try:
        safety = restore_from(store, source)
    finally:
        store.close()
    note = f"（原数据已备份到 {safety}）" if safety else ""
    ctx.out.write(f"已从 {source} 恢复{note}。\n")
    return EXIT_OK


def cmd_brief(args: argparse.Namespace, ctx: Context) -> int:
    from dataclasses import replace

    from ysdesk.services.brief import generate_brief, suggest_settings

    output = Path(args.output).expanduser()
    next_steps = None
    if args.next_steps:
        try:
            next_steps = Path(args.next_steps).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise UserError(f"无法读取“下一步工作”文本文件：{args.next_steps}。") from None
    store = ctx.open_store()
    try:
        settings = suggest_settings(store, ctx.today)
        given = {
            "issue_no": args.issue,
            "total_issue_no": args.total_issue,
            "date": args.date,
            "masthead": args.masthead,
            "editor": args.editor,
            "title": args.title,
            "report_to": args.report_to,
            "send_to": args.send_to,
            "distribute_to": args.distribute_to,
            "copies": args.copies,
            "next_steps": next_steps,
        }
        settings = replace(settings, **{k: v for k, v in given.items() if v is not None})
        result, record = generate_brief(store, args.year, settings, output, ctx.today, pdf=args.pdf)
    finally:
        store.close()
    total = f"（总第{record.total_issue_no}期）" if record.total_issue_no else ""
    ctx.out.write(f"已生成简报第{record.issue_no}期{total}：{result.docx}\n")
    if result.pdf is not None:
        ctx.out.write(f"已生成 PDF：{result.pdf}\n")
    if args.pdf and result.pdf is None:
        print(result.pdf_message, file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_OK


def _not_ready(name: str) -> Callable[[argparse.Namespace, Context], int]:
    def handler(args: argparse.Namespace, ctx: Context) -> int:
        raise UserError(f"“{name}”功能尚未提供。")

    return handler


COMMANDS: dict[str, Callable[[argparse.Namespace, Context], int]] = {
    "init": cmd_init,
    "list": cmd_list,
    "units": cmd_units,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "import": _not_ready("import"),
    "export": _not_ready("export"),
    "brief": cmd_brief,
    "matrix": _not_ready("matrix"),
    "indicators": _not_ready("indicators"),
    "dashboard": _not_ready("dashboard"),
    "rollover": _not_ready("rollover"),
    "compare": _not_ready("compare"),
    "screenshot": _not_ready("screenshot"),
}


def _log_internal_error() -> Path | None:
    from ysdesk.services.workspace import user_data_dir

    try:
        folder = user_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "error.log"
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        return log
    except OSError:
        return None


def _utf8_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            try:
                reconfigure(encoding="utf-8")
            except (ValueError, OSError):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: no command opens the window; a command runs headless."""
    _utf8_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    from ysdesk.services.workspace import default_db_path

    db_path = Path(args.db).expanduser() if args.db else default_db_path()
    ctx = Context(db_path=db_path, today=args.today or date.today())
    try:
        if args.command is None:
            from ysdesk.ui.app import run_app

            return run_app(db_path if args.db else None)
        return COMMANDS[args.command](args, ctx)
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # `ysdesk list | head`: the reader went away; nothing to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        log = _log_internal_error()
        where = f"，详情已记录在 {log}" if log else ""
        print(f"程序内部错误（{type(exc).__name__}）{where}；数据库未作改动。", file=sys.stderr)
        return EXIT_REFUSED
