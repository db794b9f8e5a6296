"""``citycard-center``: run the clearing center and its administrator's commands.

    citycard-center serve --db URL --host 127.0.0.1 --port 8600 [--issuer-keystore PATH]
    citycard-center enrolment-code --db URL --device DEV-1 [--valid-hours 24]
    citycard-center parameters --db URL --publish FILE.json      (or without --publish: show)
    citycard-center settlement --db URL --date YYYY-MM-DD [--format csv]
    citycard-center alarms --db URL            (tamper alarms and quarantined records, JSON lines)
    citycard-center openapi > clearing/openapi.json
    citycard-center isam-renewal --issuer-keystore PATH --sam-serial HEX   (an ISAM's renewal, hex)

The issuer keystore's passphrase is read from the environment variable named by
``--issuer-passphrase-env`` (default ``CITYCARD_ISSUER_PASSPHRASE``), never from the command line.
Exit status: 0 done, 1 refused (bad input, bad state), 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta, timezone
from pathlib import Path

from pydantic import ValidationError

from app.crypto.keystore import KeystoreError
from clearing.app import build_api, create_app
from clearing.center import Center, CenterConfigurationError, open_center
from clearing.database import CenterDatabaseError
from clearing.enrolment import create_code
from clearing.parameters import current, publish
from clearing.schemas import DeviceId, ParametersIn
from clearing.settings import DEFAULT_DB_URL, Settings

PASSPHRASE_ENV = "CITYCARD_ISSUER_PASSPHRASE"  # noqa: S105 - the name of a variable
ISAM_RENEWAL_KEY = "isam/renewal"  # the issuer keystore's entry (cardsim.demo writes it)
CHINA = timezone(timedelta(hours=8))  # an ISAM counts in card time


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citycard-center", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", default=DEFAULT_DB_URL, help=f"database URL ({DEFAULT_DB_URL})")
        return p

    serve = with_db(sub.add_parser("serve", help="run the center (uvicorn)"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8600)
    serve.add_argument("--issuer-keystore", type=Path, help="issuer master keys, for online MAC2")
    serve.add_argument("--issuer-passphrase-env", default=PASSPHRASE_ENV)
    serve.add_argument("--log-level", default="info")

    code = with_db(sub.add_parser("enrolment-code", help="make a one-time enrolment code"))
    code.add_argument("--device", required=True, help="the device id the code enrols")
    code.add_argument("--valid-hours", type=float, default=24.0)

    params = with_db(sub.add_parser("parameters", help="show or publish counter parameters"))
    params.add_argument("--publish", type=Path, help="a JSON parameter set to publish")

    settle = with_db(sub.add_parser("settlement", help="settlement of a business day"))
    settle.add_argument("--date", required=True, help="YYYY-MM-DD (China Standard Time)")
    settle.add_argument("--format", choices=("json", "csv"), default="json")

    with_db(sub.add_parser("alarms", help="list tamper alarms and quarantined records"))

    sub.add_parser("openapi", help="print the OpenAPI contract (JSON)")

    renewal = sub.add_parser("isam-renewal", help="renew an ISAM's offline brakes (hex to pass on)")
    renewal.add_argument("--issuer-keystore", type=Path, required=True)
    renewal.add_argument("--issuer-passphrase-env", default=PASSPHRASE_ENV)
    renewal.add_argument("--sam-serial", required=True, help="the SAM's serial (20 hex digits)")
    renewal.add_argument("--counter", type=int, help="default: the time in seconds (increasing)")
    return parser


def openapi_text() -> str:
    """The published contract, as ``clearing/openapi.json`` holds it."""
    return json.dumps(build_api().openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    settings = Settings(db_url=args.db)
    if args.issuer_keystore is not None:
        passphrase = os.environ.get(args.issuer_passphrase_env)
        if passphrase is None:
            print(
                f"citycard-center: set {args.issuer_passphrase_env} to the issuer keystore's "
                "passphrase",
                file=sys.stderr,
            )
            return 2
        settings = replace(
            settings, issuer_keystore=args.issuer_keystore, issuer_passphrase=passphrase
        )
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _enrolment_code(center: Center, args: argparse.Namespace) -> int:
    from pydantic import TypeAdapter  # noqa: PLC0415

    try:
        TypeAdapter(DeviceId).validate_python(args.device)
    except ValidationError:
        print("citycard-center: a device id is 1-32 letters, digits, - or _", file=sys.stderr)
        return 1
    ttl = timedelta(hours=args.valid_hours)
    print(create_code(center, args.device, ttl))
    return 0


def _parameters(center: Center, args: argparse.Namespace) -> int:
    if args.publish is not None:
        try:
            document = ParametersIn.model_validate_json(args.publish.read_bytes())
        except (OSError, ValidationError) as exc:
            print(f"citycard-center: {args.publish}: {exc}", file=sys.stderr)
            return 1
        with center.sessions.begin() as session:
            version = publish(session, document, center.now_us())
        print(f"published parameters version {version}")
        return 0
    with center.sessions.begin() as session:
        print(current(session).model_dump_json(indent=2))
    return 0


def _settlement(center: Center, args: argparse.Namespace) -> int:
    from clearing.settlement import SettlementError, settlement, settlement_csv  # noqa: PLC0415

    try:
        result = settlement(center, args.date, device_id=None)
    except SettlementError as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        sys.stdout.write(settlement_csv(result))
    else:
        print(result.model_dump_json(indent=2))
    return 0


def _isam_renewal(args: argparse.Namespace) -> int:
    """Print a renewal the counter passes to its ISAM (``cli isam-renew HEX``)."""
    import time  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from app.crypto.isam import make_renewal  # noqa: PLC0415
    from app.crypto.keystore import Keystore  # noqa: PLC0415

    passphrase = os.environ.get(args.issuer_passphrase_env)
    if passphrase is None:
        print(f"citycard-center: set {args.issuer_passphrase_env}", file=sys.stderr)
        return 2
    try:
        serial = bytes.fromhex(args.sam_serial)
    except ValueError:
        serial = b""
    if len(serial) != 10:
        print("citycard-center: a SAM serial is 20 hex digits", file=sys.stderr)
        return 1
    key = Keystore.open(args.issuer_keystore, passphrase).get(ISAM_RENEWAL_KEY)
    counter = args.counter if args.counter is not None else int(time.time())
    china = datetime.now(UTC).astimezone(CHINA).replace(tzinfo=None, microsecond=0)
    print(make_renewal(key, serial, counter, china).hex().upper())
    return 0


def _alarms(center: Center) -> int:
    from clearing.alarms import alarm_lines  # noqa: PLC0415

    for line in alarm_lines(center):
        print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "openapi":
        sys.stdout.write(openapi_text())
        return 0
    try:
        if args.command == "isam-renewal":
            return _isam_renewal(args)
        if args.command == "serve":
            return _serve(args)
        center = open_center(Settings(db_url=args.db))
        try:
            if args.command == "enrolment-code":
                return _enrolment_code(center, args)
            if args.command == "parameters":
                return _parameters(center, args)
            if args.command == "alarms":
                return _alarms(center)
            return _settlement(center, args)
        finally:
            center.close()
    except (CenterDatabaseError, CenterConfigurationError, KeystoreError) as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
