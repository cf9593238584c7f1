"""Dialog sizes follow the room the screen and the main window leave."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDialog, QWidget

from ysdesk.ui.style import fit_size


class _Screen:
    def __init__(self, width: int, height: int) -> None:
        self._rect = QRect(0, 0, width, height)

    def availableGeometry(self) -> QRect:  # as QScreen's
        return self._rect


def test_a_dialog_never_outgrows_a_laptop_screen(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(1300, 700)
    dialog = QDialog(parent)
    dialog.screen = lambda: _Screen(1366, 728)  # type: ignore[method-assign]
    fit_size(dialog, 1280, 760)
    assert (dialog.width(), dialog.height()) == (1280, 728 * 95 // 100)
    # On a large screen the dialog gets what it asks for.
    dialog.screen = lambda: _Screen(2560, 1400)  # type: ignore[method-assign]
    fit_size(dialog, 1280, 760)
    assert (dialog.width(), dialog.height()) == (1280, 760)
