"""Loss report (挂失) and its cancellation (解挂).

The clerk finds the registered holder (ID number, name or card number), types the ID number from
the holder's document — the service checks it against the registration — and reports the card:
from that moment it is refused at this counter and, with the next sync, everywhere. Cancelling a
report needs a supervisor (the service refuses anyone else; the dialog says so).
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.loss import LossCase
from app.services.progress import CancelToken, Progress
from app.services.receipts import Receipt
from app.store.holders import RegisteredHolder
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, ask_to_confirm, form_label, local_time, receipt_of

Index = QModelIndex | QPersistentModelIndex


class HolderModel(QAbstractTableModel):
    """Registered holders found by a search (masked as a clerk may see them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.holders: list[RegisteredHolder] = []

    def set_holders(self, holders: list[RegisteredHolder]) -> None:
        """Show these holders."""
        self.beginResetModel()
        self.holders = list(holders)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's API
        """One row per holder."""
        return 0 if parent.isValid() else len(self.holders)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's API
        """Card, holder, ID number, phone."""
        return 0 if parent.isValid() else 4

    def headerData(  # noqa: N802 - Qt's API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        titles = (
            self.tr("Card number"),
            self.tr("Holder"),
            self.tr("ID number ends"),
            self.tr("Phone ends"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell's text."""
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        holder = self.holders[index.row()]
        values = (
            holder.card_serial,
            holder.masked_name,
            f"…{holder.id_number_tail}",
            f"…{holder.phone_tail}" if holder.phone_tail else "",
        )
        return values[index.column()]


class LossDialog(FlowDialog):
    """Find a holder; report their card lost, or cancel a report (supervisor)."""

    receipt_ready = Signal(object)  # the loss report receipt (挂失回执), to print

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *, query: str = "") -> None:
        super().__init__(ctx, parent)
        self.setObjectName("lossDialog")
        self.setWindowTitle(self.tr("Loss report"))
        self.last_case: LossCase | None = None
        self.last_cancel_seq: int | None = None
        self.confirm_box: QWidget | None = None  # the last "really report it?" question

        # find the holder
        self.search = QLineEdit(query, self)
        self.search.setObjectName("holderSearch")
        self.search.setPlaceholderText(self.tr("ID number, name or card number"))
        self.find_button = self.make_button(self.tr("&Find"), self.find_holders)
        self.model = HolderModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("holderTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(140)  # a search finds a few cards; more scroll
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.lock_while_busy(self.search, self.table)
        search_row = QHBoxLayout()
        search_row.addWidget(form_label(self.tr("&Search:"), self.search, self))
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.find_button)
        find_box = QGroupBox(self.tr("Find the registered holder"), self)
        find_layout = QVBoxLayout(find_box)
        find_layout.addLayout(search_row)
        find_layout.addWidget(self.table)

        # report
        self.card = QLineEdit(self)
        self.card.setObjectName("reportCard")
        self.card.setMaxLength(20)
        self.card.setPlaceholderText(self.tr("chosen above, or typed"))
        self.id_number = QLineEdit(self)
        self.id_number.setObjectName("reportIdNumber")
        self.id_number.setMaxLength(32)
        self.id_number.setPlaceholderText(self.tr("from the holder's ID document"))
        self.report_button = self.make_button(self.tr("&Report lost"), self.report)
        self.lock_while_busy(self.card, self.id_number)
        report_box = QGroupBox(self.tr("Report the card lost"), self)
        report_form = QFormLayout(report_box)
        report_form.addRow(form_label(self.tr("&Card number:"), self.card, self), self.card)
        report_form.addRow(
            form_label(self.tr("Holder's &ID number:"), self.id_number, self), self.id_number
        )
        report_form.addRow("", self.report_button)

        # cancel (supervisor)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("cancelReason")
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(self.tr("e.g. the holder found the card"))
        self.cancel_report_button = self.make_button(
            self.tr("Cancel the re&port"), self.cancel_report
        )
        self.lock_while_busy(self.reason)
        cancel_box = QGroupBox(self.tr("Cancel a loss report (supervisor)"), self)
        cancel_form = QFormLayout(cancel_box)
        note = QLabel(self.tr("For the card number above, once the card is found."), cancel_box)
        note.setWordWrap(True)
        cancel_form.addRow(note)
        cancel_form.addRow(form_label(self.tr("Reaso&n:"), self.reason, self), self.reason)
        cancel_form.addRow("", self.cancel_report_button)

        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(find_box)
        layout.addWidget(report_box)
        layout.addWidget(cancel_box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.on_enter(self.search, self.find_holders)
        self.on_enter(self.table, self._take_row)
        self.on_enter(self.card, self.id_number.setFocus)
        self.on_enter(self.id_number, self.report)
        self.on_enter(self.reason, self.cancel_report)
        order = [
            self.search, self.find_button, self.table, self.card, self.id_number,
            self.report_button, self.reason, self.cancel_report_button, self.close_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.setMinimumWidth(640)
        self.search.setFocus()

    # -- find ----------------------------------------------------------------------------------

    def find_holders(self) -> None:
        """Look the holder up (on the pool)."""
        query = self.search.text().strip()
        if not query:
            self.say_problem(self.tr("Type an ID number, a name or a card number to search for."))
            return
        actor = self.signed_in()
        if actor is None:
            return
        loss = self.ctx.counter.loss

        def work(_token: CancelToken, _progress: Progress) -> list[RegisteredHolder]:
            return loss.find_holders(actor, query)

        self.run(work, lambda found: self._found(query, found), label=self.tr("Searching"))

    def _found(self, query: str, found: list[RegisteredHolder]) -> None:
        self.model.set_holders(found)
        if not found:
            self.say_problem(
                self.tr("No registered holder matches “{query}”.").format(query=query),
                self.tr(
                    "Check the spelling, or search by the ID number. An anonymous card cannot "
                    "be reported lost."
                ),
            )
            self.search.setFocus()
            self.search.selectAll()
            return
        self.say(
            self.tr(
                "{count} registered card(s) found. Choose one, then type the holder's ID number."
            ).format(count=len(found))
        )
        self.table.selectRow(0)
        self.table.setCurrentIndex(self.model.index(0, 0))
        if len(found) == 1:
            self.id_number.setFocus()
        else:
            self.table.setFocus()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.card.setText(self.model.holders[current.row()].card_serial)

    def _take_row(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.card.setText(self.model.holders[index.row()].card_serial)
            self.id_number.setFocus()

    # -- report --------------------------------------------------------------------------------

    def report(self) -> None:
        """Report the chosen card lost (the holder's ID number is checked by the service)."""
        serial = self.card.text().strip().upper()
        id_number = self.id_number.text().strip()
        if not serial:
            self.say_problem(self.tr("Choose the card to report (search for its holder)."))
            self.search.setFocus()
            return
        if not id_number:
            self.say_problem(self.tr("Type the holder's ID number from their ID document."))
            self.id_number.setFocus()
            return
        loss = self.ctx.counter.loss
        waiting = self.ctx.counter.topups.parameters().replacement_waiting_days

        def check(_token: CancelToken, _progress: Progress) -> RegisteredHolder | None:
            holder = loss.holder_of(serial)
            return holder if holder and loss.holder_id_matches(serial, id_number) else None

        def checked(holder: RegisteredHolder | None) -> None:
            if holder is None:
                self.say_problem(
                    self.tr(
                        "Card {0} is not registered, or the ID number does not match its "
                        "registered holder."
                    ).format(serial),
                    self.tr("Check the holder's ID document again; do not report the card."),
                )
                self.id_number.setFocus()
                return
            self.message.clear_message()
            self.confirm_box = ask_to_confirm(
                self,
                self.tr("Report the card lost"),
                self.tr("Report card {0} of {1} lost?").format(serial, holder.masked_name),
                self.tr(
                    "It is blacklisted at once: refused at this counter, blocked when it is "
                    "tapped, and sent to the clearing center now. Its balance waits {0} days, "
                    "then the holder can have it moved to a replacement card. The holder gets "
                    "the loss report receipt."
                ).format(waiting),
                self.tr("&Yes, report it lost"),
                lambda: self._report(serial, id_number),
            )

        self.run(check, checked, label=self.tr("Checking the holder's ID number"))

    def _report(self, serial: str, id_number: str) -> None:
        current = self.actor_and_shift()
        if current is None:
            return
        actor, shift = current
        loss = self.ctx.counter.loss
        journal = self.ctx.counter.journal

        def work(_token: CancelToken, _progress: Progress) -> tuple[LossCase, Receipt | None]:
            case = loss.report_loss(actor, shift.id, serial, id_number)
            return case, receipt_of(journal, case.reported_seq)

        self.run(work, self._reported, label=self.tr("Reporting the card lost"))

    def _reported(self, result: tuple[LossCase, Receipt | None]) -> None:
        case, receipt = result
        self.last_case = case
        self.id_number.clear()
        self.say_done(
            self.tr(
                "Card {serial} of {holder} is reported lost (journal no. {seq}). It is refused "
                "at this counter from now on, blocked if it is tapped here, and is being sent to "
                "the clearing center. The holder can have it replaced from {date}. Give the "
                "holder the loss report receipt."
            ).format(
                serial=case.card_serial,
                holder=case.holder_name,
                seq=case.reported_seq,
                date=local_time(case.replaceable_from),
            )
        )
        self.close_button.setFocus()
        if receipt is not None:
            self.receipt_ready.emit(receipt)

    # -- cancel --------------------------------------------------------------------------------

    def cancel_report(self) -> None:
        """Cancel the loss report of the card number above (supervisors; the service checks)."""
        serial = self.card.text().strip().upper()
        reason = self.reason.text().strip()
        if not serial:
            self.say_problem(self.tr("Type or choose the card whose report is cancelled."))
            self.card.setFocus()
            return
        if not reason:
            self.say_problem(self.tr("Write why the report is cancelled."))
            self.reason.setFocus()
            return
        current = self.actor_and_shift()
        if current is None:
            return
        actor, shift = current
        loss = self.ctx.counter.loss

        def work(_token: CancelToken, _progress: Progress) -> int:
            return loss.cancel_loss(actor, shift.id, serial, reason)

        self.run(
            work,
            lambda seq: self._cancelled(serial, seq),
            label=self.tr("Cancelling the loss report"),
        )

    def _cancelled(self, serial: str, seq: int) -> None:
        self.last_cancel_seq = seq
        self.reason.clear()
        self.say_done(
            self.tr(
                "The loss report of card {serial} is cancelled (journal no. {seq}). The card can "
                "be used again at this counter; the clearing center is told with the next sync."
            ).format(serial=serial, seq=seq)
        )
        self.close_button.setFocus()
