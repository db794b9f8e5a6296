"""Operator password hashing: Argon2id (memory-hard), self-describing encoded strings.

A stored hash reads ``argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`` — the PHC string format
without its leading ``$``; salt and hash in standard base64 without padding. The cost travels with
the hash, so raising the default cost later only needs :func:`needs_rehash` at the next sign-in.

A stored string is parsed strictly and its cost checked against :data:`LIMITS` *before* any work:
a damaged or forged row must not make a sign-in allocate gigabytes or spin for minutes.
Passwords are normalised to Unicode NFC before hashing (the same password typed through two input
methods gives the same bytes).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.domain.texts import ClerkFacingError

ALGORITHM = "argon2id"
VERSION = 19  # Argon2 v1.3, the only version OpenSSL implements
MAX_ENCODED_LENGTH = 256  # the operator table's column


class PasswordHashError(ClerkFacingError, ValueError):
    """A stored password hash is malformed, of another algorithm, or asks for an absurd cost."""


@dataclass(frozen=True)
class PasswordHashParams:
    """Argon2id cost of new hashes. Defaults: 64 MiB, 3 passes, 4 lanes (RFC 9106's second choice).

    Measured on the 2-core counter PC: ~0.2-0.4 s per hash, under the ~0.5 s a sign-in may take.
    Tests pass cheaper ones.
    """

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4
    salt_bytes: int = 16
    hash_bytes: int = 32

    def problem(self) -> str | None:
        """What is out of :data:`LIMITS` (None when the cost is sane)."""
        return LIMITS.problem(self)


@dataclass(frozen=True)
class _Limits:
    """The costs a stored hash may ask for; anything beyond is treated as damage."""

    max_memory_kib: int = 256 * 1024
    max_iterations: int = 16
    max_lanes: int = 16
    salt_bytes: tuple[int, int] = (8, 64)
    hash_bytes: tuple[int, int] = (16, 64)

    def problem(self, p: PasswordHashParams) -> str | None:
        values = (p.memory_kib, p.iterations, p.lanes, p.salt_bytes, p.hash_bytes)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise TypeError("password hash parameters are ints")
        if not 1 <= p.lanes <= self.max_lanes:
            return f"lanes {p.lanes} not in 1..{self.max_lanes}"
        if not 8 * p.lanes <= p.memory_kib <= self.max_memory_kib:
            return f"memory {p.memory_kib} KiB not in {8 * p.lanes}..{self.max_memory_kib}"
        if not 1 <= p.iterations <= self.max_iterations:
            return f"iterations {p.iterations} not in 1..{self.max_iterations}"
        if not self.salt_bytes[0] <= p.salt_bytes <= self.salt_bytes[1]:
            return f"salt of {p.salt_bytes} bytes not in {self.salt_bytes}"
        if not self.hash_bytes[0] <= p.hash_bytes <= self.hash_bytes[1]:
            return f"hash of {p.hash_bytes} bytes not in {self.hash_bytes}"
        return None


LIMITS = _Limits()

# strict: no signs, no leading zeros, parameters in this order only
_ENCODED = re.compile(
    r"argon2id\$v=(?P<v>[1-9][0-9]{0,2})"
    r"\$m=(?P<m>[1-9][0-9]{0,9}),t=(?P<t>[1-9][0-9]{0,9}),p=(?P<p>[1-9][0-9]{0,9})"
    r"\$(?P<salt>[A-Za-z0-9+/]+)\$(?P<hash>[A-Za-z0-9+/]+)"
)


@dataclass(frozen=True)
class EncodedHash:
    """A parsed stored hash: its cost, salt and digest."""

    params: PasswordHashParams
    salt: bytes
    digest: bytes

    def encode(self) -> str:
        """The stored string."""
        p = self.params
        return (
            f"{ALGORITHM}$v={VERSION}$m={p.memory_kib},t={p.iterations},p={p.lanes}"
            f"${_b64(self.salt)}${_b64(self.digest)}"
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if len(text) % 4 == 1:
        raise PasswordHashError("a base64 field has an impossible length")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise PasswordHashError("a base64 field is malformed: {reason}", reason=str(exc)) from None
    if _b64(data) != text:  # non-zero trailing bits: not the canonical encoding
        raise PasswordHashError("a base64 field is not canonical")
    return data


def parse(encoded: str) -> EncodedHash:
    """Parse and bound-check a stored hash (raises :class:`PasswordHashError`, does no hashing)."""
    if not isinstance(encoded, str) or len(encoded) > MAX_ENCODED_LENGTH:
        raise PasswordHashError("the stored password hash is not a string of sane length")
    match = _ENCODED.fullmatch(encoded)
    if match is None:
        raise PasswordHashError("the stored password hash is not an argon2id$v=19$m=,t=,p= string")
    if int(match["v"]) != VERSION:
        raise PasswordHashError("Argon2 version {version} is not supported", version=match["v"])
    salt, digest = _unb64(match["salt"]), _unb64(match["hash"])
    params = PasswordHashParams(
        memory_kib=int(match["m"]),
        iterations=int(match["t"]),
        lanes=int(match["p"]),
        salt_bytes=len(salt),
        hash_bytes=len(digest),
    )
    problem = params.problem()
    if problem is not None:
        raise PasswordHashError(
            "the stored password hash asks for an absurd cost: {problem}", problem=problem
        )
    return EncodedHash(params, salt, digest)


def _password_bytes(password: str) -> bytes:
    if not isinstance(password, str):
        raise TypeError("a password is a str")
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _derive(password: str, params: PasswordHashParams, salt: bytes) -> bytes:
    kdf = Argon2id(
        salt=salt,
        length=params.hash_bytes,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(_password_bytes(password))


def hash_password(password: str, params: PasswordHashParams | None = None) -> str:
    """Hash ``password`` with a fresh random salt; the encoded string to store."""
    params = params or PasswordHashParams()
    problem = params.problem()
    if problem is not None:
        raise ValueError(f"password hash parameters out of limits: {problem}")
    salt = secrets.token_bytes(params.salt_bytes)
    return EncodedHash(params, salt, _derive(password, params, salt)).encode()


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches the stored hash (digests compared in constant time).

    Raises :class:`PasswordHashError` when the stored string is damaged — a caller must tell a
    damaged account from a wrong password.
    """
    stored = parse(encoded)
    candidate = _derive(password, stored.params, stored.salt)
    return hmac.compare_digest(candidate, stored.digest)


def needs_rehash(encoded: str, params: PasswordHashParams) -> bool:
    """Whether the stored hash was made with a cost other than ``params`` (or cannot be read)."""
    try:
        return parse(encoded).params != params
    except PasswordHashError:
        return True


def burn(password: str, params: PasswordHashParams | None = None) -> None:
    """Spend the time a verification would (for unknown users: no timing tells them apart)."""
    params = params or PasswordHashParams()
    _derive(password, params, bytes(params.salt_bytes))
