"""``citycard-counter restore``: a new counter PC taking over from one whose disk died.

    citycard-counter restore --data-dir DIR --device-id NEW --admin NAME [--sam-reader R]
        --center-url URL --enrolment-code CODE [--mirror FILE]

The enrolment code must have been made to replace the old device (``citycard-center
enrolment-code --device NEW --replaces OLD``). The new counter is set up as ``cli init`` does
(its own keys and id); then the old device's records the center lacks are uploaded from the old
counter's mirror on its behalf, the center checks them against the old device's chain and keys,
and retires it. Without ``--mirror`` the old device is retired at once and the command says
exactly which records are lost (the center raises an alarm). Blacklist and parameters come from
the center at the first sync. Exit: 0 done, 1 refused, 2 could not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.paths import ENV_PASSPHRASE, data_dir


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``restore``."""
    restore = sub.add_parser(
        "restore", help="set up a replacement counter and take over the old one's journal"
    )
    restore.add_argument("--data-dir", type=Path, help="the new counter's data directory")
    restore.add_argument("--device-id", required=True, help="the NEW device id")
    restore.add_argument(
        "--sam-reader",
        help="PC/SC reader of the SAM slot (default $CITYCARD_SAM_READER, else Virtual PCD 00 01)",
    )
    restore.add_argument(
        "--terminal-id", help="12 hex digits: only when the SAM is not in the reader yet"
    )
    restore.add_argument("--admin", required=True, help="the first admin's user name")
    restore.add_argument("--admin-name", default="Administrator")
    restore.add_argument("--center-url", required=True)
    restore.add_argument("--enrolment-code", required=True, help="made with --replaces OLD")
    restore.add_argument("--ca-file", type=Path, help="PEM CA file to trust for the center")
    restore.add_argument("--mirror", type=Path, help="the old counter's journal mirror file")


def run(args: argparse.Namespace) -> int:
    """Set up, take over, report."""
    from app import composition  # noqa: PLC0415 - requests and the services only when used
    from app.commands.counter import EXPECTED, _secret, set_up  # noqa: PLC0415
    from app.sync.config import CenterConfigError  # noqa: PLC0415
    from app.sync.errors import OfflineError, SyncError  # noqa: PLC0415
    from app.sync.takeover import take_over  # noqa: PLC0415

    directory: Path = args.data_dir or data_dir()
    if args.mirror is not None and not args.mirror.is_file():
        print(f"There is no mirror file at {args.mirror}. Nothing was set up.", file=sys.stderr)
        return 2
    passphrase = _secret(ENV_PASSPHRASE, "Keystore passphrase: ")
    try:
        enrolment = set_up(args, directory, passphrase)
        if isinstance(enrolment, int):
            return enrolment
        if enrolment is None or enrolment.replaces is None:
            print(
                "The enrolment code was not made to replace another device: this counter is "
                "set up as a new one and nothing was taken over. Ask the center's administrator "
                "for a code made with --replaces OLD-DEVICE if an old counter's records are "
                "missing.",
                file=sys.stderr,
            )
            return 1
        # the take-over needs no SAM: one not in its slot yet (--terminal-id) is no failure
        counter = composition.open_counter(directory, passphrase, sam_reader=args.sam_reader)
        try:
            assert counter.center is not None  # enrolled just now
            done = take_over(counter.center, enrolment.replaces, args.mirror)
        finally:
            counter.close()
    except (*EXPECTED, SyncError, CenterConfigError) as exc:
        advice = getattr(exc, "advice_text", None) or getattr(exc, "advice", "")
        print(f"{exc}\n{advice}".rstrip(), file=sys.stderr)
        refused = isinstance(exc, SyncError) and not isinstance(exc, OfflineError)
        return 1 if refused else 2
    print(
        f"Took over from device {done.old_device}: the center held its journal up to seq "
        f"{done.center_had}; {done.uploaded} records uploaded from the mirror; device "
        f"{done.old_device} is retired (the center holds it up to seq {done.retired.head_seq})."
    )
    if done.lost is not None:
        print(
            f"No mirror: {done.lost} is lost. The clearing center raised an alarm; tell the "
            "issuer's support, and check the cards served on that counter since its last sync.",
            file=sys.stderr,
        )
        return 1
    return 0
