"""Files that are not (this device's, this version's) journal are refused, and left untouched."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from app.journal import (
    Journal,
    JournalError,
    JournalFileError,
    JournalKeys,
    JournalTooNewError,
)
from app.journal.database import known_revisions
from tests.journal.support import DEVICE, TERMINAL, StepClock, raw_db, settle, snapshot

RANDOM = random.Random(20261121)


def _journal(path: Path, keys: JournalKeys | None = None) -> Path:
    with Journal.create(path, keys or JournalKeys.generate(), DEVICE, TERMINAL, StepClock()):
        pass
    settle(path)
    return path


def _foreign(path: Path, wal: bool = False) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('张三')")
        conn.commit()
    return path


def _empty_sqlite(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 7")  # a valid database file without any table
        conn.commit()
    assert path.stat().st_size > 0
    return path


def _too_new(path: Path) -> Path:
    _journal(path)
    with raw_db(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'j9999'")
    return path


def _no_header(path: Path) -> Path:
    _journal(path)
    with raw_db(path) as conn:
        conn.execute("DELETE FROM journal_meta")
    return path


def _damaged(path: Path) -> Path:
    path.write_bytes(b"SQLite format 3\x00" + RANDOM.randbytes(8192 - 16))
    return path


def _truncated(path: Path) -> Path:
    whole = _journal(path.with_name("whole.db")).read_bytes()
    path.with_name("whole.db").unlink()
    path.write_bytes(whole[: len(whole) // 3])
    return path


def _write(data: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def _directory(path: Path) -> Path:
    path.mkdir()
    (path / "inside.txt").write_text("a directory, not a journal\n")
    return path


# case -> (how to make it, expected error, words the message must contain)
CASES: dict[str, tuple[Callable[[Path], Path], type[JournalFileError], str]] = {
    "random_bytes": (_write(RANDOM.randbytes(4096)), JournalFileError, "not an SQLite database"),
    "text_file": (
        _write("journal: nothing to see here\n收据\n".encode() * 50),
        JournalFileError,
        "not an SQLite database",
    ),
    "empty_file": (_write(b""), JournalFileError, "is empty"),
    "directory": (_directory, JournalFileError, "is not a file"),
    "foreign_tables": (_foreign, JournalFileError, "it has tables customers"),
    "foreign_tables_wal": (
        lambda p: _foreign(p, wal=True),
        JournalFileError,
        "it has tables customers",
    ),
    "empty_sqlite": (_empty_sqlite, JournalFileError, "not a journal"),
    "no_journal_header": (_no_header, JournalFileError, "no journal header"),
    "too_new": (_too_new, JournalTooNewError, "j9999"),
    "damaged_sqlite": (_damaged, JournalFileError, "cannot be read"),
    "truncated_journal": (_truncated, JournalFileError, "cannot be read"),
}


def _params() -> list[str]:
    return list(CASES)


def _make(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    return CASES[case][0](folder / "journal.db")


@pytest.mark.parametrize("case", _params())
def test_bad_file_is_refused_with_a_clear_error(tmp_path: Path, case: str) -> None:
    _, error, words = CASES[case]
    path = _make(tmp_path, case)
    with pytest.raises(JournalFileError) as info:
        Journal.open(path, JournalKeys.generate())
    assert type(info.value) is error
    message = str(info.value)
    assert words in message
    assert str(path) in message
    assert "not changed" in info.value.advice


@pytest.mark.parametrize("case", _params())
def test_bad_file_is_left_unchanged(tmp_path: Path, case: str) -> None:
    path = _make(tmp_path, case)
    before = snapshot(path.parent)
    assert before  # the case made something
    try:
        Journal.open(path, JournalKeys.generate())
    except Exception:  # which error it is, is the test above's business
        pass
    else:
        pytest.fail("the bad file was opened")
    assert snapshot(path.parent) == before  # main file and any -wal/-shm beside it


def test_too_new_journal_message_names_both_revisions(tmp_path: Path) -> None:
    path = _too_new(tmp_path / "journal.db")
    with pytest.raises(JournalTooNewError) as info:
        Journal.open(path, JournalKeys.generate())
    assert "j9999" in str(info.value)
    assert known_revisions()[-1] in str(info.value)
    assert "never run an older version" in info.value.advice


@pytest.mark.parametrize("where", ["file", "folder"])
def test_missing_journal_is_refused_and_not_created(tmp_path: Path, where: str) -> None:
    path = tmp_path / "journal.db" if where == "file" else tmp_path / "gone" / "journal.db"
    with pytest.raises(JournalFileError) as info:
        Journal.open(path, JournalKeys.generate())
    assert "There is no journal" in str(info.value)
    assert str(path) in str(info.value)
    assert list(tmp_path.iterdir()) == []  # no file, side file or folder was created


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    path.symlink_to(tmp_path / "elsewhere.db")
    with pytest.raises(JournalFileError):
        Journal.open(path, JournalKeys.generate())
    assert not (tmp_path / "elsewhere.db").exists()


def test_another_devices_keys_are_refused(tmp_path: Path) -> None:
    mine = JournalKeys.generate()
    path = _journal(tmp_path / "journal.db", mine)
    before = snapshot(tmp_path)
    theirs = JournalKeys.generate()
    with pytest.raises(JournalFileError) as info:
        Journal.open(path, theirs)
    message = str(info.value)
    assert f"belongs to device {DEVICE}" in message
    assert "wrong keystore or journal" in message
    from app.journal.canonical import fingerprint  # noqa: PLC0415

    assert fingerprint(mine.public_key) in message
    assert fingerprint(theirs.public_key) in message
    assert snapshot(tmp_path) == before
    # the right keys still open it, unharmed
    with Journal.open(path, mine) as journal:
        assert journal.problem is None
        assert journal.verify(full=True).ok


def test_same_mac_keys_but_another_device_key_are_refused(tmp_path: Path) -> None:
    mine = JournalKeys.generate()
    path = _journal(tmp_path / "journal.db", mine)
    before = snapshot(tmp_path)
    other = JournalKeys(dict(mine.mac_keys), mine.current_key_id, JournalKeys.generate().device_key)
    with pytest.raises(JournalFileError):
        Journal.open(path, other)
    assert snapshot(tmp_path) == before


# -- create never overwrites -----------------------------------------------------------------

EXISTING: dict[str, Callable[[Path], Path]] = {
    "journal": _journal,
    "text_file": _write(b"precious\n"),
    "empty_file": _write(b""),
    "foreign_sqlite": _foreign,
    "directory": _directory,
    "dangling_symlink": lambda p: (p.symlink_to(p.with_name("target.db")), p)[1],
}


@pytest.mark.parametrize("case", list(EXISTING))
def test_create_refuses_an_existing_path(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    path = EXISTING[case](folder / "journal.db")
    before = snapshot(folder)
    listing = sorted(os.listdir(folder))
    with pytest.raises(JournalFileError) as info:
        Journal.create(path, JournalKeys.generate(), DEVICE, TERMINAL, StepClock())
    assert "already exists" in str(info.value)
    assert "not overwritten" in str(info.value)
    assert snapshot(folder) == before
    assert sorted(os.listdir(folder)) == listing


@pytest.mark.parametrize(
    ("device_id", "terminal_id"),
    [
        ("", TERMINAL),
        ("DEV 001", TERMINAL),
        ("D" * 33, TERMINAL),
        (DEVICE, "11223344556"),
        (DEVICE, "11223344556g"),
        (DEVICE, "112233445566\n"),
    ],
)
def test_create_refuses_bad_ids_and_writes_nothing(
    tmp_path: Path, device_id: str, terminal_id: str
) -> None:
    with pytest.raises(JournalError):
        Journal.create(
            tmp_path / "j" / "journal.db", JournalKeys.generate(), device_id, terminal_id
        )
    assert list(tmp_path.iterdir()) == []
