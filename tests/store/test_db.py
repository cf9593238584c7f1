"""The store against real SQLite files: schema, writes, versions, audit, lock, backups."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ysdesk.bundled import bundled
from ysdesk.domain.errors import (
    DatabaseLockedError,
    NotFoundError,
    SchemaError,
    StaleEditError,
    UserError,
    ValidationError,
)
from ysdesk.domain.model import Project, ProjectFilter, Role, Status
from ysdesk.store import Store
from ysdesk.store.backup import auto_backup, backup_to, list_backups, replace_with_backup
from ysdesk.store.check import check
from ysdesk.store.schema import SCHEMA_MAJOR, current_version


def _project(**over: object) -> Project:
    values: dict[str, object] = {
        "id": None,
        "year": 2025,
        "name": "测试项目",
        "task_no": 3,
        "zones": ("科技创新策源区",),
        "lead_units": ("区科委",),
        "co_units": ("复旦大学",),
        "deadline_text": "2025年12月底前",
        "status": Status.IN_PROGRESS,
        "progress": "已召开启动会",
    }
    values.update(over)
    return Project(**values)  # type: ignore[arg-type]


def _dump(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        rows = []
        for (table,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        ):
            rows += [(table, *r) for r in conn.execute(f"SELECT * FROM [{table}] ORDER BY 1")]
        return rows
    finally:
        conn.close()


def test_new_database_has_schema_version_and_foreign_keys(fresh_store: Store) -> None:
    assert fresh_store.schema_version == current_version()
    assert fresh_store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert len(fresh_store.db_id) == 32
    assert check(fresh_store) == []


def test_plan_is_loaded_from_the_seed(fresh_store: Store) -> None:
    doc = fresh_store.plan_document()
    assert doc is not None and doc.doc_no == "沪科合〔2025〕7号"
    assert doc.issuers == ("上海市科学技术委员会", "上海市杨浦区人民政府")
    assert doc.issued.isoformat() == "2025-03-10"
    areas = fresh_store.areas()
    assert [a.title for a in areas] == [
        "打造全球科创策源新高地",
        "激发创新创业生态新活力",
        "构建未来产业培育新机制",
        "树立三区联动发展新标杆",
    ]
    tasks = fresh_store.tasks()
    assert [t.no for t in tasks] == list(range(1, 24))
    assert [sum(1 for t in tasks if t.area_no == a) for a in (1, 2, 3, 4)] == [5, 7, 5, 6]
    assert tasks[3].title == "加速集聚一流科技人才"
    assert "加速人才服务“一件事”改革" in tasks[3].text  # joined across the seed's page break
    zones = {z.name: z.area_km2 for z in fresh_store.zones()}
    assert zones == {
        "科技创新策源区": 8.5,
        "产业创新承载区": 30.0,
        "生态创新融合区": 22.11,
        "辐射溢出联动区": None,
    }
    targets = {i.name: (i.target_value, i.target_year) for i in fresh_store.indicators()}
    assert targets["全社会研发经费投入占GDP比重"] == (5.5, 2027)
    assert targets["独角兽企业"] == (20.0, 2030)


def test_seed_text_is_reproduced_exactly(fresh_store: Store) -> None:
    """plan.json carries the published text (sample_data/plan_source.txt) word for word."""
    source = bundled("sample_data").joinpath("plan_source.txt").read_text(encoding="utf-8")
    text = "".join(source.split())
    assert "沪科合〔2025〕7号" in text
    for task in fresh_store.tasks():
        assert f"{task.no}.{''.join(task.text.split())}" in text, task.no
    for area in fresh_store.areas():
        assert f"（{area.numeral}）{area.title}{''.join(area.intro.split())}" in text
    for zone in fresh_store.zones():
        assert "".join(zone.description.split()) in text, zone.name


def test_insert_derives_deadline_search_text_and_audits(fresh_store: Store) -> None:
    p = fresh_store.insert_project(_project())
    assert p.id is not None and p.version == 1
    assert p.deadline is not None and p.deadline.isoformat() == "2025-12-31"
    assert p.area_no == 1
    assert fresh_store.project_ids(ProjectFilter(text="fd")) == [p.id]  # 复旦 by pinyin
    audit = fresh_store.audit_log(p.id)
    assert [(a.field, a.new, a.origin) for a in audit] == [("created", "测试项目", "手工")]
    history = fresh_store.progress_history(p.id)
    assert [h.text for h in history] == ["已召开启动会"]


def test_every_field_reads_back_under_its_own_name(fresh_store: Store) -> None:
    """list_projects builds projects positionally: each column must land in its own field."""
    origin = fresh_store.insert_project(_project(name="来源项目"))
    p = fresh_store.insert_project(
        _project(
            code="2025-03-009",
            name="字段各不相同的项目",
            zones=("生态创新融合区", "科技创新策源区"),
            lead_units=("区科委", "复旦大学"),
            co_units=("同济大学",),
            goal="年度目标文字",
            deadline_text="2025年6月",
            status=Status.LAGGING,
            progress="进展文字",
            note="备注文字",
            origin_id=origin.id,
        )
    )
    got = fresh_store.list_projects(ProjectFilter(ids=(p.id,)))[0]
    row = fresh_store.conn.execute(
        "SELECT code, created_at, updated_at, version FROM projects WHERE id = ?", (p.id,)
    ).fetchone()
    assert (got.id, got.year, got.name, got.task_no, got.area_no) == (p.id, 2025, p.name, 3, 1)
    assert (got.code, got.created_at, got.updated_at, got.version) == tuple(row)
    assert got.zones == ("科技创新策源区", "生态创新融合区")  # in the plan's zone order
    assert (got.lead_units, got.co_units) == (("区科委", "复旦大学"), ("同济大学",))
    assert (got.goal, got.deadline_text, got.progress, got.note) == (
        "年度目标文字",
        "2025年6月",
        "进展文字",
        "备注文字",
    )
    assert got.deadline is not None and got.deadline.isoformat() == "2025-06-30"
    assert got.status is Status.LAGGING and got.origin_id == origin.id
    assert got == p


@pytest.mark.parametrize("interleaved", [False, True])
def test_links_are_read_whether_a_years_ids_are_dense_or_scattered(
    fresh_store: Store, interleaved: bool
) -> None:
    """A year's zones and units come from an id range when its ids are dense in it, else id
    by id: either way each project gets exactly its own, in their order."""
    units = ("区科委", "复旦大学", "同济大学", "区发展改革委")
    # Interleaved: 2025's ids are scattered (every fourth), 2026's dense with 2025's between.
    years = ([2025] + [2026] * 3) * 60 if interleaved else [2025] * 60 + [2026] * 180
    made = [
        _project(
            year=year,
            name=f"项目{i}",
            zones=(("科技创新策源区",), (), ("生态创新融合区", "科技创新策源区"))[i % 3],
            lead_units=(units[i % 4], units[(i + 1) % 4]) if i % 2 else (units[i % 4],),
            co_units=(units[(i + 2) % 4],) if i % 5 else (),
        )
        for i, year in enumerate(years)
    ]
    ids = fresh_store.insert_projects(made)
    for year in (2025, 2026):
        got = {p.id: p for p in fresh_store.list_projects(ProjectFilter(year=year))}
        expected = {pid: p for pid, p in zip(ids, made, strict=True) if p.year == year}
        assert got.keys() == expected.keys()
        for pid, project in expected.items():
            assert (got[pid].zones, got[pid].lead_units, got[pid].co_units) == (
                tuple(z for z in ("科技创新策源区", "生态创新融合区") if z in project.zones),
                project.lead_units,
                project.co_units,
            )


def test_update_changes_fields_bumps_version_and_audits_each(fresh_store: Store) -> None:
    p = fresh_store.insert_project(_project())
    q = fresh_store.update_project(
        p.id,
        {"status": "已完成", "lead_units": ["区科委", "同济大学"], "deadline_text": "2025年6月"},
        expected_version=1,
    )
    assert q.version == 2
    assert q.status is Status.DONE
    assert q.lead_units == ("区科委", "同济大学")
    assert q.deadline.isoformat() == "2025-06-30"
    fields = {a.field: (a.old, a.new) for a in fresh_store.audit_log(p.id)}
    assert fields["status"] == ("推进中", "已完成")
    assert fields["lead_units"] == ("区科委", "区科委、同济大学")
    assert fields["deadline_text"] == ("2025年12月底前", "2025年6月")
    # A no-op change keeps the version.
    same = fresh_store.update_project(p.id, {"status": "已完成"}, expected_version=2)
    assert same.version == 2


def test_stale_edit_is_refused_and_changes_nothing(fresh_store: Store) -> None:
    p = fresh_store.insert_project(_project())
    fresh_store.update_project(p.id, {"name": "改名一"}, expected_version=1)
    with pytest.raises(StaleEditError) as info:
        fresh_store.update_project(p.id, {"name": "改名二"}, expected_version=1)
    assert info.value.actual == 2
    assert fresh_store.get_project(p.id).name == "改名一"


@pytest.mark.parametrize(
    "override, message",
    [
        ({"name": "  "}, "^请填写项目名称。$"),
        ({"lead_units": ()}, "未保存：至少需要一个牵头单位。"),
        ({"task_no": 24}, "没有第 24 项重点任务（应为 1–23）。"),
        ({"lead_units": ("不存在的局",)}, "单位名录中没有“不存在的局”。"),
        ({"zones": ("火星区",)}, "没有名为“火星区”的功能区（可选：科技创新策源区、"),
        ({"co_units": ("区科委",)}, "“区科委”已是牵头单位，不能同时配合。"),
        ({"status": "开心"}, "无法识别的推进状态“开心”"),
        ({"year": 1800}, "年度应在 1900–2200 之间：1800。"),
    ],
)
def test_invalid_projects_are_refused_with_a_sentence(
    fresh_store: Store, override: dict, message: str
) -> None:
    before = fresh_store.project_count()
    with pytest.raises(ValidationError, match=message):
        fresh_store.insert_project(_project(**override))
    assert fresh_store.project_count() == before


def test_a_failing_batch_leaves_nothing_behind(fresh_store: Store) -> None:
    with pytest.raises(ValidationError), fresh_store.atomic():
        fresh_store.insert_project(_project(name="甲"))
        fresh_store.insert_project(_project(name="乙", lead_units=()))
    assert fresh_store.project_count() == 0
    assert fresh_store.audit_log() == []


def test_delete_and_restore_put_the_project_back_exactly(fresh_store: Store) -> None:
    p = fresh_store.insert_project(_project())
    fresh_store.add_progress(p.id, "2025-08-01", "完成中期评估", expected_version=1)
    before = fresh_store.get_project(p.id)
    snapshot = fresh_store.delete_project(p.id)
    with pytest.raises(NotFoundError):
        fresh_store.get_project(p.id)
    restored = fresh_store.restore_project(snapshot)
    after = fresh_store.get_project(p.id)
    assert restored.id == p.id
    assert after == before
    assert [h.text for h in after.history] == [h.text for h in before.history]


def test_filters(sample_store: Store, today) -> None:
    all_ids = sample_store.project_ids(ProjectFilter(year=2025))
    fudan = sample_store.project_ids(ProjectFilter(year=2025, unit="复旦大学"))
    fudan_lead = sample_store.project_ids(ProjectFilter(year=2025, unit="复旦大学", role=Role.LEAD))
    assert set(fudan_lead) <= set(fudan) < set(all_ids)
    no_zone = sample_store.list_projects(ProjectFilter(year=2025, zone=""))
    assert all(p.zones == () for p in no_zone)
    overdue = sample_store.list_projects(ProjectFilter(overdue_only=True), today=today)
    assert overdue and all(p.is_overdue(today) for p in overdue)
    every = sample_store.list_projects(ProjectFilter(year=2025), today=today)
    assert len(overdue) == sum(p.is_overdue(today) for p in every)


def test_second_writer_is_refused_and_reader_allowed(sample_db: Path) -> None:
    first = Store.open(sample_db)
    try:
        with pytest.raises(DatabaseLockedError, match="另一个"):
            Store.open(sample_db)
        reader = Store.open(sample_db, readonly=True)
        assert reader.project_count() > 0
        with pytest.raises(UserError, match="只读"):
            reader.set_meta("x", "y")
        reader.close()
    finally:
        first.close()
    Store.open(sample_db).close()


def test_lock_of_a_crashed_process_does_not_block(sample_db: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from ysdesk.store import Store
        s = Store.open({str(sample_db)!r})
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(DatabaseLockedError):
            Store.open(sample_db)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 5
    store = None
    while store is None:
        try:
            store = Store.open(sample_db)
        except DatabaseLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    store.close()


def test_newer_major_schema_refuses_to_open(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta(key TEXT)")
    conn.execute(f"PRAGMA user_version = {(SCHEMA_MAJOR + 1) * 100 + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaError, match="更新版本"):
        Store.open(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaError, match="不是 ysdesk"):
        Store.open(path)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(UserError):
        Store.open(garbage)


def test_missing_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="文件夹不存在"):
        Store.open(tmp_path / "nope" / "x.db", create=True)


def test_backup_restore_round_trip(sample_db: Path, tmp_path: Path) -> None:
    with Store.open(sample_db) as store:
        dest = backup_to(store, tmp_path / "copy.db")
        before = _dump(dest)
        pid = store.project_ids()[0]
        store.update_project(pid, {"name": "被改掉的名字"}, expected_version=None)
    safety = replace_with_backup(sample_db, dest)
    with Store.open(sample_db) as store:
        assert safety is not None and safety.exists()
        assert store.get_project(pid).name != "被改掉的名字"
        assert _dump(sample_db) == before
        assert list_backups(store)[0] == safety


def test_auto_backups_keep_the_newest(sample_store: Store) -> None:
    for i in range(5):
        auto_backup(sample_store, f"测试{i}", keep=3)
    kept = list_backups(sample_store)
    assert len(kept) == 3
    assert kept[0].name.endswith("测试4.db")


def test_backup_to_same_file_is_refused(sample_store: Store) -> None:
    with pytest.raises(UserError):
        backup_to(sample_store, sample_store.path)
