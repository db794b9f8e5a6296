"""Bodies of the national platform's API and of what city centers forward to it (pydantic).

Same rules as the center's contract (:mod:`clearing.schemas`): unknown fields refused, strict
integers, bytes as hex.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from clearing.schemas import CardSerial, DeviceId, Fen, Int64, Strict

CityKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,31}$")]
HexCode = Annotated[str, StringConstraints(pattern=r"^(?:[0-9A-F]{4}|[0-9A-F]{16})$")]
Mac = Annotated[str, StringConstraints(pattern=r"^[0-9A-F]{8,64}$")]
Seq = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
MAX_RECORDS = 1_000
MAX_CHANGES = 1_000


class ForwardedRecord(Strict):
    """A completed purse payment of another city's card, as the acquiring center forwards it.

    ``(acquiring city, device_id, seq)`` is its key everywhere: the platform routes it once,
    the issuer's center takes it in once.
    """

    device_id: DeviceId
    seq: Seq = Field(description="the purchase outcome's journal seq at the acquiring counter")
    intent_seq: Seq
    kind: Literal["purchase"]
    card_serial: CardSerial
    card_family: Literal["CU", "TU"]
    card_issuer: HexCode = Field(description="CU issuer code (2 bytes) or T-Union issuer id (8)")
    issuer_city: CityKey = Field(description="the card's home city (the city table's key)")
    amount_fen: Fen
    balance_after_fen: Fen | None = None
    at_us: Int64 = Field(description="the record's time at the counter, UTC microseconds")
    terminal_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-F]{12}$")]
    atc: Fen | None = None
    terminal_seq: Fen | None = None
    tac: Mac | None = None
    record_mac: Mac = Field(description="the counter journal's MAC of the outcome record")
    # what the issuer's center needs to recompute the purchase TAC with its own keys
    algorithm: Annotated[int, Field(strict=True, ge=0, le=255)] | None = None
    key_version: Annotated[int, Field(strict=True, ge=0, le=255)] | None = None
    transaction_type: Annotated[int, Field(strict=True, ge=0, le=255)] | None = None
    card_time: Annotated[str, StringConstraints(pattern=r"^[0-9]{14}$")] | None = Field(
        default=None, description="the date and time the card's TAC covers, YYYYMMDDhhmmss"
    )


class RecordsIn(Strict):
    """A batch of forwarded records (all accepted, or none)."""

    records: Annotated[list[ForwardedRecord], Field(min_length=1, max_length=MAX_RECORDS)]


class RecordsOut(Strict):
    """How a batch was taken: new records and ones the platform already held, identical."""

    accepted: int
    duplicates: int


class ConflictOut(Strict):
    """Records offered again with other content: nothing of the batch was stored."""

    detail: str
    conflicts: list[dict[str, object]]


class RoutedRecord(Strict):
    """A record routed to its card's issuer city."""

    id: int = Field(description="the platform's number for it: read on after the last one")
    acquirer_city: CityKey
    record: ForwardedRecord


class InboundOut(Strict):
    """The records of the calling city's cards spent elsewhere, after ``after``."""

    records: list[RoutedRecord]
    last_id: int
    more: bool


class BlacklistChangeIn(Strict):
    """One change of a member's own blacklist (its version there)."""

    version: Seq
    card_serial: CardSerial
    action: Literal["add", "remove"]
    reason: Annotated[str, StringConstraints(max_length=200)]


class BlacklistChangesIn(Strict):
    """A member's blacklist changes of its own cards, in its version order."""

    changes: Annotated[list[BlacklistChangeIn], Field(min_length=1, max_length=MAX_CHANGES)]


class BlacklistPushOut(Strict):
    """How the changes were taken, and the national blacklist's version after them."""

    accepted: int
    duplicates: int
    version: int


class NationalChange(Strict):
    """One change of the national blacklist."""

    version: int
    from_city: CityKey
    card_serial: CardSerial
    action: Literal["add", "remove"]
    reason: str


class NationalBlacklistOut(Strict):
    """The national blacklist's changes after ``since`` (oldest first)."""

    version: int
    since: int
    changes: list[NationalChange]
    more: bool


class CounterpartyLine(Strict):
    """One other city in a city's settlement of a day."""

    city: CityKey
    name: str
    receivable_count: int
    receivable_fen: int = Field(description="what the other city's cards spent here")
    payable_count: int
    payable_fen: int = Field(description="what this city's cards spent there")
    net_fen: int = Field(description="receivable − payable: positive, the other city owes")


class CitySettlementOut(Strict):
    """A city's interchange settlement for one business day (China Standard Time)."""

    date: str
    city: CityKey
    name: str
    lines: list[CounterpartyLine]
    receivable_fen: int
    payable_fen: int
    net_fen: int


class PositionOut(Strict):
    """Who owes whom, net, for one pair of cities on one day."""

    debtor: CityKey
    creditor: CityKey
    amount_fen: int
