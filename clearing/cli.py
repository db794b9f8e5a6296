"""``citycard-center``: run the clearing center and its administrator's commands.

    citycard-center migrate --db URL             (the schema change: once, before the workers)
    citycard-center serve --db URL --host 127.0.0.1 --port 8600 [--workers N] [--no-migrate]
                          [keys] [tls] [--production]
        tls: --tls-cert PEM --tls-key PEM (or --behind-tls-proxy); --production: no /docs,
             and TLS (or the proxy) required
        keys: --pkcs11-module SO --token-label L --pin-file F [--key-service SOCKET]
              or --key-service SOCKET alone; (development) --issuer-keystore P --passphrase-file F
    citycard-center demo-ca --dir DIR     (ca.pem, center.pem, center.key for the demo's TLS)
    citycard-center key-service --socket SOCKET --keystore P --passphrase-file F
    citycard-center keys list|generate|import --pkcs11-module SO --token-label L --pin-file F
    citycard-center enrolment-code --db URL --device DEV-1 [--outlet OUTLET] [--valid-hours 24]
                                    [--replaces OLD]
    citycard-center device --db URL [--device DEV-1 --status suspended --reason TEXT]
    citycard-center device-staff --db URL --device DEV-1   (its operators, as uploaded)
    citycard-center cards-register --db URL FILE.csv    (issuance file: card_serial,card_type)
    citycard-center loss-cancel --db URL --report N --approval REF --operator NAME
    citycard-center grants --db URL     (match online grants with the journal, raise alarms)
    citycard-center parameters --db URL --publish FILE.json      (or without --publish: show)
    citycard-center settlement --db URL --date YYYY-MM-DD [--format csv] [--close]
    citycard-center alarms --db URL            (tamper alarms and quarantined records, JSON lines)
    citycard-center risk --db URL sweep|evaluate|parameters [--publish FILE.json]
    citycard-center staff-add --db URL --username NAME --role viewer|analyst|administrator
    citycard-center backup --db URL --out FILE  (SQLite online backup, or pg_dump)
    citycard-center restore --db URL --from FILE --yes   (stop the center first)
    citycard-center openapi > clearing/openapi.json
    citycard-center isam-renewal --issuer-keystore P --passphrase-file F --sam-serial HEX
                                  (an ISAM's renewal, in hex, for ``cli isam-renew``)

A new staff account's password is read from ``$CITYCARD_STAFF_PASSWORD`` or asked for on the
terminal.

``serve`` migrates once in its own process before starting the workers (unless ``--no-migrate``:
several hosts, or a deployment that runs ``migrate`` as its own step); the workers themselves only
check that the schema is current and refuse to start otherwise.

PINs and passphrases are read from files only their owner may read (mode 0600; a systemd
credential works), never from the command line or the environment.
Exit status: 0 done, 1 refused (bad input, bad state), 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import timedelta, timezone
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from app.crypto.keystore import KeystoreError
from clearing.app import (
    ENV_DB,
    ENV_KEY_SERVICE,
    ENV_KEYSTORE,
    ENV_PASSPHRASE_FILE,
    ENV_PIN_FILE,
    ENV_PKCS11_MODULE,
    ENV_PUBLIC_DOCS,
    ENV_SECURE_COOKIES,
    ENV_TOKEN_LABEL,
    build_api,
    settings_from_environment,
)
from clearing.center import Center, CenterConfigurationError, open_center
from clearing.database import CenterDatabaseError
from clearing.enrolment import EnrolmentError, create_code
from clearing.interchange import cli as interchange_cli
from clearing.keys.interface import KeysUnavailableError
from clearing.keys.secrets_file import SecretFileError
from clearing.parameters import current, publish
from clearing.schemas import DeviceId, ParametersIn
from clearing.settings import DEFAULT_DB_URL, Settings

ISAM_RENEWAL_KEY = "isam/renewal"  # the issuer keystore's entry (cardsim.demo writes it)
CHINA = timezone(timedelta(hours=8))  # an ISAM counts in card time


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citycard-center", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_token(p: argparse.ArgumentParser, required: bool) -> None:
        p.add_argument("--pkcs11-module", type=Path, required=required, help="PKCS#11 .so")
        p.add_argument("--token-label", required=required)
        p.add_argument("--pin-file", type=Path, required=required, help="the user PIN, mode 0600")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", default=DEFAULT_DB_URL, help=f"database URL ({DEFAULT_DB_URL})")
        return p

    serve = with_db(sub.add_parser("serve", help="run the center (uvicorn)"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8600)
    with_token(serve, required=False)
    serve.add_argument("--key-service", type=Path, help="the key service's Unix socket")
    serve.add_argument(
        "--issuer-keystore", type=Path, help="development only: master keys in this process"
    )
    serve.add_argument("--passphrase-file", type=Path, help="the keystore's passphrase file")
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
    serve.add_argument("--tls-cert", type=Path, help="the center's certificate chain (PEM)")
    serve.add_argument("--tls-key", type=Path, help="its private key (PEM, mode 0600)")
    serve.add_argument(
        "--behind-tls-proxy", action="store_true", help="TLS ends at a proxy in front of it"
    )
    serve.add_argument(
        "--production", action="store_true", help="no /docs; refuses to serve without TLS"
    )

    democa = sub.add_parser("demo-ca", help="a demo CA and the center's TLS certificate")
    democa.add_argument("--dir", type=Path, required=True)
    democa.add_argument("--host", action="append", default=[], help="more DNS names")

    service = sub.add_parser("key-service", help="run the key service (its own OS user)")
    service.add_argument("--socket", type=Path, required=True)
    service.add_argument("--keystore", type=Path, required=True, help="mode 0600, this user's")
    service.add_argument("--passphrase-file", type=Path, required=True)
    service.add_argument("--socket-mode", default="660", help="octal (default 660)")

    keys = sub.add_parser("keys", help="the key ceremony: master keys in the token")
    keys.add_argument("action", choices=("list", "generate", "import"))
    with_token(keys, required=True)
    keys.add_argument("--algorithm", default="des", choices=("des",))
    keys.add_argument("--key-version", type=lambda v: int(v, 16), default=1, help="hex")
    keys.add_argument("--components", type=int, default=2, help="import: custodians (>= 2)")

    code = with_db(sub.add_parser("enrolment-code", help="make a one-time enrolment code"))
    code.add_argument("--device", required=True, help="the device id the code enrols")
    code.add_argument("--valid-hours", type=float, default=24.0)
    code.add_argument("--outlet", help="the outlet (counter office) of the device")

    dev = with_db(sub.add_parser("device", help="list devices, or change a device's status"))
    dev.add_argument("--device", help="the device to change (without it: list all)")
    dev.add_argument("--status", choices=("active", "suspended", "revoked"))
    dev.add_argument("--reason", default="", help="shown to the clerk of that counter")

    dstaff = with_db(sub.add_parser("device-staff", help="a counter's operators, as uploaded"))
    dstaff.add_argument("--device", required=True, help="the device whose operators to list")

    cards = with_db(sub.add_parser("cards-register", help="register issued cards and types"))
    cards.add_argument("file", type=Path, help="CSV lines card_serial,card_type")

    lossc = with_db(sub.add_parser("loss-cancel", help="cancel a loss report (back office)"))
    lossc.add_argument("--report", type=int, required=True)
    lossc.add_argument("--approval", required=True, help="the supervisor's approval reference")
    lossc.add_argument("--operator", required=True, help="who cancels (back-office staff)")

    with_db(sub.add_parser("grants", help="match online grants with the uploaded journal"))
    code.add_argument("--replaces", help="the device the new one replaces (a counter PC swap)")

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
    save = with_db(sub.add_parser("backup", help="back the database up (the center may run)"))
    save.add_argument("--out", type=Path, required=True, help="a new file")
    back = with_db(sub.add_parser("restore", help="replace the database with a backup"))
    back.add_argument("--from", dest="source", type=Path, required=True, help="the backup file")
    back.add_argument("--yes", action="store_true", help="the center is stopped; replace it")

    sub.add_parser("openapi", help="print the OpenAPI contract (JSON)")
    interchange_cli.add_parsers(sub)  # platform …, interchange … (docs/clearing-center.md)

    renewal = sub.add_parser("isam-renewal", help="renew an ISAM's offline brakes (hex to pass on)")
    renewal.add_argument("--issuer-keystore", type=Path, required=True)
    renewal.add_argument("--passphrase-file", type=Path, required=True, help="mode 0600")
    renewal.add_argument("--sam-serial", required=True, help="the SAM's serial (20 hex digits)")
    renewal.add_argument("--counter", type=int, help="default: the time in seconds (increasing)")
    return parser


def openapi_text() -> str:
    """The published contract, as ``clearing/openapi.json`` holds it."""
    return json.dumps(build_api().openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from clearing.keys.secrets_file import private_file_problem  # noqa: PLC0415

    if (args.tls_cert is None) != (args.tls_key is None):
        print("citycard-center: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    tls = args.tls_cert is not None
    if args.production and not (tls or args.behind_tls_proxy):
        print(
            "citycard-center: --production serves over TLS only: give --tls-cert and --tls-key, "
            "or --behind-tls-proxy when a proxy terminates TLS",
            file=sys.stderr,
        )
        return 2
    if tls:
        problem = private_file_problem(args.tls_key)
        if problem is not None:
            print(f"citycard-center: the TLS key: {problem}", file=sys.stderr)
            return 2
    if args.workers < 1:
        print("citycard-center: --workers must be at least 1", file=sys.stderr)
        return 1
    if args.issuer_keystore is not None and args.passphrase_file is None:
        print("citycard-center: --issuer-keystore needs --passphrase-file", file=sys.stderr)
        return 2
    # only paths travel to the workers: each reads the PIN or passphrase file itself
    environ = {
        ENV_DB: args.db,
        ENV_SECURE_COOKIES: "1" if args.console_secure_cookies else "0",
        ENV_PUBLIC_DOCS: "0" if args.production else "1",
        ENV_PKCS11_MODULE: _path_text(args.pkcs11_module),
        ENV_TOKEN_LABEL: args.token_label or "",
        ENV_PIN_FILE: _path_text(args.pin_file),
        ENV_KEY_SERVICE: _path_text(args.key_service),
        ENV_KEYSTORE: _path_text(args.issuer_keystore),
        ENV_PASSPHRASE_FILE: _path_text(args.passphrase_file),
    }
    settings = settings_from_environment({**os.environ, **environ})
    # once, here, before any worker exists: migrate (or check), first identity and parameters,
    # and the keys opened once so a wrong PIN or passphrase is told before the workers start
    open_center(settings, migrate_schema=not args.no_migrate).close()
    os.environ.update(environ)  # what the workers read (app_from_environment)
    uvicorn.run(
        "clearing.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        ssl_certfile=None if args.tls_cert is None else str(args.tls_cert),
        ssl_keyfile=None if args.tls_key is None else str(args.tls_key),
        proxy_headers=args.behind_tls_proxy,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from clearing.database import known_revisions  # noqa: PLC0415

    open_center(Settings(db_url=args.db)).close()
    print(f"the center database is at schema {known_revisions()[-1]}")
    return 0


def _path_text(path: Path | None) -> str:
    return "" if path is None else str(path.resolve())


def _demo_ca(args: argparse.Namespace) -> int:
    from clearing.democa import make_demo_tls  # noqa: PLC0415

    files = make_demo_tls(args.dir, ("localhost", *args.host))
    print(f"CA (give it to the counters): {files.ca_file}")
    print(f"center certificate: {files.cert_file}  key: {files.key_file}")
    return 0


def _key_service(args: argparse.Namespace) -> int:
    from clearing.keys.service import KeyServiceServer, load_service_keys  # noqa: PLC0415

    keys, wrapper = load_service_keys(args.keystore, args.passphrase_file)
    server = KeyServiceServer(args.socket, keys, int(args.socket_mode, 8), wrapper)
    print(f"key service on {args.socket}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _keys(args: argparse.Namespace) -> int:
    from clearing.keys import ceremony  # noqa: PLC0415

    return ceremony.run(args)


def _enrolment_code(center: Center, args: argparse.Namespace) -> int:

    try:
        TypeAdapter(DeviceId).validate_python(args.device)
    except ValidationError:
        print("citycard-center: a device id is 1-32 letters, digits, - or _", file=sys.stderr)
        return 1
    ttl = timedelta(hours=args.valid_hours)
    if args.outlet is not None:
        try:
            TypeAdapter(DeviceId).validate_python(args.outlet)
        except ValidationError:
            print("citycard-center: an outlet is 1-32 letters, digits, - or _", file=sys.stderr)
            return 1
    try:
        print(create_code(center, args.device, ttl, outlet=args.outlet, replaces=args.replaces))
    except (ValueError, EnrolmentError) as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 1
    return 0


def _device(center: Center, args: argparse.Namespace) -> int:
    from clearing.devices import DeviceStatusError, device_lines, set_status  # noqa: PLC0415

    if args.device is None:
        with center.sessions.begin() as session:
            for line in device_lines(session):
                print(line)
        return 0
    if args.status is None:
        print("citycard-center: --device needs --status", file=sys.stderr)
        return 1
    try:
        with center.sessions.begin() as session:
            row = set_status(session, args.device, args.status, args.reason, center.now_us())
            print(f"device {row.device_id} is now {row.status}")
    except DeviceStatusError as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 1
    return 0


def _device_staff(center: Center, args: argparse.Namespace) -> int:
    from clearing.staff import staff_lines  # noqa: PLC0415

    with center.sessions.begin() as session:
        for line in staff_lines(session, args.device):
            print(line)
    return 0


def _cards_register(center: Center, args: argparse.Namespace) -> int:
    from clearing.registry import RegistryFileError, parse_issuance, register  # noqa: PLC0415

    try:
        cards = parse_issuance(args.file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, RegistryFileError) as exc:
        print(f"citycard-center: {args.file}: {exc} (nothing registered)", file=sys.stderr)
        return 1
    with center.sessions.begin() as session:
        added, changed = register(session, cards, args.file.name, center.now_us())
    print(
        f"{added} card(s) registered, {changed} re-typed, {len(cards) - added - changed} as before"
    )
    return 0


def _loss_cancel(center: Center, args: argparse.Namespace) -> int:
    from clearing.loss import BACK_OFFICE, LossReportError, cancel  # noqa: PLC0415

    if not args.operator.strip():
        print("citycard-center: --operator names who cancels", file=sys.stderr)
        return 1
    try:
        with center.sessions.begin() as session:
            out = cancel(
                session, args.operator, BACK_OFFICE, args.report, args.approval, center.now_us()
            )
    except LossReportError as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 1
    print(out.model_dump_json(indent=2))
    return 0


def _grants(center: Center) -> int:
    from clearing.grants import reconcile_now  # noqa: PLC0415

    matched, alarmed = reconcile_now(center)
    print(f"{matched} online grant(s) matched with the journal, {alarmed} alarm(s) raised")
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


def _isam_renewal(args: argparse.Namespace) -> int:
    """Print a renewal the counter passes to its ISAM (``cli isam-renew HEX``)."""
    import time  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from app.crypto.isam import make_renewal  # noqa: PLC0415
    from app.crypto.keystore import Keystore  # noqa: PLC0415
    from clearing.keys.secrets_file import read_secret_file  # noqa: PLC0415

    passphrase = read_secret_file(args.passphrase_file)
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


def _backup_or_restore(args: argparse.Namespace) -> int:
    from clearing.backup import BackupError, backup, restore  # noqa: PLC0415

    try:
        if args.command == "backup":
            print(f"backed up to {backup(args.db, args.out)}")
            return 0
        if not args.yes:
            print(
                "citycard-center: restoring replaces the whole database. Stop the center, then "
                "run again with --yes. The counters send again what the backup lacks at their "
                "next sync (a center_behind alarm per device).",
                file=sys.stderr,
            )
            return 1
        restore(args.db, args.source)
        print(f"restored from {args.source}; start the center and let the counters sync")
        return 0
    except (BackupError, OSError, sqlite3.Error) as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "openapi":
        sys.stdout.write(openapi_text())
        return 0
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args)
    try:
        if args.command == "isam-renewal":
            return _isam_renewal(args)
        if args.command == "serve":
            return _serve(args)
        if args.command in ("platform", "interchange"):
            return interchange_cli.run(args)
        if args.command == "migrate":
            return _migrate(args)
        if args.command == "demo-ca":
            return _demo_ca(args)
        if args.command == "key-service":
            return _key_service(args)
        if args.command == "keys":
            return _keys(args)
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
            if args.command == "device-staff":
                return _device_staff(center, args)
            if args.command == "device":
                return _device(center, args)
            if args.command == "cards-register":
                return _cards_register(center, args)
            if args.command == "loss-cancel":
                return _loss_cancel(center, args)
            if args.command == "grants":
                return _grants(center)
            return _settlement(center, args)
        finally:
            center.close()
    except (
        CenterDatabaseError,
        CenterConfigurationError,
        KeystoreError,
        KeysUnavailableError,
        SecretFileError,
    ) as exc:
        print(f"citycard-center: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
