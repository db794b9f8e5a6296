"""Builders for the command APDUs of card-protocol.md, one function per command."""

from __future__ import annotations

import enum
from datetime import datetime

from app.card.apdu import CommandApdu, Ins
from app.card.files import encode_bcd_datetime


class Aid(bytes, enum.Enum):
    """Application identifiers of the two purse families."""

    CITY_UNION = bytes.fromhex("A00000000386980701")
    T_UNION = bytes.fromhex("A000000632010105")


def select_aid(aid: bytes) -> CommandApdu:
    """SELECT by AID."""
    return CommandApdu(0x00, Ins.SELECT, 0x04, 0x00, aid, le=256, name="SELECT")


def select_fid(fid: bytes) -> CommandApdu:
    """SELECT by file identifier (``3F00`` MF, ``1001`` EP ADF)."""
    return CommandApdu(0x00, Ins.SELECT, 0x00, 0x00, fid, le=256, name="SELECT")


def read_binary(sfi: int, offset: int = 0, length: int = 256) -> CommandApdu:
    """READ BINARY by short file identifier."""
    return CommandApdu(0x00, Ins.READ_BINARY, 0x80 | sfi, offset, le=length, name="READ BINARY")


def read_record(sfi: int, number: int) -> CommandApdu:
    """READ RECORD ``number`` of the file ``sfi``."""
    return CommandApdu(0x00, Ins.READ_RECORD, number, (sfi << 3) | 4, le=256, name="READ RECORD")


def get_balance() -> CommandApdu:
    """GET BALANCE of the electronic purse."""
    return CommandApdu(0x80, Ins.GET_BALANCE, 0x00, 0x02, le=4, name="GET BALANCE")


def initialize_for_load(key_index: int, amount_fen: int, terminal_id: bytes) -> CommandApdu:
    """INITIALIZE FOR LOAD (EP)."""
    data = bytes((key_index,)) + amount_fen.to_bytes(4, "big") + terminal_id
    return CommandApdu(0x80, Ins.INITIALIZE, 0x00, 0x02, data, le=0x10, name="INITIALIZE FOR LOAD")


def credit_for_load(when: datetime, mac2: bytes) -> CommandApdu:
    """CREDIT FOR LOAD with the host's date-time and MAC2."""
    day, time = encode_bcd_datetime(when)
    return CommandApdu(
        0x80, Ins.CREDIT_FOR_LOAD, 0x00, 0x00, day + time + mac2, le=4, name="CREDIT FOR LOAD"
    )


def initialize_for_purchase(
    key_index: int, amount_fen: int, terminal_id: bytes, *, compound: bool = False
) -> CommandApdu:
    """INITIALIZE FOR PURCHASE (``80 50 01 02``) or for a compound purchase (``80 50 03 02``)."""
    data = bytes((key_index,)) + amount_fen.to_bytes(4, "big") + terminal_id
    p1 = 0x03 if compound else 0x01
    return CommandApdu(
        0x80, Ins.INITIALIZE, p1, 0x02, data, le=0x0F, name="INITIALIZE FOR PURCHASE"
    )


def update_capp_data_cache(tag: int, sfi: int, record: bytes) -> CommandApdu:
    """UPDATE CAPP DATA CACHE (compound purchase only, between INIT and DEBIT)."""
    return CommandApdu(
        0x80, Ins.UPDATE_CAPP_DATA_CACHE, tag, sfi << 3, record, name="UPDATE CAPP DATA CACHE"
    )


def get_data_purchase() -> CommandApdu:
    """GET DATA ``80CA000009`` (CU purchases: 9 bytes fed into MAC1)."""
    return CommandApdu(0x80, Ins.GET_DATA, 0x00, 0x00, le=9, name="GET DATA")


def debit_for_purchase(terminal_seq: int, when: datetime, mac1: bytes) -> CommandApdu:
    """DEBIT FOR PURCHASE."""
    day, time = encode_bcd_datetime(when)
    data = terminal_seq.to_bytes(4, "big") + day + time + mac1
    return CommandApdu(
        0x80, Ins.DEBIT_FOR_PURCHASE, 0x01, 0x00, data, le=8, name="DEBIT FOR PURCHASE"
    )


def get_transaction_prove(transaction_type: int, atc: int) -> CommandApdu:
    """GET TRANSACTION PROVE for the transaction of ``transaction_type`` with ``atc``."""
    return CommandApdu(
        0x80,
        Ins.GET_TRANSACTION_PROVE,
        0x00,
        transaction_type,
        atc.to_bytes(2, "big"),
        le=8,
        name="GET TRANSACTION PROVE",
    )


def get_challenge(length: int = 4) -> CommandApdu:
    """GET CHALLENGE of 4 or 8 bytes."""
    return CommandApdu(0x00, Ins.GET_CHALLENGE, 0x00, 0x00, le=length, name="GET CHALLENGE")


def application_block_header() -> bytes:
    """The bytes the block MAC covers: ``84 1E 00 00 04``."""
    return bytes((0x84, Ins.APPLICATION_BLOCK, 0x00, 0x00, 0x04))


def application_block(mac: bytes) -> CommandApdu:
    """APPLICATION BLOCK with its secure-messaging MAC."""
    return CommandApdu(0x84, Ins.APPLICATION_BLOCK, 0x00, 0x00, mac, name="APPLICATION BLOCK")


def application_unblock_header() -> bytes:
    """The bytes the unblock MAC covers: ``84 18 00 00 04``."""
    return bytes((0x84, Ins.APPLICATION_UNBLOCK, 0x00, 0x00, 0x04))


def application_unblock(mac: bytes) -> CommandApdu:
    """APPLICATION UNBLOCK with its secure-messaging MAC."""
    return CommandApdu(0x84, Ins.APPLICATION_UNBLOCK, 0x00, 0x00, mac, name="APPLICATION UNBLOCK")


def update_binary_mac_input(sfi: int, offset: int, data: bytes) -> bytes:
    """The bytes the UPDATE BINARY MAC covers: header, Lc (data + 4) and the data."""
    return bytes((0x04, Ins.UPDATE_BINARY, 0x80 | sfi, offset, len(data) + 4)) + data


def update_binary(sfi: int, offset: int, data: bytes, mac: bytes) -> CommandApdu:
    """UPDATE BINARY with MAC."""
    return CommandApdu(
        0x04, Ins.UPDATE_BINARY, 0x80 | sfi, offset, data + mac, name="UPDATE BINARY"
    )
