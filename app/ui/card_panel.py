"""The card panel: who the card is, whether it can be served, and a big balance."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import Fen
from app.services.card_reading import CardStatus, CardView


class CardPanel(QWidget):
    """Shows a :class:`CardView`; cleared when the card leaves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._balance = QLabel()
        font = QFont()
        font.setPointSize(36)
        font.setBold(True)
        self._balance.setFont(font)
        self._balance.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._status = QLabel()
        self._status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._fields = {
            key: QLabel()
            for key in ("serial", "family", "city", "type", "validity", "holder", "holder_id")
        }
        form = QFormLayout()
        labels = {
            "serial": self.tr("Card number"),
            "family": self.tr("Card family"),
            "city": self.tr("City"),
            "type": self.tr("Card type"),
            "validity": self.tr("Valid"),
            "holder": self.tr("Holder"),
            "holder_id": self.tr("ID number"),
        }
        for key, label in labels.items():
            self._fields[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, self._fields[key])
        box = QGroupBox(self.tr("Card"))
        box.setLayout(form)
        self._recent = QTableWidget(0, 4)
        self._recent.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Kind"), self.tr("Amount"), self.tr("Terminal")]
        )
        self._recent.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._recent.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(self._balance)
        layout.addWidget(self._status)
        layout.addWidget(box)
        layout.addWidget(QLabel(self.tr("Recent transactions")))
        layout.addWidget(self._recent, 1)
        self.clear()

    def clear(self, message: str | None = None) -> None:
        """Empty the panel and say why."""
        self._balance.setText("—")
        self._status.setText(message or self.tr("Put a card on the reader"))
        self._status.setStyleSheet("")
        for label in self._fields.values():
            label.clear()
        self._recent.setRowCount(0)

    def show_reading(self) -> None:
        """Say the card is being read."""
        self._status.setText(self.tr("Reading the card… keep it on the reader"))

    def show_error(self, what: str, advice: str) -> None:
        """Show a card error in plain words with what to do."""
        self.clear(f"{what}\n{advice}")
        self._status.setStyleSheet("color: #b00020; font-weight: bold;")

    def show_card(self, view: CardView) -> None:
        """Fill the panel from a card read."""
        self._balance.setText(Fen(view.balance_fen).yuan_text())
        status_text = {
            CardStatus.OK: self.tr("Card OK"),
            CardStatus.BLOCKED: self.tr("BLOCKED — do not serve; check the loss report"),
            CardStatus.EXPIRED: self.tr("EXPIRED — offer an exchange"),
            CardStatus.NOT_YET_VALID: self.tr("Not yet valid"),
        }[view.status]
        self._status.setText(status_text)
        ok = view.status is CardStatus.OK
        self._status.setStyleSheet("" if ok else "color: #b00020; font-weight: bold;")
        self._fields["serial"].setText(view.serial_text)
        self._fields["family"].setText(view.family)
        self._fields["city"].setText(view.city)
        self._fields["type"].setText(f"{view.card_type:02X}")
        valid = f"{view.valid_from or '—'} … {view.valid_until or '—'}"
        self._fields["validity"].setText(valid)
        self._fields["holder"].setText(view.holder_name or self.tr("(anonymous)"))
        self._fields["holder_id"].setText(view.holder_id)
        self._recent.setRowCount(len(view.recent))
        for row, line in enumerate(view.recent):
            when = line.when.strftime("%Y-%m-%d %H:%M:%S") if line.when else ""
            cells = (when, line.kind, Fen(line.amount_fen).yuan_text(), line.terminal_id_text)
            for col, text in enumerate(cells):
                self._recent.setItem(row, col, QTableWidgetItem(text))

    def balance_text(self) -> str:
        """The balance as displayed (for tests and accessibility)."""
        return self._balance.text()

    def status_text(self) -> str:
        """The status line as displayed."""
        return self._status.text()
