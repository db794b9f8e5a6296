"""The counter store's SQLite file (``counter.sqlite3``): open or create, migrate, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app import dbfile
from app.domain.texts import marked
from app.files import DiskFullError, is_disk_full
from app.store.errors import StoreFileError, StoreTooNewError

STORE = dbfile.DatabaseKind(
    name="counter store",
    migrations=Path(__file__).parent / "migrations",
    file_error=StoreFileError,
    too_new_error=StoreTooNewError,
    texts=dbfile.FileTexts(
        missing=marked("There is no counter store at {path}."),
        empty=marked(
            "The counter store file {path} is empty: its contents are gone or were never written."
        ),
        not_sqlite=marked("{path} is not a counter store: it is not an SQLite database."),
        unreadable=marked("The counter store {path} cannot be read: {reason}."),
        empty_database=marked(
            "{path} is an SQLite database but not a counter store (it is empty)."
        ),
        foreign=marked(
            "{path} is an SQLite database but not a counter store (it has tables {tables})."
        ),
        too_new=marked(
            "The counter store {path} has schema {revision}, newer than this version of the "
            "application knows ({known})."
        ),
    ),
)


class Store:
    """The counter store, in short sessions.

    ``with store.session() as s: ...`` to write, ``with store.reading() as s: ...`` to look up.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine = dbfile.writer_engine(path)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._reader: Engine | None = None
        self._read_sessions: sessionmaker[Session] | None = None

    @classmethod
    def create(cls, path: Path) -> Store:
        """Create a new, empty store at ``path`` (never overwrites a file)."""
        if path.exists():
            raise StoreFileError(
                "A file already exists at {path}; it was not overwritten.", path=str(path)
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(path)
        dbfile.migrate(STORE, store._engine, path)
        return store

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (and upgrade) an existing store; refuses foreign, empty or newer files unchanged."""
        dbfile.check_file(STORE, path)
        store = cls(path)
        try:
            dbfile.migrate(STORE, store._engine, path)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open_or_create(cls, path: Path) -> Store:
        """Open the store, creating it on the first run."""
        return cls.open(path) if path.exists() else cls.create(path)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short transaction: committed on success, rolled back on error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            if is_disk_full(exc):
                raise DiskFullError(
                    "The disk holding the counter store is full ({path}): the change was not "
                    "saved.",
                    path=str(self.path),
                ) from exc
            raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot that never takes the write lock (lookups on the hot path)."""
        if self._read_sessions is None:
            self._reader = dbfile.reader_engine(self.path)
            self._read_sessions = sessionmaker(self._reader, expire_on_commit=False)
        with self._read_sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Release the file."""
        self._engine.dispose()
        if self._reader is not None:
            self._reader.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
