"""The center's own secrets at rest, stored only wrapped under a key that never leaves its holder.

Its SM2 identity key and the devices' journal MAC keys are sealed with AES-256-GCM under a key in
the token or in the key service.

A wrapped value is ``CCW1 ‖ nonce(12) ‖ ciphertext ‖ tag(16)``; the associated data names what
it is (``device-key/DEV-1/k…``, ``center-identity/1``), so a wrapped key moved to another row
does not unwrap. Sessions find the wrapper in ``session.info`` (:func:`seal`, :func:`unseal`);
a center without one (development, tests) stores the raw bytes, and a center with one wraps any
raw rows it finds at start-up (:func:`wrap_plain_rows`).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearing.keys.interface import KeysUnavailableError
from clearing.models import CenterIdentityRow, DeviceKeyRow

PREFIX = b"CCW1"
NONCE = 12
TAG = 16
INFO_KEY = "secret_wrapper"
IDENTITY_CONTEXT = "center-identity/1"


class SecretWrapper(Protocol):
    """Wraps and unwraps the center's secrets with a key it never shows."""

    def wrap(self, secret: bytes, context: str) -> bytes:
        """``secret`` sealed for ``context``."""
        ...

    def unwrap(self, blob: bytes, context: str) -> bytes:
        """The secret of ``blob`` (``ValueError`` if it was not sealed for ``context``)."""
        ...

    def close(self) -> None:
        """Release the session or connection."""
        ...


def is_wrapped(blob: bytes) -> bool:
    """Whether ``blob`` is a wrapped value (and not a raw key)."""
    return blob.startswith(PREFIX) and len(blob) >= len(PREFIX) + NONCE + TAG


def device_key_context(device_id: str, key_id: str) -> str:
    """The associated data of one device journal key."""
    return f"device-key/{device_id}/{key_id}"


class SoftwareWrapper:
    """AES-GCM with a key in this process: the key service's side (and tests)."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "SoftwareWrapper()"

    def close(self) -> None:
        """Nothing to release."""

    def wrap(self, secret: bytes, context: str) -> bytes:
        """See :meth:`SecretWrapper.wrap`."""
        nonce = os.urandom(NONCE)
        return PREFIX + nonce + self._aead.encrypt(nonce, secret, context.encode())

    def unwrap(self, blob: bytes, context: str) -> bytes:
        """See :meth:`SecretWrapper.unwrap`."""
        if not is_wrapped(blob):
            raise ValueError("not a wrapped value")
        nonce, sealed = blob[len(PREFIX) : len(PREFIX) + NONCE], blob[len(PREFIX) + NONCE :]
        try:
            return self._aead.decrypt(nonce, sealed, context.encode())
        except InvalidTag:
            raise ValueError(f"the wrapped value does not open for {context}") from None


class TokenWrapper:
    """AES-256-GCM inside the PKCS#11 token, under the key labelled :data:`WRAP_LABEL`."""

    WRAP_LABEL = "center/wrap"

    def __init__(self, session: Any) -> None:
        import pkcs11  # noqa: PLC0415 - only a token-backed center needs it
        from pkcs11 import Attribute, KeyType, ObjectClass  # noqa: PLC0415

        self._session = session
        self._lock = threading.Lock()
        try:
            self._key = session.get_key(object_class=ObjectClass.SECRET_KEY, label=self.WRAP_LABEL)
        except pkcs11.NoSuchKey:  # the first start: made in the token, never readable
            self._key = session.generate_key(
                KeyType.AES,
                256,
                label=self.WRAP_LABEL,
                store=True,
                template={
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.PRIVATE: True,
                },
            )

    def __repr__(self) -> str:
        return f"TokenWrapper({self.WRAP_LABEL!r})"

    def close(self) -> None:
        """Close the wrapper's own token session."""
        with self._lock:
            self._session.close()

    def _gcm(self, nonce: bytes, context: str) -> Any:
        from pkcs11.mechanisms import GCMParams  # noqa: PLC0415

        return GCMParams(nonce, context.encode(), TAG * 8)

    def wrap(self, secret: bytes, context: str) -> bytes:
        """See :meth:`SecretWrapper.wrap`."""
        from pkcs11 import Mechanism  # noqa: PLC0415

        nonce = os.urandom(NONCE)
        with self._lock:
            sealed = self._key.encrypt(
                secret, mechanism=Mechanism.AES_GCM, mechanism_param=self._gcm(nonce, context)
            )
        return PREFIX + nonce + bytes(sealed)

    def unwrap(self, blob: bytes, context: str) -> bytes:
        """See :meth:`SecretWrapper.unwrap`."""
        import pkcs11  # noqa: PLC0415
        from pkcs11 import Mechanism  # noqa: PLC0415

        if not is_wrapped(blob):
            raise ValueError("not a wrapped value")
        nonce, sealed = blob[len(PREFIX) : len(PREFIX) + NONCE], blob[len(PREFIX) + NONCE :]
        with self._lock:
            try:
                return bytes(
                    self._key.decrypt(
                        sealed,
                        mechanism=Mechanism.AES_GCM,
                        mechanism_param=self._gcm(nonce, context),
                    )
                )
            except pkcs11.PKCS11Error:
                raise ValueError(f"the wrapped value does not open for {context}") from None


def seal(session: Session, secret: bytes, context: str) -> bytes:
    """What to store for ``secret``: wrapped when the center has a wrapper, raw otherwise."""
    wrapper: SecretWrapper | None = session.info.get(INFO_KEY)
    return secret if wrapper is None else wrapper.wrap(secret, context)


def unseal(session: Session, stored: bytes, context: str) -> bytes:
    """The secret of a stored value (raw values are read as they are)."""
    if not is_wrapped(stored):
        return stored
    wrapper: SecretWrapper | None = session.info.get(INFO_KEY)
    if wrapper is None:
        raise KeysUnavailableError(
            f"{context} is stored wrapped, and this center was started without its token "
            "or key service"
        )
    return wrapper.unwrap(stored, context)


def wrap_plain_rows(session: Session, wrapper: SecretWrapper) -> int:
    """Wrap every secret still stored raw (the caller commits); how many were wrapped."""
    count = 0
    for row in session.scalars(select(DeviceKeyRow)):
        if not is_wrapped(row.secret):
            row.secret = wrapper.wrap(row.secret, device_key_context(row.device_id, row.key_id))
            count += 1
    identity = session.get(CenterIdentityRow, 1)
    if identity is not None and not is_wrapped(identity.secret):
        identity.secret = wrapper.wrap(identity.secret, IDENTITY_CONTEXT)
        count += 1
    session.flush()
    return count
