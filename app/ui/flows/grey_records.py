"""Grey records (灰记录) for the supervisor: card writes whose end the counter does not know.

Each is an intent the journal holds without an outcome: a top-up, purchase, return or exchange
whose card was pulled at the wrong moment and has not been tapped again since. Tapping the card
settles it (the window does that on every tap); otherwise the clearing center settles it from
what the card reports elsewhere. The list is read on the pool and refreshed on demand.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.journal import JournalRecord, RecordKind
from app.services.progress import CancelToken, Progress
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, local_time, money, payment_label

Index = QModelIndex | QPersistentModelIndex


class GreyRecordsModel(QAbstractTableModel):
    """Open intents, oldest first: journal no., time, what, card, amount, paid by, who, shift."""

    COLUMNS = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[JournalRecord] = []

    def set_records(self, records: list[JournalRecord]) -> None:
        """Show these records."""
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def total_fen(self) -> int:
        """The amounts of all listed records together."""
        return sum(r.amount_fen or 0 for r in self.records)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's API
        """One row per grey record."""
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's API
        """See the class docstring."""
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(  # noqa: N802 - Qt's API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        titles = (
            self.tr("Journal no."),
            self.tr("Time"),
            self.tr("What"),
            self.tr("Card"),
            self.tr("Amount"),
            self.tr("Paid by"),
            self.tr("Operator"),
            self.tr("Shift"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def kind_text(self, kind: str) -> str:
        """What the interrupted operation was."""
        names: dict[str, str] = {
            RecordKind.LOAD_INTENT: self.tr("Top-up"),
            RecordKind.PURCHASE_INTENT: self.tr("Purchase"),
            RecordKind.REFUND_INTENT: self.tr("Card return"),
            RecordKind.EXCHANGE_INTENT: self.tr("Card exchange"),
        }
        return names.get(kind, kind)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell's text (amounts right-aligned)."""
        if not index.isValid():
            return None
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = column in (0, 4, 7)
            return int(
                (Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft)
                | Qt.AlignmentFlag.AlignVCenter
            )
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        record = self.records[index.row()]
        values = (
            str(record.seq),
            local_time(record.at),
            self.kind_text(record.kind),
            record.card_serial or "",
            money(record.amount_fen),
            payment_label(record.payment_method),
            record.operator or "",
            "" if record.shift_id is None else str(record.shift_id),
        )
        return values[column]


class GreyRecordsDialog(FlowDialog):
    """The list of grey records, with what they mean and what to do."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("greyRecordsDialog")
        self.setWindowTitle(self.tr("Grey records"))
        explain = QLabel(
            self.tr(
                "A grey record is a card operation that was interrupted (the card left the "
                "reader at the wrong moment) and whose result the counter cannot know yet. "
                "Tapping the card settles it. Keep the customer's payment record; if the card "
                "does not come back, the clearing center settles it."
            ),
            self,
        )
        explain.setWordWrap(True)
        self.model = GreyRecordsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("greyRecordsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # the card number
        self.table.setMinimumHeight(220)
        self.summary = QLabel("", self)
        self.summary.setObjectName("greySummary")
        self.summary.setWordWrap(True)

        self.refresh_button = self.make_button(self.tr("&Refresh"), self.refresh)
        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.on_enter(self.table, self.refresh)
        self.setTabOrder(self.table, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.close_button)
        self.setMinimumSize(820, 420)
        self.refresh()

    def refresh(self) -> None:
        """Read the open intents again (on the pool)."""
        journal = self.ctx.counter.journal

        def work(_token: CancelToken, _progress: Progress) -> list[JournalRecord]:
            return journal.open_intents()

        self.run(work, self._show, label=self.tr("Reading the journal"))

    def _show(self, records: list[JournalRecord]) -> None:
        self.model.set_records(records)
        if not records:
            self.summary.setText(
                self.tr("No grey records: every interrupted card operation is settled.")
            )
        else:
            self.summary.setText(
                self.tr("{count} grey record(s), {amount} in all. Oldest: {oldest}.").format(
                    count=len(records),
                    amount=money(self.model.total_fen()),
                    oldest=local_time(records[0].at),
                )
            )
            self.table.selectRow(0)
        self.table.setFocus()
