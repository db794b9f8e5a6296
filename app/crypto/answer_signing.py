"""The center's signature on the answers a counter acts on (blacklist, parameters).

The center signs with its SM2 identity key, which the counter pins at enrolment, over the text

    citycard-answer/1 ⏎ target ⏎ nonce ⏎ hex(SM3(body))            (⏎: one line feed)

where ``target`` and ``nonce`` are those of the counter's signed request: an answer cannot be
moved to another request, nor an old one replayed (each request has a fresh nonce), and a
proxy or a spoofed center cannot hand the counter a shorter blacklist or looser limits.
"""

from __future__ import annotations

from app.crypto.sm2 import SIGNATURE_SIZE, Sm2Error, Sm2PrivateKey, sm2_verify
from app.crypto.sm3 import sm3_digest

HEADER_ANSWER_SIGNATURE = "X-Citycard-Answer-Signature"


def answer_text(target: str, nonce: str, body: bytes) -> bytes:
    """The bytes an answer signature covers."""
    return f"citycard-answer/1\n{target}\n{nonce}\n{sm3_digest(body).hex()}".encode()


def sign_answer(key: Sm2PrivateKey, target: str, nonce: str, body: bytes) -> str:
    """The header value (hex) signing ``body`` as the answer to the request (target, nonce)."""
    return key.sign(answer_text(target, nonce, body)).hex()


def answer_signature_ok(
    public_key: bytes, target: str, nonce: str, body: bytes, signature_hex: str | None
) -> bool:
    """Whether ``signature_hex`` is the center's signature of this answer."""
    if not signature_hex:
        return False
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return False
    if len(signature) != SIGNATURE_SIZE:
        return False
    try:
        return sm2_verify(public_key, answer_text(target, nonce, body), signature)
    except Sm2Error:
        return False
