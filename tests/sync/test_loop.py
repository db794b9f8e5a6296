"""SyncLoop and SyncStatus with the real center in a thread, the real journal and counter store."""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.parameters import Parameters
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.store import blacklist as store_blacklist
from app.store import parameters as store_parameters
from app.store.database import Store
from app.sync import (
    CenterClient,
    ClientSettings,
    Connection,
    LoopSettings,
    PendingMoney,
    StoreBlacklist,
    StoreParameters,
    SyncLoop,
    SyncStatus,
    Uploader,
)
from app.sync.lists import counter_parameters
from app.sync.models import BlacklistDelta
from app.sync.status import PendingTally
from tests.sync.support import TERMINAL_ID, append_top_ups, center_thread, enrol, free_port

FAST_CLIENT = {
    "backoff_factor": 0.01,
    "backoff_max": 0.05,
    "connect_timeout": 1.0,
    "read_timeout": 2.0,
}
QUICK = LoopSettings(interval=3600, min_backoff=0.05, max_backoff=0.2, checkpoint_every=None)


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def load(journal: Journal, amount: int, method: str, outcome: str | None = "done") -> None:
    """One top-up as the service journals it (``outcome`` None: grey, no outcome yet)."""
    intent = journal.append(
        Entry(
            RecordKind.LOAD_INTENT,
            operator="op1",
            shift_id=1,
            card_serial="3100000000000042",
            amount_fen=amount,
            payment_method=method,
            balance_before_fen=0,
            atc=1,
            mac1=b"\x01\x02\x03\x04",
        )
    )
    if outcome == "done":
        journal.append(
            Entry(
                RecordKind.LOAD_OUTCOME,
                operator="op1",
                shift_id=1,
                card_serial="3100000000000042",
                amount_fen=amount,
                payment_method=method,
                balance_before_fen=0,
                balance_after_fen=amount,
                atc=1,
                tac=b"\x0a\x0b\x0c\x0d",
                intent_seq=intent.seq,
                payload={"outcome": "done"},
            )
        )
    elif outcome == "not_done":
        journal.append(
            Entry(
                RecordKind.LOAD_OUTCOME,
                operator="op1",
                shift_id=1,
                card_serial="3100000000000042",
                balance_after_fen=0,
                atc=1,
                intent_seq=intent.seq,
                payload={"outcome": "not_done"},
            )
        )


@pytest.fixture
def center(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(db_url) as base:
        yield base, db_url


def test_status_offline_with_pending_money_then_online_with_lists(center, tmp_path):
    base, db_url = center
    enrolled = enrol(base, db_url, **FAST_CLIENT)
    journal = Journal.create(tmp_path / "journal.sqlite3", enrolled.keys, "DEV-1", TERMINAL_ID)
    first_at = datetime.now(UTC)
    load(journal, 1_000, "cash")
    load(journal, 2_000, "cash")
    load(journal, 5_000, "cash")
    load(journal, 10_000, "wechat")
    load(journal, 30_000, "alipay", outcome="not_done")
    load(journal, 40_000, "alipay", outcome=None)  # grey: money not counted as moved
    store = Store.create(tmp_path / "counter.sqlite3")
    # offline first: nothing listens on this port
    dead = CenterClient(
        ClientSettings(f"http://127.0.0.1:{free_port()}", **FAST_CLIENT),
        "DEV-1",
        enrolled.keys.device_key,
    )
    seen: list[SyncStatus] = []
    threads: set[str] = set()

    def on_status(status: SyncStatus) -> None:
        seen.append(status)
        threads.add(threading.current_thread().name)

    offline = SyncLoop(
        dead,
        journal,
        blacklist=StoreBlacklist(store),
        parameters=StoreParameters(store),
        settings=QUICK,
        on_status=on_status,
    )
    assert offline.status().connection is Connection.UNKNOWN
    offline.start()
    wait_for(lambda: offline.status().connection is Connection.OFFLINE)
    status = offline.status()
    assert offline.stop(2)
    assert threads == {"citycard-sync"}
    assert status.pending_count == 12 and status.head_seq == 12 and status.acknowledged_seq == 0
    assert status.pending_by_method == {
        "cash": PendingMoney(3, 8_000),
        "wechat": PendingMoney(1, 10_000),
    }
    assert status.pending_amount_fen == 18_000
    assert status.oldest_pending_at is not None
    assert first_at - timedelta(seconds=1) <= status.oldest_pending_at <= first_at
    age = status.oldest_pending_age(status.oldest_pending_at + timedelta(minutes=5))
    assert age == timedelta(minutes=5)
    assert status.last_error is not None and "connection refused" in status.last_error
    assert status.last_error[0].isupper() and status.advice and not status.online
    assert status.next_attempt_at is not None and status.last_success_at is None
    assert status.blacklist_version is None and status.blacklist_age() is None
    dead.close()

    # online: everything goes up, the lists come down into the counter store
    report = enrolled.client.report_loss("3100000000000777")
    store_blacklist.add(store, "3100000000000888", "lost", 1, source="local")
    every_cycle = replace(QUICK, blacklist_interval=0.0)
    loop = SyncLoop(
        enrolled.client,
        journal,
        blacklist=StoreBlacklist(store),
        parameters=StoreParameters(store),
        settings=every_cycle,
    )
    loop.start()
    try:
        wait_for(lambda: loop.cycles >= 1)
        status = loop.status()
        assert status.connection is Connection.ONLINE and status.online
        assert status.pending_count == 0 and status.pending_by_method == {}
        assert status.oldest_pending_at is None and status.acknowledged_seq == 12
        assert status.last_error is None and status.alarm is None and status.advice is None
        assert status.last_success_at is not None and status.since_last_success() is not None
        assert status.blacklist_version == report.blacklist_version == 1
        assert status.blacklist_checked_at is not None
        assert status.blacklist_age(status.blacklist_checked_at) == timedelta(0)
        assert status.parameters_version == 1
        assert journal.acknowledged_seq() == 12
        listed = store_blacklist.lookup(store, "3100000000000777")
        assert listed is not None and listed.source == "center"
        assert store_parameters.current(store).version == 1
        assert store_parameters.current(store).brakes.per_load_cap_fen == 20_000

        # a cancelled report comes off the list; a local report stays whatever the center says
        enrolled.client.cancel_loss(report.id, "DEV-L#7")
        loop.sync_now()
        wait_for(lambda: loop.status().blacklist_version == 2)
        assert store_blacklist.lookup(store, "3100000000000777") is None
        assert store_blacklist.lookup(store, "3100000000000888") is not None

        # new records are sent as soon as someone asks
        load(journal, 3_000, "bank_card")
        loop.sync_now()
        wait_for(lambda: loop.status().acknowledged_seq == 14)
        assert loop.status().pending_count == 0
    finally:
        assert loop.stop(5)


def test_stop_returns_promptly_while_offline_and_while_a_call_hangs(tmp_path):
    keys = JournalKeys.generate()
    journal = Journal.create(tmp_path / "journal.sqlite3", keys, "DEV-1", TERMINAL_ID)
    load(journal, 1_000, "cash")
    dead = CenterClient(
        ClientSettings(f"http://127.0.0.1:{free_port()}", **FAST_CLIENT), "DEV-1", keys.device_key
    )
    loop = SyncLoop(dead, journal, settings=LoopSettings(min_backoff=60, max_backoff=600))
    loop.start()
    wait_for(lambda: loop.status().connection is Connection.OFFLINE)
    started = time.monotonic()
    assert loop.stop(timeout=5)
    assert time.monotonic() - started < 0.5
    assert not loop.running
    # a center that accepts and never answers: stop waits for that call's read timeout at most
    import socket  # noqa: PLC0415

    hung = socket.create_server(("127.0.0.1", 0))
    settings = ClientSettings(
        f"http://127.0.0.1:{hung.getsockname()[1]}", **{**FAST_CLIENT, "read_timeout": 1.0}
    )
    client = CenterClient(settings, "DEV-1", keys.device_key)
    loop = SyncLoop(client, journal, settings=QUICK)
    loop.start()
    time.sleep(0.2)  # the first call is in flight
    started = time.monotonic()
    assert loop.stop(timeout=5)
    assert time.monotonic() - started < 1.5  # no retries once stopping
    hung.close()


def test_a_tamper_alarm_stops_uploading_but_not_the_lists(center, tmp_path):
    base, db_url = center
    enrolled = enrol(base, db_url, **FAST_CLIENT)
    with Journal.create(tmp_path / "a.sqlite3", enrolled.keys, "DEV-1", TERMINAL_ID) as genuine:
        load(genuine, 1_000, "cash")
        Uploader(enrolled.client, genuine, checkpoint_every=None).upload()
    time.sleep(0.01)
    forged = Journal.create(tmp_path / "b.sqlite3", enrolled.keys, "DEV-1", TERMINAL_ID)
    load(forged, 9_000, "cash")
    lists = MemorySinks()
    loop = SyncLoop(enrolled.client, forged, blacklist=lists, settings=QUICK)
    loop.start()
    try:
        wait_for(lambda: loop.cycles >= 1)
        status = loop.status()
        assert status.alarm is not None and "tamper alarm" in status.alarm
        assert status.advice is not None and "supervisor" in status.advice
        assert status.connection is Connection.ONLINE and status.blacklist_version == 0
        assert forged.acknowledged_seq() == 0 and status.pending_count == 3
        loop.resume_upload()  # the supervisor says go on: it fails the same way
        wait_for(lambda: loop.cycles >= 2)
        assert loop.status().alarm is not None
    finally:
        assert loop.stop(5)


def test_a_journal_older_than_the_center_raises_an_alarm(center, tmp_path):
    base, db_url = center
    enrolled = enrol(base, db_url, **FAST_CLIENT)
    path = tmp_path / "journal.sqlite3"
    journal = Journal.create(path, enrolled.keys, "DEV-1", TERMINAL_ID)
    load(journal, 1_000, "cash")
    journal.close()
    shutil.copy(path, tmp_path / "old.sqlite3")
    journal = Journal.open(path, enrolled.keys)
    load(journal, 2_000, "cash")
    Uploader(enrolled.client, journal, checkpoint_every=None).upload()
    journal.close()
    old = Journal.open(tmp_path / "old.sqlite3", enrolled.keys)
    loop = SyncLoop(enrolled.client, old, settings=QUICK)
    loop.start()
    try:
        wait_for(lambda: loop.cycles >= 1)
        alarm = loop.status().alarm
        assert alarm is not None and "up to seq 5" in alarm and "ends at seq 3" in alarm
    finally:
        assert loop.stop(5)


def test_the_uploader_follows_the_center_cursor_both_ways(center, tmp_path):
    base, db_url = center
    enrolled = enrol(base, db_url, **FAST_CLIENT)
    journal = Journal.create(tmp_path / "journal.sqlite3", enrolled.keys, "DEV-1", TERMINAL_ID)
    append_top_ups(journal, random.Random(5), 1_200)
    # an answer lost in a crash: the center holds 500, the local cursor says nothing; the
    # records are sent again (confirmed as duplicates) before the cursor moves over them
    enrolled.client.upload_batch(journal.records(0, 500))
    uploader = Uploader(enrolled.client, journal, batch_size=300, checkpoint_every=0.0)
    assert uploader.reconcile() == 0 and journal.acknowledged_seq() == 0
    run = uploader.upload()
    assert run.complete and run.duplicates == 500 and run.accepted == 701
    assert run.batches == 6  # 5 batches of records, then the signed upload checkpoint
    assert journal.checkpoints()[-1].reason == "upload"
    assert enrolled.client.cursor().acknowledged_seq == journal.head()[0] == 1_201


class MemorySinks:
    def __init__(self) -> None:
        self.version = 0
        self.deltas: list[BlacklistDelta] = []

    def blacklist_version(self) -> int:
        return self.version

    def apply_blacklist(self, delta: BlacklistDelta) -> None:
        self.deltas.append(delta)
        self.version = delta.version


def test_the_pending_tally_matches_a_full_count(tmp_path):
    rng = random.Random(11)
    journal = Journal.create(tmp_path / "j.sqlite3", JournalKeys.generate(), "D", TERMINAL_ID)
    tally = PendingTally(journal)
    tally.PAGE = 37  # pages end inside the ranges
    for _ in range(12):
        append_top_ups(journal, rng, rng.randrange(1, 150), chunk=60)
        head = journal.head()[0]
        acked = rng.randrange(journal.acknowledged_seq(), head + 1)
        journal.acknowledge(acked)
        expected: dict[str, list[int]] = {}
        for r in journal.records(acked):
            if r.kind == "load_outcome" and r.amount_fen is not None:
                e = expected.setdefault(str(r.payment_method), [0, 0])
                e[0] += 1
                e[1] += r.amount_fen
        assert tally.refresh(acked) == {m: PendingMoney(c, a) for m, (c, a) in expected.items()}
    assert tally.refresh(0) == PendingTally(journal).refresh(0)  # going back: counted afresh


def test_center_parameters_become_counter_parameters():
    from app.sync.models import CenterCardType, CenterOfflineBrakes, CenterParameters  # noqa: PLC0415

    center = CenterParameters(
        version=4,
        published_at=datetime.now(UTC),
        card_types=(
            CenterCardType(1, "普通卡", 1_000, 50_000, 1_000),
            CenterCardType(9, "新卡", 500, 5_000, 500),
        ),
        balance_ceiling_fen=100_000,
        replacement_fee_fen=2_500,
        exchange_fee_fen=1_000,
        refund_fee_fen=300,
        offline=CenterOfflineBrakes(20_000, 200_000, 50, 3_600),
        replacement_waiting_days=5,
    )
    base = Parameters.default()
    converted = counter_parameters(center, base)
    assert converted.version == 4 and converted.issuer_codes == base.issuer_codes
    ordinary = converted.card_type(1)
    assert ordinary is not None and ordinary.deposit_fen == 2_000  # kept from the local rules
    assert ordinary.max_load_fen == 50_000 and ordinary.balance_ceiling_fen == 100_000
    new = converted.card_type(9)
    assert new is not None and new.deposit_fen == 0 and new.refund_fee_fen == 300
    assert converted.brakes.max_unsynced_age_s == 3_600 and converted.replacement_fee_fen == 2_500
    assert converted.card_type(2) is None
    from app.domain.parameters import ParametersError  # noqa: PLC0415

    with pytest.raises(ParametersError):
        counter_parameters(replace(center, card_types=(CenterCardType(1, "x", 0, 5, 1),)), base)


def test_a_key_rotation_travels_with_its_records(center, tmp_path):
    base, db_url = center
    enrolled = enrol(base, db_url, **FAST_CLIENT)
    journal = Journal.create(tmp_path / "journal.sqlite3", enrolled.keys, "DEV-1", TERMINAL_ID)
    load(journal, 1_000, "cash")
    issued = enrolled.client.rotate_key()
    keys = JournalKeys(
        {**enrolled.keys.mac_keys, issued.key_id: issued.key},
        issued.key_id,
        enrolled.keys.device_key,
    )
    journal.rotate_key(keys)
    load(journal, 2_000, "wechat")
    run = Uploader(enrolled.client, journal).upload()
    assert run.complete and run.acknowledged_seq == 6
    assert enrolled.client.cursor().next_key_id == issued.key_id
