"""Small pieces the counter's windows use: an amount field, a message line, money text.

(Flow dialogs get their message line, busy handling and Enter/Esc keys from
:class:`app.ui.flows.base.FlowDialog`; :class:`MessageLine` is for windows that exist before
the counter does: unlocking and the first-run wizard.)
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.domain.money import Fen

ERROR_STYLE = "color: #b00020; font-weight: bold;"
OK_STYLE = "color: #1b5e20;"
AMOUNT_PATTERN = r"\d{0,7}([.]\d{0,2})?"


def yuan(fen: int) -> str:
    """Money for people to read: ``¥1,234.50``."""
    return Fen(fen).yuan_text()


def big_font(point_size: int, bold: bool = True) -> QFont:
    """A larger font for balances and amounts."""
    font = QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


class AmountEdit(QLineEdit):
    """An amount in yuan with at most two decimals; read it back in fen, never as a float."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(AMOUNT_PATTERN), self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setPlaceholderText("0.00")

    def fen(self) -> int | None:
        """The amount typed, in fen; None when the field is empty or not an amount."""
        try:
            return Fen.parse_yuan(self.text()).value
        except ValueError:
            return None

    def set_fen(self, fen: int) -> None:
        """Show ``fen`` as yuan (``50`` or ``50.50``)."""
        whole, cents = divmod(fen, 100)
        self.setText(f"{whole}" if not cents else f"{whole}.{cents:02d}")


class MessageLine(QLabel):
    """One line (or two) telling the clerk what happened and what to do, in the dialog itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("messageLine")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_error(self, what: str, advice: str = "") -> None:
        """A refusal or failure, and what to do next."""
        self.setText(f"{what}\n{advice}" if advice else what)
        self.setStyleSheet(ERROR_STYLE)

    def show_info(self, text: str) -> None:
        """A neutral note."""
        self.setText(text)
        self.setStyleSheet("")

    def show_ok(self, text: str) -> None:
        """A positive note (a check passed)."""
        self.setText(text)
        self.setStyleSheet(OK_STYLE)

    def is_error(self) -> bool:
        """Whether the line shows an error now."""
        return self.styleSheet() == ERROR_STYLE
