"""`indicators`: show, set, delete and import actual values from the command line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.cli.helpers import run_json as _json
from ysdesk.cli import main


def test_show_set_and_delete(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    db = str(sample_db)
    shown = _json(capsys, "--db", db, "indicators", "--json")
    assert [(i["target_value"], i["target_year"]) for i in shown] == [
        (5.5, 2027),
        (20.0, 2027),
        (40.0, 2030),
        (20.0, 2030),
    ]
    assert all(i["latest"] is None for i in shown)
    args = ["--db", db, "indicators", "--set", "研发经费投入占GDP比重（%）", "2025", "5.1"]
    assert main([*args, "--source", "区统计局", "--date", "2026-03-01"]) == 0
    assert "已录入：全社会研发经费投入占GDP比重 2025 年 5.1" in capsys.readouterr().err
    shown = _json(capsys, "--db", db, "indicators", "--json")
    assert shown[0]["values"] == [
        {"year": 2025, "value": 5.1, "source": "区统计局", "as_of": "2026-03-01"}
    ]
    assert shown[0]["gap"] == pytest.approx(0.4)
    assert main(["--db", db, "indicators"]) == 0
    assert "2025 年实际 5.1%" in capsys.readouterr().out
    assert main(["--db", db, "indicators", "--delete", "研发", "2025"]) == 0
    capsys.readouterr()
    assert _json(capsys, "--db", db, "indicators", "--json")[0]["values"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["--set", "GDP增速", "2025", "5"],
        ["--set", "独角兽", "二〇二五", "5"],
        ["--set", "独角兽", "2025", "很多"],
        ["--delete", "独角兽", "2025"],
        ["--set", "独角兽", "2025", "5", "--import", "x.xlsx"],
    ],
)
def test_refusals(sample_db: Path, capsys: pytest.CaptureFixture, args: list[str]) -> None:
    assert main(["--db", str(sample_db), "indicators", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("独角兽", "1e308", "过大"),
        ("独角兽", "inf", "有限的数字"),
        ("独角兽", "nan", "有限的数字"),
        ("独角兽", "2.5", "整数"),
        ("独角兽", "-1", "负数"),
        ("研发", "1e308", "0 到 100"),
        ("研发", "150", "0 到 100"),
        ("研发", "-0.5", "负数"),
    ],
)
def test_absurd_values_are_refused_in_one_sentence(
    sample_db: Path, capsys: pytest.CaptureFixture, name: str, value: str, words: str
) -> None:
    db = str(sample_db)
    assert main(["--db", db, "indicators", "--set", name, "2025", value]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err, err
    assert all(i["values"] == [] for i in _json(capsys, "--db", db, "indicators", "--json"))


def test_sensible_edge_values_are_accepted(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    db = str(sample_db)
    assert main(["--db", db, "indicators", "--set", "研发", "2025", "100"]) == 0
    assert main(["--db", db, "indicators", "--set", "独角兽", "2025", "0"]) == 0
    assert main(["--db", db, "indicators", "--set", "孵化", "2025", "37.25%"]) == 0
    capsys.readouterr()
    values = [i["values"] for i in _json(capsys, "--db", db, "indicators", "--json")]
    assert [[v["value"] for v in vs] for vs in values] == [[100.0], [], [37.25], [0.0]]


def test_import_preview_then_apply(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["指标名称", "数值"])
    sheet.append(["企业孵化活化率（%）", 32])
    sheet.append(["独角兽企业", 13])
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    db = str(sample_db)
    base = ["--db", db, "indicators", "--import", str(path), "--year", "2025"]
    preview = _json(capsys, *base, "--dry-run", "--json")
    assert preview["summary"]["new"] == 2 and not preview["applied"]
    assert all(i["latest"] is None for i in _json(capsys, "--db", db, "indicators", "--json"))
    assert main(base) == 0
    assert "已导入：新增 2" in capsys.readouterr().err
    shown = _json(capsys, "--db", db, "indicators", "--json")
    assert [i["latest"] for i in shown[2:]] == [
        {"year": 2025, "value": 32.0},
        {"year": 2025, "value": 13.0},
    ]
    # Without a year the rows are errors: exit 1, nothing written.
    assert main(["--db", db, "indicators", "--import", str(path), "--dry-run"]) == 1
