"""Receipts from the window: to the printer chosen in the settings, or to PDF files.

The top-up dialog asks for a receipt by its journal seq (:meth:`ReceiptPrinting.print_seq`), the
flow dialogs hand over a :class:`~app.services.receipts.Receipt` (a reprint's says COPY n:
:meth:`ReceiptPrinting.print_receipt`). Either way the receipt is rebuilt or printed on the task
runner's pool, never on the GUI thread, one receipt at a time (two jobs must not interleave on a
thermal printer). A printer that fails is said through the runner's error presenter: a
:class:`~app.printing.errors.PrinterError` is clerk-facing (what happened, what to do).

Decisions the spec leaves open:

- *No receipt printer set* (a new counter, or ``"kind": "none"``): every receipt is saved as a
  PDF slip in ``<data dir>/receipts/`` (``receipt-000123.pdf``, ``receipt-000123-copy-1.pdf``), so
  no receipt is ever lost and the clerk can print it from there. The first time in a run the
  clerk is told so in a message box (where the folder is, that an admin chooses a printer in
  the settings); after that a line in the status bar names each file.
- *A printer setting that cannot work* (:class:`~app.printing.errors.PrinterSettingsError`):
  the receipt is saved as a PDF in the same folder and the clerk is shown the setting's problem
  through the error presenter, with where the receipt went.
- A receipt that did print is named in the status bar (which printer, or which PDF file).

:meth:`ReceiptPrinting.update` swaps the printer when the settings are saved: the next receipt
goes to the new one (a receipt being printed finishes on the old one).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from app.domain.clock import COUNTER_TIMEZONE
from app.printing.errors import PrinterSettingsError
from app.printing.printer import ReceiptPrinter
from app.printing.receipt_layout import DEFAULT_HEADING, receipt_layout, with_display_names
from app.services.errors import RefusedError
from app.services.progress import CancelToken, Progress
from app.services.receipts import Receipt, receipt_for
from app.settings import Settings
from app.store import operators as accounts
from app.ui.context import UiContext
from app.ui.messages import describe
from app.ui.printing.printers import QtPrinter, printer_from_settings

log = logging.getLogger(__name__)

RECEIPTS_FOLDER = "receipts"
STATUS_MS = 15_000  # how long the status bar names the last receipt


@dataclass(frozen=True)
class PrintedReceipt:
    """Where one receipt went: a printer (its description), a PDF file, or both.

    ``fallback`` is set when the receipt was saved as a PDF because no printer is set up
    (None) or because the printer setting cannot work (the problem).
    """

    receipt: Receipt
    printer: str | None
    path: Path | None
    fallback: bool = False
    setting_problem: PrinterSettingsError | None = None


class ReceiptPrinting(QObject):
    """Prints receipts on the pool to the settings' printer (PDF files when there is none)."""

    printed = Signal(object)  # PrintedReceipt, on the GUI thread, after each receipt

    def __init__(
        self,
        ctx: UiContext,
        printer_settings: Mapping[str, object],
        data_dir: Path,
        *,
        parent: QWidget | None = None,
        timezone: tzinfo = COUNTER_TIMEZONE,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.folder = Path(data_dir) / RECEIPTS_FOLDER
        self.timezone = timezone
        self._parent = parent
        self._lock = threading.Lock()  # one receipt at a time on any printer
        self._printer: ReceiptPrinter | None = None
        self._fallback = QtPrinter(timezone, pdf_directory=self.folder)
        self._problem: PrinterSettingsError | None = None
        self._told_about_folder = False
        self.results: list[PrintedReceipt] = []  # what came out, in order (tests, a11y)
        self.last_note = ""  # what the clerk was last told about a receipt
        self.notice: QMessageBox | None = None
        self.set_printer(printer_settings)

    # -- the printer -----------------------------------------------------------------------------

    @property
    def printer(self) -> ReceiptPrinter | None:
        """The printer receipts go to; None: PDF files in :attr:`folder`."""
        return self._printer

    @property
    def setting_problem(self) -> PrinterSettingsError | None:
        """Why the printer setting cannot be used (None when it can, or when there is none)."""
        return self._problem

    def update(self, settings: Settings) -> None:
        """The settings were saved: use their printer from the next receipt on."""
        self.set_printer(settings.printer)

    def set_printer(self, printer_settings: Mapping[str, object]) -> None:
        """Use the printer these settings describe (see :func:`printer_from_settings`)."""
        heading = printer_settings.get("heading")
        if not isinstance(heading, str) or not heading.strip():
            heading = DEFAULT_HEADING
        fallback = QtPrinter(self.timezone, pdf_directory=self.folder, heading=heading.strip())
        try:
            printer = printer_from_settings(printer_settings, self.timezone)
            problem = None
        except PrinterSettingsError as exc:
            log.warning(
                "receipt printer setting unusable (%s): receipts go to %s", exc, self.folder
            )
            printer, problem = None, exc
        # one assignment each: a job on the pool reads them once (see _print_now)
        self._fallback, self._printer, self._problem = fallback, printer, problem

    # -- printing --------------------------------------------------------------------------------

    def print_seq(self, seq: int) -> None:
        """Print the receipt of journal record ``seq`` (the top-up dialog's hook)."""
        journal = self.ctx.counter.journal

        def work(_token: CancelToken, _progress: Progress) -> PrintedReceipt:
            record = journal.record(seq)
            if record is None:
                raise RefusedError("There is no record {seq} in the journal.", seq=seq)
            return self._print_now(receipt_for(journal, record))

        self._run(work)

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt`` as it is (a reprint's copy number prints as COPY n)."""

        def work(_token: CancelToken, _progress: Progress) -> PrintedReceipt:
            return self._print_now(receipt)

        self._run(work)

    def _run(self, work: Callable[[CancelToken, Progress], PrintedReceipt]) -> None:
        self.ctx.runner.run(work, self._printed, label=self.tr("Printing the receipt"))

    def _name_of(self, username: str) -> str | None:
        account = accounts.get(self.ctx.counter.store, username)
        return None if account is None else account.display_name

    def _print_now(self, receipt: Receipt) -> PrintedReceipt:
        """Print or save ``receipt`` (pool thread); PrinterError when the printer fails."""
        receipt = with_display_names(receipt, self._name_of)
        printer, fallback, problem = self._printer, self._fallback, self._problem
        file_name = f"{receipt_layout(receipt, self.timezone).file_stem}.pdf"
        with self._lock:
            if printer is None:
                fallback.print_receipt(receipt)
                return PrintedReceipt(receipt, None, self.folder / file_name, True, problem)
            printer.print_receipt(receipt)
        folder = printer.pdf_directory if isinstance(printer, QtPrinter) else None
        path = None if folder is None else folder / file_name
        return PrintedReceipt(receipt, printer.description, path)

    # -- telling the clerk -----------------------------------------------------------------------

    def _printed(self, result: PrintedReceipt) -> None:
        self.results.append(result)
        seq = result.receipt.journal_seq
        if result.setting_problem is not None:
            what, advice, _internal = describe(result.setting_problem)
            saved = self.tr("Receipt No. {0} was saved as a PDF file instead: {1}").format(
                seq, result.path
            )
            self.last_note = saved
            self.ctx.runner.errors.show_text(what, f"{saved}\n{advice}".strip())
        elif result.fallback:
            self.last_note = self.tr("Receipt No. {0} saved as {1}").format(seq, result.path)
            if not self._told_about_folder:
                self._told_about_folder = True
                self._tell_folder(seq)
        elif result.path is not None:
            self.last_note = self.tr("Receipt No. {0} saved as {1}").format(seq, result.path)
        else:
            self.last_note = self.tr("Receipt No. {0} printed on {1}").format(seq, result.printer)
        if isinstance(self._parent, QMainWindow):
            self._parent.statusBar().showMessage(self.last_note, STATUS_MS)
        self.printed.emit(result)

    def _tell_folder(self, seq: int) -> None:
        """The first receipt without a printer: say where receipts go (does not block)."""
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Receipts"),
            self.tr(
                "No receipt printer is set up: receipt No. {0} was saved as a PDF file in {1}"
            ).format(seq, self.folder),
            QMessageBox.StandardButton.Ok,
            self._parent,
        )
        box.setObjectName("receiptFolderNotice")
        box.setInformativeText(
            self.tr(
                "Print it from that folder. Every receipt is saved there until an admin "
                "chooses a receipt printer in Counter → Settings."
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._notice_gone)
        self.notice = box
        box.open()

    def _notice_gone(self) -> None:
        self.notice = None
