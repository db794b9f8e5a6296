"""Purchase (消费) from the card's purse at the counter: intent, APDUs, outcome, receipt.

The order mirrors a top-up (:mod:`app.services.topup`), so that a purchase is never lost or
taken twice:

1. every check (amount, blacklist, blocked, balance, interrupted transactions) before the card
   is touched;
2. INITIALIZE FOR PURCHASE → [GET DATA] → MAC1 from the SAM;
3. the **intent** — everything recovery needs — is journaled and synced to disk;
4. DEBIT FOR PURCHASE; the card's MAC2 and TAC are verified by the SAM;
5. the **outcome** is journaled: done (amount, payment, balance after, MAC2, TAC) or not done.

The card pulled or the process killed between 3 and 5 leaves an open intent; the next tap of the
same card resolves it (:mod:`app.services.recovery`, :func:`app.card.operations.recover_purchase`).

The terminal transaction number (termSeq, which the purchase MAC and TAC cover) is the journal
seq the intent is about to get: it only repeats when a purchase failed before its intent was
written, that is before anything was debited. This one piece serves the damaged-card exchange
(the old card's whole balance), the void of a top-up (the amount taken back) and, next, scenic
admissions paid from the purse.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, tzinfo

from app.card.errors import CardCommunicationError
from app.card.operations import begin_purchase, finish_purchase
from app.card.psam import SamCommunicationError
from app.card.sam import PurchaseAuthorization, Sam, national_keys
from app.card.session import CityCard, PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Role
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.services.card_step import (
    SAM_COUNTER_PSAM,
    sam_seq_accounted,
    settles_intent,
)
from app.services.errors import RefusedError, ServiceError
from app.services.operators import require
from app.services.progress import CancelToken, Progress, no_progress
from app.store import blacklist
from app.store.database import Store

CARD_TIME_FORMAT = "%Y%m%d%H%M%S"
MAC_PATH_SAM = "sam"


class PurchaseInterruptedError(ServiceError):
    """The card left during DEBIT: whether it paid is not known until it comes back."""

    advice = (
        "Put the same card back on the reader: the counter will check whether the payment "
        "happened. Do not give or take anything until it says so."
    )


@dataclass(frozen=True)
class PurchaseReceipt:
    """What a purchase receipt prints (and what the service built on it needs)."""

    outcome_seq: int
    intent_seq: int
    card_serial: str
    amount_fen: int
    payment_method: str
    balance_before_fen: int
    balance_after_fen: int
    offline_atc: int
    terminal_seq: int
    tac: bytes
    terminal_id: str
    card_time: datetime
    operator: str
    shift_id: int
    recovered: bool = False

    @property
    def amount(self) -> Fen:
        """The amount debited."""
        return Fen(self.amount_fen)


def purchase_intent_entry(
    actor: Actor,
    shift_id: int,
    auth: PurchaseAuthorization,
    mac1: bytes,
    balance_before_fen: int,
    payment_method: str,
    reference: dict[str, object] | None = None,
) -> Entry:
    """The purchase intent: with the INIT answer and MAC1, everything recovery needs."""
    payload: dict[str, object] = {
        "random": auth.random.hex().upper(),
        "algorithm": int(auth.keys.algorithm),
        "key_version": auth.keys.key_version,
        "terminal_id": auth.terminal_id.hex().upper(),
        "card_time": auth.when.strftime(CARD_TIME_FORMAT),
        "transaction_type": auth.transaction_type,
        "card_data": auth.card_data.hex().upper(),
        "diversifier": auth.diversifier.hex().upper(),
        "mac_path": MAC_PATH_SAM,
    }
    if reference:
        payload["reference"] = reference
    return Entry(
        RecordKind.PURCHASE_INTENT,
        operator=actor.username,
        shift_id=shift_id,
        card_serial=auth.serial.hex().upper(),
        amount_fen=auth.amount_fen,
        payment_method=payment_method,
        balance_before_fen=balance_before_fen,
        atc=auth.offline_atc,
        terminal_seq=auth.terminal_seq,
        mac1=mac1,
        payload=payload,
    )


def authorization_from_purchase_intent(intent: JournalRecord) -> PurchaseAuthorization:
    """Rebuild the purchase authorization an intent recorded (for recovery)."""
    p = intent.payload_dict()
    if intent.kind != RecordKind.PURCHASE_INTENT or intent.card_serial is None:
        raise ValueError(f"seq {intent.seq} is not a purchase intent")
    return PurchaseAuthorization(
        serial=bytes.fromhex(intent.card_serial),
        keys=PurseKeyRef(PurseAlgorithm(int(str(p["algorithm"]))), int(str(p["key_version"]))),
        random=bytes.fromhex(str(p["random"])),
        offline_atc=int(intent.atc or 0),
        amount_fen=int(intent.amount_fen or 0),
        transaction_type=int(str(p["transaction_type"])),
        terminal_id=bytes.fromhex(str(p["terminal_id"])),
        terminal_seq=int(intent.terminal_seq or 0),
        when=datetime.strptime(str(p["card_time"]), CARD_TIME_FORMAT),
        card_data=bytes.fromhex(str(p.get("card_data") or "")),
        diversifier=bytes.fromhex(str(p.get("diversifier") or "00" * 8)),
    )


def reference_of(intent: JournalRecord) -> dict[str, object]:
    """What an intent was made for (``{"exchange": seq}``, ``{"void": seq}``, …); {} if nothing."""
    reference = intent.payload_dict().get("reference")
    return dict(reference) if isinstance(reference, dict) else {}


def purchase_done_entry(
    intent: JournalRecord, mac2: bytes | None, tac: bytes, **payload: object
) -> Entry:
    """The outcome of a purchase that happened: amount and payment repeated for the totals."""
    before = intent.balance_before_fen or 0
    return Entry(
        RecordKind.PURCHASE_OUTCOME,
        operator=intent.operator,
        shift_id=intent.shift_id,
        card_serial=intent.card_serial,
        amount_fen=intent.amount_fen,
        payment_method=intent.payment_method,
        balance_before_fen=intent.balance_before_fen,
        balance_after_fen=before - (intent.amount_fen or 0),
        atc=intent.atc,
        terminal_seq=intent.terminal_seq,
        mac2=mac2 or None,
        tac=tac,
        intent_seq=intent.seq,
        payload={"outcome": Outcome.DONE.value, **payload},
    )


def purchase_not_done_entry(
    intent: JournalRecord, balance_fen: int | None, reason: str, **payload: object
) -> Entry:
    """The outcome of a purchase that did not happen: no amount, nothing to count."""
    return Entry(
        RecordKind.PURCHASE_OUTCOME,
        operator=intent.operator,
        shift_id=intent.shift_id,
        card_serial=intent.card_serial,
        balance_after_fen=balance_fen,
        atc=intent.atc,
        terminal_seq=intent.terminal_seq,
        intent_seq=intent.seq,
        payload={"outcome": Outcome.NOT_DONE.value, "reason": reason, **payload},
    )


def receipt_from_records(
    journal: Journal, intent: JournalRecord, outcome: JournalRecord
) -> PurchaseReceipt:
    """The receipt of a done purchase, rebuilt from its intent and outcome."""
    p = intent.payload_dict()
    return PurchaseReceipt(
        outcome_seq=outcome.seq,
        intent_seq=intent.seq,
        card_serial=intent.card_serial or "",
        amount_fen=intent.amount_fen or 0,
        payment_method=intent.payment_method or "",
        balance_before_fen=intent.balance_before_fen or 0,
        balance_after_fen=outcome.balance_after_fen or 0,
        offline_atc=intent.atc or 0,
        terminal_seq=intent.terminal_seq or 0,
        tac=outcome.tac or b"",
        terminal_id=str(p.get("terminal_id") or journal.terminal_id),
        card_time=datetime.strptime(str(p["card_time"]), CARD_TIME_FORMAT),
        operator=intent.operator or "",
        shift_id=intent.shift_id or 0,
        recovered=bool(outcome.payload_dict().get("recovered")),
    )


class PurchaseService:
    """Payments from the card's purse at this counter. Qt-free."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        sam: Sam,
        clock: Callable[[], datetime],
        card_timezone: tzinfo,
        *,
        use_card_data: bool = True,
    ) -> None:
        self._journal = journal
        self._store = store
        self._sam = sam
        self._clock = clock
        self._tz = card_timezone
        self._use_card_data = use_card_data

    @property
    def takes_other_cities_cards(self) -> bool:
        """Whether the SAM reports national interoperability keys (other cities' cards pay)."""
        return bool(national_keys(self._sam))

    def purchase(
        self,
        actor: Actor,
        shift_id: int,
        card: CityCard,
        amount_fen: int,
        payment_method: str = PaymentMethod.CARD_PURSE,
        *,
        reference: dict[str, object] | None = None,
        expected_balance_fen: int | None = None,
        allow_open: Collection[int] = (),
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> PurchaseReceipt:
        """Debit ``amount_fen`` from the card on the reader; returns the receipt data.

        ``reference`` says what the purchase is for (recorded on the intent, for recovery and
        the services that resume after it); ``expected_balance_fen`` refuses a card whose balance
        is not that; ``allow_open`` lists open intents of this card that may stay open (the
        exchange's own). Raises :class:`RefusedError` before anything is written,
        :class:`PurchaseInterruptedError` when the card left during DEBIT (the intent stays open
        for recovery), and card errors (with ``advice``) when the card refused.
        """
        require(actor, Role.CLERK, "take a payment from a card")
        if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
            raise RefusedError(
                "{amount!r} is not an amount to pay from the card.", amount=amount_fen
            )
        if payment_method not in set(PaymentMethod):
            raise RefusedError("{method!r} is not a payment method.", method=payment_method)
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        serial = snapshot.public.serial_text
        self._check(snapshot.blocked, serial, snapshot.balance_fen, amount_fen, allow_open)
        if expected_balance_fen is not None and snapshot.balance_fen != expected_balance_fen:
            raise RefusedError(
                "Card {serial} holds {balance}, not the expected {expected}.",
                advice="Tap the card again; if it was used meanwhile, start over.",
                serial=serial,
                balance=Fen(snapshot.balance_fen).yuan_text(),
                expected=Fen(expected_balance_fen).yuan_text(),
            )
        if cancel is not None:
            cancel.raise_if_cancelled()
        card_time = self._clock().astimezone(self._tz).replace(tzinfo=None, microsecond=0)
        progress("authorizing")
        start = begin_purchase(
            card, self._sam, amount_fen, card_time, use_card_data=self._use_card_data
        )
        with sam_seq_accounted(self._journal, SAM_COUNTER_PSAM, start.authorization.terminal_seq):
            if start.balance_before_fen != snapshot.balance_fen:
                raise RefusedError(
                    "The card's balance changed since it was read.", advice="Tap the card again."
                )
            if cancel is not None:
                cancel.raise_if_cancelled()  # last safe point: nothing on the card yet
        progress("writing")
        intent = self._journal.append(
            purchase_intent_entry(
                actor,
                shift_id,
                start.authorization,
                start.mac1,
                start.balance_before_fen,
                str(payment_method),
                reference,
            )
        )

        def interrupted(exc: CardCommunicationError) -> ServiceError:
            if isinstance(exc, SamCommunicationError):
                return PurchaseInterruptedError(
                    "The SAM did not answer after the card was debited ({error}).", error=exc
                )
            return PurchaseInterruptedError(
                "The card left the reader while it was being debited ({error}).", error=exc
            )

        def not_done(open_intent: JournalRecord, reason: str) -> Entry:
            return purchase_not_done_entry(open_intent, snapshot.balance_fen, reason)

        with settles_intent(self._journal, [intent], not_done, interrupted):
            result = finish_purchase(card, self._sam, start)
        progress("verifying")
        outcome = self._journal.append(
            purchase_done_entry(intent, result.proof.mac, result.proof.tac)
        )
        return receipt_from_records(self._journal, intent, outcome)

    def _check(
        self,
        blocked: bool,
        serial: str,
        balance_fen: int,
        amount_fen: int,
        allow_open: Collection[int],
    ) -> None:
        listed = blacklist.lookup(self._store, serial)
        if listed is not None:
            raise RefusedError(
                "Card {serial} is on the blacklist.",  # words, never the list's reason code
                advice=(
                    "Do not take payments from this card. Keep it and follow the lost-card "
                    "procedure."
                ),
                serial=serial,
            )
        if blocked:
            raise RefusedError("Card {serial} is blocked.", serial=serial)
        pending = [r for r in self._journal.open_intents(serial) if r.seq not in allow_open]
        if pending:
            raise RefusedError(
                "Card {serial} has an interrupted transaction.",
                advice="Keep the card on the reader: the interrupted transaction is checked first.",
                serial=serial,
            )
        if amount_fen > balance_fen:
            raise RefusedError(
                "Card {serial} holds {balance}; {amount} cannot be paid from it.",
                serial=serial,
                balance=Fen(balance_fen).yuan_text(),
                amount=Fen(amount_fen).yuan_text(),
            )
