"""Our SM4 purse rules and the algId dispatch, checked against gmssl's independent SM4."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.crypto import pboc, pboc_sm4
from app.crypto.purse import DesPurse, PurseAlgorithm, Sm4Purse, purse_crypto
from app.crypto.reference import reference_sm4_cbc_encrypt, reference_sm4_ecb_encrypt

H = bytes.fromhex
MK = H("0123456789ABCDEFFEDCBA9876543210")
RANDOM = H("11223344")


def _pad16(data: bytes) -> bytes:
    out = data + b"\x80"
    return out + bytes(-len(out) % 16)


def _ref_sm4_mac(key: bytes, data: bytes, icv: bytes = bytes(16)) -> bytes:
    return reference_sm4_cbc_encrypt(key, icv, _pad16(data))[-16:][:4]


@settings(max_examples=150, deadline=None)
@given(
    key=st.binary(min_size=16, max_size=16),
    data=st.binary(max_size=70),
    icv=st.binary(min_size=16, max_size=16),
)
def test_sm4_mac_is_truncated_last_cbc_block(key: bytes, data: bytes, icv: bytes) -> None:
    assert pboc_sm4.sm4_mac(key, data, icv) == _ref_sm4_mac(key, data, icv)


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 31, 32, 33])
def test_sm4_mac_padding_edges(length: int) -> None:
    data = bytes(range(length))
    assert pboc_sm4.sm4_mac(MK, data) == _ref_sm4_mac(MK, data)


def test_sm4_mac_aligned_data_gets_full_padding_block() -> None:
    data = bytes(16)
    single_block = reference_sm4_ecb_encrypt(MK, data)[:4]
    assert pboc_sm4.sm4_mac(MK, data) != single_block
    assert pboc_sm4.sm4_mac(MK, data) == _ref_sm4_mac(MK, data)


def test_sm4_mac_rejects_bad_icv_and_key() -> None:
    with pytest.raises(ValueError, match="ICV"):
        pboc_sm4.sm4_mac(MK, b"x", bytes(8))
    with pytest.raises(ValueError, match="16 bytes"):
        pboc_sm4.sm4_mac(MK[:8], b"x")


def test_sm4_diversify_definition() -> None:
    serial = H("3100000012345678")
    not_x = bytes(b ^ 0xFF for b in serial)
    assert pboc_sm4.sm4_diversify(MK, serial) == reference_sm4_ecb_encrypt(MK, serial + not_x)
    tu = H("AABB") + serial
    assert pboc_sm4.sm4_diversify(MK, tu) == pboc_sm4.sm4_diversify(MK, serial)
    with pytest.raises(ValueError, match="at least 8"):
        pboc_sm4.sm4_diversify(MK, serial[:7])


def test_sm4_session_keys_definition() -> None:
    load = pboc_sm4.sm4_load_session_key(MK, RANDOM, 0x0102)
    assert load == reference_sm4_ecb_encrypt(MK, RANDOM + H("0102") + H("8000") + bytes(8))
    purchase = pboc_sm4.sm4_purchase_session_key(MK, RANDOM, 0x0102, 0x00AB0001)
    assert purchase == reference_sm4_ecb_encrypt(MK, RANDOM + H("0102") + H("0001") + bytes(8))
    with pytest.raises(ValueError, match="random"):
        pboc_sm4.sm4_load_session_key(MK, RANDOM[:3], 0)
    with pytest.raises(ValueError, match="random"):
        pboc_sm4.sm4_purchase_session_key(MK, RANDOM + b"\x00", 0, 1)


def test_dispatch_by_alg_id() -> None:
    des, sm4 = purse_crypto(0x00), purse_crypto(0x04)
    assert isinstance(des, DesPurse)
    assert isinstance(sm4, Sm4Purse)
    assert des.algorithm is PurseAlgorithm.DES and des.block_size == 8
    assert sm4.algorithm is PurseAlgorithm.SM4 and sm4.block_size == 16
    assert purse_crypto(PurseAlgorithm.SM4) is sm4


@pytest.mark.parametrize("alg_id", [0x01, 0x02, 0x03, 0x05, 0xFF])
def test_unknown_alg_id_raises(alg_id: int) -> None:
    with pytest.raises(ValueError, match="unknown purse algorithm"):
        purse_crypto(alg_id)


def test_des_purse_delegates_to_pboc() -> None:
    purse = purse_crypto(0x00)
    key = H("11223344556677888877665544332211")
    assert purse.load_session_key(key, RANDOM, 0) == H("9B1D924E05595603")
    assert purse.purchase_session_key(key, RANDOM, 0, 1) == H("003238ABC57659DD")
    assert purse.mac(H("9B1D924E05595603"), H("0000000000001000") + H("01001122334455")) == H(
        "2988AE5A"
    )
    assert purse.diversify(key, H("0102030405060708")) == pboc.diversify(key, H("0102030405060708"))
    assert purse.tac_key(key) == pboc.tac_key(key)


def test_sm4_purse_delegates_to_pboc_sm4() -> None:
    purse = purse_crypto(0x04)
    serial = H("3100000012345678")
    dlk = purse.diversify(MK, serial)
    assert dlk == pboc_sm4.sm4_diversify(MK, serial)
    seslk = purse.load_session_key(dlk, RANDOM, 5)
    assert seslk == pboc_sm4.sm4_load_session_key(dlk, RANDOM, 5)
    data = H("00000000") + H("00001000") + H("02") + H("001122334455")
    assert purse.mac(seslk, data) == _ref_sm4_mac(seslk, data)
    assert purse.mac(seslk, data, bytes(16)) == purse.mac(seslk, data)
    assert purse.tac_key(dlk) == dlk
    icv = purse.secure_messaging_icv(RANDOM)
    assert icv == RANDOM + bytes(12)
    assert purse.mac(dlk, b"x", icv) == _ref_sm4_mac(dlk, b"x", icv)


def test_des_and_sm4_purses_differ() -> None:
    key = MK
    assert purse_crypto(0).mac(key, b"abc") != purse_crypto(4).mac(key, b"abc")
