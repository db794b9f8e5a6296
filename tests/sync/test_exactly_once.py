"""Exactly once, with real processes on loopback.

A real `citycard-center serve` process, a device enrolled through the client, a real journal of
10,000 records (top-ups as the service journals them, some not done, some grey), and the
background SyncLoop uploading through a fault-injecting proxy (tests/sync/faultproxy.py) while
a killer SIGKILLs and restarts the center several times in the middle of batches and 2,000 of
the records are appended while the upload runs. At the end the center holds every record
exactly once and byte for byte, its ledger and settlement equal the journal's totals, nothing
is quarantined, no tamper alarm was raised, and the counter's cursor is the journal's head.

The seed is printed (pytest shows it on failure); ``SYNC_TEST_SEED=n`` replays a run.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta, timezone

import pytest

from app.journal import Journal
from app.journal.records import from_micros
from app.sync import ClientSettings, Connection, LoopSettings, SyncLoop
from app.sync.client import CenterClient
from app.sync.models import BlacklistDelta, CenterParameters
from tests.sync.faultproxy import FAULTS, FaultPlan, FaultProxy
from tests.sync.support import (
    TERMINAL_ID,
    CenterProcess,
    append_top_ups,
    enrolment_code,
    free_port,
)

pytestmark = pytest.mark.slow

RECORDS_BEFORE = 8_000
RECORDS_DURING = 2_000
KILLS = 4
CST = timezone(timedelta(hours=8))


class MemoryLists:
    """Blacklist and parameter sinks that remember what they were given."""

    def __init__(self) -> None:
        self.version = 0
        self.cards: set[str] = set()
        self.parameters: CenterParameters | None = None

    def blacklist_version(self) -> int:
        return self.version

    def apply_blacklist(self, delta: BlacklistDelta) -> None:
        if delta.full:
            self.cards = set()
        self.cards -= set(delta.removed)
        self.cards |= set(delta.added)
        self.version = delta.version

    def parameters_version(self) -> int:
        return 0 if self.parameters is None else self.parameters.version

    def apply_parameters(self, parameters: CenterParameters) -> None:
        self.parameters = parameters


def _killer(center: CenterProcess, proxy: FaultProxy, rng: random.Random, log: list[str]) -> None:
    """SIGKILL the center while a batch is at it, KILLS times, restarting it after each."""
    for number in range(KILLS):
        time.sleep(rng.uniform(0.3, 1.2))
        mid_batch = proxy.upload_in_flight.wait(timeout=15)
        time.sleep(rng.uniform(0, 0.04))
        center.kill()
        log.append(f"kill {number + 1}: {'mid-batch' if mid_batch else 'between batches'}")
        time.sleep(rng.uniform(0.1, 0.6))
        center.start()


def test_every_record_reaches_the_center_exactly_once(tmp_path):
    seed = int(os.environ.get("SYNC_TEST_SEED", random.randrange(1 << 32)))
    print(f"exactly-once seed={seed} (SYNC_TEST_SEED={seed} replays it)")
    rng = random.Random(seed)
    started = time.monotonic()
    db_path = tmp_path / "center.sqlite3"
    db_url = f"sqlite:///{db_path}"
    code = enrolment_code(db_url, "DEV-7")
    center = CenterProcess(db_url, free_port(), tmp_path / "center.log")
    kills: list[str] = []
    with center:
        # enrol directly, as on the first day; then everything goes through the proxy
        from app.crypto.sm2 import Sm2PrivateKey  # noqa: PLC0415
        from app.journal import JournalKeys  # noqa: PLC0415

        device_key = Sm2PrivateKey.generate()
        with CenterClient(ClientSettings(center.base)) as direct:
            enrolment = direct.enrol(code, "DEV-7", TERMINAL_ID, device_key)
            report = direct.report_loss("3100000000000399", "lost on the bus")
        issued = enrolment.journal_key
        keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key)
        journal = Journal.create(tmp_path / "journal.sqlite3", keys, "DEV-7", TERMINAL_ID)
        append_top_ups(journal, rng, RECORDS_BEFORE)
        built = time.monotonic()

        with FaultProxy(center.port, seed, FaultPlan(delay_seconds=1.8)) as proxy:
            settings = ClientSettings(
                proxy.base,
                connect_timeout=1.0,
                read_timeout=1.5,
                upload_read_timeout=1.5,
                retries=3,
                backoff_factor=0.05,
                backoff_max=0.5,
            )
            client = CenterClient(settings, "DEV-7", device_key)
            lists = MemoryLists()
            loop = SyncLoop(
                client,
                journal,
                blacklist=lists,
                parameters=lists,
                settings=LoopSettings(
                    batch_size=500,
                    interval=0.5,
                    blacklist_interval=0.5,
                    parameters_interval=2.0,
                    min_backoff=0.1,
                    max_backoff=1.0,
                    checkpoint_every=0.0,
                ),
                rng=random.Random(seed),
            )
            killer = threading.Thread(
                target=_killer, args=(center, proxy, random.Random(seed + 1), kills), daemon=True
            )
            loop.start()
            killer.start()
            for _ in range(RECORDS_DURING // 200):
                append_top_ups(journal, rng, 200, chunk=200)
                loop.sync_now()
                time.sleep(rng.uniform(0, 0.3))
            killer.join(timeout=90)
            assert not killer.is_alive(), "the killer did not finish"
            head = journal.head()[0]
            deadline = time.monotonic() + 90
            while journal.acknowledged_seq() < head and time.monotonic() < deadline:
                loop.sync_now()
                time.sleep(0.2)
            # one more clean cycle (no faults) so the final status and checkpoint are settled
            proxy.enabled = False
            cycles = loop.cycles
            loop.sync_now()
            while loop.cycles <= cycles + 1 and time.monotonic() < deadline:
                loop.sync_now()
                time.sleep(0.1)
            status = loop.status()
            assert loop.stop(timeout=10), "the sync loop did not stop"
            client.close()
            faults = dict(proxy.counts)
        uploaded = time.monotonic()

        # the counter's side
        assert journal.acknowledged_seq() == head == RECORDS_BEFORE + RECORDS_DURING + 1
        assert journal.pending() == (0, None)
        assert status.connection is Connection.ONLINE and status.pending_count == 0
        assert status.pending_by_method == {} and status.alarm is None, status
        assert status.acknowledged_seq == head and status.last_error is None, status
        assert lists.cards == {"3100000000000399"} and lists.parameters is not None
        assert status.blacklist_version == report.blacklist_version

        # the center's settlement (its own API) against the journal
        records = journal.records()
        done = [r for r in records if r.kind == "load_outcome" and '"done"' in r.payload]
        with CenterClient(ClientSettings(center.base), "DEV-7", device_key) as direct:
            days = sorted(
                {from_micros(r.at_us).astimezone(CST).date().isoformat() for r in records}
            )
            settled: Counter[str] = Counter()
            counted: Counter[str] = Counter()
            grey = 0
            for day in days:
                settlement = direct.settlement(day)
                grey += len(settlement.grey)
                for line in settlement.totals:
                    if line.kind == "load_done":
                        settled[str(line.payment_method)] += line.amount_fen
                        counted[str(line.payment_method)] += line.count
        expected: Counter[str] = Counter()
        expected_count: Counter[str] = Counter()
        for r in done:
            expected[str(r.payment_method)] += int(r.amount_fen or 0)
            expected_count[str(r.payment_method)] += 1
        assert settled == expected and counted == expected_count
        assert grey == len(journal.open_intents())
        totals = journal.totals()
        journal.close()
    # the center's database, after a clean shutdown
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT seq, kind, amount_fen, payment_method, prev_mac, mac FROM journal_record "
            "WHERE device_id = 'DEV-7' ORDER BY seq"
        ).fetchall()
        assert [r[0] for r in rows] == list(range(1, head + 1))  # each once, none missing
        assert rows == [
            (r.seq, r.kind, r.amount_fen, r.payment_method, r.prev_mac, r.mac) for r in records
        ]
        assert db.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM tamper_alarm").fetchone() == (0,)
        ledger = db.execute(
            "SELECT payment_method, count(*), sum(amount_fen), count(DISTINCT seq) "
            "FROM card_ledger WHERE device_id = 'DEV-7' GROUP BY payment_method"
        ).fetchall()
        assert {m: (n, s) for m, n, s, _ in ledger} == {
            m: (expected_count[m], expected[m]) for m in expected
        }
        assert all(n == distinct for _, n, _, distinct in ledger)
        by_kind: dict[str, int] = defaultdict(int)
        for _seq, kind, amount, *_ in rows:
            by_kind[kind] += amount or 0
        assert dict(by_kind) == {k: v for k, v in totals.items()}
        last_cp = db.execute(
            "SELECT seq, totals FROM device_checkpoint WHERE device_id = 'DEV-7' "
            "ORDER BY number DESC LIMIT 1"
        ).fetchone()
        assert last_cp[0] == head  # the journal's signed head and totals, accepted by the center
        assert db.execute("SELECT head_seq FROM device WHERE device_id = 'DEV-7'").fetchone() == (
            head,
        )
    assert center.starts == KILLS + 1 and len(kills) == KILLS
    assert sum("mid-batch" in k for k in kills) >= 2, kills
    assert all(faults.get(kind, 0) >= 1 for kind in FAULTS), faults
    print(
        f"exactly-once: {head} records; build {built - started:.1f} s, upload under faults "
        f"{uploaded - built:.1f} s; faults {faults}; {'; '.join(kills)}"
    )
