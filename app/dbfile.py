"""SQLite files the counter owns (the journal, the counter store): checks, engines, migrations.

Shared by :mod:`app.journal.database` and :mod:`app.store.database`, which pass their own
migration directory, error classes and clerk-facing texts. One writer engine (``BEGIN
IMMEDIATE``: the write lock is taken at the start, so two writers queue instead of failing
half-way) and a reader engine (deferred ``BEGIN``, ``query_only``): in WAL mode readers see a
snapshot and never block the writer. ``synchronous=FULL``: a commit has reached the disk when
it returns.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, QueuePool, create_engine, event

from app.domain.texts import ClerkFacingError, marked

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
_NOT_A_FILE = marked("{path} is not a file.")
BUSY_TIMEOUT_MS = 10_000
# a migration script's ids, read without importing Alembic (start-up needs only the chain):
# ``revision = "j0002"`` / ``down_revision = "j0001"`` or None, with or without an annotation
_REVISION = re.compile(r"^revision(?:\s*:[^=\n]+)?\s*=\s*[\"']([^\"']+)[\"']\s*$", re.M)
_DOWN_REVISION = re.compile(
    r"^down_revision(?:\s*:[^=\n]+)?\s*=\s*(?:None|[\"']([^\"']+)[\"'])\s*$", re.M
)


@dataclass(frozen=True)
class FileTexts:
    """What a clerk is told about one kind of file: templates (each passed through ``marked``).

    One set per kind, so that the kind's name is part of the translated text, not a value.
    """

    missing: str  # {path}
    empty: str  # {path}: a file of zero bytes
    not_sqlite: str  # {path}
    unreadable: str  # {path}, {reason}
    empty_database: str  # {path}: SQLite without any table
    foreign: str  # {path}, {tables}: SQLite with tables of something else
    too_new: str  # {path}, {revision}, {known}


@dataclass(frozen=True)
class DatabaseKind:
    """One kind of database file: what to call it, its migrations, the errors it raises."""

    name: str  # "journal", "counter store": used in log lines
    migrations: Path
    file_error: type[ClerkFacingError]  # missing, empty, foreign, unreadable
    too_new_error: type[ClerkFacingError]  # a schema newer than this application
    texts: FileTexts

    def alembic_config(self) -> Config:
        """An Alembic configuration pointing at this kind's migrations (imports Alembic)."""
        from alembic.config import Config  # noqa: PLC0415 - only when a migration is due

        config = Config()
        config.set_main_option("script_location", str(self.migrations))
        return config

    def known_revisions(self) -> list[str]:
        """Every schema revision this version of the application knows, oldest first.

        Read from the scripts' ``revision``/``down_revision`` lines, which is all a start-up
        needs; a history that is not one plain chain (a merge, a branch, an id this reading
        does not understand) is left to Alembic.
        """
        chain = _linear_chain(self.migrations / "versions")
        if chain is not None:
            return chain
        from alembic.script import ScriptDirectory  # noqa: PLC0415

        script = ScriptDirectory.from_config(self.alembic_config())
        return [r.revision for r in reversed(list(script.walk_revisions()))]

    def head_revision(self) -> str:
        """The schema revision this version of the application writes."""
        return self.known_revisions()[-1]


def _linear_chain(versions: Path) -> list[str] | None:
    """The revisions of the scripts in ``versions``, oldest first, if they form one chain."""
    parent: dict[str | None, str] = {}  # down_revision -> revision
    for script in versions.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if not revision and not down:
            continue  # __init__.py and helpers
        if len(revision) != 1 or len(down) != 1:
            return None
        key = down[0] or None
        if key in parent:
            return None  # two scripts on one parent: a branch
        parent[key] = revision[0]
    chain: list[str] = []
    current: str | None = None
    while current in parent:
        current = parent[current]
        chain.append(current)
    return chain if chain and len(chain) == len(parent) else None


def check_file(kind: DatabaseKind, path: Path) -> None:
    """Refuse, without writing, a path that is not an existing SQLite file."""
    if not path.exists():
        raise kind.file_error(kind.texts.missing, path=str(path))
    if not path.is_file():
        raise kind.file_error(_NOT_A_FILE, path=str(path))
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if not header:
        raise kind.file_error(kind.texts.empty, path=str(path))
    if header != SQLITE_HEADER:
        raise kind.file_error(kind.texts.not_sqlite, path=str(path))


def _on_connect(query_only: bool) -> Any:
    def configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # let SQLAlchemy's begin event decide how transactions start (pysqlite would defer them)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if query_only:
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    return configure


def _connect(path: Path, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    # a URI, percent-quoted: '?', '#' and '%' in a directory name must not change the file opened
    mode = "ro" if read_only else "rwc"
    uri = f"file:{quote(str(path.absolute()))}?mode={mode}" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def writer_engine(path: Path) -> Engine:
    """The engine that writes: WAL, synchronous=FULL, ``BEGIN IMMEDIATE``."""
    engine = create_engine(
        "sqlite://",
        creator=lambda: _connect(path, read_only=False),
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
    )
    event.listen(engine, "connect", _on_connect(query_only=False))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def reader_engine(path: Path) -> Engine:
    """An engine for readers: snapshot transactions that never take the write lock."""
    engine = create_engine(
        "sqlite://", creator=lambda: _connect(path, read_only=True), poolclass=QueuePool
    )
    event.listen(engine, "connect", _on_connect(query_only=True))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _inspect(kind: DatabaseKind, path: Path) -> tuple[str | None, list[str]]:
    """Revision and tables of an existing file, read through a plain read-only connection.

    Nothing is changed: no journal-mode switch, no schema (unlike the engines' hooks).
    """
    check_file(kind, path)
    # without a -wal file the main file holds everything: read it as immutable, so that not even
    # the -wal/-shm side files a WAL-mode database would get are created next to a refused file
    wal = path.with_name(path.name + "-wal")
    try:
        conn = _connect(path, read_only=True, immutable=not wal.exists())
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            tables = [str(r[0]) for r in rows]
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = None if row is None else str(row[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # "file is not a database", damaged pages
        raise kind.file_error(kind.texts.unreadable, path=str(path), reason=str(exc)) from exc
    return revision, tables


def migrate(kind: DatabaseKind, engine: Engine, path: Path, target: str = "head") -> None:
    """Bring the schema to ``target``; refuse newer or foreign files; back up before upgrading.

    A path with no file yet gets a new database. An existing file is first inspected read-only
    and refused, unchanged, if it is not SQLite, has no schema revision (an empty or foreign
    database), or a newer one. A database created by an older version is upgraded in place
    after a copy is taken next to it (``<name>.before-<revision>``). All migrations run in one
    transaction: SQLite's DDL is transactional, so an upgrade happens entirely or not at all.
    """
    known = kind.known_revisions()
    revision: str | None = None
    if path.exists():
        revision, tables = _inspect(kind, path)
        if revision is None and tables:
            raise kind.file_error(
                kind.texts.foreign, path=str(path), tables=", ".join(sorted(tables)[:5])
            )
        if revision is None:
            raise kind.file_error(kind.texts.empty_database, path=str(path))
        if revision not in known:
            raise kind.too_new_error(
                kind.texts.too_new, path=str(path), revision=revision, known=known[-1]
            )
    wanted = known[-1] if target == "head" else target
    if revision == wanted:
        return
    if revision is not None:
        _backup(path, path.with_name(f"{path.name}.before-{wanted}"))
        log.info("upgrading the %s schema from %s to %s", kind.name, revision, wanted)
    from alembic import command  # noqa: PLC0415 - Alembic only when a migration is due

    config = kind.alembic_config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
        conn.commit()


def _backup(source: Path, destination: Path) -> None:
    if destination.exists():
        return
    src = _connect(source, read_only=True)
    try:
        target = sqlite3.connect(destination)
        try:
            src.backup(target)
        finally:
            target.close()
    finally:
        src.close()
