"""SM2 signatures with the default signer ID through Tongsuo (``tongsuopy``), when installed.

Tongsuo is OpenSSL with the Chinese algorithms in C: about 10× gmssl's pure Python for signing
and verifying here (bench/bench_crypto.py). It computes Z_A with the default ID
``1234567812345678`` itself, so only that ID goes through here; :mod:`app.crypto.sm2` keeps
gmssl as the reference and for any other ID. Byte compatibility is proven by
``tests/crypto/test_crypto_sm2_tongsuo.py``: the GB/T 32918.5 example verifies, and signatures
cross-verify with the gmssl reference both ways. Signatures are r ‖ s (64 bytes) as everywhere
in the project; Tongsuo's DER is converted at this boundary.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tongsuopy.crypto import hashes
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.asymciphers.utils import encode_dss_signature
from tongsuopy.crypto.exceptions import InvalidSignature

_ALGORITHM = ec.ECDSA(hashes.SM3())


@lru_cache(maxsize=4096)
def _public(public_key: bytes) -> Any:
    """Tongsuo's key object of a (checked, 64-byte x ‖ y) public key; devices repeat."""
    x = int.from_bytes(public_key[:32], "big")
    y = int.from_bytes(public_key[32:], "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SM2()).public_key()


@lru_cache(maxsize=8)
def _private(secret: bytes) -> Any:
    """Tongsuo's key object of a secret, kept: a process signs with one or two keys.

    Not derived again per signature; the secret lives as long as the caller's key anyway.
    """
    return ec.derive_private_key(int.from_bytes(secret, "big"), ec.SM2())


def public_key(secret: bytes) -> bytes:
    """The x ‖ y (64 bytes) of the public key of ``secret`` (a checked, in-range scalar)."""
    numbers = _private(secret).public_key().public_numbers()
    return int(numbers.x).to_bytes(32, "big") + int(numbers.y).to_bytes(32, "big")


def _der_integer(der: bytes, at: int) -> tuple[int, int]:
    if der[at] != 0x02 or der[at + 1] > 33:
        raise ValueError("not a DER INTEGER of an SM2 signature")
    length = der[at + 1]
    return int.from_bytes(der[at + 2 : at + 2 + length], "big"), at + 2 + length


def _raw(der: bytes) -> bytes:
    """The raw r ‖ s of a DER ``SEQUENCE { INTEGER r, INTEGER s }`` (short form only)."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("not a DER SM2 signature")
    r, at = _der_integer(der, 2)
    s, end = _der_integer(der, at)
    if end != len(der):
        raise ValueError("trailing bytes after a DER SM2 signature")
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign(secret: bytes, message: bytes) -> bytes:
    """The r ‖ s of SM2-with-SM3 over ``message``, default ID (Tongsuo draws k)."""
    return _raw(_private(secret).sign(message, _ALGORITHM))


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether r ‖ s (range-checked by the caller) signs ``message`` under the default ID."""
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    try:
        _public(public_key).verify(encode_dss_signature(r, s), message, _ALGORITHM)
    except InvalidSignature:
        return False
    return True
