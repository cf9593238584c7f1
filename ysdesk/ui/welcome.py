"""The welcome pane: in the project table's place while the office's list has no project.

A first start creates the database with the plan only; the pane offers the three ways to
begin: import the list the office keeps in Excel, type the first project, or look at the
sample list, which opens as a file of its own and never mixes into the office's list.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.services.changes import Changes
from ysdesk.services.workspace import open_sample, sample_db_path
from ysdesk.ui.context import AppContext

IMPORT_TEXT = "导入现有项目清单（Excel）…"
NEW_TEXT = "新建项目"
SAMPLE_TEXT = "打开示例清单"


class WelcomePane(QWidget):
    """Three buttons and what the database already holds (the plan, no projects)."""

    import_requested = Signal()
    new_requested = Signal()
    sample_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.title = QLabel("开始建立本办的年度项目清单")
        self.title.setObjectName("welcome_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.import_button = QPushButton(IMPORT_TEXT)
        self.import_button.setToolTip("读入本办现有的 Excel 项目清单：先预览，确认后写入")
        self.new_button = QPushButton(NEW_TEXT)
        self.new_button.setToolTip("在下方“项目详情”中填写第一个项目（Ctrl+N）")
        self.sample_button = QPushButton(SAMPLE_TEXT)
        self.sample_button.setToolTip(
            f"示例清单是单独的文件（{sample_db_path().name}），不会混入本办的清单"
        )
        self.import_button.setDefault(True)
        for button in (self.import_button, self.new_button, self.sample_button):
            button.setMinimumHeight(button.sizeHint().height() * 3 // 2)
        self.import_button.clicked.connect(self.import_requested)
        self.new_button.clicked.connect(self.new_requested)
        self.sample_button.clicked.connect(self.sample_requested)
        self.note = QLabel(
            "也可以随时从菜单开始：数据 → 导入部门报表…，编辑 → 新建项目；"
            "示例清单打开后，用 文件 → 最近打开 回到本办的清单。"
        )
        self.note.setWordWrap(True)
        self.note.setObjectName("welcome_note")

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(self.title)
        column.addWidget(self.summary)
        column.addSpacing(6)
        column.addLayout(buttons)
        column.addSpacing(6)
        column.addWidget(self.note)
        box = QWidget()
        box.setLayout(column)
        box.setMaximumWidth(760)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def describe(self, ctx: AppContext) -> None:
        """Say what the open database holds, and offer only what it allows."""
        store = ctx.store
        text = (
            f"数据库已载入《建设方案》的 {len(store.areas())} 个任务领域、"
            f"{len(store.tasks())} 项重点任务、{len(store.zones())} 个功能区、"
            f"{len(store.indicators())} 项目标指标和 {len(store.units())} 个单位，还没有项目。"
            "可以导入本办现有的 Excel 清单，逐个新建项目，或先打开示例清单看看"
            "（示例清单是单独的文件，不会混入本办的清单）。"
        )
        if ctx.readonly:
            text += "数据库以只读方式打开，不能导入或新建。"
        self.summary.setText(text)
        self.import_button.setEnabled(not ctx.readonly)
        self.new_button.setEnabled(not ctx.readonly)


class ProjectsPage(QStackedWidget):
    """The project table, or the welcome pane while the database holds no project at all."""

    filled = Signal()  # the first projects arrived: the pane gave way to the table

    def __init__(self, ctx: AppContext, table: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table = table
        self.welcome = WelcomePane()
        self.addWidget(self.table)
        self.addWidget(self.welcome)
        # 新建项目 starts a draft in the editor: the (empty) table is shown for it, until
        # another database is opened.
        self._dismissed = False
        self._empty = False
        self.currentChanged.connect(lambda _index: self.updateGeometry())
        ctx.changes.data_changed.connect(self._data_changed)
        ctx.changes.database_replaced.connect(self._database_replaced)
        self.refresh()

    @property
    def welcoming(self) -> bool:
        """Whether the welcome pane is in the table's place."""
        return self.currentWidget() is self.welcome

    def refresh(self) -> None:
        """Show the welcome pane if the database has no project (and it was not put aside)."""
        was_empty, self._empty = self._empty, self.ctx.store.project_count() == 0
        welcoming = self._empty and not self._dismissed
        if welcoming:
            self.welcome.describe(self.ctx)
        self.setCurrentWidget(self.welcome if welcoming else self.table)
        if was_empty and not self._empty:
            self.filled.emit()

    def dismiss(self) -> None:
        """Show the table in the pane's place (the user begins typing projects)."""
        self._dismissed = True
        self.setCurrentWidget(self.table)

    def _data_changed(self, change: Changes) -> None:
        if change.structure or change.everything:
            self.refresh()

    def _database_replaced(self, _store: object) -> None:
        self._dismissed = False
        self._empty = False  # another database: its projects are not "the first ones"
        self.refresh()

    def minimumSizeHint(self) -> QSize:
        # As the main window's view stack: only the page on show limits the centre.
        return self.currentWidget().minimumSizeHint()

    def sizeHint(self) -> QSize:
        return self.currentWidget().sizeHint()


def open_sample_list(window: Any) -> bool:
    """Open the sample list's own database in the window (made on first use)."""
    ctx = window.ctx
    path = sample_db_path()
    try:
        if not path.exists():
            open_sample(path).close()
    except UserError as exc:
        ctx.prompts.error(SAMPLE_TEXT, exc.message)
        return False
    if not window.file_actions.open_database(str(path)):
        return False
    window.statusBar().showMessage(
        f"已打开示例清单：{path}（单独的文件）；用 文件 → 最近打开 回到本办的清单。", 20000
    )
    return True


def _turn_to_a_filled_year(window: Any) -> None:
    """The first projects arrived for another year (an imported list): show that year."""
    years = window.ctx.store.years()
    if years and window.data.year not in years:
        window.data.set_year(years[-1])


def install(window: Any) -> None:
    """Wire the welcome pane's buttons to the import, the editor and the sample list."""
    page: ProjectsPage = window.projects_page
    welcome = page.welcome
    welcome.import_requested.connect(lambda: window.exchange_actions.import_file())

    def new_project() -> None:
        page.dismiss()
        window.project_actions.new_project()
        window.editor_dock.show()

    welcome.new_requested.connect(new_project)
    welcome.sample_requested.connect(lambda: open_sample_list(window))
    page.filled.connect(lambda: _turn_to_a_filled_year(window))
    if page.welcoming:
        # The pane's first button takes the keyboard, not the empty table behind it.
        welcome.import_button.setFocus(Qt.OtherFocusReason)


__all__ = ["ProjectsPage", "WelcomePane", "install", "open_sample_list"]
