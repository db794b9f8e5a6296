"""Painting a QTextDocument on a printer page by page, with a footer line on each page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtPrintSupport import QPrinter

from app.printing.errors import PrinterError

Footer = Callable[[int, int], str]  # (page, pages) -> text
MARGIN_MM = 15.0


def a4(printer: QPrinter) -> QPrinter:
    """Set ``printer`` to A4 portrait with the documents' margins."""
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    return printer


def pdf_printer(path: str) -> QPrinter:
    """A high-resolution printer that writes a PDF file at ``path``."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    return printer


def lay_out_for(doc: QTextDocument, printer: QPrinter, footer_font: QFont | None) -> float:
    """Lay ``doc`` out at the printer's resolution and page width; the footer's height."""
    doc.documentLayout().setPaintDevice(printer)
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    footer_height = 0.0
    if footer_font is not None:
        footer_height = footer_font.pointSizeF() * printer.resolution() / 72 * 2.2
    doc.setPageSize(QSizeF(page.width(), page.height() - footer_height))
    return footer_height


def _page_of(doc: QTextDocument, block: QTextBlock, bottom: bool) -> int:
    rect = doc.documentLayout().blockBoundingRect(block)
    first_line = block.layout().lineAt(0) if block.layout().lineCount() else None
    y = rect.top() + (first_line.height() if bottom and first_line is not None else 0)
    return int(y // doc.pageSize().height())


def keep_headings_with_next(doc: QTextDocument) -> None:
    """Move a heading that would end a page to the next one, with what it heads."""
    moved = False
    block = doc.begin()
    while block.isValid():
        following = block.next()
        if (
            block.blockFormat().headingLevel() > 0
            and following.isValid()
            and _page_of(doc, block, False) != _page_of(doc, following, True)
        ):
            fmt = block.blockFormat()
            fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            QTextCursor(block).setBlockFormat(fmt)
            moved = True
        block = following
    if moved:  # lay everything out again, not only from the change on
        doc.markContentsDirty(0, doc.characterCount())


def paint_pages(
    doc: QTextDocument,
    printer: QPrinter,
    footer: Footer | None = None,
    footer_font: QFont | None = None,
) -> int:
    """Paint ``doc`` on ``printer``, one page after another; returns the page count.

    The document is laid out against the printer (its resolution and page width), so point
    sizes print at their size on any device; the footer line sits under each page's body.
    """
    footer_height = lay_out_for(doc, printer, footer_font if footer else None)
    keep_headings_with_next(doc)
    body = doc.pageSize()
    pages = max(1, doc.pageCount())
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterError(
            "The printer {printer} could not start printing.",
            printer=printer.printerName() or printer.outputFileName(),
        )
    try:
        for page in range(pages):
            if page:
                printer.newPage()
            painter.save()
            painter.translate(0, -page * body.height())
            doc.drawContents(painter, QRectF(0, page * body.height(), body.width(), body.height()))
            painter.restore()
            if footer is not None and footer_font is not None:
                painter.setFont(footer_font)
                area = QRectF(0, body.height(), body.width(), footer_height)
                painter.drawText(
                    area,
                    int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                    footer(page + 1, pages),
                )
    finally:
        painter.end()
    return pages
