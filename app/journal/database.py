"""The journal's SQLite file: the journal's kind of :mod:`app.dbfile` database.

Checks before touching the file, writer/reader engines, and Alembic migrations at start-up.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from app import dbfile
from app.dbfile import reader_engine, writer_engine
from app.domain.texts import marked
from app.journal.errors import JournalFileError, JournalTooNewError

JOURNAL = dbfile.DatabaseKind(
    name="journal",
    migrations=Path(__file__).parent / "migrations",
    file_error=JournalFileError,
    too_new_error=JournalTooNewError,
    texts=dbfile.FileTexts(
        missing=marked("There is no journal at {path}."),
        empty=marked(
            "The journal file {path} is empty: its contents are gone or were never written."
        ),
        not_sqlite=marked("{path} is not a journal: it is not an SQLite database."),
        unreadable=marked("The journal {path} cannot be read: {reason}."),
        empty_database=marked("{path} is an SQLite database but not a journal (it is empty)."),
        foreign=marked("{path} is an SQLite database but not a journal (it has tables {tables})."),
        too_new=marked(
            "The journal {path} has schema {revision}, newer than this version of the "
            "application knows ({known})."
        ),
    ),
)

__all__ = [
    "JOURNAL",
    "check_file",
    "head_revision",
    "known_revisions",
    "migrate",
    "reader_engine",
    "writer_engine",
]


def known_revisions() -> list[str]:
    """Every journal schema revision this version of the application knows, oldest first."""
    return JOURNAL.known_revisions()


def head_revision() -> str:
    """The journal schema revision this version of the application writes."""
    return JOURNAL.head_revision()


def check_file(path: Path) -> None:
    """Refuse, without writing, a path that is not an existing SQLite file."""
    dbfile.check_file(JOURNAL, path)


def migrate(engine: Engine, path: Path, target: str = "head") -> None:
    """Bring the journal schema to ``target`` (see :func:`app.dbfile.migrate`)."""
    dbfile.migrate(JOURNAL, engine, path, target)
