"""Benchmark the desktop package: its size, installed size, and the launch to the first paint.

    .venv/bin/python scripts/bench_package.py [--deb dist/ysdesk_<version>_amd64.deb]
                                              [--app /opt/ysdesk/ysdesk] [--rounds 7]

Times, in the same run and alternating, the packaged app (`--app`, else the .deb extracted
into a temporary folder) and `python main.py` from this checkout, each opening the window
on the sample list under a virtual X server (Xvfb) with Qt's xcb platform, as on a desktop.
A launch ends when the window has painted once: the window writes the time of its first
paint to the file named by $YSDESK_STARTUP_PROBE and quits. Prints each figure, the median
of the rounds and the ratio of the package to `python main.py`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ysdesk import __version__  # noqa: E402
from ysdesk.ui.app import STARTUP_PROBE  # noqa: E402


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """A virtual X server on a free display number."""
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is missing: apt-get install xvfb")
    for number in range(91, 140):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        server = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return server, f":{number}"
            time.sleep(0.05)
        server.kill()
    raise SystemExit("no free X display for Xvfb")


def launch(command: list[str], env: dict[str, str], probe: Path) -> float:
    """Seconds from starting the process to the window's first paint."""
    probe.unlink(missing_ok=True)
    started = time.time()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not probe.exists():
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return float(probe.read_text("utf-8")) - started


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_deb = ROOT / "dist" / f"ysdesk_{__version__}_amd64.deb"
    parser.add_argument("--deb", type=Path, default=default_deb)
    parser.add_argument("--app", type=Path, help="an installed app (e.g. /opt/ysdesk/ysdesk)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not args.deb.exists():
        raise SystemExit(f"{args.deb} is missing: build it with scripts/package.py")
    with tempfile.TemporaryDirectory(prefix="ysdesk-bench-") as tmp:
        work = Path(tmp)
        extracted = work / "root"
        subprocess.run(["dpkg-deb", "-x", str(args.deb), str(extracted)], check=True)
        installed = folder_size(extracted)
        app = args.app or extracted / "opt" / "ysdesk" / "ysdesk"
        print(f"package:        {args.deb.stat().st_size / 1e6:.1f} MB ({args.deb.name})")
        declared = subprocess.run(
            ["dpkg-deb", "-f", str(args.deb), "Installed-Size"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"installed size: {installed / 1e6:.1f} MB (control file: {declared} KiB)")
        server, display = start_xvfb()
        try:
            home = work / "home"
            home.mkdir()
            db = work / "sample.db"
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("QT_", "YSDESK"))},
                "DISPLAY": display,
                "QT_QPA_PLATFORM": "xcb",
                "HOME": str(home),
                "XDG_DATA_HOME": str(home / "data"),
                "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_CACHE_HOME": str(home / "cache"),
                STARTUP_PROBE: str(work / "painted"),
            }
            env.pop("WAYLAND_DISPLAY", None)
            subprocess.run([str(app), "--db", str(db), "init", "--sample"], env=env, check=True)
            commands = {
                "package": [str(app), "--db", str(db)],
                "python main.py": [sys.executable, str(ROOT / "main.py"), "--db", str(db)],
            }
            probe = work / "painted"
            for command in commands.values():  # warm the page cache and the font cache
                launch(command, env, probe)
            times: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(args.rounds):
                for name, command in commands.items():
                    times[name].append(launch(command, env, probe))
        finally:
            server.terminate()
            server.wait()
    print(f"launch to first painted window, {args.rounds} alternating rounds (Xvfb, xcb):")
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        shown = " ".join(f"{v:.2f}" for v in values)
        print(f"  {name:<15} median {medians[name]:.2f} s, min {min(values):.2f} s  ({shown})")
    ratio = medians["package"] / medians["python main.py"]
    print(f"  ratio package / python main.py: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
