"""Interchange benchmark: a city center forwarding to the national platform, the issuer taking in.

``python -m bench interchange`` starts ``citycard-center platform serve`` on a fresh SQLite
database, registers a Wuxi and a Hangzhou center, notes ``BENCH_INTERCHANGE_RECORDS`` records
(default 20,000) of Hangzhou cards in Wuxi's outbound table and measures:

1. Forward: Wuxi's ``forward`` step, batches of 500 — body building, SM2 signature per request,
   the platform's member check, routing checks, digests, all-or-nothing storage. Records/s.
2. The same records again (every one a duplicate at the platform: the cost of lost answers).
3. Take in: Hangzhou's ``pull_inbound`` — reading its routed records, each into the card ledger
   once with the cursor. Records/s.
4. Baseline: the very same forward bodies POSTed unsigned with ``urllib`` — the platform parses
   the body and answers 401 before any verification or storage: transport and parsing only.

The ratio forward/baseline says what routing exactly once costs over just moving the bytes.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from clearing.center import open_center
from clearing.interchange import platform
from clearing.interchange.client import PlatformClient
from clearing.interchange.forwarding import BATCH, RoundReport, forward, pull_inbound
from clearing.interchange.models import OutboundRow
from clearing.interchange.schemas import ForwardedRecord
from clearing.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/v1/time", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the platform did not start")


def _note(db_url: str, records: int) -> list[str]:
    center = open_center(Settings(db_url=db_url))
    documents = []
    with center.sessions.begin() as session:
        for seq in range(1, records + 1):
            document = ForwardedRecord(
                device_id="DEV-W1",
                seq=seq * 2,
                intent_seq=seq * 2 - 1,
                kind="purchase",
                card_serial=f"3104{seq:012d}",
                card_family="CU",
                card_issuer="3100",
                issuer_city="hangzhou",
                amount_fen=4_000,
                balance_after_fen=1_000,
                at_us=1_796_000_000_000_000 + seq,
                terminal_id="0102030405A1",
                record_mac="AB" * 32,
            ).model_dump_json()
            documents.append(document)
            session.add(
                OutboundRow(
                    device_id="DEV-W1",
                    seq=seq * 2,
                    issuer_city="hangzhou",
                    document=document,
                    amount_fen=4_000,
                    at_us=1_796_000_000_000_000 + seq,
                    created_at_us=0,
                )
            )
    center.close()
    return documents


def run() -> None:
    """Print forward, duplicate, take-in and baseline rates."""
    records = int(os.environ.get("BENCH_INTERCHANGE_RECORDS", "20000"))
    with tempfile.TemporaryDirectory(prefix="bench-interchange-") as tmp:
        directory = Path(tmp)
        dbs = {n: f"sqlite:///{directory / f'{n}.sqlite3'}" for n in ("hub", "wx", "hz")}
        wuxi, hangzhou = (open_center(Settings(db_url=dbs[n])) for n in ("wx", "hz"))
        hub = open_center(Settings(db_url=dbs["hub"]))
        with hub.sessions.begin() as session:
            platform.register_member(session, "wuxi", wuxi.identity.public_key, ["2140"], 0)
            platform.register_member(session, "hangzhou", hangzhou.identity.public_key, ["3100"], 0)
        hub.close()
        documents = _note(dbs["wx"], records)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with (directory / "platform.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "clearing.cli", "platform", "serve", "--db", dbs["hub"],
                 "--port", str(port), "--log-level", "warning"],
                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        try:
            _wait(base)
            report = RoundReport()
            started = time.perf_counter()
            forward(wuxi, PlatformClient(base, "wuxi", wuxi.identity, 60), report)
            forward_s = time.perf_counter() - started
            print(
                f"forward: {records:,} records in {forward_s:.1f} s, {records / forward_s:,.0f}/s"
            )

            client = PlatformClient(base, "wuxi", wuxi.identity, 60)
            started = time.perf_counter()
            for i in range(0, records, BATCH):
                batch = [json.loads(d) for d in documents[i : i + BATCH]]
                client.call("POST", "/v1/interchange/records", body={"records": batch})
            dup_s = time.perf_counter() - started
            print(f"again (all duplicates): {records / dup_s:,.0f} records/s")

            taken = RoundReport()
            started = time.perf_counter()
            pull_inbound(hangzhou, PlatformClient(base, "hangzhou", hangzhou.identity, 60),
                         "hangzhou", taken)  # fmt: skip
            take_s = time.perf_counter() - started
            print(f"take in: {taken.taken_in:,} records, {taken.taken_in / take_s:,.0f}/s")

            started = time.perf_counter()
            for i in range(0, records, BATCH):
                body = json.dumps(
                    {"records": [json.loads(d) for d in documents[i : i + BATCH]]},
                    separators=(",", ":"),
                ).encode()
                request = urllib.request.Request(
                    base + "/v1/interchange/records",
                    data=body,
                    headers={"Content-Type": "application/json"},
                    method="POST",
                )
                try:
                    urllib.request.urlopen(request, timeout=60).read()
                except urllib.error.HTTPError as exc:
                    exc.read()
            base_s = time.perf_counter() - started
            print(f"baseline (unsigned, refused before any work): {records / base_s:,.0f}/s")
            print(f"forward / baseline time: {forward_s / base_s:.1f}x")
        finally:
            process.terminate()
            process.wait(timeout=10)
            wuxi.close()
            hangzhou.close()
