"""City-scale load test with Locust: N counters with backlogs, online top-ups, blacklist polls.

``python -m bench load`` starts a throw-away PostgreSQL, migrates a center database, and runs
the deployment of docs/clearing-center.md on loopback: a bulk pool (``serve --no-migrate
--workers W``) and an online pool of its own (``serve --no-migrate --workers 1``) with the bench
issuer's keys (the bulk pool runs without them: the backlogs' TACs are random bytes, which it
would set aside — the TAC check is one DES/SM4 MAC per load, small next to the rest).
Counters and online devices are enrolled through the API; every counter gets a journal
backlog of ``BENCH_LOAD_RECORDS`` records (top-ups). Locust (bench/locustfile.py,
headless, a subprocess) then plays:

1. ``BENCH_LOAD_COUNTERS`` counters uploading their backlogs in batches of 500 (then polling
   the blacklist) while ``BENCH_LOAD_ONLINE`` counters ask online MAC2 on the online pool with
   the counter's 3 s timeout — with a bulk pool of 2 workers; upload throughput (from the
   center's own receive times), MAC2 latency percentiles, answers over 3 s;
2. the same with 1 bulk worker: the scaling ratio 2 vs 1;
3. the baseline: the same batch bodies POSTed unsigned by as many Locust users (answered 401
   after reading the body): upload / bare;

and after each upload run the exactly-once check: every record of every journal held once,
the card ledger has exactly the journals' done loads, nothing quarantined, no alarm, and
every MAC2 Locust received recorded once.

Defaults are the short version ``make bench`` runs (10 counters × 1,000 records); the issue's
figures: ``BENCH_LOAD_COUNTERS=50 BENCH_LOAD_RECORDS=2000 python -m bench load``.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.sam import LoadAuthorization
from app.card.session import CityCard
from app.crypto.keystore import KdfParams, Keystore
from app.crypto.purse import PurseAlgorithm
from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal, JournalKeys
from app.sync import CenterClient, ClientSettings
from app.sync.wire import encode, record_json
from bench.bench_card import TERMINAL, _card
from bench.bench_online_topup import ROOMY_PARAMETERS
from bench.bench_sync import _build, _center, _cli
from clearing.center import open_center
from clearing.enrolment import create_code
from clearing.models import CardLedgerRow, OnlineLoadRow, QuarantineRow, RecordRow, TamperAlarmRow
from clearing.settings import Settings
from tests.clearing.postgres import PostgresUnavailableError, create_database, postgres_server

ROOT = Path(__file__).resolve().parent.parent
CHINA = timezone(timedelta(hours=8))
PASSPHRASE = "bench issuer"
BATCH = 500
AMOUNT = 1_000


@dataclass
class Outcome:
    """What one Locust run measured."""

    records: int
    upload_rate: float  # records/s, from the center's receive times
    stats: dict[str, dict[str, str]]  # Locust's per-request rows by name
    over_timeout: int
    checked: str


@contextmanager
def _pool(db_url: str, log: Path, *extra: str, nice: int = 0) -> Iterator[str]:
    """``citycard-center serve`` on a free port (niced like deploy/citycard-center.service)."""
    with _center(db_url, log, *extra, env=_env(), nice=nice) as base:
        yield base


def _env() -> dict[str, str]:
    return {"CITYCARD_ISSUER_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(ROOT)}


def _enrol(base: str, code: str, device_id: str, terminal: str) -> tuple[Sm2PrivateKey, Any]:
    key = Sm2PrivateKey.generate()
    client = CenterClient(ClientSettings(base))
    issued = client.enrol(code, device_id, terminal, key).journal_key
    client.close()
    return key, issued


def _online_requests(issuer: IssuerKeySet, directory: Path, count: int) -> list[dict[str, Any]]:
    card = CityCard.open(InProcessTransport(_card(issuer, directory / "card.json")))
    out = []
    for _ in range(count):
        init = card.initialize_for_load(AMOUNT, TERMINAL)
        auth = LoadAuthorization.from_init(card.serial, init, datetime.now(CHINA))
        out.append(
            {
                "card_serial": card.serial.hex().upper(),
                "algorithm": "DES",
                "key_version": auth.keys.key_version,
                "amount_fen": AMOUNT,
                "balance_fen": auth.balance_fen,
                "online_atc": auth.online_atc,
                "random": auth.random.hex().upper(),
                "mac1": auth.mac1.hex().upper(),
                "card_type": 1,
            }
        )
    return out


@contextmanager
def _locust(
    plan: Path, host: str, users: int, classes: list[str], seconds: int, prefix: Path
) -> Iterator[subprocess.Popen[bytes]]:
    log = prefix.with_suffix(".log")
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
                "--loglevel",
                "WARNING",
                *classes,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, **_env(), "CITYCARD_LOAD_PLAN": str(plan)},
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _stats(prefix: Path) -> dict[str, dict[str, str]]:
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as rows:
        return {row["Name"]: row for row in csv.DictReader(rows)}


def _over_timeout(prefix: Path) -> int:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as rows:
        return sum(
            int(r["Occurrences"])
            for r in csv.DictReader(rows)
            if r["Name"] == "online MAC2" and "imeout" in r["Error"]
        )


class Scenario:
    """One database, its two pools, its enrolled devices and their backlogs."""

    def __init__(
        self,
        server: str,
        name: str,
        directory: Path,
        keystore: Path,
        issuer: IssuerKeySet,
        workers: int,
    ) -> None:
        self.directory = directory / name
        self.directory.mkdir()
        self.db_url = create_database(server, name)
        self.keystore, self.issuer, self.workers = keystore, issuer, workers
        self.stack = ExitStack()
        self.journals: list[Journal] = []
        self.online_devices: list[str] = []

    def __enter__(self) -> Scenario:
        _cli("migrate", "--db", self.db_url)
        roomy = self.directory / "parameters.json"
        roomy.write_text(json.dumps(ROOMY_PARAMETERS))
        _cli("parameters", "--db", self.db_url, "--publish", str(roomy))
        # the bulk pool without issuer keys: the backlogs' TACs are random bytes (bench_sync's
        # journals), which it would set aside; the online pool has the keys for MAC2
        keys = ("--issuer-keystore", str(self.keystore))
        # the bulk pool yields the CPU to the online pool, as the systemd units set it
        self.bulk = self.stack.enter_context(
            _pool(
                self.db_url,
                self.directory / "bulk.log",
                "--no-migrate",
                "--workers",
                str(self.workers),
                nice=5,
            )
        )
        self.online = self.stack.enter_context(
            _pool(
                self.db_url, self.directory / "online.log", "--no-migrate", *keys, "--workers", "1"
            )
        )
        return self

    def __exit__(self, *exc: object) -> None:
        for journal in self.journals:
            journal.close()
        self.stack.close()

    def plan(self, counters: int, records: int, online: int, online_requests: int) -> Path:
        center = open_center(Settings(db_url=self.db_url), migrate_schema=False)
        codes = {f"CTR-{i:04d}": create_code(center, f"CTR-{i:04d}") for i in range(counters)}
        codes |= {f"ONL-{i:04d}": create_code(center, f"ONL-{i:04d}") for i in range(online)}
        center.close()
        document: dict[str, Any] = {"counters": [], "online": [], "online_host": self.online}
        rng = random.Random(16)
        for i in range(counters):
            device_id, terminal = f"CTR-{i:04d}", f"0102{i:08d}"
            key, issued = _enrol(self.bulk, codes[device_id], device_id, terminal)
            keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, key)
            journal = Journal.create(
                self.directory / f"{device_id}.sqlite3", keys, device_id, terminal
            )
            _build(journal, records - 1, rng)
            self.journals.append(journal)
            head = journal.head()[0]
            batches = [
                encode(
                    {"records": [record_json(r) for r in journal.records(after, BATCH)]}
                ).decode()
                for after in range(0, head, BATCH)
            ]
            document["counters"].append(
                {"device_id": device_id, "key": key.secret.hex(), "batches": batches}
            )
        for i in range(online):
            device_id = f"ONL-{i:04d}"
            self.online_devices.append(device_id)
            key, _ = _enrol(self.bulk, codes[device_id], device_id, TERMINAL.hex().upper())
            requests = _online_requests(self.issuer, self.directory / device_id, online_requests)
            document["online"].append(
                {"device_id": device_id, "key": key.secret.hex(), "requests": requests}
            )
        path = self.directory / "plan.json"
        path.write_text(json.dumps(document))
        return path

    def held(self) -> int:
        engine = create_engine(self.db_url)
        with engine.connect() as conn:
            count = conn.scalar(select(func.count()).select_from(RecordRow)) or 0
        engine.dispose()
        return int(count)

    def run(self, plan: Path, online: int, tag: str, cap_seconds: int) -> Outcome:
        total = sum(j.head()[0] for j in self.journals)
        classes = ["BacklogCounter"] + (["OnlineTopUp"] if online else [])
        users = len(self.journals) + online
        prefix = self.directory / tag
        with _locust(plan, self.bulk, users, classes, cap_seconds, prefix) as process:
            while self.held() < total and process.poll() is None:
                time.sleep(0.5)
            time.sleep(2)  # a few blacklist polls and MAC2 after the backlog
        return Outcome(
            total,
            self._rate(),
            _stats(prefix),
            _over_timeout(prefix),
            self.exactly_once(_stats(prefix).get("online MAC2")),
        )

    def _rate(self) -> float:
        engine = create_engine(self.db_url)
        with engine.connect() as conn:
            first, last, count = conn.execute(
                select(
                    func.min(RecordRow.received_at_us),
                    func.max(RecordRow.received_at_us),
                    func.count(),
                )
            ).one()
        engine.dispose()
        span = max((last - first) / 1e6, 1e-3) if count else 1.0
        return float(count) / span

    def exactly_once(self, online_row: dict[str, str] | None) -> str:
        """Raise AssertionError unless every record is held once and the ledger matches."""
        engine = create_engine(self.db_url)
        with engine.connect() as conn:
            for journal in self.journals:
                seqs = conn.scalars(
                    select(RecordRow.seq)
                    .where(RecordRow.device_id == journal.device_id)
                    .order_by(RecordRow.seq)
                ).all()
                assert list(seqs) == list(range(1, journal.head()[0] + 1)), journal.device_id
                loads = conn.scalar(
                    select(func.count())
                    .select_from(CardLedgerRow)
                    .where(CardLedgerRow.device_id == journal.device_id)
                )
                assert loads == (journal.head()[0] - 1) // 2, (journal.device_id, loads)
            assert conn.scalar(select(func.count()).select_from(QuarantineRow)) == 0
            assert conn.scalar(select(func.count()).select_from(TamperAlarmRow)) == 0
            authorised = conn.scalar(select(func.count()).select_from(OnlineLoadRow)) or 0
        engine.dispose()
        if online_row is not None:
            asked = int(online_row["Request Count"])
            answered = asked - int(online_row["Failure Count"])
            # Locust is stopped with SIGTERM: a request in flight then (one per online user at
            # most) is recorded by the center but counted by no one
            in_flight = len(self.online_devices)
            assert answered <= authorised <= asked + in_flight, (answered, authorised, asked)
        held = sum(j.head()[0] for j in self.journals)
        return (
            f"exactly once: {held:,} records held once, ledger = journals, 0 quarantined, "
            f"0 alarms, {authorised} MAC2 recorded"
        )

    def bare(self, plan: Path, seconds: int) -> float:
        prefix = self.directory / "bare"
        with _locust(plan, self.bulk, len(self.journals), ["BarePoster"], seconds, prefix) as proc:
            proc.wait(timeout=seconds + 60)
        row = _stats(prefix).get("bare POST")
        return 0.0 if row is None else float(row["Requests/s"]) * BATCH


def _ms(row: dict[str, str] | None, column: str) -> str:
    return "—" if row is None or row.get(column) in (None, "N/A") else f"{float(row[column]):.0f}"


def run() -> None:
    """Print the figures (see the module docstring)."""
    counters = int(os.environ.get("BENCH_LOAD_COUNTERS", "10"))
    records = int(os.environ.get("BENCH_LOAD_RECORDS", "1000"))
    online = int(os.environ.get("BENCH_LOAD_ONLINE", "4"))
    cap = int(os.environ.get("BENCH_LOAD_CAP_SECONDS", "600"))
    try:
        server_cm = postgres_server()
        server = server_cm.__enter__()
    except PostgresUnavailableError as exc:
        print(f"load bench skipped: {exc}")
        return
    try:
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            directory = Path(tmp)
            issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
            keystore = directory / "issuer.keystore"
            Keystore.create(keystore, PASSPHRASE, issuer.keystore_entries(), KdfParams(1024, 1, 1))
            results: dict[int, Outcome] = {}
            bare = 0.0
            for workers in (2, 1):
                with Scenario(
                    server, f"load{workers}", directory, keystore, issuer, workers
                ) as scenario:
                    users = online  # the same load on both, so that only the workers differ
                    plan = scenario.plan(counters, records, users, 4 * cap)
                    outcome = scenario.run(plan, users, f"w{workers}", cap)
                    results[workers] = outcome
                    row = outcome.stats.get("online MAC2")
                    print(
                        f"{workers} bulk worker(s), {counters} counters × {records:,} records"
                        f"{f' + {users} online' if users else ''}: "
                        f"{outcome.upload_rate:,.0f} records/s uploaded; {outcome.checked}",
                        flush=True,
                    )
                    if row is not None:
                        print(
                            f"  online MAC2 while they upload: {row['Request Count']} asked, "
                            f"p50 {_ms(row, '50%')} ms, p95 {_ms(row, '95%')} ms, "
                            f"p99 {_ms(row, '99%')} ms, max {_ms(row, 'Max Response Time')} ms, "
                            f"{outcome.over_timeout} over the 3 s timeout",
                            flush=True,
                        )
                    polls = outcome.stats.get("blacklist poll")
                    if polls is not None:
                        print(
                            f"  blacklist polls: {polls['Request Count']}, p99 "
                            f"{_ms(polls, '99%')} ms",
                            flush=True,
                        )
                    if workers == 2:
                        bare = scenario.bare(plan, 20)
            up2, up1 = results[2].upload_rate, results[1].upload_rate
            print(
                f"baseline, bare unsigned POSTs of the same bodies ({counters} Locust users): "
                f"{bare:,.0f} records/s"
            )
            print(f"ratio upload / bare POSTs: {up2 / bare if bare else 0:.2f} (issue: ≥ 0.5)")
            print(f"ratio 2 workers / 1 worker: {up2 / up1:.2f} (issue: ≥ 1.6)")
    finally:
        server_cm.__exit__(None, None, None)


if __name__ == "__main__":
    run()
