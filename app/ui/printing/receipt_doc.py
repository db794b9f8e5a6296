"""The receipt template laid out with QTextDocument: to any Qt printer, or to a PDF slip.

The lines come from :func:`app.printing.receipt_layout.receipt_layout` (the same as the thermal
printer's); here they only get fonts and alignment. A PDF receipt is a slip 80 mm wide, as long
as its text.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from app.printing.receipt_layout import ReceiptLayout
from app.ui.printing.fonts import document_font
from app.ui.printing.paging import paint_pages, pdf_printer

SLIP_WIDTH_MM = 80.0
SLIP_MARGIN_MM = 4.0
BODY_PT = 9.0


def _mark(text: str) -> str:
    return (
        '<table width="100%" border="1" cellspacing="0" cellpadding="2">'
        f'<tr><td align="center" style="font-size:14pt; font-weight:bold">{escape(text)}</td>'
        "</tr></table>"
    )


def receipt_html(layout: ReceiptLayout) -> str:
    """The receipt as the HTML subset QTextDocument renders."""
    rows = "".join(
        f'<tr><td>{escape(label)}</td><td align="right">{escape(value)}</td></tr>'
        for label, value in layout.rows
    )
    copy = _mark(layout.copy_mark) if layout.copy_mark else ""
    return (
        f'<p align="center" style="font-weight:bold">{escape(layout.heading)}</p>'
        f'<p align="center" style="font-size:13pt; font-weight:bold">{escape(layout.title)}</p>'
        f"{copy}<hr/>"
        f'<table width="100%" cellspacing="0" cellpadding="1">{rows}</table><hr/>'
        f'<p align="center">{escape(layout.footer)}</p>{copy}'
    )


def receipt_document(layout: ReceiptLayout) -> QTextDocument:
    """The receipt as a document in the Chinese-capable font."""
    doc = QTextDocument()
    doc.setDefaultFont(document_font(BODY_PT))
    doc.setDocumentMargin(0)
    doc.setHtml(receipt_html(layout))
    return doc


def print_receipt_on(layout: ReceiptLayout, printer: QPrinter) -> int:
    """Print the receipt on ``printer`` as it is set up (page size from its driver); pages."""
    return paint_pages(receipt_document(layout), printer)


def _slip_layout(height_mm: float) -> QPageLayout:
    size = QPageSize(
        QSizeF(SLIP_WIDTH_MM, height_mm),
        QPageSize.Unit.Millimeter,
        "Receipt",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )
    margins = QMarginsF(SLIP_MARGIN_MM, SLIP_MARGIN_MM, SLIP_MARGIN_MM, SLIP_MARGIN_MM)
    return QPageLayout(size, QPageLayout.Orientation.Portrait, margins, QPageLayout.Unit.Millimeter)


def save_receipt_pdf(layout: ReceiptLayout, path: Path) -> Path:
    """Write the receipt as a one-page PDF slip 80 mm wide; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    printer = pdf_printer(str(path))
    printer.setPageLayout(_slip_layout(297.0))
    doc = receipt_document(layout)
    doc.documentLayout().setPaintDevice(printer)
    doc.setTextWidth(printer.pageRect(QPrinter.Unit.DevicePixel).width())
    height_mm = doc.size().height() / printer.resolution() * 25.4
    printer.setPageLayout(_slip_layout(height_mm + 2 * SLIP_MARGIN_MM + 2))
    paint_pages(doc, printer)
    return path
