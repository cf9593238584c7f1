"""The welcome pane in the table's place on a database with the plan only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from ysdesk.services.locations import default_db_path, sample_db_path
from ysdesk.store import Store
from ysdesk.ui.app import start_path
from ysdesk.ui.exchange_preview import ImportPreviewDialog
from ysdesk.ui.welcome import IMPORT_TEXT, NEW_TEXT, SAMPLE_TEXT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_a_database_without_projects_shows_the_welcome_pane(open_window, plan_db: Path) -> None:
    window = open_window(plan_db)
    page = window.projects_page
    welcome = page.welcome
    assert page.welcoming and welcome.isVisible() and not window.table.isVisible()
    assert (
        [b.text() for b in (welcome.import_button, welcome.new_button, welcome.sample_button)]
        == [
            IMPORT_TEXT,
            NEW_TEXT,
            SAMPLE_TEXT,
        ]
        == ["导入现有项目清单（Excel）…", "新建项目", "打开示例清单"]
    )
    text = welcome.summary.text()
    assert "4 个任务领域、23 项重点任务、4 个功能区、4 项目标指标" in text and "还没有项目" in text
    assert all(b.isEnabled() for b in (welcome.import_button, welcome.new_button))
    assert window.current_view() == "projects"


def test_the_sample_list_shows_the_table(window) -> None:
    assert not window.projects_page.welcoming
    assert window.table.isVisible() and not window.projects_page.welcome.isVisible()
    # Only the page on show limits how small the centre may get.
    assert window.stack.minimumSizeHint() == window.table.minimumSizeHint()


def test_new_project_puts_the_pane_aside_and_starts_a_draft(open_window, plan_db: Path) -> None:
    window = open_window(plan_db)
    window.editor_dock.hide()
    window.projects_page.welcome.new_button.click()
    editor = window.editor
    assert editor.is_draft and window.editor_dock.isVisible()
    assert not window.projects_page.welcoming and window.table.isVisible()
    editor.task.set_task_no(5)
    editor.task.task_chosen.emit(5)
    editor.name.setText("国际技术转移中心建设")
    editor.name.textEdited.emit("国际技术转移中心建设")
    editor.lead.units_changed.emit(("区科委",))
    editor.save_draft()
    store = window.ctx.store
    assert store.project_count() == 1
    assert window.table.model.rowCount() == 1
    # Undoing the only project brings the pane back … once the user no longer types projects.
    window.ctx.undo_stack.undo()
    assert store.project_count() == 0
    assert not window.projects_page.welcoming


def test_projects_arriving_replace_the_pane_and_leaving_bring_it_back(
    open_window, plan_db: Path, qtbot, prompts
) -> None:
    window = open_window(plan_db)
    page = window.projects_page
    prompts.answers.append(str(FIXTURES / "gov_return.xls"))
    page.welcome.import_button.click()
    qtbot.waitUntil(lambda: window.exchange_actions.dialog is not None)
    dialog = window.exchange_actions.dialog
    assert isinstance(dialog, ImportPreviewDialog) and dialog.model.rowCount() == 6
    assert page.welcoming  # nothing is written before the preview is applied
    with qtbot.waitSignal(dialog.applied, timeout=5000):
        dialog.apply()
    store = window.ctx.store
    imported = store.project_count()
    assert imported == 6 and store.years() == [2025] != [window.ctx.today.year]
    # The window turns to the year the list arrived in.
    assert not page.welcoming and window.data.year == 2025
    assert window.table.model.rowCount() == imported
    window.undo_action.trigger()  # the whole import, one step
    assert window.ctx.store.project_count() == 0
    assert page.welcoming


def test_open_sample_opens_its_own_file_and_leaves_the_office_list(
    open_window, plan_db: Path
) -> None:
    window = open_window(plan_db)
    window.projects_page.welcome.sample_button.click()
    store = window.ctx.store
    assert store.path == sample_db_path() != plan_db
    assert store.project_count() == 86 and window.table.model.rowCount() == 86
    assert not window.projects_page.welcoming
    assert "示例清单" in window.windowTitle()
    with Store.open(plan_db, readonly=True) as office:
        assert office.project_count() == 0
    # Back to the office's list (文件 → 最近打开): the pane again.
    assert window.file_actions.open_database(str(plan_db))
    assert window.projects_page.welcoming


def test_a_read_only_database_offers_only_the_sample(open_window, plan_db: Path) -> None:
    window = open_window(plan_db, readonly=True)
    welcome = window.projects_page.welcome
    assert window.projects_page.welcoming
    assert not welcome.import_button.isEnabled() and not welcome.new_button.isEnabled()
    assert welcome.sample_button.isEnabled()
    assert "只读" in welcome.summary.text()


def test_a_plain_start_never_begins_on_the_sample(tmp_path: Path, sample_db: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    assert start_path(None, settings) == default_db_path()
    settings.setValue("last_db", str(sample_db))
    assert start_path(None, settings) == sample_db
    sample_db_path().parent.mkdir(parents=True)
    sample_db_path().write_bytes(sample_db.read_bytes())
    settings.setValue("last_db", str(sample_db_path()))
    assert start_path(None, settings) == default_db_path()
    assert start_path(sample_db_path(), settings) == sample_db_path()  # asked for: opened
