"""SM3 hash (GB/T 32905) and HMAC-SM3 on OpenSSL."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, hmac

DIGEST_SIZE = 32


def sm3_digest(data: bytes) -> bytes:
    """Return the 32-byte SM3 digest of ``data``."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """Return the 32-byte HMAC-SM3 (RFC 2104 with SM3) of ``data`` under ``key``."""
    h = hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


def hmac_sm3_verify(key: bytes, data: bytes, tag: bytes) -> bool:
    """Check an HMAC-SM3 tag in constant time."""
    h = hmac.HMAC(key, hashes.SM3())
    h.update(data)
    try:
        h.verify(tag)
    except Exception:
        return False
    return True
