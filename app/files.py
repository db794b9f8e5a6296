"""Small files the counter rewrites whole: written atomically, the one implementation.

The keystore, ``center.json``, the settings and the auditor's archive all go through
:func:`atomic_write`: a temporary file beside the target, written and fsynced, renamed over the
target, then (POSIX only) the directory fsynced so the rename itself survives a power cut. A
crash or a full disk leaves the old file or the new one, never half of one, and no temporary
file behind.

Windows, where most counters run, differs in two ways handled here:

- a directory cannot be opened to fsync it (``os.open`` on a directory fails); NTFS journals
  the rename's metadata itself, so the step is skipped;
- a rename over a file that another process holds open (an antivirus scanner, the search
  indexer, a backup agent) fails for a moment with a sharing violation; it is retried with a
  short backoff before giving up.

``_os`` and ``_sleep`` are the module's view of the operating system, so a test can run the
Windows branch with a simulated Windows ``os`` layer on any machine.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import sqlite3
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from app.domain.texts import ClerkFacingError

_os: Any = os  # replaced in tests by a simulated Windows layer
_sleep = time.sleep

# Windows errors a rename meets while another process holds the target (or the temp file) open
_WINDOWS_SHARING = frozenset({5, 32, 33})  # ACCESS_DENIED, SHARING_VIOLATION, LOCK_VIOLATION
REPLACE_ATTEMPTS = 10
_FIRST_BACKOFF_S = 0.01
_MAX_BACKOFF_S = 0.25


class DiskFullError(ClerkFacingError):
    """A write failed for lack of space; nothing of it was kept, nothing before it was harmed."""

    advice = (
        "Do not take money for this operation yet. Ask a supervisor to free space on the disk "
        "(or to call support); meanwhile the counter still reads cards and prints reports. If a "
        "card was on the reader, put it back once space is freed: the counter then checks and "
        "records what happened to it."
    )


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the disk is full: ENOSPC, SQLITE_FULL, quota."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
                return True
            if "disk is full" in str(current):
                return True
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        orig = getattr(current, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False


def free_bytes(path: Path) -> int:
    """Free space for ordinary files on the file system holding ``path`` (or its parent)."""
    target = Path(path)
    while not target.exists() and target != target.parent:
        target = target.parent
    return int(shutil.disk_usage(target).free)


def on_windows() -> bool:
    """Whether the operating system layer is Windows' (``os.name == "nt"``)."""
    return bool(_os.name == "nt")


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file.

    Raises ``OSError`` (a full disk: ``ENOSPC``) with the old file untouched and no temporary
    file left behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    flags = _os.O_WRONLY | _os.O_CREAT | _os.O_EXCL | getattr(_os, "O_BINARY", 0)
    fd = _os.open(tmp, flags, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = _os.write(fd, view)
                view = view[written:]
            _os.fsync(fd)
        finally:
            _os.close(fd)
        _replace(tmp, path)
    except BaseException:
        with suppress(OSError):  # the original error matters more
            tmp.unlink(missing_ok=True)
        raise
    sync_directory(path.parent)


def _replace(source: Path, target: Path) -> None:
    """``os.replace``, retried on Windows while another process holds a file open."""
    delay = _FIRST_BACKOFF_S
    for attempt in range(1, REPLACE_ATTEMPTS + 1):
        try:
            _os.replace(source, target)
            return
        except PermissionError as exc:
            sharing = on_windows() and getattr(exc, "winerror", None) in _WINDOWS_SHARING
            if not sharing or attempt == REPLACE_ATTEMPTS:
                raise
            _sleep(delay)
            delay = min(delay * 2, _MAX_BACKOFF_S)


def sync_file(path: Path) -> None:
    """Flush a file written by someone else (SQLite's backup, say) to the disk."""
    fd = _os.open(path, _os.O_RDWR | getattr(_os, "O_BINARY", 0))
    try:
        _os.fsync(fd)
    finally:
        _os.close(fd)


def sync_directory(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable (a no-op on Windows)."""
    if on_windows():
        return  # no directory handles to fsync; NTFS journals the metadata
    fd = _os.open(directory, _os.O_RDONLY)
    try:
        _os.fsync(fd)
    finally:
        _os.close(fd)
