"""Device authority: outlets, device status, unique terminal ids, card registry, grant checks.

Also the approval reference of a loss report's cancellation, and the online grants' columns
that reconcile them with the uploaded journal.

Revision ID: c0004_authority
Revises: c0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0004_authority"
down_revision = "c0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and tables; existing devices become active, each its own outlet."""
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT terminal_id FROM device GROUP BY terminal_id HAVING COUNT(*) > 1 "
                "ORDER BY terminal_id"
            )
        )
        .scalars()
        .all()
    )
    if shared:
        raise RuntimeError(
            f"terminal ids enrolled by more than one device: {', '.join(shared)}. Each counter "
            "needs its own: revoke and re-enrol all but one of each, then upgrade again."
        )
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("outlet", sa.String(32)))
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="active")
        )
        batch.add_column(sa.Column("status_reason", sa.Text))
        batch.add_column(sa.Column("status_changed_at_us", sa.BigInteger))
        batch.create_unique_constraint("uq_device_terminal_id", ["terminal_id"])
    with op.batch_alter_table("enrolment_code") as batch:
        batch.add_column(sa.Column("outlet", sa.String(32)))
    with op.batch_alter_table("loss_report") as batch:
        batch.add_column(sa.Column("cancel_approval", sa.String(64)))
        batch.add_column(sa.Column("cancel_checked_at_us", sa.BigInteger))
    with op.batch_alter_table("online_load") as batch:
        batch.add_column(sa.Column("card_type", sa.Integer))
        batch.add_column(sa.Column("transfer_from", sa.String(20)))
        batch.add_column(sa.Column("reconciled_at_us", sa.BigInteger))
        batch.add_column(sa.Column("alarmed_at_us", sa.BigInteger))
        batch.create_index("ix_online_load_authorized_at_us", ["authorized_at_us"])
    op.create_table(
        "card_registry",
        sa.Column("card_serial", sa.String(20), primary_key=True),
        sa.Column("card_type", sa.Integer, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("registered_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "grant_alarm",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("online_load_id", sa.Integer, nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raised_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_grant_alarm_device_id", "grant_alarm", ["device_id"])


def downgrade() -> None:
    """Drop what :func:`upgrade` made (tests step through it; production restores a backup)."""
    op.drop_index("ix_grant_alarm_device_id", "grant_alarm")
    op.drop_table("grant_alarm")
    op.drop_table("card_registry")
    with op.batch_alter_table("online_load") as batch:
        batch.drop_index("ix_online_load_authorized_at_us")
        for column in ("alarmed_at_us", "reconciled_at_us", "transfer_from", "card_type"):
            batch.drop_column(column)
    with op.batch_alter_table("loss_report") as batch:
        batch.drop_column("cancel_checked_at_us")
        batch.drop_column("cancel_approval")
    with op.batch_alter_table("enrolment_code") as batch:
        batch.drop_column("outlet")
    with op.batch_alter_table("device") as batch:
        batch.drop_constraint("uq_device_terminal_id", type_="unique")
        for column in ("status_changed_at_us", "status_reason", "status", "outlet"):
            batch.drop_column(column)
