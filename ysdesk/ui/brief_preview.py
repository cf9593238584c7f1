"""PDF preview of a brief (QtPdf) with a print button; pages are printed as rendered images."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPageLayout, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.ui.style import fit_size

PRINT_DPI = 300


class BriefPreview(QDialog):
    """Shows every page of a PDF at page width; 打印… sends it to a printer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("简报预览")
        fit_size(self, 900, 1000)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.info = QLabel()
        self.print_button = QPushButton("打印…")
        self.print_button.clicked.connect(self.print_with_dialog)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        self.path: Path | None = None

    def load(self, path: Path) -> None:
        """Open a PDF; a file QtPdf cannot read is a plain refusal."""
        error = self.document.load(str(path))
        if error != QPdfDocument.Error.None_:
            raise UserError(f"无法打开 PDF 预览：{Path(path).name}。")
        self.path = Path(path)
        self.setWindowTitle(f"简报预览 — {self.path.name}")
        self.info.setText(f"共 {self.document.pageCount()} 页 · {self.path}")

    def print_with_dialog(self) -> None:
        """Ask for a printer, then print every page."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印简报")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Render each page at print resolution onto `printer`; returns the pages printed."""
        count = self.document.pageCount()
        if count <= 0:
            return 0
        printer.setDocName(self.path.stem if self.path else "简报")
        printer.setFullPage(True)
        painter = QPainter()
        printed = 0
        for page in range(count):
            size_pt = self.document.pagePointSize(page)
            landscape = size_pt.width() > size_pt.height()
            # The 附件 pages are landscape: turn the paper before starting the page.
            printer.setPageOrientation(
                QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
            )
            if page == 0:
                if not painter.begin(printer):
                    raise UserError("无法开始打印：打印机不可用。")
            elif not printer.newPage():
                break
            image = self.document.render(
                page,
                QSize(
                    round(size_pt.width() * PRINT_DPI / 72),
                    round(size_pt.height() * PRINT_DPI / 72),
                ),
            )
            target = painter.viewport()
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            rect = QRect(
                target.x() + (target.width() - scaled.width()) // 2,
                target.y() + (target.height() - scaled.height()) // 2,
                scaled.width(),
                scaled.height(),
            )
            painter.drawImage(rect, image)
            printed += 1
        painter.end()
        return printed
