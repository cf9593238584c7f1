"""`check`: SQLite integrity, foreign keys, and the plan's and projects' consistency."""

from __future__ import annotations

from ysdesk.domain.deadline import parse_deadline
from ysdesk.domain.model import Status
from ysdesk.store import kept_json
from ysdesk.store.db import Store

# The plan's shape (沪科合〔2025〕7号): four areas over tasks 1–5, 6–12, 13–17, 18–23.
AREA_OF_TASKS = {
    **dict.fromkeys(range(1, 6), 1),
    **dict.fromkeys(range(6, 13), 2),
    **dict.fromkeys(range(13, 18), 3),
    **dict.fromkeys(range(18, 24), 4),
}
DISTRICT_KM2 = 60.61


def check(store: Store) -> list[str]:
    """Problems found, each one Chinese sentence; an empty list means all is well."""
    problems: list[str] = []
    conn = store.conn
    result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        problems.append("数据库文件完整性检查未通过：" + "；".join(result[:5]))
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append(f"有 {len(fk)} 条记录引用了不存在的数据（外键）。")
    if store.schema_version < store.expected_schema_version:
        problems.append("数据库结构版本低于程序版本。")

    areas = store.areas()
    tasks = store.tasks()
    zones = store.zones()
    if len(areas) != 4:
        problems.append(f"方案应有 4 个任务领域，实有 {len(areas)} 个。")
    if [t.no for t in tasks] != list(range(1, 24)):
        problems.append(f"方案应有编号 1–23 的 23 项重点任务，实有 {len(tasks)} 项。")
    for task in tasks:
        if AREA_OF_TASKS.get(task.no) not in (None, task.area_no):
            problems.append(f"重点任务 {task.no} 应属于第 {AREA_OF_TASKS[task.no]} 个领域。")
        if not task.title or not task.text:
            problems.append(f"重点任务 {task.no} 缺少标题或正文。")
    if len(zones) != 4:
        problems.append(f"方案应有 4 个功能区，实有 {len(zones)} 个。")
    inside = [z.area_km2 for z in zones if z.area_km2 is not None]
    if zones and abs(sum(inside) - DISTRICT_KM2) > 0.005:
        problems.append(f"功能区面积合计 {sum(inside):.2f} 平方公里，与全域 {DISTRICT_KM2} 不符。")
    if len(store.indicators()) != 4:
        problems.append("方案应有 4 项目标指标。")
    if store.plan_document() is None:
        problems.append("缺少方案文件信息（文号、发文单位、日期）。")

    no_lead = conn.execute(
        "SELECT p.id, p.name FROM projects p WHERE NOT EXISTS (SELECT 1 FROM project_units pu"
        " WHERE pu.project_id = p.id AND pu.role = 'lead')"
    ).fetchall()
    for pid, name in no_lead[:20]:
        problems.append(f"项目 {pid}“{name}”没有牵头单位。")
    if len(no_lead) > 20:
        problems.append(f"另有 {len(no_lead) - 20} 个项目没有牵头单位。")
    statuses = {s.value for s in Status}
    mismatched = 0
    for pid, year, text, stored, status in conn.execute(
        "SELECT id, year, deadline_text, deadline, status FROM projects"
    ):
        if status not in statuses:
            problems.append(f"项目 {pid} 的推进状态无效：{status}。")
        derived = parse_deadline(text, year)
        if (derived.isoformat() if derived else None) != stored:
            mismatched += 1
    if mismatched:
        problems.append(f"有 {mismatched} 个项目的完成日期与完成时限文字不一致。")
    differing = kept_json.differences(store)
    if differing:
        problems.append(f"有 {len(differing)} 个项目保存的 JSON 文本与项目数据不一致。")
    return problems
