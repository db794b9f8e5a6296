"""The support zip and ``citycard-counter version``, over a real counter's data directory."""

from __future__ import annotations

import json
import logging
import zipfile

import pytest

from app.composition import init_counter
from app.crypto.keystore import KdfParams, Keystore
from app.diagnostics import masked_settings, version_report, write_diagnostics
from app.journal.database import JOURNAL
from app.logs import configure_logging
from app.main import main
from app.store.database import STORE

PASSPHRASE = "diagnostics-test-passphrase"
CHEAP_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)


@pytest.fixture
def counter_dir(tmp_path):
    directory = tmp_path / "counter"
    directory.mkdir()
    init_counter(directory, PASSPHRASE, "DEV-DIAG", "0102030405AB", CHEAP_KDF)
    settings = {
        "language": "zh_CN",
        "center_url": "https://center.example:8443",
        "printer": {"kind": "network", "host": "10.0.0.9", "password": "hunter2-printer"},
    }
    (directory / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    return directory


def _secrets(directory) -> list[str]:
    store = Keystore.open(directory / "keystore.json", PASSPHRASE)
    values = [store.get(name) for name in store.names()]
    return [v.hex() for v in values] + [v.hex().upper() for v in values]


def _contents(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()}


def test_the_zip_has_logs_versions_settings_and_file_list_but_no_keys(counter_dir, tmp_path):
    secrets = _secrets(counter_dir)
    configure_logging(counter_dir / "logs")
    try:
        log = logging.getLogger("app.test_diagnostics")
        log.info("a clerk signed in at the counter")
        log.warning("bad news: key %s leaked into a message", secrets[0])
    finally:
        configure_logging(None)
    out = write_diagnostics(counter_dir, tmp_path / "out", extra_versions={"Qt": "6.x"})
    members = _contents(out)
    assert set(members) == {"versions.txt", "settings.json", "files.txt", "logs/counter.log"}
    assert "a clerk signed in at the counter" in members["logs/counter.log"]
    for text in members.values():
        for secret in secrets:
            assert secret not in text
        assert "hunter2-printer" not in text
        assert PASSPHRASE not in text
    settings = json.loads(members["settings.json"])
    assert settings["printer"] == {"kind": "network", "host": "10.0.0.9", "password": "***"}
    assert settings["center_url"] == "https://center.example:8443"
    listed = dict(line.split("\t") for line in members["files.txt"].splitlines())
    assert int(listed["keystore.json"]) == (counter_dir / "keystore.json").stat().st_size
    assert "journal.sqlite3" in listed and "logs/counter.log" in listed
    versions = members["versions.txt"]
    assert f"journal schema: {JOURNAL.head_revision()} (data directory: " in versions
    assert "Qt: 6.x" in versions


def test_the_default_place_is_the_data_directory(counter_dir):
    out = write_diagnostics(counter_dir)
    assert out.parent == counter_dir / "diagnostics"
    assert "logs/counter.log" not in _contents(out)  # no log yet: nothing invented


def test_masking_reaches_nested_values_and_keeps_the_rest():
    masked = masked_settings(
        {"a": {"enrolment_code": "123456", "token": ["x"], "port": 9100}, "pin": ""}
    )
    assert masked == {"a": {"enrolment_code": "***", "token": ["***"], "port": 9100}, "pin": ""}


def test_version_names_the_heads_and_the_data_directorys_revisions(
    counter_dir, monkeypatch, capsys
):
    monkeypatch.setenv("CITYCARD_DATA_DIR", str(counter_dir))
    assert main(["version"]) == 0
    out = capsys.readouterr().out
    journal, store = JOURNAL.head_revision(), STORE.head_revision()
    assert f"journal schema: {journal} (data directory: {journal})" in out
    assert f"counter store schema: {store} (data directory: {store})" in out
    assert not (counter_dir / "logs").exists()  # `version` only prints


def test_version_without_a_data_directory_creates_none(tmp_path):
    missing = tmp_path / "nothing-here"
    lines = version_report(missing)
    assert lines[0].startswith("citycard-counter ")
    assert f"journal schema: {JOURNAL.head_revision()}" in lines
    assert not missing.exists()


def test_an_old_journal_reports_its_own_revision(counter_dir):
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(counter_dir / "journal.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'j0001'")
    conn.close()
    assert f"journal schema: {JOURNAL.head_revision()} (data directory: j0001)" in (
        version_report(counter_dir)
    )
