"""Questions and messages to the user, behind one object so tests can answer them.

Widgets never build QMessageBox directly; they ask `ctx.prompts`. Tests put a ScriptedPrompts
in the context that records what was asked and answers from a script.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)


class Prompts:
    """Modal message boxes parented to the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def confirm(self, title: str, text: str, ok: str = "确定") -> bool:
        """A yes/no question; True when the user accepts."""
        box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.NoButton, self.parent)
        yes = box.addButton(ok, QMessageBox.AcceptRole)
        box.addButton("取消", QMessageBox.RejectRole)
        box.setDefaultButton(yes)
        box.exec()
        return box.clickedButton() is yes

    def choose(self, title: str, text: str, choices: Sequence[tuple[str, str]]) -> str | None:
        """One of several (key, label) choices; None when the box is closed or 取消 is pressed."""
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.NoButton, self.parent)
        buttons: dict[QPushButton, str] = {}
        for key, label in choices:
            role = QMessageBox.RejectRole if key == "cancel" else QMessageBox.AcceptRole
            buttons[box.addButton(label, role)] = key
        box.exec()
        key = buttons.get(box.clickedButton())  # type: ignore[arg-type]
        return None if key == "cancel" else key

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def open_file(self, title: str, folder: str, filters: str) -> str | None:
        """A file to open, or None when the user cancels."""
        path, _ = QFileDialog.getOpenFileName(self.parent, title, folder, filters)
        return path or None

    def save_file(
        self, title: str, suggested: str, filters: str, default_suffix: str = ""
    ) -> str | None:
        """A file to write (the dialog confirms overwriting), or None when cancelled.

        `default_suffix` ("xlsx") is added by the dialog itself to a name typed without one,
        so its overwrite question is asked about the file that will really be written.
        """
        dialog = QFileDialog(self.parent, title, "", filters)
        dialog.setAcceptMode(QFileDialog.AcceptSave)
        dialog.setFileMode(QFileDialog.AnyFile)
        if default_suffix:
            dialog.setDefaultSuffix(default_suffix)
        dialog.selectFile(suggested)
        if dialog.exec() != QDialog.Accepted:
            return None
        files = dialog.selectedFiles()
        return files[0] if files and files[0] else None

    def choose_folder(self, title: str, folder: str) -> str | None:
        """A folder (e.g. for one workbook per unit), or None when cancelled."""
        path = QFileDialog.getExistingDirectory(self.parent, title, folder)
        return path or None

    def password(self, title: str, text: str) -> str | None:
        """A password, typed hidden; None when cancelled or left empty."""
        value, ok = QInputDialog.getText(self.parent, title, text, QLineEdit.Password)
        return value if ok and value else None


class ScriptedPrompts(Prompts):
    """Answers from a script and records every question (tests)."""

    def __init__(self, answers: Sequence[object] = ()) -> None:
        super().__init__(None)
        self.answers = list(answers)
        self.asked: list[tuple[str, str, str]] = []
        self.default_suffixes: list[str] = []  # one per save_file question

    def _answer(self, default: object) -> object:
        return self.answers.pop(0) if self.answers else default

    def confirm(self, title: str, text: str, ok: str = "确定") -> bool:
        self.asked.append(("confirm", title, text))
        return bool(self._answer(True))

    def choose(self, title: str, text: str, choices: Sequence[tuple[str, str]]) -> str | None:
        self.asked.append(("choose", title, text))
        answer = self._answer(None)
        return None if answer in (None, "cancel") else str(answer)

    def error(self, title: str, text: str) -> None:
        self.asked.append(("error", title, text))

    def info(self, title: str, text: str) -> None:
        self.asked.append(("info", title, text))

    def open_file(self, title: str, folder: str, filters: str) -> str | None:
        self.asked.append(("open_file", title, folder))
        answer = self._answer(None)
        return None if answer is None else str(answer)

    def save_file(
        self, title: str, suggested: str, filters: str, default_suffix: str = ""
    ) -> str | None:
        self.asked.append(("save_file", title, suggested))
        self.default_suffixes.append(default_suffix)
        answer = self._answer(None)
        if answer is None:
            return None
        # As the file dialog does: a name typed without a suffix gets the default one.
        path = str(answer)
        if default_suffix and not Path(path).suffix:
            path = f"{path}.{default_suffix}"
        return path

    def choose_folder(self, title: str, folder: str) -> str | None:
        self.asked.append(("choose_folder", title, folder))
        answer = self._answer(None)
        return None if answer is None else str(answer)

    def password(self, title: str, text: str) -> str | None:
        self.asked.append(("password", title, text))  # the answer itself is never recorded
        answer = self._answer(None)
        return None if answer is None else str(answer)


def save_path(
    prompts: Prompts, title: str, suggested: str, filters: str, suffix: str
) -> Path | None:
    """Ask where to save a file that must end in `.suffix`; None when cancelled.

    The dialog adds the suffix to a bare name itself. A name typed with another suffix
    ("清单.v2") gets it appended here, after the dialog: then the file really written may
    exist although the dialog never asked, so this asks before replacing it.
    """
    chosen = prompts.save_file(title, suggested, filters, default_suffix=suffix)
    if not chosen:
        return None
    target = Path(chosen)
    if target.suffix.lower() == f".{suffix.lower()}":
        return target
    target = target.with_name(f"{target.name}.{suffix}")
    if target.exists() and not prompts.confirm(
        title, f"“{target.name}”已存在，要替换它吗？", ok="替换"
    ):
        return None
    return target
