"""The counter store's SQLite file (``counter.sqlite3``): open or create, migrate, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from app import dbfile
from app.store.errors import StoreFileError, StoreTooNewError

STORE = dbfile.DatabaseKind(
    name="counter store",
    migrations=Path(__file__).parent / "migrations",
    file_error=StoreFileError,
    too_new_error=StoreTooNewError,
)


class Store:
    """The counter store. Short sessions only: ``with store.session() as s: ...``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine = dbfile.writer_engine(path)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    @classmethod
    def create(cls, path: Path) -> Store:
        """Create a new, empty store at ``path`` (never overwrites a file)."""
        if path.exists():
            raise StoreFileError(f"A file already exists at {path}; it was not overwritten.")
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
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Release the file."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
