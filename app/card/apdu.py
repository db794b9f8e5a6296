"""Command and response APDUs (ISO 7816-4 short form) and the status words the card uses."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class StatusWord(enum.IntEnum):
    """Status words of card-protocol.md, by meaning."""

    OK = 0x9000
    SELECTED_FILE_INVALIDATED = 0x6283
    WRONG_LENGTH = 0x6700
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    CHALLENGE_MISSING = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    SECURE_MESSAGING_MAC_WRONG = 0x6988
    FUNCTION_NOT_SUPPORTED = 0x6A81  # also: application blocked
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    INCORRECT_P1_P2 = 0x6A86
    WRONG_OFFSET = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    TRANSACTION_MAC_WRONG = 0x9302
    APPLICATION_LOCKED = 0x9303
    INSUFFICIENT_BALANCE = 0x9401
    COUNTER_OR_AMOUNT_OUT_OF_RANGE = 0x9402
    KEY_INDEX_NOT_SUPPORTED = 0x9403
    MAC_NOT_AVAILABLE = 0x9406


class Ins(enum.IntEnum):
    """Instruction bytes of the commands the counter sends."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    READ_RECORD = 0xB2
    GET_BALANCE = 0x5C
    INITIALIZE = 0x50
    CREDIT_FOR_LOAD = 0x52
    DEBIT_FOR_PURCHASE = 0x54
    GET_TRANSACTION_PROVE = 0x5A
    UPDATE_CAPP_DATA_CACHE = 0xDC
    GET_DATA = 0xCA
    GET_CHALLENGE = 0x84
    APPLICATION_BLOCK = 0x1E
    APPLICATION_UNBLOCK = 0x18
    UPDATE_BINARY = 0xD6
    GET_RESPONSE = 0xC0


@dataclass(frozen=True)
class CommandApdu:
    """A short command APDU. ``le`` is the expected length (1–256), or None for none.

    Fields out of range raise ValueError: a command is built by this code, never by a clerk.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    name: str = ""  # the command's name for logs and errors, e.g. "CREDIT FOR LOAD"

    def __post_init__(self) -> None:
        for label, byte in (("CLA", self.cla), ("INS", self.ins), ("P1", self.p1), ("P2", self.p2)):
            if not 0 <= byte <= 0xFF:
                raise ValueError(f"{label} {byte} is not a byte")
        if len(self.data) > 255:
            raise ValueError("short APDUs carry at most 255 data bytes")
        if self.le is not None and not 1 <= self.le <= 256:
            raise ValueError(f"Le {self.le} is outside 1..256")

    def to_bytes(self) -> bytes:
        """Encode as CLA INS P1 P2 [Lc data] [Le]."""
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le & 0xFF,))
        return out

    def with_le(self, le: int) -> CommandApdu:
        """The same command with another Le (for a ``6Cxx`` answer)."""
        return CommandApdu(self.cla, self.ins, self.p1, self.p2, self.data, le or 256, self.name)

    @property
    def label(self) -> str:
        """The name if given, else the header in hex."""
        return self.name or self.to_bytes()[:4].hex().upper()


@dataclass(frozen=True)
class ResponseApdu:
    """A response: data and the status word."""

    data: bytes
    sw: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> ResponseApdu:
        """Split data ‖ SW1 SW2; fewer than two bytes raise ValueError (the caller checks)."""
        if len(raw) < 2:
            raise ValueError(f"a card answer has at least 2 bytes, got {raw.hex() or 'none'}")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    @property
    def sw1(self) -> int:
        """The first status byte."""
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        """The second status byte."""
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        """Whether the status word is 9000."""
        return self.sw == StatusWord.OK
