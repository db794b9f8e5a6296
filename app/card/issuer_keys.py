"""The issuer's master keys for one algorithm and key version, as the SAM holds them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from app.crypto.diversify import city_key
from app.crypto.keystore import Keystore
from app.crypto.purse import PurseAlgorithm, purse_crypto
from app.domain.card import CardKeyKind


def master_key_name(algorithm: PurseAlgorithm, key_version: int, kind: CardKeyKind) -> str:
    """The keystore entry name of one issuer master key, e.g. ``mk/des/01/dlk``."""
    return f"mk/{algorithm.name.lower()}/{key_version:02x}/{kind.value}"


@dataclass(frozen=True)
class IssuerKeySet:
    """Master keys (16 bytes each) of one purse algorithm and key version."""

    algorithm: PurseAlgorithm
    key_version: int
    master_keys: dict[CardKeyKind, bytes] = field(repr=False)

    @classmethod
    def generate(cls, algorithm: PurseAlgorithm, key_version: int = 1) -> IssuerKeySet:
        """Fresh random master keys (demo and test issuers)."""
        return cls(algorithm, key_version, {k: secrets.token_bytes(16) for k in CardKeyKind})

    @classmethod
    def from_keystore(
        cls, keystore: Keystore, algorithm: PurseAlgorithm, key_version: int
    ) -> IssuerKeySet:
        """Load the master keys of ``algorithm``/``key_version`` from an open keystore."""
        keys = {k: keystore.get(master_key_name(algorithm, key_version, k)) for k in CardKeyKind}
        return cls(algorithm, key_version, keys)

    def keystore_entries(self) -> dict[str, bytes]:
        """The entries to put into a keystore for this key set."""
        return {
            master_key_name(self.algorithm, self.key_version, kind): key
            for kind, key in self.master_keys.items()
        }

    def card_key(self, kind: CardKeyKind, serial: bytes) -> bytes:
        """The diversified key of one card."""
        return purse_crypto(self.algorithm).diversify(self.master_keys[kind], serial)

    def card_keys(self, serial: bytes) -> dict[CardKeyKind, bytes]:
        """All diversified keys of one card (to personalise a virtual card)."""
        return {kind: self.card_key(kind, serial) for kind in CardKeyKind}

    @classmethod
    def interoperable(
        cls, own: IssuerKeySet, national: IssuerKeySet, diversifier: bytes
    ) -> IssuerKeySet:
        """An issuer's key set for its interoperable cards, under the national key version.

        The keys ``national`` holds (purchase, TAC, and the block key where the scheme shares
        it) become city keys with the issuer's 8-byte ``diversifier`` — what the ministry's key
        system hands the city; the rest (load, unblock, update) stay ``own``'s. A card key of
        this set is one more diversification (the serial), so a PSAM holding ``national``
        reaches the same card key in two steps (:func:`app.crypto.diversify.interop_card_key`).
        """
        if own.algorithm is not national.algorithm:
            raise ValueError("the issuer's and the national keys must be of one algorithm")
        keys = dict(own.master_keys)
        for kind, master in national.master_keys.items():
            keys[kind] = city_key(national.algorithm, master, diversifier)
        return cls(national.algorithm, national.key_version, keys)
