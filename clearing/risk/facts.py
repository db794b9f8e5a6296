"""What the risk rules read: plain, frozen facts built from the center's rows.

The rules are pure functions over these; :mod:`clearing.risk.gather` builds them from the
database. Times are UTC microseconds, money int fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Evidence = tuple[str, int]  # (device_id, seq) of a journal record


@dataclass(frozen=True)
class CardEvent:
    """A completed card write (a done load or purchase) as the center saw it.

    ``seq`` is the outcome's, ``intent_seq`` the intent's; ``online_atc`` is the card's load
    counter before a load (None for purchases).
    """

    device_id: str
    seq: int
    intent_seq: int
    at_us: int
    kind: str  # load | purchase
    amount_fen: int
    balance_before_fen: int | None
    balance_after_fen: int | None
    online_atc: int | None = None
    payment_method: str | None = None
    operator: str | None = None


@dataclass(frozen=True)
class AuthorisedLoad:
    """An online load the center gave MAC2 for (its records may not have arrived yet)."""

    card_serial: str
    online_atc: int
    amount_fen: int
    balance_before_fen: int


@dataclass(frozen=True)
class ClerkAct:
    """A record that matters for insider fraud: a void, a refund or a shift close."""

    device_id: str
    seq: int
    at_us: int
    operator: str
    kind: str  # void | refund | shift_close
    amount_fen: int = 0
    cash_difference_fen: int = 0  # shift_close: counted - expected


@dataclass(frozen=True)
class IntegrityFailure:
    """A quarantined record: a TAC that does not verify (held) or a chain/MAC failure."""

    device_id: str
    seq: int
    at_us: int
    card_serial: str | None
    held: bool
    reason: str


@dataclass(frozen=True)
class DeviceDay:
    """How many offline (SAM) top-ups a device made on one business day."""

    day: str  # YYYY-MM-DD
    offline_loads: int


@dataclass(frozen=True)
class DeviceSeen:
    """When the center last heard from a device: its newest record and its newest upload."""

    device_id: str
    last_record_at_us: int
    last_upload_at_us: int | None


@dataclass(frozen=True)
class Finding:
    """What a rule found; stored as an alarm once (``key`` identifies it)."""

    rule: str
    key: str
    subject: str  # card:…, device:…, operator:…
    summary: str
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    amount_fen: int | None = None
    summary_zh: str = ""  # the same in Chinese, for the console


@dataclass(frozen=True)
class GrantProblem:
    """An online grant (MAC2) the grant check found without its journal records, or disagreeing.

    From the grant check's own alarm (``grant_alarm``); ``intent_seq`` is the journal's load
    intent for the grant when one came (with another amount, or without its outcome).
    """

    grant_id: int
    device_id: str
    card_serial: str
    amount_fen: int
    reason: str
    raised_at_us: int
    intent_seq: int | None = None


@dataclass(frozen=True)
class SamCounterProblem:
    """A gap or a repeat in a device's SAM counter, as the upload check found it.

    ``seq`` is the journal record that made it; ``counter`` PSAM or ISAM; ``value`` the SAM seq
    that record carries; ``follows`` the last one held before (None for a repeat in one batch).
    """

    device_id: str
    seq: int | None
    kind: str  # gap | repeat
    counter: str  # PSAM | ISAM
    value: int
    follows: int | None
    raised_at_us: int
