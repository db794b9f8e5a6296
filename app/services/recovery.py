"""Settling interrupted top-ups when their card comes back (card-protocol.md, "Interrupted").

On every tap the UI (or the command line) calls :meth:`RecoveryService.resolve` with the card on
the reader. Each open load intent of that card (matched by serial) is settled on the card itself
— side-effect-free INITIALIZE FOR LOAD of 0 fen for the ATC and balance, then GET TRANSACTION
PROVE or the SAM's own TAC — and its outcome journaled, with a sentence for the clerk. An intent
the card cannot settle stays open: a grey record, listed for the supervisor and synced.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.card.operations import RecoveryOutcome, recover_load
from app.card.sam import Sam
from app.card.session import CityCard
from app.domain.money import Fen
from app.journal import Journal, JournalRecord, RecordKind
from app.services.topup import authorization_from_intent, done_entry, not_done_entry


class Settlement(enum.Enum):
    """What the clerk must do about an interrupted top-up."""

    DONE = "done"  # the card has the money: give the receipt
    NOT_DONE = "not_done"  # it does not: redo the top-up or give the money back
    GREY = "grey"  # cannot tell: the supervisor decides; the center settles


@dataclass(frozen=True)
class Resolution:
    """One settled (or still grey) interrupted top-up."""

    intent_seq: int
    outcome_seq: int | None
    settlement: Settlement
    card_serial: str
    amount_fen: int
    payment_method: str | None
    balance_fen: int
    tac: bytes | None
    message: str


class RecoveryService:
    """Settles open load intents of the card on the reader."""

    def __init__(self, journal: Journal, sam: Sam) -> None:
        self._journal = journal
        self._sam = sam

    def open_intents(self, card_serial: str | None = None) -> list[JournalRecord]:
        """Open intents (grey records), all or one card's."""
        return self._journal.open_intents(card_serial)

    def resolve(self, card: CityCard) -> list[Resolution]:
        """Settle every open load intent of ``card``, oldest first."""
        serial = card.serial.hex().upper()
        loads = [
            intent
            for intent in self._journal.open_intents(serial)
            if intent.kind == RecordKind.LOAD_INTENT  # returns are finished by the refund service
        ]
        return [self._settle(card, intent) for intent in loads]

    def _settle(self, card: CityCard, intent: JournalRecord) -> Resolution:
        auth = authorization_from_intent(intent)
        found = recover_load(card, self._sam, auth)
        amount = Fen(auth.amount_fen).yuan_text()
        serial = intent.card_serial or ""
        if found.outcome is RecoveryOutcome.DONE and found.tac is not None:
            record = self._journal.append(
                done_entry(intent, auth.balance_after_fen, found.tac, recovered=True)
            )
            return Resolution(
                intent.seq,
                record.seq,
                Settlement.DONE,
                serial,
                auth.amount_fen,
                intent.payment_method,
                found.balance_fen,
                found.tac,
                f"The interrupted top-up of {amount} on card {serial} was completed: "
                "give the customer the receipt.",
            )
        if found.outcome is RecoveryOutcome.NOT_DONE:
            record = self._journal.append(
                not_done_entry(intent, found.balance_fen, found.reason, recovered=True)
            )
            return Resolution(
                intent.seq,
                record.seq,
                Settlement.NOT_DONE,
                serial,
                auth.amount_fen,
                intent.payment_method,
                found.balance_fen,
                None,
                f"The interrupted top-up of {amount} on card {serial} did not happen: the card "
                f"was not loaded. Redo the top-up, or give the customer {amount} back.",
            )
        return Resolution(
            intent.seq,
            None,
            Settlement.GREY,
            serial,
            auth.amount_fen,
            intent.payment_method,
            found.balance_fen,
            None,
            f"The card cannot tell whether the top-up of {amount} happened ({found.reason}). "
            "Keep the payment record; a supervisor settles it with the clearing center.",
        )
