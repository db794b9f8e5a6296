"""Loss reports (挂失) and their cancellation (解挂); blocking a reported card when it is tapped.

A report puts the card on the local blacklist at once (no top-up anywhere on this counter from
that moment) and is journaled, which queues it for the clearing center. Cancelling needs a
supervisor. A reported card that turns up on the reader is blocked with APPLICATION BLOCK —
another city's card only where the SAM holds the national block key; otherwise it is refused
(every act checks the blacklist) and left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.card.operations import block_application
from app.card.sam import Sam, SamKeyError
from app.card.session import CityCard
from app.domain.people import Actor, Role
from app.journal import Entry, Journal, JournalRecord, RecordKind
from app.journal.records import to_micros
from app.services.errors import RefusedError
from app.services.operators import require
from app.store import blacklist, holders
from app.store import parameters as stored_parameters
from app.store.database import Store

LOSS_REASON = "loss_report"


@dataclass(frozen=True)
class LossCase:
    """A card reported lost: what the clerk and the holder are told."""

    card_serial: str
    holder_name: str
    reported_seq: int
    reported_at: datetime
    replaceable_from: datetime


@dataclass(frozen=True)
class BlockedOnTap:
    """A blacklisted card that was tapped: blocked now (or before), or refused unblocked."""

    card_serial: str
    reason: str
    journal_seq: int
    holder: holders.RegisteredHolder | None
    blocked: bool = True  # False: this SAM holds no block key for the card (another city's)


class LossService:
    """Loss reports, cancellations, and blocking reported cards on tap."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        sam: Sam,
        index_key: bytes,
        clock: Callable[[], datetime],
    ) -> None:
        self._journal = journal
        self._store = store
        self._sam = sam
        self._index_key = index_key
        self._clock = clock

    def find_holders(self, actor: Actor, query: str) -> list[holders.RegisteredHolder]:
        """Registered holders by ID number, name or card number (masked for the clerk)."""
        require(actor, Role.CLERK, "look up holders")
        return holders.find(self._store, self._index_key, query)

    def holder_of(self, card_serial: str) -> holders.RegisteredHolder | None:
        """The registered holder of a card (None: an anonymous card)."""
        return holders.holder_of(self._store, card_serial.strip().upper())

    def holder_id_matches(self, card_serial: str, id_number: str) -> bool:
        """Whether ``id_number`` is the registered holder's (before money goes out)."""
        serial = card_serial.strip().upper()
        return holders.id_number_matches(self._store, self._index_key, serial, id_number.strip())

    def report_loss(
        self, actor: Actor, shift_id: int, card_serial: str, id_number: str
    ) -> LossCase:
        """Report a registered card lost after the holder proved who they are (ID number)."""
        require(actor, Role.CLERK, "report a card lost")
        serial = card_serial.strip().upper()
        holder = holders.holder_of(self._store, serial)
        if holder is None:
            raise RefusedError(
                "Card {serial} is not registered to a holder.",
                advice=(
                    "Only registered cards can be reported lost; an anonymous card is like cash. "
                    "A card of another city is reported in its home city."
                ),
                serial=serial,
            )
        if not holders.id_number_matches(self._store, self._index_key, serial, id_number):
            raise RefusedError(
                "The ID number does not match the card's registered holder.",
                advice="Check the holder's ID document again; do not report the card.",
            )
        listed = blacklist.lookup(self._store, serial)
        if listed is not None:
            raise RefusedError("Card {serial} is already reported lost.", serial=serial)
        waiting = stored_parameters.current(self._store).replacement_waiting_days
        now = self._clock()
        record = self._journal.append(
            Entry(
                RecordKind.LOSS_REPORT,
                operator=actor.username,
                shift_id=shift_id,
                card_serial=serial,
                payload={"holder": holder.masked_name, "waiting_days": waiting},
            )
        )
        blacklist.add(self._store, serial, LOSS_REASON, to_micros(now), journal_seq=record.seq)
        return LossCase(serial, holder.masked_name, record.seq, now, now + timedelta(days=waiting))

    def cancel_loss(self, actor: Actor, shift_id: int, card_serial: str, reason: str) -> int:
        """Take a reported card off the blacklist (supervisor); returns the journal seq."""
        require(actor, Role.SUPERVISOR, "cancel a loss report")
        serial = card_serial.strip().upper()
        listed = blacklist.lookup(self._store, serial)
        if listed is None or listed.reason != LOSS_REASON:
            raise RefusedError("Card {serial} has no loss report to cancel.", serial=serial)
        if not reason.strip():
            raise RefusedError(
                "A cancellation needs a reason.", advice="Write why the card is found."
            )
        record = self._journal.append(
            Entry(
                RecordKind.LOSS_CANCEL,
                operator=actor.username,
                shift_id=shift_id,
                card_serial=serial,
                payload={"reason": reason.strip(), "report_seq": listed.journal_seq},
            )
        )
        blacklist.remove(self._store, serial)
        return record.seq

    def reconcile(self) -> int:
        """Make the blacklist say what the journal says (at start-up); the number of fixes.

        A report or cancellation is journaled before the blacklist row changes, so a crash
        between the two leaves the journal right and the store behind; the last loss record of
        each card decides.
        """
        last: dict[str, JournalRecord] = {}
        for record in self._journal.records_of_kinds(
            RecordKind.LOSS_REPORT, RecordKind.LOSS_CANCEL
        ):
            if record.card_serial:
                last[record.card_serial] = record
        fixes = 0
        for serial, record in last.items():
            listed = blacklist.lookup(self._store, serial)
            if record.kind == RecordKind.LOSS_REPORT and listed is None:
                blacklist.add(
                    self._store, serial, LOSS_REASON, record.at_us, journal_seq=record.seq
                )
                fixes += 1
            elif record.kind == RecordKind.LOSS_CANCEL and listed and listed.reason == LOSS_REASON:
                blacklist.remove(self._store, serial)
                fixes += 1
        return fixes

    def check_tapped_card(self, card: CityCard, operator: str | None = None) -> BlockedOnTap | None:
        """Block the card on the reader if it is blacklisted and not yet blocked.

        Where the SAM holds no block key for the card (another city's card, a PSAM without the
        national block key) nothing is written: the note says it was refused, not blocked.
        """
        serial = card.serial.hex().upper()
        listed = blacklist.lookup(self._store, serial)
        if listed is None:
            return None
        if card.blocked:
            seq = listed.journal_seq or 0
        else:
            try:
                block_application(card, self._sam)
            except SamKeyError:  # another city's card, no national block key: refused, as is
                holder = holders.holder_of(self._store, serial)
                return BlockedOnTap(serial, listed.reason, listed.journal_seq or 0, holder, False)
            seq = self._journal.append(
                Entry(
                    RecordKind.CARD_BLOCK,
                    operator=operator,
                    card_serial=serial,
                    payload={"reason": listed.reason, "report_seq": listed.journal_seq},
                )
            ).seq
        return BlockedOnTap(serial, listed.reason, seq, holders.holder_of(self._store, serial))
