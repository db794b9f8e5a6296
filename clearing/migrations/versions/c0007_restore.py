"""A device replaced by another: the replacement code, the successor, the retirement.

Revision ID: c0007_restore
Revises: c0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0007_restore"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``enrolment_code.replaces``, ``device.replaces`` and ``device.retired_at_us``."""
    with op.batch_alter_table("enrolment_code") as batch:
        batch.add_column(sa.Column("replaces", sa.String(32), nullable=True))
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("replaces", sa.String(32), nullable=True))
        batch.add_column(sa.Column("retired_at_us", sa.BigInteger, nullable=True))


def downgrade() -> None:
    """Drop the columns again."""
    with op.batch_alter_table("device") as batch:
        batch.drop_column("retired_at_us")
        batch.drop_column("replaces")
    with op.batch_alter_table("enrolment_code") as batch:
        batch.drop_column("replaces")
