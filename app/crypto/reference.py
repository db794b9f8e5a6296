"""Slow pure-Python reference implementations on ``gmssl``, for tests and benchmarks only.

The production paths in :mod:`app.crypto.sm3` and :mod:`app.crypto.sm4` run on OpenSSL. These
functions compute the same results with ``gmssl``'s independent pure-Python code, so that the two
can be compared byte for byte. Nothing in the application may call them on a hot path: they are
one to three orders of magnitude slower.

``gmssl`` works on lists of ints and hex strings and pads SM4 with PKCS#7 by default; the wrappers
here take and return ``bytes`` and never pad.
"""

from __future__ import annotations

from gmssl import sm3 as _gm_sm3
from gmssl import sm4 as _gm_sm4

SM3_BLOCK_SIZE = 64
SM3_DIGEST_SIZE = 32
SM4_BLOCK = 16
SM4_KEY_SIZE = 16

# gmssl 3.2.2's ``crypt_ecb`` pads only when ``padding_mode`` is PKCS7 (0) or ZERO (1); any other
# value leaves the data as it is, which is what raw block encryption needs.
_NO_PADDING = -1


def reference_sm3(data: bytes) -> bytes:
    """Return the 32-byte SM3 digest of ``data``, computed by gmssl."""
    # sm3_hash appends its padding to the list it is given, so hand it a fresh one.
    return bytes.fromhex(_gm_sm3.sm3_hash(list(data)))


def reference_hmac_sm3(key: bytes, data: bytes) -> bytes:
    """Return HMAC-SM3 (RFC 2104, block size 64) of ``data`` under ``key``, built on gmssl's SM3."""
    if len(key) > SM3_BLOCK_SIZE:
        key = reference_sm3(key)
    key = key.ljust(SM3_BLOCK_SIZE, b"\x00")
    inner = bytes(b ^ 0x36 for b in key)
    outer = bytes(b ^ 0x5C for b in key)
    return reference_sm3(outer + reference_sm3(inner + data))


def _check(key: bytes, data: bytes) -> None:
    if len(key) != SM4_KEY_SIZE:
        raise ValueError(f"an SM4 key is 16 bytes, not {len(key)}")
    if len(data) % SM4_BLOCK:
        raise ValueError(f"SM4 data must be a multiple of {SM4_BLOCK} bytes, got {len(data)}")


def _check_iv(iv: bytes) -> None:
    if len(iv) != SM4_BLOCK:
        raise ValueError(f"an SM4 IV is 16 bytes, not {len(iv)}")


def _sm4(key: bytes, mode: int) -> _gm_sm4.CryptSM4:
    engine = _gm_sm4.CryptSM4(mode=mode, padding_mode=_NO_PADDING)
    engine.set_key(key, mode)
    return engine


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def reference_sm4_ecb_encrypt(key: bytes, data: bytes) -> bytes:
    """Encrypt whole 16-byte blocks with gmssl's SM4 in ECB mode, without padding."""
    _check(key, data)
    return bytes(_sm4(key, _gm_sm4.SM4_ENCRYPT).crypt_ecb(data))


def reference_sm4_ecb_decrypt(key: bytes, data: bytes) -> bytes:
    """Decrypt whole 16-byte blocks with gmssl's SM4 in ECB mode, without unpadding."""
    _check(key, data)
    return bytes(_sm4(key, _gm_sm4.SM4_DECRYPT).crypt_ecb(data))


def reference_sm4_cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Encrypt whole 16-byte blocks with SM4 in CBC mode, without padding.

    gmssl's own ``crypt_cbc`` always pads, so the chaining is done here over its raw block
    encryption.
    """
    _check(key, data)
    _check_iv(iv)
    engine = _sm4(key, _gm_sm4.SM4_ENCRYPT)
    out = bytearray()
    chain = iv
    for i in range(0, len(data), SM4_BLOCK):
        chain = bytes(engine.crypt_ecb(_xor(data[i : i + SM4_BLOCK], chain)))
        out += chain
    return bytes(out)


def reference_sm4_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Decrypt whole 16-byte blocks with SM4 in CBC mode, without unpadding."""
    _check(key, data)
    _check_iv(iv)
    engine = _sm4(key, _gm_sm4.SM4_DECRYPT)
    out = bytearray()
    chain = iv
    for i in range(0, len(data), SM4_BLOCK):
        block = data[i : i + SM4_BLOCK]
        out += _xor(bytes(engine.crypt_ecb(block)), chain)
        chain = block
    return bytes(out)
