"""``citycard-counter cli …``: the counter's services from a terminal, without Qt.

Proof that the services stand alone, and a technician's tool. Every money-moving command signs
the operator in (password from ``CITYCARD_OPERATOR_PASSWORD`` or a prompt), works inside the
operator's open shift, and settles the card's interrupted top-ups before anything else.

``card --reader R`` prints what the window shows for the card on the reader (the same
:class:`~app.services.tap.TapService` report: balance or "unreadable", status, whether a top-up
is allowed and why not). ``init --center-url URL --enrolment-code CODE [--ca-file PEM]`` enrols
the device with its clearing center at first run (otherwise the counter works offline); the
terminal id is read from the SAM in the reader's SAM slot (``--sam-reader``), which holds the
purchase keys (no issuer key is on the PC); ``sync`` runs one sync round (upload, blacklist,
parameters) and prints where the sync stands.

Exit codes: 0 done, 1 refused (with the reason and what to do), 2 could not run (for ``sync``:
the center could not be reached).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.card.errors import CardError
from app.card.session import CityCard
from app.crypto.keystore import KeystoreError
from app.domain.money import Fen
from app.domain.people import Actor
from app.journal import JournalError
from app.paths import ENV_PASSPHRASE, data_dir
from app.services.errors import ServiceError
from app.services.operators import password_problem
from app.store.errors import StoreError

if TYPE_CHECKING:
    from app.card.sam import Sam
    from app.composition import Counter
    from app.sync.models import Enrolment
    from app.sync.status import SyncStatus

ENV_OPERATOR_PASSWORD = "CITYCARD_OPERATOR_PASSWORD"  # noqa: S105 - a variable's name
EXPECTED = (ServiceError, CardError, JournalError, StoreError, KeystoreError)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``cli init|shift-open|topup|recover|card|sync``."""
    cli = sub.add_parser("cli", help="counter services from the command line (no window)")
    cli.add_argument("--data-dir", type=Path, help="the counter's data directory")
    cli.add_argument(
        "--sam-reader",
        help="PC/SC reader of the SAM slot (default $CITYCARD_SAM_READER, else Virtual PCD 00 01)",
    )
    actions = cli.add_subparsers(dest="cli_command", required=True)
    init = actions.add_parser("init", help="first run: keys, journal, store, first admin")
    init.add_argument("--device-id", required=True)
    init.add_argument(
        "--terminal-id", help="12 hex digits; must be the SAM's (default: read from the SAM)"
    )
    init.add_argument("--admin", required=True, help="the first admin's user name")
    init.add_argument("--admin-name", default="Administrator")
    init.add_argument("--center-url", help="the clearing center to enrol with (else offline)")
    init.add_argument("--enrolment-code", help="the one-time code the center's administrator made")
    init.add_argument("--ca-file", type=Path, help="PEM CA file to trust for the center's TLS")
    shift = actions.add_parser("shift-open", help="open the operator's shift")
    shift.add_argument("--user", required=True)
    shift.add_argument("--float", dest="float_yuan", required=True, help="opening float, yuan")
    topup = actions.add_parser("topup", help="top up the card on the reader")
    topup.add_argument("--user", required=True)
    topup.add_argument("--reader", required=True, help="PC/SC reader name")
    topup.add_argument("--amount", required=True, help="yuan, e.g. 50 or 50.00")
    topup.add_argument("--payment", default="cash", help="cash, bank_card, wechat or alipay")
    recover = actions.add_parser("recover", help="settle the card's interrupted top-ups")
    recover.add_argument("--user", required=True)
    recover.add_argument("--reader", required=True)
    card = actions.add_parser(
        "card", help="read the card on the reader: balance, status, what the counter may do"
    )
    card.add_argument("--reader", required=True)
    actions.add_parser("sync", help="one sync round with the clearing center, then its status")
    renew = actions.add_parser("isam-renew", help="pass the center's renewal to the ISAM")
    renew.add_argument("renewal", help="the hex the center printed (citycard-center isam-renewal)")


def _secret(env: str, prompt: str) -> str:
    value = os.environ.get(env)
    return value if value is not None else getpass.getpass(prompt)


def run(args: argparse.Namespace) -> int:
    """Run the chosen ``cli`` command."""
    from app import composition  # noqa: PLC0415 - `version` and `journal` stay light
    from app.sync.config import CenterConfigError  # noqa: PLC0415 - requests, only when used
    from app.sync.errors import OfflineError, SyncError  # noqa: PLC0415

    expected = (*EXPECTED, SyncError, CenterConfigError)

    directory: Path = args.data_dir or data_dir()
    passphrase = _secret(ENV_PASSPHRASE, "Keystore passphrase: ")
    try:
        if args.cli_command == "init":
            done = set_up(args, directory, passphrase)
            return done if isinstance(done, int) else 0
        if args.cli_command == "isam-renew":  # the SAM alone: no counter files, no operator
            return _isam_renew(args)
        if args.cli_command == "sync":  # the sync needs no SAM
            return _sync(composition.open_counter(directory, passphrase, sam=_sam(args)))
        if args.cli_command == "card":
            return _card(
                composition.open_counter(directory, passphrase, sam=_sam(args)), args.reader
            )
        counter = composition.open_counter(directory, passphrase, sam=_sam(args))
        try:
            actor = counter.operators.sign_in(
                args.user, _secret(ENV_OPERATOR_PASSWORD, f"Password for {args.user}: ")
            )
            try:
                return _dispatch(args, counter, actor)
            finally:
                counter.operators.sign_out(actor)
        finally:
            counter.close()
    except expected as exc:
        advice = getattr(exc, "advice_text", None) or getattr(exc, "advice", "")
        print(f"{exc}\n{advice}".rstrip(), file=sys.stderr)
        refused = isinstance(exc, SyncError) and not isinstance(exc, OfflineError)
        return 1 if isinstance(exc, ServiceError) or refused else 2


def _isam_renew(args: argparse.Namespace) -> int:
    """Hand the center's MAC'd renewal to the ISAM; print its brakes afterwards."""
    from app import composition  # noqa: PLC0415
    from app.crypto.isam import parse_renewal  # noqa: PLC0415

    try:
        counter, when, mac = parse_renewal(args.renewal)
    except ValueError as exc:
        print(f"Not a renewal: {exc}. Copy the whole line the center printed.", file=sys.stderr)
        return 1
    sam = composition.connect_sam(args.sam_reader)
    sam.renew(counter, when, mac)
    status = sam.brake_status()
    if status is not None:
        total, each = Fen(status.total_cap_fen), Fen(status.per_load_cap_fen)
        print(
            f"ISAM renewed at {status.last_contact}: up to {status.count_cap} offline top-ups, "
            f"{total.yuan_text()} in all, {each.yuan_text()} each."
        )
    return 0


def _sam(args: argparse.Namespace) -> Sam | None:
    """The SAM on ``--sam-reader``; None for the default (the composition connects it)."""
    from app import composition  # noqa: PLC0415

    return None if args.sam_reader is None else composition.connect_sam(args.sam_reader)


def set_up(args: argparse.Namespace, directory: Path, passphrase: str) -> int | Enrolment | None:
    """``cli init``, also the first half of ``restore``.

    An exit status when it refused, else the enrolment (None offline); raises the expected
    errors for the caller to print. The terminal id is the SAM's (``--terminal-id`` only when
    the SAM comes later, and then it must be that terminal's).
    """
    from app import composition  # noqa: PLC0415 - `version` and `journal` stay light

    if (args.center_url is None) != (args.enrolment_code is None):
        print(
            "--center-url and --enrolment-code go together. Nothing was set up.",
            file=sys.stderr,
        )
        return 2
    # the admin's password is checked before any file exists: no half set-up counter
    password = _secret(ENV_OPERATOR_PASSWORD, f"Password for {args.admin}: ")
    problem = password_problem(password, args.admin)
    if problem is not None:
        print(
            f"The admin password was refused: {problem}. Nothing was set up.",
            file=sys.stderr,
        )
        return 1
    sam: Sam | None = None
    try:
        # the terminal id is the SAM's
        sam = composition.connect_sam(getattr(args, "sam_reader", None))
        terminal = sam.terminal_id.hex().upper()
    except CardError as exc:
        if args.terminal_id is None:
            raise
        terminal = args.terminal_id.upper()  # the SAM comes later: it must hold this id
        print(
            f"No SAM yet ({exc}); set up as terminal {terminal}: the SAM put in the "
            "reader's SAM slot must be that terminal's.",
            file=sys.stderr,
        )
    if args.terminal_id is not None and args.terminal_id.upper() != terminal:
        print(
            f"--terminal-id {args.terminal_id} is not the SAM's terminal {terminal}. "
            "Nothing was set up.",
            file=sys.stderr,
        )
        return 2
    try:
        enrolment = composition.init_counter(
            directory,
            passphrase,
            args.device_id,
            terminal,
            center_url=args.center_url,
            enrolment_code=args.enrolment_code,
            ca_file=args.ca_file,
        )
    except ValueError as exc:  # a center URL or CA file that cannot be used
        print(f"{exc}. Nothing was set up.", file=sys.stderr)
        return 2
    # no SAM yet: the composition looks on the same reader, and opens without one if still absent
    counter = composition.open_counter(
        directory, passphrase, sam=sam, sam_reader=getattr(args, "sam_reader", None)
    )
    try:
        counter.operators.create_first_admin(args.admin, args.admin_name, password)
    finally:
        counter.close()
    print(f"Counter {args.device_id} set up in {directory}; admin {args.admin}.")
    if enrolment is not None:
        print(
            f"Enrolled with the clearing center at {args.center_url} "
            f"(device key fingerprint {enrolment.fingerprint})."
        )
    return enrolment


def _sync(counter: Counter) -> int:
    """One sync round in this process; 0 all in step, 1 refused or a problem, 2 unreachable."""
    try:
        if counter.sync is None:
            print(
                "This counter has no clearing center: it was set up offline.\n"
                "Set it up again with --center-url and --enrolment-code to sync.",
                file=sys.stderr,
            )
            return 1
        status = counter.sync.run_once()
    finally:
        counter.close()
    print(_status_lines(status))
    if status.last_error is not None or status.alarm is not None:
        problem = status.alarm or status.last_error
        print(f"{problem}\n{status.advice or ''}".rstrip(), file=sys.stderr)
        return 1 if status.online else 2
    return 0


def _status_lines(status: SyncStatus) -> str:
    pending = ", ".join(
        f"{method} {p.count} × {Fen(p.amount_fen).yuan_text()}"
        for method, p in status.pending_by_method.items()
    )
    return "\n".join(
        [
            f"Clearing center: {status.connection.value}.",
            f"Journal: head seq {status.head_seq}, acknowledged seq {status.acknowledged_seq}, "
            f"{status.pending_count} records pending" + (f" ({pending})." if pending else "."),
            f"Blacklist version {status.blacklist_version}; parameters version "
            f"{status.parameters_version}.",
        ]
    )


def _dispatch(args: argparse.Namespace, counter: Counter, actor: Actor) -> int:
    if args.cli_command == "shift-open":
        shift = counter.shifts.open_shift(actor, Fen.parse_yuan(args.float_yuan).value)
        print(f"Shift {shift.id} open for {actor.username}.")
        return 0
    shift = counter.shifts.require_open_shift(actor)
    with _card_on(args.reader) as card:
        for settled in counter.recovery.resolve(card):
            print(settled.message)
        blocked = counter.loss.check_tapped_card(card, actor.username)
        if blocked is not None:
            state = "now blocked" if blocked.blocked else "refused (this SAM cannot block it)"
            print(f"Card {blocked.card_serial} is reported lost: {state}.")
            return 1
        if args.cli_command == "recover":
            return 0
        amount = Fen.parse_yuan(args.amount).value
        receipt = counter.topups.top_up(
            actor, shift.id, card, amount, args.payment, progress=_stage_printer()
        )
    print(
        f"Topped up {receipt.amount.yuan_text()} ({receipt.payment_method}) on card "
        f"{receipt.card_serial}: balance {Fen(receipt.balance_before_fen).yuan_text()} → "
        f"{Fen(receipt.balance_after_fen).yuan_text()}; TAC {receipt.tac.hex().upper()}; "
        f"journal seq {receipt.outcome_seq}; "
        + ("online (MAC2 from the clearing center)." if receipt.online else "offline (SAM).")
    )
    return 0


def _card(counter: Counter, reader: str) -> int:
    """What the window shows for the card on ``reader`` (the same :class:`TapService` report)."""
    from app.card.pcsc import PcscTransport  # noqa: PLC0415 - pyscard only when a card is used
    from app.services.tap import CounterAction, TapService  # noqa: PLC0415
    from app.store import blacklist  # noqa: PLC0415

    store = counter.store
    try:
        service = TapService(
            lambda: PcscTransport(reader),
            parameters=counter.topups.parameters,
            listed=lambda serial: blacklist.lookup(store, serial),
        )
        report = service.tap(None, steps=False)  # a look: nothing settled, nothing blocked
    finally:
        counter.close()
    balance = report.balance_fen
    print(
        f"Card {report.serial_text}: balance "
        + (Fen(balance).yuan_text() if balance is not None else "unreadable (the card refuses it)")
        + f"; status {report.status.value}."
    )
    refused = report.why_not(CounterAction.TOP_UP)
    if refused is None:
        print("Top-up: allowed.")
    else:
        print(f"Top-up: refused. {refused} {refused.advice_text}".rstrip())
    return 0


def _stage_printer() -> Callable[[str], None]:
    return lambda stage: print(f"  … {stage}", file=sys.stderr)


@contextmanager
def _card_on(reader: str) -> Iterator[CityCard]:
    from app.card.pcsc import PcscTransport  # noqa: PLC0415 - pyscard only when a card is used

    transport = PcscTransport(reader)
    try:
        yield CityCard.open(transport)
    finally:
        transport.close()
