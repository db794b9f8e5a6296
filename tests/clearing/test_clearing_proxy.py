"""The deployment of deploy/haproxy.cfg on loopback: TLS at HAProxy, bulk and online pools.

A throw-away PostgreSQL, ``citycard-center migrate``, a bulk pool of 2 workers (``WORKERS``) and
an online pool of 1 (``serve --no-migrate``), HAProxy with the shipped configuration (only
addresses, the certificate and syslog changed). Counters enrol and upload their backlogs through
the proxy while the bulk workers and the proxy are killed (SIGKILL) and restarted; in the end
the center holds every record exactly once and its card ledger equals the journals.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal, JournalKeys
from app.sync import CenterClient, ClientSettings, Uploader
from app.sync.errors import OfflineError, ServerError
from clearing.models import CardLedgerRow, QuarantineRow, RecordRow, TamperAlarmRow
from tests.clearing.postgres import create_database
from tests.clearing.support import load
from tests.clearing.test_clearing_process import ROOT, _cli, _free_port

# bounded for the suite; the proof (4 workers, a 10,000-record backlog of 4 devices):
# CENTER_SOAK_DEVICES=4 CENTER_SOAK_LOADS=1250 CENTER_SOAK_WORKERS=4
DEVICES = int(os.environ.get("CENTER_SOAK_DEVICES") or 2)
LOADS = int(os.environ.get("CENTER_SOAK_LOADS") or 600)  # per device (+ genesis)
WORKERS = int(os.environ.get("CENTER_SOAK_WORKERS") or 2)

pytestmark = pytest.mark.skipif(
    shutil.which("haproxy") is None or shutil.which("openssl") is None,
    reason="HAProxy or openssl is not installed (scripts/setup-system.sh installs them)",
)


def _certificate(directory: Path) -> tuple[Path, Path]:
    key, cert, pem = directory / "key.pem", directory / "cert.pem", directory / "center.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    return cert, pem


class Pool:
    """One ``citycard-center serve --no-migrate`` (its own process group)."""

    def __init__(self, db_url: str, workers: int, log: Path) -> None:
        self.db_url, self.workers, self.log = db_url, workers, log
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        started = (
            self.log.read_text().count("Application startup complete") if self.log.exists() else 0
        )
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clearing.cli", "serve", "--no-migrate", "--db", self.db_url,
                 "--port", str(self.port), "--workers", str(self.workers)],
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 90
        while self.log.read_text().count("Application startup complete") < started + self.workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the pool did not start: {self.log.read_text()}")
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Proxy:
    """HAProxy with deploy/haproxy.cfg, pointed at the pools on loopback."""

    def __init__(self, directory: Path, pem: Path, bulk: Pool, online: Pool) -> None:
        self.port = _free_port()
        text = (ROOT / "deploy" / "haproxy.cfg").read_text()
        for old, new in (
            ("bind :443", f"bind 127.0.0.1:{self.port}"),
            ("/etc/haproxy/center.pem", str(pem)),
            ("127.0.0.1:8611", f"127.0.0.1:{online.port}"),
            ("127.0.0.1:8601", f"127.0.0.1:{bulk.port}"),
            ("log /dev/log local0", ""),
            ("maxconn 20000", "maxconn 1000"),  # the test's file descriptor limit
            ("log global", ""),
            ("option httplog", ""),
        ):
            assert old in text, old
            text = text.replace(old, new)
        self.config = directory / "haproxy.cfg"
        self.config.write_text(text)
        self.log = directory / "haproxy.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(["haproxy", "-db", "-f", str(self.config)],
                                            stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        time.sleep(0.5)
        if self.process.poll() is not None:
            pytest.fail(f"HAProxy did not start: {self.log.read_text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def deployment(postgres: str | None, tmp_path: Path) -> Iterator[tuple[str, Path, Pool, Proxy]]:
    if postgres is None:
        pytest.skip("PostgreSQL is not available here")
    db_url = create_database(postgres, f"p{uuid.uuid4().hex[:16]}")
    assert _cli("migrate", "--db", db_url).returncode == 0
    cert, pem = _certificate(tmp_path)
    bulk = Pool(db_url, WORKERS, tmp_path / "bulk.log")
    online = Pool(db_url, 1, tmp_path / "online.log")
    proxy = Proxy(tmp_path, pem, bulk, online)
    try:
        bulk.start()
        online.start()
        proxy.start()
        yield db_url, cert, bulk, proxy
    finally:
        proxy.kill()
        bulk.kill()
        online.kill()


def test_online_paths_reach_their_own_pool_over_tls(postgres, tmp_path):
    with deployment(postgres, tmp_path) as (_, cert, _bulk, proxy):
        base = f"https://127.0.0.1:{proxy.port}"
        online = requests.post(f"{base}/v1/loads/authorize", json={}, verify=str(cert), timeout=10)
        bulk = requests.get(f"{base}/v1/journal/cursor", verify=str(cert), timeout=10)
        assert (online.status_code, online.headers["X-Center-Pool"]) == (401, "online")
        assert (bulk.status_code, bulk.headers["X-Center-Pool"]) == (401, "bulk")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{base}/v1/time", timeout=10)  # not trusted without the center's CA


def _counter(
    base: str, cert: Path, db_url: str, index: int, directory: Path
) -> tuple[Journal, Sm2PrivateKey]:
    device_id = f"CTR-{index}"
    code = _cli("enrolment-code", "--db", db_url, "--device", device_id).stdout.strip()
    device_key = Sm2PrivateKey.generate()
    client = CenterClient(ClientSettings(base, ca_file=cert))
    issued = client.enrol(code, device_id, f"01020304{index:04d}", device_key).journal_key
    client.close()
    keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key)
    journal = Journal.create(directory / f"{device_id}.sqlite3", keys, device_id,
                             f"01020304{index:04d}")  # fmt: skip
    for n in range(LOADS):
        load(journal, f"31000000{index:04d}{n % 50:04d}", 100 + n)
    return journal, device_key


def test_exactly_once_through_the_proxy_while_workers_and_proxy_are_killed(postgres, tmp_path):
    with deployment(postgres, tmp_path) as (db_url, cert, bulk, proxy):
        base = f"https://127.0.0.1:{proxy.port}"
        counters = [_counter(base, cert, db_url, i, tmp_path) for i in range(DEVICES)]
        journals = [journal for journal, _ in counters]
        device_keys = {journal.device_id: key for journal, key in counters}
        failures: list[str] = []

        def sync(journal: Journal) -> None:
            client = CenterClient(ClientSettings(base, ca_file=cert, retries=1, backoff_max=0.5))
            client.use_device(journal.device_id, device_keys[journal.device_id])
            uploader = Uploader(client, journal, batch_size=100, checkpoint_every=None)
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                try:
                    if uploader.upload().complete:
                        client.close()
                        return
                except (OfflineError, ServerError):  # the outage: again, as the sync loop does
                    uploader.forget_position()
                    time.sleep(0.2)
                except Exception as exc:  # anything else fails the test
                    failures.append(f"{journal.device_id}: {exc!r}")
                    return
            failures.append(f"{journal.device_id} did not finish")

        engine = create_engine(db_url)
        killed_at: list[int] = []
        threads = [threading.Thread(target=sync, args=(j,)) for j in journals]
        for thread in threads:
            thread.start()
        try:
            for crash in range(2):  # kill the workers, then the proxy, mid-backlog
                held, mark = 0, DEVICES * LOADS * 2 * (crash + 1) // 3  # a third, two thirds
                while held < mark and any(t.is_alive() for t in threads):
                    with engine.connect() as conn:
                        held = conn.scalar(select(func.count()).select_from(RecordRow)) or 0
                    time.sleep(0.05)
                killed_at.append(held)
                if crash == 0:
                    bulk.kill()
                    time.sleep(0.5)
                    bulk.start()
                else:
                    proxy.kill()
                    time.sleep(0.5)
                    proxy.start()
        finally:
            for thread in threads:
                thread.join(timeout=300)
        assert failures == []
        total = DEVICES * (2 * LOADS + 1)
        assert len(killed_at) == 2 and all(0 < held < total for held in killed_at), killed_at
        with engine.connect() as conn:
            for journal in journals:
                rows = conn.execute(
                    select(RecordRow.seq, RecordRow.mac)
                    .where(RecordRow.device_id == journal.device_id)
                    .order_by(RecordRow.seq)
                ).all()
                assert [(r.seq, r.mac) for r in journal.records(0, 10_000)] == [
                    tuple(r) for r in rows
                ]
                ledger = conn.execute(
                    select(func.count(), func.sum(CardLedgerRow.amount_fen)).where(
                        CardLedgerRow.device_id == journal.device_id
                    )
                ).one()
                assert tuple(ledger) == (LOADS, sum(100 + n for n in range(LOADS)))
            assert conn.scalar(select(func.count()).select_from(QuarantineRow)) == 0
            assert conn.scalar(select(func.count()).select_from(TamperAlarmRow)) == 0
        engine.dispose()
        for journal in journals:
            journal.close()
