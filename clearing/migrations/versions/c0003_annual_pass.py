"""Annual passes of the scenic ticket offices, derived from accepted pass records.

Revision ID: c0003
Revises: c0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``annual_pass`` and fill it from the pass records the center already holds."""
    op.create_table(
        "annual_pass",
        sa.Column("pass_id", sa.String(32), primary_key=True),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("bound_at_us", sa.BigInteger, nullable=False),
        sa.Column("product_code", sa.String(32)),
        sa.Column("product_name", sa.String(64)),
        sa.Column("valid_from", sa.String(10)),
        sa.Column("valid_until", sa.String(10)),
        sa.Column("holder", sa.String(64)),
        sa.Column("amount_fen", sa.BigInteger),
        sa.Column("sale_device_id", sa.String(32)),
        sa.Column("sale_seq", sa.BigInteger),
        sa.Column("sold_at_us", sa.BigInteger),
    )
    op.create_index("ix_annual_pass_card_serial", "annual_pass", ["card_serial"])
    _rebuild()


def _rebuild() -> None:
    from clearing.passes import PASS_KINDS, apply_pass_record  # noqa: PLC0415

    records = sa.table(
        "journal_record",
        sa.column("device_id"),
        sa.column("seq"),
        sa.column("kind"),
        sa.column("at_us"),
        sa.column("card_serial"),
        sa.column("amount_fen"),
        sa.column("payload"),
    )
    session = Session(bind=op.get_bind())
    rows = session.execute(
        sa.select(records)
        .where(records.c.kind.in_(sorted(PASS_KINDS)))
        .order_by(records.c.at_us, records.c.device_id, records.c.seq)
    ).mappings()
    for row in rows.all():
        apply_pass_record(session, str(row["device_id"]), dict(row))
    session.flush()


def downgrade() -> None:
    """The center's schema is only ever upgraded (restore a backup to go back)."""
    raise NotImplementedError("the center database is never downgraded")
