"""Shift-report index and the sync cursor.

Revision ID: j0002
Revises: j0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "j0002"
down_revision = "j0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Covering indexes for shift and daily totals; the upload cursor, outside the MAC'd rows."""
    op.create_index(
        "ix_journal_record_shift_report",
        "journal_record",
        ["shift_id", "kind", "payment_method", "amount_fen"],
    )
    op.create_index(
        "ix_journal_record_period",
        "journal_record",
        ["at_us", "kind", "payment_method", "amount_fen"],
    )
    op.create_table(
        "sync_cursor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("acked_seq", sa.Integer, nullable=False),
        sa.Column("updated_at_us", sa.BigInteger, nullable=False),
        sa.Column("last_checkpoint", sa.Integer, sa.ForeignKey("journal_checkpoint.number")),
    )
    op.execute("INSERT INTO sync_cursor (id, acked_seq, updated_at_us) VALUES (1, 0, 0)")


def downgrade() -> None:
    """Never used on a counter: a journal is never downgraded."""
    raise NotImplementedError("journals are never downgraded")
