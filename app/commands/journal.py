"""``citycard-counter journal verify|export``: the supervisor's and the auditor's tools.

Exit codes: 0 all good, 1 the journal or archive has problems (the first is named), 2 the
command could not run (no file, wrong keystore, …) — with what to do.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from app.crypto.keystore import Keystore, KeystoreError
from app.journal import Journal, JournalError, JournalKeys
from app.journal.archive import export_archive, verify_archive
from app.paths import ENV_PASSPHRASE, journal_path, keystore_path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``journal verify`` and ``journal export``."""
    journal = sub.add_parser("journal", help="verify or export the journal")
    actions = journal.add_subparsers(dest="journal_command", required=True)
    verify = actions.add_parser("verify", help="re-check the whole journal, or an archive")
    verify.add_argument("--db", type=Path, help="journal database (default: the data directory's)")
    verify.add_argument("--keystore", type=Path, help="keystore holding the journal keys")
    verify.add_argument("--archive", type=Path, help="check an exported archive instead")
    export = actions.add_parser("export", help="write an auditor's archive")
    export.add_argument("--out", type=Path, required=True, help="new, empty directory")
    export.add_argument("--db", type=Path, help="journal database (default: the data directory's)")
    export.add_argument("--keystore", type=Path, help="keystore holding the journal keys")


def run(args: argparse.Namespace) -> int:
    """Run the chosen journal command."""
    try:
        if args.journal_command == "verify" and args.archive is not None:
            report = verify_archive(args.archive)
            print(report.summary())
            return 0 if report.ok else 1
        keys = _keys(args.keystore or keystore_path())
        with Journal.open(args.db or journal_path(), keys, verify=False) as journal:
            if args.journal_command == "verify":
                report = journal.verify(full=True)
                print(report.summary())
                return 0 if report.ok else 1
            summary = export_archive(journal, args.out)
            print(
                f"Exported {summary.records} records (up to seq {summary.last_seq}) and "
                f"{summary.checkpoints} checkpoints to {summary.directory}.\n"
                f"Device key fingerprint: {summary.fingerprint}"
            )
            if journal.problem is not None:
                print(f"WARNING: the journal has problems: {journal.problem}", file=sys.stderr)
                return 1
            return 0
    except (JournalError, KeystoreError) as exc:
        advice = getattr(exc, "advice", "")
        print(f"{exc}\n{advice}".rstrip(), file=sys.stderr)
        return 2


def _keys(path: Path) -> JournalKeys:
    passphrase = os.environ.get(ENV_PASSPHRASE)
    if passphrase is None:
        passphrase = getpass.getpass(f"Passphrase of the keystore {path}: ")
    return JournalKeys.from_keystore(Keystore.open(path, passphrase))
