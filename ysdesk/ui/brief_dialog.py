"""报告 → 生成工作简报…: the settings of an issue, generation in a worker, then the PDF preview.

The dialog reads suggestions (next issue number, remembered lists) from the brief service,
words the brief on the main thread, writes docx/PDF in a worker via `window.run_task`, and
records the issue in the database on the main thread when the files are written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.services.brief import (
    BriefBuild,
    BriefOutput,
    BriefSettings,
    build_brief,
    default_next_steps_for,
    default_title,
    pdf_available,
    record_brief,
    suggest_settings,
    write_brief,
)
from ysdesk.ui.prompts import save_path

ACTION_TEXT = "生成工作简报(&B)…"
FOLDER_KEY = "brief/folder"
NO_LIBREOFFICE = "未找到 LibreOffice：只生成 Word 文件，不能生成 PDF 和预览。"


def install(window: Any) -> None:
    """Add 报告 → 生成工作简报… to the main window."""
    action = window.menu("report").addAction(ACTION_TEXT)
    action.setObjectName("generate_brief")

    def open_dialog() -> None:
        old = getattr(window, "brief_dialog", None)
        if old is not None and old.isVisible():
            old.raise_()
            old.activateWindow()
            return
        if old is not None and old.generate_button.isEnabled():
            old.deleteLater()  # idle and closed: suggestions are made afresh
        dialog = BriefDialog(window)
        window.brief_dialog = dialog  # kept for tests and so it is not collected
        dialog.show()

    action.triggered.connect(open_dialog)


class BriefDialog(QDialog):
    """Settings of one issue (remembered in the database) and the 生成 button."""

    generated = Signal(object)  # BriefOutput, after the files are written and recorded

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.preview: QWidget | None = None
        self.last_output: BriefOutput | None = None
        self._default_steps = ""
        self.setWindowTitle("生成工作简报")
        self.setMinimumWidth(640)

        self.year = QComboBox()
        self.masthead = QLineEdit()
        self.issue = QSpinBox()
        self.issue.setRange(1, 9999)
        self.total_issue = QSpinBox()
        self.total_issue.setRange(0, 99999)
        self.total_issue.setSpecialValueText("不标注")
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy年M月d日")
        self.editor = QLineEdit()
        self.title = QPlainTextEdit()
        self.title.setFixedHeight(56)
        self.report_to = QLineEdit()
        self.send_to = QLineEdit()
        self.distribute_to = QLineEdit()
        self.copies = QSpinBox()
        self.copies.setRange(0, 99999)
        self.copies.setSpecialValueText("不标注")
        self.next_steps = QPlainTextEdit()
        self.next_steps.setMinimumHeight(120)
        self.reset_steps = QPushButton("恢复默认")
        self.reset_steps.clicked.connect(self._reset_next_steps)
        self.path = QLineEdit()
        self.browse_button = browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        self.want_pdf = QCheckBox("同时生成 PDF 并预览")
        self.status = QLabel()
        self.status.setWordWrap(True)

        numbers = QHBoxLayout()
        numbers.addWidget(QLabel("第"))
        numbers.addWidget(self.issue)
        numbers.addWidget(QLabel("期　总第"))
        numbers.addWidget(self.total_issue)
        numbers.addWidget(QLabel("期"))
        numbers.addStretch(1)
        steps_row = QVBoxLayout()
        steps_row.addWidget(self.next_steps)
        steps_row.addWidget(self.reset_steps, 0, Qt.AlignRight)  # a button, not a bar
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("清单年度", self.year)
        form.addRow("简报名称", self.masthead)
        form.addRow("期号", numbers)
        form.addRow("印发日期", self.date)
        form.addRow("编印单位", self.editor)
        form.addRow("标题", self.title)
        form.addRow("报：", self.report_to)
        form.addRow("送：", self.send_to)
        form.addRow("发：", self.distribute_to)
        form.addRow("共印份数", self.copies)
        form.addRow("下一步工作", steps_row)
        form.addRow("保存为", path_row)
        form.addRow("", self.want_pdf)

        self.buttons = QDialogButtonBox()
        self.generate_button = self.buttons.addButton("生成", QDialogButtonBox.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.RejectRole)
        self.generate_button.clicked.connect(self.generate)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self._fill()
        self.year.currentIndexChanged.connect(self._year_changed)
        self.issue.valueChanged.connect(self._issue_changed)

    # ------------------------------------------------------------------ filling
    def _fill(self) -> None:
        store = self.ctx.store
        years = store.years() or [self.ctx.today.year]
        for year in years:
            self.year.addItem(f"{year}年", year)
        self.year.setCurrentIndex(len(years) - 1)
        self.show_settings(suggest_settings(store, self.ctx.today))
        if pdf_available():
            self.want_pdf.setChecked(True)
        else:
            self.want_pdf.setChecked(False)
            self.want_pdf.setEnabled(False)
            self.status.setText(NO_LIBREOFFICE)

    def show_settings(self, settings: BriefSettings) -> None:
        """Put suggested or remembered settings into the fields."""
        self.masthead.setText(settings.masthead)
        self.issue.setValue(settings.issue_no)
        self.total_issue.setValue(settings.total_issue_no or 0)
        self.date.setDate(QDate(settings.date.year, settings.date.month, settings.date.day))
        self.editor.setText(settings.editor)
        self.report_to.setText(settings.report_to)
        self.send_to.setText(settings.send_to)
        self.distribute_to.setText(settings.distribute_to)
        self.copies.setValue(settings.copies or 0)
        self.title.setPlainText(settings.title or default_title(self.selected_year()))
        self._default_steps = default_next_steps_for(
            self.ctx.store, self.selected_year(), self.ctx.today
        )
        self.next_steps.setPlainText(settings.next_steps or self._default_steps)
        self._suggest_path()

    def selected_year(self) -> int:
        return int(self.year.currentData() or self.ctx.today.year)

    def _year_changed(self) -> None:
        year = self.selected_year()
        if self.title.toPlainText().strip() in {default_title(y) for y in self.ctx.store.years()}:
            self.title.setPlainText(default_title(year))
        if self.next_steps.toPlainText().strip() == self._default_steps.strip():
            self._default_steps = default_next_steps_for(self.ctx.store, year, self.ctx.today)
            self.next_steps.setPlainText(self._default_steps)
        else:
            self._default_steps = default_next_steps_for(self.ctx.store, year, self.ctx.today)

    def _reset_next_steps(self) -> None:
        self.next_steps.setPlainText(self._default_steps)

    def _folder(self) -> Path:
        saved = self.ctx.settings.value(FOLDER_KEY, "")
        if saved and Path(str(saved)).is_dir():
            return Path(str(saved))
        documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
        return Path(documents) if documents and Path(documents).is_dir() else Path.home()

    def _suggest_path(self) -> None:
        name = f"工作简报第{self.issue.value()}期.docx"
        self.path.setText(str(self._folder() / name))

    def _issue_changed(self) -> None:
        # Follow the issue number only while the file name is still the suggested one.
        if Path(self.path.text()).name.startswith("工作简报第"):
            folder = Path(self.path.text()).parent
            self.path.setText(str(folder / f"工作简报第{self.issue.value()}期.docx"))

    def _browse(self) -> None:
        chosen = save_path(
            self.ctx.prompts, "保存简报", self.path.text(), "Word 文档 (*.docx)", "docx"
        )
        if chosen is not None:
            self.path.setText(str(chosen))

    # ------------------------------------------------------------------ generating
    def settings(self) -> BriefSettings:
        """The settings as entered; unchanged default texts are stored as "use the default"."""
        qdate = self.date.date()
        title = self.title.toPlainText().strip()
        steps = self.next_steps.toPlainText().strip()
        return BriefSettings(
            issue_no=self.issue.value(),
            total_issue_no=self.total_issue.value() or None,
            date=date(qdate.year(), qdate.month(), qdate.day()),
            masthead=self.masthead.text().strip(),
            editor=self.editor.text().strip(),
            report_to=self.report_to.text().strip(),
            send_to=self.send_to.text().strip(),
            distribute_to=self.distribute_to.text().strip(),
            copies=self.copies.value() or None,
            title="" if title == default_title(self.selected_year()) else title,
            next_steps="" if steps == self._default_steps.strip() else steps,
        )

    def generate(self) -> None:
        """Word the brief here, write it in a worker, record it when the files exist."""
        path = Path(self.path.text().strip()).expanduser()
        want_pdf = self.want_pdf.isChecked() and self.want_pdf.isEnabled()
        try:
            if not self.path.text().strip():
                raise UserError("请选择简报的保存位置。")
            build = build_brief(
                self.ctx.store, self.selected_year(), self.settings(), self.ctx.today
            )
        except UserError as exc:
            self.status.setText(exc.message)
            self.ctx.prompts.error("生成工作简报", exc.message)
            return
        self.generate_button.setEnabled(False)
        self.status.setText("正在生成……")

        def work(progress: Any) -> BriefOutput:
            return write_brief(build, path, pdf=want_pdf, progress=progress)

        def failed(exc: BaseException) -> None:
            self.generate_button.setEnabled(True)
            message = exc.message if isinstance(exc, UserError) else f"生成失败：{exc}"
            self.status.setText(message)
            self.ctx.prompts.error("生成工作简报", message)

        self.window_.run_task("生成工作简报", work, lambda out: self._written(build, out), failed)

    def _written(self, build: BriefBuild, output: BriefOutput) -> None:
        self.generate_button.setEnabled(True)
        self.last_output = output
        self.ctx.settings.setValue(FOLDER_KEY, str(output.docx.parent))
        lines = [f"已生成：{output.docx}"]
        if self.ctx.readonly:
            lines.append("数据库以只读方式打开，本期设置未记录。")
        else:
            record_brief(self.ctx.store, build, output.docx)
        if output.pdf is not None:
            lines.append(f"PDF：{output.pdf}")
        elif output.pdf_message:
            lines.append(output.pdf_message)
            self.ctx.prompts.info("生成工作简报", output.pdf_message)
        self.status.setText("\n".join(lines))
        self.generated.emit(output)
        if output.pdf is not None:
            self.show_preview(output.pdf)

    def show_preview(self, pdf: Path) -> None:
        """Open the PDF preview (QtPdf is loaded only when a preview is shown)."""
        from ysdesk.ui.brief_preview import BriefPreview

        preview = BriefPreview(self)
        try:
            preview.load(pdf)
        except UserError as exc:
            self.ctx.prompts.error("简报预览", exc.message)
            return
        self.preview = preview
        preview.show()
