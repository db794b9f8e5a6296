"""Card return and refund (退卡).

The card on the reader is read and the refund quoted (balance + deposit − fee) before anything
happens. Above the threshold a supervisor approves (:class:`~app.ui.approval.ApprovalDialog`).
Nothing happens before an explicit confirm that says what will happen (the card blocked for good,
the amount paid out, balance and deposit apart), and for a registered card the holder's ID number
must match. Returning blocks the card for good, then the money is paid. If the card leaves the
reader while it is being blocked, nothing is paid: the dialog asks for the same card back and
finishes the return (the refund service's ``resume``) — also when the dialog is opened later with
that card.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.people import Approval
from app.journal import RecordKind
from app.services.operators import ApprovalPurpose
from app.services.progress import CancelToken, Progress
from app.services.receipts import Receipt
from app.services.refund import RefundInterruptedError, RefundQuote, RefundReceipt
from app.store.holders import RegisteredHolder
from app.ui.approval import ApprovalDialog
from app.ui.context import UiContext
from app.ui.flows.base import (
    FlowDialog,
    WrongCardError,
    ask_to_confirm,
    form_label,
    money,
    receipt_of,
)


class RefundStage(enum.Enum):
    """Where the return stands in the dialog."""

    READING = "reading"
    QUOTED = "quoted"
    INTERRUPTED = "interrupted"  # a return of this card is half done: finish it
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True)
class CardOnReader:
    """What reading the card found: a quote, or a return of it to finish."""

    serial: str
    quote: RefundQuote | None
    interrupted: bool
    holder: RegisteredHolder | None = None  # a registered card: the holder's ID is checked


class RefundDialog(FlowDialog):
    """Quote, approve if needed, return and refund the card on the reader."""

    receipt_ready = Signal(object)  # app.services.receipts.Receipt, to print

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("refundDialog")
        self.setWindowTitle(self.tr("Card return and refund"))
        self.stage = RefundStage.READING
        self.found: CardOnReader | None = None
        self.approval: Approval | None = None
        self.receipts: list[RefundReceipt] = []
        self.approval_dialog: ApprovalDialog | None = None
        self.confirm_box: QWidget | None = None  # the last "really return it?" question

        self.card = QLabel("—", self)
        self.card.setObjectName("refundCard")
        self.balance = QLabel("—", self)
        self.deposit = QLabel("—", self)
        self.fee = QLabel("—", self)
        self.amount = QLabel("—", self)
        self.amount.setObjectName("refundAmount")
        big = QFont(self.amount.font())
        big.setPointSize(max(big.pointSize(), 10) + 8)
        big.setBold(True)
        self.amount.setFont(big)
        self.approval_note = QLabel("", self)
        self.approval_note.setWordWrap(True)
        self.holder = QLabel("", self)
        self.holder.setObjectName("refundHolder")
        self.id_number = QLineEdit(self)
        self.id_number.setObjectName("refundIdNumber")
        self.id_number.setMaxLength(32)
        self.id_number.setPlaceholderText(self.tr("from the holder's ID document"))
        self.id_label = form_label(self.tr("Holder's &ID number:"), self.id_number, self)
        self.lock_while_busy(self.id_number)
        self.on_enter(self.id_number, self.confirm)
        quote_box = QGroupBox(self.tr("Refund"), self)
        form = QFormLayout(quote_box)
        form.addRow(self.tr("Card:"), self.card)
        form.addRow(self.tr("Balance on the card:"), self.balance)
        form.addRow(self.tr("Deposit paid back:"), self.deposit)
        form.addRow(self.tr("Return fee:"), self.fee)
        form.addRow(self.tr("To pay the customer:"), self.amount)
        form.addRow(self.tr("Registered holder:"), self.holder)
        form.addRow(self.id_label, self.id_number)
        form.addRow(self.approval_note)
        warning = QLabel(
            self.tr(
                "A returned card is blocked for good and can never be used again. Keep the card "
                "on the reader until the dialog says to pay."
            ),
            self,
        )
        warning.setWordWrap(True)

        self.read_button = self.make_button(self.tr("Read the &card again"), self.read_card)
        self.refund_button = self.make_button(self.tr("&Return the card"), self.confirm)
        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.read_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refund_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(quote_box)
        layout.addWidget(warning)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setTabOrder(self.id_number, self.refund_button)
        self.setTabOrder(self.refund_button, self.read_button)
        self.setTabOrder(self.read_button, self.close_button)
        self.setMinimumWidth(560)
        self.update_actions()
        self.read_card()

    def update_actions(self) -> None:
        """The main button: return, finish an interrupted return, or nothing to do."""
        stage = self.stage
        if stage is RefundStage.INTERRUPTED:
            self.refund_button.setText(self.tr("&Finish the interrupted return"))
        elif stage is RefundStage.QUOTED and self.found and self.found.quote:
            needs = self.found.quote.needs_approval and self.approval is None
            self.refund_button.setText(
                self.tr("&Approve and return…") if needs else self.tr("&Return the card")
            )
        else:
            self.refund_button.setText(self.tr("&Return the card"))
        can_act = stage in {RefundStage.QUOTED, RefundStage.INTERRUPTED}
        self.refund_button.setEnabled(can_act and not self.busy)
        self.read_button.setEnabled(stage is not RefundStage.DONE and not self.busy)
        registered = self.found is not None and self.found.holder is not None
        self.id_label.setVisible(registered and stage is RefundStage.QUOTED)
        self.id_number.setVisible(registered and stage is RefundStage.QUOTED)
        if can_act and not self.busy:
            needs_id = registered and stage is RefundStage.QUOTED and not self.id_number.text()
            (self.id_number if needs_id else self.refund_button).setFocus()

    # -- reading -------------------------------------------------------------------------------

    def read_card(self) -> None:
        """Read the card on the reader: its quote, or a return of it to finish."""
        actor = self.signed_in()
        if actor is None:
            return
        ctx = self.ctx
        journal = ctx.counter.journal
        refunds = ctx.counter.refunds
        loss = ctx.counter.loss

        def work(_token: CancelToken, _progress: Progress) -> CardOnReader:
            card = ctx.open_card()
            serial = card.serial.hex().upper()
            if any(r.kind == RecordKind.REFUND_INTENT for r in journal.open_intents(serial)):
                return CardOnReader(serial, None, interrupted=True)
            quote = refunds.quote(actor, card)
            return CardOnReader(serial, quote, interrupted=False, holder=loss.holder_of(serial))

        self.stage = RefundStage.READING
        self.approval = None
        self.message.clear_message()
        self.run(
            work,
            self._read,
            label=self.tr("Reading the card"),
            on_card=True,
            on_problem=self._refused,
        )

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, RefundInterruptedError):
            self.stage = RefundStage.INTERRUPTED
        elif self.stage in {RefundStage.READING, RefundStage.REFUSED}:
            self.stage = RefundStage.REFUSED
        self.update_actions()

    def _read(self, found: CardOnReader) -> None:
        self.found = found
        self.card.setText(found.serial)
        self.id_number.clear()
        self.holder.setText(
            found.holder.masked_name if found.holder else self.tr("none (an anonymous card)")
        )
        if found.interrupted:
            self.stage = RefundStage.INTERRUPTED
            for label in (self.balance, self.deposit, self.fee, self.amount):
                label.setText("—")
            self.say_problem(
                self.tr("The return of card {serial} was interrupted.").format(serial=found.serial),
                self.tr("Finish it now with the same card on the reader. Do not pay before."),
            )
        else:
            quote = found.quote
            assert quote is not None
            self.stage = RefundStage.QUOTED
            self.balance.setText(money(quote.balance_fen))
            self.deposit.setText(money(quote.deposit_fen))
            self.fee.setText(money(quote.fee_fen))
            self.amount.setText(money(quote.amount_fen))
            self.approval_note.setText(
                self.tr("Above the limit: a supervisor must approve this refund.")
                if quote.needs_approval
                else ""
            )
            self.say(self.tr("Check the amount with the customer, then return the card."))
        self.update_actions()

    # -- returning -----------------------------------------------------------------------------

    def confirm(self) -> None:
        """Return the card (asking a supervisor first above the threshold), or finish a return."""
        if self.stage is RefundStage.INTERRUPTED:
            self._resume()
            return
        found = self.found
        if self.stage is not RefundStage.QUOTED or found is None or found.quote is None:
            return
        quote = found.quote
        if found.holder is None:
            self._ask_to_confirm(quote, None)
            return
        id_number = self.id_number.text().strip()
        if not id_number:
            self.say_problem(
                self.tr("Card {0} is registered: type the holder's ID number.").format(
                    quote.card_serial
                ),
                self.tr("Only the registered holder may return it; check their ID document."),
            )
            self.id_number.setFocus()
            return
        loss = self.ctx.counter.loss

        def work(_token: CancelToken, _progress: Progress) -> bool:
            return loss.holder_id_matches(quote.card_serial, id_number)

        def checked(matches: bool) -> None:
            if not matches:
                self.say_problem(
                    self.tr("The ID number does not match the card's registered holder."),
                    self.tr("Check the ID document again; do not return the card."),
                )
                self.id_number.setFocus()
                self.id_number.selectAll()
                return
            self._ask_to_confirm(quote, found.holder)

        self.run(work, checked, label=self.tr("Checking the holder's ID number"))

    def _ask_to_confirm(self, quote: RefundQuote, holder: RegisteredHolder | None) -> None:
        """Say what the return does; on an explicit yes: approval (if needed), then the return."""
        who = holder.masked_name if holder else self.tr("an anonymous card")
        self.message.clear_message()
        self.confirm_box = ask_to_confirm(
            self,
            self.tr("Card return and refund"),
            self.tr("Return card {0} ({1}) and pay the customer {2} in cash?").format(
                quote.card_serial, who, money(quote.amount_fen)
            ),
            self.tr(
                "Balance {0} + deposit {1} − fee {2}. The card is blocked for good and can never "
                "be used again."
            ).format(money(quote.balance_fen), money(quote.deposit_fen), money(quote.fee_fen)),
            self.tr("&Yes, return the card and pay"),
            lambda: self._after_confirm(quote),
        )

    def _after_confirm(self, quote: RefundQuote) -> None:
        if quote.needs_approval and self.approval is None:
            self._ask_approval(quote)
            return
        self._refund(quote, self.approval)

    def _ask_approval(self, quote: RefundQuote) -> None:
        detail = self.tr("Return card {serial} and pay back {amount}.").format(
            serial=quote.card_serial, amount=money(quote.amount_fen)
        )
        dialog = ApprovalDialog(
            self.ctx, ApprovalPurpose.REFUND, detail, self, subject=quote.card_serial
        )
        dialog.approved.connect(lambda approval: self._approved(quote, approval))
        self.approval_dialog = dialog
        dialog.open()

    def _approved(self, quote: RefundQuote, approval: Approval) -> None:
        self.approval = approval
        self._refund(quote, approval)

    def _refund(self, quote: RefundQuote, approval: Approval | None) -> None:
        current = self.actor_and_shift()
        if current is None:
            return
        actor, shift = current
        ctx = self.ctx
        journal = ctx.counter.journal
        refunds = ctx.counter.refunds

        def work(_token: CancelToken, _progress: Progress) -> tuple[RefundReceipt, Receipt | None]:
            card = ctx.open_card()
            serial = card.serial.hex().upper()
            if serial != quote.card_serial:
                raise WrongCardError(
                    "Card {found} is on the reader, not card {expected} that was quoted.",
                    found=serial,
                    expected=quote.card_serial,
                )
            receipt = refunds.refund(actor, shift.id, card, approval)
            return receipt, receipt_of(journal, receipt.outcome_seq)

        self.say(self.tr("Keep the card on the reader…"))
        self.run(
            work,
            lambda result: self._done([result]),
            label=self.tr("Returning the card"),
            on_card=True,
            on_problem=self._refused,
        )

    def _resume(self) -> None:
        actor = self.signed_in()
        if actor is None:
            return
        ctx = self.ctx
        journal = ctx.counter.journal
        refunds = ctx.counter.refunds

        def work(
            _token: CancelToken, _progress: Progress
        ) -> list[tuple[RefundReceipt, Receipt | None]]:
            card = ctx.open_card()
            return [(r, receipt_of(journal, r.outcome_seq)) for r in refunds.resume(actor, card)]

        self.say(self.tr("Keep the card on the reader…"))
        self.run(
            work,
            self._done,
            label=self.tr("Finishing the return"),
            on_card=True,
            on_problem=self._refused,
        )

    def _done(self, results: list[tuple[RefundReceipt, Receipt | None]]) -> None:
        if not results:
            self.stage = RefundStage.REFUSED
            self.say_problem(
                self.tr("This card has no interrupted return to finish."),
                self.tr("Put the card whose return was interrupted on the reader."),
            )
            self.update_actions()
            return
        self.stage = RefundStage.DONE
        self.receipts += [receipt for receipt, _ in results]
        total = sum(receipt.amount_fen for receipt, _ in results)
        first = results[0][0]
        self.balance.setText(money(first.balance_fen))
        self.deposit.setText(money(first.deposit_fen))
        self.fee.setText(money(first.fee_fen))
        self.amount.setText(money(total))
        self.say_done(
            self.tr(
                "Card {serial} is returned and blocked. Pay the customer {amount} in cash now, "
                "and give them the receipt."
            ).format(serial=first.card_serial, amount=money(total))
        )
        self.update_actions()
        self.close_button.setFocus()
        for _, printable in results:
            if printable is not None:
                self.receipt_ready.emit(printable)
