"""Parsers for the card's files (card-protocol.md, "Files of a CU card")."""

from __future__ import annotations

from datetime import date, datetime

from app.card.errors import MalformedCardAnswerError
from app.domain.card import CardFamily, CardRecord, Holder, PublicData

PUBLIC_DATA_SIZE = 30
HOLDER_SIZE = 55
RECORD_SIZE = 23


def _is_bcd(raw: bytes) -> bool:
    return all((b >> 4) < 10 and (b & 0x0F) < 10 for b in raw)


def bcd_date(raw: bytes) -> date | None:
    """Parse a 4-byte BCD ``YYYYMMDD``; all zeros (or all FF) means no date."""
    if raw in (bytes(4), b"\xff" * 4):
        return None
    if not _is_bcd(raw):
        raise MalformedCardAnswerError("date {date} is not BCD", date=raw.hex())
    text = raw.hex()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise MalformedCardAnswerError("date {date} is not a calendar date", date=text) from None


def bcd_datetime(date_raw: bytes, time_raw: bytes) -> datetime | None:
    """Parse BCD ``YYYYMMDD`` and ``hhmmss`` into a naive local datetime (card time)."""
    day = bcd_date(date_raw)
    if day is None:
        return None
    if not _is_bcd(time_raw):
        raise MalformedCardAnswerError("time {time} is not BCD", time=time_raw.hex())
    t = time_raw.hex()
    try:
        return datetime(day.year, day.month, day.day, int(t[:2]), int(t[2:4]), int(t[4:6]))
    except ValueError:
        raise MalformedCardAnswerError("time {time} is not a time of day", time=t) from None


def encode_bcd_datetime(when: datetime) -> tuple[bytes, bytes]:
    """Encode ``when`` as the 4-byte BCD date and 3-byte BCD time the card commands carry."""
    return bytes.fromhex(when.strftime("%Y%m%d")), bytes.fromhex(when.strftime("%H%M%S"))


def parse_public_data(raw: bytes, family: CardFamily) -> PublicData:
    """Parse file 0x15 of a CU or TU card."""
    if len(raw) < PUBLIC_DATA_SIZE:
        raise MalformedCardAnswerError(
            "file 0x15 has {length} bytes, expected {expected}",
            length=len(raw),
            expected=PUBLIC_DATA_SIZE,
        )
    raw = raw[:PUBLIC_DATA_SIZE]
    if family is CardFamily.CITY_UNION:
        return PublicData(
            issuer_code=raw[0:2],
            city_code=raw[2:4].hex().upper(),
            industry_code=raw[4:6],
            application_type=raw[8],
            application_version=raw[9],
            interop_flag=raw[10:12],
            serial=raw[12:20],
            start_date=bcd_date(raw[20:24]),
            expiry_date=bcd_date(raw[24:28]),
            card_type=raw[28],
            raw=raw,
        )
    # T-Union: 8-byte issuer identifier (city code, GB/T 13497, in bytes 2-3), 10-byte serial.
    return PublicData(
        issuer_code=raw[0:8],
        city_code=raw[2:4].hex().upper(),
        industry_code=b"",
        application_type=raw[8],
        application_version=raw[9],
        interop_flag=b"",
        serial=raw[10:20],
        start_date=bcd_date(raw[20:24]),
        expiry_date=bcd_date(raw[24:28]),
        card_type=raw[28],
        raw=raw,
    )


def _text(raw: bytes, encoding: str) -> str:
    trimmed = raw.rstrip(b"\x00").rstrip(b"\xff").rstrip(b" ")
    try:
        return trimmed.decode(encoding)
    except UnicodeDecodeError:
        raise MalformedCardAnswerError(
            "holder text {text} is not {encoding}", text=raw.hex(), encoding=encoding
        ) from None


def parse_holder(raw: bytes) -> Holder | None:
    """Parse file 0x16 (cardholder); an anonymous card (empty name and ID) gives None."""
    if len(raw) < HOLDER_SIZE:
        raise MalformedCardAnswerError(
            "file 0x16 has {length} bytes, expected {expected}",
            length=len(raw),
            expected=HOLDER_SIZE,
        )
    name = _text(raw[2:22], "gbk")
    id_number = _text(raw[22:54], "ascii")
    if not name and not id_number:
        return None
    return Holder(
        card_type_flag=raw[0], staff_flag=raw[1], name=name, id_number=id_number, id_type=raw[54]
    )


def parse_record(raw: bytes) -> CardRecord:
    """Parse one 23-byte transaction record."""
    if len(raw) < RECORD_SIZE:
        raise MalformedCardAnswerError(
            "a record has {length} bytes, expected {expected}",
            length=len(raw),
            expected=RECORD_SIZE,
        )
    return CardRecord(
        atc=int.from_bytes(raw[0:2], "big"),
        overdraft_fen=int.from_bytes(raw[2:5], "big"),
        amount_fen=int.from_bytes(raw[5:9], "big"),
        transaction_type=raw[9],
        terminal_id=raw[10:16],
        when=bcd_datetime(raw[16:20], raw[20:23]),
    )
