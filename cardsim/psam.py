"""The virtual PSAM (and, when its profile says so, ISAM): an APDU processor holding master keys.

It answers the 住建部 PSAM commands the counter uses (docs/virtual-sam.md, secure-elements.md):
READ BINARY of files 0x15 (SAM serial), 0x16 (terminal id), 0x17 (key index), 0x18 (ours: the
key sets it holds, by algorithm, version and scope, never a key); SELECT of the
MF and the purchase application ``1001``; ``80 70`` MAC1 for a purchase (terminal transaction
seq ‖ MAC1, the seq incremented and saved *before* the answer); ``80 72`` MAC2 check; ``80 1A``
/ ``80 FA`` key init and MAC computation for a block MAC, a TAC check, and a TAC recompute of a
transaction this SAM took part in. No command outputs a key.

The ISAM role uses our own commands (no public standard exists): ``80 30`` load authorize (MAC1
checked, MAC2 made with the load master key, within offline brakes kept in the chip), ``80 32``
renewal MAC'd by the center, ``80 34`` brake status. Like the virtual card, every
state-changing command saves the profile atomically before it answers; a failed save rolls
back and answers ``6581``.
"""

from __future__ import annotations

import enum
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.crypto.diversify import interop_card_key
from app.crypto.isam import renewal_mac
from app.crypto.purse import PurseAlgorithm, purse_crypto
from app.domain.card import CardKeyKind, TransactionType
from cardsim.faults import CardGone
from cardsim.sam_profile import (
    MAX_COUNTER,
    RECENT_CAPACITY,
    IsamState,
    KeyScope,
    SamKeySet,
    SamProfile,
)

_log = logging.getLogger(__name__)

PSAM_ADF_FID = b"\x10\x01"
PSAM_ADF_NAME = b"CITYCARD.PSAM"
MF_FID = b"\x3f\x00"
SAM_VERSION = 0x01
KEY_FILE_SIZE = 25  # file 0x17: key index(1) issuer id(8) receiver id(8) start(4) expiry(4)
PURCHASE_MAC1_INPUT = 0x24  # the public 36-byte layout of 80 70
CARD_DATA_SIZE = 9  # the CU GET DATA suffix some issuers MAC (our extension of 80 70)
LOAD_AUTHORIZE_INPUT = 35
BLOCK_MAC_INPUT = bytes.fromhex("841E000004")
KEY_DIRECTORY_SFI = 0x18  # ours: which key sets the SAM holds (never a key)
DIRECTORY_NATIONAL = 0x01  # flag: national scope (two-level diversification)
DIRECTORY_BLOCK = 0x02  # flag: the set holds the block key


def key_directory(key_sets: list[SamKeySet]) -> bytes:
    """File 0x18 (ours): per key set algorithm(1) ‖ key version(1) ‖ flags(1); no key."""
    out = bytearray()
    for key_set in key_sets:
        flags = DIRECTORY_NATIONAL if key_set.scope == KeyScope.NATIONAL else 0
        if CardKeyKind.DABK in key_set.keys:
            flags |= DIRECTORY_BLOCK
        out += bytes([int(key_set.algorithm), key_set.key_version, flags])
    return bytes(out)


class SamStatus(enum.IntEnum):
    """The status words this SAM answers (docs/virtual-sam.md lists when)."""

    OK = 0x9000
    MEMORY_FAILURE = 0x6581
    WRONG_LENGTH = 0x6700
    CONDITIONS_NOT_SATISFIED = 0x6985  # no application selected, no session, not allowed
    WRONG_DATA = 0x6A80  # a bad date-time, transaction type or amount
    FILE_NOT_FOUND = 0x6A82
    WRONG_P1P2 = 0x6A86
    KEY_NOT_FOUND = 0x6A88  # no key of that usage, algorithm and version
    WRONG_LE = 0x6C00
    OFFSET_OUT_OF_RANGE = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    MAC_WRONG = 0x9302  # the card's MAC2 / MAC1 / a TAC / a renewal MAC does not verify
    PER_LOAD_CAP = 0x9402  # ISAM: the amount is over the per-load cap
    COUNTER_EXHAUSTED = 0x9403  # the transaction counter reached its end
    OFFLINE_TOTAL = 0x6F01  # ISAM (ours): cumulative amount since the last center contact
    OFFLINE_COUNT = 0x6F02  # ISAM (ours): number of loads since the last center contact
    OFFLINE_AGE = 0x6F03  # ISAM (ours): the last center contact is too old (or never)


class SamIns(enum.IntEnum):
    """Instruction bytes this SAM knows."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    PURCHASE_MAC1 = 0x70
    CHECK_MAC2 = 0x72
    KEY_INIT = 0x1A
    COMPUTE_MAC = 0xFA
    LOAD_AUTHORIZE = 0x30  # ISAM, ours
    RENEW = 0x32  # ISAM, ours
    BRAKE_STATUS = 0x34  # ISAM, ours


class KeyUsage(enum.IntEnum):
    """P1 of ``80 1A``: which key the following ``80 FA`` uses."""

    TAC = 0x44
    BLOCK = 0x45


class MacMode(enum.IntEnum):
    """P1 of ``80 FA``."""

    PLAIN = 0x00  # zero ICV: a TAC recompute (only of a transaction in this SAM's log)
    WITH_ICV = 0x05  # data = challenge(4) ‖ the block command header: the block MAC
    VERIFY = 0x80  # ours: data ‖ TAC(4) → 9000 or 9302, nothing output


class _AnswerError(Exception):
    def __init__(self, sw: int) -> None:
        super().__init__(f"{sw:04X}")
        self.sw = sw


@dataclass
class _PurchaseSession:
    session_key: bytes
    algorithm: PurseAlgorithm
    amount: bytes


@dataclass
class _KeySession:
    usage: KeyUsage
    algorithm: PurseAlgorithm
    key: bytes
    serial: str


def _datetime(raw: bytes) -> datetime:
    try:
        return datetime.strptime(raw.hex(), "%Y%m%d%H%M%S")
    except ValueError:
        raise _AnswerError(SamStatus.WRONG_DATA) from None


def default_sam_atr() -> bytes:
    """A T=1 ATR with the historical bytes ``CITYPSAM``."""
    hist = b"CITYPSAM"
    body = bytes([0x80 | len(hist), 0x80, 0x01]) + hist
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes([tck])


class VirtualPsam:
    """A PSAM answering command APDUs; persists its counters before answering."""

    def __init__(self, profile: SamProfile, path: Path | None = None) -> None:
        self._profile = profile
        self._path = path
        self._powered = False
        self._adf = False
        self._purchase: _PurchaseSession | None = None
        self._key: _KeySession | None = None
        self.power_on()

    @classmethod
    def from_file(cls, path: Path) -> VirtualPsam:
        """Load a SAM profile file and persist changes back to it."""
        return cls(SamProfile.load(path), path)

    @property
    def profile(self) -> SamProfile:
        """The persistent state (read-only for callers)."""
        return self._profile

    @property
    def atr(self) -> bytes:
        """The answer to reset."""
        return default_sam_atr()

    def power_on(self) -> None:
        """Power: nothing selected, no session."""
        self._adf = False
        self._purchase = None
        self._key = None
        self._powered = True

    def power_off(self) -> None:
        """Power lost: volatile state gone."""
        self.power_on()
        self._powered = False

    def reset(self) -> None:
        """Warm reset."""
        self.power_off()
        self.power_on()

    # ------------------------------------------------------------------ dispatch

    def process(self, apdu: bytes) -> bytes:
        """Execute one command APDU; returns data ‖ SW1SW2."""
        if not self._powered:
            raise CardGone("the SAM has no power", executed=False)
        try:
            data = self._dispatch(apdu)
            return data + b"\x90\x00"
        except _AnswerError as answer:
            return answer.sw.to_bytes(2, "big")

    def _dispatch(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            raise _AnswerError(SamStatus.WRONG_LENGTH)
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        handler = _HANDLERS.get((cla, ins))
        if handler is None:
            if ins not in {i for (_c, i) in _HANDLERS}:
                raise _AnswerError(SamStatus.INS_NOT_SUPPORTED)
            raise _AnswerError(SamStatus.CLA_NOT_SUPPORTED)
        if ins not in (SamIns.CHECK_MAC2, SamIns.PURCHASE_MAC1, SamIns.READ_BINARY):
            self._purchase = None  # a purchase session lives only until its MAC2 check
        return handler(self, p1, p2, body)

    @staticmethod
    def _data(body: bytes, *sizes: int) -> bytes:
        """The command data of a case-3/4 body whose Lc must be one of ``sizes``."""
        if not body:
            raise _AnswerError(SamStatus.WRONG_LENGTH)
        lc = body[0]
        data = body[1 : 1 + lc]
        rest = body[1 + lc :]
        if lc not in sizes or len(data) != lc or len(rest) > 1:
            raise _AnswerError(SamStatus.WRONG_LENGTH)
        return data

    def _persist(self, change: Callable[[], None]) -> None:
        before = self._profile.copy()
        change()
        if self._path is None:
            return
        try:
            self._profile.save(self._path)
        except OSError as exc:
            _log.error("could not save the SAM state to %s: %s", self._path, exc)
            vars(self._profile).update(vars(before))
            raise _AnswerError(SamStatus.MEMORY_FAILURE) from None

    def _require_adf(self) -> None:
        if not self._adf:
            raise _AnswerError(SamStatus.CONDITIONS_NOT_SATISFIED)

    def _remember(self, entry: dict[str, Any]) -> None:
        self._profile.recent.append(entry)
        del self._profile.recent[:-RECENT_CAPACITY]

    # ------------------------------------------------------------------ keys

    def _key_set(self, algorithm: int, version: int, sets: list[SamKeySet]) -> SamKeySet:
        for key_set in sets:
            if key_set.key_version == version and int(key_set.algorithm) == algorithm:
                return key_set
        raise _AnswerError(SamStatus.KEY_NOT_FOUND)

    def _key_set_by_version(self, version: int) -> SamKeySet:
        for key_set in self._profile.key_sets:
            if key_set.key_version == version:
                return key_set
        raise _AnswerError(SamStatus.KEY_NOT_FOUND)

    @staticmethod
    def _card_key(
        key_set: SamKeySet, kind: CardKeyKind, serial: bytes, diversifier: bytes
    ) -> bytes:
        master = key_set.keys.get(kind)
        if master is None:
            raise _AnswerError(SamStatus.KEY_NOT_FOUND)
        if key_set.scope == KeyScope.NATIONAL:
            return interop_card_key(key_set.algorithm, master, diversifier, serial)
        return purse_crypto(key_set.algorithm).diversify(master, serial)

    # ------------------------------------------------------------------ files

    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        if p2 != 0x00 or p1 not in (0x00, 0x04):
            raise _AnswerError(SamStatus.WRONG_P1P2)
        name = self._data(body, *range(1, 17))
        if (p1 == 0x00 and name == PSAM_ADF_FID) or (p1 == 0x04 and name == PSAM_ADF_NAME):
            self._adf = True
            inner = b"\x84" + bytes([len(PSAM_ADF_NAME)]) + PSAM_ADF_NAME
        elif p1 == 0x00 and name == MF_FID:
            self._adf = False
            inner = b"\x84\x02" + MF_FID
        else:
            raise _AnswerError(SamStatus.FILE_NOT_FOUND)
        return b"\x6f" + bytes([len(inner)]) + inner

    def _file(self, sfi: int) -> bytes:
        p = self._profile
        if sfi == 0x15:
            return p.sam_serial + bytes([SAM_VERSION, 0x06, 0x00, 0x00])
        if sfi == 0x16:
            return p.terminal_id
        if sfi == 0x17:
            return bytes([p.key_index]) + bytes(KEY_FILE_SIZE - 1)
        if sfi == KEY_DIRECTORY_SFI:
            return key_directory(p.key_sets)
        raise _AnswerError(SamStatus.FILE_NOT_FOUND)

    def _read_binary(self, p1: int, p2: int, body: bytes) -> bytes:
        if not p1 & 0x80:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        if len(body) > 1:
            raise _AnswerError(SamStatus.WRONG_LENGTH)
        content = self._file(p1 & 0x1F)
        if p2 > len(content):
            raise _AnswerError(SamStatus.OFFSET_OUT_OF_RANGE)
        rest = content[p2:]
        le = body[0] if body else 0
        if le == 0:
            return rest
        if le > len(rest):
            raise _AnswerError(SamStatus.WRONG_LE | len(rest))
        return rest[:le]

    # ------------------------------------------------------------------ purchase

    def _purchase_mac1(self, p1: int, p2: int, body: bytes) -> bytes:
        self._purchase = None
        if p1 or p2:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        data = self._data(body, PURCHASE_MAC1_INPUT, PURCHASE_MAC1_INPUT + CARD_DATA_SIZE)
        self._require_adf()
        random, atc, amount = data[0:4], data[4:6], data[6:10]
        kind, when = data[10], data[11:18]
        version, algorithm = data[18], data[19]
        serial, diversifier, card_data = data[20:28], data[28:36], data[36:]
        if kind not in (TransactionType.EP_PURCHASE, TransactionType.COMPOUND_PURCHASE):
            raise _AnswerError(SamStatus.WRONG_DATA)
        _datetime(when)
        key_set = self._key_set(algorithm, version, self._profile.key_sets)
        dpk = self._card_key(key_set, CardKeyKind.DPK, serial, diversifier)
        if self._profile.transaction_counter >= MAX_COUNTER:
            raise _AnswerError(SamStatus.COUNTER_EXHAUSTED)
        seq = self._profile.transaction_counter + 1
        crypto = purse_crypto(algorithm)
        session = crypto.purchase_session_key(dpk, random, int.from_bytes(atc, "big"), seq)
        terminal = self._profile.terminal_id
        mac1 = crypto.mac(session, amount + bytes([kind]) + terminal + when + card_data)

        def change() -> None:
            self._profile.transaction_counter = seq
            self._remember(
                {
                    "kind": "purchase",
                    "serial": serial.hex().upper(),
                    "seq": seq,
                    "amount": int.from_bytes(amount, "big"),
                    "type": kind,
                    "when": when.hex(),
                }
            )

        self._persist(change)  # the seq is kept before anyone sees it
        self._purchase = _PurchaseSession(session, PurseAlgorithm(algorithm), amount)
        return seq.to_bytes(4, "big") + mac1

    def _check_mac2(self, p1: int, p2: int, body: bytes) -> bytes:
        session, self._purchase = self._purchase, None  # one attempt per purchase
        if p1 or p2:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        mac2 = self._data(body, 4)
        if session is None:
            raise _AnswerError(SamStatus.CONDITIONS_NOT_SATISFIED)
        expected = purse_crypto(session.algorithm).mac(session.session_key, session.amount)
        if not hmac.compare_digest(expected, mac2):
            raise _AnswerError(SamStatus.MAC_WRONG)
        return b""

    # ------------------------------------------------------------------ generic MAC

    def _key_init(self, p1: int, p2: int, body: bytes) -> bytes:
        self._key = None
        data = self._data(body, 8, 16)
        self._require_adf()
        try:
            usage = KeyUsage(p1)
        except ValueError:
            raise _AnswerError(SamStatus.WRONG_P1P2) from None
        key_set = self._key_set_by_version(p2)
        kind = CardKeyKind.DTK if usage is KeyUsage.TAC else CardKeyKind.DABK
        serial = data[:8]
        diversifier = data[8:] if len(data) == 16 else bytes(8)
        if key_set.scope == KeyScope.NATIONAL and len(data) != 16:
            raise _AnswerError(SamStatus.WRONG_LENGTH)  # national: needs the diversifier
        card_key = self._card_key(key_set, kind, serial, diversifier)
        crypto = purse_crypto(key_set.algorithm)
        key = crypto.tac_key(card_key) if usage is KeyUsage.TAC else card_key
        self._key = _KeySession(usage, key_set.algorithm, key, serial.hex().upper())
        return b""

    def _compute_mac(self, p1: int, p2: int, body: bytes) -> bytes:
        session = self._key
        if p2:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        data = self._data(body, *range(1, 256))
        if session is None:
            raise _AnswerError(SamStatus.CONDITIONS_NOT_SATISFIED)
        crypto = purse_crypto(session.algorithm)
        if p1 == MacMode.WITH_ICV:
            challenge, message = data[:4], data[4:]
            if session.usage is not KeyUsage.BLOCK or message != BLOCK_MAC_INPUT:
                raise _AnswerError(SamStatus.CONDITIONS_NOT_SATISFIED)  # a block MAC only
            return crypto.mac(session.key, message, crypto.secure_messaging_icv(challenge))
        if session.usage is not KeyUsage.TAC:
            raise _AnswerError(SamStatus.CONDITIONS_NOT_SATISFIED)
        if p1 == MacMode.VERIFY:
            message, tac = data[:-4], data[-4:]
            if len(data) < 5:
                raise _AnswerError(SamStatus.WRONG_LENGTH)
            if not hmac.compare_digest(crypto.mac(session.key, message), tac):
                raise _AnswerError(SamStatus.MAC_WRONG)
            return b""
        if p1 != MacMode.PLAIN:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        if not self._took_part(session.serial, data):
            raise _AnswerError(SamStatus.CONDITIONS_NOT_SATISFIED)  # not ours: no TAC
        return crypto.mac(session.key, data)

    def _took_part(self, serial: str, tac_input: bytes) -> bool:
        """Whether ``tac_input`` describes a purchase or load in this SAM's own log."""
        terminal = self._profile.terminal_id
        for entry in reversed(self._profile.recent):
            if entry.get("serial") != serial:
                continue
            if entry.get("kind") == "purchase" and len(tac_input) == 22:
                expected = (
                    int(entry["amount"]).to_bytes(4, "big")
                    + bytes([int(entry["type"])])
                    + terminal
                    + int(entry["seq"]).to_bytes(4, "big")
                    + bytes.fromhex(str(entry["when"]))
                )
                if expected == tac_input:
                    return True
            if entry.get("kind") == "load" and len(tac_input) == 24:
                expected = (
                    int(entry["balance_after"]).to_bytes(4, "big")
                    + int(entry["atc"]).to_bytes(2, "big")
                    + int(entry["amount"]).to_bytes(4, "big")
                    + bytes([TransactionType.EP_LOAD])
                    + terminal
                    + bytes.fromhex(str(entry["when"]))
                )
                if expected == tac_input:
                    return True
        return False

    # ------------------------------------------------------------------ ISAM (our commands)

    def _isam(self) -> IsamState:
        if self._profile.isam is None:
            raise _AnswerError(SamStatus.INS_NOT_SUPPORTED)
        return self._profile.isam

    def _load_authorize(self, p1: int, p2: int, body: bytes) -> bytes:
        isam = self._isam()
        if p1 or p2:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        data = self._data(body, LOAD_AUTHORIZE_INPUT)
        self._require_adf()
        serial, algorithm, version = data[0:8], data[8], data[9]
        random, atc, balance, amount = data[10:14], data[14:16], data[16:20], data[20:24]
        when, mac1 = data[24:31], data[31:35]
        card_time = _datetime(when)
        key_set = self._key_set(algorithm, version, isam.load_keys)
        dlk = self._card_key(key_set, CardKeyKind.DLK, serial, bytes(8))
        crypto = purse_crypto(algorithm)
        session = crypto.load_session_key(dlk, random, int.from_bytes(atc, "big"))
        kind = bytes([TransactionType.EP_LOAD])
        terminal = self._profile.terminal_id
        if not hmac.compare_digest(crypto.mac(session, balance + amount + kind + terminal), mac1):
            raise _AnswerError(SamStatus.MAC_WRONG)
        amount_fen = int.from_bytes(amount, "big")
        self._check_brakes(isam, amount_fen, card_time)
        if isam.load_counter >= MAX_COUNTER:
            raise _AnswerError(SamStatus.COUNTER_EXHAUSTED)
        seq = isam.load_counter + 1
        mac2 = crypto.mac(session, amount + kind + terminal + when)

        def change() -> None:
            isam.used_fen += amount_fen
            isam.used_count += 1
            isam.load_counter = seq
            isam.last_time = when.hex()
            self._remember(
                {
                    "kind": "load",
                    "serial": serial.hex().upper(),
                    "seq": seq,
                    "atc": int.from_bytes(atc, "big"),
                    "amount": amount_fen,
                    "balance_after": int.from_bytes(balance, "big") + amount_fen,
                    "when": when.hex(),
                }
            )

        self._persist(change)
        return seq.to_bytes(4, "big") + mac2

    @staticmethod
    def _check_brakes(isam: IsamState, amount_fen: int, card_time: datetime) -> None:
        if amount_fen <= 0:
            raise _AnswerError(SamStatus.WRONG_DATA)
        if isam.last_time is not None and card_time < _datetime(bytes.fromhex(isam.last_time)):
            raise _AnswerError(SamStatus.WRONG_DATA)  # the SAM's time only moves forward
        if amount_fen > isam.per_load_cap_fen:
            raise _AnswerError(SamStatus.PER_LOAD_CAP)
        if isam.last_contact is None:
            raise _AnswerError(SamStatus.OFFLINE_AGE)
        contact = _datetime(bytes.fromhex(isam.last_contact))
        if (card_time - contact).total_seconds() > isam.max_age_s:
            raise _AnswerError(SamStatus.OFFLINE_AGE)
        if isam.used_count >= isam.count_cap:
            raise _AnswerError(SamStatus.OFFLINE_COUNT)
        if isam.used_fen + amount_fen > isam.total_cap_fen:
            raise _AnswerError(SamStatus.OFFLINE_TOTAL)

    def _renew(self, p1: int, p2: int, body: bytes) -> bytes:
        isam = self._isam()
        if p1 or p2:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        data = self._data(body, 15)
        counter, when, mac = data[0:4], data[4:11], data[11:15]
        _datetime(when)
        expected = renewal_mac(isam.renewal_key, self._profile.sam_serial, counter, when)
        if not hmac.compare_digest(expected, mac):
            raise _AnswerError(SamStatus.MAC_WRONG)
        number = int.from_bytes(counter, "big")
        if number <= isam.renewal_counter:
            raise _AnswerError(SamStatus.CONDITIONS_NOT_SATISFIED)  # a renewal is used once

        def change() -> None:
            isam.renewal_counter = number
            isam.used_fen = 0
            isam.used_count = 0
            isam.last_contact = when.hex()
            if isam.last_time is None or when.hex() > isam.last_time:
                isam.last_time = when.hex()

        self._persist(change)
        return b""

    def _brake_status(self, p1: int, p2: int, body: bytes) -> bytes:
        isam = self._isam()
        if p1 or p2:
            raise _AnswerError(SamStatus.WRONG_P1P2)
        if len(body) > 1:
            raise _AnswerError(SamStatus.WRONG_LENGTH)
        contact = bytes.fromhex(isam.last_contact) if isam.last_contact else bytes(7)
        return (
            isam.per_load_cap_fen.to_bytes(4, "big")
            + isam.total_cap_fen.to_bytes(4, "big")
            + isam.count_cap.to_bytes(2, "big")
            + isam.max_age_s.to_bytes(4, "big")
            + isam.used_fen.to_bytes(4, "big")
            + isam.used_count.to_bytes(2, "big")
            + contact
            + isam.load_counter.to_bytes(4, "big")
            + isam.renewal_counter.to_bytes(4, "big")
        )


_Handler = Callable[[VirtualPsam, int, int, bytes], bytes]
_HANDLERS: dict[tuple[int, int], _Handler] = {
    (0x00, SamIns.SELECT): VirtualPsam._select,
    (0x00, SamIns.READ_BINARY): VirtualPsam._read_binary,
    (0x80, SamIns.PURCHASE_MAC1): VirtualPsam._purchase_mac1,
    (0x80, SamIns.CHECK_MAC2): VirtualPsam._check_mac2,
    (0x80, SamIns.KEY_INIT): VirtualPsam._key_init,
    (0x80, SamIns.COMPUTE_MAC): VirtualPsam._compute_mac,
    (0x80, SamIns.LOAD_AUTHORIZE): VirtualPsam._load_authorize,
    (0x80, SamIns.RENEW): VirtualPsam._renew,
    (0x80, SamIns.BRAKE_STATUS): VirtualPsam._brake_status,
}
