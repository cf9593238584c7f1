"""Questions and messages to the user, behind one object so tests can answer them.

Widgets never build QMessageBox directly; they ask `ctx.prompts`. Tests put a ScriptedPrompts
in the context that records what was asked and answers from a script.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget


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

    def save_file(self, title: str, suggested: str, filters: str) -> str | None:
        """A file to write (the dialog confirms overwriting), or None when cancelled."""
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filters)
        return path or None

    def choose_folder(self, title: str, folder: str) -> str | None:
        """A folder (e.g. for one workbook per unit), or None when cancelled."""
        path = QFileDialog.getExistingDirectory(self.parent, title, folder)
        return path or None


class ScriptedPrompts(Prompts):
    """Answers from a script and records every question (tests)."""

    def __init__(self, answers: Sequence[object] = ()) -> None:
        super().__init__(None)
        self.answers = list(answers)
        self.asked: list[tuple[str, str, str]] = []

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

    def save_file(self, title: str, suggested: str, filters: str) -> str | None:
        self.asked.append(("save_file", title, suggested))
        answer = self._answer(None)
        return None if answer is None else str(answer)

    def choose_folder(self, title: str, folder: str) -> str | None:
        self.asked.append(("choose_folder", title, folder))
        answer = self._answer(None)
        return None if answer is None else str(answer)
