"""Top-up (圈存): checks, the journaled intent, the two card APDUs, the outcome, the receipt.

The order is what makes a top-up impossible to lose or double (product.md, card-protocol.md):

1. every check (card, blacklist, limits, ceiling, offline brakes) before the card is touched;
2. INITIALIZE FOR LOAD → MAC1 checked and MAC2 made by the SAM;
3. the **intent** — everything recovery needs — is journaled and synced to disk;
4. CREDIT FOR LOAD; the TAC is checked;
5. the **outcome** is journaled: done (amount, payment, balance after, TAC) or not done.

The card pulled or the process killed between 3 and 5 leaves an open intent; the next tap of the
same card resolves it (:mod:`app.services.recovery`). While a card has an open intent it gets no
new top-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from app.card.errors import CardCommunicationError, CardMacError, StatusWordError
from app.card.operations import load
from app.card.sam import LoadAuthorization, Sam
from app.card.session import CityCard, PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardSnapshot
from app.domain.money import Fen
from app.domain.parameters import OfflineBrakes, Parameters
from app.domain.payment import PaymentMethod
from app.domain.people import Actor
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.records import to_micros
from app.services.eligibility import check_amount, check_card, check_transfer
from app.services.errors import RefusedError, ServiceError
from app.services.progress import CancelToken, Progress, no_progress
from app.store import blacklist
from app.store import parameters as stored_parameters
from app.store.database import Store

COUNTER_PAYMENTS = frozenset(
    {PaymentMethod.CASH, PaymentMethod.BANK_CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY}
)
CARD_TIME_FORMAT = "%Y%m%d%H%M%S"
MAC_PATH_SAM = "sam"


class TopUpInterruptedError(ServiceError):
    """The card left during CREDIT: whether it was loaded is not known until it comes back."""

    advice = (
        "Put the same card back on the reader: the counter will check whether the top-up "
        "happened. Do not take or give back money until it says so."
    )


class PendingRecoveryError(RefusedError):
    """The card has an interrupted top-up that must be resolved first."""

    advice = "Keep the card on the reader: the interrupted top-up is checked first."


@dataclass(frozen=True)
class TopUpReceipt:
    """What the receipt prints (and what the UI shows after a top-up)."""

    outcome_seq: int
    intent_seq: int
    card_serial: str
    amount_fen: int
    payment_method: str
    balance_before_fen: int
    balance_after_fen: int
    online_atc: int
    tac: bytes
    terminal_id: str
    card_time: datetime
    operator: str
    shift_id: int
    recovered: bool = False

    @property
    def amount(self) -> Fen:
        """The amount loaded."""
        return Fen(self.amount_fen)


def intent_entry(
    actor: Actor,
    shift_id: int,
    auth: LoadAuthorization,
    mac2: bytes,
    payment_method: str,
    terminal_seq: int | None,
    reference: dict[str, object] | None = None,
) -> Entry:
    """The load intent: with the INIT answer and MAC2, everything recovery needs."""
    payload: dict[str, object] = {
        "random": auth.random.hex().upper(),
        "algorithm": int(auth.keys.algorithm),
        "key_version": auth.keys.key_version,
        "terminal_id": auth.terminal_id.hex().upper(),
        "card_time": auth.when.strftime(CARD_TIME_FORMAT),
        "mac_path": MAC_PATH_SAM,
    }
    if reference:
        payload["reference"] = reference
    return Entry(
        RecordKind.LOAD_INTENT,
        operator=actor.username,
        shift_id=shift_id,
        card_serial=auth.serial.hex().upper(),
        amount_fen=auth.amount_fen,
        payment_method=payment_method,
        balance_before_fen=auth.balance_fen,
        atc=auth.online_atc,
        terminal_seq=terminal_seq,
        mac1=auth.mac1,
        mac2=mac2,
        payload=payload,
    )


def authorization_from_intent(intent: JournalRecord) -> LoadAuthorization:
    """Rebuild the load authorization an intent recorded (for recovery)."""
    p = intent.payload_dict()
    if intent.kind != RecordKind.LOAD_INTENT or intent.card_serial is None:
        raise ValueError(f"seq {intent.seq} is not a load intent")
    return LoadAuthorization(
        serial=bytes.fromhex(intent.card_serial),
        keys=PurseKeyRef(PurseAlgorithm(int(str(p["algorithm"]))), int(str(p["key_version"]))),
        random=bytes.fromhex(str(p["random"])),
        online_atc=int(intent.atc or 0),
        balance_fen=int(intent.balance_before_fen or 0),
        amount_fen=int(intent.amount_fen or 0),
        terminal_id=bytes.fromhex(str(p["terminal_id"])),
        mac1=intent.mac1 or b"",
        when=datetime.strptime(str(p["card_time"]), CARD_TIME_FORMAT),
    )


def done_entry(
    intent: JournalRecord, balance_after_fen: int, tac: bytes, **payload: object
) -> Entry:
    """The outcome of a load that happened: amount and payment repeated for the shift totals."""
    return Entry(
        RecordKind.LOAD_OUTCOME,
        operator=intent.operator,
        shift_id=intent.shift_id,
        card_serial=intent.card_serial,
        amount_fen=intent.amount_fen,
        payment_method=intent.payment_method,
        balance_before_fen=intent.balance_before_fen,
        balance_after_fen=balance_after_fen,
        atc=intent.atc,
        tac=tac,
        intent_seq=intent.seq,
        payload={"outcome": Outcome.DONE.value, **payload},
    )


def not_done_entry(
    intent: JournalRecord, balance_fen: int, reason: str, **payload: object
) -> Entry:
    """The outcome of a load that did not happen: no amount, nothing to count."""
    return Entry(
        RecordKind.LOAD_OUTCOME,
        operator=intent.operator,
        shift_id=intent.shift_id,
        card_serial=intent.card_serial,
        balance_after_fen=balance_fen,
        atc=intent.atc,
        intent_seq=intent.seq,
        payload={"outcome": Outcome.NOT_DONE.value, "reason": reason, **payload},
    )


class TopUpService:
    """Top-ups at this counter. Qt-free: the UI and the command line both drive it."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        sam: Sam,
        terminal_id: bytes,
        clock: Callable[[], datetime],
        card_timezone: tzinfo,
    ) -> None:
        self._journal = journal
        self._store = store
        self._sam = sam
        self._terminal_id = terminal_id
        self._clock = clock
        self._tz = card_timezone

    def parameters(self) -> Parameters:
        """The parameters in force."""
        return stored_parameters.current(self._store)

    def check(
        self,
        snapshot: CardSnapshot,
        amount_fen: object,
        payment_method: object,
        shift_id: int,
        *,
        allow_transfer: bool = False,
    ) -> int:
        """Every check a top-up makes before touching the card; the amount when all pass."""
        params = self.parameters()
        serial = snapshot.public.serial_text
        listed = blacklist.lookup(self._store, serial)
        rules = check_card(snapshot, params, listed, self._clock().astimezone(self._tz).date())
        allowed = COUNTER_PAYMENTS | ({PaymentMethod.BALANCE_TRANSFER} if allow_transfer else set())
        if payment_method not in allowed:
            raise RefusedError(
                f"{payment_method!r} is not a payment method for a top-up.",
                "Choose cash, bank card, WeChat or Alipay.",
            )
        if payment_method == PaymentMethod.BALANCE_TRANSFER:
            # another card's settled balance: not a sale, so no sale limits and no offline
            # brakes — but still a positive amount under the balance ceiling
            amount = check_transfer(amount_fen, snapshot.balance_fen, rules)
        else:
            amount = check_amount(amount_fen, snapshot.balance_fen, rules)
        if self._journal.open_intents(serial):
            raise PendingRecoveryError(f"Card {serial} has an interrupted top-up.")
        if payment_method != PaymentMethod.BALANCE_TRANSFER:
            self._check_brakes(params.brakes, amount, shift_id)
        return amount

    def _check_brakes(self, brakes: OfflineBrakes, amount_fen: int, shift_id: int) -> None:
        if amount_fen > brakes.per_load_cap_fen:
            cap = Fen(brakes.per_load_cap_fen).yuan_text()
            raise RefusedError(
                f"Offline top-ups are limited to {cap} each.",
                f"Load at most {cap}, or wait until the clearing center is reachable.",
            )
        offline = [
            r
            for r in self._journal.shift_records(shift_id, RecordKind.LOAD_OUTCOME)
            if r.amount_fen and r.payload_dict().get("mac_path", MAC_PATH_SAM) == MAC_PATH_SAM
        ]
        total = sum(r.amount_fen or 0 for r in offline)
        if len(offline) >= brakes.offline_count_cap:
            raise RefusedError(
                f"This shift reached its limit of {brakes.offline_count_cap} offline top-ups.",
                "Wait until the clearing center is reachable, then try again.",
            )
        if total + amount_fen > brakes.shift_offline_total_cap_fen:
            cap = Fen(brakes.shift_offline_total_cap_fen).yuan_text()
            raise RefusedError(
                f"This shift's offline top-ups would pass {cap}.",
                "Wait until the clearing center is reachable, then try again.",
            )
        _count, oldest_us = self._journal.pending()
        now_us = to_micros(self._clock())
        if oldest_us is not None and now_us - oldest_us > brakes.max_unsynced_age_s * 1_000_000:
            hours = (now_us - oldest_us) // 3_600_000_000
            raise RefusedError(
                f"This counter has not reached the clearing center for {hours} hours.",
                "Restore the network connection and sync before more offline top-ups.",
            )

    def top_up(
        self,
        actor: Actor,
        shift_id: int,
        card: CityCard,
        amount_fen: int,
        payment_method: str,
        *,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
        allow_transfer: bool = False,
        reference: dict[str, object] | None = None,
    ) -> TopUpReceipt:
        """Load ``amount_fen`` onto the card on the reader; returns the receipt data.

        Raises :class:`RefusedError` before anything is written, :class:`TopUpInterruptedError`
        when the card left during CREDIT (the intent stays open for recovery), and card errors
        (with ``advice``) when the card refused; the journal tells which happened.
        """
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        amount = self.check(
            snapshot, amount_fen, payment_method, shift_id, allow_transfer=allow_transfer
        )
        if cancel is not None:
            cancel.raise_if_cancelled()
        card_time = self._clock().astimezone(self._tz).replace(tzinfo=None, microsecond=0)
        intent: list[JournalRecord] = []

        def write_intent(auth: LoadAuthorization, mac2: bytes) -> None:
            if cancel is not None:
                cancel.raise_if_cancelled()  # last safe point: nothing written anywhere yet
            if auth.balance_fen != snapshot.balance_fen:
                raise RefusedError(
                    "The card's balance changed since it was read.", "Tap the card again."
                )
            progress("writing")
            entry = intent_entry(actor, shift_id, auth, mac2, payment_method, None, reference)
            intent.append(self._journal.append(entry))

        progress("authorizing")
        try:
            result = load(
                card, self._sam, amount, self._terminal_id, card_time, before_credit=write_intent
            )
        except CardCommunicationError as exc:
            if intent:
                raise TopUpInterruptedError(
                    f"The card left the reader while it was being loaded ({exc})."
                ) from exc
            raise  # before CREDIT: nothing happened anywhere
        except CardMacError:
            # before the intent: MAC1 failed, nothing written. After it: CREDIT succeeded but the
            # TAC does not verify — the intent stays open (grey) for the supervisor to judge.
            raise
        except StatusWordError as exc:
            if intent:  # the card refused CREDIT with a status word: it was not loaded
                self._journal.append(
                    not_done_entry(intent[0], snapshot.balance_fen, f"card refused: {exc}")
                )
            raise
        progress("verifying")
        outcome = self._journal.append(done_entry(intent[0], result.balance_after_fen, result.tac))
        return TopUpReceipt(
            outcome_seq=outcome.seq,
            intent_seq=intent[0].seq,
            card_serial=snapshot.public.serial_text,
            amount_fen=amount,
            payment_method=str(payment_method),
            balance_before_fen=result.authorization.balance_fen,
            balance_after_fen=result.balance_after_fen,
            online_atc=result.authorization.online_atc,
            tac=result.tac,
            terminal_id=self._terminal_id.hex().upper(),
            card_time=card_time,
            operator=actor.username,
            shift_id=shift_id,
        )
