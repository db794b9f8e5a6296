from datetime import date, datetime

import pytest

from app.card.errors import MalformedCardAnswerError
from app.card.files import (
    bcd_date,
    encode_bcd_datetime,
    parse_holder,
    parse_public_data,
    parse_record,
)
from app.card.tlv import find_tag, parse_tlv
from app.domain.card import CardFamily

CU_15 = bytes.fromhex("010231000001000001023100310400000000123420240101203412310100")


def test_cu_public_data_fields():
    p = parse_public_data(CU_15, CardFamily.CITY_UNION)
    assert p.city_code == "3100"
    assert p.serial == bytes.fromhex("3104000000001234")
    assert p.start_date == date(2024, 1, 1)
    assert p.expiry_date == date(2034, 12, 31)
    assert p.card_type == 0x01
    assert p.application_version == 2


def test_tu_public_data_takes_the_10_byte_serial():
    raw = bytes.fromhex("000029000000000001012900123456789012345620240101202912310000")
    p = parse_public_data(raw, CardFamily.T_UNION)
    assert p.serial == bytes.fromhex("29001234567890123456")
    assert p.city_code == "2900"


def test_short_or_bad_public_data_is_rejected():
    with pytest.raises(MalformedCardAnswerError):
        parse_public_data(CU_15[:20], CardFamily.CITY_UNION)
    bad = CU_15[:20] + bytes.fromhex("2024AB01") + CU_15[24:]
    with pytest.raises(MalformedCardAnswerError):
        parse_public_data(bad, CardFamily.CITY_UNION)
    with pytest.raises(MalformedCardAnswerError):
        bcd_date(bytes.fromhex("20241301"))
    assert bcd_date(bytes(4)) is None


def test_holder_gbk_name_and_masking():
    name = "张三丰".encode("gbk").ljust(20, b"\x00")
    ident = b"330102199001011234".ljust(32, b"\x00")
    raw = b"\x01\x00" + name + ident + b"\x00"
    h = parse_holder(raw)
    assert h is not None
    assert h.name == "张三丰" and h.masked_name == "张**"
    assert h.id_number == "330102199001011234"
    assert h.masked_id_number == "3301**********1234"
    assert parse_holder(bytes(55)) is None


def test_record_parse():
    raw = bytes.fromhex("0001000000000003E80200112233445520261121143000")
    r = parse_record(raw)
    assert (r.atc, r.amount_fen, r.transaction_type) == (1, 1000, 2)
    assert r.terminal_id == bytes.fromhex("001122334455")
    assert r.when == datetime(2026, 11, 21, 14, 30)
    with pytest.raises(MalformedCardAnswerError):
        parse_record(raw[:10])


def test_encode_bcd_datetime_round_trip():
    d, t = encode_bcd_datetime(datetime(2011, 12, 21, 21, 48, 22))
    assert d.hex() == "20111221" and t.hex() == "214822"


def test_tlv_nested_and_malformed():
    fci = bytes.fromhex("6F0F8409A00000000386980701A5029F08")
    with pytest.raises(MalformedCardAnswerError):
        find_tag(fci, 0x6F, 0xA5, 0x9F08)
    good = bytes.fromhex("6F128409A00000000386980701A5059F08010200")
    assert find_tag(good, 0x6F, 0x84) == bytes.fromhex("A00000000386980701")
    assert find_tag(good, 0x6F, 0xA5, 0x9F08) == b"\x02"
    assert find_tag(good, 0x6F, 0xA5, 0x9F0C) is None
    assert parse_tlv(bytes.fromhex("8181020102")) == [(0x81, b"\x01\x02")]
