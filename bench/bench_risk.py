"""Risk rules benchmark: what running the rules after every batch adds to ingesting it.

``python -m bench risk`` builds, per device, a journal of top-ups and purse payments over
``BENCH_RISK_CARDS`` cards (default 2,000) and ``BENCH_RISK_RECORDS`` records in all (default
20,000, three devices), then ingests it into two fresh SQLite centers in batches of 500:

1. Baseline: :func:`clearing.ingest.ingest` alone (verify, store, ledger).
2. With rules: the same, then :func:`clearing.observe.batch_taken` (metrics and every rule over
   the cards, clerks and device the batch touched), as the upload route does.

The ratio (2)/(1) is the price of the rules per batch. Both runs see the same records.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.crypto.sm2 import Sm2PrivateKey, sm2_decrypt
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.journal.records import record_json
from clearing.center import Center, open_center
from clearing.enrolment import create_code, enrol
from clearing.ingest import ingest
from clearing.metrics import CenterMetrics
from clearing.observe import batch_taken
from clearing.schemas import BatchIn, EnrolIn
from clearing.settings import Settings

DEVICES = ("BENCH-A", "BENCH-B", "BENCH-C")
BATCH = 500


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def _journals(
    tmp: Path, center: Center, records: int, cards: int
) -> dict[str, list[dict[str, Any]]]:
    """Per device, the journal's records as upload objects."""
    rng = random.Random(18)
    clock = _Clock()
    balances = dict.fromkeys(range(cards), 0)
    atcs = dict.fromkeys(range(cards), 0)
    journals: dict[str, Journal] = {}
    for number, device_id in enumerate(DEVICES):
        key = Sm2PrivateKey.generate()
        terminal = f"01020304050{number}"
        answer = enrol(
            center,
            EnrolIn(
                code=create_code(center, device_id),
                device_id=device_id,
                terminal_id=terminal,
                public_key=key.public_key.hex().upper(),
            ),
        )
        secret = sm2_decrypt(key, bytes.fromhex(answer.wrapped_key))
        keys = JournalKeys({answer.key_id: secret}, answer.key_id, key)
        journals[device_id] = Journal.create(tmp / f"{device_id}.sqlite3", keys, device_id,
                                             terminal, clock)  # fmt: skip
    for _ in range(records // 2):
        device_id = rng.choice(DEVICES)
        card = rng.randrange(cards)
        serial = f"33{card:014d}"
        journal = journals[device_id]
        before = balances[card]
        buying = before >= 500 and rng.random() < 0.4
        amount = rng.randrange(1, before // 100) * 100 if buying else rng.choice((1_000, 5_000))
        kind = RecordKind.PURCHASE_INTENT if buying else RecordKind.LOAD_INTENT
        intent = journal.append(
            Entry(
                kind,
                operator=f"{device_id}-op",
                shift_id=1,
                card_serial=serial,
                amount_fen=amount,
                payment_method="purse" if buying else "cash",
                balance_before_fen=before,
                atc=atcs[card],
                payload={"mac_path": "center"},
            )
        )
        after = before - amount if buying else before + amount
        outcome = RecordKind.PURCHASE_OUTCOME if buying else RecordKind.LOAD_OUTCOME
        journal.append(
            Entry(
                outcome,
                operator=f"{device_id}-op",
                shift_id=1,
                card_serial=serial,
                balance_after_fen=after,
                tac=bytes(4),
                intent_seq=intent.seq,
                payload={"outcome": "done"},
            )
        )
        balances[card] = after
        if not buying:
            atcs[card] += 1
        clock.now += timedelta(seconds=rng.randrange(5, 60))
    lines = {d: [record_json(r) for r in j.records()] for d, j in journals.items()}
    for journal in journals.values():
        journal.close()
    return lines


def _ingest_all(center: Center, lines: dict[str, list[dict[str, Any]]], rules: bool) -> float:
    metrics = CenterMetrics()
    batches = [
        (device_id, BatchIn.model_validate({"records": device_lines[i : i + BATCH]}))
        for device_id, device_lines in lines.items()
        for i in range(0, len(device_lines), BATCH)
    ]
    batches.sort(key=lambda b: b[1].records[0].at_us)  # the devices take turns, as in a day
    start = time.perf_counter()
    for device_id, batch in batches:
        result = ingest(center, device_id, batch)
        if rules:
            batch_taken(center, metrics, device_id, batch, result)
    return time.perf_counter() - start


def run() -> None:
    """Print both runs and their ratio."""
    records = int(os.environ.get("BENCH_RISK_RECORDS", "20000"))
    cards = int(os.environ.get("BENCH_RISK_CARDS", "2000"))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        results: dict[str, float] = {}
        for label, rules in (("baseline (ingest only)", False), ("with risk rules", True)):
            clock = _Clock()
            center = open_center(Settings(db_url=f"sqlite:///{tmp / label[:4]}.sqlite3",
                                          clock=clock, risk_sweep_interval=None))  # fmt: skip
            try:
                (tmp / label[:4]).mkdir()
                lines = _journals(tmp / label[:4], center, records, cards)
                total = sum(len(v) for v in lines.values())
                results[label] = _ingest_all(center, lines, rules)
                alarms: int | None = 0
                if rules:
                    from sqlalchemy import func, select  # noqa: PLC0415

                    from clearing.risk.models import RiskAlarmRow  # noqa: PLC0415

                    with center.sessions.begin() as session:
                        alarms = session.scalar(select(func.count()).select_from(RiskAlarmRow))
                print(f"{label:24s} {total:7d} records  {results[label]:7.2f} s  "
                      f"{total / results[label]:8.0f} records/s"
                      + (f"  alarms raised: {alarms}" if rules else ""))  # fmt: skip
            finally:
                center.close()
        ratio = results["with risk rules"] / results["baseline (ingest only)"]
        print(f"ratio with rules / baseline: {ratio:.2f}")
