"""The OpenSSL paths agree byte for byte with gmssl's independent pure-Python code."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.crypto import reference
from app.crypto.sm3 import hmac_sm3, hmac_sm3_verify, sm3_digest
from app.crypto.sm4 import (
    sm4_decrypt_cbc,
    sm4_decrypt_ecb,
    sm4_encrypt_cbc,
    sm4_encrypt_ecb,
)

# Fixed seeds: a failure is reproducible whatever the test order; hypothesis adds its own
# shrinking search below.
_RNG = random.Random(0x5A3)
_LENGTHS = [*range(0, 130), *_RNG.sample(range(130, 301), 70), 300]


@pytest.fixture(autouse=True)
def _reseed(request: pytest.FixtureRequest) -> None:
    _RNG.seed(request.node.nodeid)


def _rand(n: int) -> bytes:
    return _RNG.randbytes(n)


@pytest.mark.parametrize("length", _LENGTHS)
def test_sm3_matches_reference(length: int) -> None:
    data = _rand(length)
    assert sm3_digest(data) == reference.reference_sm3(data)


@pytest.mark.parametrize("length", _LENGTHS)
def test_hmac_sm3_matches_reference(length: int) -> None:
    # Key lengths around the 64-byte block edge, including keys that must be hashed first.
    key = _rand(_RNG.choice([0, 1, 16, 32, 63, 64, 65, 100, 200]))
    data = _rand(length)
    tag = hmac_sm3(key, data)
    assert tag == reference.reference_hmac_sm3(key, data)
    assert hmac_sm3_verify(key, data, tag)


@pytest.mark.parametrize("key_length", [0, 1, 63, 64, 65, 128, 300])
def test_hmac_sm3_key_edges(key_length: int) -> None:
    key, data = _rand(key_length), _rand(200)
    assert hmac_sm3(key, data) == reference.reference_hmac_sm3(key, data)


def test_reference_hmac_long_key_is_hashed() -> None:
    """RFC 2104: a key longer than the block is replaced by its hash."""
    key = _rand(65)
    assert reference.reference_hmac_sm3(key, b"x") == reference.reference_hmac_sm3(
        reference.reference_sm3(key), b"x"
    )


def test_hmac_sm3_verify_rejects() -> None:
    key, data = b"k" * 16, b"journal record"
    tag = hmac_sm3(key, data)
    assert not hmac_sm3_verify(key, data + b"!", tag)
    assert not hmac_sm3_verify(key + b"!", data, tag)
    assert not hmac_sm3_verify(key, data, bytes([tag[0] ^ 1]) + tag[1:])
    assert not hmac_sm3_verify(key, data, tag[:16])


@pytest.mark.parametrize("blocks", range(24))
def test_sm4_ecb_matches_reference(blocks: int) -> None:
    key, data = _rand(16), _rand(16 * blocks)
    cipher = sm4_encrypt_ecb(key, data)
    assert len(cipher) == len(data)  # no padding on either side
    assert cipher == reference.reference_sm4_ecb_encrypt(key, data)
    assert sm4_decrypt_ecb(key, cipher) == data
    assert reference.reference_sm4_ecb_decrypt(key, cipher) == data


@pytest.mark.parametrize("blocks", range(24))
def test_sm4_cbc_matches_reference(blocks: int) -> None:
    key, iv, data = _rand(16), _rand(16), _rand(16 * blocks)
    cipher = sm4_encrypt_cbc(key, iv, data)
    assert len(cipher) == len(data)
    assert cipher == reference.reference_sm4_cbc_encrypt(key, iv, data)
    assert sm4_decrypt_cbc(key, iv, cipher) == data
    assert reference.reference_sm4_cbc_decrypt(key, iv, cipher) == data


def test_reference_cbc_agrees_with_gmssl_own_cbc() -> None:
    """gmssl's crypt_cbc always appends a PKCS#7 block; dropping it gives our unpadded CBC."""
    from gmssl import sm4 as gm  # noqa: PLC0415

    key, iv, data = _rand(16), _rand(16), _rand(64)
    engine = gm.CryptSM4()
    engine.set_key(key, gm.SM4_ENCRYPT)
    padded = engine.crypt_cbc(iv, data)
    assert len(padded) == len(data) + 16
    assert reference.reference_sm4_cbc_encrypt(key, iv, data) == padded[:-16]


def test_reference_sm4_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        reference.reference_sm4_ecb_encrypt(bytes(15), bytes(16))
    with pytest.raises(ValueError, match="multiple of 16"):
        reference.reference_sm4_ecb_decrypt(bytes(16), bytes(17))
    with pytest.raises(ValueError, match="IV"):
        reference.reference_sm4_cbc_encrypt(bytes(16), bytes(8), bytes(16))


@settings(max_examples=150, deadline=None)
@given(key=st.binary(max_size=150), data=st.binary(max_size=300))
def test_hmac_sm3_property(key: bytes, data: bytes) -> None:
    assert hmac_sm3(key, data) == reference.reference_hmac_sm3(key, data)


@settings(max_examples=100, deadline=None)
@given(
    key=st.binary(min_size=16, max_size=16),
    iv=st.binary(min_size=16, max_size=16),
    blocks=st.integers(min_value=0, max_value=18),
    seed=st.binary(min_size=16, max_size=16),
)
def test_sm4_cbc_property(key: bytes, iv: bytes, blocks: int, seed: bytes) -> None:
    data = (seed * blocks)[: 16 * blocks]
    data = bytes((b + i) % 256 for i, b in enumerate(data))
    assert sm4_encrypt_cbc(key, iv, data) == reference.reference_sm4_cbc_encrypt(key, iv, data)
    assert sm4_decrypt_cbc(key, iv, data) == reference.reference_sm4_cbc_decrypt(key, iv, data)
