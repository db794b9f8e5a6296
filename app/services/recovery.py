"""Settling interrupted card writes when their card comes back (card-protocol.md, "Interrupted").

On every tap the UI (or the command line) calls :meth:`RecoveryService.resolve` with the card on
the reader. Each open load or purchase intent of that card (matched by serial) is settled on the
card itself and its outcome journaled, with a sentence for the clerk:

- a load: side-effect-free INITIALIZE FOR LOAD of 0 fen for the online ATC and balance, then GET
  TRANSACTION PROVE or the SAM's own TAC (:func:`app.card.operations.recover_load`);
- a purchase: side-effect-free INITIALIZE FOR PURCHASE of 0 fen for the offline ATC and balance,
  then GET TRANSACTION PROVE (MAC2 and TAC verified) or the SAM's own TAC
  (:func:`app.card.operations.recover_purchase`).

An intent the card cannot settle stays open: a grey record, listed for the supervisor and synced.
Service-level intents (a card return, a damaged-card exchange) are not card writes: the service
that opened them finishes them, after this has settled the card writes they are made of. Each
:class:`Resolution` carries the intent's ``reference`` (``{"exchange": seq}``, ``{"void": seq}``,
…) so that service knows what the settled write was for.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.card.operations import RecoveryOutcome, recover_load, recover_purchase
from app.card.sam import Sam
from app.card.session import CityCard
from app.domain.money import Fen
from app.domain.texts import fill, marked
from app.journal import Journal, JournalRecord, RecordKind
from app.services.purchase import (
    authorization_from_purchase_intent,
    purchase_done_entry,
    purchase_not_done_entry,
    reference_of,
)
from app.services.topup import authorization_from_intent, done_entry, not_done_entry

CARD_WRITE_INTENTS = (RecordKind.LOAD_INTENT, RecordKind.PURCHASE_INTENT)

_LOAD_DONE = marked(
    "The interrupted top-up of {amount} on card {serial} was completed: "
    "give the customer the receipt."
)
_LOAD_NOT_DONE = marked(
    "The interrupted top-up of {amount} on card {serial} did not happen: the card "
    "was not loaded. Redo the top-up, or give the customer {amount} back."
)
_LOAD_GREY = marked(
    "The card cannot tell whether the top-up of {amount} happened ({reason}). "
    "Keep the payment record; a supervisor settles it with the clearing center."
)
_PURCHASE_DONE = marked(
    "The interrupted payment of {amount} from card {serial} was completed: the card was debited."
)
_PURCHASE_NOT_DONE = marked(
    "The interrupted payment of {amount} from card {serial} did not happen: the card was not "
    "debited."
)
_PURCHASE_GREY = marked(
    "The card cannot tell whether the payment of {amount} happened ({reason}). "
    "Keep the card's record; a supervisor settles it with the clearing center."
)


class Settlement(enum.Enum):
    """What the clerk must do about an interrupted card write."""

    DONE = "done"  # the card has the money (load) / paid it (purchase): give the receipt
    NOT_DONE = "not_done"  # it does not: redo it, or give the money back
    GREY = "grey"  # cannot tell: the supervisor decides; the center settles


@dataclass(frozen=True)
class Resolution:
    """One settled (or still grey) interrupted card write."""

    intent_seq: int
    outcome_seq: int | None
    settlement: Settlement
    card_serial: str
    amount_fen: int
    payment_method: str | None
    balance_fen: int | None
    tac: bytes | None
    message: str
    kind: str = RecordKind.LOAD_INTENT  # the intent's kind: load_intent or purchase_intent
    reference: Mapping[str, object] = field(default_factory=dict)  # what the write was for
    template: str = ""  # ``message`` before its values, for the window to translate
    params: Mapping[str, object] = field(default_factory=dict)


def _resolution(
    intent: JournalRecord,
    outcome: JournalRecord | None,
    settlement: Settlement,
    balance_fen: int | None,
    tac: bytes | None,
    template: str,
    **params: object,
) -> Resolution:
    values = {
        "amount": Fen(intent.amount_fen or 0).yuan_text(),
        "serial": intent.card_serial or "",
        **params,
    }
    return Resolution(
        intent.seq,
        None if outcome is None else outcome.seq,
        settlement,
        intent.card_serial or "",
        intent.amount_fen or 0,
        intent.payment_method,
        balance_fen,
        tac,
        fill(template, values),
        str(intent.kind),
        reference_of(intent),
        template,
        values,
    )


class RecoveryService:
    """Settles the open load and purchase intents of the card on the reader."""

    def __init__(self, journal: Journal, sam: Sam) -> None:
        self._journal = journal
        self._sam = sam

    def open_intents(self, card_serial: str | None = None) -> list[JournalRecord]:
        """Open intents (grey records), all or one card's."""
        return self._journal.open_intents(card_serial)

    def resolve(self, card: CityCard) -> list[Resolution]:
        """Settle every open load and purchase intent of ``card``, oldest first."""
        serial = card.serial.hex().upper()
        writes = [
            intent
            for intent in self._journal.open_intents(serial)
            if intent.kind in CARD_WRITE_INTENTS  # returns, exchanges: their services finish them
        ]
        return [
            self._settle_load(card, intent)
            if intent.kind == RecordKind.LOAD_INTENT
            else self._settle_purchase(card, intent)
            for intent in writes
        ]

    def _settle_load(self, card: CityCard, intent: JournalRecord) -> Resolution:
        auth = authorization_from_intent(intent)
        found = recover_load(card, self._sam, auth)
        if found.outcome is RecoveryOutcome.DONE and found.tac is not None:
            record = self._journal.append(
                done_entry(intent, auth.balance_after_fen, found.tac, recovered=True)
            )
            return _resolution(
                intent, record, Settlement.DONE, found.balance_fen, found.tac, _LOAD_DONE
            )
        if found.outcome is RecoveryOutcome.NOT_DONE:
            record = self._journal.append(
                not_done_entry(intent, found.balance_fen, found.reason, recovered=True)
            )
            return _resolution(
                intent, record, Settlement.NOT_DONE, found.balance_fen, None, _LOAD_NOT_DONE
            )
        return _resolution(
            intent, None, Settlement.GREY, found.balance_fen, None, _LOAD_GREY, reason=found.reason
        )

    def _settle_purchase(self, card: CityCard, intent: JournalRecord) -> Resolution:
        auth = authorization_from_purchase_intent(intent)
        before = intent.balance_before_fen or 0
        found = recover_purchase(card, self._sam, auth, before)
        if found.outcome is RecoveryOutcome.DONE and found.proof is not None:
            record = self._journal.append(
                purchase_done_entry(intent, found.proof.mac, found.proof.tac, recovered=True)
            )
            after = before - auth.amount_fen
            return _resolution(
                intent, record, Settlement.DONE, after, found.proof.tac, _PURCHASE_DONE
            )
        if found.outcome is RecoveryOutcome.NOT_DONE:
            record = self._journal.append(
                purchase_not_done_entry(intent, found.balance_fen, found.reason, recovered=True)
            )
            return _resolution(
                intent, record, Settlement.NOT_DONE, found.balance_fen, None, _PURCHASE_NOT_DONE
            )
        return _resolution(
            intent,
            None,
            Settlement.GREY,
            found.balance_fen,
            None,
            _PURCHASE_GREY,
            reason=found.reason,
        )
