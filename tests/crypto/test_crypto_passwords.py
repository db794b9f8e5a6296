"""Operator password hashing: the Argon2id primitive, the encoded string, refusals, rehash."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.crypto.passwords import (
    LIMITS,
    PasswordHashError,
    PasswordHashParams,
    hash_password,
    needs_rehash,
    parse,
    verify_password,
)

CHEAP = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)


def test_rfc9106_argon2id_test_vector() -> None:
    # RFC 9106 section 5.3: the Argon2id known answer, secret and associated data included.
    kdf = Argon2id(
        salt=bytes([0x02] * 16),
        length=32,
        iterations=3,
        lanes=4,
        memory_cost=32,
        secret=bytes([0x03] * 8),
        ad=bytes([0x04] * 12),
    )
    tag = kdf.derive(bytes([0x01] * 32))
    assert tag == bytes.fromhex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")


def test_known_answer_of_our_encoding() -> None:
    # Argon2id(password "s3cret!!", salt "counter-salt-16b", m=64 KiB, t=2, p=2, 32 bytes) — the
    # primitive is pinned by the RFC vector above; this pins our string around it.
    encoded = (
        "argon2id$v=19$m=64,t=2,p=2$Y291bnRlci1zYWx0LTE2Yg"
        "$Kok0E6KR+WpONrqYcBS+ysDvsfuLLBwsW171L9apiNY"
    )
    stored = parse(encoded)
    assert stored.params == PasswordHashParams(memory_kib=64, iterations=2, lanes=2)
    assert stored.salt == b"counter-salt-16b"
    assert stored.encode() == encoded
    assert verify_password("s3cret!!", encoded)
    assert not verify_password("s3cret!?", encoded)


def test_round_trip_and_format() -> None:
    encoded = hash_password("柜台密码 counter", CHEAP)
    algorithm, version, cost, salt, digest = encoded.split("$")
    assert (algorithm, version, cost) == ("argon2id", "v=19", "m=256,t=1,p=1")
    assert "=" not in salt + digest  # unpadded base64, like PHC strings
    assert verify_password("柜台密码 counter", encoded)
    assert not verify_password("柜台密码 counteR", encoded)
    assert not verify_password("", encoded)


def test_fresh_salt_every_time() -> None:
    first, second = hash_password("same password", CHEAP), hash_password("same password", CHEAP)
    assert first != second
    assert parse(first).salt != parse(second).salt
    assert verify_password("same password", first) and verify_password("same password", second)


def test_cross_check_with_the_phc_encoder_of_cryptography() -> None:
    # Two independent encodings of the same thing: cryptography's PHC string ("$argon2id$…")
    # and ours (the same without the leading "$") must verify each other.
    if not hasattr(Argon2id, "derive_phc_encoded"):
        pytest.skip("this cryptography has no PHC encoder")
    ours = hash_password("cross check", CHEAP)
    Argon2id.verify_phc_encoded(b"cross check", "$" + ours)  # raises InvalidKey on mismatch
    theirs = Argon2id(salt=b"0123456789abcdef", length=32, iterations=1, lanes=1, memory_cost=256)
    phc = theirs.derive_phc_encoded(b"cross check")
    assert phc.startswith("$argon2id$")
    assert verify_password("cross check", phc[1:])
    assert not verify_password("cross checK", phc[1:])


def test_unicode_is_normalised() -> None:
    composed, decomposed = "caf\u00e9-latte", "cafe\u0301-latte"
    assert composed != decomposed
    assert verify_password(decomposed, hash_password(composed, CHEAP))


def test_needs_rehash() -> None:
    encoded = hash_password("rehash me please", CHEAP)
    assert not needs_rehash(encoded, CHEAP)
    assert needs_rehash(encoded, PasswordHashParams(memory_kib=512, iterations=1, lanes=1))
    assert needs_rehash(encoded, PasswordHashParams(memory_kib=256, iterations=2, lanes=1))
    assert needs_rehash(
        encoded, PasswordHashParams(memory_kib=256, iterations=1, lanes=1, hash_bytes=16)
    )
    assert needs_rehash("not a hash", CHEAP)


def _with(encoded: str, cost: str) -> str:
    parts = encoded.split("$")
    parts[2] = cost
    return "$".join(parts)


GOOD = hash_password("a good password", CHEAP)
SALT_B64, HASH_B64 = GOOD.split("$")[3:]


@pytest.mark.parametrize(
    "damaged",
    [
        "",
        "argon2id",
        GOOD.replace("argon2id", "argon2i", 1),
        GOOD.replace("v=19", "v=16"),
        GOOD.replace("v=19", "v=019"),
        _with(GOOD, "m=0256,t=1,p=1"),
        _with(GOOD, "m=256,t=1"),
        _with(GOOD, "t=1,m=256,p=1"),
        _with(GOOD, "m=-256,t=1,p=1"),
        _with(GOOD, "m=256,t=0,p=1"),
        _with(GOOD, "m=256,t=1,p=0"),
        _with(GOOD, "m=16,t=1,p=4"),  # less than 8 KiB per lane
        "$" + GOOD,
        GOOD + "$",
        GOOD + "\n",
        f"argon2id$v=19$m=256,t=1,p=1$$${HASH_B64}",
        f"argon2id$v=19$m=256,t=1,p=1${SALT_B64}$",
        f"argon2id$v=19$m=256,t=1,p=1${SALT_B64}=${HASH_B64}",  # padding is not canonical
        f"argon2id$v=19$m=256,t=1,p=1${SALT_B64}$!{HASH_B64[1:]}",
        f"argon2id$v=19$m=256,t=1,p=1$c2FsdA$${HASH_B64}",  # 4-byte salt
        f"argon2id$v=19$m=256,t=1,p=1${SALT_B64}$c2hvcnQ",  # 5-byte digest
        f"argon2id$v=19$m=256,t=1,p=1${'A' * 300}${HASH_B64}",
    ],
)
def test_damaged_strings_are_refused(damaged: str) -> None:
    with pytest.raises(PasswordHashError):
        parse(damaged)
    with pytest.raises(PasswordHashError):
        verify_password("a good password", damaged)


def test_non_canonical_trailing_bits_are_refused() -> None:
    # A 16-byte salt is 22 base64 characters; the last carries 4 unused low bits. Flipping one
    # gives the same bytes under a lax decoder: a second spelling of one hash.
    salt = SALT_B64
    last = salt[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = salt[:-1] + alphabet[alphabet.index(last) ^ 1]
    with pytest.raises(PasswordHashError, match="canonical"):
        parse(f"argon2id$v=19$m=256,t=1,p=1${twin}${HASH_B64}")


@pytest.mark.parametrize(
    "cost",
    [
        f"m={4 * 1024 * 1024},t=1,p=1",  # 4 GiB
        f"m={LIMITS.max_memory_kib + 1},t=1,p=1",
        f"m=256,t={LIMITS.max_iterations + 1},p=1",
        "m=256,t=4000000000,p=1",
        f"m=8192,t=1,p={LIMITS.max_lanes + 1}",
        "m=99999999999,t=1,p=1",
    ],
)
def test_absurd_costs_are_refused_before_any_work(cost: str) -> None:
    started = time.perf_counter()
    with pytest.raises(PasswordHashError, match=r"absurd|not an argon2id"):
        verify_password("a good password", _with(GOOD, cost))
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize(
    "params",
    [
        PasswordHashParams(memory_kib=4, iterations=1, lanes=1),
        PasswordHashParams(memory_kib=256, iterations=0, lanes=1),
        PasswordHashParams(memory_kib=10 * 1024 * 1024, iterations=1, lanes=1),
        PasswordHashParams(memory_kib=256, iterations=1, lanes=1, salt_bytes=4),
        PasswordHashParams(memory_kib=256, iterations=1, lanes=1, hash_bytes=8),
    ],
)
def test_hashing_refuses_parameters_it_would_refuse_to_read(params: PasswordHashParams) -> None:
    with pytest.raises(ValueError, match="out of limits"):
        hash_password("a good password", params)


def test_default_parameters_are_the_documented_ones() -> None:
    assert PasswordHashParams() == PasswordHashParams(
        memory_kib=65536, iterations=3, lanes=4, salt_bytes=16, hash_bytes=32
    )
    assert PasswordHashParams().problem() is None
