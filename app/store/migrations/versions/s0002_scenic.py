"""The scenic-area ticket office: annual passes bound to cards, gate entries.

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the scenic tables."""
    op.create_table(
        "scenic_pass",
        sa.Column("pass_id", sa.String(32), primary_key=True),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("product_code", sa.String(32), nullable=False),
        sa.Column("product_name", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=False),
        sa.Column("valid_until", sa.String(10), nullable=False),
        sa.Column("holder_name", sa.String(64), nullable=False),
        sa.Column("id_number_tail", sa.String(4), nullable=False),
        sa.Column("photo_path", sa.String(512)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sale_seq", sa.Integer, nullable=False),
        sa.Column("sold_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_scenic_pass_card_serial", "scenic_pass", ["card_serial"])
    op.create_table(
        "scenic_entry",
        sa.Column("journal_seq", sa.Integer, primary_key=True),
        sa.Column("pass_id", sa.String(32)),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("gate", sa.String(32), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("flagged", sa.Integer, nullable=False),
    )
    op.create_index("ix_scenic_entry_pass_id", "scenic_entry", ["pass_id"])
    op.create_index("ix_scenic_entry_day", "scenic_entry", ["day"])


def downgrade() -> None:
    """Never used on a counter."""
    raise NotImplementedError("the counter store is never downgraded")
