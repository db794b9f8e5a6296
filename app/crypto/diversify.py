"""Two-level key diversification for interoperable cards (interop.md, secure-elements.md).

A national (or city) master key becomes a city key with the city's 8-byte issuer diversifier,
``city code(2) ‖ FF 00 00 00 00 00``; the city key becomes a card key with the card serial.
Each step is the algorithm's ordinary diversification (:meth:`PurseCrypto.diversify`). Pure
functions: the PSAM, the center's key service and tests share them.
"""

from __future__ import annotations

from app.crypto.purse import purse_crypto

ISSUER_DIVERSIFIER_SIZE = 8
_DIVERSIFIER_TAIL = b"\xff\x00\x00\x00\x00\x00"


def issuer_diversifier(city_code: str | bytes) -> bytes:
    """The 8-byte issuer diversifier of a city: city code (2 bytes BCD) ‖ ``FF 00 00 00 00 00``.

    ``city_code`` is the 4-digit text of file 0x15 bytes 2–3 (``"3100"``) or those two bytes.
    """
    raw = bytes.fromhex(city_code) if isinstance(city_code, str) else bytes(city_code)
    if len(raw) != 2:
        raise ValueError(f"a city code is 2 bytes, not {len(raw)}")
    return raw + _DIVERSIFIER_TAIL


def city_key(algorithm: int, master_key: bytes, diversifier: bytes) -> bytes:
    """The city-level key: ``master_key`` diversified with the 8-byte issuer diversifier."""
    if len(diversifier) != ISSUER_DIVERSIFIER_SIZE:
        raise ValueError(f"an issuer diversifier is 8 bytes, not {len(diversifier)}")
    return purse_crypto(algorithm).diversify(master_key, diversifier)


def interop_card_key(algorithm: int, master_key: bytes, diversifier: bytes, serial: bytes) -> bytes:
    """A card key two levels down: master → city key (``diversifier``) → card key (``serial``)."""
    return purse_crypto(algorithm).diversify(city_key(algorithm, master_key, diversifier), serial)
