"""The real thing: `citycard-center serve` on loopback, enrolled and fed by a real journal."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from app.crypto.request_signing import sign_request
from app.crypto.sm2 import Sm2PrivateKey, sm2_decrypt
from app.journal import Journal, JournalKeys
from app.journal.records import record_json
from tests.clearing.support import load

CARD = "3100000000000001"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clearing.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )


@contextmanager
def _server(db_url: str, port: int, log: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "clearing.cli", "serve", "--db", db_url,
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=dict(os.environ),
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the center exited with {process.returncode}: {log.read_text()}")
            try:
                if requests.get(f"{base}/v1/time", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the center did not answer within 30 s: {log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _signed(session, base, keys, device_id, method, target, body=None):
    content = b"" if body is None else json.dumps(body).encode()
    headers = sign_request(keys.device_key, device_id, method, target, content)
    if content:
        headers["Content-Type"] = "application/json"
    return session.request(method, base + target, data=content, headers=headers, timeout=30)


def test_serve_enrol_upload_and_read_the_ledger(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    port = _free_port()
    log = tmp_path / "center.log"
    made = _cli("enrolment-code", "--db", db_url, "--device", "DEV-1")
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip()
    device_key = Sm2PrivateKey.generate()
    with _server(db_url, port, log) as base, requests.Session() as http:
        enrolled = http.post(
            f"{base}/v1/enrol",
            json={"code": code, "device_id": "DEV-1", "terminal_id": "0102030405A1",
                  "public_key": device_key.public_key.hex()},
            timeout=30,
        )  # fmt: skip
        assert enrolled.status_code == 201, enrolled.text
        answer = enrolled.json()
        mac_key = sm2_decrypt(device_key, bytes.fromhex(answer["wrapped_key"]))
        keys = JournalKeys({answer["key_id"]: mac_key}, answer["key_id"], device_key)
        with Journal.create(tmp_path / "journal.sqlite3", keys, "DEV-1", "0102030405A1") as j:
            load(j, CARD, 5_000)
            load(j, CARD, 2_000, balance_before=5_000)
            checkpoint = j.checkpoint()
            body = {"records": [record_json(r) for r in j.records()]}
        uploaded = _signed(http, base, keys, "DEV-1", "POST", "/v1/journal/batches", body)
        assert uploaded.status_code == 200, uploaded.text
        assert uploaded.json()["acknowledged_seq"] == checkpoint.seq == 5
        assert uploaded.json()["quarantined"] == []
        unsigned = http.get(f"{base}/v1/cards/{CARD}/ledger", timeout=30)
        assert unsigned.status_code == 401
        with Journal.open(tmp_path / "journal.sqlite3", keys) as j:
            for i in range(20):
                load(j, f"31000000000001{i:02d}", 1_000)
            more = {"records": [record_json(r) for r in j.records()]}
    # the same batch again, to a restarted center, four times at once: each record stored once
    with _server(db_url, port, log) as base:

        def send(_: int) -> dict[str, object]:
            with requests.Session() as own:
                answer = _signed(own, base, keys, "DEV-1", "POST", "/v1/journal/batches", more)
                assert answer.status_code == 200, answer.text
                return dict(answer.json())

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(send, range(4)))
        assert all(a["acknowledged_seq"] == 45 and a["quarantined"] == [] for a in answers)
        assert sum(int(a["accepted"]) for a in answers) == 40  # seq 6..45, once
        assert sum(int(a["duplicates"]) for a in answers) == 4 * 45 - 40
    with _server(db_url, port, log) as base, requests.Session() as http:
        ledger = _signed(http, base, keys, "DEV-1", "GET", f"/v1/cards/{CARD}/ledger").json()
        assert [e["amount_fen"] for e in ledger["entries"]] == [5_000, 2_000]
        assert ledger["last_known_balance_fen"] == 7_000
    assert _cli("settlement", "--db", db_url, "--date", "2000-01-01").returncode == 0


def test_the_cli_refuses_a_foreign_database(tmp_path):
    path = tmp_path / "other.sqlite3"
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE payroll (id INTEGER)")
    result = _cli("enrolment-code", "--db", f"sqlite:///{path}", "--device", "DEV-1")
    assert result.returncode == 2
    assert "not a clearing center database" in result.stderr


def test_serve_reads_the_keystore_passphrase_from_a_private_file_only(tmp_path):
    def serve(*extra):
        return subprocess.run(
            [sys.executable, "-m", "clearing.cli", "serve", "--db",
             f"sqlite:///{tmp_path / 'c.db'}", "--issuer-keystore",
             str(tmp_path / "none.keystore"), *extra],
            capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
            env={**os.environ, "CITYCARD_ISSUER_PASSPHRASE": "pw"},  # never read
        )  # fmt: skip

    result = serve()
    assert result.returncode == 2
    assert "--passphrase-file" in result.stderr
    secret = tmp_path / "passphrase"
    secret.write_text("pw\n")
    secret.chmod(0o644)
    readable = serve("--passphrase-file", str(secret))
    assert readable.returncode == 2
    assert "may be read by other users" in readable.stderr and "chmod 600" in readable.stderr
    secret.chmod(0o600)
    missing = serve("--passphrase-file", str(secret))
    assert missing.returncode == 2
    assert "no keystore" in missing.stderr
