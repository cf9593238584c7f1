"""The codebase's own rules: ruff is clean, layers hold, the CLI starts without Qt."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_LAYERS = ("domain", "store", "exchange", "server", "services")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed in this environment (pip install -e '.[dev]')")
    return found


def test_ruff_lint_is_clean() -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "ysdesk", "tests", "main.py", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [_tool("ruff"), "format", "--check", "ysdesk", "tests", "main.py", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_contracts_hold() -> None:
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("layer", CORE_LAYERS)
def test_core_layers_never_import_qt_even_lazily(layer: str) -> None:
    """import-linter sees module-level imports; this also catches imports inside functions."""
    offenders = []
    for path in (ROOT / "ysdesk" / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(
                n.split(".")[0] in ("PySide6", "shiboken6", "ysdesk.ui")
                or n.startswith("ysdesk.ui")
                for n in names
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_cli_commands_do_not_load_qt(tmp_path: Path) -> None:
    code = (
        "import sys; from ysdesk.cli import main; "
        f"rc = main(['--db', {str(tmp_path / 'x.db')!r}, 'init']); "
        "assert rc == 0, rc; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt loaded'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
