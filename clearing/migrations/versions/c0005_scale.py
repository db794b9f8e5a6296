"""City scale: constraints behind read-then-insert, indexes for settlement by day.

- ``uq_loss_report_active_card``: one active (not cancelled) loss report per card, a partial
  unique index (both SQLite and PostgreSQL have them). Reports that an earlier race left active
  twice are resolved first: the oldest stays, the younger ones are marked cancelled at the time
  they were made, by ``c0005`` (the blacklist is unchanged: the card stays listed).
- ``ix_card_ledger_at_device`` and ``ix_journal_record_at``: settlement reads one day of every
  outlet at once (set-based), by time; ``ix_journal_record_received``: the late arrivals.
- ``settlement_close``: the business days closed; records of a closed day received after its
  close are settled as adjustments of the day they arrive.

Revision ID: c0005
Revises: c0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0005"
down_revision = "c0004_authority"
branch_labels = None
depends_on = None

ACTIVE = "cancelled_at_us IS NULL"


def upgrade() -> None:
    """Resolve doubled active loss reports, then add the constraint and the indexes."""
    reports = sa.table(
        "loss_report",
        sa.column("id", sa.Integer),
        sa.column("card_serial", sa.String),
        sa.column("reported_at_us", sa.BigInteger),
        sa.column("cancelled_at_us", sa.BigInteger),
        sa.column("cancelled_by", sa.String),
    )
    older = sa.alias(reports, "older")
    op.execute(
        reports.update()
        .where(
            reports.c.cancelled_at_us.is_(None),
            sa.exists().where(
                older.c.card_serial == reports.c.card_serial,
                older.c.cancelled_at_us.is_(None),
                older.c.id < reports.c.id,
            ),
        )
        .values(cancelled_at_us=reports.c.reported_at_us, cancelled_by="c0005")
    )
    op.create_index(
        "uq_loss_report_active_card",
        "loss_report",
        ["card_serial"],
        unique=True,
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    )
    op.create_index("ix_card_ledger_at_device", "card_ledger", ["at_us", "device_id"])
    op.create_index("ix_journal_record_at", "journal_record", ["at_us"])
    op.create_index("ix_journal_record_received", "journal_record", ["received_at_us"])
    op.create_table(
        "settlement_close",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("start_us", sa.BigInteger, nullable=False, unique=True),
        sa.Column("end_us", sa.BigInteger, nullable=False),
        sa.Column("closed_at_us", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    """Drop the indexes (reports cancelled by the upgrade stay cancelled)."""
    op.drop_table("settlement_close")
    op.drop_index("ix_journal_record_received", "journal_record")
    op.drop_index("ix_journal_record_at", "journal_record")
    op.drop_index("ix_card_ledger_at_device", "card_ledger")
    op.drop_index("uq_loss_report_active_card", "loss_report")
