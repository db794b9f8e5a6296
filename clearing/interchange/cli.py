"""The interchange commands of ``citycard-center``: the platform role and a center's sync.

    citycard-center platform serve --db URL [--host 127.0.0.1] [--port 8700]
    citycard-center platform member --db URL --city hangzhou --public-key HEX --issuer-codes 3100,…
    citycard-center platform settlement --db URL --date YYYY-MM-DD [--city KEY] [--format csv]
                                        [--out DIR]   (DIR: JSON and CSV files for every member)
    citycard-center platform positions --db URL --date YYYY-MM-DD
    citycard-center platform alarms --db URL
    citycard-center platform openapi > clearing/interchange/openapi.json
    citycard-center interchange identity --db URL        (the center's public key, for `member`)
    citycard-center interchange sync --db URL --platform URL --city KEY [--every S] [--rounds N]
                                     [--issuer-keystore PATH]   (check the TACs taken in)

Exit status: 0 done, 1 refused (bad input, the platform said no), 2 could not run (database,
platform unreachable).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

from clearing.center import Center, open_center
from clearing.interchange import platform
from clearing.settings import DEFAULT_DB_URL, Settings

DEFAULT_PLATFORM_PORT = 8700
PASSPHRASE_ENV = "CITYCARD_ISSUER_PASSPHRASE"  # noqa: S105 - the name of a variable


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``platform`` and ``interchange`` command groups to ``citycard-center``."""

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", default=DEFAULT_DB_URL, help=f"database URL ({DEFAULT_DB_URL})")
        return p

    group = sub.add_parser("platform", help="run or administer the national platform")
    commands = group.add_subparsers(dest="platform_command", required=True)
    serve = with_db(commands.add_parser("serve", help="run the platform (uvicorn)"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PLATFORM_PORT)
    serve.add_argument("--log-level", default="info")
    member = with_db(commands.add_parser("member", help="register or re-key a city center"))
    member.add_argument("--city", required=True, help="the city table's key, e.g. hangzhou")
    member.add_argument("--public-key", required=True, help="the center's SM2 key, 128 hex")
    member.add_argument("--issuer-codes", required=True, help="comma-separated hex codes/ids")
    settle = with_db(commands.add_parser("settlement", help="settlement files of a day"))
    settle.add_argument("--date", required=True, type=date.fromisoformat)
    settle.add_argument("--city", help="one city (default: every member)")
    settle.add_argument("--format", choices=("json", "csv"), default="json")
    settle.add_argument("--out", type=Path, help="write <city>-<date>.json and .csv here")
    positions = with_db(commands.add_parser("positions", help="who owes whom on a day"))
    positions.add_argument("--date", required=True, type=date.fromisoformat)
    with_db(commands.add_parser("alarms", help="conflicting records members offered"))
    commands.add_parser("openapi", help="print the platform's OpenAPI contract (JSON)")

    group = sub.add_parser("interchange", help="a city center's exchange with the platform")
    commands = group.add_subparsers(dest="interchange_command", required=True)
    with_db(commands.add_parser("identity", help="print this center's SM2 public key"))
    sync = with_db(commands.add_parser("sync", help="sync rounds with the platform"))
    sync.add_argument("--platform", required=True, help="the platform's URL")
    sync.add_argument("--city", required=True, help="this center's city (table key)")
    sync.add_argument("--every", type=float, default=0.0, help="seconds between rounds")
    sync.add_argument("--rounds", type=int, default=1, help="rounds to run (0: forever)")
    sync.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP call")
    sync.add_argument(
        "--issuer-keystore", type=Path, help="issuer keys: check the TACs of records taken in"
    )
    sync.add_argument("--issuer-passphrase-env", default=PASSPHRASE_ENV)


def run(args: argparse.Namespace) -> int:
    """Run a ``platform`` or ``interchange`` command."""
    if args.command == "platform" and args.platform_command == "serve":
        return _serve(args)
    if args.command == "platform" and args.platform_command == "openapi":
        sys.stdout.write(platform_openapi_text())
        return 0
    settings = Settings(db_url=args.db)
    keystore = getattr(args, "issuer_keystore", None)
    if keystore is not None:
        passphrase = os.environ.get(args.issuer_passphrase_env)
        if passphrase is None:
            print(
                f"citycard-center: set {args.issuer_passphrase_env} to the issuer keystore's "
                "passphrase",
                file=sys.stderr,
            )
            return 2
        settings = replace(settings, issuer_keystore=keystore, issuer_passphrase=passphrase)
    center = open_center(settings)
    try:
        if args.command == "platform":
            return _platform(center, args)
        return _interchange(center, args)
    finally:
        center.close()


def platform_openapi_text() -> str:
    """The platform's published contract, as ``clearing/interchange/openapi.json`` holds it."""
    from clearing.interchange.api import build_platform_api  # noqa: PLC0415

    api = build_platform_api().openapi()
    return json.dumps(api, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from clearing.interchange.api import create_platform_app  # noqa: PLC0415

    app = create_platform_app(Settings(db_url=args.db))
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _platform(center: Center, args: argparse.Namespace) -> int:
    command = args.platform_command
    with center.sessions.begin() as session:
        if command == "member":
            try:
                key = bytes.fromhex(args.public_key)
                found = platform.register_member(
                    session, args.city, key, args.issuer_codes.split(","), center.now_us()
                )
            except (ValueError, platform.PlatformRefusalError) as exc:
                print(f"citycard-center: {exc}", file=sys.stderr)
                return 1
            print(
                f"member {found.city} ({found.name}): issuer codes {', '.join(found.issuer_codes)}"
            )
            return 0
        if command == "positions":
            for position in platform.positions(session, args.date):
                print(position.model_dump_json())
            return 0
        if command == "alarms":
            for alarm in platform.alarms(session):
                print(json.dumps({"city": alarm.city, "reason": alarm.reason}, ensure_ascii=False))
            return 0
        cities = [args.city] if args.city else [m.city for m in platform.members(session)]
        settlements = [platform.city_settlement(session, c, args.date) for c in cities]
    for settlement in settlements:
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            stem = args.out / f"{settlement.city}-{settlement.date}"
            stem.with_suffix(".json").write_text(
                settlement.model_dump_json(indent=2), encoding="utf-8"
            )
            stem.with_suffix(".csv").write_text(platform.settlement_csv(settlement), "utf-8")
        elif args.format == "csv":
            sys.stdout.write(platform.settlement_csv(settlement))
        else:
            print(settlement.model_dump_json(indent=2))
    return 0


def _interchange(center: Center, args: argparse.Namespace) -> int:
    if args.interchange_command == "identity":
        print(center.identity.public_key.hex().upper())
        return 0
    from clearing.interchange.client import (  # noqa: PLC0415
        PlatformClient,
        PlatformRefusedError,
        PlatformUnavailableError,
    )
    from clearing.interchange.forwarding import sync_round  # noqa: PLC0415

    client = PlatformClient(args.platform, args.city, center.identity, timeout=args.timeout)
    done = 0
    status = 0
    while True:
        try:
            report = sync_round(center, client, args.city)
            print(json.dumps(asdict(report), ensure_ascii=False), flush=True)
            status = 0
        except PlatformUnavailableError as exc:
            print(f"citycard-center: the platform cannot be reached: {exc}", file=sys.stderr)
            status = 2
        except PlatformRefusedError as exc:
            print(f"citycard-center: the platform refused: {exc}", file=sys.stderr)
            status = 1
        done += 1
        if args.rounds and done >= args.rounds:
            return status
        time.sleep(args.every)
