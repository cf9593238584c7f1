"""The command-line contract of DESIGN.md §4, run as a real process where it matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from tests.cli.helpers import ROOT, run, run_json
from ysdesk.cli import main

STATUSES = {"未启动", "推进中", "已完成", "滞后", "暂缓"}


def test_init_sample_then_list_covers_the_plan(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    result = run("--db", db, "init", "--sample")
    assert result.returncode == 0, result.stderr
    result = run("--db", db, "--today", "2026-11-27", "list", "--json")
    assert result.returncode == 0, result.stderr
    projects = json.loads(result.stdout)
    assert len(projects) >= 60
    assert {p["task_no"] for p in projects} == set(range(1, 24))
    assert {z for p in projects for z in p["zones"]} == {
        "科技创新策源区",
        "产业创新承载区",
        "生态创新融合区",
        "辐射溢出联动区",
    }
    assert all(p["lead_units"] for p in projects)
    assert all(p["status"] in STATUSES for p in projects)
    keys = {
        "id",
        "code",
        "year",
        "name",
        "task_no",
        "area_no",
        "zones",
        "lead_units",
        "co_units",
        "goal",
        "deadline_text",
        "deadline",
        "status",
        "progress",
        "overdue",
    }
    assert all(keys <= set(p) for p in projects)
    assert len({p["id"] for p in projects}) == len(projects)
    statuses = Counter(p["status"] for p in projects)
    assert len(statuses) >= 4
    overdue = [p for p in projects if p["overdue"]]
    assert 3 <= len(overdue) < len(projects) // 2
    assert all(p["deadline"] < "2026-11-27" and p["status"] != "已完成" for p in overdue)
    assert sum(len(p["zones"]) > 1 for p in projects) >= 3
    assert sum(len(p["lead_units"]) + len(p["co_units"]) > 1 for p in projects) >= 10


def test_units_json_lists_aliases(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    units = run_json(capsys, "--db", str(sample_db), "units", "--json")
    assert len(units) >= 25
    by_name = {u["name"]: u for u in units}
    assert "杨浦区科学技术委员会" in by_name["区科委"]["aliases"]
    assert sum(bool(u["aliases"]) for u in units) >= 20


def test_check_passes_on_the_sample(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--db", str(sample_db), "check"]) == 0
    assert "检查通过" in capsys.readouterr().out


@pytest.mark.parametrize(
    "options",
    [(), ("--task", "3"), ("--zone", "辐射溢出联动区"), ("--status", "滞后"), ("--year", "1999")],
)
def test_list_json_is_each_project_as_the_model_writes_it(
    sample_db: Path, capsys: pytest.CaptureFixture, options: tuple[str, ...]
) -> None:
    """The printed objects, from the texts the database keeps, are Project.to_json's."""
    from ysdesk.services.projects import filter_from_options
    from ysdesk.store import Store

    today = date(2026, 11, 27)
    printed = run_json(
        capsys, "--db", str(sample_db), "--today", "2026-11-27", "list", *options, "--json"
    )
    pairs = dict(zip(options[::2], options[1::2], strict=True))
    with Store.open(sample_db, readonly=True) as store:
        filt = filter_from_options(
            store,
            year=int(pairs["--year"]) if "--year" in pairs else None,
            task_no=int(pairs["--task"]) if "--task" in pairs else None,
            zone=pairs.get("--zone"),
            unit=None,
            status=pairs.get("--status"),
            text="",
        )
        expected = [p.to_json(today) for p in store.list_projects(filt, today=today)]
    assert printed == expected
    assert bool(printed) == ("--year" not in pairs)


def test_list_filters(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    db = str(sample_db)
    everything = run_json(capsys, "--db", db, "list", "--json")
    by_alias = run_json(capsys, "--db", db, "list", "--unit", "杨浦区科学技术委员会", "--json")
    assert by_alias and all("区科委" in p["lead_units"] + p["co_units"] for p in by_alias)
    assert len(by_alias) == sum("区科委" in p["lead_units"] + p["co_units"] for p in everything)
    task3 = run_json(capsys, "--db", db, "list", "--task", "3", "--json")
    assert task3 and {p["task_no"] for p in task3} == {3}
    zone = run_json(capsys, "--db", db, "list", "--zone", "辐射溢出联动区", "--json")
    assert zone and all("辐射溢出联动区" in p["zones"] for p in zone)
    done = run_json(capsys, "--db", db, "list", "--status", "已完成", "--json")
    assert done and {p["status"] for p in done} == {"已完成"}
    late = run_json(
        capsys, "--db", db, "--today", "2026-11-27", "list", "--status", "逾期", "--json"
    )
    assert late and all(p["overdue"] for p in late)
    fudan = run_json(capsys, "--db", db, "list", "--search", "复旦", "--json")
    assert fudan and all("复旦" in json.dumps(p, ensure_ascii=False) for p in fudan)
    fd = run_json(capsys, "--db", db, "list", "--search", "fd", "--json")
    assert {p["id"] for p in fudan} <= {p["id"] for p in fd} < {p["id"] for p in everything}


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--unit", "不存在的单位"],
        ["list", "--status", "开心"],
        ["list", "--task", "99"],
        ["list", "--year", "abc"],
        ["frobnicate"],
        ["restore", "/nonexistent/file.db"],
        ["backup", "/nonexistent/folder/copy.db"],
    ],
)
def test_refusals_are_one_chinese_line(sample_db: Path, args: list[str]) -> None:
    result = run("--db", str(sample_db), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])


def test_db_in_a_missing_folder_exits_2(tmp_path: Path) -> None:
    for command in (["list", "--json"], ["init"], ["check"]):
        result = run("--db", str(tmp_path / "missing" / "x.db"), *command)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "文件夹不存在" in result.stderr
        assert not (tmp_path / "missing").exists()


def test_init_refuses_existing_then_force_backs_up(sample_db: Path) -> None:
    assert run("--db", str(sample_db), "init").returncode == 2
    result = run("--db", str(sample_db), "init", "--force")
    assert result.returncode == 0, result.stderr
    backups = list((sample_db.parent / "backups").glob("*.db"))
    assert len(backups) == 1
    listed = json.loads(run("--db", str(sample_db), "list", "--json").stdout)
    assert listed == []


def test_first_start_creates_the_plan_without_projects(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = tmp_path / "first.db"
    assert run_json(capsys, "--db", str(db), "list", "--json") == []
    units = run_json(capsys, "--db", str(db), "units", "--json")
    bundled = json.loads((ROOT / "sample_data" / "units.json").read_text("utf-8"))
    assert [u["name"] for u in units] == [u["name"] for u in bundled]
    assert main(["--db", str(db), "check"]) == 0
    out = capsys.readouterr().out
    assert "23 项重点任务，4 个功能区" in out and "，0 个项目" in out


def test_sample_option_opens_the_sample_list_in_its_own_file(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    office = tmp_path / "xdg" / "ysdesk" / "ysdesk.db"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("YSDESK_DB", None)
    result = run("--sample", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 86
    assert (office.parent / "示例清单.db").exists()
    assert not office.exists()  # the office's list is neither made nor touched
    result = run("list", "--json", env=env)
    assert json.loads(result.stdout) == []
    # Opened again, the sample is not loaded a second time.
    result = run("--sample", "list", "--json", env=env)
    assert len(json.loads(result.stdout)) == 86
    refused = run("--sample", "--db", str(tmp_path / "x.db"), "list", env=env)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1


def test_version_option_prints_the_version() -> None:
    from ysdesk import __version__

    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ysdesk {__version__}"


def test_default_location_is_per_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("YSDESK_DB", raising=False)
    run_json(capsys, "units", "--json")
    assert (tmp_path / "xdg" / "ysdesk" / "ysdesk.db").exists()
    monkeypatch.setenv("YSDESK_DB", str(tmp_path / "env.db"))
    run_json(capsys, "units", "--json")
    assert (tmp_path / "env.db").exists()


def test_backup_and_restore_commands(sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert run("--db", str(sample_db), "backup", str(copy)).returncode == 0
    other = tmp_path / "other.db"
    result = run("--db", str(other), "restore", str(copy))
    assert result.returncode == 0, result.stderr
    a = json.loads(run("--db", str(sample_db), "list", "--json").stdout)
    b = json.loads(run("--db", str(other), "list", "--json").stdout)
    assert a == b


def test_restore_brings_back_a_database_that_no_longer_opens(
    sample_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    assert run("--db", str(sample_db), "backup", str(copy)).returncode == 0
    expected = run("--db", str(sample_db), "list", "--json").stdout
    damaged = b"x" * 100 + sample_db.read_bytes()[100:]  # the header garbled
    sample_db.write_bytes(damaged)
    assert run("--db", str(sample_db), "list").returncode == 2
    result = run("--db", str(sample_db), "restore", str(copy))
    assert result.returncode == 0, result.stderr
    assert run("--db", str(sample_db), "list", "--json").stdout == expected
    kept = next((sample_db.parent / "backups").glob("*恢复前*.db"))
    assert kept.read_bytes() == damaged  # what was there is kept, byte for byte


def test_restore_refuses_a_foreign_file(sample_db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("hello", encoding="utf-8")
    before = run("--db", str(sample_db), "list", "--json").stdout
    result = run("--db", str(sample_db), "restore", str(junk))
    assert result.returncode == 2
    assert run("--db", str(sample_db), "list", "--json").stdout == before


def test_a_process_ends_with_its_output_whole_and_its_exit_code(
    sample_db: Path, tmp_path: Path
) -> None:
    """A command's process ends without the interpreter's teardown: what it printed still
    arrives whole (flushed), and its exit code passes through, from every entry point."""
    sheet = tmp_path / "list.xlsx"
    assert (
        run("--db", str(sample_db), "export", "list", "--year", "2025", "-o", str(sheet)).returncode
        == 0
    )
    for entry in (["main.py"], ["-m", "ysdesk"]):
        result = subprocess.run(
            [
                sys.executable,
                *entry,
                "--db",
                str(sample_db),
                "import",
                str(sheet),
                "--dry-run",
                "--json",
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["summary"]["unchanged"] == len(data["rows"]) >= 60
        assert result.stderr.endswith("预览模式，未写入数据库。\n")
    refused = run("--db", str(sample_db), "import", str(tmp_path / "missing.xlsx"))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.strip() == "找不到文件“missing.xlsx”。"


def test_a_reader_that_stops_early_gets_no_traceback(sample_db: Path) -> None:
    """`ysdesk list --json | head -c 100`: the reader goes away; the command ends quietly."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", str(sample_db), "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 0
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_an_export_stopped_with_ctrl_c_leaves_no_temporary_file(tmp_path: Path) -> None:
    """openpyxl streams each sheet through a file in TMPDIR and removes it at the process's
    end: a command ended by Ctrl+C ends the ordinary way, so nothing is left behind."""
    import os
    import signal
    import time

    from ysdesk.services.synthetic import add_synthetic_list
    from ysdesk.services.workspace import init_database

    db = tmp_path / "big.db"
    store = init_database(db, sample=False)
    try:
        add_synthetic_list(store, 4000, 2025)
    finally:
        store.close()
    temp = tmp_path / "temp"
    temp.mkdir()
    command = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "export", "list"]
    process = subprocess.Popen(
        [*command, "--year", "2025", "-o", str(tmp_path / "list.xlsx")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    deadline = time.monotonic() + 60
    # openpyxl's own file (the tempfile module first probes TMPDIR with a file it removes).
    while (
        not any(temp.glob("openpyxl.*")) and process.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.005)
    assert process.poll() is None, "the export ended before it wrote a temporary file"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err.decode().strip()) == (2, "已取消。")
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "list.xlsx").exists()
