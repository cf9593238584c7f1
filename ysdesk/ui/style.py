"""Look and feel: a CJK UI font where one is installed, status colours, the style sheet."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from ysdesk.bundled import bundled
from ysdesk.domain.model import OVERDUE_LABEL, Status

# First installed family wins: Windows, macOS, then the Linux families.
CJK_FONTS = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
)
UI_POINT_SIZE = 10

# Status is always shown by word; colour only adds to it.
STATUS_COLORS: dict[str, str] = {
    Status.DONE.value: "#1b7f3a",
    Status.IN_PROGRESS.value: "#1f5fbf",
    Status.NOT_STARTED.value: "#6b7280",
    Status.LAGGING.value: "#c62828",
    Status.PAUSED.value: "#9a6b00",
    OVERDUE_LABEL: "#c62828",
}
ERROR_COLOR = "#c62828"


def status_color(word: str) -> QColor:
    """The colour a status word is drawn in (grey for anything unknown)."""
    return QColor(STATUS_COLORS.get(word, "#6b7280"))


_BRUSHES: dict[str, QBrush] = {}


def status_brush(word: str) -> QBrush:
    """A cached brush of the status colour (item models are asked for it on every paint)."""
    brush = _BRUSHES.get(word)
    if brush is None:
        brush = _BRUSHES[word] = QBrush(status_color(word))
    return brush


def pick_cjk_family(available: list[str] | None = None) -> str | None:
    """The first CJK family of the fallback list that is installed, or None."""
    families = set(QFontDatabase.families() if available is None else available)
    return next((name for name in CJK_FONTS if name in families), None)


_ICONS: dict[str, QIcon] = {}


def icon(name: str) -> QIcon:
    """An icon from resources/icons (an empty icon when it cannot be read)."""
    if name not in _ICONS:
        pixmap = QPixmap()
        try:
            data = bundled("resources").joinpath("icons", f"{name}.svg").read_bytes()
        except OSError:
            data = b""
        result = QIcon()
        if data and pixmap.loadFromData(data, "SVG"):
            result = QIcon(pixmap)
        _ICONS[name] = result
    return _ICONS[name]


def apply_style(app: QApplication) -> str | None:
    """Set the UI font (a CJK family when one is installed) and the style sheet."""
    family = pick_cjk_family()
    font = QFont(app.font())
    if family is not None:
        font.setFamily(family)
        # Later families cover characters the first one lacks.
        font.setFamilies([family, *[f for f in CJK_FONTS if f != family]])
    font.setPointSize(UI_POINT_SIZE)
    app.setFont(font)
    try:
        sheet = bundled("resources").joinpath("style.qss").read_text("utf-8")
    except (FileNotFoundError, OSError):
        sheet = ""
    app.setStyleSheet(sheet)
    app.setWindowIcon(icon("app"))
    return family


def fit_size(widget: QWidget, width: int, height: int) -> None:
    """Resize a dialog to the size it wants, or less when the screen is smaller.

    The limit is 95 % of the larger of the screen's free area and the main window (offscreen
    the screen is a nominal 800 × 600): a 760-pixel dialog on a 768-pixel laptop screen
    would hide its buttons below the task bar.
    """
    room_w, room_h = 0, 0
    screen = widget.screen() or QApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        room_w, room_h = free.width(), free.height()
    parent = widget.parentWidget()
    if parent is not None:
        top = parent.window()
        room_w, room_h = max(room_w, top.width()), max(room_h, top.height())
    if room_w and room_h:
        width = min(width, room_w * 95 // 100)
        height = min(height, room_h * 95 // 100)
    widget.resize(width, height)
