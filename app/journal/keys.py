"""The journal's secrets: MAC keys by key id and the device's SM2 signing key, from the keystore.

Keystore names: ``journal/mac/<key id>`` (32 random bytes each), ``journal/current`` (the id of
the key new records use, as UTF-8) and ``device/sm2`` (the 32-byte SM2 secret). Rotating the MAC
key adds a key; old keys stay, because old records must still verify.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.crypto.keystore import Keystore, KeystoreError
from app.crypto.sm2 import Sm2PrivateKey
from app.crypto.sm3 import HmacSm3Key

MAC_KEY_PREFIX = "journal/mac/"
CURRENT_KEY_NAME = "journal/current"
DEVICE_KEY_NAME = "device/sm2"
MAC_KEY_SIZE = 32


def new_key_id(when: datetime | None = None) -> str:
    """A fresh key id: date and a random suffix (ids are public; keys are not)."""
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%d")
    return f"k{stamp}-{secrets.token_hex(3)}"


@dataclass
class JournalKeys:
    """MAC keys by id, the current key id and the device key. ``repr`` shows no secret."""

    mac_keys: dict[str, bytes] = field(repr=False)
    current_key_id: str
    device_key: Sm2PrivateKey

    def __post_init__(self) -> None:
        if self.current_key_id not in self.mac_keys:
            raise KeystoreError(
                "the journal key {key_id!r} is not in the keystore", key_id=self.current_key_id
            )
        self._prepared: dict[str, HmacSm3Key] = {}

    @classmethod
    def generate(cls) -> JournalKeys:
        """New keys for a new device."""
        key_id = new_key_id()
        return cls({key_id: secrets.token_bytes(MAC_KEY_SIZE)}, key_id, Sm2PrivateKey.generate())

    @classmethod
    def from_keystore(cls, keystore: Keystore) -> JournalKeys:
        """Load the journal keys from an open keystore."""
        names = keystore.names()
        if CURRENT_KEY_NAME not in names or DEVICE_KEY_NAME not in names:
            raise KeystoreError(
                "the keystore holds no journal keys: this device was never set up "
                "(run the first-run set-up) or the wrong keystore was opened"
            )
        mac_keys = {
            n.removeprefix(MAC_KEY_PREFIX): keystore.get(n)
            for n in names
            if n.startswith(MAC_KEY_PREFIX)
        }
        current = keystore.get(CURRENT_KEY_NAME).decode("utf-8")
        return cls(mac_keys, current, Sm2PrivateKey.from_secret(keystore.get(DEVICE_KEY_NAME)))

    def store_into(self, keystore: Keystore) -> None:
        """Put every key into ``keystore`` (the caller saves it)."""
        for key_id, key in self.mac_keys.items():
            keystore.put(MAC_KEY_PREFIX + key_id, key)
        keystore.put(CURRENT_KEY_NAME, self.current_key_id.encode("utf-8"))
        keystore.put(DEVICE_KEY_NAME, self.device_key.secret)

    def with_new_mac_key(self) -> JournalKeys:
        """These keys plus a fresh MAC key that becomes current."""
        key_id = new_key_id()
        while key_id in self.mac_keys:
            key_id = new_key_id()
        keys = dict(self.mac_keys)
        keys[key_id] = secrets.token_bytes(MAC_KEY_SIZE)
        return JournalKeys(keys, key_id, self.device_key)

    def mac_key(self, key_id: str) -> HmacSm3Key | None:
        """The prepared MAC key of ``key_id``, or None when this device does not hold it."""
        prepared = self._prepared.get(key_id)
        if prepared is None and key_id in self.mac_keys:
            prepared = self._prepared[key_id] = HmacSm3Key(self.mac_keys[key_id])
        return prepared

    @property
    def public_key(self) -> bytes:
        """The device's SM2 public key (x ‖ y, 64 bytes)."""
        return self.device_key.public_key
