"""`matrix --json` agrees cell by cell with `list --json` (sample and 10,000 generated projects)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run_json as _json
from tests.services.test_matrix import assert_matches_list
from ysdesk.cli import main


@pytest.mark.parametrize("by", ["projects", "tasks"])
def test_matrix_json_matches_list_json_on_the_sample(
    sample_db: Path, capsys: pytest.CaptureFixture, by: str
) -> None:
    db = str(sample_db)
    projects = _json(capsys, "--db", db, "list", "--year", "2025", "--json")
    matrix = _json(capsys, "--db", db, "matrix", "--year", "2025", "--by", by, "--json")
    assert matrix["by"] == by
    assert {"rows", "tasks_without_lead"} <= set(matrix)
    assert_matches_list(matrix, projects)
    units = _json(capsys, "--db", db, "units", "--json")
    named = {r["unit"] for r in matrix["rows"]}
    assert set(matrix["units_without_role"]) == {u["name"] for u in units} - named


@pytest.mark.slow
def test_matrix_json_matches_list_json_on_a_generated_list(
    generated_db: Path, capsys: pytest.CaptureFixture
) -> None:
    db = str(generated_db)
    projects = _json(capsys, "--db", db, "list", "--year", "2025", "--json")
    assert len(projects) == 10_000
    for by in ("projects", "tasks"):
        matrix = _json(capsys, "--db", db, "matrix", "--year", "2025", "--by", by, "--json")
        assert_matches_list(matrix, projects)


def test_matrix_text_has_totals_and_checks(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--db", str(sample_db), "matrix", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("单位") and lines[0].rstrip().endswith("配合")
    assert any(line.startswith("区科委") and "●" in line for line in lines)
    assert any(line.startswith("合计") for line in lines)
    assert "有多个牵头单位的任务" in out and "本年度未承担任务的单位" in out


def test_all_units_lists_the_whole_registry(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    db = str(sample_db)
    units = _json(capsys, "--db", db, "units", "--json")
    matrix = _json(capsys, "--db", db, "matrix", "--year", "2025", "--all-units", "--json")
    assert [r["unit"] for r in matrix["rows"]] == [u["name"] for u in units]


def test_bad_count_mode_is_refused(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--db", str(sample_db), "matrix", "--year", "2025", "--by", "units"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "命令参数有误" in err
