"""Sync benchmark: uploading a journal backlog to a real center process over loopback.

``python -m bench sync`` starts ``citycard-center serve`` on a fresh SQLite database, enrols a
device through the client, builds a journal of ``BENCH_SYNC_RECORDS`` records (default
100,000: top-ups as the service journals them) and measures:

1. Upload: ``Uploader.upload`` from seq 0 to the head in batches of ``BENCH_SYNC_BATCH``
   (default 500, the sync loop's): journal reads, JSON, SM2 signature per request, the
   center's verification (signature, nonce, chain, MAC of every record) and storage, the
   answer checked. Records per second.
2. The same again from seq 0 (every record a duplicate: the cost of an upload whose answers
   were lost).
3. Baseline: a bare ``requests`` loop POSTing the very same bodies to the same server without
   signing or checking anything, to the same path unsigned — the center reads and JSON-parses
   the body and answers 401 before any verification or storage: transport and parsing only.
4. The client's own share: building the bodies and signing them, without sending.

The ratio upload/baseline says what the verified, stored, exactly-once upload costs over just
moving the bytes.
"""

from __future__ import annotations

import functools
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from app.crypto.request_signing import sign_request
from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.sync import CenterClient, ClientSettings, Uploader
from app.sync.wire import encode, record_json

ROOT = Path(__file__).resolve().parent.parent
DEVICE_ID = "BENCH-1"
TERMINAL_ID = "0102030405A1"
METHODS = ("cash", "wechat", "alipay", "bank_card")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "clearing.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


@contextmanager
def _center(
    db_url: str, log: Path, *extra: str, env: dict[str, str] | None = None, nice: int = 0
) -> Iterator[str]:
    """``citycard-center serve`` on a free port until it answers (``nice``: its CPU priority)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clearing.cli",
                "serve",
                "--db",
                db_url,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                *extra,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            preexec_fn=functools.partial(os.nice, nice) if nice else None,  # noqa: PLW1509
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the center exited: {log.read_text()}")
            try:
                if requests.get(f"{base}/v1/time", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the center did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _build(journal: Journal, records: int, rng: random.Random) -> None:
    """Top-ups (intent and done outcome) appended in transactions of 1,000 entries."""
    while (head := journal.head()[0]) < records + 1:
        entries: list[Entry] = []
        seq = head + 1
        while len(entries) < min(1_000, records + 1 - head):
            amount = rng.choice((1_000, 2_000, 5_000, 10_000, 20_000))
            method = rng.choice(METHODS)
            serial = f"31000000{rng.randrange(1, 5_000):08d}"
            entries.append(
                Entry(
                    RecordKind.LOAD_INTENT,
                    operator="op1",
                    shift_id=1,
                    card_serial=serial,
                    amount_fen=amount,
                    payment_method=method,
                    balance_before_fen=0,
                    atc=1,
                    mac1=rng.randbytes(4),
                    mac2=rng.randbytes(4),
                )
            )
            entries.append(
                Entry(
                    RecordKind.LOAD_OUTCOME,
                    operator="op1",
                    shift_id=1,
                    card_serial=serial,
                    amount_fen=amount,
                    payment_method=method,
                    balance_before_fen=0,
                    balance_after_fen=amount,
                    atc=1,
                    tac=rng.randbytes(4),
                    intent_seq=seq,
                    payload={"outcome": "done"},
                )
            )
            seq += 2
        journal.append_many(entries[: records + 1 - head])


def run() -> None:
    """Print the figures (see the module docstring)."""
    records = int(os.environ.get("BENCH_SYNC_RECORDS", "100000"))
    batch = int(os.environ.get("BENCH_SYNC_BATCH", "500"))
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        directory = Path(tmp)
        db_url = f"sqlite:///{directory / 'center.sqlite3'}"
        code = _cli("enrolment-code", "--db", db_url, "--device", DEVICE_ID)
        device_key = Sm2PrivateKey.generate()
        with _center(db_url, directory / "center.log") as base:
            client = CenterClient(ClientSettings(base, upload_read_timeout=300))
            issued = client.enrol(code, DEVICE_ID, TERMINAL_ID, device_key).journal_key
            keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key)
            journal = Journal.create(directory / "journal.sqlite3", keys, DEVICE_ID, TERMINAL_ID)
            started = time.perf_counter()
            _build(journal, records, random.Random(7))
            head = journal.head()[0]
            print(f"journal: {head:,} records built in {time.perf_counter() - started:.1f} s")

            uploader = Uploader(client, journal, batch_size=batch, checkpoint_every=None)
            started = time.perf_counter()
            first = uploader.upload()
            upload_s = time.perf_counter() - started
            assert first.complete and first.accepted == head, first
            upload_rate = head / upload_s
            print(
                f"upload, batches of {batch}: {head:,} records in {upload_s:.2f} s = "
                f"{upload_rate:,.0f} records/s ({first.batches} requests)"
            )

            again = Uploader(client, journal, batch_size=batch, checkpoint_every=None)
            again.resend_after(0)  # as if every answer had been lost: all duplicates
            started = time.perf_counter()
            second = again.upload()
            dup_s = time.perf_counter() - started
            assert second.duplicates == head, second
            print(f"re-upload (all duplicates): {head / dup_s:,.0f} records/s")

            bodies = [
                encode({"records": [record_json(r) for r in journal.records(after, batch)]})
                for after in range(0, head, batch)
            ]
            started = time.perf_counter()
            for body in bodies:
                sign_request(device_key, DEVICE_ID, "POST", "/v1/journal/batches", body)
            sign_s = time.perf_counter() - started
            megabytes = sum(len(b) for b in bodies) / 1e6
            with requests.Session() as raw:
                started = time.perf_counter()
                for body in bodies:
                    answer = raw.post(
                        f"{base}/v1/journal/batches",
                        data=body,
                        headers={"Content-Type": "application/json"},
                        timeout=60,
                    )
                    assert answer.status_code == 401, answer.status_code
                raw_s = time.perf_counter() - started
            raw_rate = head / raw_s
            print(
                f"baseline, bare requests POST of the same {megabytes:.1f} MB, unsigned "
                f"(read + parsed, 401): {raw_rate:,.0f} records/s"
            )
            print(
                f"client-side SM2 signing of those bodies: {sign_s:.2f} s "
                f"({sign_s / len(bodies) * 1000:.1f} ms per request)"
            )
            print(
                f"ratio upload / baseline: {upload_rate / raw_rate:.2f} "
                f"(the baseline is {raw_rate / upload_rate:.1f}× faster)"
            )
            client.close()
            journal.close()


if __name__ == "__main__":
    run()
