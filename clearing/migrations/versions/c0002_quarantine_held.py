"""Quarantine: ``held`` marks a record stored in the chain but kept out of the ledger (bad TAC).

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``quarantine.held`` (false for every row so far: none of them was stored)."""
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("held", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """The center's schema is only ever upgraded (restore a backup to go back)."""
    raise NotImplementedError("the center database is never downgraded")
