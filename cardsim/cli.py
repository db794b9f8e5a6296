"""``citycard-sim``: create demo cards, plug a card into pcscd, inspect it, talk to it.

Exit codes: 0 done, 1 failed (the message says why), 2 bad command line.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from app.crypto.keystore import KeystoreError
from app.domain.card import CardFamily
from app.domain.money import Fen
from cardsim.card import VirtualCityCard
from cardsim.demo import DemoError, create_demo
from cardsim.faults import ApduCard, FaultSpecError, FaultyCard, parse_fault
from cardsim.profile import (
    SFI_LOADS,
    SFI_OTHER_CITY,
    SFI_PURCHASES,
    CardProfile,
    HolderFields,
    ProfileError,
    PublicFields,
    TransactionRecord,
)
from cardsim.psam import VirtualPsam
from cardsim.sam_profile import SamProfile, SamProfileError, is_sam_profile
from cardsim.vpcd import DEFAULT_HOST, VpcdBridge, VpcdError, vpcd_port

PASSPHRASE_ENV = "CITYCARD_KEYSTORE_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
RUNTIME_ENV = "CITYCARD_SIM_RUNTIME_DIR"


class CliError(Exception):
    """A failure to report in one line, without a traceback."""


def runtime_dir() -> Path:
    """Where pid files live.

    $CITYCARD_SIM_RUNTIME_DIR, else $XDG_RUNTIME_DIR/citycard-sim, else /tmp/citycard-sim-<uid>.
    """
    override = os.environ.get(RUNTIME_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return Path(xdg) / "citycard-sim"
    return Path("/tmp") / f"citycard-sim-{os.getuid()}"  # noqa: S108 - per-user, mode 0700


def pid_file(slot: int) -> Path:
    """The pid file of the ``insert`` process serving vpcd slot ``slot``."""
    return runtime_dir() / f"slot-{slot}.pid"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- commands


def _cmd_create_demo(args: argparse.Namespace, out: TextIO) -> int:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise CliError(f"set {PASSPHRASE_ENV} to the passphrase that will protect the SAM keystore")
    directory: Path = args.dir
    keystore = args.keystore
    try:
        directory.mkdir(parents=True, exist_ok=True)
        issuer = create_demo(directory, passphrase, keystore)
    except (DemoError, KeystoreError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write the demo into {directory}: {exc.strerror}") from None
    print(f"SAM keystore: {issuer.keystore_path}", file=out)
    for key_set in issuer.key_sets:
        print(
            f"  master keys {key_set.algorithm.name} key version {key_set.key_version}",
            file=out,
        )
    print(f"Card list (no secrets): {issuer.manifest_path}", file=out)
    if issuer.sam_path is not None:
        print(
            f"SAM (PSAM + ISAM, serve it with --slot 1): {issuer.sam_path}",
            file=out,
        )
    print("Cards:", file=out)
    for card in issuer.cards:
        flag = "  [blacklist it]" if card.blacklisted else ""
        print(
            f"  {card.path}  {card.family.value} {card.serial.hex().upper()} "
            f"{Fen(card.balance_fen).yuan_text()} {card.algorithm.name} — {card.description}{flag}",
            file=out,
        )
    return 0


def _show_sam(path: Path, out: TextIO) -> int:
    try:
        sam = SamProfile.load(path)
    except SamProfileError as exc:
        raise CliError(str(exc)) from None
    print(f"SAM profile: {path}", file=out)
    print(f"SAM serial:  {sam.sam_serial.hex().upper()}", file=out)
    print(f"Terminal ID: {sam.terminal_id.hex().upper()}", file=out)
    print(f"Counter:     terminal transaction seq {sam.transaction_counter}", file=out)
    for key_set in sam.key_sets:
        kinds = ", ".join(sorted(k.value.upper() for k in key_set.keys))
        print(
            f"Keys:        {key_set.algorithm.name} version {key_set.key_version:02X} "
            f"({key_set.scope}): {kinds}",
            file=out,
        )
    if sam.isam is None:
        print("ISAM:        no (offline top-ups need the clearing center)", file=out)
    else:
        i = sam.isam
        print(
            f"ISAM:        load seq {i.load_counter}; since the last center contact "
            f"({i.last_contact or 'never'}) {i.used_count} loads, {Fen(i.used_fen).yuan_text()}",
            file=out,
        )
    return 0


def _cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    if is_sam_profile(args.profile):
        return _show_sam(args.profile, out)
    profile = _load(args.profile)
    family = "City Union" if profile.family is CardFamily.CITY_UNION else "T-Union"
    public = PublicFields.parse(profile.family, profile.public_file)
    print(f"Profile:     {args.profile}", file=out)
    print(
        f"Family:      {profile.family.value} ({family}), AID {profile.aid.hex().upper()}", file=out
    )
    print(f"Serial:      {profile.serial.hex().upper()}", file=out)
    if profile.family is CardFamily.CITY_UNION:
        print(f"City code:   {public.city_code}", file=out)
    else:
        print(f"Issuer ID:   {public.issuer_code.hex().upper()}", file=out)
    print(
        f"Card type:   {public.card_type:02X}   valid {public.start_date or '-'} to "
        f"{public.expiry_date or '-'}",
        file=out,
    )
    if profile.holder_file is not None:
        try:
            holder = HolderFields.parse(profile.holder_file)
            if holder.name or holder.id_number:
                print(f"Holder:      {holder.name}  ID {holder.id_number}", file=out)
            else:
                print("Holder:      (anonymous)", file=out)
        except ProfileError:
            print(f"Holder:      raw {profile.holder_file.hex().upper()}", file=out)
    print(
        f"Balance:     {Fen(profile.balance_fen).yuan_text()} "
        f"(at most {Fen(profile.max_balance_fen).yuan_text()})",
        file=out,
    )
    print(f"ATC:         online {profile.online_atc}, offline {profile.offline_atc}", file=out)
    print(
        f"Keys:        {profile.algorithm.name} (algId {int(profile.algorithm):02X}), "
        f"key version {profile.key_version:02X}, key index {profile.key_index:02X}",
        file=out,
    )
    state = "permanently locked" if profile.locked else "yes" if profile.blocked else "no"
    print(f"Blocked:     {state}", file=out)
    for title, sfi in (
        ("Loads (0x1A)", SFI_LOADS),
        ("Purchases (0x18)", SFI_PURCHASES),
        ("Other-city purchases (0x10)", SFI_OTHER_CITY),
    ):
        records = profile.records.get(sfi, [])
        print(f"{title}: {len(records) or 'none'}", file=out)
        for number, raw in enumerate(records, start=1):
            r = TransactionRecord.parse(raw)
            print(
                f"  {number:2d}. ATC {r.atc:5d}  type {r.transaction_type:02X}  "
                f"{Fen(r.amount_fen).yuan_text():>12}  terminal {r.terminal_id.hex().upper()}  "
                f"{r.date.hex()} {r.time.hex()}",
                file=out,
            )
    return 0


def parse_apdu_line(line: str) -> bytes | None:
    """One line of an APDU script: hex with optional spaces; blank or ``#`` comment → None."""
    text = line.split("#", 1)[0].strip().replace(" ", "").replace("\t", "")
    if not text:
        return None
    try:
        apdu = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"not hex: {line.strip()!r}") from None
    if len(apdu) < 4:
        raise ValueError(f"an APDU has at least 4 bytes: {line.strip()!r}")
    return apdu


def _cmd_apdu(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    path: Path = args.profile
    _load(path)
    card = VirtualCityCard.from_file(path)
    for number, line in enumerate(stdin, start=1):
        try:
            apdu = parse_apdu_line(line)
        except ValueError as exc:
            raise CliError(f"line {number}: {exc}") from None
        if apdu is None:
            continue
        print(card.process(apdu).hex().upper(), file=out, flush=True)
    return 0


def _chip(path: Path) -> ApduCard:
    """The chip a profile file describes: a SAM (PSAM/ISAM) or a city card."""
    if is_sam_profile(path):
        try:
            return VirtualPsam.from_file(path)
        except SamProfileError as exc:
            raise CliError(str(exc)) from None
    _load(path)
    return VirtualCityCard.from_file(path)


def _cmd_insert(args: argparse.Namespace, out: TextIO) -> int:
    path: Path = args.profile
    chip = _chip(path)
    try:
        faults = [parse_fault(spec) for spec in args.fault]
    except FaultSpecError as exc:
        raise CliError(f"--fault: {exc}") from None
    card = FaultyCard(chip)
    for fault in faults:
        card.inject(fault)
    port = args.port if args.port is not None else vpcd_port(args.slot)
    pidfile = pid_file(args.slot)
    _claim_pid_file(pidfile, args.slot)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    bridge = VpcdBridge(card, port=port, host=args.host)
    try:
        try:
            bridge.insert()
        except VpcdError as exc:
            raise CliError(str(exc)) from None
        print(f"Card {path} inserted into vpcd at {args.host}:{port} (pid {os.getpid()})", file=out)
        out.flush()
        while not stop.is_set() and bridge.inserted:
            stop.wait(0.2)
        bridge.remove()
        print(f"Card removed ({bridge.removal_reason or 'removed'})", file=out)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if _read_pid(pidfile) == os.getpid():
            pidfile.unlink(missing_ok=True)
    return 0


def _claim_pid_file(pidfile: Path, slot: int) -> None:
    pidfile.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    other = _read_pid(pidfile)
    if other is not None and other != os.getpid() and _process_alive(other):
        raise CliError(
            f"slot {slot} already holds a card (pid {other}); "
            f"run 'citycard-sim remove --slot {slot}'"
        )
    pidfile.write_text(f"{os.getpid()}\n")


def _cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    pidfile = pid_file(args.slot)
    pid = _read_pid(pidfile)
    if pid is None or not _process_alive(pid):
        pidfile.unlink(missing_ok=True)
        raise CliError(f"no card is inserted in slot {args.slot}")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10.0
    while _process_alive(pid) and _read_pid(pidfile) == pid:
        if time.monotonic() > deadline:
            raise CliError(f"the card process {pid} did not stop")
        time.sleep(0.05)
    print(f"Card removed from slot {args.slot}", file=out)
    return 0


def _load(path: Path) -> CardProfile:
    try:
        return CardProfile.load(path)
    except ProfileError as exc:
        raise CliError(str(exc)) from None


# --------------------------------------------------------------------------- entry point


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citycard-sim", description="Virtual city card (城市一卡通) for pcscd/vpcd and tests."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("create-demo", help="create a demo issuer keystore and demo cards")
    demo.add_argument("--dir", type=Path, required=True, help="directory for the card profiles")
    demo.add_argument(
        "--keystore", type=Path, help="SAM keystore file (default DIR/sam-keystore.json)"
    )

    insert = sub.add_parser("insert", help="plug a card into vpcd until removed")
    insert.add_argument("profile", type=Path)
    insert.add_argument("--slot", type=int, default=0, help="vpcd reader slot (default 0)")
    insert.add_argument("--host", default=DEFAULT_HOST)
    insert.add_argument("--port", type=int, help="vpcd port (default 35963 + slot)")
    insert.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault, e.g. tear-after:ins=52, drop:3, answer:ins=54:sw=9401",
    )

    remove = sub.add_parser("remove", help="remove the card inserted in a slot")
    remove.add_argument("--slot", type=int, default=0)

    show = sub.add_parser("show", help="print a card's state (no secrets)")
    show.add_argument("profile", type=Path)

    apdu = sub.add_parser("apdu", help="send hex APDUs from stdin, one per line")
    apdu.add_argument("profile", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``citycard-sim`` command line; returns the exit code."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "create-demo":
            return _cmd_create_demo(args, out)
        if args.command == "insert":
            return _cmd_insert(args, out)
        if args.command == "remove":
            return _cmd_remove(args, out)
        if args.command == "show":
            return _cmd_show(args, out)
        return _cmd_apdu(args, out, sys.stdin)
    except CliError as exc:
        print(f"citycard-sim: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
