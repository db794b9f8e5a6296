"""SM2 public-key encryption: the GB/T 32918.5 example, round trips, rejections, gmssl interop."""

from __future__ import annotations

import pytest
from gmssl import sm2 as gm

from app.crypto.sm2 import (
    CIPHERTEXT_OVERHEAD,
    Sm2Error,
    Sm2PrivateKey,
    _encrypt_with_k,
    sm2_decrypt,
    sm2_encrypt,
)

H = bytes.fromhex

# GB/T 32918.5-2017 / GM/T 0003.5 encryption example on the recommended curve.
EX_SECRET = H("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
EX_K = int("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21", 16)
EX_MESSAGE = b"encryption standard"
EX_CIPHERTEXT = H(
    "04"
    "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73"
    "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"
    "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766"
    "21886CA989CA9C7D58087307CA93092D651EFA"
)


@pytest.fixture(scope="module")
def key() -> Sm2PrivateKey:
    return Sm2PrivateKey.generate()


def test_the_standard_example_encrypts_and_decrypts_byte_for_byte():
    key = Sm2PrivateKey.from_secret(EX_SECRET)
    assert _encrypt_with_k(key.public_key, EX_MESSAGE, EX_K) == EX_CIPHERTEXT
    assert sm2_decrypt(key, EX_CIPHERTEXT) == EX_MESSAGE


@pytest.mark.parametrize("size", [1, 16, 31, 32, 33, 64, 100])
def test_round_trip_and_fresh_randomness(key, size):
    plaintext = bytes(range(size))
    first = sm2_encrypt(key.public_key, plaintext)
    second = sm2_encrypt(key.public_key, plaintext)
    assert len(first) == size + CIPHERTEXT_OVERHEAD
    assert first != second  # a fresh ephemeral key every time
    assert sm2_decrypt(key, first) == plaintext
    assert sm2_decrypt(key, second) == plaintext


def test_only_the_right_key_decrypts(key):
    ciphertext = sm2_encrypt(key.public_key, b"journal key" * 3)
    with pytest.raises(Sm2Error, match="C3"):
        sm2_decrypt(Sm2PrivateKey.generate(), ciphertext)


@pytest.mark.parametrize("where", [70, 97, -1])  # inside C3, first byte of C2, last byte of C2
def test_a_changed_byte_is_refused(key, where):
    ciphertext = bytearray(sm2_encrypt(key.public_key, bytes(32)))
    ciphertext[where] ^= 0x01
    with pytest.raises(Sm2Error):
        sm2_decrypt(key, bytes(ciphertext))


def test_malformed_ciphertexts_are_refused(key):
    good = sm2_encrypt(key.public_key, b"x" * 8)
    with pytest.raises(Sm2Error, match="not an SM2 ciphertext"):
        sm2_decrypt(key, good[:CIPHERTEXT_OVERHEAD])  # no C2
    with pytest.raises(Sm2Error, match="not an SM2 ciphertext"):
        sm2_decrypt(key, b"\x02" + good[1:])  # compressed point marker
    off_curve = good[:64] + bytes([good[64] ^ 1]) + good[65:]
    with pytest.raises(Sm2Error, match="not a point on the curve"):
        sm2_decrypt(key, off_curve)


def test_encryption_refuses_bad_keys_and_empty_plaintext(key):
    with pytest.raises(Sm2Error):
        sm2_encrypt(key.public_key[:63], b"x")
    with pytest.raises(Sm2Error, match="not a point"):
        sm2_encrypt(bytes(64), b"x")
    with pytest.raises(Sm2Error, match="at least one byte"):
        sm2_encrypt(key.public_key, b"")
    assert sm2_decrypt(key, sm2_encrypt(b"\x04" + key.public_key, b"ok")) == b"ok"


def _key_whose_x_starts_with_0_or_4() -> Sm2PrivateKey:
    while True:
        candidate = Sm2PrivateKey.generate()
        if candidate.public_key.hex()[0] in "04":
            return candidate


def test_keys_that_trip_gmssls_lstrip_work():
    key = _key_whose_x_starts_with_0_or_4()
    assert sm2_decrypt(key, sm2_encrypt(key.public_key, b"leading digits")) == b"leading digits"


def test_gmssl_interoperates_in_c1_c3_c2_mode(key):
    engine = gm.CryptSM2(private_key=key.secret.hex(), public_key="", mode=1)
    engine.public_key = key.public_key.hex()
    ours = sm2_encrypt(key.public_key, b"to gmssl")
    assert engine.decrypt(ours[1:]) == b"to gmssl"  # gmssl writes C1 without the 04
    theirs = engine.encrypt(b"from gmssl")
    assert sm2_decrypt(key, b"\x04" + theirs) == b"from gmssl"
