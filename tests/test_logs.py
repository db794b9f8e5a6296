"""Rotating log files with secrets masked, whatever a careless caller logs."""

from __future__ import annotations

import logging

import pytest

from app.logs import LOG_FILE, configure_logging, redact


@pytest.fixture
def log_dir(tmp_path):
    yield tmp_path / "logs"
    configure_logging(None, logging.WARNING)


def test_keys_passwords_and_codes_never_reach_the_file(log_dir):
    path = configure_logging(log_dir, logging.DEBUG)
    key = bytes(range(16)).hex()
    log = logging.getLogger("app.test")
    log.info("journal key %s loaded", key)
    log.info("sign-in password=%s", "Secr3t-pass")
    log.warning("enrolment code: %s", "ABCD-EFGH-1234")
    try:
        raise ValueError(f"bad key {key.upper()}")
    except ValueError:
        log.exception("failed with passphrase %s", "open sesame")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert path.name == LOG_FILE
    for secret in (key, key.upper(), "Secr3t-pass", "ABCD-EFGH-1234", "open"):
        assert secret not in text
    assert "journal key <16 bytes> loaded" in text
    assert "Traceback" in text and "ValueError" in text


def test_files_rotate(log_dir, monkeypatch):
    monkeypatch.setattr("app.logs.MAX_BYTES", 2000)
    path = configure_logging(log_dir, logging.INFO)
    for i in range(200):
        logging.getLogger("app.test").info("line %d of the rotation test", i)
    rotated = sorted(p.name for p in log_dir.iterdir())
    assert LOG_FILE + ".1" in rotated and path.stat().st_size <= 2200


def test_ordinary_text_is_left_alone():
    text = "Top-up of ¥50.00 on card 3100 0000 0000 0001 done, seq 42"
    assert redact(text) == text
