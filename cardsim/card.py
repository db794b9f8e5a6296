"""The virtual city card: an APDU processor faithful to card-protocol.md and our choices.

:class:`VirtualCityCard` keeps the persistent state in a :class:`~cardsim.profile.CardProfile`
and the volatile state (selection, pending INITIALIZE, challenge, GET RESPONSE buffer) in memory.
When the card has a profile path, every state-changing command saves the profile atomically
*before* its answer is returned; if the save fails the command is rolled back and answers ``6581``
(memory failure), like a chip whose EEPROM write failed.
"""

from __future__ import annotations

import enum
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.crypto.purse import PurseCrypto, purse_crypto
from app.domain.card import CardFamily, CardKeyKind, TransactionType
from cardsim.faults import CardGone
from cardsim.profile import (
    COMPOUND_RECORD_MAX,
    MAX_ATC,
    SFI_COMPOUND,
    SFI_HOLDER,
    SFI_LOADS,
    SFI_PUBLIC,
    SFI_PURCHASES,
    CardProfile,
    RecordAtc,
    TransactionProof,
    TransactionRecord,
)

_log = logging.getLogger(__name__)

MF_NAME = b"1PAY.SYS.DDF01"
MF_FID = b"\x3f\x00"
EP_ADF_FID = b"\x10\x01"


class StatusWord(enum.IntEnum):
    """The status words this card answers."""

    OK = 0x9000
    SELECTED_FILE_INVALIDATED = 0x6283
    MEMORY_FAILURE = 0x6581
    WRONG_LENGTH = 0x6700
    INCOMPATIBLE_FILE = 0x6981
    CONDITIONS_NOT_SATISFIED = 0x6985
    CHALLENGE_MISSING = 0x6984
    SM_MAC_WRONG = 0x6988
    APPLICATION_BLOCKED = 0x6A81
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    WRONG_P1P2 = 0x6A86
    OFFSET_OUT_OF_RANGE = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    TRANSACTION_MAC_WRONG = 0x9302
    PERMANENTLY_LOCKED = 0x9303
    INSUFFICIENT_BALANCE = 0x9401
    OUT_OF_RANGE = 0x9402
    KEY_INDEX_UNSUPPORTED = 0x9403
    MAC_NOT_AVAILABLE = 0x9406


class Ins(enum.IntEnum):
    """Instruction bytes."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    READ_RECORD = 0xB2
    GET_CHALLENGE = 0x84
    GET_RESPONSE = 0xC0
    GET_BALANCE = 0x5C
    INITIALIZE = 0x50
    CREDIT_FOR_LOAD = 0x52
    DEBIT_FOR_PURCHASE = 0x54
    UPDATE_CAPP_DATA_CACHE = 0xDC
    GET_DATA = 0xCA
    GET_TRANSACTION_PROVE = 0x5A
    APPLICATION_BLOCK = 0x1E
    APPLICATION_UNBLOCK = 0x18
    UPDATE_BINARY = 0xD6


class _StatusError(Exception):
    """Raised inside a handler to answer a status word (optionally with data)."""

    def __init__(self, sw: int, data: bytes = b"") -> None:
        super().__init__(f"{sw:04X}")
        self.sw = sw
        self.data = data


@dataclass(frozen=True)
class Command:
    """A parsed short command APDU; ``le`` is None when absent, 0 means "up to 256"."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None
    lc: int | None

    @property
    def header(self) -> bytes:
        """CLA INS P1 P2."""
        return bytes([self.cla, self.ins, self.p1, self.p2])

    @classmethod
    def parse(cls, apdu: bytes) -> Command:
        """Parse the four ISO 7816-4 short cases; a malformed length answers ``6700``."""
        if len(apdu) < 4:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        cla, ins, p1, p2 = apdu[:4]
        if len(apdu) == 4:
            return cls(cla, ins, p1, p2, b"", None, None)
        if len(apdu) == 5:
            return cls(cla, ins, p1, p2, b"", apdu[4], None)
        lc = apdu[4]
        if lc == 0:
            raise _StatusError(StatusWord.WRONG_LENGTH)  # extended lengths are not supported
        body = apdu[5:]
        if len(body) == lc:
            return cls(cla, ins, p1, p2, body, None, lc)
        if len(body) == lc + 1:
            return cls(cla, ins, p1, p2, body[:lc], body[lc], lc)
        raise _StatusError(StatusWord.WRONG_LENGTH)


class _Df(enum.Enum):
    MF = "MF"
    ADF = "ADF"


@dataclass
class _PendingLoad:
    amount: int
    terminal_id: bytes
    session_key: bytes
    atc_before: int


@dataclass
class _PendingPurchase:
    transaction_type: int
    amount: int
    terminal_id: bytes
    random: bytes
    atc_before: int
    capp_cache: dict[int, bytes] = field(default_factory=dict)


_Handler = Callable[["VirtualCityCard", Command], bytes]

_CLASSES = (0x00, 0x04, 0x80, 0x84)
_TRANSACTION_TYPES = frozenset(int(t) for t in TransactionType)


def default_atr(profile: CardProfile) -> bytes:
    """The ATR of a profile without an explicit ``atr``.

    A contactless-style ATR as PC/SC part 3 builds it for ISO 14443-4 cards (``3B 88 80 01``,
    8 historical bytes, TCK) offering T=1; a profile that emulates T=0 behaviour gets the
    T=0-only ``3B 08`` form instead. Historical bytes: ASCII ``CITYCARD`` (CU) or ``TUNIONEP`` (TU).
    """
    hist = b"CITYCARD" if profile.family is CardFamily.CITY_UNION else b"TUNIONEP"
    if profile.t0_get_response or profile.t0_wrong_le:
        return b"\x3b" + bytes([len(hist)]) + hist
    body = bytes([0x80 | len(hist), 0x80, 0x01]) + hist
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes([tck])


class VirtualCityCard:
    """A CU/TU city card with a PBOC electronic purse, answering command APDUs.

    ``process(apdu)`` returns response data ‖ SW1SW2. With ``path`` set, the profile is saved
    atomically after every state-changing command, before the answer leaves the card.
    """

    def __init__(self, profile: CardProfile, path: Path | None = None) -> None:
        self._profile = profile
        self._path = path
        self._crypto: PurseCrypto = purse_crypto(profile.algorithm)
        self._powered = False
        self._df = _Df.MF
        self._pending_load: _PendingLoad | None = None
        self._pending_purchase: _PendingPurchase | None = None
        self._challenge: bytes | None = None
        self._response_buffer: bytes | None = None
        self.power_on()

    @classmethod
    def from_file(cls, path: Path) -> VirtualCityCard:
        """Load a profile file and persist changes back to it."""
        return cls(CardProfile.load(path), path)

    # ------------------------------------------------------------------ physical layer

    @property
    def profile(self) -> CardProfile:
        """The persistent state (treat as read-only while the card is in use)."""
        return self._profile

    @property
    def path(self) -> Path | None:
        """Where the state is persisted, if anywhere."""
        return self._path

    @property
    def atr(self) -> bytes:
        """The answer to reset."""
        return self._profile.atr if self._profile.atr is not None else default_atr(self._profile)

    @property
    def powered(self) -> bool:
        """Whether the card has power."""
        return self._powered

    def power_on(self) -> None:
        """Give the card power: the MF is selected, nothing is pending."""
        self._clear_volatile()
        self._powered = True

    def power_off(self) -> None:
        """Take the power away: pending INITIALIZEs, challenge and selection are lost."""
        self._clear_volatile()
        self._powered = False

    def reset(self) -> None:
        """Warm reset: the same as power off then on."""
        self.power_off()
        self.power_on()

    def _clear_volatile(self) -> None:
        self._df = _Df.MF
        self._pending_load = None
        self._pending_purchase = None
        self._challenge = None
        self._response_buffer = None

    # ------------------------------------------------------------------ dispatch

    def process(self, apdu: bytes) -> bytes:
        """Execute one command APDU; returns response data ‖ SW1SW2.

        Raises :class:`cardsim.faults.CardGone` when the card has no power.
        """
        if not self._powered:
            raise CardGone("the card has no power", executed=False)
        _log.log(5, "card <- %s", apdu.hex())
        try:
            command = Command.parse(apdu)
            data = self._dispatch(command)
            response = self._success(command, data)
        except _StatusError as answer:
            response = answer.data + answer.sw.to_bytes(2, "big")
        _log.log(5, "card -> %s", response.hex())
        return response

    def _dispatch(self, command: Command) -> bytes:
        if command.cla not in _CLASSES:
            raise _StatusError(StatusWord.CLA_NOT_SUPPORTED)
        classes = _HANDLERS.get(command.ins)
        if classes is None:
            self._cancel_pending()
            raise _StatusError(StatusWord.INS_NOT_SUPPORTED)
        handler = classes.get(command.cla)
        if handler is None:
            self._cancel_pending()
            raise _StatusError(StatusWord.CLA_NOT_SUPPORTED)
        if command.ins != Ins.GET_RESPONSE:
            self._response_buffer = None
        return handler(self, command)

    def _success(self, command: Command, data: bytes) -> bytes:
        # T=0 emulation: a case-4 command's data waits for GET RESPONSE.
        if (
            self._profile.t0_get_response
            and data
            and command.lc is not None
            and command.ins != Ins.GET_RESPONSE
        ):
            self._response_buffer = data
            return bytes([0x61, len(data) & 0xFF])
        return data + b"\x90\x00"

    def _cancel_pending(self, *, keep_purchase: bool = False) -> None:
        self._pending_load = None
        if not keep_purchase:
            self._pending_purchase = None

    def _check_le(self, command: Command, length: int) -> None:
        """Le check of a case-2 command whose answer has a fixed length."""
        le = command.le
        if le is None or le == length:
            return
        if self._profile.t0_wrong_le:
            raise _StatusError(0x6C00 | (length & 0xFF))
        if le == 0:
            return
        raise _StatusError(StatusWord.WRONG_LENGTH)

    def _require_adf(self) -> None:
        if self._df is not _Df.ADF:
            raise _StatusError(StatusWord.CONDITIONS_NOT_SATISFIED)

    def _require_usable_purse(self) -> None:
        self._require_adf()
        if self._profile.locked:
            raise _StatusError(StatusWord.PERMANENTLY_LOCKED)
        if self._profile.blocked:
            raise _StatusError(StatusWord.APPLICATION_BLOCKED)

    def _random(self, size: int) -> bytes:
        fixed = self._profile.fixed_random
        if fixed is not None:
            return (fixed * 4)[:size]
        return secrets.token_bytes(size)

    def _persist(self, change: Callable[[], None]) -> None:
        """Apply ``change`` to the profile and save it; roll back and answer 6581 on failure."""
        before = self._profile.copy()
        change()
        if self._path is None:
            return
        try:
            self._profile.save(self._path)
        except OSError as exc:
            _log.error("could not save the card state to %s: %s", self._path, exc)
            vars(self._profile).update(vars(before))  # keep the object others may hold
            raise _StatusError(StatusWord.MEMORY_FAILURE) from None

    # ------------------------------------------------------------------ selection and files

    def _fci_adf(self) -> bytes:
        p = self._profile
        a5 = b"\x9f\x08\x01" + bytes([p.public_file[9]]) + b"\x9f\x0c\x1e" + p.public_file
        body = b"\x84" + bytes([len(p.aid)]) + p.aid + b"\xa5" + bytes([len(a5)]) + a5
        return b"\x6f" + bytes([len(body)]) + body

    @staticmethod
    def _fci_mf() -> bytes:
        body = b"\x84" + bytes([len(MF_NAME)]) + MF_NAME
        return b"\x6f" + bytes([len(body)]) + body

    def _select(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p2 != 0x00 or command.p1 not in (0x00, 0x04):
            raise _StatusError(StatusWord.WRONG_P1P2)
        if not command.data:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        if command.p1 == 0x04:
            target = {self._profile.aid: _Df.ADF, MF_NAME: _Df.MF}.get(command.data)
        else:
            if len(command.data) != 2:
                raise _StatusError(StatusWord.WRONG_LENGTH)
            target = {EP_ADF_FID: _Df.ADF, MF_FID: _Df.MF}.get(command.data)
        if target is None:
            raise _StatusError(StatusWord.FILE_NOT_FOUND)
        self._df = target
        if target is _Df.MF:
            return self._fci_mf()
        if self._profile.locked:
            raise _StatusError(StatusWord.PERMANENTLY_LOCKED, self._fci_adf())
        if self._profile.blocked:
            raise _StatusError(StatusWord.APPLICATION_BLOCKED, self._fci_adf())
        return self._fci_adf()

    def _binary_file(self, sfi: int) -> bytes:
        if self._df is _Df.ADF:
            if sfi == SFI_PUBLIC:
                return self._profile.public_file
            if sfi == SFI_HOLDER and self._profile.holder_file is not None:
                return self._profile.holder_file
            if sfi in self._profile.records:
                raise _StatusError(StatusWord.INCOMPATIBLE_FILE)
        raise _StatusError(StatusWord.FILE_NOT_FOUND)

    def _read_binary(self, command: Command) -> bytes:
        self._cancel_pending()
        if not command.p1 & 0x80:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if command.lc is not None:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        content = self._binary_file(command.p1 & 0x1F)
        offset = command.p2
        if offset >= len(content):
            raise _StatusError(StatusWord.OFFSET_OUT_OF_RANGE)
        rest = content[offset:]
        le = command.le
        if le is None or le == 0:
            return rest
        if le > len(rest):
            if self._profile.t0_wrong_le:
                raise _StatusError(0x6C00 | len(rest))
            raise _StatusError(StatusWord.WRONG_LENGTH)
        return rest[:le]

    def _read_record(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p2 & 0x07 != 0x04 or command.p1 == 0 or command.p2 >> 3 == 0:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if command.lc is not None:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        sfi = command.p2 >> 3
        if self._df is not _Df.ADF:
            raise _StatusError(StatusWord.FILE_NOT_FOUND)
        records = self._profile.records.get(sfi)
        if records is None:
            if sfi in (SFI_PUBLIC, SFI_HOLDER):
                raise _StatusError(StatusWord.INCOMPATIBLE_FILE)
            raise _StatusError(StatusWord.FILE_NOT_FOUND)
        if command.p1 > len(records):
            raise _StatusError(StatusWord.RECORD_NOT_FOUND)
        record = records[command.p1 - 1]
        self._check_le(command, len(record))
        return record

    # ------------------------------------------------------------------ purse

    def _get_balance(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p1 != 0x00 or command.p2 != 0x02:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if command.lc is not None:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        self._check_le(command, 4)
        return self._profile.balance_fen.to_bytes(4, "big")

    def _initialize(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p2 != 0x02 or command.p1 not in (0x00, 0x01, 0x03):
            raise _StatusError(StatusWord.WRONG_P1P2)
        if len(command.data) != 11:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        p = self._profile
        key_index = command.data[0]
        amount = int.from_bytes(command.data[1:5], "big")
        terminal_id = command.data[5:11]
        if key_index != p.key_index:
            raise _StatusError(StatusWord.KEY_INDEX_UNSUPPORTED)
        random = self._random(4)
        key_info = bytes([p.key_version, int(p.algorithm)])
        if command.p1 == 0x00:
            if p.balance_fen + amount > p.max_balance_fen or p.online_atc >= MAX_ATC:
                raise _StatusError(StatusWord.OUT_OF_RANGE)
            session_key = self._crypto.load_session_key(
                p.card_keys[CardKeyKind.DLK], random, p.online_atc
            )
            mac1 = self._crypto.mac(
                session_key,
                p.balance_fen.to_bytes(4, "big")
                + amount.to_bytes(4, "big")
                + bytes([TransactionType.EP_LOAD])
                + terminal_id,
            )
            self._pending_load = _PendingLoad(amount, terminal_id, session_key, p.online_atc)
            return (
                p.balance_fen.to_bytes(4, "big")
                + p.online_atc.to_bytes(2, "big")
                + key_info
                + random
                + mac1
            )
        if amount > p.balance_fen:
            raise _StatusError(StatusWord.INSUFFICIENT_BALANCE)
        if p.offline_atc >= MAX_ATC:
            raise _StatusError(StatusWord.OUT_OF_RANGE)
        tx_type = (
            TransactionType.EP_PURCHASE if command.p1 == 0x01 else TransactionType.COMPOUND_PURCHASE
        )
        self._pending_purchase = _PendingPurchase(
            int(tx_type), amount, terminal_id, random, p.offline_atc
        )
        return (
            p.balance_fen.to_bytes(4, "big")
            + p.offline_atc.to_bytes(2, "big")
            + bytes(3)  # overdraft limit: none
            + key_info
            + random
        )

    def _record_atc(self, before: int) -> int:
        return before + 1 if self._profile.record_atc is RecordAtc.AFTER else before

    def _add_record(self, sfi: int, record: bytes) -> None:
        records = self._profile.records.setdefault(sfi, [])
        records.insert(0, record)
        del records[self._profile.record_capacity :]

    def _credit_for_load(self, command: Command) -> bytes:
        pending, self._pending_load = self._pending_load, None
        self._pending_purchase = None
        if command.p1 != 0x00 or command.p2 != 0x00:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if len(command.data) != 11:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        if pending is None:
            raise _StatusError(StatusWord.CONDITIONS_NOT_SATISFIED)
        date, time, mac2 = command.data[0:4], command.data[4:7], command.data[7:11]
        load_type = bytes([TransactionType.EP_LOAD])
        amount = pending.amount.to_bytes(4, "big")
        expected = self._crypto.mac(
            pending.session_key, amount + load_type + pending.terminal_id + date + time
        )
        if not secrets.compare_digest(expected, mac2):
            raise _StatusError(StatusWord.TRANSACTION_MAC_WRONG)
        p = self._profile
        new_balance = p.balance_fen + pending.amount
        tac = self._crypto.mac(
            self._crypto.tac_key(p.card_keys[CardKeyKind.DTK]),
            new_balance.to_bytes(4, "big")
            + pending.atc_before.to_bytes(2, "big")
            + amount
            + load_type
            + pending.terminal_id
            + date
            + time,
        )
        record = TransactionRecord(
            atc=self._record_atc(pending.atc_before),
            amount_fen=pending.amount,
            transaction_type=TransactionType.EP_LOAD,
            terminal_id=pending.terminal_id,
            date=date,
            time=time,
        ).to_bytes()
        # TU cards keep every transaction in 0x18.
        sfi = SFI_LOADS if p.family is CardFamily.CITY_UNION else SFI_PURCHASES

        def change() -> None:
            p.balance_fen = new_balance
            p.online_atc = pending.atc_before + 1
            self._add_record(sfi, record)
            p.proofs[TransactionType.EP_LOAD] = TransactionProof(pending.atc_before, mac2, tac)

        self._persist(change)
        return tac

    def _get_data(self, command: Command) -> bytes:
        self._cancel_pending(keep_purchase=True)
        if not self._profile.cu_purchase_get_data:
            raise _StatusError(StatusWord.INS_NOT_SUPPORTED)
        if command.p1 != 0x00 or command.p2 != 0x00:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if command.lc is not None:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        self._check_le(command, 9)
        return self._get_data_bytes()

    def _get_data_bytes(self) -> bytes:
        return b"\x85" + self._profile.get_data_85

    def _update_capp_data_cache(self, command: Command) -> bytes:
        pending = self._pending_purchase
        self._pending_load = None
        if command.p2 & 0x07 != 0:
            self._pending_purchase = None
            raise _StatusError(StatusWord.WRONG_P1P2)
        if not 1 <= len(command.data) <= COMPOUND_RECORD_MAX:
            self._pending_purchase = None
            raise _StatusError(StatusWord.WRONG_LENGTH)
        if command.p2 >> 3 != SFI_COMPOUND:
            self._pending_purchase = None
            raise _StatusError(StatusWord.FILE_NOT_FOUND)
        self._require_usable_purse()
        if pending is None or pending.transaction_type != TransactionType.COMPOUND_PURCHASE:
            self._pending_purchase = None
            raise _StatusError(StatusWord.CONDITIONS_NOT_SATISFIED)
        pending.capp_cache[command.p1] = command.data
        return b""

    def _debit_for_purchase(self, command: Command) -> bytes:
        pending, self._pending_purchase = self._pending_purchase, None
        self._pending_load = None
        if command.p1 != 0x01 or command.p2 != 0x00:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if len(command.data) != 15:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        if pending is None:
            raise _StatusError(StatusWord.CONDITIONS_NOT_SATISFIED)
        p = self._profile
        terminal_seq = command.data[0:4]
        date, time, mac1 = command.data[4:8], command.data[8:11], command.data[11:15]
        session_key = self._crypto.purchase_session_key(
            p.card_keys[CardKeyKind.DPK],
            pending.random,
            pending.atc_before,
            int.from_bytes(terminal_seq, "big"),
        )
        amount = pending.amount.to_bytes(4, "big")
        tx_type = bytes([pending.transaction_type])
        mac_input = amount + tx_type + pending.terminal_id + date + time
        if p.cu_purchase_get_data:
            mac_input += self._get_data_bytes()
        if not secrets.compare_digest(self._crypto.mac(session_key, mac_input), mac1):
            raise _StatusError(StatusWord.TRANSACTION_MAC_WRONG)
        mac2 = self._crypto.mac(session_key, amount)
        tac = self._crypto.mac(
            self._crypto.tac_key(p.card_keys[CardKeyKind.DTK]),
            amount + tx_type + pending.terminal_id + terminal_seq + date + time,
        )
        record = TransactionRecord(
            atc=self._record_atc(pending.atc_before),
            amount_fen=pending.amount,
            transaction_type=pending.transaction_type,
            terminal_id=pending.terminal_id,
            date=date,
            time=time,
        ).to_bytes()

        def change() -> None:
            p.balance_fen -= pending.amount
            p.offline_atc = pending.atc_before + 1
            self._add_record(SFI_PURCHASES, record)
            compound = p.records.setdefault(SFI_COMPOUND, [])
            for tag, data in pending.capp_cache.items():
                for i, existing in enumerate(compound):
                    if existing[0] == tag:
                        compound[i] = data
                        break
                else:
                    compound.append(data)
            p.proofs[pending.transaction_type] = TransactionProof(pending.atc_before, mac2, tac)

        self._persist(change)
        return tac + mac2

    def _get_transaction_prove(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p1 != 0x00 or command.p2 not in _TRANSACTION_TYPES:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if len(command.data) != 2:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        proof = self._profile.proofs.get(command.p2)
        if proof is None or proof.atc != int.from_bytes(command.data, "big"):
            raise _StatusError(StatusWord.MAC_NOT_AVAILABLE)
        return proof.mac + proof.tac

    # ------------------------------------------------------------------ secure messaging

    def _get_challenge(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p1 != 0x00 or command.p2 != 0x00:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if command.lc is not None or command.le not in (4, 8):
            if self._profile.t0_wrong_le and command.lc is None:
                raise _StatusError(0x6C04)
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._challenge = self._random(command.le)
        return self._challenge

    def _check_sm_mac(self, command: Command, key_kind: CardKeyKind) -> bytes:
        """Consume the challenge and verify the command's trailing 4-byte MAC; returns the data."""
        if len(command.data) < 4 or command.lc is None:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        challenge, self._challenge = self._challenge, None
        if challenge is None:
            raise _StatusError(StatusWord.CHALLENGE_MISSING)
        body, mac = command.data[:-4], command.data[-4:]
        expected = self._crypto.mac(
            self._profile.card_keys[key_kind],
            command.header + bytes([command.lc]) + body,
            self._crypto.secure_messaging_icv(challenge),
        )
        if not secrets.compare_digest(expected, mac):
            raise _StatusError(StatusWord.SM_MAC_WRONG)
        return body

    def _application_block(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p1 != 0x00 or command.p2 not in (0x00, 0x01):
            raise _StatusError(StatusWord.WRONG_P1P2)
        if len(command.data) != 4:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        self._check_sm_mac(command, CardKeyKind.DABK)
        permanent = command.p2 == 0x01

        def change() -> None:
            self._profile.blocked = True
            self._profile.locked = permanent

        self._persist(change)
        return b""

    def _application_unblock(self, command: Command) -> bytes:
        self._cancel_pending()
        if command.p1 != 0x00 or command.p2 != 0x00:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if len(command.data) != 4:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_adf()
        if self._profile.locked:
            raise _StatusError(StatusWord.PERMANENTLY_LOCKED)
        self._check_sm_mac(command, CardKeyKind.DAUK)

        def change() -> None:
            self._profile.blocked = False

        self._persist(change)
        return b""

    def _update_binary(self, command: Command) -> bytes:
        self._cancel_pending()
        if not command.p1 & 0x80:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if len(command.data) < 5:
            raise _StatusError(StatusWord.WRONG_LENGTH)
        self._require_usable_purse()
        sfi = command.p1 & 0x1F
        content = self._binary_file(sfi)
        offset, size = command.p2, len(command.data) - 4
        if offset >= len(content):
            raise _StatusError(StatusWord.OFFSET_OUT_OF_RANGE)
        if offset + size > len(content):
            raise _StatusError(StatusWord.WRONG_LENGTH)
        body = self._check_sm_mac(command, CardKeyKind.DUK)
        updated = content[:offset] + body + content[offset + size :]

        def change() -> None:
            if sfi == SFI_PUBLIC:
                self._profile.public_file = updated
            else:
                self._profile.holder_file = updated

        self._persist(change)
        return b""

    # ------------------------------------------------------------------ T=0

    def _get_response(self, command: Command) -> bytes:
        buffered, self._response_buffer = self._response_buffer, None
        if command.p1 != 0x00 or command.p2 != 0x00:
            raise _StatusError(StatusWord.WRONG_P1P2)
        if buffered is None:
            raise _StatusError(StatusWord.CONDITIONS_NOT_SATISFIED)
        le = command.le if command.le is not None else 0
        if le == 0 or le == len(buffered):
            return buffered
        if le > len(buffered):
            self._response_buffer = buffered
            raise _StatusError(0x6C00 | len(buffered))
        self._response_buffer = buffered[le:]
        raise _StatusError(0x6100 | len(buffered[le:]), buffered[:le])


_HANDLERS: dict[int, dict[int, _Handler]] = {
    Ins.SELECT: {0x00: VirtualCityCard._select},
    Ins.READ_BINARY: {0x00: VirtualCityCard._read_binary},
    Ins.READ_RECORD: {0x00: VirtualCityCard._read_record},
    Ins.GET_CHALLENGE: {0x00: VirtualCityCard._get_challenge},
    Ins.GET_RESPONSE: {0x00: VirtualCityCard._get_response},
    Ins.GET_BALANCE: {0x80: VirtualCityCard._get_balance},
    Ins.INITIALIZE: {0x80: VirtualCityCard._initialize},
    Ins.CREDIT_FOR_LOAD: {0x80: VirtualCityCard._credit_for_load},
    Ins.DEBIT_FOR_PURCHASE: {0x80: VirtualCityCard._debit_for_purchase},
    Ins.UPDATE_CAPP_DATA_CACHE: {0x80: VirtualCityCard._update_capp_data_cache},
    Ins.GET_DATA: {0x80: VirtualCityCard._get_data},
    Ins.GET_TRANSACTION_PROVE: {0x80: VirtualCityCard._get_transaction_prove},
    Ins.APPLICATION_BLOCK: {0x84: VirtualCityCard._application_block},
    Ins.APPLICATION_UNBLOCK: {0x84: VirtualCityCard._application_unblock},
    Ins.UPDATE_BINARY: {0x04: VirtualCityCard._update_binary},
}
