"""Signed requests to the clearing center: what a device signs and the headers it sends.

One scheme, used by the counter's sync client to sign and by the center to check. A request is
signed with the device's SM2 key (SM3, user id ``1234567812345678``) over the UTF-8 text

    METHOD ⏎ target ⏎ hex(SM3(body)) ⏎ timestamp ⏎ nonce        (⏎: one line feed)

where ``target`` is the path with its query string (``/v1/blacklist?since=3``), ``timestamp``
is Unix seconds in decimal and ``nonce`` is 32 lower-case hex digits, fresh for every request.
The center refuses unknown devices, bad signatures, timestamps more than five minutes from its
clock and nonces it has already seen in that window.
"""

from __future__ import annotations

import secrets
import time

from app.crypto.sm2 import SIGNATURE_SIZE, Sm2Error, Sm2PrivateKey, sm2_verify
from app.crypto.sm3 import sm3_digest

HEADER_DEVICE = "X-Citycard-Device"
HEADER_TIMESTAMP = "X-Citycard-Timestamp"
HEADER_NONCE = "X-Citycard-Nonce"
HEADER_SIGNATURE = "X-Citycard-Signature"
NONCE_BYTES = 16


def signed_text(method: str, target: str, body: bytes, timestamp: int, nonce: str) -> bytes:
    """The bytes a request signature covers."""
    digest = sm3_digest(body).hex()
    return f"{method.upper()}\n{target}\n{digest}\n{timestamp}\n{nonce}".encode()


def sign_request(
    key: Sm2PrivateKey,
    device_id: str,
    method: str,
    target: str,
    body: bytes = b"",
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The authentication headers of one request (send ``body`` exactly as signed)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = secrets.token_hex(NONCE_BYTES) if nonce is None else nonce
    signature = key.sign(signed_text(method, target, body, timestamp, nonce))
    return {
        HEADER_DEVICE: device_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature.hex(),
    }


def signature_ok(
    public_key: bytes,
    method: str,
    target: str,
    body: bytes,
    timestamp: int,
    nonce: str,
    signature_hex: str,
) -> bool:
    """Whether ``signature_hex`` is the device's signature of this request."""
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return False
    if len(signature) != SIGNATURE_SIZE:
        return False
    try:
        return sm2_verify(
            public_key, signed_text(method, target, body, timestamp, nonce), signature
        )
    except Sm2Error:
        return False
