"""Damaged-card exchange (换卡): the old card's balance onto a new stock card, supervised.

Two cards, one after the other on the reader. First the damaged (still readable) card: the
dialog reads it and shows its balance and the fee; a supervisor approves; its whole balance is
taken off it and it is blocked. Then a new card from stock: the balance is loaded onto it and
the exchange is closed. A card pulled at any step loses nothing: the dialog says which card to
put back and continues from where the journal says the exchange stands — also for exchanges left
unfinished earlier, which the dialog lists when it opens. A card that cannot be read at all is
not exchanged: it is reported lost and replaced.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.card.errors import CardError
from app.domain.people import Actor, Approval
from app.services.exchange import (
    ExchangeInterruptedError,
    ExchangeService,
    ExchangeStage,
    ExchangeStatus,
)
from app.services.operators import ApprovalPurpose
from app.services.progress import CancelToken, Progress
from app.services.receipts import Receipt
from app.store import parameters as stored_parameters
from app.ui.approval import ApprovalDialog
from app.ui.context import UiContext
from app.ui.flows.base import (
    COUNTER_PAYMENT_METHODS,
    FlowDialog,
    WrongCardError,
    form_label,
    money,
    payment_label,
    receipt_of,
)
from app.ui.messages import translated


@dataclass(frozen=True)
class OldCard:
    """The damaged card as read, and an unfinished exchange it is part of (if any)."""

    serial: str
    balance_fen: int
    fee_fen: int
    unfinished: ExchangeStatus | None


class ExchangeDialog(FlowDialog):
    """Read the damaged card, exchange it (supervisor), load the new card; resume if cut."""

    receipt_ready = Signal(object)  # app.services.receipts.Receipt, to print

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        exchanges: ExchangeService | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("exchangeDialog")
        self.setWindowTitle(self.tr("Exchange a damaged card"))
        # the composition root gives the counter its exchange service (``Counter.exchanges``)
        self.exchanges: ExchangeService | None = exchanges or getattr(
            ctx.counter, "exchanges", None
        )
        self.old: OldCard | None = None
        self.status: ExchangeStatus | None = None  # the exchange under way
        self.approval_dialog: ApprovalDialog | None = None

        # step 1
        self.read_button = self.make_button(self.tr("&Read the damaged card"), self.read_old)
        self.old_card = QLabel("—", self)
        self.old_card.setObjectName("oldCard")
        self.old_balance = QLabel("—", self)
        self.old_balance.setObjectName("oldBalance")
        self.fee = QLabel("—", self)
        self.fee_payment = QComboBox(self)
        self.fee_payment.setObjectName("feePayment")
        for method in COUNTER_PAYMENT_METHODS:
            self.fee_payment.addItem(payment_label(method), str(method))
        self.start_button = self.make_button(self.tr("&Exchange (supervisor)…"), self.start)
        self.lock_while_busy(self.fee_payment)
        old_box = QGroupBox(self.tr("1. The damaged card"), self)
        old_form = QFormLayout(old_box)
        hint = QLabel(self.tr("Put the damaged card on the reader and read it."), old_box)
        hint.setWordWrap(True)
        old_form.addRow(hint)
        old_form.addRow("", self.read_button)
        old_form.addRow(self.tr("Card:"), self.old_card)
        old_form.addRow(self.tr("Balance to move:"), self.old_balance)
        old_form.addRow(self.tr("Exchange fee:"), self.fee)
        old_form.addRow(
            form_label(self.tr("Fee paid &by:"), self.fee_payment, self), self.fee_payment
        )
        old_form.addRow("", self.start_button)

        # step 2
        self.stage_text = QLabel("", self)
        self.stage_text.setObjectName("exchangeStage")
        self.stage_text.setWordWrap(True)
        self.continue_button = self.make_button(
            self.tr("&Load onto the new card"), self.continue_exchange
        )
        new_box = QGroupBox(self.tr("2. The new card"), self)
        new_layout = QVBoxLayout(new_box)
        new_layout.addWidget(self.stage_text)
        row = QHBoxLayout()
        row.addWidget(self.continue_button)
        row.addStretch(1)
        new_layout.addLayout(row)

        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(old_box)
        layout.addWidget(new_box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.on_enter(self.fee_payment, self.start)
        order = [
            self.read_button, self.fee_payment, self.start_button, self.continue_button,
            self.close_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.setMinimumWidth(600)
        self.update_actions()
        if self.exchanges is None:
            self.say_problem(self.tr("Card exchange is not available on this counter."))
        else:
            self._look_for_unfinished()

    # -- state ---------------------------------------------------------------------------------

    def update_actions(self) -> None:
        """Read and exchange while no exchange is under way; continue one that is."""
        status = self.status
        under_way = status is not None and status.stage in {
            ExchangeStage.OLD_CARD,
            ExchangeStage.NEW_CARD,
        }
        available = self.exchanges is not None and not self.busy
        self.read_button.setEnabled(available and not under_way)
        ready = self.old is not None and self.old.unfinished is None and not under_way
        self.start_button.setEnabled(available and ready)
        self.fee_payment.setEnabled(available and ready)
        self.continue_button.setEnabled(available and under_way)
        if status is not None and status.stage is ExchangeStage.OLD_CARD:
            self.continue_button.setText(
                self.tr("&Continue with card {serial}").format(serial=status.old_serial)
            )
        else:
            self.continue_button.setText(self.tr("&Load onto the new card"))

    def _set_status(self, status: ExchangeStatus) -> None:
        self.status = status
        if status.stage in {ExchangeStage.DONE, ExchangeStage.ABANDONED}:
            self.old = None  # a next exchange starts by reading its card
        text = translated(status.template, status.params)
        self.stage_text.setText(text)
        if status.stage is ExchangeStage.DONE:
            self.say_done(text)
        elif status.stage is ExchangeStage.ABANDONED:
            self.say(text)
        else:
            self.message.clear_message()  # the step's own line says what to do next
            self.fit()
        self.update_actions()
        if self.continue_button.isEnabled():
            self.continue_button.setFocus()
        elif status.stage is ExchangeStage.DONE:
            self.close_button.setFocus()

    def _look_for_unfinished(self) -> None:
        exchanges = self.exchanges
        actor = self.ctx.session.actor
        if exchanges is None or actor is None:
            return

        def work(_token: CancelToken, _progress: Progress) -> list[ExchangeStatus]:
            return exchanges.pending(actor)

        self.run(work, self._unfinished, label=self.tr("Reading the journal"))

    def _unfinished(self, pending: list[ExchangeStatus]) -> None:
        if not pending:
            self.read_button.setFocus()
            return
        self._set_status(pending[0])
        self.say_problem(
            self.tr("The exchange of card {serial} is not finished.").format(
                serial=pending[0].old_serial
            ),
            translated(pending[0].template, pending[0].params),
        )

    # -- step 1 --------------------------------------------------------------------------------

    def read_old(self) -> None:
        """Read the damaged card: its balance, the fee, an unfinished exchange of it."""
        exchanges = self.exchanges
        actor = self.signed_in()
        if exchanges is None or actor is None:
            return
        ctx = self.ctx
        store = ctx.counter.store

        def work(_token: CancelToken, _progress: Progress) -> OldCard:
            card = ctx.open_card()
            snapshot = card.read_snapshot(record_limit=0)
            serial = snapshot.public.serial_text
            unfinished = next(
                (s for s in exchanges.pending(actor) if serial in {s.old_serial, s.new_serial}),
                None,
            )
            fee = stored_parameters.current(store).exchange_fee_fen
            return OldCard(serial, snapshot.balance_fen, fee, unfinished)

        self.old = None
        self.run(
            work,
            self._read,
            label=self.tr("Reading the damaged card"),
            on_card=True,
            on_problem=self._unreadable,
        )

    def _unreadable(self, exc: BaseException) -> None:
        if isinstance(exc, CardError):
            what = self.message_text()
            self.say_problem(
                what,
                self.tr(
                    "If the card cannot be read at all, it is not exchanged: report it lost "
                    "(with the holder's ID) and replace it after the waiting period."
                ),
            )
        self.update_actions()

    def _read(self, old: OldCard) -> None:
        self.old = old
        self.old_card.setText(old.serial)
        self.old_balance.setText(money(old.balance_fen))
        self.fee.setText(money(old.fee_fen))
        if old.unfinished is not None:
            self._set_status(old.unfinished)
            return
        self.say(
            self.tr(
                "Check the balance with the customer. Exchanging takes it off this card and "
                "blocks the card; a supervisor approves."
            )
        )
        self.update_actions()
        self.fee_payment.setFocus()

    def start(self) -> None:
        """Ask a supervisor, then take the balance off the damaged card and block it."""
        old = self.old
        if old is None or self.exchanges is None:
            return
        detail = self.tr(
            "Exchange damaged card {serial}: move its balance {amount} to a new card (fee {fee})."
        ).format(serial=old.serial, amount=money(old.balance_fen), fee=money(old.fee_fen))
        dialog = ApprovalDialog(
            self.ctx, ApprovalPurpose.EXCHANGE, detail, self, subject=old.serial
        )
        dialog.approved.connect(lambda approval: self._approved(old, approval))
        self.approval_dialog = dialog
        dialog.open()

    def _approved(self, old: OldCard, approval: Approval) -> None:
        current = self.actor_and_shift()
        exchanges = self.exchanges
        if current is None or exchanges is None:
            return
        actor, shift = current
        method = str(self.fee_payment.currentData())
        ctx = self.ctx

        def work(_token: CancelToken, _progress: Progress) -> ExchangeStatus:
            card = ctx.open_card()
            serial = card.serial.hex().upper()
            if serial != old.serial:
                raise WrongCardError(
                    "Card {found} is on the reader, not damaged card {expected}.",
                    found=serial,
                    expected=old.serial,
                )
            return exchanges.start(actor, shift.id, card, approval, method)

        self.say(self.tr("Keep the damaged card on the reader…"))
        self.run(
            work,
            self._moved_on,
            label=self.tr("Taking the balance off the damaged card"),
            on_card=True,
            on_problem=lambda exc: self._interrupted(exc, actor),
        )

    # -- step 2 and resuming -------------------------------------------------------------------

    def continue_exchange(self) -> None:
        """With the card the exchange waits for on the reader: continue it."""
        status = self.status
        exchanges = self.exchanges
        actor = self.signed_in()
        if status is None or exchanges is None or actor is None:
            return
        ctx = self.ctx
        journal = ctx.counter.journal

        def work(_token: CancelToken, _progress: Progress) -> tuple[ExchangeStatus, Receipt | None]:
            card = ctx.open_card()
            if status.stage is ExchangeStage.OLD_CARD:
                found = [
                    s for s in exchanges.resume(actor, card) if s.intent_seq == status.intent_seq
                ]
                if not found:
                    raise WrongCardError(
                        "Card {found} is on the reader, not damaged card {expected}.",
                        found=card.serial.hex().upper(),
                        expected=status.old_serial,
                    )
                now = found[0]
            else:
                now = exchanges.finish(actor, status.intent_seq, card)
            receipt = now.receipt
            return now, receipt_of(journal, receipt.record_seq) if receipt else None

        label = (
            self.tr("Continuing the exchange")
            if status.stage is ExchangeStage.OLD_CARD
            else self.tr("Loading the balance onto the new card")
        )
        self.say(self.tr("Keep the card on the reader…"))
        self.run(
            work,
            self._continued,
            label=label,
            on_card=True,
            on_problem=lambda exc: self._interrupted(exc, actor),
        )

    def _moved_on(self, status: ExchangeStatus) -> None:
        self._set_status(status)

    def _continued(self, result: tuple[ExchangeStatus, Receipt | None]) -> None:
        status, printable = result
        self._set_status(status)
        if printable is not None:
            self.receipt_ready.emit(printable)

    def _interrupted(self, exc: BaseException, actor: Actor) -> None:
        """A cut exchange: find where the journal says it stands, so the clerk can continue."""
        if not isinstance(exc, ExchangeInterruptedError) or self.exchanges is None:
            self.update_actions()
            return
        exchanges = self.exchanges
        serial = self.status.old_serial if self.status else (self.old.serial if self.old else "")
        shown = self.message_text()

        def work(_token: CancelToken, _progress: Progress) -> ExchangeStatus | None:
            return next((s for s in exchanges.pending(actor) if s.old_serial == serial), None)

        def found(status: ExchangeStatus | None) -> None:
            if status is not None:
                self._set_status(status)
            self.message.say(shown, self.message.PROBLEM)  # what happened stays in view
            self.fit()

        self.run(work, found, label=self.tr("Reading the journal"))
