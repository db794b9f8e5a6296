"""``citycard-counter cli init --center-url … --enrolment-code …`` and ``cli sync`` against a real
center process on loopback, in processes that cannot import Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.sync.support import CenterProcess, enrolment_code, free_port

PASSPHRASE = "counter keystore passphrase"
PASSWORD = "Str0ng-counter-pass"
NO_QT = "import sys; sys.modules['PySide6'] = None; from app.main import main; sys.exit(main())"


def _cli(data_dir, *args, timeout=120):
    env = dict(
        os.environ,
        CITYCARD_KEYSTORE_PASSPHRASE=PASSPHRASE,
        CITYCARD_OPERATOR_PASSWORD=PASSWORD,
        CITYCARD_SAM_READER="no SAM reader here",  # set up before its SAM arrives
    )
    return subprocess.run(
        [sys.executable, "-c", NO_QT, "cli", "--data-dir", str(data_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _init(data, *extra):
    return _cli(
        data, "init", "--device-id", "DEV-CLI", "--terminal-id", "0102030405ab",
        "--admin", "admin", *extra,
    )  # fmt: skip


@pytest.fixture
def center(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with CenterProcess(db_url, free_port(), tmp_path / "center.log") as process:
        yield process


def test_init_enrols_and_sync_uploads_then_says_when_the_center_is_down(center, tmp_path):
    data = tmp_path / "counter"
    code = enrolment_code(center.db_url, "DEV-CLI")
    enrolled = _init(data, "--center-url", center.base, "--enrolment-code", code)
    assert enrolled.returncode == 0, enrolled.stderr
    assert f"Enrolled with the clearing center at {center.base}" in enrolled.stdout
    assert json.loads((data / "center.json").read_text())["base_url"] == center.base

    synced = _cli(data, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "Clearing center: online." in synced.stdout
    head = synced.stdout.split("head seq ")[1].split(",")[0]
    assert f"acknowledged seq {head}," in synced.stdout and int(head) >= 2  # genesis, admin

    center.stop()
    down = _cli(data, "sync")
    assert down.returncode == 2
    assert "Clearing center: offline." in down.stdout
    assert "cannot connect" in down.stderr


def test_a_used_code_is_refused_and_nothing_is_set_up(center, tmp_path):
    code = enrolment_code(center.db_url, "DEV-CLI")
    assert (
        _init(tmp_path / "first", "--center-url", center.base, "--enrolment-code", code).returncode
        == 0
    )
    again = _init(tmp_path / "second", "--center-url", center.base, "--enrolment-code", code)
    assert again.returncode == 1
    assert "refused" in again.stderr
    assert not (tmp_path / "second" / "keystore.json").exists()


def test_sync_on_an_offline_counter_and_half_a_center_option(tmp_path):
    data = tmp_path / "counter"
    half = _init(data, "--center-url", "http://127.0.0.1:1")
    assert half.returncode == 2 and "go together" in half.stderr
    assert not (data / "keystore.json").exists()
    assert _init(data).returncode == 0
    alone = _cli(data, "sync")
    assert alone.returncode == 1
    assert "no clearing center" in alone.stderr
