"""``citycard-counter keystore list``: the names of the keys a counter's keystore holds.

Names only, never a value: a technician checks that the keystore holds the device's own keys
(SM2 device key, journal MAC key, holder-index key) and no issuer key. Exit codes: 0 listed,
2 the keystore could not be opened (with what to do).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from app.crypto.keystore import Keystore, KeystoreError
from app.paths import ENV_PASSPHRASE, keystore_path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``keystore list``."""
    keystore = sub.add_parser("keystore", help="list the names of the keystore's keys")
    actions = keystore.add_subparsers(dest="keystore_command", required=True)
    listing = actions.add_parser("list", help="print the key names, one a line (never values)")
    listing.add_argument("--keystore", type=Path, help="keystore file (default: the data dir's)")


def run(args: argparse.Namespace) -> int:
    """Run ``keystore list``."""
    path: Path = args.keystore or keystore_path()
    passphrase = os.environ.get(ENV_PASSPHRASE)
    if passphrase is None:
        passphrase = getpass.getpass(f"Passphrase of the keystore {path}: ")
    try:
        names = Keystore.open(path, passphrase).names()
    except KeystoreError as exc:
        print(f"{exc}\n{getattr(exc, 'advice', '')}".rstrip(), file=sys.stderr)
        return 2
    for name in names:
        print(name)
    return 0
