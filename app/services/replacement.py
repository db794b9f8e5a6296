"""Replacement of a lost card (补卡): its settled balance onto a new stock card.

After the loss report's waiting period the clearing center knows the lost card's final balance
(every device has uploaded what the card spent). That balance is loaded onto a new card as a
top-up paid by "balance transfer", the fee is charged, and the cards are linked — the holder's
registration moves to the new card. The transfer is an ordinary load (intent before CREDIT,
recovered on the next tap); a replacement interrupted after it is finished without loading twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from app.card.session import CityCard
from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Role
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.records import to_micros
from app.services.eligibility import card_origin
from app.services.errors import RefusedError, ServiceError
from app.services.loss import LOSS_REASON
from app.services.operators import require
from app.services.topup import COUNTER_PAYMENTS, TopUpService
from app.store import blacklist, card_links
from app.store import parameters as stored_parameters
from app.store.database import Store
from app.sync.errors import RefusedError as CenterRefusedError
from app.sync.errors import SyncError

if TYPE_CHECKING:
    from app.sync.client import CenterClient

LINK_KIND = "replacement"


class CenterUnavailableError(ServiceError):
    """The clearing center cannot be asked (offline, or not configured yet)."""

    advice = (
        "The lost card's balance is only known to the clearing center. Try again when the "
        "counter is online; the holder keeps the loss report and the waiting period."
    )


@dataclass(frozen=True)
class SettledBalance:
    """A lost card's final balance, as the clearing center settled it."""

    card_serial: str
    balance_fen: int


class SettledBalances(Protocol):
    """Where settled balances come from (the clearing center's client)."""

    def settled_balance(self, card_serial: str) -> SettledBalance:
        """The settled balance of a lost card; :class:`CenterUnavailableError` when unknown."""


class NoCenter:
    """The stand-in until the counter is connected to a clearing center: it says so, plainly."""

    def settled_balance(self, card_serial: str) -> SettledBalance:
        """Always :class:`CenterUnavailableError`."""
        raise CenterUnavailableError(
            "Center unavailable: the settled balance of card {serial} cannot be fetched.",
            serial=card_serial,
        )


class CenterSettledBalances:
    """Settled balances from the clearing center, its answers put in the clerk's words."""

    def __init__(self, client: CenterClient) -> None:
        self._client = client

    def settled_balance(self, card_serial: str) -> SettledBalance:
        """The center's settled balance; CenterUnavailableError offline, RefusedError if early."""
        try:
            answer = self._client.settled_balance(card_serial)
        except CenterRefusedError as exc:  # 4xx: not reported there, still waiting, …
            raise RefusedError(
                "The clearing center cannot settle card {serial} yet: {reason}",
                advice="Check the loss report's date; replace the card once the waiting period "
                "is over.",
                serial=card_serial,
                reason=str(exc),
            ) from exc
        except SyncError as exc:  # offline, server error, unexpected answer
            raise CenterUnavailableError(
                "Center unavailable: the settled balance of card {serial} cannot be fetched "
                "({reason}).",
                serial=card_serial,
                reason=str(exc),
            ) from exc
        return SettledBalance(card_serial, answer.settled_balance_fen)


@dataclass(frozen=True)
class ReplacementReceipt:
    """What the replacement receipt prints."""

    record_seq: int
    lost_serial: str
    new_serial: str
    transferred_fen: int
    new_balance_fen: int
    fee_fen: int
    fee_payment: str
    transfer_outcome_seq: int | None


class ReplacementService:
    """Replacing lost cards."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        topups: TopUpService,
        settled: SettledBalances,
        clock: Callable[[], datetime],
    ) -> None:
        self._journal = journal
        self._store = store
        self._topups = topups
        self._settled = settled
        self._clock = clock

    def replaceable_from(self, actor: Actor, lost_serial: str) -> datetime:
        """When ``lost_serial`` may be replaced; refuses cards that are not reported lost."""
        require(actor, Role.CLERK, "replace a lost card")
        serial = lost_serial.strip().upper()
        listed = blacklist.lookup(self._store, serial)
        report = self._journal.record(listed.journal_seq) if listed and listed.journal_seq else None
        if listed is None or listed.reason != LOSS_REASON or report is None:
            raise RefusedError(
                "Card {serial} has no loss report at this counter.",
                advice="Report the card lost first (with the holder's ID); replace it after the "
                "wait.",
                serial=serial,
            )
        done = card_links.successor(self._store, serial)
        if done is not None:
            raise RefusedError(
                "Card {serial} was already replaced by card {new_serial}.",
                serial=serial,
                new_serial=done.new_serial,
            )
        days = stored_parameters.current(self._store).replacement_waiting_days
        return report.at + timedelta(days=days)

    def replace(
        self,
        actor: Actor,
        shift_id: int,
        lost_serial: str,
        new_card: CityCard,
        fee_payment: str = PaymentMethod.CASH,
    ) -> ReplacementReceipt:
        """Move the lost card's settled balance onto ``new_card``, charge the fee, link them."""
        serial = lost_serial.strip().upper()
        ready = self.replaceable_from(actor, serial)
        now = self._clock()
        if now < ready:
            raise RefusedError(
                "Card {serial} can be replaced from {ready} (UTC).",
                advice="The waiting period lets every counter upload what the lost card spent.",
                serial=serial,
                ready=f"{ready:%Y-%m-%d %H:%M}",
            )
        if fee_payment not in COUNTER_PAYMENTS:
            raise RefusedError(
                "{method} is not a payment method for the fee.", method=repr(fee_payment)
            )
        new_serial = new_card.serial.hex().upper()
        finished = self._earlier_record(serial, new_serial)
        if finished is not None:  # interrupted after the record: only the link is missing
            card_links.link(
                self._store, serial, new_serial, LINK_KIND, finished.seq, to_micros(now)
            )
            return self._receipt(finished)
        earlier = self._earlier_transfer(serial, new_serial)
        if earlier is None:
            self._check_stock_card(new_card, new_serial, serial)
        settled = self._settled.settled_balance(serial)
        outcome = earlier
        if outcome is None and settled.balance_fen > 0:
            receipt = self._topups.top_up(
                actor,
                shift_id,
                new_card,
                settled.balance_fen,
                PaymentMethod.BALANCE_TRANSFER,
                allow_transfer=True,
                reference={"replaces": serial},
            )
            outcome = self._journal.record(receipt.outcome_seq)
        fee = stored_parameters.current(self._store).replacement_fee_fen
        record = self._journal.append(
            Entry(
                RecordKind.REPLACEMENT,
                operator=actor.username,
                shift_id=shift_id,
                card_serial=new_serial,
                amount_fen=fee,
                payment_method=fee_payment,
                payload={
                    "lost_serial": serial,
                    "settled_balance_fen": settled.balance_fen,
                    "transfer_seq": outcome.seq if outcome else None,
                },
            )
        )
        card_links.link(self._store, serial, new_serial, LINK_KIND, record.seq, to_micros(now))
        return self._receipt(record)

    def _receipt(self, record: JournalRecord) -> ReplacementReceipt:
        payload = record.payload_dict()
        transfer_seq = payload.get("transfer_seq")
        transfer = self._journal.record(transfer_seq) if isinstance(transfer_seq, int) else None
        return ReplacementReceipt(
            record.seq,
            str(payload["lost_serial"]),
            record.card_serial or "",
            int(payload.get("settled_balance_fen") or 0),
            (transfer.balance_after_fen or 0) if transfer else 0,
            record.amount_fen or 0,
            record.payment_method or "",
            transfer_seq if isinstance(transfer_seq, int) else None,
        )

    def _earlier_record(self, lost_serial: str, new_serial: str) -> JournalRecord | None:
        return next(
            (
                r
                for r in self._journal.card_records(new_serial, RecordKind.REPLACEMENT)
                if r.payload_dict().get("lost_serial") == lost_serial
            ),
            None,
        )

    def _check_stock_card(self, card: CityCard, new_serial: str, lost_serial: str) -> None:
        snapshot = card.read_snapshot(record_limit=0)
        params = stored_parameters.current(self._store)
        if not card_origin(snapshot, params).home:
            raise RefusedError(
                "Card {serial} is not a stock card of this issuer.",
                advice="Use an unused card from this counter's stock.",
                serial=new_serial,
            )
        if new_serial == lost_serial:
            raise RefusedError(
                "This is the lost card itself.", advice="Put a new stock card on the reader."
            )
        if snapshot.balance_fen != 0 or card_links.predecessor(self._store, new_serial):
            raise RefusedError(
                "Card {serial} is not a new stock card (balance {balance}).",
                advice="Use an unused card from stock.",
                serial=new_serial,
                balance=Fen(snapshot.balance_fen).yuan_text(),
            )

    def _earlier_transfer(self, lost_serial: str, new_serial: str) -> JournalRecord | None:
        """A done transfer of this replacement made before an interruption (never load twice)."""
        intents = {
            r.seq: r
            for r in self._journal.card_records(new_serial, RecordKind.LOAD_INTENT)
            if r.payload_dict().get("reference") == {"replaces": lost_serial}
        }
        for outcome in self._journal.card_records(new_serial, RecordKind.LOAD_OUTCOME):
            if (
                outcome.intent_seq in intents
                and outcome.payload_dict().get("outcome") == Outcome.DONE
            ):
                return outcome
        return None
