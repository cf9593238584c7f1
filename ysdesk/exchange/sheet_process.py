"""Read a workbook in a child process, so that no file can take the program down.

python-calamine is Rust: a panic or a failed allocation (a 9 KB workbook whose counts were
forged asked for 77 GB) aborts the process, and no Python `except` catches that; a reader
that loops never returns. The screening in exchange.sheets refuses what it can recognise, but
proving every allocation calamine makes bounded would mean mirroring its parsers. So the
screening and the parse run in a child process with a memory ceiling and a time limit; the
parent gets the plain grids back, or one sentence. An abort, a loop or an allocation beyond
the ceiling ends the child only.

Cost, measured on this machine: starting the child and handing back a 10,000-row sheet adds
about 0.05–0.08 s to a read of about 0.3 s; the parent loads the importer meanwhile.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from ysdesk.domain.errors import BadFileError, UserError
from ysdesk.exchange.sheets import SheetGrid

# The child's limits: the time a read may take, and its address space (POSIX only; on
# Windows an allocation calamine cannot have fails at once and ends the child all the same).
READ_SECONDS = 7.0
MEMORY_BYTES = 1536 * 1024 * 1024
# The frozen program (PyInstaller) has no `-m`: its entry point hands this argument here.
CHILD_FLAG = "--ysdesk-read-sheets"
_OK, _REFUSED = "ok", "refused"


def read_isolated(path: Path | str) -> list[SheetGrid]:
    """Every worksheet of the file, screened and read in a child process (BadFileError when
    it is refused, fails or takes too long)."""
    return IsolatedRead(path).grids()


class IsolatedRead:
    """A read started in a child process; `grids()` waits for its result."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._grids: list[SheetGrid] | None = None
        try:
            self._process = subprocess.Popen(
                [*_child_command(), str(self.path.absolute())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_child_environment(),
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as exc:  # no process can be started (a limit reached)
            raise UserError(f"无法启动读取表格的进程：{exc.strerror or exc}。") from None

    def grids(self) -> list[SheetGrid]:
        """The sheets in the workbook's order (waits for the child)."""
        if self._grids is None:
            self._grids = self._result()
        return self._grids

    def _result(self) -> list[SheetGrid]:
        name = self.path.name or str(self.path)
        try:
            out, _ = self._process.communicate(timeout=READ_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            raise BadFileError(
                f"文件“{name}”读取超时（超过 {READ_SECONDS:.0f} 秒），可能已损坏或结构异常。"
            ) from None
        try:
            kind, payload = pickle.loads(out) if self._process.returncode == 0 else (None, None)
        except Exception:  # a child cut short leaves half a message
            kind, payload = None, None
        if kind == _OK:
            return [SheetGrid(*fields) for fields in payload]
        if kind == _REFUSED:
            raise BadFileError(payload)
        raise BadFileError(f"文件“{name}”已损坏或格式无法识别，读取时出错，无法读取。")

    def close(self) -> None:
        """End the child if its result is no longer wanted."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()


def _child_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG]
    return [sys.executable, "-m", __name__]


def _child_environment() -> dict[str, str]:
    """The parent's environment, with this package findable from a checkout."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def serve(argv: list[str]) -> int:
    """The child: screen and read the file named in argv, write the result to stdout."""
    _limit_memory()
    from ysdesk.exchange.sheets import read_workbook

    try:
        grids = read_workbook(argv[0])
        message = (_OK, [_fields(grid) for grid in grids])
    except BadFileError as exc:
        message = (_REFUSED, exc.message)
    except MemoryError:
        message = (_REFUSED, f"文件“{Path(argv[0]).name}”的数据量过大，无法读取。")
    sys.stdout.buffer.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()
    return 0


def _fields(grid: SheetGrid) -> tuple[object, ...]:
    return (grid.name, grid.rows, grid.merged, grid.hidden, grid.dropped_cells)


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:]))
