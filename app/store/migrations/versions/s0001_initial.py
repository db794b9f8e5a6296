"""The counter store: operators, shifts, blacklist, parameters, holders, card links.

Revision ID: s0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the store tables."""
    op.create_table(
        "operator",
        sa.Column("username", sa.String(32), primary_key=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_until_us", sa.BigInteger, nullable=False),
        sa.Column("active", sa.Integer, nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "shift",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("operator", sa.String(32), nullable=False),
        sa.Column("opened_at_us", sa.BigInteger, nullable=False),
        sa.Column("opening_float_fen", sa.BigInteger, nullable=False),
        sa.Column("closed_at_us", sa.BigInteger),
        sa.Column("counted_json", sa.Text),
        sa.Column("counted_cash_fen", sa.BigInteger),
        sa.Column("expected_cash_fen", sa.BigInteger),
        sa.Column("difference_reason", sa.Text),
        sa.Column("approved_by", sa.String(32)),
        sa.Column("checkpoint_number", sa.Integer),
    )
    op.create_index(
        "ux_shift_open_per_operator",
        "shift",
        ["operator"],
        unique=True,
        sqlite_where=sa.text("closed_at_us IS NULL"),
        postgresql_where=sa.text("closed_at_us IS NULL"),
    )
    op.create_table(
        "blacklist",
        sa.Column("card_serial", sa.String(20), primary_key=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("added_at_us", sa.BigInteger, nullable=False),
        sa.Column("journal_seq", sa.Integer),
        sa.Column("pending_upload", sa.Integer, nullable=False),
    )
    op.create_table(
        "parameters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("received_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "holder",
        sa.Column("card_serial", sa.String(20), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("id_number_hash", sa.String(64), nullable=False),
        sa.Column("id_number_tail", sa.String(4), nullable=False),
        sa.Column("phone_tail", sa.String(4)),
    )
    op.create_index("ix_holder_name", "holder", ["name"])
    op.create_index("ix_holder_id_number_hash", "holder", ["id_number_hash"])
    op.create_table(
        "card_link",
        sa.Column("old_serial", sa.String(20), primary_key=True),
        sa.Column("new_serial", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("journal_seq", sa.Integer, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_card_link_new_serial", "card_link", ["new_serial"])


def downgrade() -> None:
    """Never used on a counter."""
    raise NotImplementedError("the counter store is never downgraded")
