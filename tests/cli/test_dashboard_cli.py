"""`dashboard` judges overdue against --today, like `list --json`'s overdue flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_json as _json
from ysdesk.cli import main


@pytest.mark.parametrize("today", ["2025-07-01", "2025-12-15", "2026-11-27"])
def test_dashboard_json_agrees_with_list(
    sample_db: Path, capsys: pytest.CaptureFixture, today: str
) -> None:
    db = str(sample_db)
    projects = _json(capsys, "--db", db, "--today", today, "list", "--year", "2025", "--json")
    board = _json(capsys, "--db", db, "--today", today, "dashboard", "--year", "2025", "--json")
    assert board["today"] == today
    assert {e["id"] for e in board["overdue"]} == {p["id"] for p in projects if p["overdue"]}
    deadlines = [e["deadline"] for e in board["overdue"]]
    assert deadlines == sorted(deadlines)
    assert all(e["deadline"] < today and e["lead_units"] for e in board["overdue"])
    assert all(today <= e["deadline"] and 0 <= e["days"] <= 30 for e in board["due_soon"])
    assert board["total"] == len(projects)
    assert sum(board["by_status"].values()) == len(projects)


def test_dashboard_text(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["--db", str(sample_db), "--today", "2025-12-15", "dashboard", "--year", "2025"]
    assert main([*args, "--days", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2025 年共 86 个项目")
    assert "20 天内到期" in out and "逾期项目最多的单位" in out
    assert main([*args, "--days", "-1"]) == 2


@pytest.mark.parametrize("command", ["dashboard", "matrix"])
def test_a_year_without_projects_is_said(
    sample_db: Path, capsys: pytest.CaptureFixture, command: str
) -> None:
    assert main(["--db", str(sample_db), command, "--year", "2030", "--json"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # still well-formed for scripts
    assert captured.err.strip() == "2030 年度没有项目（数据库中有：2025 年度）。"
    assert main(["--db", str(sample_db), command, "--year", "2025", "--json"]) == 0
    assert capsys.readouterr().err == ""
