"""The auditor's archive and the ``citycard-counter journal`` commands, run as real processes."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.crypto.keystore import KdfParams, Keystore
from app.crypto.sm3 import sm3_digest
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.journal.archive import ArchiveError, export_archive, verify_archive

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def _fill(journal: Journal, count: int = 12) -> None:
    for i in range(count):
        intent = journal.append(
            Entry(
                RecordKind.LOAD_INTENT,
                shift_id=1,
                card_serial=f"31000000000000{i:02d}",
                amount_fen=100 * (i + 1),
                payment_method="cash" if i % 2 else "wechat",
                mac1=bytes([i, 1, 2, 3]),
            )
        )
        if i % 3:
            journal.append(
                Entry(
                    RecordKind.LOAD_OUTCOME,
                    card_serial=intent.card_serial,
                    intent_seq=intent.seq,
                    tac=bytes([i, 9, 9, 9]),
                    payload={"outcome": "done"},
                )
            )
        if i == 5:
            journal.checkpoint()


def _new_journal(tmp_path: Path) -> Journal:
    return Journal.create(tmp_path / "j.sqlite3", JournalKeys.generate(), "DEV-A", "0102030405AB")


@pytest.fixture
def exported(tmp_path) -> Path:
    with Journal.create(
        tmp_path / "j.sqlite3", JournalKeys.generate(), "DEV-A", "0102030405AB"
    ) as j:
        _fill(j)
        export_archive(j, tmp_path / "archive")
    return tmp_path / "archive"


def test_an_exported_archive_verifies_without_database_or_key(exported):
    report = verify_archive(exported)
    assert report.ok, report.summary()
    assert not report.macs_checked
    assert report.records_checked == 1 + 12 + 8
    device = json.loads((exported / "device.json").read_text("utf-8"))
    assert device["fingerprint"] == report.public_key_fingerprint
    assert device["last_seq"] == report.last_seq
    header = (exported / "records.csv").read_text("utf-8-sig").splitlines()[0]
    assert header.startswith("device_id,seq,kind,at_us")


def _rewrite_line(path: Path, index: int, change) -> None:
    lines = path.read_text("utf-8").splitlines()
    obj = json.loads(lines[index])
    change(obj)
    lines[index] = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _set(field, value):
    return lambda obj: obj.__setitem__(field, value)


@pytest.mark.parametrize(
    ("index", "change", "expected"),
    [
        (4, _set("amount_fen", 99_999), "batch digest"),
        (4, _set("payment_method", "alipay"), "batch digest"),
        (6, _set("tac", "00000000"), "batch digest"),
        (7, _set("seq", 99), "gap"),
    ],
)
def test_a_changed_record_is_caught_even_with_a_recomputed_manifest(
    exported, index, change, expected
):
    # the forger also fixes the file hashes; only the SM2 signatures stand in the way
    _rewrite_line(exported / "records.jsonl", index, change)
    _forge_manifest(exported)
    report = verify_archive(exported)
    assert not report.ok
    reasons = " | ".join(str(p) for p in report.problems)
    assert "manifest.sig" in reasons
    assert expected in reasons


def _forge_manifest(directory: Path) -> None:
    manifest = json.loads((directory / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        data = (directory / name).read_bytes()
        entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
        entry["sm3"] = sm3_digest(data).hex()
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))


def test_removed_last_records_are_caught(exported):
    lines = (exported / "records.jsonl").read_text("utf-8").splitlines()
    (exported / "records.jsonl").write_text("\n".join(lines[:-2]) + "\n", "utf-8")
    report = verify_archive(exported)
    assert not report.ok
    assert any("records were removed" in str(p) for p in report.problems)


def test_a_forged_checkpoint_is_caught(exported):
    _rewrite_line(exported / "checkpoints.jsonl", -1, _set("reason", "shift_close"))
    report = verify_archive(exported)
    assert any("signature does not verify" in str(p) for p in report.problems)


def test_malformed_archive_lines_are_named_not_crashed_on(exported):
    with (exported / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    report = verify_archive(exported)
    assert any("records.jsonl line" in str(p) for p in report.problems)


def test_export_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with (
        Journal.create(
            tmp_path / "j.sqlite3", JournalKeys.generate(), "DEV-A", "0102030405AB"
        ) as j,
        pytest.raises(ArchiveError),
    ):
        export_archive(j, tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["keep.txt"]


def test_not_an_archive_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiveError, match="not a journal archive"):
        verify_archive(tmp_path)


# -- the command line, as a supervisor runs it ------------------------------------------------


@pytest.fixture
def data_dir(tmp_path) -> Path:
    keys = JournalKeys.generate()
    keystore = Keystore.create(tmp_path / "keystore.json", PASSPHRASE, {}, CHEAP_KDF)
    keys.store_into(keystore)
    keystore.save(PASSPHRASE)
    with Journal.create(tmp_path / "journal.sqlite3", keys, "DEV-CLI", "0102030405AB") as j:
        _fill(j)
    return tmp_path


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CITYCARD_DATA_DIR=str(data_dir), CITYCARD_KEYSTORE_PASSPHRASE=PASSPHRASE)
    return subprocess.run(
        [sys.executable, "-m", "app.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_verify_export_and_archive(data_dir):
    ok = _cli(data_dir, "journal", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "OK. Chain head seq 21" in ok.stdout

    out = data_dir / "for-auditor"
    exported = _cli(data_dir, "journal", "export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    checked = _cli(data_dir, "journal", "verify", "--archive", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_cli_names_the_first_bad_seq_and_fails(data_dir):
    with sqlite3.connect(data_dir / "journal.sqlite3") as conn:
        (seq,) = conn.execute(
            "SELECT min(seq) FROM journal_record WHERE amount_fen IS NOT NULL AND seq > 8"
        ).fetchone()
        conn.execute("UPDATE journal_record SET amount_fen = amount_fen + 1 WHERE seq = ?", (seq,))
    result = _cli(data_dir, "journal", "verify")
    assert result.returncode == 1
    assert f"First problem at seq {seq}:" in result.stdout


def test_cli_with_a_wrong_passphrase_says_so(data_dir):
    env_bad = dict(os.environ, CITYCARD_DATA_DIR=str(data_dir), CITYCARD_KEYSTORE_PASSPHRASE="no")
    result = subprocess.run(
        [sys.executable, "-m", "app.main", "journal", "verify"],
        env=env_bad,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "passphrase" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_cli_on_a_file_that_is_not_a_journal(tmp_path):
    (tmp_path / "journal.sqlite3").write_bytes(b"this is not a database at all" * 10)
    result = _cli(tmp_path, "journal", "verify", "--keystore", str(tmp_path / "none.json"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
