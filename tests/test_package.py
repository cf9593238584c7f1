"""The desktop package: scripts/package.py builds it; extracted with dpkg-deb, the app runs.

The build takes minutes (≈ 4–5 min with --fast, and lintian ≈ 2 min, on this shared two-core
machine under load; docs/packaging.md); it is marked slow and .ci/run runs it every time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ysdesk import __version__

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
NEEDED_TOOLS = ("dpkg-deb", "objdump", "strip")
# What the window needs from the system on a bare Debian 12 desktop (DESIGN.md §7).
XCB_AND_FONT = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxkbcommon-x11-0",
    "libgl1",
    "libegl1",
    "libxcb1",
    "fonts-noto-cjk",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        sys.platform != "linux" or any(shutil.which(t) is None for t in NEEDED_TOOLS),
        reason="the .deb is built on Linux with dpkg-deb and binutils",
    ),
]


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package, built from this checkout into a temporary folder."""
    out = tmp_path_factory.mktemp("package")
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "package.py"),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "build"),
            "--fast",
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    path = out / "dist" / f"ysdesk_{__version__}_amd64.deb"
    assert f"package:    {path}" in result.stdout
    assert re.search(r"^size: +\d+\.\d MB \(installed \d+\.\d MB\)$", result.stdout, re.M)
    assert re.search(r"^build time: \d+ s", result.stdout, re.M)
    print(f"\npackage built in {time.perf_counter() - started:.0f} s")
    return path


@pytest.fixture(scope="module")
def root(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's files extracted into a temporary root (as installed, under it)."""
    target = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(target)], check=True)
    return target


def control(deb: Path, field: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, check=True
    ).stdout.strip()


def app_env(home: Path) -> dict[str, str]:
    """A user's environment with nothing of the checkout's Python in it."""
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        # Were the system's or the checkout's Python used, these would break it.
        "PYTHONHOME": "/nonexistent",
        "PYTHONPATH": "/nonexistent",
    }
    return env


def run_app(root: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(root / "opt" / "ysdesk" / "ysdesk"), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=app_env(home),
        timeout=300,
    )


def test_control_names_the_window_libraries_and_a_cjk_font(deb: Path) -> None:
    assert control(deb, "Package") == "ysdesk"
    assert control(deb, "Version") == __version__
    assert control(deb, "Architecture") == "amd64"
    depends = [d.strip() for d in control(deb, "Depends").split(",")]
    names = {alt.split()[0] for d in depends for alt in d.split("|")}
    assert set(XCB_AND_FONT) <= names
    glibc = next(d for d in depends if d.startswith("libc6 "))
    assert re.fullmatch(r"libc6 \(>= 2\.\d+\)", glibc)
    assert int(control(deb, "Installed-Size")) > 50_000  # KiB: the app carries Python and Qt


def test_layout_launcher_desktop_entry_and_icons(root: Path) -> None:
    app = root / "opt" / "ysdesk" / "ysdesk"
    assert app.is_file() and os.access(app, os.X_OK)
    launcher = root / "usr" / "bin" / "ysdesk"
    assert os.access(launcher, os.X_OK)
    assert 'exec /opt/ysdesk/ysdesk "$@"' in launcher.read_text("utf-8").splitlines()
    entry = root / "usr" / "share" / "applications" / "ysdesk.desktop"
    text = entry.read_text("utf-8")
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert "Office" in fields["Categories"].split(";")
    assert re.search(r"[\u4e00-\u9fff]", fields["Name"]) and re.search(
        r"[\u4e00-\u9fff]", fields["Comment"]
    )
    assert (fields["Exec"], fields["Icon"], fields["Type"]) == ("ysdesk", "ysdesk", "Application")
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True
        )
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout
    hicolor = root / "usr" / "share" / "icons" / "hicolor"
    for size in (48, 64, 128, 256):
        png = (hicolor / f"{size}x{size}" / "apps" / "ysdesk.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (size, size)
    svg = (hicolor / "scalable" / "apps" / "ysdesk.svg").read_text("utf-8")
    assert svg.lstrip().startswith("<svg") and "ysdesk" in svg
    assert (root / "usr" / "share" / "doc" / "ysdesk" / "copyright").is_file()
    assert (root / "usr" / "share" / "man" / "man1" / "ysdesk.1.gz").is_file()


def test_the_folder_app_carries_its_own_python(root: Path) -> None:
    internal = root / "opt" / "ysdesk" / "_internal"
    libpython = list(internal.glob("libpython3*.so*"))
    assert libpython and all(p.stat().st_size > 1_000_000 for p in libpython if p.is_file())
    for name in ("ysdesk/resources/style.qss", "ysdesk/sample_data/plan.json", "docx/templates"):
        assert (internal / name).exists(), name
    # Nothing refers to the build host's Python by path: no RUNPATH outside the bundle.
    for path in [libpython[0], *internal.glob("python3*/lib-dynload/*.so")]:
        dump = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True)
        assert not re.search(r"R(UN)?PATH\s+/", dump.stdout), path


def test_the_extracted_app_runs_the_commands(root: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    version = run_app(root, home, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"ysdesk {__version__}"
    db = tmp_path / "x.db"
    made = run_app(root, home, "--db", str(db), "init", "--sample")
    assert made.returncode == 0, made.stderr
    listed = run_app(root, home, "--db", str(db), "--today", "2026-11-27", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    projects = json.loads(listed.stdout)
    assert len(projects) == 86 and {p["task_no"] for p in projects} == set(range(1, 24))
    # python-calamine, and python-docx with its header/footer templates, are in the bundle.
    preview = run_app(
        root, home, "--db", str(db), "import", str(FIXTURES / "gov_return.xlsx"), "--dry-run"
    )
    assert preview.returncode in (0, 1), preview.stderr
    out = tmp_path / "brief.docx"
    brief = run_app(root, home, "--db", str(db), "brief", "--year", "2025", "-o", str(out))
    assert brief.returncode == 0, brief.stderr
    assert out.stat().st_size > 10_000


def test_first_start_in_the_user_folder_and_an_offscreen_screenshot(
    root: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    first = run_app(root, home, "list", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == []
    assert (home / "data" / "ysdesk" / "ysdesk.db").is_file()
    shot = tmp_path / "window.png"
    taken = run_app(root, home, "screenshot", str(shot), "--size", "1200x800")
    assert taken.returncode == 0, taken.stderr
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 800)
    assert len(png) > 30_000  # a window with text, not a blank picture
    # The data lives with the user, never beside the program.
    assert not [p for p in (root / "opt").rglob("*.db")]


@pytest.mark.skipif(shutil.which("lintian") is None, reason="lintian is not installed")
def test_lintian_reports_no_errors_or_warnings(deb: Path) -> None:
    result = subprocess.run(
        ["lintian", "--tag-display-limit", "0", str(deb)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith(("E:", "W:"))]
    assert not errors, "\n".join(errors[:20])
