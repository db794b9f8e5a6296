"""The secure access module: the only holder of issuer keys on the counter side.

:class:`Sam` is what the counter needs from one, shaped by what a PSAM can do
(secure-elements.md): purchase MAC1 with the SAM's own terminal transaction seq, the MAC2 check,
TAC checks and the TAC recompute of its own transactions, the block MAC — and, where the SAM
also plays the ISAM role, an offline load's MAC2 within brakes kept in the chip. The counter's
implementation is :class:`app.card.psam.ApduSam`, APDUs to a PSAM in the reader's SAM slot.

:class:`SoftwareSam` holds issuer master keys in memory. It is the clearing center's (online
MAC2, TAC verification) and the test issuers'; a counter never builds one. No key ever leaves
either, and none is logged.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from app.card.errors import CardError, CardMacError
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
    diversifier: bytes = bytes(8)  # the card's issuer diversifier (national interop keys)

    @classmethod
    def from_init(
        cls,
        serial: bytes,
        init: PurchaseInit,
        terminal_seq: int,
        when: datetime,
        card_data: bytes = b"",
        diversifier: bytes = bytes(8),
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
            diversifier=diversifier,
        )


@dataclass(frozen=True)
class SamKeyInfo:
    """One key set a SAM says it holds (never the keys): what it can do for which cards."""

    keys: PurseKeyRef
    national: bool  # national interoperability keys: other cities' cards, two-level
    block: bool  # holds the block key (APPLICATION BLOCK of such cards)


def national_keys(sam: Sam) -> tuple[SamKeyInfo, ...]:
    """The national interoperability key sets ``sam`` reports (empty: home cards only)."""
    return tuple(info for info in sam.key_sets if info.national)


class OfflineLoadRefusedError(CardError):
    """The SAM cannot authorise this top-up offline (no ISAM role, or a brake in the chip)."""

    advice = "Wait until the clearing center is reachable, then try again."


class SamRefusedError(CardError):
    """The SAM refused a command (not its transaction, not in this state)."""

    advice = "The transaction stays open for the clearing center to decide; call the supervisor."


class Sam(Protocol):
    """What the counter asks of its SAM (a PSAM, maybe also an ISAM). No method outputs a key."""

    @property
    def terminal_id(self) -> bytes:
        """The terminal id the SAM holds (file 0x16): what cards and the center are told."""
        ...

    @property
    def key_sets(self) -> tuple[SamKeyInfo, ...]:
        """The key sets the SAM reports holding (algorithm, version, national, block)."""
        ...

    def offline_load(self, auth: LoadAuthorization) -> tuple[int, bytes]:
        """ISAM: check MAC1, make MAC2 within the chip's brakes; (SAM load seq, MAC2).

        Raises :class:`OfflineLoadRefusedError` (no ISAM, a brake), CardMacError (MAC1).
        """
        ...

    def check_load_tac(self, auth: LoadAuthorization, tac: bytes) -> None:
        """Check the card's TAC of a load (CardMacError if wrong)."""
        ...

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """Recompute the TAC of a load this SAM authorised (SamRefusedError for any other)."""
        ...

    def purchase_mac1(self, auth: PurchaseAuthorization) -> tuple[int, bytes]:
        """MAC1 for DEBIT FOR PURCHASE: (the SAM's terminal transaction seq, MAC1)."""
        ...

    def verify_purchase(self, auth: PurchaseAuthorization, mac2: bytes, tac: bytes) -> None:
        """Check the card's MAC2 (of the purchase just MAC'd) and TAC (CardMacError if wrong)."""
        ...

    def check_purchase_tac(self, auth: PurchaseAuthorization, tac: bytes) -> None:
        """Check the TAC of a purchase (after a tear: the card's proof; CardMacError if wrong)."""
        ...

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """Recompute the TAC of a purchase this SAM MAC'd (SamRefusedError for any other)."""
        ...

    def secure_messaging_mac(
        self,
        serial: bytes,
        key_version: int,
        kind: CardKeyKind,
        challenge: bytes,
        data: bytes,
        diversifier: bytes = bytes(8),
    ) -> bytes:
        """MAC for a secure-messaging command; a PSAM holds only the block key (DABK).

        ``diversifier``: the card's issuer diversifier (national keys diversify with it first).
        """
        ...


class SamMissingError(CardError):
    """The counter has no SAM: nothing that needs one (top-up, purchase, block) can run."""

    advice = (
        "Put this counter's SAM in the reader's SAM slot (or check the SAM reader's name), "
        "then restart the counter."
    )


class AbsentSam:
    """What the counter holds when its SAM cannot be reached: every SAM command refuses.

    The counter still opens (reports, sync, the journal), and says why money cannot move.
    """

    serial_text = ""

    def __init__(self, terminal_id: bytes, reason: str) -> None:
        self._terminal_id = terminal_id
        self.reason = reason

    @property
    def terminal_id(self) -> bytes:
        """The journal's terminal id (what the missing SAM must hold)."""
        return self._terminal_id

    @property
    def key_sets(self) -> tuple[SamKeyInfo, ...]:
        """No SAM, no keys."""
        return ()

    def _refuse(self) -> SamMissingError:
        return SamMissingError("This counter has no SAM: {reason}", reason=self.reason)

    def offline_load(self, auth: LoadAuthorization) -> tuple[int, bytes]:
        """Refused: no SAM."""
        raise self._refuse()

    def check_load_tac(self, auth: LoadAuthorization, tac: bytes) -> None:
        """Refused: no SAM."""
        raise self._refuse()

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """Refused: no SAM."""
        raise self._refuse()

    def purchase_mac1(self, auth: PurchaseAuthorization) -> tuple[int, bytes]:
        """Refused: no SAM."""
        raise self._refuse()

    def verify_purchase(self, auth: PurchaseAuthorization, mac2: bytes, tac: bytes) -> None:
        """Refused: no SAM."""
        raise self._refuse()

    def check_purchase_tac(self, auth: PurchaseAuthorization, tac: bytes) -> None:
        """Refused: no SAM."""
        raise self._refuse()

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """Refused: no SAM."""
        raise self._refuse()

    def secure_messaging_mac(
        self,
        serial: bytes,
        key_version: int,
        kind: CardKeyKind,
        challenge: bytes,
        data: bytes,
        diversifier: bytes = bytes(8),
    ) -> bytes:
        """Refused: no SAM."""
        raise self._refuse()


def verify_load_tac(sam: Sam, auth: LoadAuthorization, tac: bytes) -> None:
    """Raise CardMacError unless ``tac`` is the card's genuine TAC for ``auth``."""
    sam.check_load_tac(auth, tac)


class SoftwareSam:
    """A SAM in software: issuer master keys by key version, diversified per card on use."""

    def __init__(self, key_sets: Mapping[int, IssuerKeySet], terminal_id: bytes = bytes(6)) -> None:
        self._key_sets = dict(key_sets)
        self._terminal_id = terminal_id
        self._seq = 0

    @property
    def terminal_id(self) -> bytes:
        """The terminal id this software SAM answers for (test issuers)."""
        return self._terminal_id

    @property
    def key_sets(self) -> tuple[SamKeyInfo, ...]:
        """The issuer key sets it holds (a software SAM holds no national keys)."""
        return tuple(
            SamKeyInfo(
                PurseKeyRef(s.algorithm, s.key_version), False, CardKeyKind.DABK in s.master_keys
            )
            for _, s in sorted(self._key_sets.items())
        )

    def offline_load(self, auth: LoadAuthorization) -> tuple[int, bytes]:
        """See :meth:`Sam.offline_load` (no brakes: test issuers only)."""
        self._seq += 1
        return self._seq, self.authorize_load(auth)

    def check_load_tac(self, auth: LoadAuthorization, tac: bytes) -> None:
        """See :meth:`Sam.check_load_tac`."""
        if not hmac.compare_digest(self.load_tac(auth), tac):
            raise CardMacError("the card's TAC for the load does not verify")

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

    def purchase_mac1(self, auth: PurchaseAuthorization) -> tuple[int, bytes]:
        """See :meth:`Sam.purchase_mac1` (the seq from an in-memory counter)."""
        self._seq += 1
        auth = replace(auth, terminal_seq=self._seq)
        return self._seq, self._purchase_mac1(auth)

    def _purchase_mac1(self, auth: PurchaseAuthorization) -> bytes:
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
        self.check_purchase_tac(auth, tac)

    def check_purchase_tac(self, auth: PurchaseAuthorization, tac: bytes) -> None:
        """See :meth:`Sam.check_purchase_tac`."""
        if not hmac.compare_digest(self.purchase_tac(auth), tac):
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
        self,
        serial: bytes,
        key_version: int,
        kind: CardKeyKind,
        challenge: bytes,
        data: bytes,
        diversifier: bytes = bytes(8),
    ) -> bytes:
        """See :meth:`Sam.secure_messaging_mac` (issuer keys: the diversifier is not used)."""
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
