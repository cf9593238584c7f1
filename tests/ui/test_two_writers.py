"""A real window and a real command-line writer on one database: the second one is refused
or opens read-only, and says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from tests.cli.helpers import ROOT
from ysdesk.services.editing import find_project
from ysdesk.store import Store
from ysdesk.ui.app import open_at_start
from ysdesk.ui.context import AppContext
from ysdesk.ui.main_window import MainWindow
from ysdesk.ui.prompts import ScriptedPrompts


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_a_command_is_refused_while_the_window_writes(window, sample_db: Path) -> None:
    store = window.ctx.store
    project = store.list_projects()[0]
    result = cli(sample_db, "set", project.code, "note=命令行的修改", "--wait", "0.5")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "另一个 ysdesk 窗口或命令" in line and f"进程 {os.getpid()}" in line, line
    assert "未作修改" in line
    assert store.get_project(project.id).note == project.note
    # The window goes on writing.
    window.table.select_project(project.id)
    window.editor.note.setPlainText("窗口的修改")
    window.editor.note.committed.emit(window.editor.note.toPlainText())
    assert store.get_project(project.id).note == "窗口的修改"
    assert cli(sample_db, "history", project.code).returncode == 0  # reading is never refused


def test_a_window_opens_read_only_while_a_command_writes(
    qtbot, sample_db: Path, tmp_path: Path, today
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_AND_SET, str(sample_db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    prompts = ScriptedPrompts()
    store = open_at_start(sample_db, prompts)
    try:
        assert store is not None and store.readonly
        [(kind, title, text)] = prompts.asked
        assert (kind, title) == ("info", "只读打开")
        assert f"进程 {holder.pid}" in text and "只读方式打开" in text
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
        ctx = AppContext(store=store, settings=settings, today=today, prompts=prompts)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert "只读" in window.windowTitle()
        assert not window.project_actions.new.isEnabled()
        assert not window.editor.name.isEnabled()
        out, _ = holder.communicate("\n", timeout=60)
        assert holder.returncode == 0 and out.strip() == "set"
        # The command's write is there for the read-only window to show.
        assert find_project(store, "2025-01-01").note == "命令行写入"
        window.tasks.wait_all()
        window.close()
    finally:
        if holder.poll() is None:
            holder.kill()
        if store is not None:
            store.close()


# A command-line writer caught in the middle: it holds the database open for writing (as
# every writing command does) until told to go on, then makes its edit and ends.
_HOLD_AND_SET = """
import sys
from ysdesk.store import Store
from ysdesk.services import editing
store = Store.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
project = editing.find_project(store, "2025-01-01")
editing.apply_changes(store, project.id, {"note": "命令行写入"}, expected_version=project.version)
store.close()
print("set", flush=True)
"""


def test_the_holder_script_edits(sample_db: Path) -> None:
    """The stand-in writer above does write (so the read-only window had something to see)."""
    result = subprocess.run(
        [sys.executable, "-c", _HOLD_AND_SET, str(sample_db)],
        input="\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with Store.open(sample_db, readonly=True) as store:
        assert find_project(store, "2025-01-01").note == "命令行写入"
