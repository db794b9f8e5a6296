"""Several workers on one database: migration is its own step, workers only check the schema."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from clearing.app import ENV_DB, app_from_environment
from clearing.database import CenterDatabaseError, known_revisions
from tests.clearing.postgres import create_database
from tests.clearing.test_clearing_process import ROOT, _cli, _free_port


@pytest.fixture
def pg_url(postgres) -> str:
    if postgres is None:
        pytest.skip("PostgreSQL is not available here")
    return create_database(postgres, f"w{uuid.uuid4().hex[:16]}")


def serve(db_url: str, workers: int, log: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "clearing.cli", "serve", "--db", db_url, "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers), *extra],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=dict(os.environ),
            start_new_session=True,
        )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def wait_for_workers(process: subprocess.Popen[bytes], log: Path, workers: int) -> None:
    deadline = time.monotonic() + 90
    while log.read_text().count("Application startup complete") < workers:
        if process.poll() is not None:
            pytest.fail(f"the center exited with {process.returncode}: {log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{workers} workers did not start within 90 s: {log.read_text()}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_three_workers_start_on_an_empty_migrated_postgres_database(pg_url, tmp_path):
    migrated = _cli("migrate", "--db", pg_url)
    assert migrated.returncode == 0, migrated.stderr
    assert known_revisions()[-1] in migrated.stdout
    log = tmp_path / "serve.log"
    process, base = serve(pg_url, 3, log, "--no-migrate")
    try:
        wait_for_workers(process, log, 3)
        for _ in range(12):
            assert requests.get(f"{base}/v1/time", timeout=10).status_code == 200
        text = log.read_text()
        assert "Traceback" not in text and "died" not in text
    finally:
        stop(process)


def test_serve_migrates_once_before_its_workers_on_an_empty_database(pg_url, tmp_path):
    log = tmp_path / "serve.log"
    process, base = serve(pg_url, 2, log)
    try:
        wait_for_workers(process, log, 2)
        assert requests.get(f"{base}/v1/time", timeout=10).status_code == 200
        assert "Traceback" not in log.read_text()
    finally:
        stop(process)


def test_workers_refuse_an_unmigrated_database_with_what_to_do(pg_url, tmp_path):
    refused = subprocess.run(
        [sys.executable, "-m", "clearing.cli", "serve", "--db", pg_url, "--workers", "2",
         "--no-migrate", "--port", str(_free_port())],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "citycard-center migrate" in refused.stderr, refused.stderr
    assert "never migrated" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_two_migrations_at_once_queue_on_the_advisory_lock(pg_url):
    command = [sys.executable, "-m", "clearing.cli", "migrate", "--db", pg_url]
    runs = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        for _ in range(3)
    ]
    results = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    assert [code for code, _ in results] == [0, 0, 0], results


def test_the_worker_factory_never_migrates(tmp_path, monkeypatch):
    path = tmp_path / "empty.sqlite3"
    monkeypatch.setenv(ENV_DB, f"sqlite:///{path}")
    with pytest.raises(CenterDatabaseError, match="run `citycard-center migrate"):
        app_from_environment()
    assert _cli("migrate", "--db", f"sqlite:///{path}").returncode == 0
    app = app_from_environment()
    app.state.center.close()
