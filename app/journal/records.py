"""The journal's plain values: what a caller appends, what is stored, and a signed checkpoint.

Widgets and services get these frozen dataclasses, never ORM rows or sessions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.money import Fen

MAC_SIZE = 32
GENESIS_PREV_MAC = bytes(MAC_SIZE)


_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def canonical_json(payload: dict[str, Any]) -> str:
    """The one JSON text of a payload: sorted keys, no spaces, UTF-8 kept as is."""
    return _JSON.encode(payload) if payload else "{}"


def to_micros(when: datetime) -> int:
    """UTC microseconds since the Unix epoch (the journal's time)."""
    if when.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return (when - _EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime of journal microseconds."""
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)


@dataclass(frozen=True)
class Entry:
    """What a caller records. The journal adds seq, time, key, totals and the MACs."""

    kind: str
    operator: str | None = None
    shift_id: int | None = None
    card_serial: str | None = None  # hex, upper case, as printed on receipts
    amount_fen: int | None = None
    payment_method: str | None = None
    balance_before_fen: int | None = None
    balance_after_fen: int | None = None
    atc: int | None = None
    terminal_seq: int | None = None
    mac1: bytes | None = None
    mac2: bytes | None = None
    tac: bytes | None = None
    intent_seq: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JournalRecord:
    """One stored record. The field order here is the canonical order (docs/journal-format.md)."""

    device_id: str
    seq: int
    kind: str
    at_us: int
    operator: str | None
    shift_id: int | None
    card_serial: str | None
    amount_fen: int | None
    payment_method: str | None
    balance_before_fen: int | None
    balance_after_fen: int | None
    atc: int | None
    terminal_seq: int | None
    mac1: bytes | None
    mac2: bytes | None
    tac: bytes | None
    intent_seq: int | None
    grand_total_fen: int
    payload: str
    key_id: str
    prev_mac: bytes
    mac: bytes

    @property
    def at(self) -> datetime:
        """When the record was written (UTC)."""
        return from_micros(self.at_us)

    @property
    def amount(self) -> Fen | None:
        """The amount as money, when the record has one."""
        return None if self.amount_fen is None else Fen(self.amount_fen)

    def payload_dict(self) -> dict[str, Any]:
        """The JSON payload as a dictionary."""
        data = json.loads(self.payload)
        return data if isinstance(data, dict) else {}


RECORD_COLUMNS: tuple[str, ...] = tuple(JournalRecord.__dataclass_fields__)


def jsonable(value: object) -> Any:
    """A column value as the archive and the API carry it: bytes as upper-case hex."""
    return value.hex().upper() if isinstance(value, bytes) else value


def record_json(record: JournalRecord) -> dict[str, Any]:
    """One record as a JSON object: a line of the archive's ``records.jsonl``, an API item."""
    return {name: jsonable(getattr(record, name)) for name in RECORD_COLUMNS}


@dataclass(frozen=True)
class Checkpoint:
    """The chain head at ``seq`` signed with the device's SM2 key (docs/journal-format.md)."""

    device_id: str
    number: int
    seq: int
    head_mac: bytes
    batch_digest: bytes
    totals: str  # canonical JSON {kind: grand total in fen} at ``seq``
    at_us: int
    reason: str
    prev_signature: bytes
    public_key: bytes
    signature: bytes

    @property
    def at(self) -> datetime:
        """When the checkpoint was signed (UTC)."""
        return from_micros(self.at_us)

    def totals_dict(self) -> dict[str, int]:
        """Grand totals per kind at the checkpoint."""
        data = json.loads(self.totals)
        return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


CHECKPOINT_COLUMNS: tuple[str, ...] = tuple(Checkpoint.__dataclass_fields__)


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    """One checkpoint as a JSON object (a line of the archive's ``checkpoints.jsonl``)."""
    return {name: jsonable(getattr(checkpoint, name)) for name in CHECKPOINT_COLUMNS}
