"""`rollover` and `compare` from the command line: dry run, apply, refusal, skip, exclusions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import ROOT
from tests.cli.helpers import run_json as _json
from ysdesk.cli import main


def test_rollover_yields_exactly_the_unfinished_projects_with_links(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    db = str(sample_db)
    before = _json(capsys, "--db", db, "list", "--year", "2025", "--json")
    plan = _json(capsys, "--db", db, "rollover", "--year", "2025", "--dry-run", "--json")
    assert _json(capsys, "--db", db, "list", "--year", "2026", "--json") == []
    unfinished = {p["id"] for p in before if p["status"] != "已完成"}
    assert {i["id"] for i in plan["items"] if i["action"] == "carry"} == unfinished
    result = _json(capsys, "--db", db, "rollover", "--year", "2025", "--json")
    assert {c["origin_id"] for c in result["created"]} == unfinished
    after = _json(capsys, "--db", db, "list", "--year", "2026", "--json")
    assert sorted(p["origin_id"] for p in after) == sorted(unfinished)
    assert all(p["year"] == 2026 and p["code"].startswith("2026-") for p in after)
    planned = {i["id"]: i for i in plan["items"]}
    for p in after:
        assert p["code"] == planned[p["origin_id"]]["new_code"]
        assert p["deadline_text"] == planned[p["origin_id"]]["new_deadline_text"]
    assert _json(capsys, "--db", db, "list", "--year", "2025", "--json") == before


def test_second_rollover_refused_in_one_line_then_skipped(
    sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    db = str(sample_db)
    assert main(["--db", db, "rollover", "--year", "2025"]) == 0
    listed = _json(capsys, "--db", db, "list", "--year", "2026", "--json")
    # The refusal as a user sees it: a real process, one Chinese line, exit 2.
    refused = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", db, "rollover", "--year", "2025"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "--skip-existing" in refused.stderr and "Traceback" not in refused.stderr
    assert _json(capsys, "--db", db, "list", "--year", "2026", "--json") == listed
    assert main(["--db", db, "rollover", "--year", "2025", "--skip-existing"]) == 2
    assert "没有需要" in capsys.readouterr().err


def test_exclusions_and_unknown_exclusions(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    db = str(sample_db)
    plan = _json(capsys, "--db", db, "rollover", "--year", "2025", "--dry-run", "--json")
    carry = [i["id"] for i in plan["items"] if i["action"] == "carry"]
    assert main(["--db", db, "rollover", "--year", "2025", "--exclude", "99999"]) == 2
    assert "不在 2025 年度清单中" in capsys.readouterr().err
    args = ["--db", db, "rollover", "--year", "2025", "--exclude", str(carry[0]), str(carry[1])]
    assert main(args) == 0
    capsys.readouterr()
    after = _json(capsys, "--db", db, "list", "--year", "2026", "--json")
    assert {p["origin_id"] for p in after} == set(carry[2:])


def test_dry_run_text_and_compare(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    db = str(sample_db)
    assert main(["--db", db, "rollover", "--year", "2025", "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "已完成，不结转" in out.out and "→ 2026-" in out.out and "未写入" in out.err
    assert main(["--db", db, "rollover", "--year", "2025"]) == 0
    capsys.readouterr()
    data = _json(capsys, "--db", db, "compare", "2025", "2026", "--json")
    assert data["summary"]["added"] == 0
    listed = _json(capsys, "--db", db, "list", "--year", "2025", "--json")
    done = [p["id"] for p in listed if p["status"] == "已完成"]
    assert data["summary"]["dropped_unfinished"] == 0
    assert sorted(p["id"] for p in data["dropped"]) == sorted(done)
    assert data["summary"]["carried"] == 86 - len(done)
    assert all(c["by"] == "origin" for c in data["carried"])
    assert main(["--db", db, "compare", "2025", "2026"]) == 0
    assert "延续（" in capsys.readouterr().out
    assert main(["--db", db, "compare", "2025", "2025"]) == 2
