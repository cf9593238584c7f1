"""The 数据 menu's exports and import in a real main window, files chosen by scripted prompts."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import openpyxl

from ysdesk.services import importer
from ysdesk.ui import exchange_preview
from ysdesk.ui.exchange_preview import ImportPreviewDialog

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _action(window, text: str):
    """The 数据 menu's entry whose text, without its mnemonic, is `text`."""
    return next(a for a in window.menu("data").actions() if re.sub(r"\(&.\)", "", a.text()) == text)


def test_menu_entries(window) -> None:
    texts = [a.text() for a in window.menu("data").actions()]
    for entry in (
        "导入部门报表(&I)…",
        "导出项目清单(&L)…",
        "导出分工表(&D)…",
        "导出责任矩阵(&M)…",
        "导出分单位填报表(&U)…",
    ):
        assert entry in texts


def test_export_list_runs_in_a_worker(qtbot, window, prompts, tmp_path: Path) -> None:
    target = tmp_path / "清单"
    prompts.answers.append(str(target))
    _action(window, "导出项目清单…").trigger()
    qtbot.waitUntil(lambda: window.tasks.running == 0 and prompts.asked[-1][0] == "info")
    path = target.with_name("清单.xlsx")
    assert path.exists()
    assert openpyxl.load_workbook(path, read_only=True).sheetnames[0] == "项目清单"
    assert str(path) in prompts.asked[-1][2]


def test_the_save_dialog_adds_the_suffix_itself(qtbot, window, prompts, tmp_path: Path) -> None:
    """A bare name gets .xlsx from the dialog, which then asks before replacing that file;
    nothing is appended after the dialog closed."""
    prompts.answers.append(str(tmp_path / "清单"))
    _action(window, "导出项目清单…").trigger()
    qtbot.waitUntil(lambda: window.tasks.running == 0 and prompts.asked[-1][0] == "info")
    assert prompts.default_suffixes == ["xlsx"]
    assert [kind for kind, *_ in prompts.asked] == ["save_file", "info"]
    assert (tmp_path / "清单.xlsx").exists()


def test_another_suffix_asks_before_replacing_the_xlsx(
    qtbot, window, prompts, tmp_path: Path
) -> None:
    old = tmp_path / "清单.v2.xlsx"
    old.write_bytes(b"the user's own workbook")
    prompts.answers.extend([str(tmp_path / "清单.v2"), False])
    _action(window, "导出项目清单…").trigger()
    assert prompts.asked[-1][0] == "confirm" and "清单.v2.xlsx" in prompts.asked[-1][2]
    qtbot.waitUntil(lambda: window.tasks.running == 0)
    assert prompts.asked[-1][0] == "confirm"  # declined: nothing exported, nothing said
    assert old.read_bytes() == b"the user's own workbook"
    prompts.answers.extend([str(tmp_path / "清单.v2"), True])
    _action(window, "导出项目清单…").trigger()
    qtbot.waitUntil(lambda: window.tasks.running == 0 and prompts.asked[-1][0] == "info")
    assert openpyxl.load_workbook(old, read_only=True).sheetnames[0] == "项目清单"


def test_export_unit_sheets_into_a_folder(qtbot, window, prompts, tmp_path: Path) -> None:
    prompts.answers.append(str(tmp_path))
    _action(window, "导出分单位填报表…").trigger()
    qtbot.waitUntil(lambda: window.tasks.running == 0 and prompts.asked[-1][0] == "info")
    files = list((tmp_path / "2025年分单位填报表").glob("*.xlsx"))
    assert len(files) > 10 and any(f.name.endswith("_区科委.xlsx") for f in files)


def test_import_opens_the_preview_and_applies(qtbot, window, prompts, monkeypatch) -> None:
    compared_on: list[threading.Thread] = []
    real_build = importer.build_preview

    def build_preview(*args, **kwargs):
        compared_on.append(threading.current_thread())
        return real_build(*args, **kwargs)

    monkeypatch.setattr(importer, "build_preview", build_preview)
    prompts.answers.append(str(FIXTURES / "gov_return.xls"))
    _action(window, "导入部门报表…").trigger()
    qtbot.waitUntil(lambda: window.exchange_actions.dialog is not None)
    dialog = window.exchange_actions.dialog
    assert isinstance(dialog, ImportPreviewDialog) and dialog.isVisible()
    assert dialog.model.rowCount() == 6
    # A large year's comparison never holds up the window: the worker has its own connection.
    assert len(compared_on) == 1 and compared_on[0] is not threading.main_thread()
    count = window.ctx.store.project_count(2025)
    written_on: list[bool] = []
    real_apply = exchange_preview.apply_import

    def apply_import(*args, **kwargs):
        written_on.append(threading.current_thread() is threading.main_thread())
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(exchange_preview, "apply_import", apply_import)
    with qtbot.waitSignal(dialog.applied, timeout=5000):
        assert dialog.apply() is None  # the backup and the write run in the worker
    assert written_on == [False]
    assert window.ctx.store.project_count(2025) == count + 1
    assert prompts.asked[-1][1] == "导入完成"
    assert window.undo_action.isEnabled() and "gov_return.xls" in window.undo_action.text()
    window.undo_action.trigger()
    assert window.ctx.store.project_count(2025) == count
    window.redo_action.trigger()  # the same import again, written here as any redo is
    assert window.ctx.store.project_count(2025) == count + 1


def test_a_hostile_file_is_refused_with_one_message(qtbot, window, prompts, tmp_path) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    prompts.answers.append(str(bad))
    _action(window, "导入部门报表…").trigger()
    qtbot.waitUntil(lambda: window.tasks.running == 0 and prompts.asked[-1][0] == "error")
    assert "坏文件.xlsx" in prompts.asked[-1][2]
    assert window.exchange_actions.dialog is None
