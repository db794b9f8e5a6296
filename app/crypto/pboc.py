"""PBOC electronic-purse cryptography, DES family (card-protocol.md, "Cryptography").

The names and signatures here are a public contract: the card session, the SAM, the virtual card
and outside checks call them directly.
"""

from __future__ import annotations

from app.crypto.des import des_decrypt_ecb, des_encrypt_cbc, des_encrypt_ecb

MAC_SIZE = 4
_BLOCK = 8


def pad_80(data: bytes, block: int = _BLOCK) -> bytes:
    """Pad with ``80`` then ``00`` to a multiple of ``block`` (a full block when aligned)."""
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % block)


def pboc_mac(key: bytes, data: bytes, icv: bytes = bytes(8)) -> bytes:
    """Return the 4-byte PBOC MAC of ``data``.

    An 8-byte key gives ISO 9797-1 algorithm 1 (single-DES CBC-MAC); a 16-byte key gives
    algorithm 3, the retail MAC (DES-CBC with the left half, last block decrypted with the right
    half and encrypted with the left). ``data`` is padded with ``80 00…`` first.
    """
    if len(icv) != _BLOCK:
        raise ValueError("the ICV of a DES MAC is 8 bytes")
    if len(key) not in (8, 16):
        raise ValueError(f"a PBOC MAC key is 8 or 16 bytes, not {len(key)}")
    chained = des_encrypt_cbc(key[:8], icv, pad_80(data))[-_BLOCK:]
    if len(key) == 16:
        chained = des_encrypt_ecb(key[:8], des_decrypt_ecb(key[8:], chained))
    return chained[:MAC_SIZE]


def _diversification_input(serial: bytes) -> bytes:
    if len(serial) < 8:
        raise ValueError(
            f"a card serial for diversification has at least 8 bytes, not {len(serial)}"
        )
    return serial[-8:]


def diversify(master_key: bytes, serial: bytes) -> bytes:
    """Derive a 16-byte card key: ``3DES_MK(X) ‖ 3DES_MK(NOT X)``, X = rightmost 8 serial bytes."""
    if len(master_key) != 16:
        raise ValueError("a DES master key is 16 bytes")
    x = _diversification_input(serial)
    not_x = bytes(b ^ 0xFF for b in x)
    return des_encrypt_ecb(master_key, x + not_x)


def load_session_key(dlk: bytes, random: bytes, online_atc: int) -> bytes:
    """Return SESLK = ``3DES_DLK(random(4) ‖ onlineATC(2) ‖ 8000)``."""
    if len(random) != 4:
        raise ValueError("the card random of a load is 4 bytes")
    return des_encrypt_ecb(dlk, random + online_atc.to_bytes(2, "big") + b"\x80\x00")


def purchase_session_key(dpk: bytes, random: bytes, offline_atc: int, terminal_seq: int) -> bytes:
    """Return SESPK = ``3DES_DPK(random(4) ‖ offlineATC(2) ‖ last 2 bytes of termSeq)``."""
    if len(random) != 4:
        raise ValueError("the card random of a purchase is 4 bytes")
    seq = terminal_seq.to_bytes(4, "big")[-2:]
    return des_encrypt_ecb(dpk, random + offline_atc.to_bytes(2, "big") + seq)


def tac_key(dtk: bytes) -> bytes:
    """Return the 8-byte TAC key: left half of DTK XOR right half."""
    if len(dtk) != 16:
        raise ValueError("a DTK is 16 bytes")
    return bytes(a ^ b for a, b in zip(dtk[:8], dtk[8:], strict=True))
