"""The clearing center: devices, keys, records, quarantine, alarms, ledgers, lists, parameters.

Revision ID: c0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the center tables."""
    op.create_table(
        "center_identity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("secret", sa.LargeBinary(32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(64), nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "enrolment_code",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
        sa.Column("expires_at_us", sa.BigInteger, nullable=False),
        sa.Column("used_at_us", sa.BigInteger),
    )
    op.create_table(
        "device",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("terminal_id", sa.String(12), nullable=False),
        sa.Column("public_key", sa.LargeBinary(64), nullable=False, unique=True),
        sa.Column("enrolled_at_us", sa.BigInteger, nullable=False),
        sa.Column("head_seq", sa.BigInteger, nullable=False),
        sa.Column("head_mac", sa.LargeBinary(32), nullable=False),
        sa.Column("head_at_us", sa.BigInteger, nullable=False),
        sa.Column("next_key_id", sa.String(32), nullable=False),
    )
    op.create_table(
        "device_key",
        sa.Column("device_id", sa.String(32), sa.ForeignKey("device.device_id"), primary_key=True),
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("secret", sa.LargeBinary(32), nullable=False),
        sa.Column("issued_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "auth_nonce",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("timestamp_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_auth_nonce_timestamp_us", "auth_nonce", ["timestamp_us"])
    op.create_table(
        "journal_record",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("operator", sa.String(64)),
        sa.Column("shift_id", sa.BigInteger),
        sa.Column("card_serial", sa.String(20)),
        sa.Column("amount_fen", sa.BigInteger),
        sa.Column("payment_method", sa.String(24)),
        sa.Column("balance_before_fen", sa.BigInteger),
        sa.Column("balance_after_fen", sa.BigInteger),
        sa.Column("atc", sa.BigInteger),
        sa.Column("terminal_seq", sa.BigInteger),
        sa.Column("mac1", sa.LargeBinary(32)),
        sa.Column("mac2", sa.LargeBinary(32)),
        sa.Column("tac", sa.LargeBinary(32)),
        sa.Column("intent_seq", sa.BigInteger),
        sa.Column("grand_total_fen", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("prev_mac", sa.LargeBinary(32), nullable=False),
        sa.Column("mac", sa.LargeBinary(32), nullable=False),
        sa.Column("received_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_journal_record_device_kind_seq", "journal_record", ["device_id", "kind", "seq"]
    )
    op.create_index(
        "ix_journal_record_device_intent", "journal_record", ["device_id", "intent_seq"]
    )
    op.create_index("ix_journal_record_device_at", "journal_record", ["device_id", "at_us"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("received_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_quarantine_device_id", "quarantine", ["device_id"])
    op.create_table(
        "tamper_alarm",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("stored_mac", sa.LargeBinary(32)),
        sa.Column("offered_mac", sa.LargeBinary(32)),
        sa.Column("offered", sa.Text, nullable=False),
        sa.Column("raised_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_tamper_alarm_device_id", "tamper_alarm", ["device_id"])
    op.create_table(
        "device_checkpoint",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("head_mac", sa.LargeBinary(32), nullable=False),
        sa.Column("batch_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("totals", sa.Text, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("prev_signature", sa.LargeBinary(64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("received_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "card_ledger",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("intent_seq", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("payment_method", sa.String(24)),
        sa.Column("balance_after_fen", sa.BigInteger),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("device_id", "seq", name="uq_card_ledger_device_seq"),
    )
    op.create_index("ix_card_ledger_card_at", "card_ledger", ["card_serial", "at_us"])
    op.create_table(
        "loss_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reported_at_us", sa.BigInteger, nullable=False),
        sa.Column("waiting_until_us", sa.BigInteger, nullable=False),
        sa.Column("cancelled_at_us", sa.BigInteger),
        sa.Column("cancelled_by", sa.String(32)),
    )
    op.create_index("ix_loss_report_card_serial", "loss_report", ["card_serial"])
    op.create_table(
        "blacklist_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.execute(sa.text("INSERT INTO blacklist_state (id, version) VALUES (1, 0)"))
    op.create_table(
        "blacklist_change",
        sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_blacklist_change_card_serial", "blacklist_change", ["card_serial"])
    op.create_table(
        "parameter_set",
        sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("published_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "online_load",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("balance_before_fen", sa.BigInteger, nullable=False),
        sa.Column("online_atc", sa.BigInteger, nullable=False),
        sa.Column("card_time_us", sa.BigInteger, nullable=False),
        sa.Column("mac2", sa.LargeBinary(8), nullable=False),
        sa.Column("authorized_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_online_load_device_id", "online_load", ["device_id"])
    op.create_index("ix_online_load_card_serial", "online_load", ["card_serial"])


def downgrade() -> None:
    """The center's schema is only ever upgraded (restore a backup to go back)."""
    raise NotImplementedError("the center database is never downgraded")
