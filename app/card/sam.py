"""The secure access module: the only holder of issuer keys on the counter side.

:class:`Sam` is what the counter needs from one — verify MAC1 and give MAC2 for a load, verify
TACs, give purchase MAC1s, compute secure-messaging MACs. :class:`SoftwareSam` implements it with
master keys unsealed from the encrypted keystore; a hardware PSAM in the reader's second slot can
implement the same interface. No key ever leaves it, and none is logged.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.card.errors import CardMacError
from app.card.files import encode_bcd_datetime
from app.card.issuer_keys import IssuerKeySet
from app.card.session import LoadInit, PurchaseInit, PurseKeyRef
from app.crypto.keystore import Keystore
from app.crypto.purse import PurseAlgorithm, purse_crypto
from app.domain.card import CardKeyKind, TransactionType


class SamKeyError(CardMacError):
    """The SAM holds no keys of the algorithm and version the card asks for."""

    advice = "This card uses keys this counter does not hold; call the supervisor."


@dataclass(frozen=True)
class LoadAuthorization:
    """Everything the SAM needs to check MAC1 and make MAC2 (and later check the TAC)."""

    serial: bytes
    keys: PurseKeyRef
    random: bytes
    online_atc: int
    balance_fen: int
    amount_fen: int
    terminal_id: bytes
    mac1: bytes
    when: datetime

    @classmethod
    def from_init(cls, serial: bytes, init: LoadInit, when: datetime) -> LoadAuthorization:
        """Build from the card's INITIALIZE FOR LOAD answer."""
        return cls(
            serial=serial,
            keys=init.keys,
            random=init.random,
            online_atc=init.online_atc,
            balance_fen=init.balance_fen,
            amount_fen=init.amount_fen,
            terminal_id=init.terminal_id,
            mac1=init.mac1,
            when=when,
        )

    @property
    def balance_after_fen(self) -> int:
        """The balance the card will report after the credit."""
        return self.balance_fen + self.amount_fen


@dataclass(frozen=True)
class PurchaseAuthorization:
    """Everything the SAM needs for a purchase's MAC1 and to check MAC2 and TAC."""

    serial: bytes
    keys: PurseKeyRef
    random: bytes
    offline_atc: int
    amount_fen: int
    transaction_type: int
    terminal_id: bytes
    terminal_seq: int
    when: datetime
    card_data: bytes = b""  # the 9 bytes of GET DATA on CU cards whose issuer uses them

    @classmethod
    def from_init(
        cls,
        serial: bytes,
        init: PurchaseInit,
        terminal_seq: int,
        when: datetime,
        card_data: bytes = b"",
    ) -> PurchaseAuthorization:
        """Build from the card's INITIALIZE FOR PURCHASE answer."""
        kind = TransactionType.COMPOUND_PURCHASE if init.compound else TransactionType.EP_PURCHASE
        return cls(
            serial=serial,
            keys=init.keys,
            random=init.random,
            offline_atc=init.offline_atc,
            amount_fen=init.amount_fen,
            transaction_type=int(kind),
            terminal_id=init.terminal_id,
            terminal_seq=terminal_seq,
            when=when,
            card_data=card_data,
        )


class Sam(Protocol):
    """What the counter asks of a SAM."""

    def authorize_load(self, auth: LoadAuthorization) -> bytes:
        """Verify the card's MAC1 (CardMacError if wrong) and return MAC2."""
        ...

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """The TAC the card must answer to the credit described by ``auth``."""
        ...

    def purchase_mac1(self, auth: PurchaseAuthorization) -> bytes:
        """MAC1 for DEBIT FOR PURCHASE."""
        ...

    def verify_purchase(self, auth: PurchaseAuthorization, mac2: bytes, tac: bytes) -> None:
        """Check the card's MAC2 and TAC of a purchase (CardMacError if wrong)."""
        ...

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """The TAC the card answered (or will answer) to the purchase described by ``auth``."""
        ...

    def secure_messaging_mac(
        self, serial: bytes, key_version: int, kind: CardKeyKind, challenge: bytes, data: bytes
    ) -> bytes:
        """MAC for a secure-messaging command (block, unblock, update binary)."""
        ...


def verify_load_tac(sam: Sam, auth: LoadAuthorization, tac: bytes) -> None:
    """Raise CardMacError unless ``tac`` is the TAC the SAM expects for ``auth``."""
    if not hmac.compare_digest(sam.load_tac(auth), tac):
        raise CardMacError("the card's TAC for the load does not verify")


class SoftwareSam:
    """A SAM in software: issuer master keys by key version, diversified per card on use."""

    def __init__(self, key_sets: Mapping[int, IssuerKeySet]) -> None:
        self._key_sets = dict(key_sets)

    def __repr__(self) -> str:
        return f"SoftwareSam(key versions {sorted(self._key_sets)})"

    @classmethod
    def from_keystore(cls, keystore: Keystore) -> SoftwareSam:
        """Every complete master-key set found in ``keystore`` (names ``mk/<alg>/<ver>/<kind>``)."""
        found: set[tuple[PurseAlgorithm, int]] = set()
        for name in keystore.names():
            parts = name.split("/")
            if len(parts) == 4 and parts[0] == "mk":
                found.add((PurseAlgorithm[parts[1].upper()], int(parts[2], 16)))
        sets = {ver: IssuerKeySet.from_keystore(keystore, alg, ver) for alg, ver in found}
        return cls(sets)

    def _card_key(self, keys: PurseKeyRef, kind: CardKeyKind, serial: bytes) -> bytes:
        key_set = self._key_sets.get(keys.key_version)
        if key_set is None or key_set.algorithm is not keys.algorithm:
            raise SamKeyError(
                "no {algorithm} keys of version {version} in this SAM",
                algorithm=keys.algorithm.name,
                version=f"{keys.key_version:02X}",
            )
        return key_set.card_key(kind, serial)

    def _load_session_key(self, auth: LoadAuthorization) -> bytes:
        dlk = self._card_key(auth.keys, CardKeyKind.DLK, auth.serial)
        return purse_crypto(auth.keys.algorithm).load_session_key(dlk, auth.random, auth.online_atc)

    def authorize_load(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`Sam.authorize_load`."""
        crypto = purse_crypto(auth.keys.algorithm)
        session_key = self._load_session_key(auth)
        amount = auth.amount_fen.to_bytes(4, "big")
        kind = bytes((TransactionType.EP_LOAD,))
        expected = crypto.mac(
            session_key, auth.balance_fen.to_bytes(4, "big") + amount + kind + auth.terminal_id
        )
        if not hmac.compare_digest(expected, auth.mac1):
            raise CardMacError("the card's MAC1 does not verify: not a genuine card, or wrong keys")
        day, time = encode_bcd_datetime(auth.when)
        return crypto.mac(session_key, amount + kind + auth.terminal_id + day + time)

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`Sam.load_tac`."""
        crypto = purse_crypto(auth.keys.algorithm)
        dtk = self._card_key(auth.keys, CardKeyKind.DTK, auth.serial)
        day, time = encode_bcd_datetime(auth.when)
        data = (
            auth.balance_after_fen.to_bytes(4, "big")
            + auth.online_atc.to_bytes(2, "big")
            + auth.amount_fen.to_bytes(4, "big")
            + bytes((TransactionType.EP_LOAD,))
            + auth.terminal_id
            + day
            + time
        )
        return crypto.mac(crypto.tac_key(dtk), data)

    def _purchase_session_key(self, auth: PurchaseAuthorization) -> bytes:
        dpk = self._card_key(auth.keys, CardKeyKind.DPK, auth.serial)
        return purse_crypto(auth.keys.algorithm).purchase_session_key(
            dpk, auth.random, auth.offline_atc, auth.terminal_seq
        )

    def purchase_mac1(self, auth: PurchaseAuthorization) -> bytes:
        """See :meth:`Sam.purchase_mac1`."""
        crypto = purse_crypto(auth.keys.algorithm)
        day, time = encode_bcd_datetime(auth.when)
        data = (
            auth.amount_fen.to_bytes(4, "big")
            + bytes((auth.transaction_type,))
            + auth.terminal_id
            + day
            + time
            + auth.card_data
        )
        return crypto.mac(self._purchase_session_key(auth), data)

    def verify_purchase(self, auth: PurchaseAuthorization, mac2: bytes, tac: bytes) -> None:
        """See :meth:`Sam.verify_purchase`."""
        crypto = purse_crypto(auth.keys.algorithm)
        expected_mac2 = crypto.mac(
            self._purchase_session_key(auth), auth.amount_fen.to_bytes(4, "big")
        )
        if not hmac.compare_digest(expected_mac2, mac2):
            raise CardMacError("the card's purchase MAC2 does not verify")
        dtk = self._card_key(auth.keys, CardKeyKind.DTK, auth.serial)
        day, time = encode_bcd_datetime(auth.when)
        data = (
            auth.amount_fen.to_bytes(4, "big")
            + bytes((auth.transaction_type,))
            + auth.terminal_id
            + auth.terminal_seq.to_bytes(4, "big")
            + day
            + time
        )
        if not hmac.compare_digest(crypto.mac(crypto.tac_key(dtk), data), tac):
            raise CardMacError("the card's purchase TAC does not verify")

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """See :meth:`Sam.purchase_tac` (host-side TAC when the card's proof has moved on)."""
        crypto = purse_crypto(auth.keys.algorithm)
        dtk = self._card_key(auth.keys, CardKeyKind.DTK, auth.serial)
        day, time = encode_bcd_datetime(auth.when)
        data = (
            auth.amount_fen.to_bytes(4, "big")
            + bytes((auth.transaction_type,))
            + auth.terminal_id
            + auth.terminal_seq.to_bytes(4, "big")
            + day
            + time
        )
        return crypto.mac(crypto.tac_key(dtk), data)

    def secure_messaging_mac(
        self, serial: bytes, key_version: int, kind: CardKeyKind, challenge: bytes, data: bytes
    ) -> bytes:
        """See :meth:`Sam.secure_messaging_mac`."""
        keys = self.key_ref_for_version(key_version)
        crypto = purse_crypto(keys.algorithm)
        key = self._card_key(keys, kind, serial)
        return crypto.mac(key, data, crypto.secure_messaging_icv(challenge))

    def key_ref_for_version(self, key_version: int) -> PurseKeyRef:
        """The key reference of a key version this SAM holds (for secure messaging)."""
        key_set = self._key_sets.get(key_version)
        if key_set is None:
            raise SamKeyError(
                "no keys of version {version} in this SAM", version=f"{key_version:02X}"
            )
        return PurseKeyRef(key_set.algorithm, key_version)
