"""DES and triple-DES block operations (OpenSSL through ``cryptography``).

A single-DES key is 8 bytes, a two-key 3DES key 16 bytes, a three-key 3DES key 24 bytes. OpenSSL
only offers DES as 3DES, so single DES runs as 3DES with K1 = K2 = K3, which is the same cipher.
"""

from __future__ import annotations

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

BLOCK = 8


def _expand(key: bytes) -> bytes:
    if len(key) == 8:
        return key * 3
    if len(key) == 16:
        return key + key[:8]
    if len(key) == 24:
        return key
    raise ValueError(f"a DES key is 8, 16 or 24 bytes, not {len(key)}")


def _check_blocks(data: bytes) -> None:
    if len(data) % BLOCK:
        raise ValueError(f"DES data must be a multiple of {BLOCK} bytes, got {len(data)}")


def des_encrypt_ecb(key: bytes, data: bytes) -> bytes:
    """Encrypt whole 8-byte blocks with DES (8-byte key) or 3DES (16/24-byte key) in ECB mode."""
    _check_blocks(data)
    enc = Cipher(TripleDES(_expand(key)), modes.ECB()).encryptor()  # noqa: S305 - PBOC uses ECB
    return enc.update(data) + enc.finalize()


def des_decrypt_ecb(key: bytes, data: bytes) -> bytes:
    """Decrypt whole 8-byte blocks with DES or 3DES in ECB mode."""
    _check_blocks(data)
    dec = Cipher(TripleDES(_expand(key)), modes.ECB()).decryptor()  # noqa: S305
    return dec.update(data) + dec.finalize()


def des_encrypt_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Encrypt whole 8-byte blocks with DES or 3DES in CBC mode (no padding is added)."""
    _check_blocks(data)
    if len(iv) != BLOCK:
        raise ValueError("a DES IV is 8 bytes")
    enc = Cipher(TripleDES(_expand(key)), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def des_decrypt_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Decrypt whole 8-byte blocks with DES or 3DES in CBC mode."""
    _check_blocks(data)
    if len(iv) != BLOCK:
        raise ValueError("a DES IV is 8 bytes")
    dec = Cipher(TripleDES(_expand(key)), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()
