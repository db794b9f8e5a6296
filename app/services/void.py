"""Void (撤销) of the last transaction of the shift: a top-up taken back off the card.

What we decided (the spec says "void of the last transaction: supervisor"):

- **What can be voided**: only a top-up (a done ``load_outcome`` paid at the counter — cash, bank
  card, WeChat, Alipay; not a balance transfer, which belongs to a replacement or an exchange),
  and only while it is the **last money transaction of the shift** (the last record of the shift
  that moved money: top-up, purchase, return, replacement, exchange or void). A voided top-up
  is therefore never followed by a second void in the same shift: once voided, the last money
  transaction is the void itself. It must be of the shift given (the clerk's open shift) and no
  older than ``Parameters.void_window_s``.
- **Who**: the clerk asks, a supervisor other than the clerk approves
  (:attr:`ApprovalPurpose.VOID`); the approval's journal record is checked.
- **The card**: the same card must be on the reader, still exactly as the top-up left it — its
  balance is the top-up's balance after and its newest load record is that top-up — so nothing
  was spent or loaded since. The amount is debited back with a purchase through the SAM
  (``purchase_intent``/``purchase_outcome``, paid by ``card_purse``, referencing the voided seq).
- **The record**: then a ``void`` record repeats the voided amount and payment method and names the
  voided seq; :data:`app.services.shifts.CASH_EFFECT` counts it −1, so the shift's expected cash
  and totals net the top-up out. Money goes back the way it came (cash from the drawer; the
  other methods are refunded through their own channel).
- **Interrupted**: a debit interrupted by a tear is settled on the next tap (recovery), and a void
  whose debit is done but whose ``void`` record is missing (a crash in between) is finished by
  :meth:`VoidService.resume`, :meth:`VoidService.reconcile` or the next :meth:`VoidService.void`
  — never debited twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.card.errors import CardCommunicationError
from app.card.session import CityCard, Sfi
from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Approval, Role
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.services.errors import RefusedError, ServiceError
from app.services.operators import ApprovalPurpose, check_approval, require
from app.services.purchase import PurchaseInterruptedError, PurchaseService, reference_of
from app.services.recovery import RecoveryService
from app.services.topup import COUNTER_PAYMENTS
from app.store import parameters as stored_parameters
from app.store.database import Store

# records that moved money in a shift (a not-done outcome carries no amount: it moved nothing)
MONEY_KINDS = (
    RecordKind.LOAD_OUTCOME,
    RecordKind.PURCHASE_OUTCOME,
    RecordKind.REFUND,
    RecordKind.REPLACEMENT,
    RecordKind.EXCHANGE,
    RecordKind.VOID,
)


class VoidInterruptedError(ServiceError):
    """The card left while the top-up was being taken back; nothing is paid back yet."""

    advice = (
        "Put the same card back on the reader: the counter checks whether the amount was "
        "taken back. Do not give any money back until it says so."
    )


@dataclass(frozen=True)
class VoidReceipt:
    """What the void receipt prints (and the money to give back)."""

    void_seq: int
    voided_seq: int
    card_serial: str
    amount_fen: int
    payment_method: str
    balance_before_fen: int
    balance_after_fen: int
    tac: bytes | None
    operator: str
    approver: str | None
    shift_id: int

    @property
    def amount(self) -> Fen:
        """The amount taken back off the card (and given back)."""
        return Fen(self.amount_fen)


class VoidService:
    """Voids of the last top-up of a shift. Qt-free."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        purchases: PurchaseService,
        recovery: RecoveryService,
        clock: Callable[[], datetime],
    ) -> None:
        self._journal = journal
        self._store = store
        self._purchases = purchases
        self._recovery = recovery
        self._clock = clock

    def last_transaction(self, actor: Actor, shift_id: int) -> JournalRecord | None:
        """The shift's last money record (what a void would be asked for), or None."""
        require(actor, Role.CLERK, "look at the shift's transactions")
        return self._last_money(shift_id)

    def void(
        self,
        actor: Actor,
        shift_id: int,
        seq: int,
        card: CityCard,
        approval: Approval | None,
    ) -> VoidReceipt:
        """Void the top-up journaled at ``seq``: take it back off ``card`` and record the void.

        Refuses (nothing written, nothing debited) unless every rule in the module docstring
        holds. :class:`VoidInterruptedError` when the card left during the debit.
        """
        require(actor, Role.CLERK, "void a transaction")
        check_approval(
            self._journal,
            approval,  # type: ignore[arg-type] # None is refused with a clear message
            actor=actor,
            purpose=ApprovalPurpose.VOID,
            now=self._clock(),
            not_by=(actor.username,),
        )
        assert approval is not None
        target = self._journal.record(seq) if isinstance(seq, int) else None
        if target is None:
            raise RefusedError("There is no record {seq!r} in the journal.", seq=seq)
        serial = target.card_serial or ""
        self._finish_unfinished(serial)  # a void a crash cut short after its debit
        earlier = self._void_of(target)
        if earlier is not None:
            raise RefusedError(
                "Record {seq} was already voided (record {void}).", seq=seq, void=earlier.seq
            )
        if target.shift_id != shift_id:
            raise RefusedError(
                "Record {seq} belongs to shift {other}, not to this shift {shift}.",
                advice="Only the last transaction of the current shift can be voided.",
                seq=seq,
                other=target.shift_id,
                shift=shift_id,
            )
        self._check_voidable(target)
        card_serial = card.serial.hex().upper()
        if card_serial != serial:
            raise RefusedError(
                "The card on the reader is {card}, not card {serial} of the top-up.",
                advice="Put the card that was topped up on the reader.",
                card=card_serial,
                serial=serial,
            )
        opened = self._journal.open_intents(serial)
        if opened:
            if any(reference_of(r).get("void") == seq for r in opened):
                # an earlier try was interrupted: settle it on the card, finish it if it happened
                self._recovery.resolve(card)
                self._finish_unfinished(serial)
                earlier = self._void_of(target)
                if earlier is not None:
                    return self.receipt(earlier)
            if self._journal.open_intents(serial):
                raise RefusedError(
                    "Card {serial} has an interrupted transaction.",
                    advice="Tap the card to settle it first.",
                    serial=serial,
                )
        self._check_card_unchanged(card, target)
        try:
            debit = self._purchases.purchase(
                actor,
                shift_id,
                card,
                target.amount_fen or 0,
                PaymentMethod.CARD_PURSE,
                reference={
                    "void": seq,
                    "approver": approval.approver,
                    "approval_seq": approval.journal_seq,
                },
                expected_balance_fen=target.balance_after_fen,
            )
        except (CardCommunicationError, PurchaseInterruptedError) as exc:
            raise VoidInterruptedError(
                "The card left the reader while the top-up was taken back ({error}).", error=exc
            ) from exc
        outcome = self._journal.record(debit.outcome_seq)
        assert outcome is not None
        return self.receipt(self._write_void(target, outcome))

    def resume(self, actor: Actor, card: CityCard) -> list[VoidReceipt]:
        """On a tap: settle the card's interrupted void debits, finish the voids that happened."""
        require(actor, Role.CLERK, "finish a void")
        serial = card.serial.hex().upper()
        if any(reference_of(r).get("void") for r in self._journal.open_intents(serial)):
            self._recovery.resolve(card)
        return [self.receipt(r) for r in self._finish_unfinished(serial)]

    def reconcile(self) -> int:
        """Write the missing void record of every void whose debit happened (at start-up)."""
        return len(self._finish_unfinished(None))

    def receipt(self, void: JournalRecord) -> VoidReceipt:
        """The receipt of a void record."""
        payload = void.payload_dict()
        approver = payload.get("approver")
        return VoidReceipt(
            void_seq=void.seq,
            voided_seq=int(payload["voided_seq"]),
            card_serial=void.card_serial or "",
            amount_fen=void.amount_fen or 0,
            payment_method=void.payment_method or "",
            balance_before_fen=void.balance_before_fen or 0,
            balance_after_fen=void.balance_after_fen or 0,
            tac=void.tac,
            operator=void.operator or "",
            approver=approver if isinstance(approver, str) else None,
            shift_id=void.shift_id or 0,
        )

    # -- rules -------------------------------------------------------------------------------

    def _last_money(self, shift_id: int) -> JournalRecord | None:
        found = [
            r
            for kind in MONEY_KINDS
            for r in self._journal.shift_records(shift_id, kind)
            if r.amount_fen is not None
        ]
        return max(found, key=lambda r: r.seq, default=None)

    def _check_voidable(self, target: JournalRecord) -> None:
        intent = self._journal.record(target.intent_seq or 0)
        if (
            target.kind != RecordKind.LOAD_OUTCOME
            or target.payload_dict().get("outcome") != Outcome.DONE
            or target.payment_method not in COUNTER_PAYMENTS
            or intent is None
            or reference_of(intent)
        ):
            raise RefusedError(
                "Record {seq} is not a top-up; only a top-up can be voided.",
                advice="A return, replacement or exchange is not undone by a void.",
                seq=target.seq,
            )
        last = self._last_money(target.shift_id or 0)
        if last is None or last.seq != target.seq:
            raise RefusedError(
                "Top-up {seq} is not the last transaction of the shift (record {last} is).",
                advice="Only the last transaction of the shift can be voided.",
                seq=target.seq,
                last=last.seq if last else None,
            )
        window = stored_parameters.current(self._store).void_window_s
        if self._clock() - target.at > timedelta(seconds=window):
            raise RefusedError(
                "Top-up {seq} is more than {minutes} minutes old; it can no longer be voided.",
                advice="Refund the card instead (card return), or call the supervisor.",
                seq=target.seq,
                minutes=window // 60,
            )

    def _check_card_unchanged(self, card: CityCard, target: JournalRecord) -> None:
        balance = card.get_balance()
        if balance != target.balance_after_fen:
            raise RefusedError(
                "Card {serial} holds {balance}, not the {after} the top-up left: it was used "
                "since, so the top-up cannot be voided.",
                advice="Refund the card instead (card return), or call the supervisor.",
                serial=target.card_serial,
                balance=Fen(balance).yuan_text(),
                after=Fen(target.balance_after_fen or 0).yuan_text(),
            )
        newest = next(iter(card.read_records(Sfi.LOADS, 1)), None)
        if newest is None or newest.amount_fen != target.amount_fen:
            raise RefusedError(
                "Card {serial} was loaded again since top-up {seq}; it cannot be voided.",
                advice="Refund the card instead (card return), or call the supervisor.",
                serial=target.card_serial,
                seq=target.seq,
            )

    # -- the void record ---------------------------------------------------------------------

    def _void_of(self, target: JournalRecord) -> JournalRecord | None:
        return next(
            (
                r
                for r in self._journal.card_records(target.card_serial or "", RecordKind.VOID)
                if r.payload_dict().get("voided_seq") == target.seq
            ),
            None,
        )

    def _finish_unfinished(self, card_serial: str | None) -> list[JournalRecord]:
        """Void records for done void debits that have none (of one card, or all)."""
        if card_serial is None:
            intents = self._journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
            outcomes = self._journal.records_of_kinds(RecordKind.PURCHASE_OUTCOME)
        else:
            intents = self._journal.card_records(card_serial, RecordKind.PURCHASE_INTENT)
            outcomes = self._journal.card_records(card_serial, RecordKind.PURCHASE_OUTCOME)
        voids = {i.seq: reference_of(i).get("void") for i in intents}
        written = []
        for outcome in outcomes:
            voided_seq = voids.get(outcome.intent_seq or 0)
            if not isinstance(voided_seq, int):
                continue
            if outcome.payload_dict().get("outcome") != Outcome.DONE:
                continue
            target = self._journal.record(voided_seq)
            if target is None or self._void_of(target) is not None:
                continue
            written.append(self._write_void(target, outcome))
        return written

    def _write_void(self, target: JournalRecord, debit: JournalRecord) -> JournalRecord:
        intent = self._journal.record(debit.intent_seq or 0)
        reference = reference_of(intent) if intent else {}
        return self._journal.append(
            Entry(
                RecordKind.VOID,
                operator=debit.operator,
                shift_id=target.shift_id,
                card_serial=target.card_serial,
                amount_fen=target.amount_fen,
                payment_method=target.payment_method,
                balance_before_fen=debit.balance_before_fen,
                balance_after_fen=debit.balance_after_fen,
                tac=debit.tac,
                payload={
                    "voided_seq": target.seq,
                    "voided_intent_seq": target.intent_seq,
                    "purchase_seq": debit.seq,
                    "approver": reference.get("approver"),
                    "approval_seq": reference.get("approval_seq"),
                },
            )
        )
