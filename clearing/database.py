"""The center's database: engines for SQLite files or PostgreSQL, migrations, the schema check.

SQLite is the default (one file, ``BEGIN IMMEDIATE`` so that writers queue rather than fail half
way, WAL, ``synchronous=FULL``). Any other SQLAlchemy URL (``postgresql+psycopg://…``) gets a
plain pooled engine: the queries are portable SQL and row locks (``SELECT … FOR UPDATE``) order
concurrent writers there. ``?prepare_threshold=none`` in a PostgreSQL URL turns psycopg's
prepared statements off, for PgBouncer in transaction pooling (deploy/pgbouncer.ini).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


class CenterDatabaseError(RuntimeError):
    """The database cannot be used by this version of the center."""


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def known_revisions() -> list[str]:
    """Every schema revision this version of the center knows, oldest first."""
    script = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def is_sqlite(engine: Engine) -> bool:
    """Whether ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event starts transactions
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get the pragmas and ``BEGIN IMMEDIATE``."""
    if url.startswith("sqlite"):
        if url in {"sqlite://", "sqlite:///:memory:"}:
            raise CenterDatabaseError("the clearing center needs a database file, not :memory:")
        engine = create_engine(url, pool_size=4, max_overflow=4, pool_timeout=60)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if "prepare_threshold" in parsed.query:  # behind PgBouncer < 1.21: no prepared statements
        value = str(parsed.query["prepare_threshold"]).strip().lower()  # (a blank one is dropped)
        connect_args["prepare_threshold"] = None if value in {"none", "off"} else int(value)
        parsed = parsed.difference_update_query(["prepare_threshold"])
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


MIGRATION_LOCK = 0x43435F4D  # "CC_M": the advisory lock concurrent migrators queue on


def _revision_problem(revision: str | None, tables: list[str], known: list[str]) -> str | None:
    if revision is None and tables:
        return (
            f"the database has tables ({', '.join(sorted(tables)[:5])}) but is not a "
            "clearing center database"
        )
    if revision is not None and revision not in known:
        return (
            f"the database has schema {revision}, which this version of the center does not "
            f"know (newest known: {known[-1]})"
        )
    return None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; refuse foreign or newer databases.

    On PostgreSQL the migrator first takes a transaction-scoped advisory lock, so two
    ``citycard-center migrate`` (or two hosts starting at once) queue instead of both creating
    ``alembic_version``; the second finds the schema current and does nothing.
    """
    known = known_revisions()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        revision = MigrationContext.configure(conn).get_current_revision()
        problem = _revision_problem(revision, inspect(conn).get_table_names(), known)
        if problem is not None:
            raise CenterDatabaseError(problem)
        if revision == known[-1]:
            return
        log.info("migrating the center database from %s to %s", revision, known[-1])
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def check_schema(engine: Engine) -> None:
    """Refuse a database whose schema is not the newest this center knows (workers' check).

    Workers never migrate: several of them starting on one database would race on the schema.
    """
    known = known_revisions()
    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        problem = _revision_problem(revision, inspect(conn).get_table_names(), known)
    if problem is None and revision != known[-1]:
        problem = (
            f"the database schema is {revision or 'empty (never migrated)'} and this center "
            f"needs {known[-1]}: run `citycard-center migrate --db URL` once before starting "
            "the workers (they never migrate)"
        )
    if problem is not None:
        raise CenterDatabaseError(problem)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values usable after commit (callers get plain values anyway)."""
    return sessionmaker(engine, expire_on_commit=False)
