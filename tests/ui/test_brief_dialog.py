"""报告 → 生成工作简报…: settings remembered, generation in a worker, PDF preview and printing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMainWindow, QMenu

from ysdesk.exchange import pdf
from ysdesk.services.brief import pdf_available
from ysdesk.store import Store
from ysdesk.store.briefs import list_briefs
from ysdesk.ui import features
from ysdesk.ui.brief_dialog import ACTION_TEXT, NO_LIBREOFFICE, BriefDialog, install
from ysdesk.ui.context import AppContext
from ysdesk.ui.main_window import MainWindow
from ysdesk.ui.prompts import ScriptedPrompts
from ysdesk.ui.tasks import TaskRunner


class HostWindow(QMainWindow):
    """The part of the main window's contract (ysdesk.ui.features) the brief feature uses."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.tasks = TaskRunner(self, ctx.prompts)
        self._menus = {"report": self.menuBar().addMenu("报告(&R)")}

    def menu(self, key: str) -> QMenu:
        return self._menus[key]

    def run_task(self, title, work, on_done=None, on_error=None):
        return self.tasks.run(title, work, on_done, on_error)

    def closeEvent(self, event) -> None:
        self.tasks.wait_all()
        super().closeEvent(event)


@pytest.fixture
def window(qtbot, sample_db: Path, today, tmp_path: Path):
    store = Store.open(sample_db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    ctx = AppContext(store=store, settings=settings, today=today, prompts=ScriptedPrompts())
    host = HostWindow(ctx)
    install(host)
    qtbot.addWidget(host)
    yield host
    host.close()
    store.close()


def test_the_main_window_offers_the_brief_in_its_report_menu(
    qtbot, sample_db: Path, today, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(features, "FEATURES", ["ysdesk.ui.brief_dialog:install"])
    store = Store.open(sample_db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    main = MainWindow(AppContext(store=store, settings=settings, today=today))
    qtbot.addWidget(main)
    try:
        texts = [a.text() for a in main.menu("report").actions()]
        assert ACTION_TEXT in texts
    finally:
        main.close()
        store.close()


def _open_dialog(window) -> BriefDialog:
    (action,) = [a for a in window.menu("report").actions() if a.text() == ACTION_TEXT]
    action.trigger()
    return window.brief_dialog


def _generate(qtbot, dialog: BriefDialog, timeout: int = 10_000) -> None:
    with qtbot.waitSignal(dialog.generated, timeout=timeout):
        dialog.generate_button.click()


def test_generates_the_docx_and_remembers_the_settings(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv(pdf.ENV_SOFFICE, "")
    dialog = _open_dialog(window)
    assert dialog.issue.value() == 1
    assert not dialog.want_pdf.isEnabled()
    assert dialog.status.text() == NO_LIBREOFFICE
    assert "（一）加快推进滞后和逾期项目" in dialog.next_steps.toPlainText()
    dialog.issue.setValue(5)
    dialog.total_issue.setValue(18)
    dialog.editor.setText("区推进办")
    dialog.copies.setValue(25)
    target = tmp_path / "简报.docx"
    dialog.path.setText(str(target))
    _generate(qtbot, dialog)
    assert target.exists()
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert "第5期（总第18期）" in texts
    assert str(target) in dialog.status.text()
    (record,) = list_briefs(window.ctx.store)
    assert (record.issue_no, record.total_issue_no) == (5, 18)
    assert record.settings["editor"] == "区推进办"
    assert record.settings["next_steps"] == ""  # the default text stays the default
    dialog.close()

    again = _open_dialog(window)
    assert again is not dialog
    assert (again.issue.value(), again.total_issue.value()) == (6, 19)
    assert again.editor.text() == "区推进办" and again.copies.value() == 25
    assert Path(again.path.text()).parent == tmp_path
    assert Path(again.path.text()).name == "工作简报第6期.docx"


def test_typed_next_steps_are_printed_and_remembered(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv(pdf.ENV_SOFFICE, "")
    dialog = _open_dialog(window)
    dialog.next_steps.setPlainText("（一）专项督查。年底前完成。")
    dialog.path.setText(str(tmp_path / "b.docx"))
    _generate(qtbot, dialog)
    texts = [p.text for p in docx.Document(str(tmp_path / "b.docx")).paragraphs]
    assert "（一）专项督查。年底前完成。" in texts
    assert list_briefs(window.ctx.store)[0].settings["next_steps"] == "（一）专项督查。年底前完成。"
    dialog.next_steps.clear()
    dialog.reset_steps.click()
    assert dialog.next_steps.toPlainText().startswith("（一）加快推进")


def test_refusals_are_shown_and_nothing_is_recorded(window, tmp_path: Path) -> None:
    dialog = _open_dialog(window)
    dialog.masthead.setText("  ")
    dialog.path.setText(str(tmp_path / "b.docx"))
    dialog.generate_button.click()
    assert window.ctx.prompts.asked == [("error", "生成工作简报", "简报名称不能为空。")]
    assert dialog.status.text() == "简报名称不能为空。"
    assert list_briefs(window.ctx.store) == []
    assert not (tmp_path / "b.docx").exists()


def test_browse_lets_the_save_dialog_add_docx(window, tmp_path: Path) -> None:
    dialog = _open_dialog(window)
    prompts = window.ctx.prompts
    prompts.answers.append(str(tmp_path / "十一月简报"))
    dialog.browse_button.click()
    assert prompts.default_suffixes == ["docx"]
    assert dialog.path.text() == str(tmp_path / "十一月简报.docx")
    # Another suffix typed: .docx is added after the dialog, which did not ask about that file.
    (tmp_path / "简报.v2.docx").write_bytes(b"an earlier brief")
    prompts.answers.extend([str(tmp_path / "简报.v2"), False])
    dialog.browse_button.click()
    assert prompts.asked[-1][0] == "confirm" and "简报.v2.docx" in prompts.asked[-1][2]
    assert dialog.path.text() == str(tmp_path / "十一月简报.docx")


def test_a_write_error_in_the_worker_is_reported(qtbot, window, tmp_path: Path) -> None:
    dialog = _open_dialog(window)
    dialog.want_pdf.setChecked(False)
    dialog.path.setText(str(tmp_path / "missing" / "b.docx"))
    dialog.generate_button.click()
    qtbot.waitUntil(lambda: bool(window.ctx.prompts.asked), timeout=10_000)
    ((kind, _title, text),) = window.ctx.prompts.asked
    assert kind == "error" and "文件夹不存在" in text
    assert dialog.generate_button.isEnabled()
    assert list_briefs(window.ctx.store) == []


@pytest.mark.libreoffice
@pytest.mark.skipif(not pdf_available(), reason="LibreOffice is not installed")
def test_pdf_preview_shows_every_page_and_prints(qtbot, window, tmp_path: Path) -> None:
    dialog = _open_dialog(window)
    assert dialog.want_pdf.isEnabled() and dialog.want_pdf.isChecked()
    dialog.path.setText(str(tmp_path / "brief.docx"))
    _generate(qtbot, dialog, timeout=120_000)
    preview = dialog.preview
    assert preview is not None and preview.isVisible()
    pages = preview.document.pageCount()
    assert pages > 5
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(tmp_path / "brief.pdf")], capture_output=True, text=True
        ).stdout
        assert f"Pages:           {pages}" in info
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert preview.print_to(printer) == pages
    assert (tmp_path / "printed.pdf").stat().st_size > 10_000


# The offscreen platform cannot raise windows and says so; a desktop raises the dialog.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_the_menu_raises_an_open_dialog_instead_of_opening_another(window) -> None:
    first = _open_dialog(window)
    assert first.isVisible()
    assert _open_dialog(window) is first
