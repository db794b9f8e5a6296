"""SM2 signatures (GB/T 32918) with SM3, on gmssl's curve arithmetic (Tongsuo's when it can).

Signatures with the default signer ID go through Tongsuo (:mod:`app.crypto.sm2_tongsuo`, C,
≈ 10× faster) when ``tongsuopy`` is installed; gmssl is the reference, used for other IDs, and
the two are proven byte-compatible by the tests.

gmssl does the elliptic-curve work. Around it we fix what it leaves to the caller: the nonce comes
from :mod:`secrets` (gmssl's default uses :mod:`random`), Z and e are hashed with OpenSSL's SM3,
the signer's ID is a parameter, r and s are range-checked, and public keys are set without
gmssl's ``lstrip("04")`` (which eats leading ``0``/``4`` digits of the x coordinate).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from app.crypto.sm3 import sm3_digest
from app.domain.texts import ClerkFacingError

try:  # Tongsuo in C for the default ID when installed; gmssl stays the reference (see below)
    from app.crypto import sm2_tongsuo as _native
except (ImportError, OSError):  # pragma: no cover - not installed, or its library unloadable
    _native = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from gmssl.sm2 import CryptSM2

DEFAULT_USER_ID = b"1234567812345678"
# the SM2 curve of GB/T 32918.5 (gmssl's default_ecc_table holds the same; a test compares them),
# written here so that gmssl is imported only when its point arithmetic is used (issue 20)
_CURVE = {
    "n": "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123",
    "p": "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF",
    "g": "32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7"
    "bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0",
    "a": "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    "b": "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
}
_N = int(_CURVE["n"], 16)
_P = int(_CURVE["p"], 16)
_A = int(_CURVE["a"], 16)
_B = int(_CURVE["b"], 16)
PUBLIC_KEY_SIZE = 64  # x ‖ y, without the 04 prefix
SIGNATURE_SIZE = 64  # r ‖ s


class Sm2Error(ClerkFacingError, ValueError):
    """An SM2 key or signature is malformed."""


def _gm() -> ModuleType:
    """The SM2 module of gmssl, imported on first use (it brings pycryptodome with it)."""
    from gmssl import sm2  # noqa: PLC0415

    module: ModuleType = sm2
    return module


def _engine(private_hex: str, public: bytes) -> CryptSM2:
    engine: CryptSM2 = _gm().CryptSM2(private_key=private_hex, public_key="")
    engine.public_key = public.hex()  # bypass the lstrip("04") in gmssl's constructor
    return engine


def _normalise_public(public_key: bytes) -> bytes:
    if len(public_key) == PUBLIC_KEY_SIZE + 1 and public_key[0] == 0x04:
        public_key = public_key[1:]
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise Sm2Error(
            "an SM2 public key is 64 bytes (x ‖ y), not {length}", length=len(public_key)
        )
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
        if _native is not None:  # C, and gmssl stays unimported at start-up (issue 20)
            return cls(secret=secret, public_key=_native.public_key(secret))
        engine = _gm().CryptSM2(private_key=secret.hex(), public_key="")
        public_hex = engine._kg(d, _CURVE["g"])
        return cls(secret=secret, public_key=bytes.fromhex(public_hex))

    def sign(self, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """Sign ``message`` (SM3 with Z_A); returns r ‖ s, 64 bytes."""
        if _native is not None and user_id == DEFAULT_USER_ID:
            return _native.sign(self.secret, message)
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
    if _native is not None and user_id == DEFAULT_USER_ID:
        return _native.verify(public_key, message, signature)
    e = sm3_digest(sm2_z(public_key, user_id) + message)
    return bool(_engine("00", public_key).verify(signature.hex(), e))


# -- public-key encryption (GB/T 32918.4), used to wrap keys for one device ---------------------
#
# gmssl's CryptSM2.encrypt draws k from :mod:`random` and its decrypt never checks C3, so only its
# point multiplication is used here. The ciphertext is C1 ‖ C3 ‖ C2 (the 2016 order), C1 being the
# uncompressed point 04 ‖ x1 ‖ y1: 97 bytes more than the plaintext.

CIPHERTEXT_OVERHEAD = 1 + PUBLIC_KEY_SIZE + 32  # C1 (04 ‖ x ‖ y) and C3 (SM3)
_G = bytes.fromhex(_CURVE["g"])


def _multiply(k: int, point: bytes) -> bytes:
    """[k]point as x ‖ y (64 bytes); ``point`` must be on the curve and k in [1, n-1]."""
    engine = _gm().CryptSM2(private_key="00", public_key="")
    result = engine._kg(k, point.hex())
    if result is None:  # the point at infinity: impossible for k in [1, n-1] on this curve
        raise Sm2Error("SM2 point multiplication gave the point at infinity")
    return bytes.fromhex(result)


def _kdf(z: bytes, length: int) -> bytes:
    """The SM3 key derivation function of GB/T 32918.4 (counter from 1, big-endian)."""
    blocks = [sm3_digest(z + i.to_bytes(4, "big")) for i in range(1, (length + 31) // 32 + 1)]
    return b"".join(blocks)[:length]


def _encrypt_with_k(public_key: bytes, plaintext: bytes, k: int) -> bytes | None:
    """Encrypt with a given ephemeral scalar (None when the KDF output is all zeros)."""
    c1 = _multiply(k, _G)
    shared = _multiply(k, public_key)
    t = _kdf(shared, len(plaintext))
    if not any(t):
        return None
    c2 = bytes(a ^ b for a, b in zip(plaintext, t, strict=True))
    c3 = sm3_digest(shared[:32] + plaintext + shared[32:])
    return b"\x04" + c1 + c3 + c2


def sm2_encrypt(public_key: bytes, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` to the holder of ``public_key``: C1 (04 ‖ x ‖ y) ‖ C3 ‖ C2."""
    public_key = _normalise_public(public_key)
    if not plaintext:
        raise Sm2Error("SM2 encryption needs at least one byte of plaintext")
    while True:
        ciphertext = _encrypt_with_k(public_key, plaintext, secrets.randbelow(_N - 1) + 1)
        if ciphertext is not None:
            return ciphertext


def sm2_decrypt(private_key: Sm2PrivateKey, ciphertext: bytes) -> bytes:
    """Decrypt C1 ‖ C3 ‖ C2; :class:`Sm2Error` unless C1 is on the curve and C3 matches."""
    if len(ciphertext) <= CIPHERTEXT_OVERHEAD or ciphertext[0] != 0x04:
        raise Sm2Error("not an SM2 ciphertext (04 ‖ x ‖ y ‖ C3 ‖ C2)")
    c1 = _normalise_public(ciphertext[1 : 1 + PUBLIC_KEY_SIZE])
    c3 = ciphertext[1 + PUBLIC_KEY_SIZE : CIPHERTEXT_OVERHEAD]
    c2 = ciphertext[CIPHERTEXT_OVERHEAD:]
    shared = _multiply(int.from_bytes(private_key.secret, "big"), c1)
    t = _kdf(shared, len(c2))
    if not any(t):
        raise Sm2Error("the SM2 ciphertext does not decrypt (KDF output is zero)")
    plaintext = bytes(a ^ b for a, b in zip(c2, t, strict=True))
    if not secrets.compare_digest(sm3_digest(shared[:32] + plaintext + shared[32:]), c3):
        raise Sm2Error("the SM2 ciphertext does not decrypt with this key (C3 does not match)")
    return plaintext
