"""Replacement of a lost card (补卡): its settled balance onto a new stock card.

The clerk types the lost card's number and checks it: the dialog says when the loss was
reported and when the waiting period ends. After it, a new card from stock goes on the reader
and the clearing center's settled balance of the lost card is loaded onto it (a balance
transfer), the fee is charged and the cards are linked. When the center cannot be asked the
dialog says so plainly — the holder keeps the report and comes back.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.progress import CancelToken, Progress
from app.services.receipts import Receipt
from app.services.replacement import ReplacementReceipt
from app.store import parameters as stored_parameters
from app.ui.context import UiContext
from app.ui.flows.base import (
    COUNTER_PAYMENT_METHODS,
    FlowDialog,
    form_label,
    local_time,
    money,
    payment_label,
    receipt_of,
)


@dataclass(frozen=True)
class ReplacementCheck:
    """What the check of a lost card found."""

    serial: str
    replaceable_from: datetime
    fee_fen: int
    now: datetime

    @property
    def waiting(self) -> bool:
        """Whether the waiting period is still running."""
        return self.now < self.replaceable_from


class ReplacementDialog(FlowDialog):
    """Check a lost card, then move its settled balance onto the new card on the reader."""

    receipt_ready = Signal(object)  # app.services.receipts.Receipt, to print

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, lost_serial: str = ""
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("replacementDialog")
        self.setWindowTitle(self.tr("Replace a lost card"))
        self.check: ReplacementCheck | None = None
        self.result_receipt: ReplacementReceipt | None = None

        self.lost = QLineEdit(lost_serial, self)
        self.lost.setObjectName("lostSerial")
        self.lost.setMaxLength(20)
        self.lost.setPlaceholderText(self.tr("the number of the card reported lost"))
        self.check_button = self.make_button(self.tr("C&heck"), self.check_card)
        self.status = QLabel(self.tr("Type the lost card's number and check it."), self)
        self.status.setObjectName("replacementStatus")
        self.status.setWordWrap(True)
        self.lock_while_busy(self.lost)
        lost_row = QHBoxLayout()
        lost_row.addWidget(self.lost, 1)
        lost_row.addWidget(self.check_button)
        lost_box = QGroupBox(self.tr("Lost card"), self)
        lost_form = QFormLayout(lost_box)
        lost_form.addRow(form_label(self.tr("&Lost card number:"), self.lost, self), lost_row)
        lost_form.addRow(self.status)

        self.fee = QLabel("—", self)
        self.fee.setObjectName("replacementFee")
        self.fee_payment = QComboBox(self)
        self.fee_payment.setObjectName("feePayment")
        for method in COUNTER_PAYMENT_METHODS:
            self.fee_payment.addItem(payment_label(method), str(method))
        self.replace_button = self.make_button(self.tr("&Replace onto the new card"), self.replace)
        self.lock_while_busy(self.fee_payment)
        new_box = QGroupBox(self.tr("New card"), self)
        new_form = QFormLayout(new_box)
        steps = QLabel(
            self.tr(
                "Put a new card from stock on the reader, then replace. The lost card's balance "
                "as settled by the clearing center is loaded onto it."
            ),
            new_box,
        )
        steps.setWordWrap(True)
        new_form.addRow(steps)
        new_form.addRow(self.tr("Replacement fee:"), self.fee)
        new_form.addRow(
            form_label(self.tr("Fee paid &by:"), self.fee_payment, self), self.fee_payment
        )
        new_form.addRow("", self.replace_button)

        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(lost_box)
        layout.addWidget(new_box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.on_enter(self.lost, self.check_card)
        self.on_enter(self.fee_payment, self.replace)
        order = [
            self.lost, self.check_button, self.fee_payment, self.replace_button, self.close_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.setMinimumWidth(600)
        self.update_actions()
        self.lost.setFocus()
        self.lost.textEdited.connect(self._forget_check)

    def update_actions(self) -> None:
        """Replace only after a check that found the waiting period over."""
        ready = self.check is not None and not self.check.waiting and self.result_receipt is None
        self.replace_button.setEnabled(ready and not self.busy)
        self.fee_payment.setEnabled(ready and not self.busy)

    def _forget_check(self) -> None:
        self.check = None
        self.update_actions()

    # -- check ---------------------------------------------------------------------------------

    def check_card(self) -> None:
        """Ask when the lost card can be replaced, and the fee."""
        serial = self.lost.text().strip().upper()
        if not serial:
            self.say_problem(self.tr("Type the number of the lost card."))
            return
        actor = self.signed_in()
        if actor is None:
            return
        replacements = self.ctx.counter.replacements
        store = self.ctx.counter.store

        def work(_token: CancelToken, _progress: Progress) -> ReplacementCheck:
            ready = replacements.replaceable_from(actor, serial)
            fee = stored_parameters.current(store).replacement_fee_fen
            return ReplacementCheck(serial, ready, fee, datetime.now(UTC))

        self.result_receipt = None
        self.run(
            work, self._checked, label=self.tr("Checking the lost card"), on_problem=self._refused
        )

    def _refused(self, _exc: BaseException) -> None:
        self.check = None
        self.status.setText(self.tr("This card cannot be replaced (see below)."))
        self.update_actions()

    def _checked(self, check: ReplacementCheck) -> None:
        self.check = check
        self.fee.setText(money(check.fee_fen))
        if check.waiting:
            days = max(math.ceil((check.replaceable_from - check.now) / timedelta(days=1)), 0)
            self.status.setText(
                self.tr(
                    "Card {serial} is still in its waiting period: it can be replaced from "
                    "{date}, in {days} day(s). The wait lets every counter report what the "
                    "lost card spent."
                ).format(serial=check.serial, date=local_time(check.replaceable_from), days=days)
            )
            self.say_problem(
                self.tr("The waiting period is not over yet."),
                self.tr("Ask the holder to come back from {date}.").format(
                    date=local_time(check.replaceable_from)
                ),
            )
        else:
            self.status.setText(
                self.tr("Card {serial} can be replaced now (since {date}).").format(
                    serial=check.serial, date=local_time(check.replaceable_from)
                )
            )
            self.say(self.tr("Put a new card from stock on the reader, then press Replace."))
        self.update_actions()
        if not check.waiting:
            self.fee_payment.setFocus()

    # -- replace -------------------------------------------------------------------------------

    def replace(self) -> None:
        """Load the settled balance onto the card on the reader, charge the fee, link them."""
        check = self.check
        if check is None or check.waiting:
            self.say_problem(self.tr("Check the lost card first."))
            return
        current = self.actor_and_shift()
        if current is None:
            return
        actor, shift = current
        method = str(self.fee_payment.currentData())
        ctx = self.ctx
        journal = ctx.counter.journal
        replacements = ctx.counter.replacements
        asking = self.tr("Asking the clearing center for the settled balance")

        def work(
            _token: CancelToken, progress: Progress
        ) -> tuple[ReplacementReceipt, Receipt | None]:
            progress(asking)
            card = ctx.open_card()
            receipt = replacements.replace(actor, shift.id, check.serial, card, method)
            return receipt, receipt_of(journal, receipt.record_seq)

        self.say(self.tr("Keep the new card on the reader…"))
        self.run(work, self._replaced, label=self.tr("Replacing the lost card"), on_card=True)

    def _replaced(self, result: tuple[ReplacementReceipt, Receipt | None]) -> None:
        receipt, printable = result
        self.result_receipt = receipt
        self.say_done(
            self.tr(
                "Card {lost} is replaced by card {new}: {moved} was moved onto it and its "
                "balance is {balance}. Fee {fee} paid by {method}. Give the holder the new card "
                "and the receipt."
            ).format(
                lost=receipt.lost_serial,
                new=receipt.new_serial,
                moved=money(receipt.transferred_fen),
                balance=money(receipt.new_balance_fen),
                fee=money(receipt.fee_fen),
                method=payment_label(receipt.fee_payment),
            )
        )
        self.update_actions()
        self.close_button.setFocus()
        if printable is not None:
            self.receipt_ready.emit(printable)
