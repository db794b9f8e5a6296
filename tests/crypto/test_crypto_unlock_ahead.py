"""The keystore unlocked on a thread at start-up (issue 20): same keys, same refusals."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.composition import init_counter, open_counter
from app.crypto.keystore import KdfParams, Keystore, KeystoreError
from app.crypto.unlock_ahead import KeystoreUnlock

PASSPHRASE = "unlock ahead passphrase"
CHEAP = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def _counter(directory: Path) -> Path:
    directory.mkdir()
    init_counter(directory, PASSPHRASE, "DEV-AHEAD", "0102030405AB", CHEAP)
    return directory


def test_the_thread_opens_the_same_keys_as_opening_at_once(tmp_path: Path) -> None:
    path = _counter(tmp_path / "c") / "keystore.json"
    ahead = KeystoreUnlock(path, PASSPHRASE)
    opened = ahead.result()
    direct = Keystore.open(path, PASSPHRASE)
    assert opened.names() == direct.names()
    assert all(opened.get(n) == direct.get(n) for n in direct.names())


def test_the_kdf_runs_off_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _counter(tmp_path / "c") / "keystore.json"
    threads: list[str] = []
    real = KdfParams.derive

    def spy(self: KdfParams, passphrase: str, salt: bytes) -> bytes:
        threads.append(threading.current_thread().name)
        return real(self, passphrase, salt)

    monkeypatch.setattr(KdfParams, "derive", spy)
    KeystoreUnlock(path, PASSPHRASE).result()
    assert threads == ["keystore-unlock"]


def test_a_wrong_passphrase_is_refused_when_the_result_is_taken(tmp_path: Path) -> None:
    path = _counter(tmp_path / "c") / "keystore.json"
    ahead = KeystoreUnlock(path, "not the passphrase")
    with pytest.raises(KeystoreError, match="wrong keystore passphrase"):
        ahead.result()


NO_SAM = "no SAM reader here"


def test_a_missing_keystore_is_the_same_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeystoreError, match="no keystore"):
        KeystoreUnlock(tmp_path / "keystore.json", PASSPHRASE).result()


def test_open_counter_takes_the_unlocked_keystore(tmp_path: Path) -> None:
    directory = _counter(tmp_path / "c")
    keystore = KeystoreUnlock(directory / "keystore.json", PASSPHRASE).result()
    # an empty SAM slot, whatever the machine's pcscd serves
    counter = open_counter(directory, PASSPHRASE, keystore=keystore, sam_reader=NO_SAM)
    try:
        assert counter.journal.verify().ok
    finally:
        counter.close()


def test_open_counter_refuses_another_counters_keystore(tmp_path: Path) -> None:
    """Attack: a keystore unlocked from elsewhere must not open this counter's journal."""
    mine, other = _counter(tmp_path / "mine"), _counter(tmp_path / "other")
    foreign = Keystore.open(other / "keystore.json", PASSPHRASE)
    with pytest.raises(ValueError, match="not this counter's"):
        open_counter(mine, PASSPHRASE, keystore=foreign, sam_reader=NO_SAM)
