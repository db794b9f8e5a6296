"""Helpers shared by the journal tests: a stepping clock, key copies, file snapshots."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import JournalKeys

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
