"""The center restored from an old backup while counters keep working: nothing lost or doubled.

A real ``citycard-center serve`` process on loopback with a SQLite database; two counters with
real journals upload through the real client. ``citycard-center backup`` is taken while the
center runs; the counters then work 1,000 more records (uploaded and acknowledged); the center
is stopped and ``citycard-center restore`` puts the old backup back. At the next sync each
counter sees the center holds less than it had acknowledged, sends the rest again, and at the
end the center's records and card ledger equal the journals, byte for byte and once each, with
one ``center_behind`` alarm per counter.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal, JournalKeys, Outcome, RecordKind
from app.sync import ClientSettings, LoopSettings, SyncLoop
from app.sync.client import CenterClient
from app.sync.uploader import Uploader
from tests.sync.support import (
    ROOT,
    CenterProcess,
    append_top_ups,
    enrolment_code,
    free_port,
)

DEVICES = ("DEV-A", "DEV-B")
TERMINALS = {"DEV-A": "0102030405A1", "DEV-B": "0102030405B2"}  # each counter its own SAM
BEFORE_BACKUP = 300
AFTER_BACKUP = 1_000  # in all, both counters together


def _center_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clearing.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def _enrol(
    base: str, db_url: str, device_id: str, directory: Path
) -> tuple[Journal, Sm2PrivateKey]:
    device_key = Sm2PrivateKey.generate()
    with CenterClient(ClientSettings(base)) as client:
        enrolment = client.enrol(
            enrolment_code(db_url, device_id), device_id, TERMINALS[device_id], device_key
        )
    issued = enrolment.journal_key
    keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key)
    return Journal.create(
        directory / f"{device_id}.sqlite3", keys, device_id, TERMINALS[device_id]
    ), device_key


def _upload_all(base: str, journal: Journal, device_key: Sm2PrivateKey):
    with CenterClient(ClientSettings(base), journal.device_id, device_key) as client:
        run = Uploader(client, journal, checkpoint_every=None).upload()
    assert run.complete and journal.acknowledged_seq() == journal.head()[0], run
    return run


def _center_copy(db_path: Path, device_id: str) -> list[tuple[int, bytes]]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT seq, mac FROM journal_record WHERE device_id = ? ORDER BY seq", (device_id,)
        ).fetchall()
    return [(int(s), bytes(m)) for s, m in rows]


def _center_ledger(db_path: Path, device_id: str) -> list[tuple[int, str, int]]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT seq, card_serial, amount_fen FROM card_ledger WHERE device_id = ? "
            "AND kind = 'load' ORDER BY seq",
            (device_id,),
        ).fetchall()
    return [(int(s), str(c), int(a)) for s, c, a in rows]


def _journal_ledger(journal: Journal) -> list[tuple[int, str, int]]:
    return [
        (r.seq, str(r.card_serial), int(r.amount_fen or 0))
        for r in journal.records_of_kinds(RecordKind.LOAD_OUTCOME)
        if r.payload_dict().get("outcome") == Outcome.DONE
    ]


def test_a_center_restored_from_an_old_backup_gets_every_record_once(tmp_path):
    rng = random.Random(19)
    db_path = tmp_path / "center.sqlite3"
    db_url = f"sqlite:///{db_path}"
    center = CenterProcess(db_url, free_port(), tmp_path / "center.log")
    counters: dict[str, tuple[Journal, Sm2PrivateKey]] = {}
    with center:
        for device_id in DEVICES:
            counters[device_id] = _enrol(center.base, db_url, device_id, tmp_path)
            journal, key = counters[device_id]
            append_top_ups(journal, rng, BEFORE_BACKUP)
            _upload_all(center.base, journal, key)
        backup = tmp_path / "center-backup.sqlite3"
        made = _center_cli("backup", "--db", db_url, "--out", str(backup))  # the center runs
        assert made.returncode == 0, made.stderr
        at_backup = {d: counters[d][0].head()[0] for d in DEVICES}
        # the counters keep working: 1,000 records in all, uploaded and acknowledged
        for _ in range(AFTER_BACKUP // 100):
            for device_id in DEVICES:
                journal, key = counters[device_id]
                append_top_ups(journal, rng, 50, chunk=50)
                _upload_all(center.base, journal, key)
        assert sum(counters[d][0].head()[0] - at_backup[d] for d in DEVICES) == AFTER_BACKUP
        center.stop()
        refused = _center_cli("restore", "--db", db_url, "--from", str(backup))
        assert refused.returncode == 1 and "--yes" in refused.stderr  # not without saying so
        restored = _center_cli("restore", "--db", db_url, "--from", str(backup), "--yes")
        assert restored.returncode == 0, restored.stderr
        for device_id in DEVICES:
            assert _center_copy(db_path, device_id)[-1][0] == at_backup[device_id]
        center.start()

        # device A: the sync loop (what the counter runs); device B: the uploader alone
        journal, key = counters["DEV-A"]
        with CenterClient(ClientSettings(center.base), "DEV-A", key) as client:
            loop = SyncLoop(client, journal, settings=LoopSettings(checkpoint_every=None))
            status = loop.run_once()
        assert journal.acknowledged_seq() == journal.head()[0]
        assert status.last_error is not None and "lost" in str(status.last_error)
        assert f"{at_backup['DEV-A'] + 1} to {journal.head()[0]}" in str(status.last_error)
        journal, key = counters["DEV-B"]
        run = _upload_all(center.base, journal, key)
        assert run.center_behind == (at_backup["DEV-B"], journal.head()[0])
        assert run.accepted == journal.head()[0] - at_backup["DEV-B"] and run.duplicates == 0
        # a second sync finds nothing to do and raises nothing new
        again = _upload_all(center.base, journal, key)
        assert again.center_behind is None and again.accepted == 0

    # the center equals the journals: every record once, byte for byte; the ledger the same
    for device_id in DEVICES:
        journal, _key = counters[device_id]
        held = _center_copy(db_path, device_id)
        assert held == [(r.seq, r.mac) for r in journal.records()], device_id
        assert _center_ledger(db_path, device_id) == _journal_ledger(journal), device_id
        journal.close()
    alarms = [
        json.loads(line) for line in _center_cli("alarms", "--db", db_url).stdout.splitlines()
    ]
    behind = [
        a for a in alarms if a.get("type") == "tamper_alarm" and "center_behind" in a["reason"]
    ]
    assert sorted(a["device_id"] for a in behind) == list(DEVICES)
    assert all(a["seq"] == at_backup[a["device_id"]] + 1 for a in behind)
