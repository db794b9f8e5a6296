"""SM4 block cipher (GB/T 32907) on OpenSSL: ECB, CBC and GCM."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 16
KEY_SIZE = 16


def _check(key: bytes, data: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"an SM4 key is 16 bytes, not {len(key)}")
    if len(data) % BLOCK:
        raise ValueError(f"SM4 data must be a multiple of {BLOCK} bytes, got {len(data)}")


def sm4_encrypt_ecb(key: bytes, data: bytes) -> bytes:
    """Encrypt whole 16-byte blocks with SM4 in ECB mode."""
    _check(key, data)
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - diversification is ECB
    return enc.update(data) + enc.finalize()


def sm4_decrypt_ecb(key: bytes, data: bytes) -> bytes:
    """Decrypt whole 16-byte blocks with SM4 in ECB mode."""
    _check(key, data)
    dec = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()  # noqa: S305
    return dec.update(data) + dec.finalize()


def sm4_encrypt_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Encrypt whole 16-byte blocks with SM4 in CBC mode (no padding is added)."""
    _check(key, data)
    enc = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def sm4_decrypt_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Decrypt whole 16-byte blocks with SM4 in CBC mode."""
    _check(key, data)
    dec = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated: bytes = b"") -> bytes:
    """Encrypt and authenticate with SM4-GCM; returns ciphertext ‖ 16-byte tag."""
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(associated)
    ct = enc.update(plaintext) + enc.finalize()
    return ct + enc.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes, associated: bytes = b"") -> bytes:
    """Check and decrypt SM4-GCM output of :func:`sm4_gcm_encrypt`; raises on a bad tag."""
    if len(sealed) < 16:
        raise ValueError("sealed data is shorter than its tag")
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-16:])).decryptor()
    dec.authenticate_additional_data(associated)
    return dec.update(sealed[:-16]) + dec.finalize()
