"""Damaged-card exchange (换卡): the old card's whole balance onto a new stock card.

One supervised operation (a supervisor's approval, journaled) over two cards that are on the
reader one after the other. Every step is journaled before the next one starts, so the counter
knows what remains after a tear or a crash, anywhere — including between the two cards:

1. ``exchange_intent`` — old card, its balance as read, fee, who approved (:meth:`start`);
2. the old card's whole balance is debited by a purchase with the SAM (``purchase_intent`` →
   DEBIT FOR PURCHASE → ``purchase_outcome``, paid by ``balance_transfer``, referencing the
   exchange), then the old card is blocked (APPLICATION BLOCK, ``card_block``);
3. the new stock card is put on the reader (:meth:`finish`): the debited amount is loaded onto it
   as a balance-transfer top-up (``load_intent`` → CREDIT → ``load_outcome``, referencing the
   exchange);
4. the ``exchange`` outcome closes the intent (fee, both serials, the two transfers' seqs), and
   the store links the serials (the holder's registration moves to the new card).

Resuming (:meth:`resume`, on every tap): the old card's interrupted debit is settled on the card
(done / not done) and the debit redone only if it did not happen; the new card's interrupted load
is settled the same way and the transfer continues or finishes. The amount loaded is always the
amount the journal says was debited, a done transfer is never repeated, and an open transfer on
one card stops any other card from being loaded for the same exchange — so the new card never
gets the balance twice and the debited balance is never lost. An exchange still open is a grey
record (its intent) until it is finished.

Decisions where the spec is silent: the fee (``Parameters.exchange_fee_fen``) is counted on the
done outcome, in the intent's shift, like every outcome; an exchange whose old card was not
debited may be given up by a supervisor (:meth:`abandon`), one whose balance was taken must be
finished; the old card is blocked before the new card is loaded.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.card.errors import CardCommunicationError
from app.card.operations import block_application
from app.card.sam import Sam
from app.card.session import CityCard
from app.domain.card import CardFamily, CardSnapshot
from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Approval, Role
from app.domain.texts import fill, marked
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.records import to_micros
from app.services.errors import RefusedError, ServiceError
from app.services.operators import ApprovalPurpose, check_approval, require
from app.services.purchase import PurchaseInterruptedError, PurchaseService, reference_of
from app.services.recovery import RecoveryService, Settlement
from app.services.topup import COUNTER_PAYMENTS, TopUpInterruptedError, TopUpService
from app.store import blacklist, card_links
from app.store import parameters as stored_parameters
from app.store.database import Store

LINK_KIND = "exchange"
BLOCK_REASON = "exchange"

_NEW_CARD = marked(
    "The balance of card {old} ({amount}) is held for the exchange and the card is blocked: "
    "put the new card on the reader."
)
_OLD_CARD = marked("Put card {old} back on the reader: the exchange continues where it stopped.")
_DONE = marked(
    "Card {old} was exchanged for card {new}: {amount} moved to it. Give the customer the new "
    "card and the receipt."
)
_ABANDONED = marked("The exchange of card {old} was given up; nothing was taken from the card.")


class ExchangeInterruptedError(ServiceError):
    """A card left the reader during the exchange; nothing is lost, the exchange continues."""

    advice = (
        "Put the same card back on the reader: the counter checks what the card did and "
        "continues the exchange from there. Do not give out the new card yet."
    )


class ExchangeStage(enum.Enum):
    """Where an exchange stands."""

    OLD_CARD = "old_card"  # the old card's debit or block is not finished: it must come back
    NEW_CARD = "new_card"  # the old card is debited and blocked: a new card must be loaded
    DONE = "done"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class ExchangeReceipt:
    """What the exchange receipt prints."""

    record_seq: int  # the exchange outcome
    intent_seq: int
    old_serial: str
    new_serial: str
    transferred_fen: int
    new_balance_fen: int
    fee_fen: int
    fee_payment: str | None
    debit_seq: int | None  # the old card's purchase outcome
    transfer_seq: int | None  # the new card's load outcome
    operator: str
    approver: str | None

    @property
    def transferred(self) -> Fen:
        """The balance moved from the old card to the new one."""
        return Fen(self.transferred_fen)


@dataclass(frozen=True)
class ExchangeStatus:
    """An exchange's stage and what the clerk is told to do next."""

    intent_seq: int
    old_serial: str
    stage: ExchangeStage
    held_fen: int  # debited from the old card and not yet loaded (or the balance to move)
    new_serial: str | None
    message: str
    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    receipt: ExchangeReceipt | None = None


@dataclass(frozen=True)
class _State:
    """What the journal says of one exchange."""

    intent: JournalRecord
    debit: JournalRecord | None = None  # done purchase outcome on the old card
    debit_open: JournalRecord | None = None  # purchase intent without an outcome
    block: JournalRecord | None = None  # card_block of the old card for this exchange
    transfer: JournalRecord | None = None  # done load outcome on the new card
    transfer_open: JournalRecord | None = None  # load intent without an outcome
    outcome: JournalRecord | None = None

    @property
    def old_serial(self) -> str:
        return self.intent.card_serial or ""

    @property
    def debited(self) -> bool:
        """The old card's debit step is over: its balance was taken, or there was none.

        The block is journaled only after the debit step, so a block without a debit means
        the card held nothing by then.
        """
        if self.debit is not None:
            return True
        return self.debit_open is None and (
            not self.intent.balance_before_fen or self.block is not None
        )

    @property
    def held_fen(self) -> int:
        """What the new card gets: the debited amount (before the debit: the balance read)."""
        if self.debit is not None:
            return self.debit.amount_fen or 0
        return 0 if self.debited else self.intent.balance_before_fen or 0


class ExchangeService:
    """Damaged-card exchanges at this counter. Qt-free."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        sam: Sam,
        purchases: PurchaseService,
        topups: TopUpService,
        recovery: RecoveryService,
        clock: Callable[[], datetime],
    ) -> None:
        self._journal = journal
        self._store = store
        self._sam = sam
        self._purchases = purchases
        self._topups = topups
        self._recovery = recovery
        self._clock = clock

    # -- the operation ---------------------------------------------------------------------

    def start(
        self,
        actor: Actor,
        shift_id: int,
        old_card: CityCard,
        approval: Approval | None,
        fee_payment: str = PaymentMethod.CASH,
    ) -> ExchangeStatus:
        """Begin the exchange of the (damaged but readable) card on the reader.

        Checks the card and the supervisor's approval, journals the intent, debits the card's
        whole balance and blocks it. Returns the status (normally: put the new card on the
        reader). :class:`ExchangeInterruptedError` when the card left: tap it again
        (:meth:`resume`).
        """
        require(actor, Role.CLERK, "exchange a card")
        check_approval(
            self._journal,
            approval,  # type: ignore[arg-type] # None is refused with a clear message
            actor=actor,
            purpose=ApprovalPurpose.EXCHANGE,
            now=self._clock(),
            not_by=(actor.username,),
        )
        assert approval is not None
        fee = stored_parameters.current(self._store).exchange_fee_fen
        if fee and fee_payment not in COUNTER_PAYMENTS:
            raise RefusedError(
                "{method!r} is not a payment method for the fee.",
                advice="Choose cash, bank card, WeChat or Alipay.",
                method=fee_payment,
            )
        snapshot = old_card.read_snapshot(record_limit=0)
        serial = snapshot.public.serial_text
        self._check_old_card(snapshot, serial)
        intent = self._journal.append(
            Entry(
                RecordKind.EXCHANGE_INTENT,
                operator=actor.username,
                shift_id=shift_id,
                card_serial=serial,
                amount_fen=fee,
                payment_method=str(fee_payment) if fee else None,
                balance_before_fen=snapshot.balance_fen,
                payload={
                    "approver": approval.approver,
                    "approval_seq": approval.journal_seq,
                    "card_type": snapshot.public.card_type,
                },
            )
        )
        return self._continue_old(actor, self._state(intent), old_card, snapshot.balance_fen)

    def finish(self, actor: Actor, exchange_seq: int, new_card: CityCard) -> ExchangeStatus:
        """Load the held balance onto the new card on the reader and close the exchange.

        Idempotent: an exchange already finished answers its receipt. Refuses while the old card
        still has to come back, and a card that is not a new stock card.
        """
        require(actor, Role.CLERK, "exchange a card")
        intent = self._journal.record(exchange_seq) if isinstance(exchange_seq, int) else None
        if intent is None or intent.kind != RecordKind.EXCHANGE_INTENT:
            raise RefusedError("There is no exchange {seq!r} in the journal.", seq=exchange_seq)
        return self._continue_new(actor, self._state(intent), new_card)

    def exchange(
        self,
        actor: Actor,
        shift_id: int,
        old_card: CityCard,
        new_card: CityCard,
        approval: Approval | None,
        fee_payment: str = PaymentMethod.CASH,
    ) -> ExchangeStatus:
        """Both steps at once, for a counter with the two cards on two readers."""
        begun = self.start(actor, shift_id, old_card, approval, fee_payment)
        return self.finish(actor, begun.intent_seq, new_card)

    def resume(self, actor: Actor, card: CityCard) -> list[ExchangeStatus]:
        """Continue every unfinished exchange the tapped card takes part in.

        The old card of an open exchange: its interrupted debit is settled (and redone if it did
        not happen), then it is blocked. A new card whose transfer was interrupted: its load is
        settled, then the transfer continues and the exchange is closed.
        """
        require(actor, Role.CLERK, "exchange a card")
        serial = card.serial.hex().upper()
        statuses = []
        for state in self._open_states():
            if state.old_serial == serial:
                statuses.append(self._continue_old(actor, state, card))
            elif serial in {r.card_serial for r in (state.transfer_open, state.transfer) if r}:
                statuses.append(self._continue_new(actor, state, card))
        statuses += self._link_missing(serial)
        return statuses

    def pending(self, actor: Actor) -> list[ExchangeStatus]:
        """Every unfinished exchange and what it waits for (for the clerk's list)."""
        require(actor, Role.CLERK, "look at exchanges")
        return [self._status(state) for state in self._open_states()]

    def abandon(self, actor: Actor, exchange_seq: int, reason: str) -> ExchangeStatus:
        """Give up an exchange whose old card was not debited (supervisors only)."""
        require(actor, Role.SUPERVISOR, "give up an exchange")
        intent = self._journal.record(exchange_seq) if isinstance(exchange_seq, int) else None
        if intent is None or intent.kind != RecordKind.EXCHANGE_INTENT:
            raise RefusedError("There is no exchange {seq!r} in the journal.", seq=exchange_seq)
        state = self._state(intent)
        if state.outcome is not None:
            return self._status(state)
        if state.debit is not None or state.debit_open is not None or state.block is not None:
            raise RefusedError(
                "The balance of card {old} was already taken (or may have been), or the card "
                "blocked, for this exchange; it cannot be given up.",
                advice="Tap the old card to settle it, then finish the exchange onto a new card.",
                old=state.old_serial,
            )
        if not str(reason).strip():
            raise RefusedError("Giving up an exchange needs a reason.")
        outcome = self._journal.append(
            Entry(
                RecordKind.EXCHANGE,
                operator=actor.username,
                shift_id=intent.shift_id,
                card_serial=state.old_serial,
                intent_seq=intent.seq,
                payload={
                    "outcome": Outcome.NOT_DONE.value,
                    "reason": str(reason).strip()[:200],
                },
            )
        )
        return self._status(_State(intent, outcome=outcome))

    def reconcile(self) -> int:
        """Link the serials of finished exchanges whose link a crash lost (at start-up)."""
        fixed = 0
        for record in self._journal.records_of_kinds(RecordKind.EXCHANGE):
            payload = record.payload_dict()
            if payload.get("outcome") != Outcome.DONE or record.card_serial is None:
                continue
            if card_links.successor(self._store, record.card_serial) is None:
                self._link(record)
                fixed += 1
        return fixed

    # -- the old card ------------------------------------------------------------------------

    def _check_old_card(self, snapshot: CardSnapshot, serial: str) -> None:
        params = stored_parameters.current(self._store)
        listed = blacklist.lookup(self._store, serial)
        if listed is not None:
            raise RefusedError(
                "Card {serial} is on the blacklist.",  # words, never the list's reason code
                advice="A reported card is replaced after the waiting period, not exchanged.",
                serial=serial,
            )
        issuer = snapshot.public.issuer_code.hex().upper()
        if snapshot.family is not CardFamily.CITY_UNION or issuer not in params.issuer_codes:
            raise RefusedError(
                "Card {serial} is not one of this issuer's cards.",
                advice="Only the issuer's own cards are exchanged here.",
                serial=serial,
            )
        if params.card_type(snapshot.public.card_type) is None:
            raise RefusedError(
                "Card {serial} has card type {card_type:02X}, unknown to this counter.",
                advice="Report the card type to the supervisor.",
                serial=serial,
                card_type=snapshot.public.card_type,
            )
        if snapshot.blocked:
            raise RefusedError(
                "Card {serial} is blocked.",
                advice=(
                    "Tap it again if its exchange was interrupted; otherwise call the supervisor."
                ),
                serial=serial,
            )
        done = card_links.successor(self._store, serial)
        if done is not None:
            raise RefusedError(
                "Card {serial} was already replaced by card {new}.",
                serial=serial,
                new=done.new_serial,
            )
        if self._journal.open_intents(serial):
            raise RefusedError(
                "Card {serial} has an interrupted transaction.",
                advice="Tap the card to settle it first.",
                serial=serial,
            )

    def _continue_old(
        self, actor: Actor, state: _State, card: CityCard, balance_fen: int | None = None
    ) -> ExchangeStatus:
        """With the old card on the reader: settle, debit (once), block."""
        if state.outcome is not None:
            return self._status(state)
        try:
            if state.debit_open is not None:
                self._recovery.resolve(card)  # the interrupted debit: done or not done
                state = self._state(state.intent)
                if state.debit_open is not None:
                    raise RefusedError(
                        "Card {old} cannot tell whether its balance was taken for the exchange.",
                        advice="Keep the card; a supervisor settles it with the clearing center.",
                        old=state.old_serial,
                    )
            if not state.debited:
                self._debit(actor, state, card, balance_fen)
                state = self._state(state.intent)
            if state.block is None:
                self._block(actor, state, card)
                state = self._state(state.intent)
        except (CardCommunicationError, PurchaseInterruptedError) as exc:
            raise ExchangeInterruptedError(
                "Card {old} left the reader during the exchange ({error}).",
                old=state.old_serial,
                error=exc,
            ) from exc
        return self._status(state)

    def _debit(self, actor: Actor, state: _State, card: CityCard, balance_fen: int | None) -> None:
        """Take the card's whole balance (as it is now: a redo after a not-done debit reads it)."""
        balance = card.get_balance() if balance_fen is None else balance_fen
        if balance == 0:
            return  # nothing to take: the zero-balance exchange moves nothing
        self._purchases.purchase(
            actor,
            state.intent.shift_id or 0,
            card,
            balance,
            PaymentMethod.BALANCE_TRANSFER,
            reference={"exchange": state.intent.seq},
            expected_balance_fen=balance,
            allow_open=(state.intent.seq,),
        )

    def _block(self, actor: Actor, state: _State, card: CityCard) -> None:
        if not card.blocked:
            block_application(card, self._sam)
        self._journal.append(
            Entry(
                RecordKind.CARD_BLOCK,
                operator=actor.username,
                shift_id=state.intent.shift_id,
                card_serial=state.old_serial,
                payload={"reason": BLOCK_REASON, "exchange_seq": state.intent.seq},
            )
        )

    # -- the new card ------------------------------------------------------------------------

    def _continue_new(self, actor: Actor, state: _State, card: CityCard) -> ExchangeStatus:
        """With the new card on the reader: settle its load, load once, close, link."""
        if state.outcome is not None:
            self._link_missing(state.old_serial)
            return self._status(state)
        if not state.debited or state.block is None:
            raise RefusedError(
                "Card {old} must be on the reader first: its balance is not yet taken for the "
                "exchange, or it is not yet blocked.",
                advice="Put the old card on the reader, then the new one.",
                old=state.old_serial,
            )
        serial = card.serial.hex().upper()
        if serial == state.old_serial:
            raise RefusedError(
                "This is the old card itself.", advice="Put the new stock card on the reader."
            )
        if state.transfer is None:
            state = self._settle_open_transfer(state, card, serial)
        if state.transfer is None:
            if state.held_fen:
                self._check_stock_card(card, serial)
            try:
                self._transfer(actor, state, card)
            except (CardCommunicationError, TopUpInterruptedError) as exc:
                raise ExchangeInterruptedError(
                    "Card {new} left the reader while the balance was loaded ({error}).",
                    new=serial,
                    error=exc,
                ) from exc
            state = self._state(state.intent)
        elif state.transfer.card_serial != serial:
            raise RefusedError(
                "The balance of card {old} was already loaded onto card {new}.",
                advice="Put card {new} on the reader to finish the exchange.",
                old=state.old_serial,
                new=state.transfer.card_serial,
            )
        outcome = self._close(actor, state, serial)
        self._link(outcome)
        return self._status(self._state(state.intent))

    def _settle_open_transfer(self, state: _State, card: CityCard, serial: str) -> _State:
        opened = state.transfer_open
        if opened is None:
            return state
        if opened.card_serial != serial:
            raise RefusedError(
                "Loading the balance onto card {new} was interrupted; only that card can finish "
                "the exchange.",
                advice="Put card {new} back on the reader.",
                new=opened.card_serial,
            )
        for resolution in self._recovery.resolve(card):
            if resolution.intent_seq == opened.seq and resolution.settlement is Settlement.GREY:
                raise RefusedError(
                    "Card {new} cannot tell whether the balance was loaded.",
                    advice="Keep the card; a supervisor settles it with the clearing center.",
                    new=serial,
                )
        return self._state(state.intent)

    def _check_stock_card(self, card: CityCard, serial: str) -> None:
        snapshot = card.read_snapshot(record_limit=0)
        if snapshot.balance_fen != 0 or card_links.predecessor(self._store, serial):
            raise RefusedError(
                "Card {serial} is not a new stock card (balance {balance}).",
                advice="Use an unused card from stock.",
                serial=serial,
                balance=Fen(snapshot.balance_fen).yuan_text(),
            )

    def _transfer(self, actor: Actor, state: _State, card: CityCard) -> None:
        if not state.held_fen:
            return
        self._topups.top_up(
            actor,
            state.intent.shift_id or 0,
            card,
            state.held_fen,
            PaymentMethod.BALANCE_TRANSFER,
            allow_transfer=True,
            reference={"exchange": state.intent.seq, "replaces": state.old_serial},
        )

    def _close(self, actor: Actor, state: _State, new_serial: str) -> JournalRecord:
        intent = state.intent
        transfer = state.transfer
        payload = intent.payload_dict()
        return self._journal.append(
            Entry(
                RecordKind.EXCHANGE,
                operator=actor.username,
                shift_id=intent.shift_id,
                card_serial=state.old_serial,
                amount_fen=intent.amount_fen,
                payment_method=intent.payment_method,
                balance_before_fen=state.held_fen,
                balance_after_fen=(transfer.balance_after_fen or 0) if transfer else 0,
                intent_seq=intent.seq,
                payload={
                    "outcome": Outcome.DONE.value,
                    "new_serial": new_serial,
                    "transferred_fen": state.held_fen,
                    "debit_seq": state.debit.seq if state.debit else None,
                    "transfer_seq": transfer.seq if transfer else None,
                    "approver": payload.get("approver"),
                },
            )
        )

    def _link(self, outcome: JournalRecord) -> None:
        new_serial = str(outcome.payload_dict()["new_serial"])
        card_links.link(
            self._store,
            outcome.card_serial or "",
            new_serial,
            LINK_KIND,
            outcome.seq,
            to_micros(self._clock()),
        )

    def _link_missing(self, serial: str) -> list[ExchangeStatus]:
        """Finished exchanges of ``serial`` (old or new) whose link a crash lost: link them."""
        fixed = []
        for record in self._journal.card_records(serial, RecordKind.EXCHANGE):
            if record.payload_dict().get("outcome") != Outcome.DONE:
                continue
            if card_links.successor(self._store, serial) is None:
                self._link(record)
                intent = self._journal.record(record.intent_seq or 0)
                if intent is not None:
                    fixed.append(self._status(self._state(intent)))
        return fixed

    # -- the journal's view ------------------------------------------------------------------

    def _open_states(self) -> list[_State]:
        return [
            self._state(intent)
            for intent in self._journal.open_intents()
            if intent.kind == RecordKind.EXCHANGE_INTENT
        ]

    def _state(self, intent: JournalRecord) -> _State:
        """Everything journaled for this exchange (all of it comes after its intent)."""
        seq = intent.seq
        debits: dict[int, JournalRecord] = {}
        loads: dict[int, JournalRecord] = {}
        found: dict[str, JournalRecord | None] = {
            "debit": None, "block": None, "transfer": None, "outcome": None,
        }  # fmt: skip
        closed: set[int] = set()
        for record in self._journal.records(after=seq):
            kind = record.kind
            if kind in (RecordKind.PURCHASE_INTENT, RecordKind.LOAD_INTENT):
                if reference_of(record).get("exchange") == seq:
                    (debits if kind == RecordKind.PURCHASE_INTENT else loads)[record.seq] = record
            elif kind in (RecordKind.PURCHASE_OUTCOME, RecordKind.LOAD_OUTCOME):
                mine = debits if kind == RecordKind.PURCHASE_OUTCOME else loads
                if record.intent_seq in mine:
                    closed.add(record.intent_seq or 0)
                    if record.payload_dict().get("outcome") == Outcome.DONE:
                        slot = "debit" if kind == RecordKind.PURCHASE_OUTCOME else "transfer"
                        found[slot] = record
            elif kind == RecordKind.CARD_BLOCK:
                if record.payload_dict().get("exchange_seq") == seq:
                    found["block"] = record
            elif kind == RecordKind.EXCHANGE and record.intent_seq == seq:
                found["outcome"] = record
        debit_open = next((r for s, r in debits.items() if s not in closed), None)
        load_open = next((r for s, r in loads.items() if s not in closed), None)
        return _State(
            intent,
            debit=found["debit"],
            debit_open=debit_open,
            block=found["block"],
            transfer=found["transfer"],
            transfer_open=load_open,
            outcome=found["outcome"],
        )

    def _status(self, state: _State) -> ExchangeStatus:
        outcome = state.outcome
        values: dict[str, object] = {
            "old": state.old_serial,
            "amount": Fen(state.held_fen).yuan_text(),
        }
        if outcome is not None and outcome.payload_dict().get("outcome") == Outcome.DONE:
            receipt = self.receipt(outcome)
            values["new"] = receipt.new_serial
            values["amount"] = receipt.transferred.yuan_text()
            return ExchangeStatus(
                state.intent.seq,
                state.old_serial,
                ExchangeStage.DONE,
                0,
                receipt.new_serial,
                fill(_DONE, values),
                _DONE,
                values,
                receipt,
            )
        if outcome is not None:
            return ExchangeStatus(
                state.intent.seq,
                state.old_serial,
                ExchangeStage.ABANDONED,
                0,
                None,
                fill(_ABANDONED, values),
                _ABANDONED,
                values,
            )
        stage = ExchangeStage.NEW_CARD if state.debited and state.block else ExchangeStage.OLD_CARD
        template = _NEW_CARD if stage is ExchangeStage.NEW_CARD else _OLD_CARD
        opened = state.transfer_open or state.transfer
        return ExchangeStatus(
            state.intent.seq,
            state.old_serial,
            stage,
            state.held_fen,
            opened.card_serial if opened else None,
            fill(template, values),
            template,
            values,
        )

    def receipt(self, outcome: JournalRecord) -> ExchangeReceipt:
        """The receipt of a done exchange, from its outcome record."""
        payload = outcome.payload_dict()
        debit_seq = payload.get("debit_seq")
        transfer_seq = payload.get("transfer_seq")
        return ExchangeReceipt(
            record_seq=outcome.seq,
            intent_seq=outcome.intent_seq or 0,
            old_serial=outcome.card_serial or "",
            new_serial=str(payload.get("new_serial") or ""),
            transferred_fen=int(payload.get("transferred_fen") or 0),
            new_balance_fen=outcome.balance_after_fen or 0,
            fee_fen=outcome.amount_fen or 0,
            fee_payment=outcome.payment_method,
            debit_seq=debit_seq if isinstance(debit_seq, int) else None,
            transfer_seq=transfer_seq if isinstance(transfer_seq, int) else None,
            operator=outcome.operator or "",
            approver=payload.get("approver") if isinstance(payload.get("approver"), str) else None,
        )
