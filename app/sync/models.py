"""The center's answers as frozen dataclasses, each parsed and checked from its JSON body.

Shapes follow ``clearing/openapi.json``; every ``parse_*`` raises
:class:`~app.sync.errors.BadResponseError` when the body does not match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from app.crypto.sm3 import sm3_digest
from app.sync.errors import BadResponseError
from app.sync.wire import Fields

PUBLIC_KEY_SIZE = 64
MAC_SIZE = 32
JOURNAL_KEY_SIZE = 32


def key_fingerprint(public_key: bytes) -> str:
    """First 8 bytes of SM3 of an SM2 public key, upper-case hex (as the center prints it)."""
    return sm3_digest(public_key)[:8].hex().upper()


# -- enrolment and keys -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedKey:
    """A journal MAC key the center issued to this device, already unwrapped."""

    key_id: str
    key: bytes = field(repr=False)


@dataclass(frozen=True)
class Enrolment:
    """The device's credentials from the center (the key is unwrapped with the device key)."""

    device_id: str
    terminal_id: str
    journal_key: IssuedKey
    fingerprint: str
    center_public_key: bytes
    enrolled_at: datetime
    replaces: str | None = None  # the device this one replaces (a counter PC swapped)


@dataclass(frozen=True)
class Retired:
    """The old device retired by its successor: what the center holds, and what is lost."""

    device_id: str
    replaced_by: str
    head_seq: int
    retired_at: datetime
    records_lost_after: int | None  # no copy survived: every seq after this one is lost


def parse_retired(f: Fields) -> Retired:
    """POST /v1/devices/{old}/retire."""
    return Retired(
        device_id=f.text("device_id"),
        replaced_by=f.text("replaced_by"),
        head_seq=f.integer("head_seq", 0),
        retired_at=f.when("retired_at"),
        records_lost_after=f.opt_integer("records_lost_after"),
    )


# -- journal upload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarantined:
    """A record the center set aside, and why.

    Not ``held`` (the usual case): not stored, not acknowledged; it may be sent again later.
    ``held``: stored and acknowledged (its chain and MAC verify) but kept out of the card ledger
    — a load whose TAC the center could not verify. Sending it again changes nothing.
    """

    seq: int
    reason: str
    held: bool = False


CheckpointStatus = Literal["accepted", "duplicate", "pending", "rejected"]


@dataclass(frozen=True)
class CheckpointResult:
    """What the center made of an uploaded checkpoint."""

    number: int
    status: CheckpointStatus
    reason: str | None


@dataclass(frozen=True)
class UploadResult:
    """The acknowledgement of one batch: the center holds every record up to the seq."""

    acknowledged_seq: int
    accepted: int
    duplicates: int
    quarantined: tuple[Quarantined, ...]
    checkpoint: CheckpointResult | None


@dataclass(frozen=True)
class Cursor:
    """How far the center holds this device's journal, and the key its next record must use."""

    acknowledged_seq: int
    next_key_id: str


# -- lists --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlacklistDelta:
    """Blacklist changes after ``since``: apply ``removed``, then ``added``; keep ``version``.

    ``full``: ``added`` is the whole list and replaces the local copy of the center's entries.
    """

    version: int
    since: int
    full: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class CenterCardType:
    """Top-up limits of one card type as the center publishes them."""

    code: int
    name: str
    min_top_up_fen: int
    max_top_up_fen: int
    top_up_multiple_fen: int


@dataclass(frozen=True)
class CenterOfflineBrakes:
    """What a counter may do while it cannot reach the center."""

    max_top_up_fen: int
    max_shift_total_fen: int
    max_count: int
    max_unsynced_age_seconds: int
    without_mirror_percent: int = 25
    max_clock_skew_seconds: int = 300


@dataclass(frozen=True)
class CenterParameters:
    """The parameter set in force at the center (GET /v1/parameters)."""

    version: int
    published_at: datetime
    card_types: tuple[CenterCardType, ...]
    balance_ceiling_fen: int
    replacement_fee_fen: int
    exchange_fee_fen: int
    refund_fee_fen: int
    offline: CenterOfflineBrakes
    replacement_waiting_days: int
    scenic: Mapping[str, Any] | None = None  # the ticket offices' catalogue, as published
    cities: Mapping[str, Any] | None = None  # a newer table of interoperating cities


# -- cards --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LossReport:
    """A loss report and where it stands (``created``: this call made it)."""

    id: int
    card_serial: str
    reported_by: str
    reason: str
    reported_at: datetime
    waiting_until: datetime
    status: Literal["active", "cancelled"]
    cancelled_at: datetime | None
    blacklist_version: int
    created: bool = False


@dataclass(frozen=True)
class SettledBalance:
    """The balance to move to a replacement card once the waiting period is over."""

    card_serial: str
    loss_report_id: int
    reported_at: datetime
    waiting_until: datetime
    settled_balance_fen: int
    as_of_device_id: str | None
    as_of_seq: int | None
    as_of: datetime | None


@dataclass(frozen=True)
class LedgerEntry:
    """A completed load or purchase on a card, as the center holds it."""

    device_id: str
    seq: int
    intent_seq: int
    kind: Literal["load", "purchase"]
    amount_fen: int
    payment_method: str | None
    balance_after_fen: int | None
    at: datetime


@dataclass(frozen=True)
class CardLedger:
    """A card's loads and purchases known to the center."""

    card_serial: str
    entries: tuple[LedgerEntry, ...]
    last_known_balance_fen: int | None
    loads_total_fen: int


@dataclass(frozen=True)
class LoadRequest:
    """The card's INITIALIZE FOR LOAD answer, for an online MAC2."""

    card_serial: str  # upper-case hex
    algorithm: Literal["DES", "SM4"]
    key_version: int
    amount_fen: int
    balance_fen: int
    online_atc: int
    random: bytes  # 4 bytes from the card
    mac1: bytes  # 4 bytes
    card_type: int | None = None  # information only: the center applies its registry's type
    transfer_from: str | None = None  # a balance transfer: the lost card's serial


@dataclass(frozen=True)
class OnlineAuthorization:
    """MAC2 from the center and the card time it covers (send exactly that in CREDIT FOR LOAD)."""

    authorization_id: int
    mac2: bytes
    card_time: datetime
    terminal_id: str


# -- settlement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementLine:
    """Count and sum of one kind and payment method on one business day."""

    kind: str
    payment_method: str | None
    count: int
    amount_fen: int


@dataclass(frozen=True)
class GreyRecord:
    """An intent the center holds no outcome for."""

    seq: int
    kind: str
    card_serial: str | None
    amount_fen: int | None
    payment_method: str | None
    at: datetime


@dataclass(frozen=True)
class Settlement:
    """The calling outlet's settlement of one business day (China Standard Time)."""

    date: str
    totals: tuple[SettlementLine, ...]
    grey: tuple[GreyRecord, ...]


# -- parsers ------------------------------------------------------------------------------------


def parse_upload(f: Fields) -> UploadResult:
    """POST /v1/journal/batches, 200."""
    cp = f.opt_obj("checkpoint")
    checkpoint = None
    if cp is not None:
        status = cp.text("status")
        if status not in ("accepted", "duplicate", "pending", "rejected"):
            raise BadResponseError(
                "{what}: unknown checkpoint status {status}", what=cp.what, status=repr(status)
            )
        checkpoint = CheckpointResult(
            cp.integer("number", 1), cast(CheckpointStatus, status), cp.opt_text("reason")
        )
    return UploadResult(
        acknowledged_seq=f.integer("acknowledged_seq", 0),
        accepted=f.integer("accepted", 0),
        duplicates=f.integer("duplicates", 0),
        quarantined=tuple(
            Quarantined(
                q.integer("seq", 1),
                q.text("reason"),
                q.flag("held") if "held" in q.raw() else False,  # an older center: not held
            )
            for q in f.objects("quarantined")
        ),
        checkpoint=checkpoint,
    )


def parse_cursor(f: Fields) -> Cursor:
    """GET /v1/journal/cursor."""
    return Cursor(f.integer("acknowledged_seq", 0), f.text("next_key_id"))


def parse_blacklist(f: Fields, asked_since: int) -> BlacklistDelta:
    """GET /v1/blacklist?since=N."""
    delta = BlacklistDelta(
        version=f.integer("version", 0),
        since=f.integer("since", 0),
        full=f.flag("full"),
        added=tuple(f.texts("added")),
        removed=tuple(f.texts("removed")),
    )
    if not delta.full and delta.since != asked_since:
        raise BadResponseError(
            "{what}: a delta since {since} answers a question about {asked}",
            what=f.what,
            since=delta.since,
            asked=asked_since,
        )
    if delta.full and delta.removed:
        raise BadResponseError("{what}: a full list cannot remove cards", what=f.what)
    return delta


def parse_parameters(f: Fields) -> CenterParameters:
    """GET /v1/parameters."""
    fees = f.obj("fees")
    offline = f.obj("offline")
    return CenterParameters(
        version=f.integer("version", 0),
        published_at=f.when("published_at"),
        card_types=tuple(
            CenterCardType(
                code=t.integer("code", 0),
                name=t.text("name"),
                min_top_up_fen=t.integer("min_top_up_fen", 0),
                max_top_up_fen=t.integer("max_top_up_fen", 0),
                top_up_multiple_fen=t.integer("top_up_multiple_fen", 1),
            )
            for t in f.objects("card_types")
        ),
        balance_ceiling_fen=f.integer("balance_ceiling_fen", 0),
        replacement_fee_fen=fees.integer("replacement_fen", 0),
        exchange_fee_fen=fees.integer("exchange_fen", 0),
        refund_fee_fen=fees.integer("refund_fen", 0),
        offline=CenterOfflineBrakes(
            max_top_up_fen=offline.integer("max_top_up_fen", 0),
            max_shift_total_fen=offline.integer("max_shift_total_fen", 0),
            max_count=offline.integer("max_count", 0),
            max_unsynced_age_seconds=offline.integer("max_unsynced_age_seconds", 0),
            without_mirror_percent=_or(offline.opt_integer("without_mirror_percent"), 25),
            max_clock_skew_seconds=_or(offline.opt_integer("max_clock_skew_seconds"), 300),
        ),
        replacement_waiting_days=f.integer("replacement_waiting_days", 0),
        scenic=None if (scenic := f.opt_obj("scenic")) is None else scenic.raw(),
        cities=None if (cities := f.opt_obj("cities")) is None else cities.raw(),
    )


def parse_loss_report(f: Fields, created: bool = False) -> LossReport:
    """A loss report (POST, GET or DELETE /v1/loss-reports…)."""
    status = f.text("status")
    if status not in ("active", "cancelled"):
        raise BadResponseError(
            "{what}: unknown loss report status {status}", what=f.what, status=repr(status)
        )
    return LossReport(
        id=f.integer("id", 1),
        card_serial=f.text("card_serial"),
        reported_by=f.text("reported_by"),
        reason=f.text("reason"),
        reported_at=f.when("reported_at"),
        waiting_until=f.when("waiting_until"),
        status=cast(Literal["active", "cancelled"], status),
        cancelled_at=f.opt_when("cancelled_at"),
        blacklist_version=f.integer("blacklist_version", 0),
        created=created,
    )


def parse_settled_balance(f: Fields) -> SettledBalance:
    """GET /v1/cards/{serial}/settled-balance."""
    return SettledBalance(
        card_serial=f.text("card_serial"),
        loss_report_id=f.integer("loss_report_id", 1),
        reported_at=f.when("reported_at"),
        waiting_until=f.when("waiting_until"),
        settled_balance_fen=f.integer("settled_balance_fen", 0),
        as_of_device_id=f.opt_text("as_of_device_id"),
        as_of_seq=f.opt_integer("as_of_seq"),
        as_of=f.opt_when("as_of"),
    )


def parse_ledger(f: Fields) -> CardLedger:
    """GET /v1/cards/{serial}/ledger."""
    entries = []
    for e in f.objects("entries"):
        kind = e.text("kind")
        if kind not in ("load", "purchase"):
            raise BadResponseError(
                "{what}: unknown ledger kind {kind}", what=e.what, kind=repr(kind)
            )
        entries.append(
            LedgerEntry(
                device_id=e.text("device_id"),
                seq=e.integer("seq", 1),
                intent_seq=e.integer("intent_seq", 1),
                kind=cast(Literal["load", "purchase"], kind),
                amount_fen=e.integer("amount_fen"),
                payment_method=e.opt_text("payment_method"),
                balance_after_fen=e.opt_integer("balance_after_fen"),
                at=e.when("at"),
            )
        )
    return CardLedger(
        card_serial=f.text("card_serial"),
        entries=tuple(entries),
        last_known_balance_fen=f.opt_integer("last_known_balance_fen"),
        loads_total_fen=f.integer("loads_total_fen"),
    )


def parse_authorization(f: Fields) -> OnlineAuthorization:
    """POST /v1/loads/authorize."""
    return OnlineAuthorization(
        authorization_id=f.integer("authorization_id", 1),
        mac2=f.hexbytes("mac2", 4),
        card_time=f.when("card_time"),
        terminal_id=f.text("terminal_id"),
    )


def parse_settlement(f: Fields, device_id: str) -> Settlement:
    """GET /v1/settlement?date=… (this outlet only)."""
    outlets = [o for o in f.objects("outlets") if o.text("device_id") == device_id]
    if len(outlets) > 1:
        raise BadResponseError(
            "{what}: outlet {device} appears twice", what=f.what, device=device_id
        )
    totals: tuple[SettlementLine, ...] = ()
    grey: tuple[GreyRecord, ...] = ()
    if outlets:
        outlet = outlets[0]
        totals = tuple(
            SettlementLine(
                t.text("kind"),
                t.opt_text("payment_method"),
                t.integer("count", 0),
                t.integer("amount_fen"),
            )
            for t in outlet.objects("totals")
        )
        grey = tuple(
            GreyRecord(
                g.integer("seq", 1),
                g.text("kind"),
                g.opt_text("card_serial"),
                g.opt_integer("amount_fen"),
                g.opt_text("payment_method"),
                g.when("at"),
            )
            for g in outlet.objects("grey")
        )
    return Settlement(date=f.text("date"), totals=totals, grey=grey)


def _or(value: int | None, default: int) -> int:
    """A field an older center does not send: its default."""
    return default if value is None else value
