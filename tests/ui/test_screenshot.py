"""`screenshot` renders the window offscreen at the requested size; unknown views are refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from ysdesk.cli import main
from ysdesk.domain.errors import UserError
from ysdesk.ui.screenshot import parse_size, render_screenshot


@pytest.mark.parametrize("view", ["task", "zone", "unit"])
def test_each_tree_view_renders_at_1600_by_1000(sample_db: Path, tmp_path: Path, view) -> None:
    out = tmp_path / f"{view}.png"
    render_screenshot(sample_db, out, view=view)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    # Not an empty window: many distinct colours (text, status colours, selection).
    colours = {image.pixel(x, y) for x in range(0, 1600, 7) for y in range(0, 1000, 7)}
    assert len(colours) > 50


def test_the_cli_command_writes_the_png_and_refuses_unknown_views(
    sample_db: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "shot.png"
    assert main(["--db", str(sample_db), "screenshot", str(out), "--size", "1200x800"]) == 0
    assert QImage(str(out)).width() == 1200
    capsys.readouterr()
    assert main(["--db", str(sample_db), "screenshot", str(out), "--view", "nonexistent"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--view" in err[0]
    assert main(["--db", str(sample_db), "screenshot", str(tmp_path / "x.jpg")]) == 2
    assert main(["--db", str(sample_db), "screenshot", str(out), "--size", "big"]) == 2


def test_a_view_nobody_registered_is_refused_in_chinese(sample_db: Path, tmp_path: Path) -> None:
    from ysdesk.ui import features

    saved = list(features.FEATURES)
    features.FEATURES.clear()
    try:
        with pytest.raises(UserError, match="没有名为“dashboard”的视图"):
            render_screenshot(sample_db, tmp_path / "d.png", view="dashboard")
    finally:
        features.FEATURES.extend(saved)
    assert not (tmp_path / "d.png").exists()


def test_parse_size() -> None:
    assert parse_size("1600x1000") == (1600, 1000)
    assert parse_size("800×600") == (800, 600)
    for bad in ("1600", "axb", "10x10", "99999x100"):
        with pytest.raises(UserError):
            parse_size(bad)


def test_only_the_screenshot_command_loads_qt(sample_db: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from ysdesk.cli import main; "
        f"rc = main(['--db', {str(sample_db)!r}, 'list', '--json']); "
        "assert rc == 0, rc; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt loaded'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
