"""The command line (DESIGN.md §4). No Qt is imported here except by `screenshot` and the window.

Exit codes: 0 done; 1 done with conflicts or row errors; 2 refused (one Chinese line on stderr).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ysdesk import __version__
from ysdesk.domain.errors import UserError

if TYPE_CHECKING:
    from ysdesk.store import Store

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


_HELP_WORDS = (
    ("usage: ", "用法："),
    ("positional arguments:", "参数："),
    ("optional arguments:", "选项："),
    ("options:", "选项："),
    ("show this help message and exit", "显示本帮助并退出"),
)

# What the options many commands share mean, said once (filled in where a command leaves the
# help empty).
_COMMON_HELP = {
    "command": "要执行的命令；不写命令时打开窗口",
    "json": "以 JSON 格式输出",
    "year": "年度",
    "task": "重点任务编号（1–23）",
    "dry_run": "只预览，不写入",
    "output": "输出文件",
    "file": "表格文件（.xlsx/.xls）",
    "kind": "项目清单、分工表、责任矩阵，或分单位填报表（写入文件夹）",
    "by": "按项目计数，或按任务计数",
    "path": "文件路径",
    "year_a": "较早的年度",
    "year_b": "较晚的年度",
    "view": "显示的视图",
    "size": "图片尺寸（宽x高）",
}


class ChineseArgumentParser(argparse.ArgumentParser):
    """An argparse parser that refuses in one Chinese line (exit 2), never English usage."""

    def format_usage(self) -> str:
        return _chinese_help(super().format_usage())

    def format_help(self) -> str:
        return _chinese_help(super().format_help())

    def error(self, message: str) -> NoReturn:
        for english, chinese in _ARGPARSE_MESSAGES:
            message = message.replace(english, chinese)
        message = message.replace("argument ", "参数 ").replace("(choose from ", "（可选：")
        if message.endswith(")") and "（可选：" in message:
            message = message[:-1] + "）"
        raise Refused(f"命令参数有误：{message}。可用 --help 查看用法。")


def _chinese_help(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)
    return text


def _fill_help(parser: argparse.ArgumentParser) -> None:
    """Give every argument of the parser and its commands a Chinese help line."""
    for action in parser._actions:
        if action.help is None:
            action.help = _COMMON_HELP.get(action.dest)
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                _fill_help(command)


class Context:
    """What every command gets: the database path and the date overdue is judged against."""

    def __init__(self, db_path: Path, today: date, out: Any = None) -> None:
        self.db_path = db_path
        self.today = today
        self.out = out if out is not None else sys.stdout

    def open_store(self, *, readonly: bool = False):
        from ysdesk.services.workspace import open_or_create

        return open_or_create(self.db_path, readonly=readonly)

    def print_json(self, data: Any) -> None:
        import json

        json.dump(data, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")

    def progress(self) -> Any:
        """Progress of long work on the terminal's stderr line (nothing when redirected)."""
        from ysdesk.services.progress import TerminalProgress

        return TerminalProgress(sys.stderr)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type for a whole number in [low, high]: SQLite and dates cannot hold any
    integer (a 20-digit year overflowed into an internal error)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}应为整数：{text}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what}应在 {low}–{high} 之间：{text}")
        return value

    return parse


_YEAR = _int_in(1, 9999, "年度")
_ISSUE = _int_in(1, 99999, "期号")
_HEADER_ROW = _int_in(1, 1_048_576, "表头行号")
_MAPPING_ID = _int_in(1, 2**62, "列对应编号")


def build_parser() -> ChineseArgumentParser:
    """The argument parser: every command of DESIGN.md §4, and a few more."""
    parser = ChineseArgumentParser(
        prog="ysdesk",
        description="杨“数”浦新质秀带创新区项目清单工作台。不带命令时打开窗口。",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db", metavar="PATH", help="数据库文件（默认 $YSDESK_DB 或用户数据文件夹）"
    )
    where.add_argument(
        "--sample",
        dest="open_sample",
        action="store_true",
        help="改用示例清单（单独的数据库文件，首次使用时创建），不动本办的清单",
    )
    parser.add_argument(
        "--version", action="version", version=f"ysdesk {__version__}", help="显示版本号并退出"
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
    p.add_argument("--year", type=_YEAR)
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
    p.add_argument("--year", type=_YEAR)
    p.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    p.add_argument("--accept-sheet", action="store_true", help="冲突字段一律采用表格中的值")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="表头=字段",
        help="指定某列读作哪个字段（name、goal、task、zones、lead、co、deadline、status、"
        "progress、note、year，或 skip 不导入），可多次使用",
    )
    p.add_argument("--sheet", metavar="NAME", help="读取哪个工作表")
    p.add_argument("--header-row", type=_HEADER_ROW, metavar="N", help="表头所在的行（从 1 起）")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("mappings", help="导入时保存的列对应（按表头和单位）")
    p.add_argument("--forget", type=_MAPPING_ID, metavar="ID", help="删除这一条列对应")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="导出政府模板格式的 Excel")
    p.add_argument("kind", choices=["list", "division", "matrix", "unit-sheets"])
    p.add_argument("--year", type=_YEAR, required=True)
    p.add_argument("-o", "--output", required=True, metavar="PATH")

    p = sub.add_parser("brief", help="生成 Word 工作简报")
    p.add_argument("--year", type=_YEAR, required=True)
    p.add_argument("-o", "--output", required=True, metavar="FILE.docx")
    p.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 转为 PDF")
    p.add_argument("--issue", type=_ISSUE, metavar="N", help="期号（默认接上一期）")
    p.add_argument("--date", type=_parse_date, metavar="YYYY-MM-DD", help="印发日期")
    p.add_argument("--total-issue", type=_ISSUE, metavar="N", help="总期号（默认接上一期）")
    p.add_argument("--masthead", metavar="TEXT", help="简报名称（版头）")
    p.add_argument("--editor", metavar="TEXT", help="编印单位")
    p.add_argument("--title", metavar="TEXT", help="标题（默认按年度生成）")
    p.add_argument("--report-to", metavar="TEXT", help="报：")
    p.add_argument("--send-to", metavar="TEXT", help="送：")
    p.add_argument("--distribute-to", metavar="TEXT", help="发：")
    p.add_argument("--copies", type=_int_in(0, 99999, "共印份数"), metavar="N", help="共印份数")
    p.add_argument(
        "--next-steps", metavar="FILE", help="“五、下一步工作”的文字（文本文件，UTF-8 或 GBK）"
    )

    p = sub.add_parser("matrix", help="责任矩阵（单位 × 重点任务）")
    p.add_argument("--year", type=_YEAR, required=True)
    p.add_argument("--by", choices=["projects", "tasks"], default="projects")
    p.add_argument("--all-units", action="store_true", help="也列出本年度未承担任务的单位")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("indicators", help="目标指标：目标值、实际值与差距")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--set", nargs=3, metavar=("NAME", "YEAR", "VALUE"), help="录入某年实际值")
    group.add_argument("--delete", nargs=2, metavar=("NAME", "YEAR"), help="删除某年实际值")
    group.add_argument("--import", dest="import_file", metavar="FILE", help="从两列表格导入实际值")
    p.add_argument("--source", default="", help="与 --set 同用：数据来源")
    p.add_argument("--date", default="", metavar="DATE", help="与 --set 同用：数据日期")
    p.add_argument("--year", type=_YEAR, help="与 --import 同用：表格无“年度”列时数据所属年度")
    p.add_argument("--dry-run", action="store_true", help="与 --import 同用：只预览，不写入")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("dashboard", help="督办看板：按状态、逾期、30 天内到期")
    p.add_argument("--year", type=_YEAR, required=True)
    p.add_argument(
        "--days", type=_int_in(0, 3650, "天数"), default=30, metavar="N", help="“即将到期”的天数"
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("rollover", help="把未完成项目结转到下一年度")
    p.add_argument("--year", type=_YEAR, required=True, help="从该年度结转")
    p.add_argument("--to", type=_YEAR, dest="to_year", help="结转到的年度（默认下一年）")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument(
        "--skip-existing", action="store_true", help="目标年度已有结转副本的项目跳过不再结转"
    )
    p.add_argument(
        "--exclude", type=int, nargs="+", default=[], metavar="ID", help="不结转这些项目"
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("compare", help="比较两个年度的清单")
    p.add_argument("year_a", type=_YEAR)
    p.add_argument("year_b", type=_YEAR)
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

    from ysdesk.cli_editing import add_parsers  # add, set, delete, history

    add_parsers(sub)
    from ysdesk.cli_sync import add_commands as add_shared_mode_commands

    add_shared_mode_commands(sub)
    _fill_help(parser)
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
        if args.json:
            texts = [text for _, text in store.project_json(filt, ctx.today)]
        else:
            projects = store.list_projects(filt, today=ctx.today)
    finally:
        store.close()
    if args.json:
        # One compact line per project, as the database keeps it: 100,000 projects in a
        # fraction of a second (indented output goes through json's pure-Python encoder).
        ctx.out.write("[\n" + ",\n".join(texts) + "\n]\n" if texts else "[]\n")
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
    # The window's way too: the file is replaced as a whole (it need not open: damaged,
    # emptied, missing), after the one check of the backup and a copy of what was there.
    from ysdesk.store.backup import replace_with_backup

    source = Path(args.path)
    safety = replace_with_backup(ctx.db_path, source)
    note = f"（原数据已备份到 {safety}）" if safety else ""
    ctx.out.write(f"已从 {source} 恢复{note}。\n")
    return EXIT_OK


def cmd_matrix(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.domain.text import display_width
    from ysdesk.services.matrix import build_matrix, check_lines

    matrix = _year_report(
        ctx,
        args.year,
        lambda store: build_matrix(store, args.year, args.by, all_units=args.all_units),
    )
    if args.json:
        ctx.print_json(matrix.to_json())
        return EXIT_OK
    nos = [t.no for t in matrix.tasks]
    width = max((display_width(r.unit) for r in matrix.rows), default=4) + 2
    header = "".join(f"{n:>6}" for n in nos)
    ctx.out.write(f"{_pad('单位', width)}{header}  {_pad('牵头', 6)}配合\n")
    for row in matrix.rows:
        cells = "".join(f"{_cell_text(row.cells[n].lead, row.cells[n].co):>6}" for n in nos)
        totals = f"  {row.lead_total:<6}{row.co_total}"
        ctx.out.write(f"{_pad(row.unit, width)}{cells}{totals}\n")
    sums = "".join(
        f"{_cell_text(matrix.column_totals[n].lead, matrix.column_totals[n].co):>6}" for n in nos
    )
    totals = f"  {matrix.lead_total:<6}{matrix.co_total}"
    ctx.out.write(f"{_pad('合计', width)}{sums}{totals}\n")
    for line in check_lines(matrix):
        ctx.out.write(line + "\n")
    return EXIT_OK


def _pad(text: str, width: int) -> str:
    """Left-align for a terminal, where a Chinese character is two columns wide."""
    from ysdesk.domain.text import display_width

    return text + " " * max(width - display_width(text), 0)


def _cell_text(lead: int, co: int) -> str:
    parts = ([f"●{lead}"] if lead else []) + ([f"○{co}"] if co else [])
    return "".join(parts) or "·"


def cmd_indicators(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services import indicators

    if args.import_file:
        store = ctx.open_store(readonly=args.dry_run)
        try:
            result = indicators.import_values(
                store, Path(args.import_file), year=args.year, dry_run=args.dry_run
            )
        finally:
            store.close()
        if args.json:
            ctx.print_json(result.to_json())
        else:
            for row in result.rows:
                value = row.value
                what = f"{value.year} 年 {value.value:g}" if value else ""
                notes = "；".join(row.messages)
                ctx.out.write(f"第 {row.row} 行\t{row.action}\t{row.name}\t{what}\t{notes}\n")
            s = result.summary
            done = "已导入" if result.applied else "预览（未写入）"
            print(
                f"{done}：新增 {s['new']}，更新 {s['update']}，未变 {s['unchanged']}，"
                f"错误 {s['error']}。",
                file=sys.stderr,
            )
        return EXIT_PARTIAL if result.has_errors else EXIT_OK
    if args.set or args.delete:
        year_text = (args.set or args.delete)[1]
        try:
            year = int(year_text)
        except ValueError:
            raise UserError(f"年度应为整数：{year_text}。") from None
        store = ctx.open_store()
        try:
            if args.set:
                value = _parse_number(args.set[2])
                entry = indicators.set_value(
                    store, args.set[0], year, value, source=args.source, as_of=args.date
                )
                name = indicators.resolve_indicator(store, args.set[0]).name
                print(f"已录入：{name} {entry.year} 年 {entry.value:g}。", file=sys.stderr)
            else:
                indicators.delete_value(store, args.delete[0], year)
                name = indicators.resolve_indicator(store, args.delete[0]).name
                print(f"已删除：{name} {year} 年的实际值。", file=sys.stderr)
            statuses = indicators.indicator_statuses(store)
        finally:
            store.close()
    else:
        store = ctx.open_store(readonly=True)
        try:
            statuses = indicators.indicator_statuses(store)
        finally:
            store.close()
    if args.json:
        ctx.print_json([s.to_json() for s in statuses])
        return EXIT_OK
    for status in statuses:
        ctx.out.write(status.sentence() + "\n")
    return EXIT_OK


def _parse_number(text: str) -> float:
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        raise UserError(f"数值应为数字：{text}。") from None


def _year_report(ctx: Context, year: int, build: Callable[[Store], Any]) -> Any:
    """`build(store)` on the database read-only; a year without projects is said on stderr
    (the report itself stays well-formed for scripts)."""
    with ctx.open_store(readonly=True) as store:
        report = build(store)
        _note_empty_year(store, year)
    return report


def _note_empty_year(store: Store, year: int) -> None:
    if store.project_count(year):
        return
    years = store.years()
    have = (
        f"（数据库中有：{'、'.join(map(str, years))} 年度）" if years else "（数据库中还没有项目）"
    )
    print(f"{year} 年度没有项目{have}。", file=sys.stderr)


def cmd_dashboard(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services.dashboard import build_dashboard

    board = _year_report(
        ctx,
        args.year,
        lambda store: build_dashboard(store, args.year, ctx.today, soon_days=args.days),
    )
    if args.json:
        ctx.print_json(board.to_json())
        return EXIT_OK
    out = ctx.out
    out.write(board.summary_line() + "\n")
    out.write("按状态：" + "，".join(f"{k} {v}" for k, v in board.by_status.items()) + "\n")
    for a in board.by_area:
        out.write(f"{a.area.label}：{a.total} 项，完成 {a.by_status['已完成']}，逾期 {a.overdue}\n")
    for title, entries, unit in (
        ("逾期项目", board.overdue, "逾期"),
        (f"{board.soon_days} 天内到期", board.due_soon, "剩"),
    ):
        out.write(f"\n{title}（{len(entries)}）：\n")
        for e in entries:
            out.write(
                f"{e.project_id:>6}  {e.deadline.isoformat()}  {unit} {e.days} 天  "
                f"{e.name}（{'、'.join(e.lead_units)}）\n"
            )
    if board.top_units:
        out.write("\n逾期项目最多的单位：\n")
        for u in board.top_units:
            out.write(f"{u.unit}：牵头 {u.lead}，配合 {u.co}\n")
    return EXIT_OK


def cmd_rollover(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services.rollover import apply_rollover, plan_rollover

    store = ctx.open_store(readonly=args.dry_run)
    try:
        plan = plan_rollover(store, args.year, args.to_year)
        unknown = set(args.exclude) - {i.project.id for i in plan.items}
        if unknown:
            ids = "、".join(str(i) for i in sorted(unknown))
            raise UserError(f"要排除的项目不在 {args.year} 年度清单中：{ids}。")
        if args.dry_run:
            if args.json:
                ctx.print_json(plan.to_json())
                return EXIT_OK
            for item in plan.items:
                p = item.project
                label = "不结转（已排除）" if p.id in args.exclude else item.action_label
                change = ""
                if item.action == "carry":
                    change = f" → {item.new_code}  {item.new_deadline_text or '—'}"
                ctx.out.write(f"{p.id:>6}  {p.code:<12} {label}{change}  {p.name}\n")
            print(
                f"预览：结转 {len(plan.to_carry)} 个，已完成不结转 {len(plan.done)} 个，"
                f"已有结转副本 {len(plan.existing)} 个；未写入。",
                file=sys.stderr,
            )
            return EXIT_OK
        result = apply_rollover(
            store,
            args.year,
            args.to_year,
            exclude=args.exclude,
            skip_existing=args.skip_existing,
            progress=ctx.progress(),
        )
    finally:
        store.close()
    if args.json:
        ctx.print_json(result.to_json())
    skipped = f"，跳过已结转 {len(result.skipped_existing)} 个" if result.skipped_existing else ""
    print(
        f"已从 {result.from_year} 年度结转 {len(result.created)} 个项目到 {result.to_year} 年度"
        f"{skipped}。",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services.rollover import compare_years

    store = ctx.open_store(readonly=True)
    try:
        comparison = compare_years(store, args.year_a, args.year_b)
    finally:
        store.close()
    if args.json:
        ctx.print_json(comparison.to_json())
        return EXIT_OK
    out = ctx.out
    a, b = comparison.year_a, comparison.year_b
    out.write(f"{b} 年新增（{len(comparison.added)}）：\n")
    for p in comparison.added:
        out.write(f"  + {p.code}  {p.name}\n")
    out.write(f"{a} 年有、{b} 年无（{len(comparison.dropped)}）：\n")
    for p in comparison.dropped:
        out.write(f"  - {p.code}  {p.name}（{p.status.value}）\n")
    out.write(f"延续（{len(comparison.carried)}），其中有变化（{len(comparison.changed)}）：\n")
    for pair in comparison.changed:
        out.write(f"  * {pair.a.code} → {pair.b.code}  {pair.b.name}\n")
        for ch in pair.changes:
            out.write(f"      {ch.label}：{ch.old or '—'} → {ch.new or '—'}\n")
    return EXIT_OK


def _read_text_file(path: Path) -> str | None:
    """A text file as UTF-8, else as GBK (what Notepad and WPS on a Chinese Windows save as
    'ANSI'); None when it cannot be read or is not text."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # GB18030 decodes almost any bytes: a binary file shows itself by its NULs.
        return None if "\x00" in text else text
    return None


def cmd_brief(args: argparse.Namespace, ctx: Context) -> int:
    from dataclasses import replace

    from ysdesk.domain.errors import DatabaseLockedError, LockUnavailableError
    from ysdesk.services.brief import generate_brief, suggest_settings

    output = Path(args.output).expanduser()
    next_steps = None
    if args.next_steps:
        next_steps = _read_text_file(Path(args.next_steps))
        if next_steps is None:
            raise UserError(f"无法读取“下一步工作”文本文件：{args.next_steps}。")
    # Why the database could only be read, said after the brief is written.
    unrecorded = "数据库正被其他窗口使用（只读）"
    try:
        store = ctx.open_store()
    except LockUnavailableError:
        # A read-only folder or disk: nobody else writes, this command cannot either.
        unrecorded = f"数据库所在的文件夹“{ctx.db_path.parent}”不可写入，数据库只能读取"
        store = ctx.open_store(readonly=True)
    except DatabaseLockedError:
        # The window holds the database: write the brief anyway, without recording the issue.
        store = ctx.open_store(readonly=True)
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
        result, record = generate_brief(
            store, args.year, settings, output, ctx.today, pdf=args.pdf, progress=ctx.progress()
        )
    finally:
        store.close()
    total = f"（总第{settings.total_issue_no}期）" if settings.total_issue_no else ""
    ctx.out.write(f"已生成简报第{settings.issue_no}期{total}：{result.docx}\n")
    if record is None:
        print(f"{unrecorded}，本期设置未记录，下次不会自动接续期号。", file=sys.stderr)
    if result.pdf is not None:
        ctx.out.write(f"已生成 PDF：{result.pdf}\n")
    if args.pdf and result.pdf is None:
        print(result.pdf_message, file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_OK


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services.exporter import export

    store = ctx.open_store(readonly=True)
    try:
        paths = export(store, args.kind, args.year, Path(args.output), today=ctx.today)
    finally:
        store.close()
    for path in paths:
        ctx.out.write(f"{path}\n")
    print(f"已导出 {len(paths)} 个文件。", file=sys.stderr)
    return EXIT_OK


def _print_rows_json(ctx: Context, data: dict[str, Any], rows: Iterable[str]) -> None:
    """JSON with one compact line per row (rows given as JSON text): a 10,000-row preview
    prints in a fraction of a second (indented output goes through json's pure-Python
    encoder, ~30× slower). Rows go out a thousand at a time: one string of all of them
    would be copied three times over (join, framing, encoding)."""
    import json

    head = json.JSONEncoder(ensure_ascii=False).encode(data)
    write = ctx.out.write
    write(f'{head[:-1]}, "rows": [')
    rows = iter(rows)
    separator = "\n"
    while batch := list(itertools.islice(rows, 1000)):
        write(separator)
        write(",\n".join(batch))
        separator = ",\n"
    write("\n]}\n")


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    # The file is read in a child process, started before the importer and the store load.
    from ysdesk.services.import_reading import start_reading

    maps: tuple[tuple[str, str], ...] = ()
    if args.map:  # a wrong field is refused before the file is read
        from ysdesk.services.column_mappings import parse_maps

        maps = parse_maps(args.map)
    with start_reading(Path(args.file)) as started:
        from ysdesk.services.column_mappings import reading_options
        from ysdesk.services.importer import (
            CONFLICT,
            ERROR,
            UNCHANGED,
            ImportChoices,
            apply_import,
            preview_started,
            row_line,
            summary_line,
        )

        # A dry run opens an existing database read-only while the file is read; any other
        # run first waits: a refused file is refused before the database is opened or made.
        if not (args.dry_run and ctx.db_path.exists()):
            started.grids()
        store = ctx.open_store(readonly=args.dry_run)
        try:
            progress = ctx.progress()
            options = reading_options(
                store,
                maps=maps,
                sheet=args.sheet,
                header_row=args.header_row,
                unit=args.unit,
            )
            preview = preview_started(
                store,
                started,
                unit=args.unit,
                year=args.year,
                progress=progress,
                json_today=ctx.today if args.json else None,
                options=options,
            )
            receipt = None
            if not args.dry_run:
                choices = ImportChoices(accept_sheet=args.accept_sheet)
                receipt = apply_import(store, preview, choices, progress=progress)
        finally:
            store.close()
    if args.json:
        data = preview.to_json(ctx.today, with_rows=False)
        data["applied"] = (
            None if receipt is None else {"batch_id": receipt.batch_id, **receipt.counts}
        )
        known = preview.project_json
        _print_rows_json(ctx, data, (row.json_text(ctx.today, known) for row in preview.rows))
    else:
        for row in preview.rows:
            if row.action != UNCHANGED:
                ctx.out.write(row_line(row) + "\n")
    if not args.json:
        _print_columns(preview.columns)
    for message in preview.messages:
        print(message, file=sys.stderr)
    print(summary_line(preview), file=sys.stderr)
    counts = preview.counts()
    if receipt is not None:
        c = receipt.counts
        kept = f"，{c['conflict_kept']} 处冲突保留数据库原值" if c["conflict_kept"] else ""
        print(f"已导入：新增 {c['new']} 个，更新 {c['update']} 个{kept}。", file=sys.stderr)
    else:
        print("预览模式，未写入数据库。", file=sys.stderr)
    conflicts_left = counts[CONFLICT] and not (receipt is not None and args.accept_sheet)
    return EXIT_PARTIAL if conflicts_left or counts[ERROR] else EXIT_OK


def _print_columns(columns: Sequence[Any]) -> None:
    """How each column was read, one line on stderr; how to change it when a column was
    guessed or not read."""
    if not columns:
        return
    marks = {"map": "（指定）", "saved": "（已保存）", "guess": "（推断）", "none": ""}
    shown = "；".join(f"{c.column} {c.header}→{c.title}{marks.get(c.source, '')}" for c in columns)
    print(f"各列读作：{shown}。", file=sys.stderr)
    if any(c.source in ("guess", "none") for c in columns):
        print(
            "如某列读得不对，可用 --map 表头=字段 指定（字段：name、goal、task、zones、lead、co、"
            "deadline、status、progress、note、year，或 skip 不导入）。",
            file=sys.stderr,
        )


def cmd_mappings(args: argparse.Namespace, ctx: Context) -> int:
    from ysdesk.services.column_mappings import describe, forget, mappings

    store = ctx.open_store(readonly=args.forget is None)
    try:
        if args.forget is not None:
            gone = forget(store, args.forget)
            print(f"已删除列对应 {gone.id}（表头：{'、'.join(gone.headers)}）。", file=sys.stderr)
            return EXIT_OK
        saved = mappings(store)
    finally:
        store.close()
    if args.json:
        ctx.print_json([m.to_json() for m in saved])
        return EXIT_OK
    for mapping in saved:
        ctx.out.write(describe(mapping) + "\n")
    if not saved:
        print(
            "还没有保存的列对应：导入时按 --map、推断或窗口中选定的列对应会在导入后保存。",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_screenshot(args: argparse.Namespace, ctx: Context) -> int:
    # The only command that loads Qt, and only here.
    from ysdesk.ui.screenshot import parse_size, render_screenshot

    size = parse_size(args.size)
    out = render_screenshot(
        ctx.db_path, Path(args.output), view=args.view, size=size, today=ctx.today
    )
    print(f"已保存截图：{out}", file=sys.stderr)
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
    "import": cmd_import,
    "mappings": cmd_mappings,
    "export": cmd_export,
    "brief": cmd_brief,
    "matrix": cmd_matrix,
    "indicators": cmd_indicators,
    "dashboard": cmd_dashboard,
    "rollover": cmd_rollover,
    "compare": cmd_compare,
    "screenshot": cmd_screenshot,
}


def _shared_mode_command(name: str) -> Callable[[argparse.Namespace, Context], int]:
    def handler(args: argparse.Namespace, ctx: Context) -> int:
        from ysdesk.cli_sync import COMMANDS as SHARED

        return SHARED[name](args, ctx)

    return handler


COMMANDS.update({name: _shared_mode_command(name) for name in ("server", "share", "clone", "sync")})


def _run_command(args: argparse.Namespace, ctx: Context) -> int:
    # A damaged file opens and then fails on whichever query reaches the bad page: that is
    # a sentence for the user (restore a backup), not an internal error.
    from ysdesk import cli_editing

    try:
        return {**COMMANDS, **cli_editing.COMMANDS}[args.command](args, ctx)
    except Exception as exc:
        # Looked up, not imported: a command loads sqlite3 when it needs it (import --dry-run
        # loads the store while the file is being read), and without it no error is SQLite's.
        sqlite3 = sys.modules.get("sqlite3")
        if sqlite3 is None or not isinstance(exc, sqlite3.Error):
            raise
        from ysdesk.store.db import user_errors

        with user_errors():
            raise


def _log_internal_error() -> Path | None:
    import traceback

    from ysdesk.services.locations import user_data_dir

    try:
        folder = user_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "error.log"
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        return log
    except OSError:
        return None


def _can_write_chinese(encoding: str) -> bool:
    try:
        "杨“数”浦区科委".encode(encoding)
    except (LookupError, UnicodeError):
        return False
    return True


def _utf8_streams() -> None:
    """Streams that can carry Chinese keep their encoding (a GBK console reads GBK, not UTF-8
    bytes), with a replacement for the odd missing character; the others switch to UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (stream.encoding or "").lower()
        if reconfigure is None or encoding in ("utf-8", "utf8"):
            continue
        try:
            if _can_write_chinese(encoding):
                reconfigure(errors="replace")
            else:
                reconfigure(encoding="utf-8")
        except (ValueError, OSError):
            pass


def _ignore_unraisable(unraisable: Any) -> None:
    pass


def _ensure_sample(path: Path) -> None:
    """--sample: the sample list's own database, made on its first use."""
    if not path.exists():
        from ysdesk.services.workspace import open_sample

        open_sample(path).close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: no command opens the window; a command runs headless."""
    _utf8_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    from ysdesk.services.locations import default_db_path, sample_db_path

    if args.open_sample:
        db_path = sample_db_path()
    else:
        db_path = Path(args.db).expanduser() if args.db else default_db_path()
    ctx = Context(db_path=db_path, today=args.today or date.today())
    try:
        if args.open_sample and args.command != "init":
            _ensure_sample(db_path)
        if args.command is None:
            from ysdesk.ui.app import run_app

            return run_app(db_path if args.db or args.open_sample else None)
        return _run_command(args, ctx)
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        # Whatever the command was writing is torn down with it (openpyxl's XML writers raise
        # as they are closed half-way): the user asked to stop, and one line says it stopped.
        sys.unraisablehook = _ignore_unraisable
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


def run() -> NoReturn:
    """The process's entry point (main.py, `python -m ysdesk`, the `ysdesk` script)."""
    from ysdesk.exchange.sheet_process import CHILD_FLAG, serve

    if sys.argv[1:2] == [CHILD_FLAG]:  # the frozen program reading a sheet for itself
        raise SystemExit(serve(sys.argv[2:]))
    raise SystemExit(main())
