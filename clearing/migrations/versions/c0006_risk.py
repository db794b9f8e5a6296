"""Risk alarms and their parameters, console staff accounts, sessions and audit trail.

Revision ID: c0006
Revises: c0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the risk and console tables; index records by card and by clerk for the rules."""
    op.create_table(
        "risk_alarm",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("summary_zh", sa.Text),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("amount_fen", sa.BigInteger),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("raised_at_us", sa.BigInteger, nullable=False),
        sa.Column("acknowledged_by", sa.String(64)),
        sa.Column("acknowledged_at_us", sa.BigInteger),
        sa.Column("closed_by", sa.String(64)),
        sa.Column("closed_at_us", sa.BigInteger),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_risk_alarm_state_rule", "risk_alarm", ["state", "rule"])
    op.create_index("ix_risk_alarm_subject", "risk_alarm", ["subject"])
    op.create_table(
        "risk_parameter_set",
        sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("published_at_us", sa.BigInteger, nullable=False),
    )
    state = op.create_table(
        "risk_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("settled_until_us", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(state, [{"id": 1, "settled_until_us": 0}])
    op.create_table(
        "staff_account",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_until_us", sa.BigInteger),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
        sa.Column("expires_at_us", sa.BigInteger, nullable=False),
        sa.Column("ended_at_us", sa.BigInteger),
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at_us", sa.BigInteger, nullable=False, index=True),
        sa.Column("username", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(128)),
        sa.Column("detail", sa.Text),
        sa.Column("client", sa.String(64)),
    )
    op.create_index("ix_journal_record_card_at", "journal_record", ["card_serial", "at_us"])
    op.create_index("ix_journal_record_operator_at", "journal_record", ["operator", "at_us"])
    op.create_index("ix_card_ledger_at", "card_ledger", ["at_us"])


def downgrade() -> None:
    """Drop what :func:`upgrade` made."""
    op.drop_index("ix_card_ledger_at", "card_ledger")
    op.drop_index("ix_journal_record_operator_at", "journal_record")
    op.drop_index("ix_journal_record_card_at", "journal_record")
    for table in (
        "console_audit",
        "staff_session",
        "staff_account",
        "risk_state",
        "risk_parameter_set",
    ):
        op.drop_table(table)
    op.drop_index("ix_risk_alarm_subject", "risk_alarm")
    op.drop_index("ix_risk_alarm_state_rule", "risk_alarm")
    op.drop_table("risk_alarm")
