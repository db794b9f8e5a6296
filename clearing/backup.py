"""Backing up and restoring the center's database (``citycard-center backup|restore``).

- SQLite: SQLite's online backup API — a consistent copy while the center runs (WAL included),
  written beside the target and renamed into place once synced. Restoring copies the backup's
  pages over the database in one transaction; stop the center first.
- PostgreSQL: ``pg_dump --format=custom`` (consistent: one snapshot) and ``pg_restore --clean
  --if-exists --single-transaction``. For point-in-time recovery use ``pg_basebackup`` with WAL
  archiving instead (docs/clearing-center.md, "Backup and restore").

A center restored from an older backup holds less of each device's journal than the devices
know it acknowledged: the counters notice at their next sync, send the missing records again
and the center raises a ``center_behind`` alarm per device (:mod:`clearing.ingest`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup or the restore could not be made; nothing was replaced."""


def _sqlite_path(db_url: str) -> Path | None:
    url = make_url(db_url)
    if not url.drivername.startswith("sqlite"):
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq_url(db_url: str) -> str:
    url = make_url(db_url)
    if not url.drivername.startswith("postgresql"):
        raise BackupError(f"no backup method for {url.drivername} databases")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(db_url: str, out: Path) -> Path:
    """Write a consistent backup of the database at ``db_url`` to the new file ``out``."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = _sqlite_path(db_url)
    try:
        if source is not None:
            if not source.is_file():
                raise BackupError(f"there is no database at {source}")
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                dst = sqlite3.connect(partial)
                try:
                    src.backup(dst)
                    dst.execute("PRAGMA journal_mode = DELETE")
                finally:
                    dst.close()
            finally:
                src.close()
        else:
            done = subprocess.run(  # noqa: S603 - fixed tool, arguments from the operator
                [_tool("pg_dump"), "--format=custom", f"--file={partial}", _libpq_url(db_url)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        _fsync(partial)
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return out


def restore(db_url: str, source: Path) -> None:
    """Replace the database at ``db_url`` with the backup ``source`` (stop the center first)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    target = _sqlite_path(db_url)
    if target is not None:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            (check,) = src.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError(f"the backup {source} is damaged: {check}")
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)  # page by page, one transaction; the WAL is handled by SQLite
            finally:
                dst.close()
        finally:
            src.close()
        return
    done = subprocess.run(  # noqa: S603 - fixed tool, arguments from the operator
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(db_url)}",
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
