"""A receipt shown in a dialog as it will print (title, COPY n for a reprint, its lines).

Printing itself is the printing module's job: dialogs emit ``receipt_ready`` with the
:class:`~app.services.receipts.Receipt` and the window sends it to the chosen printer.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.services.receipts import Receipt
from app.ui.flows.base import local_time


def display_width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width font (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class ReceiptView(QPlainTextEdit):
    """Read-only text of one receipt."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptView")
        self.setReadOnly(True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setMinimumHeight(150)
        self.receipt: Receipt | None = None

    def show_receipt(self, receipt: Receipt | None) -> None:
        """Show ``receipt`` (None: empty)."""
        self.receipt = receipt
        if receipt is None:
            self.setPlainText("")
            return
        lines = [receipt.title]
        if receipt.is_copy:
            lines.append(self.tr("*** COPY {n} ***").format(n=receipt.copy_number))
        width = max((display_width(label) for label, _ in receipt.lines), default=0)
        lines += [
            f"{label}{' ' * (width - display_width(label))}  {value}"
            for label, value in receipt.lines
        ]
        lines.append(
            self.tr("Terminal {terminal}, {time}").format(
                terminal=receipt.terminal_id, time=local_time(receipt.at)
            )
        )
        self.setPlainText("\n".join(lines))
