"""A small file system for real full-disk tests: a tmpfs mounted for the test, and a filler.

Mounting needs root (CAP_SYS_ADMIN); where that is impossible the tests that need it are
skipped with the reason (they never pretend with a mock).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def mounted_tmpfs(where: Path, size_kib: int) -> Iterator[Path]:
    """A tmpfs of ``size_kib`` KiB mounted at ``where`` for the duration of the block."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}): needs root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


class Filler:
    """Takes the free space of a file system away, and gives it back."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: list[Path] = []

    def fill(self) -> None:
        """Write filler files until the file system says ENOSPC (nothing left for anyone)."""
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            while True:
                path = self.directory / f".filler-{uuid.uuid4().hex}"
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
                self._files.append(path)
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
                finally:
                    os.close(fd)

    def free(self) -> None:
        """Remove every filler file."""
        for path in self._files:
            path.unlink(missing_ok=True)
        self._files.clear()


def fold_wal(database: Path) -> None:
    """Fold a database's WAL into the main file and truncate it (the next commit must grow it)."""
    conn = sqlite3.connect(database)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
