"""``INSERT … ON CONFLICT DO NOTHING`` for the two databases the center runs on.

Both SQLite and PostgreSQL have it; SQLAlchemy spells it per dialect. Inserting "if missing"
this way is the constraint-backed form of read-then-insert: two transactions cannot both insert.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def insert_ignoring_conflict(
    session: Session, model: type[Any], values: Mapping[str, Any]
) -> Insert:
    """An INSERT of ``values`` into ``model``'s table that does nothing when a key exists."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).values(dict(values)).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(model).values(dict(values)).on_conflict_do_nothing()
    raise NotImplementedError(f"the center does not run on {dialect}")
