"""What the command-line tests share: running main.py as a process, or main() for its JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ysdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """main.py with these arguments in a process of its own (output captured as text)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def run_json(capsys: pytest.CaptureFixture, *args: str) -> object:
    """main() with these arguments, which must succeed; its standard output as JSON."""
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)
