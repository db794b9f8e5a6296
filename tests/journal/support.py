"""Helpers shared by the journal tests: a stepping clock, key copies, file snapshots."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal, JournalKeys

DEVICE = "DEV-001"
TERMINAL = "112233445566"
START = datetime(2026, 11, 21, 8, 0, 0, tzinfo=UTC)


class StepClock:
    """A clock that moves forward by ``step`` on every reading; ``set`` jumps anywhere."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when - self.step  # the next reading is exactly ``when``


def key_subset(keys: JournalKeys, key_ids: list[str], current: str) -> JournalKeys:
    """The same device key with only some of the MAC keys."""
    return JournalKeys({k: keys.mac_keys[k] for k in key_ids}, current, keys.device_key)


def keys_to_plain(keys: JournalKeys) -> tuple[dict[str, bytes], str, bytes]:
    """Keys as picklable plain values (for a child process)."""
    return dict(keys.mac_keys), keys.current_key_id, keys.device_key.secret


def keys_from_plain(plain: tuple[dict[str, bytes], str, bytes]) -> JournalKeys:
    mac_keys, current, secret = plain
    return JournalKeys(dict(mac_keys), current, Sm2PrivateKey.from_secret(secret))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(directory: Path) -> dict[str, str]:
    """sha256 of every file under ``directory`` (side files such as -wal/-shm included)."""
    return {
        str(p.relative_to(directory)): sha256(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@contextmanager
def raw_db(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain ``sqlite3`` connection (not the app's), committed and closed on exit.

    Being the last connection to close, it also folds the WAL back into the main file.
    """
    with closing(sqlite3.connect(path)) as conn:
        yield conn
        conn.commit()


def settle(path: Path) -> None:
    """Fold any WAL into the main file so that the file alone holds the whole database."""
    with raw_db(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Refusals:
    """Checks a refused write at once for its effect (nothing recorded), and for its type last.

    A refusal of the wrong type is kept and re-raised by :meth:`done` at the end of the test, so
    that everything else the test checks still runs.
    """

    def __init__(self) -> None:
        self.wrong: list[BaseException] = []

    def check(
        self, journal: Journal, call: Callable[[], object], error: type[Exception], words: str = ""
    ) -> BaseException:
        head, records, checkpoints = journal.head(), journal.records(), journal.checkpoints()
        try:
            call()
        except Exception as exc:  # the type is checked below, after the effect
            caught: BaseException = exc
        else:
            pytest.fail(f"expected {error.__name__}, but the write was accepted")
        assert journal.head() == head, "a refused write moved the head"
        assert journal.records() == records, "a refused write changed the records"
        assert journal.checkpoints() == checkpoints, "a refused write changed the checkpoints"
        if isinstance(caught, error):
            assert words in str(caught), caught
        else:
            self.wrong.append(caught)
        return caught

    def done(self) -> None:
        if self.wrong:
            raise self.wrong[0]
