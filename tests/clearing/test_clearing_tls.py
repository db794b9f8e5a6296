"""``citycard-center serve`` over TLS with the demo CA, and what --production refuses."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.sync import CenterClient, ClientSettings, TlsError
from tests.sync.support import free_port

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clearing.cli", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def tls_center(tmp_path) -> Iterator[tuple[str, Path]]:
    """A production center on loopback over HTTPS with a demo certificate; (base URL, CA file)."""
    assert _cli("demo-ca", "--dir", str(tmp_path / "tls")).returncode == 0
    port = free_port()
    log = (tmp_path / "center.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "clearing.cli", "serve", "--db",
         f"sqlite:///{tmp_path / 'c.sqlite3'}", "--port", str(port), "--production",
         "--tls-cert", str(tmp_path / "tls" / "center.pem"),
         "--tls-key", str(tmp_path / "tls" / "center.key"), "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )  # fmt: skip
    base = f"https://127.0.0.1:{port}"
    ca = tmp_path / "tls" / "ca.pem"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "center.log").read_text()
            try:
                requests.get(f"{base}/v1/time", verify=str(ca), timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the TLS center did not start"
                time.sleep(0.1)
        yield base, ca
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def test_the_counter_trusts_the_center_through_its_ca_only(tls_center):
    base, ca = tls_center
    with CenterClient(ClientSettings(base, ca_file=ca)) as client:
        assert client.server_time().year >= 2026
    untrusting = CenterClient(ClientSettings(base, retries=0))  # the system's CAs only
    with untrusting, pytest.raises(TlsError):
        untrusting.server_time()


def test_a_production_center_publishes_no_docs(tls_center):
    base, ca = tls_center
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert requests.get(base + path, verify=str(ca), timeout=5).status_code == 404


def test_production_refuses_plain_http_and_a_readable_key(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    plain = _cli("serve", "--db", db, "--production")
    assert plain.returncode == 2 and "TLS only" in plain.stderr
    assert _cli("demo-ca", "--dir", str(tmp_path / "tls")).returncode == 0
    key = tmp_path / "tls" / "center.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    key.chmod(0o644)
    readable = _cli("serve", "--db", db, "--tls-cert", str(tmp_path / "tls" / "center.pem"),
                    "--tls-key", str(key))  # fmt: skip
    assert readable.returncode == 2 and "chmod 600" in readable.stderr
    half = _cli("serve", "--db", db, "--tls-cert", str(tmp_path / "tls" / "center.pem"))
    assert half.returncode == 2 and "go together" in half.stderr
