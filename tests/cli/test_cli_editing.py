"""add, set, delete, history: the editor's services from the command line (DESIGN.md §4)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import run, run_json
from ysdesk.cli import main
from ysdesk.domain.model import ProjectFilter
from ysdesk.services import editing
from ysdesk.store import Store

TODAY = "2026-11-27"


def listed(capsys: pytest.CaptureFixture, db: Path) -> dict[int, dict]:
    return {
        p["id"]: p for p in run_json(capsys, "--db", str(db), "--today", TODAY, "list", "--json")
    }


def digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def first_of_task(db: Path, task_no: int) -> tuple[int, str, int]:
    """(id, code, version) of the first project of a task in the sample."""
    with Store.open(db, readonly=True) as store:
        project = store.list_projects(ProjectFilter(year=2025, task_no=task_no))[0]
    return project.id or 0, project.code, project.version


def test_add_prints_the_project_as_list_prints_it(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    db = str(sample_db)
    args = [
        "--db", db, "--today", TODAY, "add", "--year", "2025", "--task", "3",
        "--name", "概念验证中心二期", "--lead", "杨浦区科学技术委员会，复旦",
        "--co", "区发改委；同济", "--zone", "策源区、产业创新承载区",
        "--deadline", "2025年第三季度", "--status", "进行中", "--json",
    ]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    project = json.loads(printed)
    assert project["lead_units"] == ["区科委", "复旦大学"]  # aliases resolved, ，split
    assert project["co_units"] == ["区发展改革委", "同济大学"]
    assert project["zones"] == ["科技创新策源区", "产业创新承载区"]
    assert (project["deadline"], project["status"], project["version"]) == (
        "2025-09-30",
        "推进中",
        1,
    )
    assert project["code"].startswith("2025-03-")
    assert listed(capsys, sample_db)[project["id"]] == project
    # The same characters as list --json prints for it.
    assert printed.strip() in run("--db", db, "--today", TODAY, "list", "--json").stdout
    with Store.open(sample_db, readonly=True) as store:
        log = store.audit_log(project["id"])
    assert [(e.field, e.new, e.origin) for e in log] == [("created", "概念验证中心二期", "手工")]


def test_set_writes_what_the_editor_writes(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The command line and the editor's service, on two copies, leave the same data."""
    twin = tmp_path / "twin.db"
    shutil.copy(sample_db, twin)
    pid, code, version = first_of_task(sample_db, 2)
    args = [
        "--db", str(sample_db), "set", code, "status=滞后", "lead=区科技委；同济",
        "zones=生态创新融合区", "task=9", "note=改期", "--expect-version", str(version),
    ]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "推进状态：" in out and "→ 滞后" in out
    with Store.open(twin) as store:
        editing.apply_changes(
            store,
            pid,
            {
                "status": "滞后",
                "lead_units": ("区科委", "同济大学"),
                "zones": ("生态创新融合区",),
                "task_no": 9,
                "note": "改期",
            },
            expected_version=version,
        )

    def strip(projects: dict[int, dict]) -> dict[int, dict]:
        return {
            i: {k: v for k, v in p.items() if k not in ("updated_at", "created_at")}
            for i, p in projects.items()
        }

    by_cli, by_editor = listed(capsys, sample_db), listed(capsys, twin)
    assert strip(by_cli) == strip(by_editor)
    assert by_cli[pid]["version"] == version + 1
    assert by_cli[pid]["task_no"] == 9
    for db in (sample_db, twin):
        with Store.open(db, readonly=True) as store:
            log = store.audit_log(pid)
        fields = sorted(e.field for e in log if e.field != "created")
        assert fields == ["lead_units", "note", "status", "task_no", "zones"]


def test_set_json_prints_the_project_and_ref_may_be_an_id(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    pid, _, version = first_of_task(sample_db, 5)
    project = run_json(
        capsys, "--db", str(sample_db), "--today", TODAY, "set", str(pid), "推进状态=已完成",
        "progress=已通过验收", "--json",
    )  # fmt: skip
    assert project == listed(capsys, sample_db)[pid]
    assert (project["status"], project["progress"], project["version"]) == (
        "已完成",
        "已通过验收",
        version + 1,
    )
    with Store.open(sample_db, readonly=True) as store:
        history = store.progress_history(pid)
    assert history[-1].text == "已通过验收"


def test_set_to_the_same_values_changes_nothing(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    _, code, _ = first_of_task(sample_db, 4)
    before = listed(capsys, sample_db)
    status = next(p["status"] for p in before.values() if p["code"] == code)
    assert main(["--db", str(sample_db), "set", code, f"status={status}"]) == 0
    assert "未作修改" in capsys.readouterr().err
    assert listed(capsys, sample_db) == before


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("status=已完成 --expect-version 1", "已在别处被修改"),
        ("lead=火星办公室", "火星办公室"),
        ("co=区科委、月球局", "月球局"),
        ("zones=火星", "火星"),
        ("task=99", "99"),
        ("task=三", "重点任务"),
        ("colour=red", "colour"),
        ("name=", "项目名称"),
        ("name=   ", "项目名称"),
        ("lead=", "牵头单位"),
        ("status=开心", "开心"),
        ("year=公元", "年度"),
        ("status已完成", "字段=值"),
        ("status=已完成 status=滞后", "不止一次"),
    ],
)
def test_refusals_are_one_sentence_and_change_nothing(
    sample_db: Path, assignment: str, words: str
) -> None:
    pid, code, version = first_of_task(sample_db, 2)
    with Store.open(sample_db) as store:  # make the project's version 2
        editing.apply_changes(store, pid, {"note": "先改一次"}, expected_version=version)
    before = digest(sample_db)
    result = run("--db", str(sample_db), "set", code, *assignment.split())
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert words in lines[0]
    assert digest(sample_db) == before


def test_a_stale_set_names_both_versions(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    pid, code, _ = first_of_task(sample_db, 6)
    assert main(["--db", str(sample_db), "set", code, "note=甲", "--expect-version", "1"]) == 0
    assert main(["--db", str(sample_db), "set", code, "note=乙", "--expect-version", "1"]) == 2
    err = capsys.readouterr().err
    assert "第 1 版" in err and "第 2 版" in err
    assert listed(capsys, sample_db)[pid]["note"] == "甲"


def test_refs_that_find_nothing_or_two_projects(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    db = str(sample_db)
    assert main(["--db", db, "set", "2099-01-01", "note=x"]) == 2
    assert "没有编号为“2099-01-01”的项目" in capsys.readouterr().err
    assert main(["--db", db, "delete", "99999"]) == 2
    assert "99999" in capsys.readouterr().err
    pid, code, _ = first_of_task(sample_db, 7)
    other, _, _ = first_of_task(sample_db, 8)
    assert main(["--db", db, "set", str(other), f"code={code}"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "set", code, "note=x"]) == 2
    err = capsys.readouterr().err
    assert f"id {min(pid, other)}、{max(pid, other)}" in err


def test_delete_backs_up_audits_and_refuses_a_stale_version(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    db = str(sample_db)
    pid, code, version = first_of_task(sample_db, 10)
    backups = sample_db.parent / "backups"
    before = digest(sample_db)
    assert main(["--db", db, "delete", code, "--expect-version", str(version + 1)]) == 2
    assert "未删除" in capsys.readouterr().err
    assert digest(sample_db) == before and not backups.exists()
    assert main(["--db", db, "delete", code, "--expect-version", str(version)]) == 0
    assert "已备份" in capsys.readouterr().err
    assert pid not in listed(capsys, sample_db)
    [backup] = backups.glob("*.db")
    with Store.open(backup, readonly=True) as store:
        assert store.get_project(pid).code == code
    with Store.open(sample_db, readonly=True) as store:
        assert store.audit_log(pid)[0].field == "deleted"


def test_history_is_the_projects_log_oldest_first(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    db = str(sample_db)
    pid, code, _ = first_of_task(sample_db, 11)
    assert main(["--db", db, "set", code, "status=滞后"]) == 0
    assert main(["--db", db, "set", code, "status=推进中", "note=已协调"]) == 0
    capsys.readouterr()
    entries = run_json(capsys, "--db", db, "history", code, "--json")
    with Store.open(sample_db, readonly=True) as store:
        expected = list(reversed(store.audit_log(pid)))
    assert [e["id"] for e in entries] == [e.id for e in expected]
    assert [(e["field"], e["new"]) for e in entries][-3:] == [
        ("status", "滞后"),
        ("status", "推进中"),
        ("note", "已协调"),
    ]
    assert entries[-1]["label"] == "备注" and entries[-1]["origin"] == "手工"
    assert main(["--db", db, "history", code]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith("备注：（空） → 已协调（手工）")
    # A deleted project's log is still there under its id.
    assert main(["--db", db, "delete", code]) == 0
    capsys.readouterr()
    after = run_json(capsys, "--db", db, "history", str(pid), "--json")
    assert after[-1]["field"] == "deleted" and len(after) == len(entries) + 1


def test_the_commands_run_as_a_process(sample_db: Path) -> None:
    db = str(sample_db)
    added = run(
        "--db", db, "add", "--year", "2025", "--task", "12", "--name", "测试", "--lead", "区科委",
        "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    project = json.loads(added.stdout)
    ref = project["code"]
    result = run("--db", db, "set", ref, "status=已完成", "--expect-version", "1")
    assert result.returncode == 0, result.stderr
    history = json.loads(run("--db", db, "history", ref, "--json").stdout)
    assert [e["field"] for e in history] == ["created", "status"]
    assert run("--db", db, "delete", ref, "--expect-version", "2").returncode == 0
    with Store.open(sample_db, readonly=True) as store:
        assert not store.list_projects(ProjectFilter(ids=(project["id"],)))
