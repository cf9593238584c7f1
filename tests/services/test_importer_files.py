"""Any file a user may pick: `import FILE --year 2025 --dry-run --json` on the sample database
gives a result (exit 0/1) or one Chinese sentence (exit 2), never a traceback, an abort or a
hang, within 10 s and 1 GB, and the database stays as it was.

Two sets of files: the catalogue this project writes (tests/fixtures/build_catalogue.py, each
file's expected outcome in catalogue/outcomes.tsv), and the real spreadsheets of the shared
corpus when it lies beside the repository (../shared/corpus/files; CI always has it), none
of which is a project list, so each must be refused.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "tests" / "fixtures" / "catalogue"
# Beside a clone (CI), or beside the folder of worktrees a developer keeps clones in.
CORPUS = next(
    (
        folder / "shared" / "corpus" / "files"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "corpus" / "files").is_dir()
    ),
    None,
)
# The bound on the work a file may cost (processor time of the import and its reading child:
# this machine's two cores are shared, so wall-clock time says more about the neighbours),
# and the wall-clock time after which a run counts as hung.
SECONDS = 10.0
HUNG_SECONDS = 30.0
MEMORY_KB = 1024 * 1024  # ru_maxrss is in kilobytes on Linux
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Outcome:
    file: str
    code: int | None  # None: killed after the time bound
    out: str
    err: str
    seconds: float  # processor time, user and system
    max_rss_kb: int
    wall: float = 0.0


def dry_run(db: Path, path: Path, folder: Path) -> Outcome:
    """One dry run in a process of its own; its peak memory is that of the process or the
    child it reads the file in, whichever is larger (wait4 reports both)."""
    out_path, err_path = folder / f"{path.name}.out", folder / f"{path.name}.err"
    command = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "import", str(path)]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [*command, "--year", "2025", "--dry-run", "--json"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        timer = threading.Timer(HUNG_SECONDS, process.kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Outcome(
        path.name,
        process.returncode,
        out_path.read_text("utf-8", errors="replace"),
        err_path.read_text("utf-8", errors="replace"),
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss,
        wall,
    )


def sweep(sample_db: Path, files: list[Path]) -> dict[str, Outcome]:
    """Dry runs of every file, two at a time (the CI machine's two cores), against one
    database whose bytes must not change."""
    before = hashlib.sha256(sample_db.read_bytes()).hexdigest()
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda f: dry_run(sample_db, f, Path(folder)), files))
    assert hashlib.sha256(sample_db.read_bytes()).hexdigest() == before
    return {o.file: o for o in outcomes}


def problems(outcome: Outcome) -> list[str]:
    """What breaks the rules for any file."""
    found = []
    if outcome.code not in (0, 1, 2):
        found.append(f"exit {outcome.code}")
    if "Traceback" in outcome.err or "panicked" in outcome.err:
        found.append("traceback")
    if outcome.seconds > SECONDS or outcome.wall > HUNG_SECONDS:
        found.append(f"{outcome.seconds:.1f} s of processor time, {outcome.wall:.1f} s in all")
    if outcome.max_rss_kb > MEMORY_KB:
        found.append(f"{outcome.max_rss_kb // 1024} MB")
    if outcome.code == 2:
        lines = outcome.err.splitlines()
        if len(lines) != 1 or not _CHINESE.search(lines[0]) or outcome.out:
            found.append(f"not one Chinese line: {outcome.err[:200]!r}")
    elif outcome.code in (0, 1):
        try:
            assert "summary" in json.loads(outcome.out)
        except (ValueError, AssertionError):
            found.append("no JSON result")
    return found


def catalogue() -> list[dict[str, str]]:
    with open(CATALOGUE / "outcomes.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_catalogue_has_what_its_builder_writes() -> None:
    rows = catalogue()
    assert len(rows) >= 30
    assert sorted(r["file"] for r in rows) == sorted(
        p.name for p in CATALOGUE.iterdir() if p.name != "outcomes.tsv"
    )


def test_every_catalogued_file_has_its_outcome(sample_db: Path) -> None:
    rows = catalogue()
    outcomes = sweep(sample_db, [CATALOGUE / r["file"] for r in rows])
    wrong = {}
    for row in rows:
        outcome = outcomes[row["file"]]
        found = problems(outcome)
        if outcome.code != int(row["exit"]):
            found.append(f"exit {outcome.code}, expected {row['exit']}: {outcome.err[-200:]!r}")
        elif outcome.code == 2 and row["fragment"] not in outcome.err:
            found.append(f"{row['fragment']!r} not in {outcome.err!r}")
        if found:
            wrong[row["file"]] = found
    assert wrong == {}


@pytest.mark.slow
@pytest.mark.skipif(CORPUS is None, reason="the shared corpus is not beside the repository")
def test_every_file_of_the_corpus_is_refused_in_one_sentence(sample_db: Path) -> None:
    assert CORPUS is not None
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    assert len(files) >= 300
    start = time.perf_counter()
    outcomes = sweep(sample_db, files)
    elapsed = time.perf_counter() - start
    wrong = {name: problems(o) for name, o in outcomes.items() if problems(o)}
    # None of them is a project list: a preview of one would be rows of nonsense.
    previewed = [name for name, o in outcomes.items() if o.code != 2]
    slowest = max(outcomes.values(), key=lambda o: o.seconds)
    heaviest = max(outcomes.values(), key=lambda o: o.max_rss_kb)
    work = sum(o.seconds for o in outcomes.values())
    print(
        f"\n{len(files)} files in {elapsed:.0f} s ({work:.0f} s of processor time);"
        f" slowest {slowest.file} {slowest.seconds:.2f} s"
        f" of processor time ({slowest.wall:.2f} s in all);"
        f" peak memory {heaviest.file} {heaviest.max_rss_kb // 1024} MB"
    )
    assert wrong == {}
    assert previewed == []


def test_the_sweep_catches_a_traceback_and_a_long_run(tmp_path: Path) -> None:
    """The rules themselves: what a broken importer would print is caught."""
    broken = Outcome("x.xlsx", 2, "", "Traceback (most recent call last):\n  …\n", 1.0, 100)
    slow = Outcome("y.xlsx", 0, '{"summary": {}}', "", SECONDS + 1, 100)
    hung = Outcome("v.xlsx", None, "", "", 0.1, 100, HUNG_SECONDS + 1)
    aborted = Outcome("z.xls", -6, "", "", 1.0, 100)
    english = Outcome("w.xlsx", 2, "", "error: bad file\n", 1.0, 100)
    assert problems(broken) and problems(slow) and problems(aborted) and problems(english)
    assert problems(hung)
    assert problems(Outcome("ok.xlsx", 2, "", "文件“ok.xlsx”是空文件。\n", 1.0, 100)) == []


def test_a_reader_that_aborts_takes_only_its_child_down(sample_db: Path, tmp_path: Path) -> None:
    """A workbook whose shared-strings count makes python-calamine abort (it asks for
    hundreds of gigabytes; Rust ends the process): the import says one sentence."""
    bomb = CATALOGUE / "unique_count_bomb.xlsx"
    reader = (
        "import sys, python_calamine\n"
        "python_calamine.load_workbook(sys.argv[1]).get_sheet_by_index(0)"
    )
    direct = subprocess.run([sys.executable, "-c", reader, str(bomb)], capture_output=True)
    assert direct.returncode < 0 or direct.returncode == 134  # aborted by the reader itself
    copy = tmp_path / "copy.db"
    shutil.copy(sample_db, copy)
    outcome = dry_run(copy, bomb, tmp_path)
    assert (outcome.code, problems(outcome)) == (2, [])
    assert "无法读取" in outcome.err
