"""The workers through PgBouncer in transaction pooling, configured as deploy/pgbouncer.ini.

PgBouncer 1.18 (Debian 12) cannot carry psycopg's prepared statements across transactions of
different server connections: the workers' URL turns them off (``?prepare_threshold=none``). The
migration goes to PostgreSQL directly. Two workers with a pool of 2 server connections serve
two counters uploading at once; every record is held once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal, JournalKeys
from app.sync import CenterClient, ClientSettings, Uploader
from clearing.models import RecordRow
from tests.clearing.postgres import create_database
from tests.clearing.support import load
from tests.clearing.test_clearing_process import ROOT, _cli, _free_port
from tests.clearing.test_clearing_workers import serve, stop, wait_for_workers

pytestmark = pytest.mark.skipif(
    shutil.which("pgbouncer") is None,
    reason="PgBouncer is not installed (scripts/setup-system.sh installs it)",
)


def _pgbouncer(directory: Path, server_url: str, name: str) -> tuple[subprocess.Popen[bytes], int]:
    host_port = server_url.rsplit("@", 1)[1]
    host, port = host_port.split(":")
    listen = _free_port()
    text = (ROOT / "deploy" / "pgbouncer.ini").read_text()
    for old, new in (
        (
            "center = host=127.0.0.1 port=5432 dbname=center",
            f"{name} = host={host} port={port} dbname={name}",
        ),
        ("listen_port = 6432", f"listen_port = {listen}"),
        ("auth_type = scram-sha-256", "auth_type = trust"),
        ("auth_file = /etc/pgbouncer/userlist.txt", f"auth_file = {directory / 'users.txt'}"),
        ("default_pool_size = 20", "default_pool_size = 2"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    text += f"unix_socket_dir =\nlogfile = {directory / 'pgbouncer.log'}\n"
    (directory / "users.txt").write_text('"center" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(text)
    prefix: list[str] = []
    if os.geteuid() == 0:  # pgbouncer refuses root
        shutil.chown(directory, "postgres")
        for path in directory.iterdir():
            shutil.chown(path, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    process = subprocess.Popen([*prefix, "pgbouncer", str(config)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    time.sleep(1.0)
    if process.poll() is not None:
        log = directory / "pgbouncer.log"
        output = process.stdout.read().decode() if process.stdout else ""
        pytest.fail(f"PgBouncer did not start: {output} {log.read_text() if log.exists() else ''}")
    return process, listen


def test_two_workers_through_pgbouncer_in_transaction_pooling(postgres, tmp_path):
    if postgres is None:
        pytest.skip("PostgreSQL is not available here")
    name = f"b{uuid.uuid4().hex[:16]}"
    direct = create_database(postgres, name)
    assert _cli("migrate", "--db", direct).returncode == 0
    bouncer_dir = Path(tempfile.mkdtemp(prefix="center-pgbouncer-"))  # reachable by postgres
    bouncer, port = _pgbouncer(bouncer_dir, postgres, name)
    pooled = f"postgresql+psycopg://center@127.0.0.1:{port}/{name}?prepare_threshold=none"
    log = tmp_path / "serve.log"
    process, base = serve(pooled, 2, log, "--no-migrate")
    try:
        wait_for_workers(process, log, 2)
        journals, keys = [], {}
        for index in range(2):
            device_id = f"PGB-{index}"
            code = _cli("enrolment-code", "--db", direct, "--device", device_id).stdout.strip()
            key = Sm2PrivateKey.generate()
            client = CenterClient(ClientSettings(base))
            issued = client.enrol(code, device_id, f"0A0B0C0D{index:04d}", key).journal_key
            client.close()
            journal = Journal.create(tmp_path / f"{device_id}.sqlite3",
                                     JournalKeys({issued.key_id: issued.key}, issued.key_id, key),
                                     device_id, f"0A0B0C0D{index:04d}")  # fmt: skip
            for n in range(300):
                load(journal, f"3100000000{index:02d}{n % 10:04d}", 100 + n)
            journals.append(journal)
            keys[device_id] = key
        results: list[object] = []

        def sync(journal: Journal) -> None:
            client = CenterClient(ClientSettings(base))
            client.use_device(journal.device_id, keys[journal.device_id])
            results.append(Uploader(client, journal, batch_size=50, checkpoint_every=None).upload())
            client.close()

        threads = [threading.Thread(target=sync, args=(j,)) for j in journals]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        assert len(results) == 2 and all(r.complete for r in results), results  # type: ignore[attr-defined]
        engine = create_engine(direct)
        with engine.connect() as conn:
            for journal in journals:
                held = conn.scalar(select(func.count()).select_from(RecordRow)
                                   .where(RecordRow.device_id == journal.device_id))  # fmt: skip
                assert held == journal.head()[0] == 601
        engine.dispose()
        for journal in journals:
            journal.close()
        text = log.read_text()
        assert "Traceback" not in text, text[text.find("Traceback") :][-3000:]
    finally:
        stop(process)
        bouncer.terminate()
        bouncer.wait(timeout=20)
        shutil.rmtree(bouncer_dir, ignore_errors=True)
