"""Starting the window: which database, and the system libraries Qt's xcb plugin needs."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ysdesk.cli import main
from ysdesk.ui import app


def fake_cdll(missing: set[str]):
    real = ctypes.CDLL

    def load(name: str, *args, **kwargs):
        if name in missing:
            raise OSError(f"{name}: cannot open shared object file")
        return real(name, *args, **kwargs) if name.startswith("libc.") else object()

    return load


@pytest.fixture
def on_x11(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return monkeypatch


def test_missing_xcb_libraries_name_their_debian_packages(on_x11) -> None:
    on_x11.setattr(app.ctypes, "CDLL", fake_cdll({"libxcb-cursor.so.0", "libxkbcommon-x11.so.0"}))
    assert app.missing_xcb_packages() == ["libxcb-cursor0", "libxkbcommon-x11-0"]
    on_x11.setattr(app.ctypes, "CDLL", fake_cdll(set()))
    assert app.missing_xcb_packages() == []


def test_the_window_refuses_in_one_sentence_before_qt_aborts(
    on_x11, capsys: pytest.CaptureFixture
) -> None:
    on_x11.setattr(app.ctypes, "CDLL", fake_cdll({name for name, _ in app.XCB_LIBRARIES}))

    def no_qt(*_args):
        raise AssertionError("Qt was started although its libraries are missing")

    on_x11.setattr(app, "make_application", no_qt)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.strip() == (
        "无法打开窗口：缺少 Qt 显示窗口所需的系统库，请先安装：sudo apt install "
        "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
        "libxkbcommon-x11-0。"
    )


@pytest.mark.parametrize("platform", ["offscreen", "wayland"])
def test_other_platforms_need_no_xcb(on_x11, platform: str) -> None:
    on_x11.setenv("QT_QPA_PLATFORM", platform)
    on_x11.setattr(app.ctypes, "CDLL", fake_cdll({name for name, _ in app.XCB_LIBRARIES}))
    assert app.missing_xcb_packages() == []


def test_the_startup_probe_writes_the_first_paint_and_quits(tmp_path, sample_db) -> None:
    probe = tmp_path / "painted.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", app.STARTUP_PROBE: str(probe)}
    launched = time.time()
    main_py = Path(__file__).resolve().parents[2] / "main.py"
    result = subprocess.run(
        [sys.executable, str(main_py), "--db", str(sample_db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    painted = float(probe.read_text("utf-8"))
    assert launched < painted < time.time()
