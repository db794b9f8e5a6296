"""The API's request and response bodies (pydantic): the shapes ``clearing/openapi.json`` publishes.

Unknown fields are refused (``extra="forbid"``), integers are strict (no booleans, floats or
numeric strings) and bounded to 64 bits, bytes travel as hex (upper case in answers).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.domain.cities import CityTable

I64_MIN = -(2**63)
I64_MAX = 2**63 - 1

Int64 = Annotated[int, Field(strict=True, ge=I64_MIN, le=I64_MAX)]
Count = Annotated[int, Field(strict=True, ge=0, le=I64_MAX)]
Fen = Annotated[int, Field(strict=True, ge=0, le=I64_MAX, description="an amount in fen (分)")]
Hex = Annotated[str, StringConstraints(pattern=r"^(?:[0-9A-Fa-f]{2})*$", max_length=64)]
Hex32 = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{64}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{128}$")]
DeviceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
TerminalId = Annotated[str, StringConstraints(pattern=r"^[0-9A-F]{12}$")]
CardSerial = Annotated[str, StringConstraints(pattern=r"^(?:[0-9A-F]{2}){1,10}$")]  # whole bytes


class Strict(BaseModel):
    """Base of every body: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """An error: what went wrong, in words a person can act on."""

    detail: str


class TimeOut(Strict):
    """The center's clock."""

    now: datetime
    now_us: Int64 = Field(description="UTC microseconds since 1970-01-01, the journal's time")


# -- enrolment -------------------------------------------------------------------------------


class EnrolIn(Strict):
    """A device presenting its one-time code and its SM2 public key."""

    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    device_id: DeviceId
    terminal_id: TerminalId
    public_key: Hex64 = Field(description="the device's SM2 public key, x ‖ y (64 bytes) in hex")


class WrappedKeyOut(Strict):
    """A journal MAC key for one device, SM2-encrypted to the device's public key."""

    key_id: str
    wrapped_key: str = Field(description="SM2 ciphertext C1 ‖ C3 ‖ C2 (hex) of the 32-byte key")


class EnrolOut(WrappedKeyOut):
    """The device's credentials."""

    device_id: str
    terminal_id: str
    fingerprint: str = Field(description="first 8 bytes of SM3(device public key), hex")
    center_public_key: str = Field(description="the center's SM2 public key, x ‖ y in hex")
    enrolled_at: datetime
    replaces: str | None = Field(
        default=None,
        description="the device this one replaces: it may upload that device's remaining "
        "records (/v1/devices/{old}/journal/…) and retire it",
    )


# -- journal upload --------------------------------------------------------------------------


class RecordIn(Strict):
    """One journal record exactly as a line of the archive's ``records.jsonl``."""

    device_id: DeviceId
    seq: Annotated[int, Field(strict=True, ge=1, le=I64_MAX)]
    kind: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    at_us: Int64
    operator: Annotated[str, StringConstraints(max_length=64)] | None
    shift_id: Int64 | None
    card_serial: Annotated[str, StringConstraints(max_length=20)] | None
    amount_fen: Int64 | None
    payment_method: Annotated[str, StringConstraints(max_length=24)] | None
    balance_before_fen: Int64 | None
    balance_after_fen: Int64 | None
    atc: Int64 | None
    terminal_seq: Int64 | None
    mac1: Hex | None
    mac2: Hex | None
    tac: Hex | None
    intent_seq: Int64 | None
    grand_total_fen: Int64
    payload: Annotated[str, StringConstraints(max_length=65_536)]
    key_id: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    prev_mac: Hex32
    mac: Hex32


class CheckpointIn(Strict):
    """A signed journal checkpoint exactly as a line of the archive's ``checkpoints.jsonl``."""

    device_id: DeviceId
    number: Annotated[int, Field(strict=True, ge=1, le=I64_MAX)]
    seq: Annotated[int, Field(strict=True, ge=1, le=I64_MAX)]
    head_mac: Hex32
    batch_digest: Hex32
    totals: Annotated[str, StringConstraints(max_length=65_536)]
    at_us: Int64
    reason: Annotated[str, StringConstraints(max_length=32)]
    prev_signature: Hex64
    public_key: Hex64
    signature: Hex64


class BatchIn(Strict):
    """A batch of records (any order; seq decides) and optionally the latest checkpoint."""

    records: list[RecordIn] = Field(max_length=5_000)
    checkpoint: CheckpointIn | None = None
    device_acknowledged_seq: Count | None = Field(
        default=None,
        description="how far the device holds this center to have acknowledged its journal; "
        "more than the center holds means the center lost records (restored from a backup): "
        "an alarm is raised and the device sends them again",
    )


class QuarantinedOut(Strict):
    """A record the center set aside, and why."""

    seq: int
    reason: str
    held: bool = Field(
        default=False,
        description="true: the record is stored and acknowledged (its chain and MAC verify) "
        "but kept out of the card ledger (its load's TAC does not verify); false: not stored, "
        "not acknowledged — it may be sent again",
    )


class CheckpointResultOut(Strict):
    """What the center made of an uploaded checkpoint."""

    number: int
    status: Literal["accepted", "duplicate", "pending", "rejected"]
    reason: str | None = None


class BatchOut(Strict):
    """The acknowledgement: every record up to ``acknowledged_seq`` is held by the center."""

    acknowledged_seq: int
    accepted: int
    duplicates: int
    quarantined: list[QuarantinedOut]
    checkpoint: CheckpointResultOut | None = None


class ConflictOut(Strict):
    """One seq the center already holds with another MAC (a tamper alarm was raised)."""

    seq: int
    stored_mac: str
    offered_mac: str


class BatchConflictOut(Strict):
    """HTTP 409: the batch contradicts records the center holds; nothing of it was stored."""

    detail: str
    conflicts: list[ConflictOut]


class CursorOut(Strict):
    """How far the center holds a device's journal."""

    acknowledged_seq: int
    next_key_id: str


class RetireIn(Strict):
    """The successor retiring the device it replaces."""

    uploaded_to_seq: Count | None = Field(
        description="the last seq of the old device's journal the successor had and uploaded "
        "(its mirror's head); null: no copy of the old journal survived"
    )


class RetiredOut(Strict):
    """A retired device: what the center holds of its journal, and what is lost."""

    device_id: str
    replaced_by: str
    head_seq: int = Field(description="the old device's last record the center holds")
    retired_at: datetime
    records_lost_after: int | None = Field(
        description="no copy survived: every record after this seq is lost (an alarm was raised)"
    )


# -- cards, loss reports, blacklist ----------------------------------------------------------


class LedgerEntryOut(Strict):
    """A completed load or purchase on a card."""

    device_id: str
    seq: int
    intent_seq: int
    kind: Literal["load", "purchase"]
    amount_fen: int
    payment_method: str | None
    balance_after_fen: int | None
    at: datetime


class LedgerOut(Strict):
    """A card's ledger as the center knows it from accepted records."""

    card_serial: str
    entries: list[LedgerEntryOut]
    last_known_balance_fen: int | None
    loads_total_fen: int


class LossReportIn(Strict):
    """A customer reports a card lost at a counter."""

    card_serial: CardSerial
    reason: Annotated[str, StringConstraints(max_length=500)] = "lost"


class LossReportOut(Strict):
    """A loss report and where it stands."""

    id: int
    card_serial: str
    reported_by: str
    reason: str
    reported_at: datetime
    waiting_until: datetime
    status: Literal["active", "cancelled"]
    cancelled_at: datetime | None
    cancelled_by: str | None = None
    cancel_approval: str | None = None
    blacklist_version: int


class SettledBalanceOut(Strict):
    """The balance to move to a replacement card once the waiting period is over."""

    card_serial: str
    loss_report_id: int
    reported_at: datetime
    waiting_until: datetime
    settled_balance_fen: int
    as_of_device_id: str | None
    as_of_seq: int | None
    as_of: datetime | None


class BlacklistOut(Strict):
    """Blacklist changes since a version: apply ``removed`` then ``added``; keep ``version``."""

    version: int
    since: int
    full: bool = Field(description="true when since=0: ``added`` is the whole list")
    added: list[str]
    removed: list[str]


# -- parameters ------------------------------------------------------------------------------


class CardTypeParameters(Strict):
    """Top-up limits of one card type (card type byte of file 0x15)."""

    code: Annotated[int, Field(strict=True, ge=0, le=255)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    min_top_up_fen: Fen
    max_top_up_fen: Fen
    top_up_multiple_fen: Annotated[int, Field(strict=True, ge=1, le=I64_MAX)]

    @model_validator(mode="after")
    def _limits_in_order(self) -> CardTypeParameters:
        if self.min_top_up_fen > self.max_top_up_fen:
            raise ValueError(f"card type {self.code}: min_top_up_fen exceeds max_top_up_fen")
        return self


class Fees(Strict):
    """Counter fees."""

    replacement_fen: Fen
    exchange_fen: Fen
    refund_fen: Fen


class OfflineBrakes(Strict):
    """What a counter may do while it cannot reach the center."""

    max_top_up_fen: Fen = Field(description="largest single offline top-up")
    max_shift_total_fen: Fen = Field(description="offline top-ups per shift, in total")
    max_count: Count = Field(description="offline top-ups per shift, in number")
    max_unsynced_age_seconds: Count = Field(
        description="refuse offline top-ups once the oldest unacknowledged record is this old"
    )
    without_mirror_percent: Annotated[int, Field(strict=True, ge=0, le=100)] = Field(
        default=25,
        description="share of these caps a counter keeps while its journal mirror is lost",
    )
    max_clock_skew_seconds: Annotated[int, Field(strict=True, ge=1, le=86_400)] = Field(
        default=300,
        description="a counter whose clock differs from the center's by more refuses money",
    )


class OnlineCaps(Strict):
    """Daily caps of online top-ups (balance transfers not counted) and grant reconciliation."""

    device_daily_fen: Fen = Field(description="online top-ups one device may be granted a day")
    card_daily_fen: Fen = Field(description="online top-ups one card may be granted a day")
    reconcile_after_seconds: Annotated[int, Field(strict=True, ge=60, le=30 * 86_400)] = Field(
        default=86_400,
        description="an online grant without its uploaded intent and outcome after this long "
        "raises an alarm",
    )


class ScenicTicket(Strict):
    """A single-admission ticket type of the scenic-area ticket offices and its price."""

    code: Literal["adult", "child", "senior", "free"]
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    price_fen: Fen = Field(description="0 for the free ticket, more than 0 for the others")

    @model_validator(mode="after")
    def _only_free_is_free(self) -> ScenicTicket:
        if (self.code == "free") != (self.price_fen == 0):
            raise ValueError(f"scenic ticket {self.code}: only the free ticket costs nothing")
        return self


class ScenicPass(Strict):
    """An annual-pass product: price, validity rule, the card types it is sold to."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    price_fen: Annotated[int, Field(strict=True, ge=1, le=I64_MAX)]
    validity: Literal["rolling_days", "calendar_year"] = "rolling_days"
    days: Annotated[int, Field(strict=True, ge=1, le=1098)] = Field(
        default=365, description="rolling_days: days valid, the day of sale included"
    )
    card_types: list[Annotated[int, Field(strict=True, ge=0, le=255)]] = Field(
        default_factory=list, max_length=256, description="empty: every card type"
    )


class ScenicParameters(Strict):
    """What the scenic-area ticket offices sell and how their gates check entries."""

    tickets: list[ScenicTicket] = Field(min_length=1, max_length=4)
    passes: list[ScenicPass] = Field(default_factory=list, max_length=64)
    gates: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=64
    )
    reuse_interval_s: Annotated[int, Field(strict=True, ge=0, le=86_400)] = Field(
        default=1_800, description="a pass admitted twice within this many seconds is flagged"
    )

    @model_validator(mode="after")
    def _codes_unique(self) -> ScenicParameters:
        for codes in ([t.code for t in self.tickets], [p.code for p in self.passes], self.gates):
            if len(codes) != len(set(codes)):
                raise ValueError("scenic ticket types, pass codes and gates must be unique")
        return self


class ParametersIn(Strict):
    """A parameter set as published by the issuer."""

    card_types: list[CardTypeParameters] = Field(min_length=1, max_length=256)
    balance_ceiling_fen: Fen
    fees: Fees
    offline: OfflineBrakes
    replacement_waiting_days: Annotated[int, Field(strict=True, ge=0, le=3650)]
    online: OnlineCaps | None = Field(
        default=None, description="online top-up caps (absent: the center's defaults)"
    )
    scenic: ScenicParameters | None = Field(
        default=None, description="the scenic ticket offices' catalogue (absent: none published)"
    )
    cities: dict[str, Any] | None = Field(
        default=None,
        description="a newer table of interoperating cities (docs/interop.md: version, cities "
        "with key, name, cu_city, tu_city, CU issuer codes, T-Union issuer ids); absent: the "
        "counters keep theirs",
    )

    @model_validator(mode="after")
    def _codes_unique(self) -> ParametersIn:
        codes = [t.code for t in self.card_types]
        if len(codes) != len(set(codes)):
            raise ValueError("card type codes must be unique")
        if self.cities is not None:
            CityTable.from_json(json.dumps(self.cities))  # CityTableError (a ValueError): 422
        return self


class ParametersOut(ParametersIn):
    """The current parameter set and its version."""

    version: int
    published_at: datetime


# -- annual passes ---------------------------------------------------------------------------


class PassOut(Strict):
    """An annual pass as the center holds it from the ticket offices' records."""

    pass_id: str
    card_serial: str
    product_code: str
    product_name: str
    valid_from: date = Field(description="first day valid (included)")
    valid_until: date = Field(description="last day valid (included)")
    holder: str = Field(description="the holder's masked name, as the sale recorded it")
    amount_fen: int | None
    sold_by: str | None = Field(description="the device that sold it")
    sold_at: datetime | None
    bound_at: datetime = Field(description="when the pass was bound to this card")


class PassesOut(Strict):
    """The annual passes bound to one card (empty when it has none)."""

    card_serial: str
    passes: list[PassOut]


# -- settlement ------------------------------------------------------------------------------


class SettlementLineOut(Strict):
    """Count and sum of one kind and payment method."""

    kind: str
    payment_method: str | None
    count: int
    amount_fen: int


class GreyRecordOut(Strict):
    """An intent without an outcome: the card write's result is unknown."""

    seq: int
    kind: str
    card_serial: str | None
    amount_fen: int | None
    payment_method: str | None
    at: datetime


class AdjustmentLineOut(Strict):
    """Records of an earlier, already closed day that arrived after it was closed.

    They are not in that day's settlement (it stays as it was reported); they are settled here,
    on the day they arrived, counted by the day they belong to (``of_date``).
    """

    of_date: str
    kind: str
    payment_method: str | None
    count: int
    amount_fen: int


class OutletSettlementOut(Strict):
    """One outlet (device) on one business day."""

    device_id: str
    terminal_id: str
    totals: list[SettlementLineOut]
    grey: list[GreyRecordOut]
    adjustments: list[AdjustmentLineOut] = Field(
        default_factory=list,
        description="late records of earlier closed days, received this day",
    )


class SettlementOut(Strict):
    """Settlement of a business day (China Standard Time)."""

    date: str
    timezone: str
    closed_at: datetime | None = Field(
        default=None,
        description="when the day was closed: records received later go to the adjustments "
        "of the day they arrive (None: open, the figures may still change)",
    )
    outlets: list[OutletSettlementOut]


# -- online loads ----------------------------------------------------------------------------


class LoadAuthorizeIn(Strict):
    """The card's INITIALIZE FOR LOAD answer, for an online MAC2."""

    card_serial: CardSerial
    algorithm: Literal["DES", "SM4"]
    key_version: Annotated[int, Field(strict=True, ge=0, le=255)]
    card_type: Annotated[int, Field(strict=True, ge=0, le=255)] | None = Field(
        default=None,
        description="the counter's reading, for information only: the limits applied are those "
        "of the type in the center's card registry (unknown card: the strictest type)",
    )
    transfer_from: CardSerial | None = Field(
        default=None,
        description="a balance transfer: the lost card whose settled balance this load carries "
        "(no sale limits; at most the settled balance, once)",
    )
    amount_fen: Annotated[int, Field(strict=True, ge=1, le=0xFFFFFFFF)]
    balance_fen: Annotated[int, Field(strict=True, ge=0, le=0xFFFFFFFF)]
    online_atc: Annotated[int, Field(strict=True, ge=0, le=0xFFFF)]
    random: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8}$")]
    mac1: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8}$")]


class LoadAuthorizeOut(Strict):
    """MAC2 and the date/time it covers: send exactly this time in CREDIT FOR LOAD."""

    authorization_id: int
    mac2: str
    card_time: datetime = Field(description="local card time (UTC+8) MAC2 covers, no fraction")
    terminal_id: str
