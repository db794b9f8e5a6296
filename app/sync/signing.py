"""Signed requests, as docs/clearing-center.md ("Request authentication") defines them.

Re-implemented here from the documentation (the counter does not import the center's code);
``tests/sync/test_signing.py`` proves the center accepts it. A request is signed with the
device's SM2 key (SM3, user id ``1234567812345678``) over the UTF-8 text

    METHOD ⏎ target ⏎ hex(SM3(body)) ⏎ timestamp ⏎ nonce

``target`` being the path and query exactly as sent, ``timestamp`` Unix seconds in decimal and
``nonce`` 32 lower-case hex digits, fresh for every request — so every attempt of a retried call
is signed again: the center refuses a nonce it has seen (a replay).
"""

from __future__ import annotations

import secrets

from app.crypto.sm2 import Sm2PrivateKey
from app.crypto.sm3 import sm3_digest

HEADER_DEVICE = "X-Citycard-Device"
HEADER_TIMESTAMP = "X-Citycard-Timestamp"
HEADER_NONCE = "X-Citycard-Nonce"
HEADER_SIGNATURE = "X-Citycard-Signature"
NONCE_BYTES = 16


def signed_text(method: str, target: str, body: bytes, timestamp: int, nonce: str) -> bytes:
    """The bytes a request signature covers."""
    return f"{method.upper()}\n{target}\n{sm3_digest(body).hex()}\n{timestamp}\n{nonce}".encode()


def signature_headers(
    key: Sm2PrivateKey,
    device_id: str,
    method: str,
    target: str,
    body: bytes,
    timestamp: int,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four authentication headers of one request attempt."""
    nonce = secrets.token_hex(NONCE_BYTES) if nonce is None else nonce
    signature = key.sign(signed_text(method, target, body, timestamp, nonce))
    return {
        HEADER_DEVICE: device_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature.hex(),
    }
