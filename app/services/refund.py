"""Card return and refund (退卡): block the card, pay back its balance and deposit.

The order keeps the money and the card in step, whatever is interrupted:

1. read the card; work out balance + deposit − fee; a supervisor approves above the threshold;
2. a ``refund_intent`` is journaled (amounts, the card's balance);
3. APPLICATION BLOCK: from here the card can never be used again;
4. the ``refund`` outcome is journaled (amount, paid in cash) — only now is the money paid.

Card pulled during the block: the intent stays open; the next tap of the card finishes it (the
card is blocked again if it is not) — :meth:`RefundService.resume`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.card.errors import CardCommunicationError
from app.card.operations import block_application
from app.card.sam import Sam
from app.card.session import CityCard
from app.domain.card import CardFamily
from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Approval, Role
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.services.eligibility import CounterAct, check_served_here
from app.services.errors import RefusedError, ServiceError
from app.services.operators import ApprovalPurpose, check_approval, require
from app.store import blacklist
from app.store import parameters as stored_parameters
from app.store.database import Store


class RefundInterruptedError(ServiceError):
    """The card left while it was being blocked; nothing is paid until it is back."""

    advice = "Put the same card back on the reader to finish the return. Do not pay anything yet."


@dataclass(frozen=True)
class RefundQuote:
    """What a return would pay, shown before the clerk confirms."""

    card_serial: str
    balance_fen: int
    deposit_fen: int
    fee_fen: int
    needs_approval: bool

    @property
    def amount_fen(self) -> int:
        """Balance + deposit − fee (never negative)."""
        return max(self.balance_fen + self.deposit_fen - self.fee_fen, 0)


@dataclass(frozen=True)
class RefundReceipt:
    """What the refund receipt prints."""

    outcome_seq: int
    intent_seq: int
    card_serial: str
    balance_fen: int
    deposit_fen: int
    fee_fen: int
    amount_fen: int
    operator: str
    approver: str | None

    @property
    def amount(self) -> Fen:
        """The cash paid back."""
        return Fen(self.amount_fen)


class RefundService:
    """Card returns: quote, refund (with approval above the threshold), resume after a tear."""

    def __init__(
        self, journal: Journal, store: Store, sam: Sam, clock: Callable[[], datetime]
    ) -> None:
        self._journal = journal
        self._store = store
        self._sam = sam
        self._clock = clock

    def quote(self, actor: Actor, card: CityCard) -> RefundQuote:
        """What returning the card on the reader would pay; refuses cards that cannot go back."""
        require(actor, Role.CLERK, "take a card back")
        snapshot = card.read_snapshot(record_limit=0)
        serial = snapshot.public.serial_text
        params = stored_parameters.current(self._store)
        listed = blacklist.lookup(self._store, serial)
        if listed is not None:
            raise RefusedError(
                "Card {serial} is on the blacklist.",  # words, never the list's reason code
                advice="A reported card is replaced, not returned; keep the card.",
                serial=serial,
            )
        check_served_here(snapshot, params, None, CounterAct.REFUND)
        rules = params.card_type(snapshot.public.card_type)
        if snapshot.family is not CardFamily.CITY_UNION or rules is None:
            raise RefusedError(
                "Card {serial} is not one of this issuer's card types.",
                advice="Only the issuer's own cards can be returned here.",
                serial=serial,
            )
        if snapshot.blocked:
            raise RefusedError(
                "Card {serial} is blocked.",
                advice="Tap it again if its return was interrupted; otherwise call the supervisor.",
                serial=serial,
            )
        if self._journal.open_intents(serial):
            raise RefusedError(
                "Card {serial} has an interrupted transaction.",
                advice="Tap the card to settle it first.",
                serial=serial,
            )
        total = snapshot.balance_fen + rules.deposit_fen - rules.refund_fee_fen
        return RefundQuote(
            serial,
            snapshot.balance_fen,
            rules.deposit_fen,
            rules.refund_fee_fen,
            needs_approval=total > params.refund_approval_threshold_fen,
        )

    def refund(
        self,
        actor: Actor,
        shift_id: int,
        card: CityCard,
        approval: Approval | None = None,
    ) -> RefundReceipt:
        """Take the card back: intent, block, outcome; returns what to pay and print."""
        quote = self.quote(actor, card)
        if quote.needs_approval:
            check_approval(
                self._journal,
                approval,  # type: ignore[arg-type] # None is refused with a clear message
                actor=actor,
                purpose=ApprovalPurpose.REFUND,
                now=self._clock(),
                not_by=(actor.username,),
            )
        intent = self._journal.append(
            Entry(
                RecordKind.REFUND_INTENT,
                operator=actor.username,
                shift_id=shift_id,
                card_serial=quote.card_serial,
                amount_fen=quote.amount_fen,
                payment_method=PaymentMethod.CASH,
                balance_before_fen=quote.balance_fen,
                payload={
                    "deposit_fen": quote.deposit_fen,
                    "fee_fen": quote.fee_fen,
                    "approver": approval.approver if approval else None,
                },
            )
        )
        try:
            block_application(card, self._sam)
        except CardCommunicationError as exc:
            raise RefundInterruptedError(
                "The card left the reader while being blocked ({reason}).", reason=str(exc)
            ) from exc
        return self._finish(intent, actor.username)

    def resume(self, actor: Actor, card: CityCard) -> list[RefundReceipt]:
        """Finish the card's interrupted returns (blocking it again if needed)."""
        require(actor, Role.CLERK, "finish a card return")
        serial = card.serial.hex().upper()
        open_returns = [
            r for r in self._journal.open_intents(serial) if r.kind == RecordKind.REFUND_INTENT
        ]
        if open_returns and not card.blocked:
            block_application(card, self._sam)
        return [self._finish(intent, actor.username) for intent in open_returns]

    def _finish(self, intent: JournalRecord, operator: str) -> RefundReceipt:
        payload = intent.payload_dict()
        outcome = self._journal.append(
            Entry(
                RecordKind.REFUND,
                operator=intent.operator,
                shift_id=intent.shift_id,
                card_serial=intent.card_serial,
                amount_fen=intent.amount_fen,
                payment_method=intent.payment_method,
                balance_before_fen=intent.balance_before_fen,
                balance_after_fen=0,
                intent_seq=intent.seq,
                payload={"outcome": Outcome.DONE.value, "finished_by": operator},
            )
        )
        return RefundReceipt(
            outcome_seq=outcome.seq,
            intent_seq=intent.seq,
            card_serial=intent.card_serial or "",
            balance_fen=intent.balance_before_fen or 0,
            deposit_fen=int(payload.get("deposit_fen") or 0),
            fee_fen=int(payload.get("fee_fen") or 0),
            amount_fen=intent.amount_fen or 0,
            operator=intent.operator or operator,
            approver=payload.get("approver") if isinstance(payload.get("approver"), str) else None,
        )
