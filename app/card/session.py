"""A session with a city card whose purse application is selected.

:class:`CityCard` knows the commands and their answers; it does no cryptography and no business
rules. Money is int fen, the serial is raw bytes, dates are BCD on the wire and ``datetime`` here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from app.card import commands
from app.card.apdu import CommandApdu, ResponseApdu, StatusWord
from app.card.commands import Aid
from app.card.errors import (
    ApplicationBlockedError,
    CardError,
    FileNotFoundOnCardError,
    MalformedCardAnswerError,
    UnknownCardError,
    check_status,
)
from app.card.files import parse_holder, parse_public_data, parse_record
from app.card.tlv import find_tag
from app.card.transport import ApduChannel, CardTransport
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily, CardRecord, CardSnapshot, Holder, PublicData
from app.domain.texts import marked

DEFAULT_KEY_INDEX = 0x01


class Sfi(enum.IntEnum):
    """Short file identifiers of the purse application's files."""

    PUBLIC = 0x15
    HOLDER = 0x16
    COMPOUND = 0x17
    LOCAL_PURCHASES = 0x18
    OTHER_CITY_PURCHASES = 0x10
    LOADS = 0x1A


_AIDS = {CardFamily.CITY_UNION: Aid.CITY_UNION, CardFamily.T_UNION: Aid.T_UNION}


@dataclass(frozen=True)
class PurseKeyRef:
    """Which issuer keys a card uses: algorithm and key version."""

    algorithm: PurseAlgorithm
    key_version: int


@dataclass(frozen=True)
class LoadInit:
    """The answer to INITIALIZE FOR LOAD, with the request it answers."""

    amount_fen: int
    terminal_id: bytes
    balance_fen: int
    online_atc: int
    keys: PurseKeyRef
    random: bytes
    mac1: bytes


@dataclass(frozen=True)
class PurchaseInit:
    """The answer to INITIALIZE FOR PURCHASE, with the request it answers."""

    amount_fen: int
    terminal_id: bytes
    compound: bool
    balance_fen: int
    offline_atc: int
    overdraft_limit_fen: int
    keys: PurseKeyRef
    random: bytes


@dataclass(frozen=True)
class TransactionProof:
    """GET TRANSACTION PROVE's answer: the transaction's MAC (MAC2) and TAC."""

    mac: bytes
    tac: bytes


def _algorithm(alg_id: int) -> PurseAlgorithm:
    try:
        return PurseAlgorithm(alg_id)
    except ValueError:
        raise MalformedCardAnswerError(
            "the card uses purse algorithm {algorithm}", algorithm=f"{alg_id:#04x}"
        ) from None


def _expect_length(response: ResponseApdu, size: int, command: str) -> bytes:
    if len(response.data) != size:
        raise MalformedCardAnswerError(
            "{command} answered {length} bytes, expected {expected}",
            command=command,
            length=len(response.data),
            expected=size,
        )
    return response.data


class CityCard:
    """The purse application of one card, selected. Use :meth:`open` to start a session."""

    def __init__(
        self, channel: ApduChannel, family: CardFamily, fci: bytes, *, blocked: bool
    ) -> None:
        self._channel = channel
        self.family = family
        self.fci = fci
        self.blocked = blocked
        self._public: PublicData | None = None
        copy = find_tag(fci, 0x6F, 0xA5, 0x9F0C) if fci else None
        if copy is not None and len(copy) >= 30:
            self._public = parse_public_data(copy, family)

    # -- session -----------------------------------------------------------------------------

    @classmethod
    def open(cls, transport: CardTransport) -> CityCard:
        """Select the CU purse, else the TU purse; a card with neither is an UnknownCardError.

        A blocked application (FCI with ``6A81``/``6283``) still opens, with ``blocked`` set, so
        its files can be read and its case shown.
        """
        channel = ApduChannel(transport)
        for family in (CardFamily.CITY_UNION, CardFamily.T_UNION):
            response = channel.send(commands.select_aid(_AIDS[family]))
            if response.sw == StatusWord.OK:
                return cls(channel, family, response.data, blocked=False)
            if (
                response.sw
                in (
                    StatusWord.FUNCTION_NOT_SUPPORTED,
                    StatusWord.SELECTED_FILE_INVALIDATED,
                )
                and response.data
            ):
                return cls(channel, family, response.data, blocked=True)
            if response.sw not in (StatusWord.FILE_NOT_FOUND, StatusWord.FUNCTION_NOT_SUPPORTED):
                check_status(response.sw, "SELECT")
        raise UnknownCardError("the card has no City Union or T-Union purse")

    @property
    def channel(self) -> ApduChannel:
        """The APDU channel (its ``exchanges`` count is useful to tests and benchmarks)."""
        return self._channel

    def _send(self, command: CommandApdu) -> ResponseApdu:
        response = self._channel.send(command)
        check_status(response.sw, command.label)
        return response

    @property
    def application_version(self) -> int | None:
        """FCI tag 9F08; by our convention also the key version of secure messaging."""
        value = find_tag(self.fci, 0x6F, 0xA5, 0x9F08) if self.fci else None
        return value[0] if value else None

    # -- reading -----------------------------------------------------------------------------

    def read_public_data(self) -> PublicData:
        """File 0x15 (taken from the FCI's copy when the card sent one)."""
        if self._public is None:
            raw = self._send(commands.read_binary(Sfi.PUBLIC)).data
            self._public = parse_public_data(raw, self.family)
        return self._public

    @property
    def serial(self) -> bytes:
        """The raw application serial number."""
        return self.read_public_data().serial

    def read_holder(self) -> Holder | None:
        """File 0x16; None for an anonymous card or a card without the file."""
        try:
            raw = self._send(commands.read_binary(Sfi.HOLDER)).data
        except FileNotFoundOnCardError:
            return None
        return parse_holder(raw)

    def iter_records(self, sfi: int, limit: int = 10) -> Iterator[CardRecord]:
        """Records of a cyclic file, newest first, up to ``limit``; stops at ``6A83``."""
        for number in range(1, limit + 1):
            response = self._channel.send(commands.read_record(sfi, number))
            if response.sw in (StatusWord.RECORD_NOT_FOUND, StatusWord.FILE_NOT_FOUND):
                return
            check_status(response.sw, "READ RECORD")
            yield parse_record(response.data)

    def read_records(self, sfi: int, limit: int = 10) -> tuple[CardRecord, ...]:
        """See :meth:`iter_records`."""
        return tuple(self.iter_records(sfi, limit))

    def get_balance(self) -> int:
        """The purse balance in fen."""
        data = _expect_length(self._send(commands.get_balance()), 4, "GET BALANCE")
        return int.from_bytes(data, "big")

    def read_snapshot(self, record_limit: int = 10) -> CardSnapshot:
        """Everything the card panel shows. A blocked card reports balance 0 if it refuses it."""
        public = self.read_public_data()
        holder = self.read_holder()
        try:
            balance = self.get_balance()
        except ApplicationBlockedError:
            if not self.blocked:
                raise
            balance = 0
        loads = self.read_records(Sfi.LOADS, record_limit)
        purchases = self.read_records(Sfi.LOCAL_PURCHASES, record_limit)
        other = (
            self.read_records(Sfi.OTHER_CITY_PURCHASES, record_limit)
            if self.family is CardFamily.CITY_UNION
            else ()
        )
        return CardSnapshot(
            family=self.family,
            public=public,
            holder=holder,
            balance_fen=balance,
            blocked=self.blocked,
            loads=loads,
            purchases=purchases,
            other_city_purchases=other,
        )

    # -- load ------------------------------------------------------------------------------

    def _require_writable(self, refusal: str) -> None:
        """Raise CardError with ``refusal`` (a template) unless the card is a City Union card."""
        if self.family is not CardFamily.CITY_UNION:
            raise CardError(refusal, advice="Send the holder to a T-Union service point.")

    def initialize_for_load(
        self, amount_fen: int, terminal_id: bytes, key_index: int = DEFAULT_KEY_INDEX
    ) -> LoadInit:
        """INITIALIZE FOR LOAD: the card's balance, online ATC, random and MAC1."""
        self._require_writable(
            marked("Top-up of T-Union cards is not supported at this counter yet")
        )
        _check_terminal(terminal_id)
        _check_amount(amount_fen)
        response = self._send(commands.initialize_for_load(key_index, amount_fen, terminal_id))
        data = _expect_length(response, 16, "INITIALIZE FOR LOAD")
        return LoadInit(
            amount_fen=amount_fen,
            terminal_id=terminal_id,
            balance_fen=int.from_bytes(data[0:4], "big"),
            online_atc=int.from_bytes(data[4:6], "big"),
            keys=PurseKeyRef(_algorithm(data[7]), data[6]),
            random=data[8:12],
            mac1=data[12:16],
        )

    def credit_for_load(self, when: datetime, mac2: bytes) -> bytes:
        """CREDIT FOR LOAD; returns the TAC."""
        response = self._send(commands.credit_for_load(when, mac2))
        return _expect_length(response, 4, "CREDIT FOR LOAD")

    # -- purchase ----------------------------------------------------------------------------

    def initialize_for_purchase(
        self,
        amount_fen: int,
        terminal_id: bytes,
        key_index: int = DEFAULT_KEY_INDEX,
        *,
        compound: bool = False,
    ) -> PurchaseInit:
        """INITIALIZE FOR PURCHASE (or compound purchase); CU and T-Union purses alike."""
        _check_terminal(terminal_id)
        _check_amount(amount_fen)
        command = commands.initialize_for_purchase(
            key_index, amount_fen, terminal_id, compound=compound
        )
        data = _expect_length(self._send(command), 15, "INITIALIZE FOR PURCHASE")
        return PurchaseInit(
            amount_fen=amount_fen,
            terminal_id=terminal_id,
            compound=compound,
            balance_fen=int.from_bytes(data[0:4], "big"),
            offline_atc=int.from_bytes(data[4:6], "big"),
            overdraft_limit_fen=int.from_bytes(data[6:9], "big"),
            keys=PurseKeyRef(_algorithm(data[10]), data[9]),
            random=data[11:15],
        )

    def get_purchase_data(self) -> bytes:
        """GET DATA ``80CA000009``: the 9 bytes (``85`` ‖ 8) a CU purchase MAC1 ends with."""
        data = _expect_length(self._send(commands.get_data_purchase()), 9, "GET DATA")
        if data[0] != 0x85:
            raise MalformedCardAnswerError(
                "GET DATA answered tag {tag}, expected 85", tag=f"{data[0]:02X}"
            )
        return data

    def update_capp_data_cache(self, tag: int, sfi: int, record: bytes) -> None:
        """UPDATE CAPP DATA CACHE (between compound INIT and DEBIT)."""
        self._send(commands.update_capp_data_cache(tag, sfi, record))

    def debit_for_purchase(
        self, terminal_seq: int, when: datetime, mac1: bytes
    ) -> TransactionProof:
        """DEBIT FOR PURCHASE; the card answers TAC then MAC2."""
        response = self._send(commands.debit_for_purchase(terminal_seq, when, mac1))
        data = _expect_length(response, 8, "DEBIT FOR PURCHASE")
        return TransactionProof(mac=data[4:8], tac=data[0:4])

    # -- proof, challenge, block -------------------------------------------------------------

    def get_transaction_prove(self, transaction_type: int, atc: int) -> TransactionProof:
        """GET TRANSACTION PROVE; the card answers MAC then TAC (opposite to DEBIT)."""
        response = self._send(commands.get_transaction_prove(transaction_type, atc))
        data = _expect_length(response, 8, "GET TRANSACTION PROVE")
        return TransactionProof(mac=data[0:4], tac=data[4:8])

    def get_challenge(self, length: int = 4) -> bytes:
        """GET CHALLENGE: a card random for the next secure-messaging command."""
        return _expect_length(self._send(commands.get_challenge(length)), length, "GET CHALLENGE")

    def application_block(self, mac: bytes) -> None:
        """APPLICATION BLOCK; afterwards the purse refuses everything."""
        self._send(commands.application_block(mac))
        self.blocked = True

    def application_unblock(self, mac: bytes) -> None:
        """APPLICATION UNBLOCK."""
        self._send(commands.application_unblock(mac))
        self.blocked = False

    def update_binary(self, sfi: int, offset: int, data: bytes, mac: bytes) -> None:
        """UPDATE BINARY with MAC."""
        self._send(commands.update_binary(sfi, offset, data, mac))
        if sfi == Sfi.PUBLIC:
            self._public = None


def _check_terminal(terminal_id: bytes) -> None:
    if len(terminal_id) != 6:
        raise ValueError(f"a terminal ID is 6 bytes, not {len(terminal_id)}")


def _check_amount(amount_fen: int) -> None:
    if not 0 <= amount_fen <= 0xFFFFFFFF:
        raise ValueError(f"amount {amount_fen} fen does not fit the card's 4 bytes")
