"""Void (撤销) and reprint (重印) of the last transaction, each approved by a supervisor.

The dialog shows the shift's last money transaction. A void takes a top-up back off the card
(the same card on the reader, as the top-up left it) and says what to give back; if the card
leaves during it, nothing is given back until the same card returns and the void is finished. A
reprint rebuilds the receipt from the journal, marked COPY n, and journals the reprint. Any
receipt of the journal can be reprinted by its journal number; only the last top-up can be
voided (the void service's rules).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.people import Approval
from app.journal import JournalRecord, Outcome, RecordKind
from app.services.errors import RefusedError
from app.services.operators import ApprovalPurpose
from app.services.progress import CancelToken, Progress
from app.services.receipts import Receipt, receipt_for
from app.services.void import MONEY_KINDS, VoidInterruptedError, VoidReceipt, VoidService
from app.ui.approval import ApprovalDialog
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label, local_time, money, payment_label
from app.ui.flows.receipt_view import ReceiptView


class VoidReprintDialog(FlowDialog):
    """The last transaction: void it (a top-up) or reprint its receipt."""

    receipt_ready = Signal(object)  # app.services.receipts.Receipt (a void's, or a COPY)

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, voids: VoidService | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("voidReprintDialog")
        self.setWindowTitle(self.tr("Void or reprint"))
        # the composition root gives the counter its void service (``Counter.voids``)
        self.voids: VoidService | None = voids or getattr(ctx.counter, "voids", None)
        self.record: JournalRecord | None = None
        self.has_receipt = False
        self.void_interrupted = False
        self.void_receipt: VoidReceipt | None = None
        self.reprinted: Receipt | None = None
        self.approval_dialog: ApprovalDialog | None = None

        self.seq = QLineEdit(self)
        self.seq.setObjectName("journalSeq")
        self.seq.setMaxLength(12)
        self.seq.setPlaceholderText(self.tr("the last transaction"))
        self.show_button = self.make_button(self.tr("S&how"), self.look_up)
        self.what = QLabel(self.tr("Reading the shift's last transaction…"), self)
        self.what.setObjectName("transactionText")
        self.what.setWordWrap(True)
        self.lock_while_busy(self.seq)
        seq_row = QHBoxLayout()
        seq_row.addWidget(form_label(self.tr("Journal &no.:"), self.seq, self))
        seq_row.addWidget(self.seq)
        seq_row.addWidget(self.show_button)
        seq_row.addStretch(1)
        box = QGroupBox(self.tr("Transaction"), self)
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(seq_row)
        box_layout.addWidget(self.what)

        self.preview = ReceiptView(self)
        self.void_button = self.make_button(self.tr("&Void this top-up…"), self.void)
        self.reprint_button = self.make_button(self.tr("&Reprint the receipt…"), self.reprint)
        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.reprint_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        note = QLabel(
            self.tr(
                "Both need a supervisor. A void takes the top-up back off the same card, which "
                "must be on the reader unused since; a reprint is marked COPY."
            ),
            self,
        )
        note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(note)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.on_enter(self.seq, self.look_up)
        order = [
            self.seq, self.show_button, self.void_button, self.reprint_button, self.preview,
            self.close_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.setMinimumSize(640, 600)
        self.update_actions()
        self.look_up()

    def update_actions(self) -> None:
        """Void a done top-up (or finish an interrupted void); reprint what has a receipt."""
        record = self.record
        voidable = (
            record is not None
            and record.kind == RecordKind.LOAD_OUTCOME
            and record.payload_dict().get("outcome") == Outcome.DONE
            and self.voids is not None
            and self.void_receipt is None
        )
        self.void_button.setText(
            self.tr("&Finish the interrupted void")
            if self.void_interrupted
            else self.tr("&Void this top-up…")
        )
        self.void_button.setEnabled((voidable or self.void_interrupted) and not self.busy)
        self.reprint_button.setEnabled(self.has_receipt and not self.busy)

    # -- which transaction ---------------------------------------------------------------------

    def look_up(self) -> None:
        """Show the transaction typed (by journal number), or the shift's last one."""
        text = self.seq.text().strip()
        if text and not text.isdigit():
            self.say_problem(self.tr("A journal number is digits only."))
            return
        current = self.actor_and_shift()
        if current is None:
            return
        actor, shift = current
        journal = self.ctx.counter.journal
        voids = self.voids

        def work(_token: CancelToken, _progress: Progress) -> tuple[JournalRecord | None, bool]:
            if text:
                record = journal.record(int(text))
            elif voids is not None:
                record = voids.last_transaction(actor, shift.id)
            else:
                found = [
                    r
                    for kind in MONEY_KINDS
                    for r in journal.shift_records(shift.id, kind)
                    if r.amount_fen is not None
                ]
                record = max(found, key=lambda r: r.seq, default=None)
            if record is None:
                return None, False
            try:
                receipt_for(journal, record)
            except RefusedError:  # a record without a receipt: nothing to reprint
                return record, False
            return record, True

        self.run(work, self._found, label=self.tr("Reading the journal"))

    def _found(self, found: tuple[JournalRecord | None, bool]) -> None:
        record, has_receipt = found
        self.record, self.has_receipt = record, has_receipt
        self.void_receipt = None
        self.void_interrupted = False
        self.preview.show_receipt(None)
        if record is None:
            self.what.setText(
                self.tr("No transaction: this shift has not moved any money yet.")
                if not self.seq.text().strip()
                else self.tr("There is no record with that journal number.")
            )
        else:
            if not self.seq.text().strip():
                self.seq.setPlaceholderText(str(record.seq))
            self.what.setText(self.describe_record(record))
        self.message.clear_message()
        self.update_actions()
        if self.void_button.isEnabled():
            self.void_button.setFocus()
        elif self.reprint_button.isEnabled():
            self.reprint_button.setFocus()

    def describe_record(self, record: JournalRecord) -> str:
        """One line about the transaction."""
        names: dict[str, str] = {
            RecordKind.LOAD_OUTCOME: self.tr("Top-up"),
            RecordKind.PURCHASE_OUTCOME: self.tr("Purchase"),
            RecordKind.REFUND: self.tr("Card return"),
            RecordKind.REPLACEMENT: self.tr("Replacement"),
            RecordKind.EXCHANGE: self.tr("Card exchange"),
            RecordKind.VOID: self.tr("Void"),
        }
        return self.tr(
            "No. {seq}, {time}: {what} of {amount} on card {card}, paid by {method}, by {who}."
        ).format(
            seq=record.seq,
            time=local_time(record.at),
            what=names.get(record.kind, record.kind),
            amount=money(record.amount_fen) or "—",
            card=record.card_serial or "—",
            method=payment_label(record.payment_method) or "—",
            who=record.operator or "—",
        )

    # -- void ----------------------------------------------------------------------------------

    def void(self) -> None:
        """Ask a supervisor, then take the top-up back off the card on the reader."""
        if self.void_interrupted:
            self._resume_void()
            return
        record = self.record
        if record is None or self.voids is None:
            return
        detail = self.tr(
            "Void top-up no. {seq}: take {amount} back off card {card} and give it back."
        ).format(seq=record.seq, amount=money(record.amount_fen), card=record.card_serial)
        self._approve(ApprovalPurpose.VOID, detail, record, self._void_approved)

    def _approve(
        self,
        purpose: str,
        detail: str,
        record: JournalRecord,
        then: Callable[[JournalRecord, Approval], None],
    ) -> None:
        dialog = ApprovalDialog(self.ctx, purpose, detail, self, subject=str(record.seq))
        dialog.approved.connect(lambda approval: then(record, approval))
        self.approval_dialog = dialog
        dialog.open()

    def _void_approved(self, record: JournalRecord, approval: Approval) -> None:
        current = self.actor_and_shift()
        voids = self.voids
        if current is None or voids is None:
            return
        actor, shift = current
        ctx = self.ctx
        journal = ctx.counter.journal

        def work(_token: CancelToken, _progress: Progress) -> tuple[VoidReceipt, Receipt | None]:
            card = ctx.open_card()
            receipt = voids.void(actor, shift.id, record.seq, card, approval)
            printable = journal.record(receipt.void_seq)
            return receipt, receipt_for(journal, printable) if printable else None

        self.say(self.tr("Keep the card on the reader…"))
        self.run(
            work,
            lambda result: self._voided([result]),
            label=self.tr("Voiding the top-up"),
            on_card=True,
            on_problem=self._void_problem,
        )

    def _void_problem(self, exc: BaseException) -> None:
        if isinstance(exc, VoidInterruptedError):
            self.void_interrupted = True
        self.update_actions()

    def _resume_void(self) -> None:
        actor = self.signed_in()
        voids = self.voids
        if actor is None or voids is None:
            return
        ctx = self.ctx
        journal = ctx.counter.journal

        def work(
            _token: CancelToken, _progress: Progress
        ) -> list[tuple[VoidReceipt, Receipt | None]]:
            card = ctx.open_card()
            results = []
            for receipt in voids.resume(actor, card):
                printable = journal.record(receipt.void_seq)
                results.append((receipt, receipt_for(journal, printable) if printable else None))
            return results

        self.run(
            work,
            self._voided,
            label=self.tr("Finishing the void"),
            on_card=True,
            on_problem=self._void_problem,
        )

    def _voided(self, results: list[tuple[VoidReceipt, Receipt | None]]) -> None:
        if not results:
            self.void_interrupted = False
            self.say_problem(
                self.tr("The amount was not taken back off the card: nothing is voided."),
                self.tr("Nothing is given back. Void again if the customer still wants it."),
            )
            self.update_actions()
            return
        receipt, printable = results[-1]
        self.void_interrupted = False
        self.void_receipt = receipt
        self.say_done(
            self.tr(
                "Top-up no. {seq} is voided: {amount} was taken back off card {card} (balance "
                "now {balance}). Give the customer {amount} back ({method})."
            ).format(
                seq=receipt.voided_seq,
                amount=money(receipt.amount_fen),
                card=receipt.card_serial,
                balance=money(receipt.balance_after_fen),
                method=payment_label(receipt.payment_method),
            )
        )
        self.preview.show_receipt(printable)
        self.update_actions()
        self.close_button.setFocus()
        for _, item in results:
            if item is not None:
                self.receipt_ready.emit(item)

    # -- reprint -------------------------------------------------------------------------------

    def reprint(self) -> None:
        """Ask a supervisor, then rebuild the receipt marked COPY n."""
        record = self.record
        if record is None or not self.has_receipt:
            return
        detail = self.tr("Reprint the receipt of journal no. {seq} (it is marked COPY).").format(
            seq=record.seq
        )
        self._approve(ApprovalPurpose.REPRINT, detail, record, self._reprint_approved)

    def _reprint_approved(self, record: JournalRecord, approval: Approval) -> None:
        current = self.actor_and_shift()
        if current is None:
            return
        actor, shift = current
        reprints = self.ctx.counter.reprints

        def work(_token: CancelToken, _progress: Progress) -> Receipt:
            return reprints.reprint(actor, shift.id, record.seq, approval)

        self.run(work, self._reprinted, label=self.tr("Reprinting the receipt"))

    def _reprinted(self, receipt: Receipt) -> None:
        self.reprinted = receipt
        self.preview.show_receipt(receipt)
        self.say_done(
            self.tr("The receipt of no. {seq} is reprinted as COPY {n}.").format(
                seq=receipt.journal_seq, n=receipt.copy_number
            )
        )
        self.close_button.setFocus()
        self.receipt_ready.emit(receipt)
