"""Top-up (圈存): checks, the journaled intent, the two card APDUs, the outcome, the receipt.

The order is what makes a top-up impossible to lose or double (product.md, card-protocol.md):

1. every check (card, blacklist, limits, ceiling) before the card is touched;
2. INITIALIZE FOR LOAD → MAC2: from the clearing center when it answers (its HSM holds the
   load master key and checks MAC1), else from the ISAM in the reader's SAM slot, whose
   offline brakes are kept inside the chip (the counter's own brakes are checked too). A
   counter without center and without ISAM refuses top-ups, saying so;
3. the **intent** — everything recovery needs, and which path gave MAC2 — is journaled and
   synced to disk;
4. CREDIT FOR LOAD; the TAC is checked by the SAM (the counter computes no MAC or TAC);
5. the **outcome** is journaled: done (amount, payment, balance after, TAC) or not done.

The card pulled or the process killed between 3 and 5 leaves an open intent; the next tap of the
same card resolves it (:mod:`app.services.recovery`) the same way whichever path gave MAC2 — the
intent holds the card time MAC2 covers. While a card has an open intent it gets no new top-up.

Online MAC2 is one attempt with a short timeout. The center's *refusal* (a blacklisted card, a
limit, a MAC1 that does not verify) refuses the top-up; the center being unreachable, failing or
answering nonsense sends the top-up to the SAM within the brakes, and the center is not asked
again for ``offline_retry_after`` seconds so that the clerk does not wait on every top-up.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from app.card.errors import CardCommunicationError
from app.card.operations import begin_load, finish_load
from app.card.psam import SamCommunicationError
from app.card.sam import LoadAuthorization, OfflineLoadRefusedError, Sam
from app.card.session import CityCard, PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardSnapshot
from app.domain.money import Fen
from app.domain.parameters import OfflineBrakes, Parameters
from app.domain.payment import PaymentMethod
from app.domain.people import Actor
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.records import to_micros
from app.services.card_step import (
    SAM_COUNTER_ISAM,
    sam_seq_accounted,
    settles_intent,
)
from app.services.eligibility import check_amount, check_card, check_transfer
from app.services.errors import RefusedError, ServiceError
from app.services.offline_tally import OfflineTally
from app.services.progress import CancelToken, Progress, no_progress
from app.store import blacklist
from app.store import parameters as stored_parameters
from app.store.database import Store
from app.sync.errors import (
    AuthError,
    BadResponseError,
    DeviceSuspendedError,
    OfflineError,
    ServerError,
)
from app.sync.errors import RefusedError as CenterRefusedError
from app.sync.models import LoadRequest, OnlineAuthorization

log = logging.getLogger(__name__)

COUNTER_PAYMENTS = frozenset(
    {PaymentMethod.CASH, PaymentMethod.BANK_CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY}
)
CARD_TIME_FORMAT = "%Y%m%d%H%M%S"
MAC_PATH_SAM = "sam"  # MAC2 from the counter's SAM (its ISAM): offline, within the brakes
MAC_PATH_CENTER = "center"  # MAC2 from the clearing center: online
OFFLINE_RETRY_AFTER_S = 60.0


class TopUpInterruptedError(ServiceError):
    """The card left during CREDIT: whether it was loaded is not known until it comes back."""

    advice = (
        "Put the same card back on the reader: the counter will check whether the top-up "
        "happened. Do not take or give back money until it says so."
    )


class PendingRecoveryError(RefusedError):
    """The card has an interrupted top-up that must be resolved first."""

    advice = "Keep the card on the reader: the interrupted top-up is checked first."


class NoOfflineTopUpError(RefusedError):
    """Neither the clearing center nor the SAM (as ISAM) can authorise this top-up."""

    advice = "Wait until the clearing center is reachable, then try again."


class CenterRefusedTopUpError(RefusedError):
    """The clearing center refused to authorise the top-up (its word is final online)."""

    advice = "Do not load this card. Tell the customer why; call the supervisor if unsure."


EVENT_STOPPED = "center_stopped_counter"  # journal notes: the center's word on this device
EVENT_RESUMED = "center_resumed_counter"


def _stopped_reason(journal: Journal) -> str | None:
    """The reason of the center's last word, when that was to stop this counter."""
    for note in reversed(journal.records_of_kinds(RecordKind.NOTE)):
        event = note.payload_dict().get("event")
        if event == EVENT_RESUMED:
            return None
        if event == EVENT_STOPPED:
            return str(note.payload_dict().get("reason") or "")
    return None


class CounterSuspendedError(RefusedError):
    """The issuer suspended or revoked this counter: no top-up, online or offline."""

    advice = (
        "Do not take the customer's money. Call the issuer's back office; the clearing center "
        "said: {reason}"
    )


class OnlineAuthorizer(Protocol):
    """Where online MAC2 comes from: the clearing center (:class:`app.sync.CenterClient`)."""

    def authorize_load(self, request: LoadRequest) -> OnlineAuthorization:
        """MAC1 checked and MAC2 made by the center, with the card time MAC2 covers."""
        ...


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
    mac_path: str = MAC_PATH_SAM  # which path gave MAC2: "center" (online) or "sam" (offline)

    @property
    def amount(self) -> Fen:
        """The amount loaded."""
        return Fen(self.amount_fen)

    @property
    def online(self) -> bool:
        """Whether the clearing center authorised this top-up (MAC2 from the center)."""
        return self.mac_path == MAC_PATH_CENTER


def intent_entry(
    actor: Actor,
    shift_id: int,
    auth: LoadAuthorization,
    mac2: bytes,
    payment_method: str,
    terminal_seq: int | None,
    reference: dict[str, object] | None = None,
    mac_path: str = MAC_PATH_SAM,
    center_authorization: int | None = None,
) -> Entry:
    """The load intent: with the INIT answer, MAC2 and its card time, everything recovery needs."""
    payload: dict[str, object] = {
        "random": auth.random.hex().upper(),
        "algorithm": int(auth.keys.algorithm),
        "key_version": auth.keys.key_version,
        "terminal_id": auth.terminal_id.hex().upper(),
        "card_time": auth.when.strftime(CARD_TIME_FORMAT),
        "mac_path": mac_path,
    }
    if center_authorization is not None:
        payload["center_authorization"] = center_authorization
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


def mac_path_of(intent: JournalRecord) -> str:
    """Which path gave the intent's MAC2 (intents written before paths were recorded: SAM)."""
    path = intent.payload_dict().get("mac_path", MAC_PATH_SAM)
    return MAC_PATH_CENTER if path == MAC_PATH_CENTER else MAC_PATH_SAM


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
    """The outcome of a load that happened: amount and payment repeated for the shift totals.

    It repeats the intent's ``mac_path`` too, so that reports can count offline top-ups from
    the outcomes alone (a recovered load included).
    """
    payload = {"mac_path": mac_path_of(intent), **payload}
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


@dataclass(frozen=True)
class _Grant:
    """MAC2 for a load, the authorization it covers and where it came from."""

    auth: LoadAuthorization
    mac2: bytes
    path: str
    center_authorization: int | None = None
    sam_seq: int | None = None  # the ISAM's load counter (offline): evidence for the center


class TopUpService:
    """Top-ups at this counter. Qt-free: the UI and the command line both drive it.

    ``center`` (the clearing center's client) gives MAC2 online; without it every top-up is
    offline (SAM, within the brakes).
    """

    def __init__(
        self,
        journal: Journal,
        store: Store,
        sam: Sam,
        clock: Callable[[], datetime],
        card_timezone: tzinfo,
        center: OnlineAuthorizer | None = None,
        *,
        offline_retry_after: float = OFFLINE_RETRY_AFTER_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._journal = journal
        self._store = store
        self._sam = sam
        self._terminal_id = sam.terminal_id  # the SAM's file 0x16: what the card is told
        self._clock = clock
        self._tz = card_timezone
        self._center = center
        self._retry_after = offline_retry_after
        self._monotonic = monotonic
        self._center_failed_at: float | None = None
        # the center's word that this counter is stopped, journaled so that a restart keeps it
        self._suspended: str | None = _stopped_reason(journal)
        self._tally = OfflineTally(journal)

    def parameters(self) -> Parameters:
        """The parameters in force."""
        return stored_parameters.current(self._store)

    @property
    def center_configured(self) -> bool:
        """Whether this counter asks a clearing center for MAC2 at all."""
        return self._center is not None

    def will_ask_center(self) -> bool:
        """Whether the next top-up asks the center first (configured, and not just failed)."""
        if self._center is None:
            return False
        failed = self._center_failed_at
        return failed is None or self._monotonic() - failed >= self._retry_after

    def check(
        self,
        snapshot: CardSnapshot,
        amount_fen: object,
        payment_method: object,
        shift_id: int,
        *,
        allow_transfer: bool = False,
    ) -> int:
        """Every check a top-up makes before touching the card; the amount when all pass.

        The offline brakes are checked here when the top-up will be offline from the start (no
        center, or the center just failed); otherwise only if the center does not answer. A
        counter the center stopped is refused here when it has no center to ask.
        """
        self._journal.check_clock()  # a clock far from the center's: refused before anything
        if self._center is None:
            self._refuse_if_suspended()
        params = self.parameters()
        serial = snapshot.public.serial_text
        listed = blacklist.lookup(self._store, serial)
        rules = check_card(snapshot, params, listed, self._clock().astimezone(self._tz).date())
        allowed = COUNTER_PAYMENTS | ({PaymentMethod.BALANCE_TRANSFER} if allow_transfer else set())
        if payment_method not in allowed:
            raise RefusedError(
                "{payment_method} is not a payment method for a top-up.",
                advice="Choose cash, bank card, WeChat or Alipay.",
                payment_method=repr(payment_method),
            )
        if payment_method == PaymentMethod.BALANCE_TRANSFER:
            # another card's settled balance: not a sale, so no sale limits and no offline
            # brakes — but still a positive amount under the balance ceiling
            amount = check_transfer(amount_fen, snapshot.balance_fen, rules)
        else:
            amount = check_amount(amount_fen, snapshot.balance_fen, rules)
        if self._journal.open_intents(serial):
            raise PendingRecoveryError("Card {serial} has an interrupted top-up.", serial=serial)
        offline_now = not self.will_ask_center() and self._suspended is None
        if payment_method != PaymentMethod.BALANCE_TRANSFER and offline_now:
            self._check_brakes(params.brakes, amount, shift_id)
        return amount

    def offline_tally(self, shift_id: int) -> tuple[int, int]:
        """The shift's offline top-ups so far: (count, amount in fen).

        Counted from the intents whose MAC2 came from the SAM, sales only (balance transfers
        are not), less those whose outcome says the card was not loaded — a top-up still open
        (grey) counts, since the card may have been loaded. Incremental (:class:`OfflineTally`):
        the cost does not grow with the shift.
        """
        return self._tally(shift_id)

    def _check_brakes(self, brakes: OfflineBrakes, amount_fen: int, shift_id: int) -> None:
        mirror = self._journal.mirror_status()
        if mirror is not None and not mirror.ok:
            brakes = brakes.without_mirror()  # one copy of the journal only: less at risk
        if amount_fen > brakes.per_load_cap_fen:
            raise RefusedError(
                "Offline top-ups are limited to {cap} each.",
                advice="Load at most {cap}, or wait until the clearing center is reachable.",
                cap=Fen(brakes.per_load_cap_fen).yuan_text(),
            )
        count, total = self.offline_tally(shift_id)
        if count >= brakes.offline_count_cap:
            raise RefusedError(
                "This shift reached its limit of {count} offline top-ups.",
                advice="Wait until the clearing center is reachable, then try again.",
                count=brakes.offline_count_cap,
            )
        if total + amount_fen > brakes.shift_offline_total_cap_fen:
            raise RefusedError(
                "This shift's offline top-ups would pass {cap}.",
                advice="Wait until the clearing center is reachable, then try again.",
                cap=Fen(brakes.shift_offline_total_cap_fen).yuan_text(),
            )
        _count, oldest_us = self._journal.pending()
        now_us = to_micros(self._clock())
        if oldest_us is not None and now_us - oldest_us > brakes.max_unsynced_age_s * 1_000_000:
            raise RefusedError(
                "This counter has not reached the clearing center for {hours} hours.",
                advice="Restore the network connection and sync before more offline top-ups.",
                hours=(now_us - oldest_us) // 3_600_000_000,
            )

    # -- MAC2 ----------------------------------------------------------------------------------

    def _refuse_if_suspended(self) -> None:
        if self._suspended is not None:
            raise CounterSuspendedError(
                "This counter is suspended — call the issuer.", reason=self._suspended
            )

    def _note_status(self, event: str, reason: str | None) -> None:
        self._journal.append(Entry(RecordKind.NOTE, payload={"event": event, "reason": reason}))

    def _authorize(
        self,
        auth: LoadAuthorization,
        snapshot: CardSnapshot,
        transfer: bool,
        transfer_from: str | None,
        shift_id: int,
    ) -> _Grant:
        """MAC2 from the center when it answers, else (unreachable) from the ISAM in its brakes.

        A counter the center stopped asks the center every time (it may have been reactivated)
        and never falls back to its SAM.
        """
        if self.will_ask_center() or (self._suspended is not None and self._center is not None):
            grant = self._ask_center(auth, snapshot, transfer_from)
            if grant is not None:
                return grant
        self._refuse_if_suspended()
        if not transfer:
            self._check_brakes(self.parameters().brakes, auth.amount_fen, shift_id)
        try:
            sam_seq, mac2 = self._sam.offline_load(auth)
        except OfflineLoadRefusedError as exc:
            if self._center is None:
                raise NoOfflineTopUpError(
                    "No top-up: this counter has no clearing center, and {reason}",
                    reason=str(exc),
                ) from exc
            raise NoOfflineTopUpError(
                "No top-up: the clearing center is not reachable, and {reason}", reason=str(exc)
            ) from exc
        return _Grant(auth, mac2, MAC_PATH_SAM, sam_seq=sam_seq)

    def _ask_center(
        self, auth: LoadAuthorization, snapshot: CardSnapshot, transfer_from: str | None
    ) -> _Grant | None:
        """The center's MAC2; None when it cannot be reached (offline: the SAM steps in).

        Only an unreachable or failing center (no answer, 5xx, an answer that is not the
        contract's) lets the SAM step in. Every refusal is final: the card's (4xx), and this
        counter's (401; 403 for a suspended or revoked device, remembered until restart) —
        going offline must not be a way round the center's word.
        """
        assert self._center is not None
        request = LoadRequest(
            card_serial=auth.serial.hex().upper(),
            algorithm="SM4" if auth.keys.algorithm is PurseAlgorithm.SM4 else "DES",
            key_version=auth.keys.key_version,
            amount_fen=auth.amount_fen,
            balance_fen=auth.balance_fen,
            online_atc=auth.online_atc,
            random=auth.random,
            mac1=auth.mac1,
            card_type=snapshot.public.card_type,  # information: the center has its registry
            # a balance transfer is not a sale: it names the lost card whose balance it carries
            transfer_from=transfer_from,
        )
        try:
            answer = self._center.authorize_load(request)
        except DeviceSuspendedError as exc:
            self._center_failed_at = None
            reason = str(exc.params.get("detail", exc))
            if self._suspended is None:
                self._note_status(EVENT_STOPPED, reason)
            self._suspended = reason
            log.warning("the clearing center stopped this counter: %s", exc)
            raise CounterSuspendedError(
                "This counter is suspended — call the issuer.", reason=self._suspended
            ) from exc
        except (AuthError, CenterRefusedError) as exc:
            if isinstance(exc, AuthError) and exc.status == 0:  # not enrolled: nothing was asked
                return self._center_unavailable(str(exc))
            self._center_failed_at = None  # understood and refused: final, no offline fallback
            raise CenterRefusedTopUpError(
                "The clearing center refused this top-up: {reason}", reason=str(exc)
            ) from exc
        except (OfflineError, ServerError, BadResponseError) as exc:  # unreachable or failing
            return self._center_unavailable(str(exc))
        if answer.terminal_id.upper() != auth.terminal_id.hex().upper():
            return self._center_unavailable(
                f"the center authorised terminal {answer.terminal_id}, not this one"
            )
        when = answer.card_time.astimezone(self._tz).replace(tzinfo=None, microsecond=0)
        online = dataclasses.replace(auth, when=when)
        self._center_failed_at = None
        if self._suspended is not None:  # the issuer reactivated this counter
            self._note_status(EVENT_RESUMED, None)
            self._suspended = None
        return _Grant(online, answer.mac2, MAC_PATH_CENTER, answer.authorization_id)

    def _center_unavailable(self, why: str) -> _Grant | None:
        """No MAC2 from the center (None): the top-up goes offline; the center rests a while."""
        log.warning("online MAC2 unavailable, top-up goes offline: %s", why)
        self._center_failed_at = self._monotonic()
        return None

    # -- the top-up ----------------------------------------------------------------------------

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

        Raises :class:`RefusedError` before anything is written (the center's refusal too:
        :class:`CenterRefusedTopUpError`), :class:`TopUpInterruptedError` when the card left
        during CREDIT (the intent stays open for recovery), and card errors (with ``advice``)
        when the card refused; the journal tells which happened.
        """
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        amount = self.check(
            snapshot, amount_fen, payment_method, shift_id, allow_transfer=allow_transfer
        )
        if cancel is not None:
            cancel.raise_if_cancelled()
        card_time = self._clock().astimezone(self._tz).replace(tzinfo=None, microsecond=0)
        transfer = payment_method == PaymentMethod.BALANCE_TRANSFER
        progress("authorizing")
        started = begin_load(card, amount, self._terminal_id, card_time)
        if started.balance_fen != snapshot.balance_fen:
            raise RefusedError(
                "The card's balance changed since it was read.", advice="Tap the card again."
            )
        replaces = (reference or {}).get("replaces") if transfer else None
        transfer_from = str(replaces) if replaces else None
        grant = self._authorize(started, snapshot, transfer, transfer_from, shift_id)
        if cancel is not None and grant.sam_seq is not None:
            with sam_seq_accounted(self._journal, SAM_COUNTER_ISAM, grant.sam_seq):
                cancel.raise_if_cancelled()  # last safe point: nothing on the card yet
        elif cancel is not None:
            cancel.raise_if_cancelled()  # last safe point: nothing written anywhere yet
        progress("writing")
        intent = self._journal.append(
            intent_entry(
                actor,
                shift_id,
                grant.auth,
                grant.mac2,
                payment_method,
                grant.sam_seq,
                reference,
                grant.path,
                grant.center_authorization,
            )
        )

        def interrupted(exc: CardCommunicationError) -> ServiceError:
            if isinstance(exc, SamCommunicationError):
                return TopUpInterruptedError(
                    "The SAM did not answer after the card was loaded ({reason}).",
                    reason=str(exc),
                )
            return TopUpInterruptedError(
                "The card left the reader while it was being loaded ({reason}).", reason=str(exc)
            )

        def not_done(open_intent: JournalRecord, reason: str) -> Entry:
            return not_done_entry(open_intent, snapshot.balance_fen, reason)

        with settles_intent(self._journal, [intent], not_done, interrupted):
            result = finish_load(card, self._sam, grant.auth, grant.mac2)
        progress("verifying")
        outcome = self._journal.append(done_entry(intent, result.balance_after_fen, result.tac))
        return TopUpReceipt(
            outcome_seq=outcome.seq,
            intent_seq=intent.seq,
            card_serial=snapshot.public.serial_text,
            amount_fen=amount,
            payment_method=str(payment_method),
            balance_before_fen=result.authorization.balance_fen,
            balance_after_fen=result.balance_after_fen,
            online_atc=result.authorization.online_atc,
            tac=result.tac,
            terminal_id=self._terminal_id.hex().upper(),
            card_time=result.authorization.when,
            operator=actor.username,
            shift_id=shift_id,
            mac_path=grant.path,
        )
