"""Tongsuo's SM2 (tongsuopy) is byte-compatible with the gmssl reference before it is used.

Z_A with the default ID, the GB/T 32918.5 example, cross-verification both ways on many keys
(leading-zero coordinates included), and the same rejections as the reference.
"""

from __future__ import annotations

import secrets

import pytest

import app.crypto.sm2 as sm2_module
from app.crypto import sm2_tongsuo as native
from app.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, sm2_verify, sm2_z
from app.crypto.sm3 import sm3_digest
from tests.crypto.test_crypto_sm2 import (
    EX_MESSAGE,
    EX_PUBLIC,
    EX_SECRET,
    EX_SIGNATURE,
    _gm_engine,
)


def test_the_default_path_is_tongsuo() -> None:
    assert sm2_module._native is native


def test_tongsuo_verifies_the_gbt32918_example() -> None:
    assert native.verify(EX_PUBLIC, EX_MESSAGE, EX_SIGNATURE)
    assert not native.verify(EX_PUBLIC, b"message digesT", EX_SIGNATURE)


def test_tongsuo_derives_the_example_public_key() -> None:
    numbers = native._private(EX_SECRET).public_key().public_numbers()
    assert numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big") == EX_PUBLIC


def test_a_tongsuo_signature_of_the_example_key_verifies_in_gmssl_with_z_a() -> None:
    """Tongsuo hashes Z_A (default ID) ‖ M: gmssl's raw verify over e = SM3(Z_A ‖ M) agrees."""
    signature = native.sign(EX_SECRET, EX_MESSAGE)
    e = sm3_digest(sm2_z(EX_PUBLIC, DEFAULT_USER_ID) + EX_MESSAGE)
    assert _gm_engine(b"\x00", EX_PUBLIC).verify(signature.hex(), e)


def _keys(count: int) -> list[Sm2PrivateKey]:
    keys = [Sm2PrivateKey.generate() for _ in range(count)]
    # keys whose x coordinate starts with zero bytes (a classic encoding slip)
    while sum(k.public_key[0] == 0 for k in keys) < 2:
        key = Sm2PrivateKey.generate()
        if key.public_key[0] == 0:
            keys.append(key)
    return keys


@pytest.mark.parametrize("size", [0, 1, 64, 1000])
def test_cross_verification_both_ways(size: int) -> None:
    for key in _keys(20):
        message = secrets.token_bytes(size)
        by_tongsuo = native.sign(key.secret, message)
        e = sm3_digest(sm2_z(key.public_key) + message)
        assert _gm_engine(b"\x00", key.public_key).verify(by_tongsuo.hex(), e)
        by_gmssl = _gm_engine(key.secret, key.public_key).sign(
            e, f"{secrets.randbelow(2**255) + 1:064x}"
        )
        assert native.verify(key.public_key, message, bytes.fromhex(by_gmssl))


def test_the_module_signs_with_tongsuo_and_the_reference_verifies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = Sm2PrivateKey.generate()
    signature = key.sign(b"batch")
    monkeypatch.setattr(sm2_module, "_native", None)
    assert sm2_verify(key.public_key, b"batch", signature)
    reference_signature = key.sign(b"batch")
    monkeypatch.undo()
    assert sm2_verify(key.public_key, b"batch", reference_signature)


def test_tongsuo_refuses_what_the_reference_refuses() -> None:
    key, other = Sm2PrivateKey.generate(), Sm2PrivateKey.generate()
    signature = native.sign(key.secret, b"amount=1000")
    assert not native.verify(key.public_key, b"amount=9000", signature)
    assert not native.verify(other.public_key, b"amount=1000", signature)
    for index in (0, 31, 32, 63):
        changed = bytearray(signature)
        changed[index] ^= 0x01
        assert not native.verify(key.public_key, b"amount=1000", bytes(changed))
    assert not native.verify(key.public_key, b"amount=1000", signature[32:] + signature[:32])


def test_another_user_id_takes_the_reference_path() -> None:
    key = Sm2PrivateKey.generate()
    signature = key.sign(b"m", user_id=b"counter-0001")
    assert sm2_verify(key.public_key, b"m", signature, user_id=b"counter-0001")
    assert not sm2_verify(key.public_key, b"m", signature)  # not under the default ID
    assert not native.verify(key.public_key, b"m", signature)


def test_the_der_boundary_refuses_malformed_encodings() -> None:
    good = native._private(EX_SECRET).sign(EX_MESSAGE, native._ALGORITHM)
    assert native._raw(good) == native._raw(bytes(good))
    for bad in (good[:-1], good + b"\x00", b"\x31" + good[1:], good[:2] + b"\x03" + good[3:]):
        with pytest.raises((ValueError, IndexError)):
            native._raw(bad)
