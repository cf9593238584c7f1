"""The prompts object: the real save dialog is set up to add the suffix itself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog

from ysdesk.ui.prompts import Prompts, ScriptedPrompts, save_path


def test_save_file_sets_the_dialogs_default_suffix(qtbot, monkeypatch, tmp_path: Path) -> None:
    seen: list[QFileDialog] = []

    def accept(dialog: QFileDialog) -> int:
        seen.append(dialog)
        dialog.selectFile(str(tmp_path / "清单.xlsx"))
        return QDialog.Accepted

    monkeypatch.setattr(QFileDialog, "exec", accept)
    chosen = Prompts().save_file(
        "导出", str(tmp_path / "2025年项目清单.xlsx"), "Excel (*.xlsx)", default_suffix="xlsx"
    )
    (dialog,) = seen
    assert dialog.defaultSuffix() == "xlsx"
    assert dialog.acceptMode() == QFileDialog.AcceptSave
    # Overwriting is confirmed by the dialog (the option that would skip it is off).
    assert not dialog.testOption(QFileDialog.DontConfirmOverwrite)
    assert chosen == str(tmp_path / "清单.xlsx")


def test_a_cancelled_save_dialog_gives_none(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "exec", lambda dialog: QDialog.Rejected)
    assert Prompts().save_file("导出", "x.xlsx", "Excel (*.xlsx)", default_suffix="xlsx") is None


def test_save_path_keeps_the_right_suffix_and_asks_before_adding_one(tmp_path: Path) -> None:
    prompts = ScriptedPrompts([str(tmp_path / "a.XLSX"), str(tmp_path / "b")])
    assert save_path(prompts, "导出", "", "", "xlsx") == tmp_path / "a.XLSX"
    assert save_path(prompts, "导出", "", "", "xlsx") == tmp_path / "b.xlsx"
    assert [kind for kind, *_ in prompts.asked] == ["save_file", "save_file"]
    (tmp_path / "c.txt.xlsx").write_bytes(b"")
    prompts.answers.extend([str(tmp_path / "c.txt"), False])
    assert save_path(prompts, "导出", "", "", "xlsx") is None
    assert prompts.asked[-1][0] == "confirm"
