"""The receipt printer chosen in the settings: a Qt printer, PDF files, or an ESC/POS printer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from app.printing.errors import PrinterError, PrinterSettingsError
from app.printing.escpos_receipt import ESCPOS_KINDS, escpos_printer_from_settings
from app.printing.printer import ReceiptPrinter
from app.printing.receipt_layout import DEFAULT_HEADING, receipt_layout
from app.services.receipts import Receipt
from app.ui.printing.receipt_doc import print_receipt_on, save_receipt_pdf

QT_KIND = "qt"
PDF_KIND = "pdf"
NO_PRINTER = "none"
KINDS = (NO_PRINTER, QT_KIND, PDF_KIND, *ESCPOS_KINDS)


class QtPrinter:
    """Receipts through Qt: to a system printer by name (the default one if none), or as PDFs.

    With ``pdf_directory`` every receipt becomes its own file there, ``receipt-000123.pdf`` or
    ``receipt-000123-copy-1.pdf`` for a reprint.
    """

    def __init__(
        self,
        timezone: tzinfo,
        printer_name: str | None = None,
        pdf_directory: Path | None = None,
        heading: str = DEFAULT_HEADING,
    ) -> None:
        self.timezone = timezone
        self.printer_name = printer_name
        self.pdf_directory = None if pdf_directory is None else Path(pdf_directory)
        self.heading = heading

    @property
    def description(self) -> str:
        """The printer's name, or the PDF folder."""
        if self.pdf_directory is not None:
            return QCoreApplication.translate("QtPrinter", "PDF files in {folder}").format(
                folder=self.pdf_directory
            )
        default = QCoreApplication.translate("QtPrinter", "the default printer")
        return self.printer_name or QPrinterInfo.defaultPrinterName() or default

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt``; :class:`PrinterError` if the printer does not exist or fails."""
        layout = receipt_layout(receipt, self.timezone, self.heading)
        if self.pdf_directory is not None:
            try:
                save_receipt_pdf(layout, self.pdf_directory / f"{layout.file_stem}.pdf")
            except OSError as exc:
                raise PrinterError(
                    "The receipt printer ({printer}) did not print: {reason}",
                    printer=self.description,
                    reason=str(exc),
                ) from exc
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.printer_name:
            printer.setPrinterName(self.printer_name)
        if not printer.isValid() or (
            self.printer_name and printer.printerName() != self.printer_name
        ):
            raise PrinterError(
                "The receipt printer ({printer}) did not print: {reason}",
                printer=self.description,
                reason=QCoreApplication.translate("QtPrinter", "not installed on this computer"),
            )
        printer.setDocName(layout.file_stem)
        print_receipt_on(layout, printer)

    def save_pdf(self, receipt: Receipt, path: Path) -> Path:
        """Write ``receipt`` to a PDF file at ``path`` whatever this printer is."""
        return save_receipt_pdf(receipt_layout(receipt, self.timezone, self.heading), path)


def printer_from_settings(
    settings: Mapping[str, object], timezone: tzinfo
) -> ReceiptPrinter | None:
    """The receipt printer the settings describe; None when receipts are not printed.

    ``settings["kind"]`` is one of :data:`KINDS`:

    - ``"none"`` (or no ``kind``): no receipt printer;
    - ``"qt"``: a system printer, ``"name"`` (empty or missing: the default printer);
    - ``"pdf"``: PDF files in ``"directory"``;
    - ``"escpos_network"`` / ``"escpos_usb"`` / ``"escpos_file"``: a thermal printer, see
      :func:`app.printing.escpos_receipt.escpos_printer_from_settings`.

    Times print in ``timezone`` (the counter's). A setting that cannot work raises
    :class:`PrinterSettingsError` (clerk-facing, with what to do).
    """
    kind = settings.get("kind", NO_PRINTER) or NO_PRINTER
    heading = settings.get("heading")
    if not isinstance(heading, str) or not heading.strip():
        heading = DEFAULT_HEADING
    if kind == NO_PRINTER:
        return None
    if kind == QT_KIND:
        name = settings.get("name")
        if name is not None and not isinstance(name, str):
            raise PrinterSettingsError(
                "The receipt printer setting {field} is missing or empty.", field="name"
            )
        return QtPrinter(
            timezone, printer_name=(name or "").strip() or None, heading=heading.strip()
        )
    if kind == PDF_KIND:
        directory = settings.get("directory")
        if not isinstance(directory, str) or not directory.strip():
            raise PrinterSettingsError(
                "The receipt printer setting {field} is missing or empty.", field="directory"
            )
        return QtPrinter(timezone, pdf_directory=Path(directory.strip()), heading=heading.strip())
    return escpos_printer_from_settings(settings, timezone)


def installed_printers() -> list[str]:
    """The names of the system printers (for the settings dialog's list)."""
    return [info.printerName() for info in QPrinterInfo.availablePrinters()]
