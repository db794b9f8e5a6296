"""SM2 signatures (GB/T 32918) with SM3, on gmssl's curve arithmetic.

gmssl does the elliptic-curve work. Around it we fix what it leaves to the caller: the nonce comes
from :mod:`secrets` (gmssl's default uses :mod:`random`), Z and e are hashed with OpenSSL's SM3,
the signer's ID is a parameter, r and s are range-checked, and public keys are set without
gmssl's ``lstrip("04")`` (which eats leading ``0``/``4`` digits of the x coordinate).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from gmssl import sm2 as _gm

from app.crypto.sm3 import sm3_digest

DEFAULT_USER_ID = b"1234567812345678"
_CURVE = _gm.default_ecc_table
_N = int(_CURVE["n"], 16)
_P = int(_CURVE["p"], 16)
_A = int(_CURVE["a"], 16)
_B = int(_CURVE["b"], 16)
PUBLIC_KEY_SIZE = 64  # x ‖ y, without the 04 prefix
SIGNATURE_SIZE = 64  # r ‖ s


class Sm2Error(ValueError):
    """An SM2 key or signature is malformed."""


def _engine(private_hex: str, public: bytes) -> _gm.CryptSM2:
    engine = _gm.CryptSM2(private_key=private_hex, public_key="")
    engine.public_key = public.hex()  # bypass the lstrip("04") in gmssl's constructor
    return engine


def _normalise_public(public_key: bytes) -> bytes:
    if len(public_key) == PUBLIC_KEY_SIZE + 1 and public_key[0] == 0x04:
        public_key = public_key[1:]
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise Sm2Error(f"an SM2 public key is 64 bytes (x ‖ y), not {len(public_key)}")
    # gmssl's point arithmetic fails with a TypeError on points off the curve; refuse them here.
    x = int.from_bytes(public_key[:32], "big")
    y = int.from_bytes(public_key[32:], "big")
    if not (x < _P and y < _P and (y * y - x * x * x - _A * x - _B) % _P == 0):
        raise Sm2Error("the SM2 public key is not a point on the curve")
    return public_key


def sm2_z(public_key: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Return Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)."""
    public_key = _normalise_public(public_key)
    entl = (len(user_id) * 8).to_bytes(2, "big")
    curve = bytes.fromhex(_CURVE["a"] + _CURVE["b"] + _CURVE["g"])
    return sm3_digest(entl + user_id + curve + public_key)


@dataclass(frozen=True)
class Sm2PrivateKey:
    """An SM2 private key with its public key. ``repr`` never shows the secret."""

    secret: bytes = field(repr=False)
    public_key: bytes

    @classmethod
    def generate(cls) -> Sm2PrivateKey:
        """Create a new key pair from the OS's secure random source."""
        d = secrets.randbelow(_N - 2) + 1
        return cls.from_secret(d.to_bytes(32, "big"))

    @classmethod
    def from_secret(cls, secret: bytes) -> Sm2PrivateKey:
        """Rebuild a key pair from its 32-byte secret scalar."""
        if len(secret) != 32:
            raise Sm2Error("an SM2 private key is 32 bytes")
        d = int.from_bytes(secret, "big")
        if not 1 <= d < _N - 1:
            raise Sm2Error("the SM2 private key is out of range")
        engine = _gm.CryptSM2(private_key=secret.hex(), public_key="")
        public_hex = engine._kg(d, _CURVE["g"])
        return cls(secret=secret, public_key=bytes.fromhex(public_hex))

    def sign(self, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """Sign ``message`` (SM3 with Z_A); returns r ‖ s, 64 bytes."""
        e = sm3_digest(sm2_z(self.public_key, user_id) + message)
        engine = _engine(self.secret.hex(), self.public_key)
        while True:
            k = secrets.randbelow(_N - 1) + 1
            signature = engine.sign(e, f"{k:064x}")
            if signature is not None:
                return bytes.fromhex(signature)


def sm2_verify(
    public_key: bytes, message: bytes, signature: bytes, user_id: bytes = DEFAULT_USER_ID
) -> bool:
    """Return whether ``signature`` (r ‖ s) is a valid SM2-with-SM3 signature of ``message``."""
    public_key = _normalise_public(public_key)
    if len(signature) != SIGNATURE_SIZE:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    e = sm3_digest(sm2_z(public_key, user_id) + message)
    return bool(_engine("00", public_key).verify(signature.hex(), e))
