"""The center's check of one device's records, continuing the chain it already holds.

The journal's own rules (docs/journal-format.md) are checked by the journal's own verifier,
:class:`app.journal.verify.ChainVerifier`, started from the chain head the center holds: next
seq without a gap, ``prev_mac`` the MAC of the record before it, the key the chain expects and
the MAC with that key, time not going back, each kind's running grand total, genesis first,
rotations naming a new key, outcomes closing an open intent of their family.

What only the center can know is checked on top (:meth:`DeviceChain.problem`): the genesis record
names the *enrolled* device, terminal and public key; a rotation goes to a key the center
*issued* to this device; an outcome of an intent accepted in an earlier batch closes an intent
the center holds and has not seen closed (the verifier only knows the intents fed to it).

The first record that fails stops the batch: it and every later record are quarantined.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto.sm3 import HmacSm3Key
from app.journal.kinds import INTENT_OF, OUTCOME_OF, RecordKind
from app.journal.records import RECORD_COLUMNS
from app.journal.verify import ChainState, ChainVerifier
from clearing.keys.wrapping import device_key_context, unseal
from clearing.models import DeviceKeyRow, DeviceRow, RecordRow


@dataclass
class Head:
    """The last accepted record of a device and the key the next one must use."""

    seq: int
    mac: bytes
    at_us: int
    key_id: str


@dataclass(frozen=True)
class IntentInfo:
    """What an outcome needs to know of its intent (ledger entry, TAC check)."""

    kind: str
    card_serial: str | None
    amount_fen: int | None
    payment_method: str | None
    balance_after_fen: int | None
    atc: int | None = None
    payload: str = "{}"

    def payload_dict(self) -> dict[str, Any]:
        """The intent's payload (an empty dict when it is not a JSON object)."""
        try:
            data = json.loads(self.payload)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


def _intent_info(columns: dict[str, Any]) -> IntentInfo:
    return IntentInfo(
        columns["kind"],
        columns["card_serial"],
        columns["amount_fen"],
        columns["payment_method"],
        columns["balance_after_fen"],
        columns["atc"],
        columns["payload"],
    )


class DeviceChain:
    """Checks and accepts one device's records in seq order inside one transaction."""

    def __init__(self, session: Session, device: DeviceRow, kinds: set[str]) -> None:
        """``kinds``: the kinds of the records to come (their running totals are loaded)."""
        self._session = session
        self._device = device
        self.head = Head(device.head_seq, device.head_mac, device.head_at_us, device.next_key_id)
        self._keys: dict[str, HmacSm3Key | None] = {}
        start = ChainState(
            seq=device.head_seq,
            mac=device.head_mac,
            at_us=device.head_at_us,
            key_id=device.next_key_id,
            totals={kind: self._held_total(kind) for kind in sorted(kinds)},
        )
        self._verifier = ChainVerifier(device.device_id, device.public_key, self._key, start)
        self._intents: dict[int, IntentInfo] = {}  # accepted in this batch
        self._closed: set[int] = set()  # intents closed in this batch

    # -- lookups (this batch first, then the database) ---------------------------------------

    def _key(self, key_id: str) -> HmacSm3Key | None:
        if key_id not in self._keys:
            row = self._session.get(DeviceKeyRow, (self._device.device_id, key_id))
            self._keys[key_id] = (
                None
                if row is None
                else HmacSm3Key(
                    unseal(self._session, row.secret, device_key_context(row.device_id, key_id))
                )
            )
        return self._keys[key_id]

    def _held_total(self, kind: str) -> int:
        found = self._session.scalar(
            select(RecordRow.grand_total_fen)
            .where(RecordRow.device_id == self._device.device_id, RecordRow.kind == kind)
            .order_by(RecordRow.seq.desc())
            .limit(1)
        )
        return int(found or 0)

    def intent(self, seq: int) -> IntentInfo | None:
        """The accepted record ``seq`` as an intent (None when not held)."""
        if seq in self._intents:
            return self._intents[seq]
        row = self._session.get(RecordRow, (self._device.device_id, seq))
        if row is None:
            return None
        return IntentInfo(
            row.kind,
            row.card_serial,
            row.amount_fen,
            row.payment_method,
            row.balance_after_fen,
            row.atc,
            row.payload,
        )

    def _is_closed(self, intent_seq: int) -> bool:
        if intent_seq in self._closed:
            return True
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
        """Why the record cannot be accepted as the next one (None: it can).

        Call in seq order and stop at the first problem: the verifier has moved past it.
        """
        report = self._verifier.report
        before = len(report.problems)
        self._verifier.record(tuple(columns[name] for name in RECORD_COLUMNS))
        if len(report.problems) > before:  # the first is the cause; the others follow from it
            return report.problems[before].reason
        return self._center_problem(columns)

    def _center_problem(self, columns: dict[str, Any]) -> str | None:
        kind = columns["kind"]
        try:
            payload = json.loads(columns["payload"])
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return "payload is not a JSON object"
        if kind == RecordKind.GENESIS:
            return self._genesis_problem(payload)
        if kind == RecordKind.KEY_ROTATION:
            new_key = payload.get("new_key_id")
            if self._key(str(new_key)) is None:
                return f"rotation to key {new_key!r}, which the center did not issue to this device"
        intent_seq = columns["intent_seq"]
        earlier = isinstance(intent_seq, int) and intent_seq <= self._device.head_seq
        if kind in INTENT_OF and earlier:  # an intent of an earlier batch: not fed to the verifier
            intent = self.intent(intent_seq)
            if intent is None or intent.kind != INTENT_OF[kind]:
                return f"seq {intent_seq} is not a {INTENT_OF[kind]}"
            if self._is_closed(intent_seq):
                return f"intent {intent_seq} was already closed"
        return None

    def _genesis_problem(self, payload: dict[str, Any]) -> str | None:
        device = self._device
        if payload.get("device_id") != device.device_id:
            return "the genesis record names another device"
        if payload.get("terminal_id") != device.terminal_id:
            return "the genesis record names another terminal than the enrolled one"
        if str(payload.get("public_key", "")).upper() != device.public_key.hex().upper():
            return "the genesis record names another device key than the enrolled one"
        return None

    def accept(self, columns: dict[str, Any]) -> None:
        """Move the head past a record :meth:`problem` found nothing wrong with."""
        kind = columns["kind"]
        if kind in OUTCOME_OF:
            self._intents[columns["seq"]] = _intent_info(columns)
        elif kind in INTENT_OF:
            self._closed.add(columns["intent_seq"])
        state = self._verifier.state
        self.head = Head(state.seq, state.mac, state.at_us, str(state.key_id))
