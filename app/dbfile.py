"""SQLite files the counter owns (the journal, the counter store): checks, engines, migrations.

Shared by :mod:`app.journal.database` and :mod:`app.store.database`, which pass their own
migration directory and error classes. One writer engine (``BEGIN IMMEDIATE``: the write lock
is taken at the start, so two writers queue instead of failing half-way) and a reader engine
(deferred ``BEGIN``, ``query_only``): in WAL mode readers see a snapshot and never block the
writer. ``synchronous=FULL``: a commit has reached the disk when it returns.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class DatabaseKind:
    """One kind of database file: what to call it, its migrations, the errors it raises."""

    name: str  # "journal", "counter store": used in messages
    migrations: Path
    file_error: type[Exception]  # missing, empty, foreign, unreadable
    too_new_error: type[Exception]  # a schema newer than this application

    def alembic_config(self) -> Config:
        """An Alembic configuration pointing at this kind's migrations."""
        config = Config()
        config.set_main_option("script_location", str(self.migrations))
        return config

    def known_revisions(self) -> list[str]:
        """Every schema revision this version of the application knows, oldest first."""
        script = ScriptDirectory.from_config(self.alembic_config())
        return [r.revision for r in reversed(list(script.walk_revisions()))]

    def head_revision(self) -> str:
        """The schema revision this version of the application writes."""
        return self.known_revisions()[-1]


def check_file(kind: DatabaseKind, path: Path) -> None:
    """Refuse, without writing, a path that is not an existing SQLite file."""
    if not path.exists():
        raise kind.file_error(f"There is no {kind.name} at {path}.")
    if not path.is_file():
        raise kind.file_error(f"{path} is not a file.")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if not header:
        raise kind.file_error(
            f"The {kind.name} file {path} is empty: its contents are gone or were never written."
        )
    if header != SQLITE_HEADER:
        raise kind.file_error(f"{path} is not a {kind.name}: it is not an SQLite database.")


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


def writer_engine(path: Path) -> Engine:
    """The engine that writes: WAL, synchronous=FULL, ``BEGIN IMMEDIATE``."""
    engine = create_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0)
    event.listen(engine, "connect", _on_connect(query_only=False))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def reader_engine(path: Path) -> Engine:
    """An engine for readers: snapshot transactions that never take the write lock."""
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    event.listen(engine, "connect", _on_connect(query_only=True))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def current_revision(kind: DatabaseKind, engine: Engine) -> str | None:
    """The schema revision stored in the database (None for a database without one)."""
    with engine.connect() as conn:
        try:
            return MigrationContext.configure(conn).get_current_revision()
        except Exception as exc:  # sqlite3.DatabaseError: "file is not a database", damaged pages
            raise kind.file_error(f"The {kind.name} cannot be read: {exc}.") from exc


def migrate(kind: DatabaseKind, engine: Engine, path: Path, target: str = "head") -> None:
    """Bring the schema to ``target``; refuse newer or foreign databases; back up before upgrading.

    A database created by an older version is upgraded in place after a copy is taken next to it
    (``<name>.before-<revision>``), so a failed upgrade never costs a row. All migrations run in
    one transaction: SQLite's DDL is transactional, so an upgrade happens entirely or not at all.
    """
    revision = current_revision(kind, engine)
    known = kind.known_revisions()
    if revision is None:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
        if tables:
            raise kind.file_error(
                f"{path} is an SQLite database but not a {kind.name} "
                f"(it has tables {', '.join(sorted(tables)[:5])})."
            )
    elif revision not in known:
        raise kind.too_new_error(
            f"The {kind.name} {path} has schema {revision}, newer than this version of the "
            f"application knows ({known[-1]})."
        )
    wanted = known[-1] if target == "head" else target
    if revision == wanted:
        return
    if revision is not None:
        _backup(engine, path.with_name(f"{path.name}.before-{wanted}"))
        log.info("upgrading the %s schema from %s to %s", kind.name, revision, wanted)
    config = kind.alembic_config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
        conn.commit()


def _backup(engine: Engine, destination: Path) -> None:
    if destination.exists():
        return
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(destination)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    finally:
        raw.close()
