"""What support needs from a counter, and nothing it must not have: versions, logs, settings.

:func:`version_report` answers ``citycard-counter version``: the application's version, the
schema revisions this version writes (the migrations' heads) and, when the data directory has
them, the revisions of its journal and counter store. :func:`write_diagnostics` makes the zip
behind Tools → Copy diagnostics: those versions, the rotating logs (already redacted when
written, passed through :func:`app.logs.redact` once more), the settings with secret-looking
values masked, and the list of the data directory's files with their sizes. Never the keystore,
the journal or the store themselves, and nothing from a file that is not a log or the settings.
Qt-free.
"""

from __future__ import annotations

import json
import platform
import sqlite3
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from app import __version__
from app.journal.database import JOURNAL
from app.logs import LOG_FILE, redact
from app.settings import FILE_NAME as SETTINGS_FILE
from app.store.database import STORE

JOURNAL_FILE = "journal.sqlite3"
STORE_FILE = "counter.sqlite3"
LOGS_DIR = "logs"
DIAGNOSTICS_DIR = "diagnostics"
_SECRET_WORDS = ("password", "passphrase", "secret", "token", "key", "code", "pin")
_MAX_LOG_BYTES = 20 * 1024 * 1024  # all rotated logs fit (5 x 2 MiB + the current one)


@dataclass(frozen=True)
class SchemaVersion:
    """One database kind: the revision this application writes, and the data file's own."""

    name: str
    head: str
    current: str | None  # None: no file (yet); "unreadable: …" when it could not be read


def _file_revision(path: Path) -> str | None:
    """The Alembic revision stored in ``path``, read without writing anything next to it."""
    if not path.exists():
        return None
    wal = path.with_name(path.name + "-wal")
    uri = f"file:{quote(str(path.absolute()))}?mode=ro" + ("" if wal.exists() else "&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"unreadable: {exc}"
    return None if row is None else str(row[0])


def schema_versions(data_dir: Path | None) -> list[SchemaVersion]:
    """The journal's and the counter store's schema: head, and the data directory's revision."""
    kinds = ((JOURNAL, JOURNAL_FILE), (STORE, STORE_FILE))
    return [
        SchemaVersion(
            kind.name,
            kind.head_revision(),
            None if data_dir is None else _file_revision(data_dir / file_name),
        )
        for kind, file_name in kinds
    ]


def version_report(data_dir: Path | None) -> list[str]:
    """The lines of ``citycard-counter version``."""
    frozen = " (installed bundle)" if getattr(sys, "frozen", False) else ""
    lines = [
        f"citycard-counter {__version__}{frozen}",
        f"python {platform.python_version()} on {platform.platform()}",
    ]
    for schema in schema_versions(data_dir):
        line = f"{schema.name} schema: {schema.head}"
        if schema.current is not None:
            line += f" (data directory: {schema.current})"
        lines.append(line)
    if data_dir is not None:
        lines.append(f"data directory: {data_dir}" + ("" if data_dir.exists() else " (none yet)"))
    return lines


def masked_settings(values: Any, key: str = "") -> Any:
    """``values`` (parsed settings JSON) with secret-looking entries masked, recursively."""
    if isinstance(values, Mapping):
        return {str(k): masked_settings(v, str(k)) for k, v in values.items()}
    if isinstance(values, list):
        return [masked_settings(v, key) for v in values]
    if any(word in key.lower() for word in _SECRET_WORDS) and values not in ("", None):
        return "***"
    return redact(values) if isinstance(values, str) else values


def file_list(data_dir: Path) -> list[str]:
    """``relative/path<TAB>size`` for every file under ``data_dir`` (names and sizes only)."""
    lines = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        try:
            size = str(path.stat().st_size)
        except OSError as exc:  # removed while we looked, or unreadable
            size = f"? ({exc.strerror})"
        lines.append(f"{path.relative_to(data_dir).as_posix()}\t{size}")
    return lines


def _settings_text(data_dir: Path) -> str:
    path = data_dir / SETTINGS_FILE
    if not path.exists():
        return "{}\n"
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return json.dumps({"unreadable": str(exc)}) + "\n"
    return json.dumps(masked_settings(values), ensure_ascii=False, indent=2) + "\n"


def _log_files(data_dir: Path) -> list[Path]:
    directory = data_dir / LOGS_DIR
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"{LOG_FILE}*") if p.is_file())


def write_diagnostics(
    data_dir: Path,
    out_dir: Path | None = None,
    extra_versions: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Path:
    """Write the support zip into ``out_dir`` (default: ``data_dir/diagnostics``); its path.

    Holds ``versions.txt`` (with ``extra_versions``, e.g. Qt's), ``settings.json`` (masked),
    ``files.txt`` and ``logs/counter.log*``. Reads only the logs and the settings file.
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    target_dir = out_dir or data_dir / DIAGNOSTICS_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"citycard-diagnostics-{stamp}.zip"
    versions = version_report(data_dir)
    versions += [f"{name}: {value}" for name, value in (extra_versions or {}).items()]
    budget = _MAX_LOG_BYTES
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("versions.txt", "\n".join(versions) + "\n")
        archive.writestr("settings.json", _settings_text(data_dir))
        archive.writestr("files.txt", "\n".join(file_list(data_dir)) + "\n")
        for log_file in _log_files(data_dir):
            data = log_file.read_bytes()[-budget:] if budget > 0 else b""
            budget -= len(data)
            text = redact(data.decode("utf-8", errors="replace"))
            archive.writestr(f"logs/{log_file.name}", text)
    return target
