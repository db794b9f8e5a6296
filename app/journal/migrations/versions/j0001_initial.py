"""The journal: meta, MAC-chained records, signed checkpoints, keyed head anchor.

Revision ID: j0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "j0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the journal tables."""
    op.create_table(
        "journal_meta",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(12), nullable=False),
        sa.Column("public_key", sa.LargeBinary(64), nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
        sa.Column("created_by_version", sa.String(32), nullable=False),
    )
    op.create_table(
        "journal_record",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("operator", sa.String(64)),
        sa.Column("shift_id", sa.Integer),
        sa.Column("card_serial", sa.String(20)),
        sa.Column("amount_fen", sa.BigInteger),
        sa.Column("payment_method", sa.String(24)),
        sa.Column("balance_before_fen", sa.BigInteger),
        sa.Column("balance_after_fen", sa.BigInteger),
        sa.Column("atc", sa.Integer),
        sa.Column("terminal_seq", sa.Integer),
        sa.Column("mac1", sa.LargeBinary(4)),
        sa.Column("mac2", sa.LargeBinary(4)),
        sa.Column("tac", sa.LargeBinary(4)),
        sa.Column("intent_seq", sa.Integer),
        sa.Column("grand_total_fen", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("prev_mac", sa.LargeBinary(32), nullable=False),
        sa.Column("mac", sa.LargeBinary(32), nullable=False),
    )
    op.create_index("ix_journal_record_kind_seq", "journal_record", ["kind", "seq"])
    op.create_index("ix_journal_record_intent_seq", "journal_record", ["intent_seq"])
    op.create_index("ix_journal_record_card_serial", "journal_record", ["card_serial", "seq"])
    op.create_table(
        "journal_checkpoint",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("head_mac", sa.LargeBinary(32), nullable=False),
        sa.Column("batch_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("totals", sa.Text, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("prev_signature", sa.LargeBinary(64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
    )
    op.create_index("ix_journal_checkpoint_seq", "journal_checkpoint", ["seq"])
    op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("mac", sa.LargeBinary(32), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("anchor", sa.LargeBinary(32), nullable=False),
    )


def downgrade() -> None:
    """Never used on a counter: a journal is never downgraded."""
    raise NotImplementedError("journals are never downgraded")
