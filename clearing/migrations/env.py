"""Alembic environment: always run by :mod:`clearing.database` with an open connection."""

from __future__ import annotations

from alembic import context

from clearing.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - migrations are applied by the center only
    raise RuntimeError("center migrations run from clearing.database, with a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
