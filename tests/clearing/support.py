"""Helpers of the clearing center tests: a manual clock, enrolled devices, signed requests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.crypto.request_signing import sign_request
from app.crypto.sm2 import Sm2PrivateKey, sm2_decrypt
from app.journal import Journal, JournalKeys
from clearing.center import Center
from clearing.enrolment import create_code

START = datetime(2026, 11, 28, 1, 0, 0, tzinfo=UTC)  # 09:00 in Beijing


class ManualClock:
    """A clock that stands still until moved."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def timestamp(self) -> int:
        return int(self.now.timestamp())


class JournalClock:
    """The device's clock for its journal: follows the center clock, a millisecond per reading."""

    def __init__(self, base: ManualClock) -> None:
        self.base = base
        self.last = base.now

    def __call__(self) -> datetime:
        self.last = max(self.last + timedelta(milliseconds=1), self.base.now)
        return self.last


@dataclass
class Device:
    """An enrolled device as a test drives it."""

    device_id: str
    terminal_id: str
    keys: JournalKeys
    center_public_key: bytes
    client: TestClient
    clock: ManualClock

    def request(
        self, method: str, target: str, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> Any:
        content = b"" if body is None else json.dumps(body).encode()
        signed = sign_request(
            self.keys.device_key,
            self.device_id,
            method,
            target,
            content,
            timestamp=self.clock.timestamp(),
        )
        signed.update(headers or {})
        if content:
            signed["Content-Type"] = "application/json"
        return self.client.request(method, target, content=content, headers=signed)

    def journal(self, path: Path) -> Journal:
        return Journal.create(
            path, self.keys, self.device_id, self.terminal_id, JournalClock(self.clock)
        )


def unwrap(device_key: Sm2PrivateKey, wrapped_hex: str) -> bytes:
    return sm2_decrypt(device_key, bytes.fromhex(wrapped_hex))


def enrol(
    client: TestClient,
    center: Center,
    clock: ManualClock,
    device_id: str = "DEV-1",
    terminal_id: str = "0102030405A1",
    outlet: str | None = None,
) -> Device:
    code = create_code(center, device_id, outlet=outlet)
    device_key = Sm2PrivateKey.generate()
    answer = client.post(
        "/v1/enrol",
        json={
            "code": code,
            "device_id": device_id,
            "terminal_id": terminal_id,
            "public_key": device_key.public_key.hex().upper(),
        },
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    key = unwrap(device_key, body["wrapped_key"])
    keys = JournalKeys({body["key_id"]: key}, body["key_id"], device_key)
    return Device(
        device_id, terminal_id, keys, bytes.fromhex(body["center_public_key"]), client, clock
    )


def load(
    journal: Journal,
    serial: str,
    amount: int,
    *,
    done: bool = True,
    method: str = "cash",
    balance_before: int = 0,
) -> list[Any]:
    """A top-up: intent and (when ``done`` is not None) its outcome; returns the records."""
    from app.journal import Entry, RecordKind  # noqa: PLC0415

    intent = journal.append(
        Entry(
            RecordKind.LOAD_INTENT,
            operator="op1",
            shift_id=1,
            card_serial=serial,
            amount_fen=amount,
            payment_method=method,
            balance_before_fen=balance_before,
            balance_after_fen=balance_before + amount,
            atc=7,
            mac1=b"\x01\x02\x03\x04",
        )
    )
    outcome = journal.append(
        Entry(
            RecordKind.LOAD_OUTCOME,
            operator="op1",
            shift_id=1,
            card_serial=serial,
            balance_after_fen=balance_before + amount if done else balance_before,
            tac=b"\x0a\x0b\x0c\x0d" if done else None,
            intent_seq=intent.seq,
            payload={"outcome": "done" if done else "not_done"},
        )
    )
    return [intent, outcome]


def batch(records: list[Any], checkpoint: Any = None) -> dict[str, Any]:
    from app.journal.records import checkpoint_json, record_json  # noqa: PLC0415

    body: dict[str, Any] = {
        "records": [r if isinstance(r, dict) else record_json(r) for r in records]
    }
    if checkpoint is not None:
        body["checkpoint"] = checkpoint_json(checkpoint)
    return body


def remac(obj: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The record object with its MAC recomputed under ``key`` (what a rewriting device does)."""
    from app.crypto.sm3 import hmac_sm3  # noqa: PLC0415
    from app.journal.canonical import RECORD_FIELDS, record_bytes  # noqa: PLC0415

    blobs = {"mac1", "mac2", "tac"}
    values = [
        bytes.fromhex(obj[n]) if n in blobs and obj[n] is not None else obj[n]
        for n, _ in RECORD_FIELDS
    ]
    changed = dict(obj)
    changed["mac"] = (
        hmac_sm3(key, record_bytes(values) + bytes.fromhex(obj["prev_mac"])).hex().upper()
    )
    return changed
