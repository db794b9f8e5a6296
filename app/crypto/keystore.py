"""An encrypted file of named secret keys.

The file is JSON: the KDF parameters and salt, and the key table sealed with SM4-GCM under a key
derived from a passphrase with Argon2id (memory-hard). Writes are atomic (temp file, fsync,
rename). Keys are never logged: :class:`Keystore` has no ``repr`` that shows them.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.crypto.sm4 import sm4_gcm_decrypt, sm4_gcm_encrypt
from app.domain.texts import ClerkFacingError
from app.files import atomic_write

FORMAT = "citycard-keystore/1"


class KeystoreError(ClerkFacingError):
    """The keystore cannot be opened or written; the message says why and what to do."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The defaults suit a counter PC; tests may pass cheaper ones."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def within_limits(self) -> bool:
        """Whether the cost is sane (a damaged file must not make us allocate gigabytes)."""
        return (
            isinstance(self.memory_kib, int)
            and isinstance(self.iterations, int)
            and isinstance(self.lanes, int)
            and 8 <= self.memory_kib <= 1024 * 1024
            and 1 <= self.iterations <= 64
            and 1 <= self.lanes <= 64
        )

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        """Derive the 16-byte SM4 key that seals the key table."""
        kdf = Argon2id(
            salt=salt,
            length=16,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


class Keystore:
    """Named secret keys held in memory after :meth:`open`, sealed on disk."""

    def __init__(self, path: Path, keys: dict[str, bytes], kdf: KdfParams) -> None:
        self._path = path
        self._keys = dict(keys)
        self._kdf = kdf

    def __repr__(self) -> str:
        return f"Keystore({str(self._path)!r}, {len(self._keys)} keys)"

    @property
    def path(self) -> Path:
        """Where the sealed file lives."""
        return self._path

    @classmethod
    def create(
        cls, path: Path, passphrase: str, keys: dict[str, bytes], kdf: KdfParams | None = None
    ) -> Keystore:
        """Seal ``keys`` into a new file; refuses to overwrite an existing keystore."""
        if path.exists():
            raise KeystoreError(
                "a keystore already exists at {path}; it was left untouched", path=str(path)
            )
        store = cls(path, keys, kdf or KdfParams())
        store.save(passphrase)
        return store

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Keystore:
        """Unseal a keystore file; a wrong passphrase or a damaged file raises KeystoreError."""
        try:
            doc = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise KeystoreError(
                "no keystore at {path}; run the set-up first", path=str(path)
            ) from None
        except (OSError, ValueError) as exc:
            raise KeystoreError(
                "the keystore at {path} is not readable: {reason}", path=str(path), reason=str(exc)
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise KeystoreError("{path} is not a keystore this version understands", path=str(path))
        try:
            kdf = KdfParams(**doc["kdf"])
            if not kdf.within_limits():
                raise KeystoreError(
                    "the keystore at {path} asks for an absurd KDF cost; damaged?", path=str(path)
                )
            salt, nonce = _unb64(doc["salt"]), _unb64(doc["nonce"])
            sealed = _unb64(doc["sealed"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise KeystoreError("the keystore at {path} is damaged", path=str(path)) from None
        try:
            key = kdf.derive(passphrase, salt)
            table = json.loads(sm4_gcm_decrypt(key, nonce, sealed, FORMAT.encode()))
        except InvalidTag:
            raise KeystoreError(
                "wrong keystore passphrase, or the keystore file was altered"
            ) from None
        except (TypeError, ValueError):
            # Out-of-range KDF costs, a nonce or sealed blob of impossible length.
            raise KeystoreError("the keystore at {path} is damaged", path=str(path)) from None
        return cls(path, {name: bytes.fromhex(v) for name, v in table.items()}, kdf)

    def save(self, passphrase: str) -> None:
        """Seal the keys under ``passphrase`` (fresh salt and nonce); write atomically."""
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        key = self._kdf.derive(passphrase, salt)
        table = json.dumps({n: v.hex() for n, v in sorted(self._keys.items())}).encode()
        doc = {
            "format": FORMAT,
            "kdf": {
                "memory_kib": self._kdf.memory_kib,
                "iterations": self._kdf.iterations,
                "lanes": self._kdf.lanes,
            },
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "sealed": _b64(sm4_gcm_encrypt(key, nonce, table, FORMAT.encode())),
        }
        atomic_write(self._path, json.dumps(doc, indent=1).encode())

    def names(self) -> list[str]:
        """The names of the keys held, sorted."""
        return sorted(self._keys)

    def get(self, name: str) -> bytes:
        """Return the key called ``name``; a missing key raises KeystoreError."""
        try:
            return self._keys[name]
        except KeyError:
            raise KeystoreError("the keystore holds no key named {name!r}", name=name) from None

    def put(self, name: str, key: bytes) -> None:
        """Add or replace a key in memory; call :meth:`save` to persist it."""
        self._keys[name] = bytes(key)

    def remove(self, name: str) -> None:
        """Forget a key in memory (no error when absent); call :meth:`save` to persist that."""
        self._keys.pop(name, None)
