"""Card profiles: builders for files 0x15/0x16, the JSON format, validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cardsim_support import CU_SERIAL, TU_SERIAL, make_profile

from app.crypto import pboc
from app.domain.card import CardFamily, CardKeyKind
from cardsim.profile import (
    CardProfile,
    HolderFields,
    ProfileError,
    PublicFields,
    build_holder_file,
    build_public_file,
)


def test_cu_public_file_layout() -> None:
    raw = build_public_file(
        PublicFields(
            CardFamily.CITY_UNION,
            CU_SERIAL,
            issuer_code=bytes.fromhex("1234"),
            city_code="3100",
            industry_code=bytes.fromhex("0001"),
            app_type=0x02,
            app_version=0x03,
            start_date="20240101",
            expiry_date="20341231",
            card_type=0x05,
        )
    )
    assert len(raw) == 30
    assert raw[0:2] == bytes.fromhex("1234")
    assert raw[2:4] == bytes.fromhex("3100")
    assert raw[4:6] == bytes.fromhex("0001")
    assert raw[6:8] == b"\x00\x00"
    assert raw[8:10] == b"\x02\x03"
    assert raw[10:12] == bytes.fromhex("3100")  # interoperable: the city code
    assert raw[12:20] == CU_SERIAL
    assert raw[20:24] == bytes.fromhex("20240101")
    assert raw[24:28] == bytes.fromhex("20341231")
    assert raw[28:30] == b"\x05\x00"


def test_tu_public_file_layout() -> None:
    issuer = bytes.fromhex("0290000000000001")
    raw = PublicFields(CardFamily.T_UNION, TU_SERIAL, issuer_code=issuer).to_bytes()
    assert raw[0:8] == issuer and raw[10:20] == TU_SERIAL
    assert PublicFields.parse(CardFamily.T_UNION, raw).serial == TU_SERIAL


def test_holder_file_layout() -> None:
    raw = build_holder_file(HolderFields(1, 0, "张三", "110101199001011234", 0))
    assert len(raw) == 55
    assert raw[0:2] == b"\x01\x00"
    assert raw[2:22] == "张三".encode("gbk") + bytes(16)
    assert raw[22:54] == b"110101199001011234" + bytes(14)
    assert raw[54] == 0
    assert HolderFields.parse(raw).name == "张三"


def test_holder_name_too_long_is_refused() -> None:
    with pytest.raises(ProfileError, match="GBK"):
        HolderFields(name="张" * 11).to_bytes()


def test_json_round_trip_keeps_structured_files(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    profile = make_profile(balance_fen=1234, online_atc=3)
    profile.records[0x1A].append(bytes(23))
    profile.save(path)
    doc = json.loads(path.read_text("utf-8"))
    assert doc["file_15"]["city_code"] == "3100"
    assert doc["file_16"]["name"] == "张三"
    assert (path.stat().st_mode & 0o777) == 0o600
    again = CardProfile.load(path)
    assert again.public_file == profile.public_file
    assert again.holder_file == profile.holder_file
    assert again.balance_fen == 1234 and again.online_atc == 3
    assert again.records[0x1A] == [bytes(23)]
    assert again.card_keys == profile.card_keys


def test_raw_hex_files_are_accepted_and_kept(tmp_path: Path) -> None:
    doc = json.loads(make_profile().dumps())
    raw15 = bytearray(make_profile().public_file)
    raw15[6] = 0x77  # a reserved byte the structured form cannot express
    doc["file_15"] = raw15.hex()
    doc["file_16"] = "FF" * 55  # not GBK text
    path = tmp_path / "raw.json"
    path.write_text(json.dumps(doc))
    profile = CardProfile.load(path)
    assert profile.public_file == bytes(raw15)
    profile.save(path)
    saved = json.loads(path.read_text())
    assert saved["file_15"] == raw15.hex().upper() and saved["file_16"] == "FF" * 55


def test_master_keys_are_diversified_with_the_serial(tmp_path: Path) -> None:
    doc = json.loads(make_profile().dumps())
    del doc["card_keys"]
    masters = {k.value: (bytes([i + 1]) * 16).hex() for i, k in enumerate(CardKeyKind)}
    doc["master_keys"] = masters
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    profile = CardProfile.load(path)
    expected = pboc.diversify(bytes.fromhex(masters["dlk"]), CU_SERIAL)
    assert profile.card_keys[CardKeyKind.DLK] == expected
    profile.save(path)
    assert "master_keys" in json.loads(path.read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "x"}, "format"),
        ({"family": "XX"}, "family"),
        ({"balance_fen": -1}, "balance_fen"),
        ({"online_atc": 70000}, "online_atc"),
        ({"algorithm": "AES"}, "algorithm"),
        ({"fixed_random": "1122"}, "fixed_random"),
        ({"get_data_85": "zz"}, "get_data_85"),
        ({"record_atc": "middle"}, "record_atc"),
        ({"records": {"19": []}}, "records"),
        ({"records": {"1A": ["00"]}}, "records.1A"),
        ({"card_keys": {"dlk": "00"}}, "card_keys"),
        ({"t0_wrong_le": "yes"}, "t0_wrong_le"),
        ({"file_15": {"serial": "1234"}}, "serial"),
        ({"file_15": "00"}, "file_15"),
    ],
)
def test_bad_profiles_are_refused_with_a_clear_message(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    doc = json.loads(make_profile().dumps())
    doc.update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ProfileError, match=message) as info:
        CardProfile.load(path)
    assert str(path) in str(info.value)


def test_missing_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no card profile"):
        CardProfile.load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ProfileError, match="not valid JSON"):
        CardProfile.load(tmp_path / "bad.json")
