"""The center's check of one device's records, continuing the chain it already holds.

Each new record must be the next seq; its ``prev_mac`` the MAC of the record before it (zeros for
seq 1); its key the one the chain expects (the device's first key, or the ``new_key_id`` of a
``key_rotation`` record — a key the center issued); its MAC must verify with that key; time must
not go back; ``grand_total_fen`` must continue the kind's running total; outcomes must close an
open intent of their family; the genesis record must name the enrolled device, terminal and key.
These are the journal's own rules (docs/journal-format.md), checked against the center's copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto.sm3 import HmacSm3Key
from app.journal.kinds import INTENT_OF, OUTCOME_OF, RecordKind
from clearing.models import DeviceKeyRow, DeviceRow, RecordRow
from clearing.records import mac_input


@dataclass
class Head:
    """The last accepted record of a device and the key the next one must use."""

    seq: int
    mac: bytes
    at_us: int
    key_id: str


@dataclass(frozen=True)
class IntentInfo:
    """What an outcome needs to know of its intent."""

    kind: str
    card_serial: str | None
    amount_fen: int | None
    payment_method: str | None
    balance_after_fen: int | None


class DeviceChain:
    """Checks and accepts one device's records in seq order inside one transaction."""

    def __init__(self, session: Session, device: DeviceRow) -> None:
        self._session = session
        self._device = device
        self.head = Head(device.head_seq, device.head_mac, device.head_at_us, device.next_key_id)
        self._keys: dict[str, HmacSm3Key | None] = {}
        self._totals: dict[str, int] = {}
        self._intents: dict[int, IntentInfo] = {}  # accepted in this batch
        self._closed: set[int] = set()  # intents closed in this batch

    # -- lookups (this batch first, then the database) ---------------------------------------

    def _key(self, key_id: str) -> HmacSm3Key | None:
        if key_id not in self._keys:
            row = self._session.get(DeviceKeyRow, (self._device.device_id, key_id))
            self._keys[key_id] = None if row is None else HmacSm3Key(row.secret)
        return self._keys[key_id]

    def _total(self, kind: str) -> int:
        if kind not in self._totals:
            found = self._session.scalar(
                select(RecordRow.grand_total_fen)
                .where(RecordRow.device_id == self._device.device_id, RecordRow.kind == kind)
                .order_by(RecordRow.seq.desc())
                .limit(1)
            )
            self._totals[kind] = int(found or 0)
        return self._totals[kind]

    def intent(self, seq: int) -> IntentInfo | None:
        """The accepted record ``seq`` as an intent (None when not held)."""
        if seq in self._intents:
            return self._intents[seq]
        row = self._session.get(RecordRow, (self._device.device_id, seq))
        if row is None:
            return None
        return IntentInfo(
            row.kind, row.card_serial, row.amount_fen, row.payment_method, row.balance_after_fen
        )

    def _is_closed(self, intent_seq: int) -> bool:
        if intent_seq in self._closed:
            return True
        if intent_seq in self._intents:  # new in this batch: nothing held can close it
            return False
        found = self._session.scalar(
            select(RecordRow.seq)
            .where(
                RecordRow.device_id == self._device.device_id, RecordRow.intent_seq == intent_seq
            )
            .limit(1)
        )
        return found is not None

    # -- the rules ---------------------------------------------------------------------------

    def problem(self, columns: dict[str, Any]) -> str | None:
        """Why the record cannot be accepted as the next one (None: it can)."""
        seq, kind = columns["seq"], columns["kind"]
        if seq != self.head.seq + 1:
            return (
                f"gap: the center holds seq 1..{self.head.seq}, seq {self.head.seq + 1} is missing"
            )
        if columns["prev_mac"] != self.head.mac:
            return f"chain broken: prev_mac is not the MAC of seq {seq - 1} held by the center"
        if columns["key_id"] != self.head.key_id:
            return f"wrong key: the chain continues with key {self.head.key_id!r}"
        key = self._key(columns["key_id"])
        if key is None:
            return f"unknown key {columns['key_id']!r}: the center never issued it to this device"
        try:
            authentic = key.verify(mac_input(columns), columns["mac"])
        except ValueError as exc:
            return f"cannot encode the record: {exc}"
        if not authentic:
            return "MAC does not verify: the record was altered or forged"
        return self._content_problem(columns, seq, kind)

    def _content_problem(self, columns: dict[str, Any], seq: int, kind: str) -> str | None:
        if columns["at_us"] < self.head.at_us:
            return "time went backwards: at_us is earlier than the previous record's"
        expected = self._total(kind) + (columns["amount_fen"] or 0)
        if columns["grand_total_fen"] != expected:
            return f"grand total {columns['grand_total_fen']} should be {expected}"
        try:
            payload = json.loads(columns["payload"])
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return "payload is not a JSON object"
        if (seq == 1) != (kind == RecordKind.GENESIS):
            return "seq 1 and only seq 1 is the genesis record"
        if kind == RecordKind.GENESIS:
            return self._genesis_problem(payload)
        if kind == RecordKind.KEY_ROTATION:
            new_key = payload.get("new_key_id")
            if not isinstance(new_key, str) or self._key(new_key) is None:
                return f"rotation to key {new_key!r}, which the center did not issue to this device"
        return self._intent_problem(columns, kind)

    def _genesis_problem(self, payload: dict[str, Any]) -> str | None:
        device = self._device
        if payload.get("device_id") != device.device_id:
            return "the genesis record names another device"
        if payload.get("terminal_id") != device.terminal_id:
            return "the genesis record names another terminal than the enrolled one"
        if str(payload.get("public_key", "")).upper() != device.public_key.hex().upper():
            return "the genesis record names another device key than the enrolled one"
        return None

    def _intent_problem(self, columns: dict[str, Any], kind: str) -> str | None:
        intent_seq = columns["intent_seq"]
        if kind not in INTENT_OF:
            if intent_seq is not None:
                return "only outcomes name an intent_seq"
            return None
        if intent_seq is None:
            return "an outcome must name its intent"
        intent = self.intent(intent_seq) if intent_seq < columns["seq"] else None
        if intent is None or intent.kind != INTENT_OF[kind]:
            return f"seq {intent_seq} is not a {INTENT_OF[kind]}"
        if self._is_closed(intent_seq):
            return f"intent {intent_seq} was already closed"
        return None

    def accept(self, columns: dict[str, Any]) -> None:
        """Move the head past a record :meth:`problem` found nothing wrong with."""
        kind = columns["kind"]
        self._totals[kind] = columns["grand_total_fen"]
        if kind in OUTCOME_OF:
            self._intents[columns["seq"]] = IntentInfo(
                kind,
                columns["card_serial"],
                columns["amount_fen"],
                columns["payment_method"],
                columns["balance_after_fen"],
            )
        elif kind in INTENT_OF:
            self._closed.add(columns["intent_seq"])
        key_id = columns["key_id"]
        if kind == RecordKind.KEY_ROTATION:
            key_id = json.loads(columns["payload"])["new_key_id"]
        self.head = Head(columns["seq"], columns["mac"], columns["at_us"], key_id)
