"""SM2 signatures: round trips, rejections, gmssl interop and the GB/T 32918.5 example."""

from __future__ import annotations

import secrets

import pytest
from gmssl import sm2 as gm

from app.crypto.sm2 import (
    DEFAULT_USER_ID,
    Sm2Error,
    Sm2PrivateKey,
    sm2_verify,
    sm2_z,
)
from app.crypto.sm3 import sm3_digest

H = bytes.fromhex
N = int(gm.default_ecc_table["n"], 16)

# GB/T 32918.5-2017 / GM/T 0003.5 signature example on the recommended curve.
EX_SECRET = H("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
EX_PUBLIC = H(
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
EX_MESSAGE = b"message digest"
EX_Z = H("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
EX_E = H("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
EX_K = int("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21", 16)
EX_SIGNATURE = H(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)


@pytest.fixture(scope="module")
def key() -> Sm2PrivateKey:
    return Sm2PrivateKey.generate()


def _gm_engine(secret: bytes, public: bytes) -> gm.CryptSM2:
    """A gmssl engine with the public key set directly (its constructor may mangle it)."""
    engine = gm.CryptSM2(private_key=secret.hex(), public_key="")
    engine.public_key = public.hex()
    return engine


def test_round_trip(key: Sm2PrivateKey) -> None:
    signature = key.sign(b"settlement batch 42")
    assert len(signature) == 64
    assert sm2_verify(key.public_key, b"settlement batch 42", signature)
    # 04-prefixed uncompressed form is accepted too.
    assert sm2_verify(b"\x04" + key.public_key, b"settlement batch 42", signature)


def test_signatures_are_randomised(key: Sm2PrivateKey) -> None:
    assert key.sign(b"m") != key.sign(b"m")


def test_empty_and_long_messages(key: Sm2PrivateKey) -> None:
    for message in (b"", bytes(10_000)):
        assert sm2_verify(key.public_key, message, key.sign(message))


def test_rejects_altered_message(key: Sm2PrivateKey) -> None:
    signature = key.sign(b"amount=1000")
    assert not sm2_verify(key.public_key, b"amount=9000", signature)
    assert not sm2_verify(key.public_key, b"amount=1000 ", signature)


@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_rejects_altered_signature(key: Sm2PrivateKey, index: int) -> None:
    signature = bytearray(key.sign(b"m"))
    signature[index] ^= 0x01
    assert not sm2_verify(key.public_key, b"m", bytes(signature))


def test_rejects_swapped_r_and_s(key: Sm2PrivateKey) -> None:
    signature = key.sign(b"m")
    assert not sm2_verify(key.public_key, b"m", signature[32:] + signature[:32])


def test_rejects_wrong_key(key: Sm2PrivateKey) -> None:
    other = Sm2PrivateKey.generate()
    assert not sm2_verify(other.public_key, b"m", key.sign(b"m"))


def test_rejects_wrong_user_id(key: Sm2PrivateKey) -> None:
    signature = key.sign(b"m", user_id=b"counter-0001")
    assert sm2_verify(key.public_key, b"m", signature, user_id=b"counter-0001")
    assert not sm2_verify(key.public_key, b"m", signature, user_id=b"counter-0002")
    assert not sm2_verify(key.public_key, b"m", signature)


@pytest.mark.parametrize(
    ("r", "s"),
    [(0, 1), (1, 0), (0, 0), (N, 1), (1, N), (N + 1, 5), (2**256 - 1, 1), (1, 2**256 - 1)],
)
def test_rejects_out_of_range_r_s(key: Sm2PrivateKey, r: int, s: int) -> None:
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert not sm2_verify(key.public_key, b"m", signature)


@pytest.mark.parametrize("size", [0, 63, 65, 128])
def test_rejects_bad_signature_length(key: Sm2PrivateKey, size: int) -> None:
    signature = key.sign(b"m")
    assert not sm2_verify(key.public_key, b"m", (signature * 2)[:size])


@pytest.mark.parametrize("size", [0, 32, 63, 66])
def test_rejects_bad_public_key_length(key: Sm2PrivateKey, size: int) -> None:
    with pytest.raises(Sm2Error):
        sm2_verify((b"\x04" + key.public_key * 2)[:size], b"m", key.sign(b"m"))


def test_rejects_public_key_off_the_curve(key: Sm2PrivateKey) -> None:
    signature = key.sign(b"m")
    for bad in (bytes(64), b"\x01" * 64, key.public_key[:32] + bytes(32)):
        with pytest.raises(Sm2Error, match="curve"):
            sm2_verify(bad, b"m", signature)


@pytest.mark.parametrize("secret", [bytes(32), N.to_bytes(32, "big"), (N - 1).to_bytes(32, "big")])
def test_private_key_range(secret: bytes) -> None:
    with pytest.raises(Sm2Error):
        Sm2PrivateKey.from_secret(secret)


def test_private_key_length() -> None:
    with pytest.raises(Sm2Error):
        Sm2PrivateKey.from_secret(bytes(31) + b"\x01" + b"\x00")


def test_repr_hides_secret(key: Sm2PrivateKey) -> None:
    text = repr(key)
    assert key.secret.hex() not in text
    assert key.secret.hex().upper() not in text
    assert repr(key.secret) not in text


def test_interop_gmssl_signs_we_verify(key: Sm2PrivateKey) -> None:
    engine = _gm_engine(key.secret, key.public_key)
    message = b"interop gmssl -> app"
    signature = engine.sign_with_sm3(message, secrets.token_hex(32))
    assert signature is not None
    assert sm2_verify(key.public_key, message, H(signature))
    assert not sm2_verify(key.public_key, message + b"x", H(signature))


def test_interop_we_sign_gmssl_verifies(key: Sm2PrivateKey) -> None:
    engine = _gm_engine(bytes(32), key.public_key)
    message = b"interop app -> gmssl"
    signature = key.sign(message)
    assert engine.verify_with_sm3(signature.hex(), message)
    assert not engine.verify_with_sm3(signature.hex(), message + b"x")


def test_z_matches_gmssl(key: Sm2PrivateKey) -> None:
    """gmssl's _sm3_z is SM3(Z ‖ M) with the default ID; ours must agree."""
    engine = _gm_engine(bytes(32), key.public_key)
    assert H(engine._sm3_z(b"abc")) == sm3_digest(sm2_z(key.public_key) + b"abc")


def test_gbt32918_example_key_and_z() -> None:
    pair = Sm2PrivateKey.from_secret(EX_SECRET)
    assert pair.public_key == EX_PUBLIC
    assert sm2_z(EX_PUBLIC, DEFAULT_USER_ID) == EX_Z
    assert sm3_digest(EX_Z + EX_MESSAGE) == EX_E


def test_gbt32918_example_signature_verifies() -> None:
    assert sm2_verify(EX_PUBLIC, EX_MESSAGE, EX_SIGNATURE)
    assert not sm2_verify(EX_PUBLIC, b"message digesT", EX_SIGNATURE)


def test_gbt32918_example_signature_reproduced(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the example's nonce k injected, sign() gives the published (r, s) exactly.

    On the gmssl reference path (Tongsuo draws its own k inside C and cannot be given one).
    """
    import app.crypto.sm2 as sm2_module  # noqa: PLC0415

    monkeypatch.setattr(sm2_module, "_native", None)

    def fixed_randbelow(_upper: int) -> int:
        return EX_K - 1  # sign() draws randbelow(n - 1) + 1

    monkeypatch.setattr(secrets, "randbelow", fixed_randbelow)
    assert Sm2PrivateKey.from_secret(EX_SECRET).sign(EX_MESSAGE) == EX_SIGNATURE


# Secrets whose public x coordinate starts with hex "04" (found by walking d·G for d = 1, 2, …):
# gmssl's constructor does public_key.lstrip("04") and eats those digits. 5249 gives "0445…",
# where the lstrip eats three digits. 327 gives x starting "00", which gmssl leaves alone.
@pytest.mark.parametrize(("d", "prefix"), [(11, "04"), (5249, "044"), (327, "00")])
def test_public_keys_with_leading_zero_or_04(d: int, prefix: str) -> None:
    pair = Sm2PrivateKey.from_secret(d.to_bytes(32, "big"))
    assert pair.public_key.hex().startswith(prefix)
    if prefix.startswith("04"):
        # The regression is real: gmssl's constructor does mangle this key.
        naive = gm.CryptSM2(private_key=pair.secret.hex(), public_key=pair.public_key.hex())
        assert naive.public_key != pair.public_key.hex()
    message = b"leading-digit key"
    signature = pair.sign(message)
    assert sm2_verify(pair.public_key, message, signature)
    assert sm2_verify(b"\x04" + pair.public_key, message, signature)
    assert _gm_engine(bytes(32), pair.public_key).verify_with_sm3(signature.hex(), message)
    assert not sm2_verify(pair.public_key, message + b"!", signature)


def test_example_public_key_starts_with_zero_digit() -> None:
    """The published example key itself has x = 09F9…; it goes through the same path."""
    assert EX_PUBLIC.hex().startswith("0")
    assert sm2_verify(b"\x04" + EX_PUBLIC, EX_MESSAGE, EX_SIGNATURE)


def test_the_curve_written_out_is_gmssls() -> None:
    """The SM2 curve kept in app.crypto.sm2 (so gmssl loads lazily) is the one gmssl computes on."""
    from gmssl import sm2 as gm  # noqa: PLC0415

    from app.crypto import sm2  # noqa: PLC0415

    ours = {k: v.lower() for k, v in sm2._CURVE.items()}
    assert ours == {k: v.lower() for k, v in gm.default_ecc_table.items()}


def test_tongsuo_derives_the_public_key_gmssl_derives() -> None:
    """from_secret's public key (Tongsuo's) is gmssl's [d]G, for keys across the range."""
    import secrets  # noqa: PLC0415

    from gmssl import sm2 as gm  # noqa: PLC0415

    from app.crypto import sm2  # noqa: PLC0415

    n = int(sm2._CURVE["n"], 16)
    for d in (1, 2, n - 2, *(secrets.randbelow(n - 3) + 1 for _ in range(8))):
        secret = d.to_bytes(32, "big")
        engine = gm.CryptSM2(private_key=secret.hex(), public_key="")
        expected = bytes.fromhex(engine._kg(d, gm.default_ecc_table["g"]))
        assert sm2.Sm2PrivateKey.from_secret(secret).public_key == expected
