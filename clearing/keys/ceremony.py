"""The key ceremony: issuer master keys into the token, generated there or imported by components.

``citycard-center keys generate`` makes the DES master keys of one key version inside the token;
``keys import`` builds each key from ``--components`` parts that as many custodians type in turn
(dual control: no one person sees a key), checked by their key check values (KCV: the first
3 bytes of 3DES over a zero block). Master keys are sensitive, not extractable and usable only
to derive card keys, so no command exports them: a second token (backup, disaster site) gets them
by the same component ceremony. ``keys list`` shows what the token holds.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

import pkcs11
from pkcs11 import Attribute, KeyType, ObjectClass

from app.card.issuer_keys import master_key_name
from app.crypto.des import des_encrypt_ecb
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardKeyKind
from clearing.keys.token import TokenError, TokenSettings, open_session

MASTER_TEMPLATE = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.DERIVE: True,
    Attribute.ENCRYPT: False,
    Attribute.DECRYPT: False,
    Attribute.SIGN: False,
    Attribute.VERIFY: False,
    Attribute.WRAP: False,
    Attribute.UNWRAP: False,
}
KEY_SIZE = 16


class CeremonyError(ValueError):
    """A ceremony step refused (a label already used, a bad component)."""


def kcv(key: bytes) -> str:
    """Key check value: 3DES of a zero block under ``key``, first 3 bytes in hex."""
    return des_encrypt_ecb(key, bytes(8))[:3].hex().upper()


def _exists(session: pkcs11.Session, label: str) -> bool:
    return any(True for _ in session.get_objects({Attribute.LABEL: label}))


def import_master_key(session: pkcs11.Session, label: str, value: bytes) -> None:
    """Create the master key ``label`` with ``value`` in the token (refused if it exists)."""
    if len(value) != KEY_SIZE:
        raise CeremonyError(f"a DES master key is {KEY_SIZE} bytes, not {len(value)}")
    if _exists(session, label):
        raise CeremonyError(f"the token already holds {label}")
    session.create_object(
        {
            Attribute.CLASS: ObjectClass.SECRET_KEY,
            Attribute.KEY_TYPE: KeyType.DES2,
            Attribute.LABEL: label,
            Attribute.VALUE: value,
            **MASTER_TEMPLATE,
        }
    )


def generate_master_key(session: pkcs11.Session, label: str) -> None:
    """Generate the master key ``label`` inside the token (refused if it exists)."""
    if _exists(session, label):
        raise CeremonyError(f"the token already holds {label}")
    session.generate_key(
        KeyType.DES2,
        128,
        label=label,
        store=True,
        template={Attribute.VALUE_LEN: pkcs11.constants.DEFAULT, **MASTER_TEMPLATE},
    )


def master_labels(session: pkcs11.Session) -> list[str]:
    """Labels of the master keys in the token (``mk/…``), sorted."""
    labels = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY}):
        label = str(obj[Attribute.LABEL])
        if label.startswith("mk/"):
            labels.append(label)
    return sorted(labels)


def combine(components: list[str]) -> bytes:
    """XOR of the hex components (each 16 bytes)."""
    if len(components) < 2:
        raise CeremonyError("dual control: at least 2 components")
    key = bytes(KEY_SIZE)
    for number, text in enumerate(components, start=1):
        try:
            part = bytes.fromhex("".join(text.split()))
        except ValueError:
            raise CeremonyError(f"component {number} is not hex") from None
        if len(part) != KEY_SIZE:
            raise CeremonyError(f"component {number} is {len(part)} bytes, not {KEY_SIZE}")
        key = bytes(a ^ b for a, b in zip(key, part, strict=True))
    return key


def _reader() -> Callable[[str], str]:
    if sys.stdin.isatty():
        return getpass.getpass
    return lambda prompt: (print(prompt, file=sys.stderr), sys.stdin.readline().strip())[1]


def run(args: argparse.Namespace) -> int:
    """``citycard-center keys list|generate|import`` (exit 0 done, 1 refused)."""
    settings = TokenSettings(args.pkcs11_module, args.token_label, args.pin_file)
    session = open_session(settings)
    try:
        if args.action == "list":
            for label in master_labels(session):
                print(label)
            return 0
        algorithm = PurseAlgorithm[args.algorithm.upper()]
        labels = [master_key_name(algorithm, args.key_version, kind) for kind in CardKeyKind]
        taken = [label for label in labels if _exists(session, label)]
        if taken:
            print(f"citycard-center: the token already holds {', '.join(taken)}", file=sys.stderr)
            return 1
        if args.action == "generate":
            for label in labels:
                generate_master_key(session, label)
                print(f"generated {label} in the token")
            return 0
        read = _reader()
        for label in labels:
            parts = []
            for number in range(1, args.components + 1):
                part = read(f"{label}: custodian {number}, type your component (32 hex digits): ")
                parts.append(part)
                print(f"  component {number} KCV {kcv(combine([part, '00' * KEY_SIZE]))}")
            key = combine(parts)
            import_master_key(session, label, key)
            print(f"imported {label}, KCV {kcv(key)}")
        return 0
    except (CeremonyError, TokenError) as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 1
    finally:
        session.close()
