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


class HmacSm3Key:
    """An HMAC-SM3 key prepared once, for MACing many messages (a journal's records).

    Equal to :func:`hmac_sm3` byte for byte; it only saves the per-message key schedule.
    ``repr`` never shows the key.
    """

    __slots__ = ("_base",)

    def __init__(self, key: bytes) -> None:
        self._base = hmac.HMAC(key, hashes.SM3())

    def __repr__(self) -> str:
        return "HmacSm3Key(<secret>)"

    def mac(self, data: bytes) -> bytes:
        """HMAC-SM3 of ``data``."""
        h = self._base.copy()
        h.update(data)
        return h.finalize()

    def verify(self, data: bytes, tag: bytes) -> bool:
        """Check a tag in constant time."""
        h = self._base.copy()
        h.update(data)
        try:
            h.verify(tag)
        except Exception:
            return False
        return True
