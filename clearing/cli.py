"""``citycard-center``: run the clearing center and its administrator's commands.

    citycard-center migrate --db URL             (the schema change: once, before the workers)
    citycard-center serve --db URL --host 127.0.0.1 --port 8600 [--workers N] [--no-migrate]
                          [--issuer-keystore PATH]
    citycard-center enrolment-code --db URL --device DEV-1 [--valid-hours 24]
    citycard-center parameters --db URL --publish FILE.json      (or without --publish: show)
    citycard-center settlement --db URL --date YYYY-MM-DD [--format csv] [--close]
    citycard-center alarms --db URL            (tamper alarms and quarantined records, JSON lines)
    citycard-center risk --db URL sweep|evaluate|parameters [--publish FILE.json]
    citycard-center staff-add --db URL --username NAME --role viewer|analyst|administrator
    citycard-center openapi > clearing/openapi.json

A new staff account's password is read from ``$CITYCARD_STAFF_PASSWORD`` or asked for on the
terminal.

``serve`` migrates once in its own process before starting the workers (unless ``--no-migrate``:
several hosts, or a deployment that runs ``migrate`` as its own step); the workers themselves only
check that the schema is current and refuse to start otherwise.

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
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from app.crypto.keystore import KeystoreError
from clearing.app import (
    ENV_DB,
    ENV_KEYSTORE,
    ENV_PASSPHRASE_NAME,
    ENV_SECURE_COOKIES,
    build_api,
    settings_from_environment,
)
from clearing.center import Center, CenterConfigurationError, open_center
from clearing.database import CenterDatabaseError
from clearing.enrolment import create_code
from clearing.interchange import cli as interchange_cli
from clearing.parameters import current, publish
from clearing.schemas import DeviceId, ParametersIn
from clearing.settings import DEFAULT_DB_URL, Settings

PASSPHRASE_ENV = "CITYCARD_ISSUER_PASSPHRASE"  # noqa: S105 - the name of a variable


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
    serve.add_argument(
        "--console-secure-cookies",
        action="store_true",
        help="mark the console's session cookie Secure (behind a TLS proxy)",
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (uvicorn)")
    serve.add_argument(
        "--no-migrate",
        action="store_true",
        help="only check the schema is current (run `citycard-center migrate` first)",
    )

    with_db(sub.add_parser("migrate", help="bring the database schema to this version"))

    code = with_db(sub.add_parser("enrolment-code", help="make a one-time enrolment code"))
    code.add_argument("--device", required=True, help="the device id the code enrols")
    code.add_argument("--valid-hours", type=float, default=24.0)

    params = with_db(sub.add_parser("parameters", help="show or publish counter parameters"))
    params.add_argument("--publish", type=Path, help="a JSON parameter set to publish")

    settle = with_db(sub.add_parser("settlement", help="settlement of a business day"))
    settle.add_argument("--date", required=True, help="YYYY-MM-DD (China Standard Time)")
    settle.add_argument("--format", choices=("json", "csv"), default="json")
    settle.add_argument(
        "--close",
        action="store_true",
        help="close the day (once it is over): later arrivals go to adjustments",
    )

    with_db(sub.add_parser("alarms", help="list tamper alarms and quarantined records"))

    risk = with_db(sub.add_parser("risk", help="risk rules: sweep, evaluate all, parameters"))
    risk.add_argument("action", choices=("sweep", "evaluate", "parameters"))
    risk.add_argument("--publish", type=Path, help="risk parameters (JSON) to publish")

    staff = with_db(sub.add_parser("staff-add", help="add a back-office console account"))
    staff.add_argument("--username", required=True)
    staff.add_argument("--role", required=True, choices=("viewer", "analyst", "administrator"))

    sub.add_parser("openapi", help="print the OpenAPI contract (JSON)")
    interchange_cli.add_parsers(sub)  # platform …, interchange … (docs/clearing-center.md)
    return parser


def openapi_text() -> str:
    """The published contract, as ``clearing/openapi.json`` holds it."""
    return json.dumps(build_api().openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    if args.workers < 1:
        print("citycard-center: --workers must be at least 1", file=sys.stderr)
        return 1
    environ = {ENV_DB: args.db, ENV_SECURE_COOKIES: "1" if args.console_secure_cookies else "0"}
    if args.issuer_keystore is not None:
        if args.issuer_passphrase_env not in os.environ:
            print(
                f"citycard-center: set {args.issuer_passphrase_env} to the issuer keystore's "
                "passphrase",
                file=sys.stderr,
            )
            return 2
        environ[ENV_KEYSTORE] = str(args.issuer_keystore.resolve())
        environ[ENV_PASSPHRASE_NAME] = args.issuer_passphrase_env
    settings = settings_from_environment({**os.environ, **environ})
    # once, here, before any worker exists: migrate (or check), first identity and parameters,
    # and the keystore opened once so a wrong passphrase is told before the workers start
    open_center(settings, migrate_schema=not args.no_migrate).close()
    os.environ.update(environ)  # what the workers read (app_from_environment)
    uvicorn.run(
        "clearing.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from clearing.database import known_revisions  # noqa: PLC0415

    open_center(Settings(db_url=args.db)).close()
    print(f"the center database is at schema {known_revisions()[-1]}")
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
    from clearing.settlement import (  # noqa: PLC0415
        SettlementError,
        close_day,
        settlement,
        settlement_csv,
    )

    try:
        if args.close:
            result = close_day(center, args.date)
        else:
            result = settlement(center, args.date, device_id=None)
    except SettlementError as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        sys.stdout.write(settlement_csv(result))
    else:
        print(result.model_dump_json(indent=2))
    return 0


def _alarms(center: Center) -> int:
    from clearing.alarms import alarm_lines  # noqa: PLC0415

    for line in alarm_lines(center):
        print(line)
    return 0


def _risk(center: Center, args: argparse.Namespace) -> int:
    from clearing.risk.engine import evaluate_all, sweep  # noqa: PLC0415
    from clearing.risk.parameters import (  # noqa: PLC0415
        RiskParameters,
        current_risk_parameters,
        publish_risk_parameters,
    )

    if args.action == "parameters":
        if args.publish is not None:
            try:
                document = RiskParameters.model_validate_json(args.publish.read_bytes())
            except (OSError, ValidationError) as exc:
                print(f"citycard-center: {args.publish}: {exc}", file=sys.stderr)
                return 1
            with center.sessions.begin() as session:
                version = publish_risk_parameters(session, document, center.now_us())
            print(f"published risk parameters version {version}")
            return 0
        with center.sessions.begin() as session:
            print(current_risk_parameters(session).model_dump_json(indent=2))
        return 0
    raised = sweep(center) if args.action == "sweep" else evaluate_all(center)
    for alarm in raised:
        print(
            json.dumps(
                {"rule": alarm.rule, "subject": alarm.subject, "summary": alarm.summary},
                ensure_ascii=False,
            )
        )
    return 0


def _staff_add(center: Center, args: argparse.Namespace) -> int:
    import getpass  # noqa: PLC0415

    from clearing.console.accounts import AccountError, create_account  # noqa: PLC0415

    password = os.environ.get("CITYCARD_STAFF_PASSWORD")
    if password is None:
        password = getpass.getpass(f"password for {args.username}: ")
    try:
        with center.sessions.begin() as session:
            create_account(
                session,
                args.username,
                password,
                args.role,
                center.settings.console_password_params,
                center.now_us(),
            )
    except AccountError as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 1
    print(f"account {args.username} ({args.role}) created")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "openapi":
        sys.stdout.write(openapi_text())
        return 0
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command in ("platform", "interchange"):
            return interchange_cli.run(args)
        if args.command == "migrate":
            return _migrate(args)
        center = open_center(Settings(db_url=args.db))
        try:
            if args.command == "enrolment-code":
                return _enrolment_code(center, args)
            if args.command == "parameters":
                return _parameters(center, args)
            if args.command == "alarms":
                return _alarms(center)
            if args.command == "risk":
                return _risk(center, args)
            if args.command == "staff-add":
                return _staff_add(center, args)
            return _settlement(center, args)
        finally:
            center.close()
    except (CenterDatabaseError, CenterConfigurationError, KeystoreError) as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
