"""Office files to PDF through LibreOffice headless (docx briefs, xlsx sheets).

Each conversion runs with its own temporary user profile (a running LibreOffice or a broken
profile of the user cannot block it), a time limit, and lands in the target folder atomically.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ysdesk.domain.errors import UserError
from ysdesk.files import atomic_write

# Text documents keep the blank pages LibreOffice inserts for an odd/even section start: the
# brief's 版记 starts on an even page, and a PDF without the blank page before it would print it
# on the front of a sheet. (JSON filter options: LibreOffice 7.4 and later; older versions
# ignore them and skip the blank page.)
_KEEP_BLANK_PAGES = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
_PDF_FILTERS = {".docx": _KEEP_BLANK_PAGES, ".doc": _KEEP_BLANK_PAGES, ".odt": _KEEP_BLANK_PAGES}

ENV_SOFFICE = "YSDESK_SOFFICE"  # path of soffice; set to "" to behave as if it were absent
DEFAULT_TIMEOUT = 180.0

_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
)


class LibreOfficeMissingError(UserError):
    """LibreOffice is not installed (or not found), so no PDF can be made."""


def find_soffice() -> Path | None:
    """The LibreOffice executable: $YSDESK_SOFFICE, the PATH, or the usual install folders."""
    if ENV_SOFFICE in os.environ:
        value = os.environ[ENV_SOFFICE].strip()
        return Path(value) if value and Path(value).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def libreoffice_available() -> bool:
    """Whether a PDF can be made on this machine."""
    return find_soffice() is not None


def _kill(proc: subprocess.Popen) -> None:
    """End LibreOffice and the soffice.bin it started (its own process group on POSIX)."""
    if sys.platform != "win32":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def convert_to_pdf(
    source: Path, target: Path | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """Convert `source` (docx, xlsx …) to `target` (default: beside it, .pdf); returns target."""
    source = Path(source)
    target = Path(target) if target is not None else source.with_suffix(".pdf")
    if not source.is_file():
        raise UserError(f"要转换的文件不存在：{source}。")
    if not target.parent.is_dir():
        raise UserError(f"保存 PDF 的文件夹不存在：{target.parent}。")
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeMissingError(
            "未找到 LibreOffice，无法生成 PDF；Word 文件已生成，可安装 LibreOffice 后重试，"
            "或用 Word/WPS 打开后另存为 PDF。"
        )
    with tempfile.TemporaryDirectory(prefix="ysdesk-pdf-") as tmp:
        work = Path(tmp)
        outdir = work / "out"
        outdir.mkdir()
        # A plain ASCII copy of the input: LibreOffice names its output after the input.
        staged = work / ("input" + source.suffix.lower())
        shutil.copyfile(source, staged)
        command = [
            str(soffice),
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            _PDF_FILTERS.get(source.suffix.lower(), "pdf"),
            "--outdir",
            str(outdir),
            str(staged),
        ]
        kwargs: dict = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            kwargs["start_new_session"] = True
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                **kwargs,
            )
        except OSError as exc:
            raise LibreOfficeMissingError(
                f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}。"
            ) from exc
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise UserError(
                f"LibreOffice 转换 PDF 超时（超过 {int(timeout)} 秒），已停止；Word 文件不受影响。"
            ) from None
        produced = outdir / "input.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            hint = f"（{detail[-1][:120]}）" if detail else ""
            raise UserError(f"LibreOffice 未能把 {source.name} 转换为 PDF{hint}。")
        atomic_write(target, lambda tmp: shutil.copyfile(produced, tmp))
    return target
