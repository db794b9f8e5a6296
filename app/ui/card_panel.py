"""The card panel: who the card is, whether it can be served, a big balance, its transactions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.clock import format_card_time
from app.services.card_reading import CardStatus, CardView, RecentTransaction
from app.ui.forms import ERROR_STYLE, big_font, yuan

_KINDS = {
    "load": QT_TRANSLATE_NOOP("CardPanel", "Top-up"),
    "purchase": QT_TRANSLATE_NOOP("CardPanel", "Purchase"),
    "compound purchase": QT_TRANSLATE_NOOP("CardPanel", "Compound purchase"),
}
_FAMILIES = {
    "CU": QT_TRANSLATE_NOOP("CardPanel", "City Union (CU)"),
    "TU": QT_TRANSLATE_NOOP("CardPanel", "T-Union (TU)"),
}


class RecentTransactionsModel(QAbstractTableModel):
    """The card's last transactions (newest first) as a read-only table model."""

    COLUMNS = 4

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[RecentTransaction, ...] = ()

    def set_rows(self, rows: tuple[RecentTransaction, ...]) -> None:
        """Show ``rows`` (replacing what was shown)."""
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802 - Qt's name
        """Rows: one per transaction."""
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802 - Qt's name
        """Columns: time, kind, amount, terminal."""
        return 0 if parent is not None and parent.isValid() else self.COLUMNS

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            QCoreApplication.translate("CardPanel", "Time"),
            QCoreApplication.translate("CardPanel", "Kind"),
            QCoreApplication.translate("CardPanel", "Amount"),
            QCoreApplication.translate("CardPanel", "Terminal"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Cell text (and right alignment for amounts)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        line = self._rows[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return format_card_time(line.when)
        if column == 1:
            source = _KINDS.get(line.kind)
            return QCoreApplication.translate("CardPanel", str(source)) if source else line.kind
        if column == 2:
            return yuan(line.amount_fen)
        return line.terminal_id_text.upper()


class CardPanel(QWidget):
    """Shows a :class:`CardView`; cleared when the card leaves."""

    _FIELDS = ("serial", "family", "city", "type", "validity", "holder", "holder_id")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view: CardView | None = None
        self._type_name = ""  # the card type's name from the parameters (kept over a retranslate)
        self._message: str | None = None
        self._balance = QLabel()
        self._balance.setObjectName("balance")
        self._balance.setFont(big_font(40))
        self._balance.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._balance_caption = QLabel()
        self._balance_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._status = QLabel()
        self._status.setObjectName("cardStatus")
        self._status.setWordWrap(True)
        self._status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._status.setFont(big_font(13))
        self._refusal = QLabel()
        self._refusal.setObjectName("cardRefusal")
        self._refusal.setWordWrap(True)
        self._refusal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._refusal.setStyleSheet(ERROR_STYLE)
        self._refusal.hide()
        self._fields = {key: QLabel() for key in self._FIELDS}
        self._captions = {key: QLabel() for key in self._FIELDS}
        form = QFormLayout()
        for key in self._FIELDS:
            self._fields[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self._captions[key], self._fields[key])
        self._box = QGroupBox()
        self._box.setLayout(form)
        self.recent_model = RecentTransactionsModel()
        self._recent = QTableView()
        self._recent.setObjectName("recentTransactions")
        self._recent.setModel(self.recent_model)
        self._recent.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._recent.verticalHeader().setVisible(False)
        self._recent.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self._recent.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the clerk's keys go to the actions
        self._recent_caption = QLabel()
        recent_box = QVBoxLayout()
        recent_box.addWidget(self._recent_caption)
        recent_box.addWidget(self._recent, 1)
        lower = QHBoxLayout()
        lower.addWidget(self._box, 2)
        lower.addLayout(recent_box, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self._balance_caption)
        layout.addWidget(self._balance)
        layout.addWidget(self._status)
        layout.addWidget(self._refusal)
        layout.addLayout(lower, 1)
        self._retranslate()
        self.clear()

    # -- language ----------------------------------------------------------------------------

    def _retranslate(self) -> None:
        captions = {
            "serial": self.tr("Card number"),
            "family": self.tr("Card family"),
            "city": self.tr("City"),
            "type": self.tr("Card type"),
            "validity": self.tr("Valid"),
            "holder": self.tr("Holder"),
            "holder_id": self.tr("ID number"),
        }
        for key, text in captions.items():
            self._captions[key].setText(text)
        self._box.setTitle(self.tr("Card"))
        self._balance_caption.setText(self.tr("Balance"))
        self._recent_caption.setText(self.tr("Last transactions on the card"))
        self.recent_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Retranslate when the language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            if self._view is not None:
                self.show_card(self._view)
            elif self._message is None:
                self.clear()
        super().changeEvent(event)

    # -- content -----------------------------------------------------------------------------

    def clear(self, message: str | None = None) -> None:
        """Empty the panel and say why."""
        self._view = None
        self._message = message
        self._balance.setText("—")
        self.show_refusal(None)
        self._status.setText(message or self.tr("Put a card on the reader"))
        self._status.setStyleSheet("")
        for label in self._fields.values():
            label.clear()
        self.recent_model.set_rows(())

    def show_reading(self) -> None:
        """Say the card is being read."""
        self._status.setText(self.tr("Reading the card… keep it on the reader"))
        self._status.setStyleSheet("")

    def show_error(self, what: str, advice: str) -> None:
        """Show a card error in plain words with what to do."""
        self.clear(f"{what}\n{advice}")
        self._status.setStyleSheet(ERROR_STYLE)

    def show_card(self, view: CardView) -> None:
        """Fill the panel from a card read."""
        if self._view is None or self._view.serial != view.serial:
            self._type_name = ""
        self._view = view
        self._message = None
        if view.balance_readable:
            self._balance.setText(yuan(view.balance_fen))
        else:
            self._balance.setText(self.tr("Balance unreadable"))
        status_text = {
            CardStatus.OK: self.tr("Card OK"),
            CardStatus.BLOCKED: self.tr("BLOCKED — do not serve; check the loss report"),
            CardStatus.EXPIRED: self.tr("EXPIRED — offer an exchange"),
            CardStatus.NOT_YET_VALID: self.tr("Not yet valid"),
        }[view.status]
        self._status.setText(status_text)
        ok = view.status is CardStatus.OK
        self._status.setStyleSheet("" if ok else ERROR_STYLE)
        self._fields["serial"].setText(view.serial_text)
        family = _FAMILIES.get(view.family)
        self._fields["family"].setText(
            QCoreApplication.translate("CardPanel", str(family)) if family else view.family
        )
        self._fields["city"].setText(view.city)
        code = f"{view.card_type:02X}"
        self._fields["type"].setText(f"{self._type_name} ({code})" if self._type_name else code)
        valid = f"{view.valid_from or '—'} … {view.valid_until or '—'}"
        self._fields["validity"].setText(valid)
        self._fields["holder"].setText(view.holder_name or self.tr("(anonymous)"))
        self._fields["holder_id"].setText(view.holder_id)
        self.recent_model.set_rows(view.recent)

    def show_refusal(self, text: str | None) -> None:
        """Say why the card cannot be topped up (F2), or hide the line (``None``)."""
        self._refusal.setText(self.tr("Top-up (F2) not possible: {0}").format(text) if text else "")
        self._refusal.setVisible(bool(text))

    def refusal_text(self) -> str:
        """The refusal line as displayed (empty when none)."""
        return self._refusal.text() if self._refusal.isVisibleTo(self) else ""

    def set_card_type_name(self, name: str) -> None:
        """Name the card type (from the parameters in force) next to its code."""
        self._type_name = name
        if self._view is not None:
            self._fields["type"].setText(f"{name} ({self._view.card_type:02X})")

    def balance_text(self) -> str:
        """The balance as displayed (for tests and accessibility)."""
        return self._balance.text()

    def status_text(self) -> str:
        """The status line as displayed."""
        return self._status.text()

    def field_text(self, key: str) -> str:
        """One field as displayed (``serial``, ``city``, ``holder``, …)."""
        return self._fields[key].text()
