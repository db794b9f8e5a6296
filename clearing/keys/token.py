"""Issuer master keys in a PKCS#11 token (SoftHSM2 in the demo and tests, any HSM in production).

Master keys are DES2 secret keys (16 bytes) labelled ``mk/des/<ver>/<kind>`` (as the keystore
names them), *sensitive* and not *extractable*, usable only to *derive*. Everything runs inside
the token, and only handles of session objects come back, destroyed after each use:

- card key = ``DES3_ECB_ENCRYPT_DATA(MK, X ‖ NOT X)`` — exactly :func:`app.crypto.pboc.diversify`;
- session key ``SESLK = 3DES_DLK(random ‖ ATC ‖ 8000)``, derived as the DES2 key ``S ‖ S`` from
  the data ``d ‖ d`` (two equal halves: 3DES with it is single DES under ``S``, and single-DES
  mechanisms are not offered by every token);
- MAC1 and MAC2: ISO 9797-1 algorithm 1 over ``80``-padded data, the last block of a
  ``DES3_CBC`` encryption with a zero IV, first 4 bytes.

What PKCS#11 cannot express is passed to ``fallback`` (the key service): SM4 key sets (no SM4
mechanism in PKCS#11 2.40), and the DES TACs (load and purchase), whose key is the XOR of the two
halves of the card's DTK (PKCS#11 derives by encryption, concatenation, or XOR with *known*
data — not with another secret).
"""

from __future__ import annotations

import ctypes
import hmac
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11.constants import DEFAULT

from app.card.errors import CardMacError
from app.card.files import encode_bcd_datetime
from app.card.issuer_keys import master_key_name
from app.card.sam import LoadAuthorization, PurchaseAuthorization, SamKeyError
from app.crypto.pboc import MAC_SIZE, pad_80
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardKeyKind, TransactionType
from clearing.keys.interface import IssuerKeys, KeysUnavailableError
from clearing.keys.secrets_file import read_secret_file

_BLOCK = 8
_DERIVED = {  # session objects: gone with the session, never readable
    Attribute.VALUE_LEN: DEFAULT,  # DES2 keys have a fixed length
    Attribute.TOKEN: False,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
}
_DERIVED_CAPS = MechanismFlag.DERIVE | MechanismFlag.ENCRYPT


KeyHandle = Any  # a python-pkcs11 SecretKey: a handle of an object inside the token


class TokenError(KeysUnavailableError):
    """The token cannot be opened or used as configured."""


@dataclass(frozen=True)
class TokenSettings:
    """Where the token is: the PKCS#11 module, the token's label, and the file of its user PIN."""

    module: Path
    token_label: str
    pin_file: Path


def _derivation_param(data: bytes) -> tuple[Any, bytes]:
    """``CK_KEY_DERIVATION_STRING_DATA`` for ``data`` (keep the buffer alive during the call)."""
    buffer = ctypes.create_string_buffer(data, len(data))
    return buffer, struct.pack("PL", ctypes.addressof(buffer), len(data))


def derive_des2(key: KeyHandle, data: bytes) -> KeyHandle:
    """The DES2 key whose value is ``3DES_key(data)`` (16 bytes of data), as a session object."""
    if len(data) != 2 * _BLOCK:
        raise ValueError("a DES2 key is derived from 16 bytes of data")
    buffer, param = _derivation_param(data)
    try:
        return key.derive_key(
            KeyType.DES2,
            128,
            mechanism=Mechanism.DES3_ECB_ENCRYPT_DATA,
            mechanism_param=param,
            template=_DERIVED,
            capabilities=_DERIVED_CAPS,
        )
    finally:
        del buffer


def des_mac(key: KeyHandle, data: bytes) -> bytes:
    """The 4-byte ISO 9797-1 algorithm 1 MAC of ``data`` (``80``-padded) under ``key``."""
    chained = key.encrypt(pad_80(data), mechanism=Mechanism.DES3_CBC, mechanism_param=bytes(8))
    return bytes(chained[-_BLOCK:][:MAC_SIZE])


def card_key(master: KeyHandle, serial: bytes) -> KeyHandle:
    """The card's diversified key (:func:`app.crypto.pboc.diversify`), inside the token."""
    if len(serial) < _BLOCK:
        raise ValueError(
            f"a card serial for diversification has at least 8 bytes, not {len(serial)}"
        )
    x = serial[-_BLOCK:]
    return derive_des2(master, x + bytes(b ^ 0xFF for b in x))


def load_session_key(dlk: KeyHandle, random: bytes, online_atc: int) -> KeyHandle:
    """SESLK of :func:`app.crypto.pboc.load_session_key`, as the DES2 key ``S ‖ S``."""
    if len(random) != 4:
        raise ValueError("the card random of a load is 4 bytes")
    d = random + online_atc.to_bytes(2, "big") + b"\x80\x00"
    return derive_des2(dlk, d + d)


def open_session(settings: TokenSettings) -> pkcs11.Session:
    """A logged-in read-write session on the token (PIN from its private file)."""
    try:
        lib = pkcs11.lib(str(settings.module))
        token = lib.get_token(token_label=settings.token_label)
    except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
        raise TokenError(
            f"no token {settings.token_label!r} through {settings.module}: {exc!r}"
        ) from exc
    pin = read_secret_file(settings.pin_file)
    try:
        return token.open(user_pin=pin, rw=True)
    except pkcs11.UserAlreadyLoggedIn:  # PKCS#11 logs in per process: share that login
        return token.open(rw=True)
    except pkcs11.PKCS11Error as exc:
        raise TokenError(f"cannot log in to token {settings.token_label!r}: {exc!r}") from exc


@contextmanager
def _token_failures() -> Iterator[None]:
    """A PKCS#11 failure (token removed, session lost) as :class:`TokenError`."""
    try:
        yield
    except pkcs11.PKCS11Error as exc:
        raise TokenError(f"the token failed: {exc!r}") from exc


class TokenIssuerKeys:
    """:class:`IssuerKeys` over a PKCS#11 token; ``fallback`` does what the token cannot."""

    def __init__(self, session: pkcs11.Session, fallback: IssuerKeys | None = None) -> None:
        self._session = session
        self._fallback = fallback
        self._lock = threading.Lock()  # a PKCS#11 session serves one operation at a time
        self._masters: dict[str, KeyHandle] = {}

    def __repr__(self) -> str:
        return f"TokenIssuerKeys(fallback={self._fallback!r})"

    @classmethod
    def open(cls, settings: TokenSettings, fallback: IssuerKeys | None = None) -> TokenIssuerKeys:
        """Log in to the token of ``settings``."""
        return cls(open_session(settings), fallback)

    def _master(self, algorithm: PurseAlgorithm, version: int, kind: CardKeyKind) -> Any:
        label = master_key_name(algorithm, version, kind)
        if label not in self._masters:
            try:
                self._masters[label] = self._session.get_key(
                    object_class=ObjectClass.SECRET_KEY, label=label
                )
            except pkcs11.NoSuchKey:
                raise SamKeyError(
                    "no {algorithm} keys of version {version} in the token",
                    algorithm=algorithm.name,
                    version=f"{version:02X}",
                ) from None
        return self._masters[label]

    def _other(self, what: str) -> IssuerKeys:
        if self._fallback is None:
            raise SamKeyError(
                "the token cannot compute {what}, and no key service is configured", what=what
            )
        return self._fallback

    def authorize_load(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`IssuerKeys.authorize_load` (DES in the token; SM4 by the key service)."""
        if auth.keys.algorithm is not PurseAlgorithm.DES:
            return self._other("SM4 MACs").authorize_load(auth)
        amount = auth.amount_fen.to_bytes(4, "big")
        kind = bytes((TransactionType.EP_LOAD,))
        day, time = encode_bcd_datetime(auth.when)
        with self._lock, _token_failures():
            master = self._master(auth.keys.algorithm, auth.keys.key_version, CardKeyKind.DLK)
            dlk = card_key(master, auth.serial)
            try:
                session_key = load_session_key(dlk, auth.random, auth.online_atc)
                try:
                    expected = des_mac(
                        session_key,
                        auth.balance_fen.to_bytes(4, "big") + amount + kind + auth.terminal_id,
                    )
                    if not hmac.compare_digest(expected, auth.mac1):
                        raise CardMacError(
                            "the card's MAC1 does not verify: not a genuine card, or wrong keys"
                        )
                    return des_mac(session_key, amount + kind + auth.terminal_id + day + time)
                finally:
                    session_key.destroy()
            finally:
                dlk.destroy()

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`IssuerKeys.load_tac`: by the key service (see the module docstring)."""
        return self._other("load TACs").load_tac(auth)

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """See :meth:`IssuerKeys.purchase_tac`: by the key service, like the load TAC."""
        return self._other("purchase TACs").purchase_tac(auth)

    def close(self) -> None:
        """Log out and close the session (and the fallback)."""
        with self._lock:
            self._masters.clear()
            self._session.close()
        if self._fallback is not None:
            self._fallback.close()
