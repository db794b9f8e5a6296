"""Device enrolment: one-time codes (kept hashed), journal MAC keys issued and wrapped.

An administrator makes a code for a device id (``citycard-center enrolment-code``). The device
presents it once, before it expires, with its terminal id and SM2 public key; the center records
the device and issues a random 32-byte journal MAC key, SM2-encrypted to that public key, so only
the device can unwrap it. ``POST /v1/keys/rotate`` issues further keys the same way.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.crypto.sm2 import Sm2Error, sm2_encrypt
from app.crypto.sm3 import sm3_digest
from app.journal.canonical import fingerprint
from app.journal.records import GENESIS_PREV_MAC
from clearing.center import Center
from clearing.keys.wrapping import device_key_context, seal
from clearing.loss import BACK_OFFICE
from clearing.models import DeviceKeyRow, DeviceRow, EnrolmentCodeRow
from clearing.schemas import EnrolIn, EnrolOut, WrappedKeyOut
from clearing.timeutil import from_micros, iso

MAC_KEY_SIZE = 32
CODE_BYTES = 10  # 80 bits, 16 base32 characters


class EnrolmentError(Exception):
    """Enrolment refused; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def code_hash(code: str) -> bytes:
    """What is stored of a code: SM3 of its normalised text (spaces, dashes, case ignored)."""
    return sm3_digest(
        b"citycard-enrolment-code/1\x00" + _normalise(code).encode("ascii", "replace")
    )


def create_code(
    center: Center,
    device_id: str,
    ttl: timedelta | None = None,
    outlet: str | None = None,
    replaces: str | None = None,
) -> str:
    """A new one-time code for ``device_id``, shown once (e.g. ``ABCD-EFGH-IJKL-MNOP``).

    ``outlet`` groups the devices of one counter office (loss reports are cancelled at the
    outlet that took them); without one the device is an outlet of its own. ``replaces``: the
    enrolled, not yet retired device the new one takes over from (a counter PC replaced): it
    may upload the old device's remaining records and retire it.
    """
    if outlet == BACK_OFFICE:
        raise ValueError(f"{BACK_OFFICE!r} is the issuer's own outlet name, not a counter's")
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")
    code = "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
    now = center.now_us()
    lifetime = ttl if ttl is not None else center.settings.enrolment_code_ttl
    with center.sessions.begin() as session:
        if replaces is not None:
            old = session.get(DeviceRow, replaces)
            if old is None or old.retired_at_us is not None:
                raise EnrolmentError(404, f"device {replaces} is not an enrolled, active device")
        session.add(
            EnrolmentCodeRow(
                code_hash=code_hash(code),
                device_id=device_id,
                outlet=outlet,
                created_at_us=now,
                expires_at_us=now + int(lifetime.total_seconds() * 1_000_000),
                replaces=replaces,
            )
        )
    return code


def _new_key_id(session: Session, device_id: str, now_us: int) -> str:
    stamp = from_micros(now_us).strftime("%Y%m%d")
    while True:
        key_id = f"k{stamp}-{secrets.token_hex(3)}"
        if session.get(DeviceKeyRow, (device_id, key_id)) is None:
            return key_id


def issue_key(session: Session, device: DeviceRow, now_us: int) -> WrappedKeyOut:
    """Issue a new journal MAC key to ``device``, wrapped to its public key (caller commits)."""
    key_id = _new_key_id(session, device.device_id, now_us)
    secret = secrets.token_bytes(MAC_KEY_SIZE)
    session.add(
        DeviceKeyRow(
            device_id=device.device_id,
            key_id=key_id,
            secret=seal(session, secret, device_key_context(device.device_id, key_id)),
            issued_at_us=now_us,
        )
    )
    wrapped = sm2_encrypt(device.public_key, secret)
    return WrappedKeyOut(key_id=key_id, wrapped_key=wrapped.hex().upper())


def enrol(center: Center, request: EnrolIn) -> EnrolOut:
    """Register the device of a valid code and give it its first journal key."""
    public_key = bytes.fromhex(request.public_key)
    try:
        sm2_encrypt(public_key, b"\x00")  # refuses keys that are not points on the curve
    except Sm2Error as exc:
        raise EnrolmentError(422, f"public_key: {exc}") from exc
    now = center.now_us()
    try:
        wrapped, replaces = _enrol(center, request, public_key, now)
    except IntegrityError as exc:  # a concurrent enrolment took the id, key or terminal id
        raise EnrolmentError(
            409, "another device was enrolled with this device id, key or terminal id"
        ) from exc
    return EnrolOut(
        key_id=wrapped.key_id,
        wrapped_key=wrapped.wrapped_key,
        device_id=request.device_id,
        terminal_id=request.terminal_id,
        fingerprint=fingerprint(public_key),
        center_public_key=center.identity_public_key.hex().upper(),
        enrolled_at=iso(now),
        replaces=replaces,
    )


def _enrol(
    center: Center, request: EnrolIn, public_key: bytes, now: int
) -> tuple[WrappedKeyOut, str | None]:
    digest = code_hash(request.code)
    with center.sessions.begin() as session:
        code = session.scalars(
            select(EnrolmentCodeRow).where(EnrolmentCodeRow.code_hash == digest)
        ).first()
        if code is None or code.device_id != request.device_id:
            raise EnrolmentError(403, "the enrolment code is not valid for this device")
        if code.used_at_us is not None:
            raise EnrolmentError(403, "the enrolment code was already used")
        if now >= code.expires_at_us:
            raise EnrolmentError(403, "the enrolment code has expired; ask for a new one")
        if session.get(DeviceRow, request.device_id) is not None:
            raise EnrolmentError(409, f"device {request.device_id} is already enrolled")
        if session.scalars(select(DeviceRow).where(DeviceRow.public_key == public_key)).first():
            raise EnrolmentError(409, "this public key is already registered to another device")
        holder = session.scalars(
            select(DeviceRow).where(DeviceRow.terminal_id == request.terminal_id)
        ).first()
        if holder is not None:
            # MAC2 and TACs cover the terminal id: two devices with one id could pass off each
            # other's loads
            raise EnrolmentError(
                409,
                f"terminal id {request.terminal_id} belongs to another device; each counter "
                "needs its own terminal id",
            )
        used = session.execute(
            update(EnrolmentCodeRow)
            .where(EnrolmentCodeRow.id == code.id, EnrolmentCodeRow.used_at_us.is_(None))
            .values(used_at_us=now)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
            raise EnrolmentError(403, "the enrolment code was already used")
        device = DeviceRow(
            device_id=request.device_id,
            terminal_id=request.terminal_id,
            public_key=public_key,
            enrolled_at_us=now,
            outlet=code.outlet,
            status="active",
            replaces=code.replaces,
            head_seq=0,
            head_mac=GENESIS_PREV_MAC,
            head_at_us=0,
            next_key_id="",
        )
        session.add(device)
        session.flush()
        wrapped = issue_key(session, device, now)
        device.next_key_id = wrapped.key_id
    return wrapped, code.replaces
