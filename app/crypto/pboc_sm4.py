"""The SM4 (国密) variant of the purse cryptography — our own rules (card-protocol.md).

No public SM4 purse trace exists, so these rules are ours: algId ``04``; session key
``SM4_K(random ‖ ATC ‖ 8000 ‖ 00×8)``; MAC = SM4-CBC-MAC with ``80 00…`` padding on 16-byte
blocks, leftmost 4 bytes; TAC key = DTK itself; card keys ``SM4_MK(X ‖ NOT X)``. They sit behind
:class:`app.crypto.purse.PurseCrypto` so an issuer's exact rules can replace them.
"""

from __future__ import annotations

from app.crypto.pboc import MAC_SIZE, pad_80
from app.crypto.sm4 import sm4_encrypt_cbc, sm4_encrypt_ecb

_BLOCK = 16


def sm4_mac(key: bytes, data: bytes, icv: bytes = bytes(16)) -> bytes:
    """Return the 4-byte SM4-CBC-MAC of ``data`` padded with ``80 00…`` to 16-byte blocks."""
    if len(icv) != _BLOCK:
        raise ValueError("the ICV of an SM4 MAC is 16 bytes")
    return sm4_encrypt_cbc(key, icv, pad_80(data, _BLOCK))[-_BLOCK:][:MAC_SIZE]


def sm4_diversify(master_key: bytes, serial: bytes) -> bytes:
    """Derive a 16-byte SM4 card key ``SM4_MK(X ‖ NOT X)``, X = rightmost 8 serial bytes."""
    if len(serial) < 8:
        raise ValueError("a card serial for diversification has at least 8 bytes")
    x = serial[-8:]
    return sm4_encrypt_ecb(master_key, x + bytes(b ^ 0xFF for b in x))


def sm4_load_session_key(dlk: bytes, random: bytes, online_atc: int) -> bytes:
    """Return the SM4 load session key ``SM4_DLK(random ‖ ATC ‖ 8000 ‖ 00×8)``."""
    if len(random) != 4:
        raise ValueError("the card random of a load is 4 bytes")
    block = random + online_atc.to_bytes(2, "big") + b"\x80\x00" + bytes(8)
    return sm4_encrypt_ecb(dlk, block)


def sm4_purchase_session_key(
    dpk: bytes, random: bytes, offline_atc: int, terminal_seq: int
) -> bytes:
    """Return the SM4 purchase session key ``SM4_DPK(random ‖ ATC ‖ termSeq[-2:] ‖ 00×8)``."""
    if len(random) != 4:
        raise ValueError("the card random of a purchase is 4 bytes")
    seq = terminal_seq.to_bytes(4, "big")[-2:]
    return sm4_encrypt_ecb(dpk, random + offline_atc.to_bytes(2, "big") + seq + bytes(8))
