"""Alembic environment of the counter store: always run by :mod:`app.dbfile` with a connection."""

from __future__ import annotations

from alembic import context

from app.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - migrations are applied by the application only
    raise RuntimeError("store migrations run from app.store.database, with a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,  # our BEGIN IMMEDIATE makes SQLite DDL all-or-nothing
)
with context.begin_transaction():
    context.run_migrations()
