"""One interface over the DES and SM4 purse algorithms, chosen by the card's algId."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from app.crypto import pboc, pboc_sm4


class PurseAlgorithm(enum.IntEnum):
    """algId as the card reports it in the INITIALIZE answers."""

    DES = 0x00
    SM4 = 0x04


class PurseCrypto(Protocol):
    """The card-key and session-key rules of one purse algorithm."""

    @property
    def algorithm(self) -> PurseAlgorithm:
        """The algId this implements."""
        ...

    @property
    def block_size(self) -> int:
        """The cipher block size in bytes."""
        ...

    def diversify(self, master_key: bytes, serial: bytes) -> bytes:
        """Derive a card key from an issuer master key and the card serial."""
        ...

    def load_session_key(self, dlk: bytes, random: bytes, online_atc: int) -> bytes:
        """Derive the load session key from the card's DLK."""
        ...

    def purchase_session_key(
        self, dpk: bytes, random: bytes, offline_atc: int, terminal_seq: int
    ) -> bytes:
        """Derive the purchase session key from the card's DPK."""
        ...

    def mac(self, key: bytes, data: bytes, icv: bytes | None = None) -> bytes:
        """Return the 4-byte MAC of ``data`` (zero ICV unless given)."""
        ...

    def tac_key(self, dtk: bytes) -> bytes:
        """Return the key the TAC is computed with."""
        ...

    def secure_messaging_icv(self, challenge: bytes) -> bytes:
        """Return the ICV of a secure-messaging MAC: challenge ‖ zeros to one block."""
        ...


@dataclass(frozen=True)
class DesPurse:
    """PBOC DES/3DES rules (algId 00)."""

    algorithm: PurseAlgorithm = PurseAlgorithm.DES
    block_size: int = 8

    def diversify(self, master_key: bytes, serial: bytes) -> bytes:
        """See :func:`app.crypto.pboc.diversify`."""
        return pboc.diversify(master_key, serial)

    def load_session_key(self, dlk: bytes, random: bytes, online_atc: int) -> bytes:
        """See :func:`app.crypto.pboc.load_session_key`."""
        return pboc.load_session_key(dlk, random, online_atc)

    def purchase_session_key(
        self, dpk: bytes, random: bytes, offline_atc: int, terminal_seq: int
    ) -> bytes:
        """See :func:`app.crypto.pboc.purchase_session_key`."""
        return pboc.purchase_session_key(dpk, random, offline_atc, terminal_seq)

    def mac(self, key: bytes, data: bytes, icv: bytes | None = None) -> bytes:
        """See :func:`app.crypto.pboc.pboc_mac`."""
        return pboc.pboc_mac(key, data, icv if icv is not None else bytes(8))

    def tac_key(self, dtk: bytes) -> bytes:
        """See :func:`app.crypto.pboc.tac_key`."""
        return pboc.tac_key(dtk)

    def secure_messaging_icv(self, challenge: bytes) -> bytes:
        """Return challenge(4) ‖ 00000000."""
        return (challenge + bytes(8))[:8]


@dataclass(frozen=True)
class Sm4Purse:
    """Our SM4 rules (algId 04), see :mod:`app.crypto.pboc_sm4`."""

    algorithm: PurseAlgorithm = PurseAlgorithm.SM4
    block_size: int = 16

    def diversify(self, master_key: bytes, serial: bytes) -> bytes:
        """See :func:`app.crypto.pboc_sm4.sm4_diversify`."""
        return pboc_sm4.sm4_diversify(master_key, serial)

    def load_session_key(self, dlk: bytes, random: bytes, online_atc: int) -> bytes:
        """See :func:`app.crypto.pboc_sm4.sm4_load_session_key`."""
        return pboc_sm4.sm4_load_session_key(dlk, random, online_atc)

    def purchase_session_key(
        self, dpk: bytes, random: bytes, offline_atc: int, terminal_seq: int
    ) -> bytes:
        """See :func:`app.crypto.pboc_sm4.sm4_purchase_session_key`."""
        return pboc_sm4.sm4_purchase_session_key(dpk, random, offline_atc, terminal_seq)

    def mac(self, key: bytes, data: bytes, icv: bytes | None = None) -> bytes:
        """See :func:`app.crypto.pboc_sm4.sm4_mac`."""
        return pboc_sm4.sm4_mac(key, data, icv if icv is not None else bytes(16))

    def tac_key(self, dtk: bytes) -> bytes:
        """The SM4 TAC key is the DTK itself."""
        return dtk

    def secure_messaging_icv(self, challenge: bytes) -> bytes:
        """Return challenge ‖ zeros to 16 bytes."""
        return (challenge + bytes(16))[:16]


_PURSES: dict[PurseAlgorithm, PurseCrypto] = {
    PurseAlgorithm.DES: DesPurse(),
    PurseAlgorithm.SM4: Sm4Purse(),
}


def purse_crypto(algorithm: int) -> PurseCrypto:
    """Return the rules for an algId; raises ``ValueError`` for one we do not know."""
    try:
        return _PURSES[PurseAlgorithm(algorithm)]
    except ValueError:
        raise ValueError(f"unknown purse algorithm id {algorithm:#04x}") from None
