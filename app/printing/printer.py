"""What the window needs of a receipt printer, wherever the receipt goes."""

from __future__ import annotations

from typing import Protocol

from app.services.receipts import Receipt


class ReceiptPrinter(Protocol):
    """Prints receipts: a Qt printer or PDF (``app.ui.printing``), or an ESC/POS printer.

    ``print_receipt`` blocks until the receipt was handed to the device: call it off the GUI
    thread. A printer that cannot print raises :class:`~app.printing.errors.PrinterError`.
    """

    @property
    def description(self) -> str:
        """Which printer this is, in words (for the settings and for error messages)."""
        ...

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt`` (a reprint says COPY n)."""
        ...
