"""Interchange between cities (互联互通): a center's forwarding state, and the national platform.

A city center forwards records of other cities' cards (``interchange_outbound``), takes in
records of its own cards spent elsewhere (``interchange_inbound``, exactly once) and exchanges
blacklist changes (``interchange_blacklist_import``, cursors in ``interchange_state``). The
national platform — the same code base in its other role — keeps its members, their records
routed exactly once, alarms and the national blacklist (``platform_*``). A database serves one
role; both sets of tables exist in each.

Revision ID: c0008
Revises: c0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0008"
down_revision = "c0007_restore"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the interchange and platform tables."""
    op.create_table(
        "interchange_outbound",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("issuer_city", sa.String(32)),  # None: not another city's card
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
        sa.Column("forwarded_at_us", sa.BigInteger),
        sa.Column("refused", sa.Text),
    )
    op.create_table(
        "interchange_inbound",
        sa.Column("acquirer_city", sa.String(32), primary_key=True),
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("platform_id", sa.BigInteger, nullable=False),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("received_at_us", sa.BigInteger, nullable=False),
        sa.Column("held", sa.Text),
    )
    op.create_table(
        "interchange_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("inbound_after", sa.BigInteger, nullable=False),
        sa.Column("blacklist_pushed", sa.BigInteger, nullable=False),
        sa.Column("blacklist_pulled", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "interchange_blacklist_import",
        sa.Column("center_version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("platform_version", sa.BigInteger, nullable=False, unique=True),
        sa.Column("from_city", sa.String(32), nullable=False),
    )
    op.create_table(
        "platform_member",
        sa.Column("city", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(64), nullable=False, unique=True),
        sa.Column("issuer_codes", sa.Text, nullable=False),  # JSON list of upper-case hex
        sa.Column("registered_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "platform_nonce",
        sa.Column("city", sa.String(32), primary_key=True),
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("timestamp_us", sa.BigInteger, nullable=False, index=True),
    )
    op.create_table(
        "platform_record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("acquirer_city", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("issuer_city", sa.String(32), nullable=False),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("business_day", sa.String(10), nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("received_at_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("acquirer_city", "device_id", "seq", name="uq_platform_record_key"),
    )
    op.create_index("ix_platform_record_issuer_id", "platform_record", ["issuer_city", "id"])
    op.create_index("ix_platform_record_day", "platform_record", ["business_day"])
    op.create_table(
        "platform_alarm",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("offered", sa.Text, nullable=False),
        sa.Column("raised_at_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "platform_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("blacklist_version", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "platform_blacklist_change",
        sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("from_city", sa.String(32), nullable=False),
        sa.Column("from_version", sa.BigInteger, nullable=False),
        sa.Column("card_serial", sa.String(20), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("from_city", "from_version", name="uq_platform_blacklist_origin"),
    )
    op.bulk_insert(
        sa.table(
            "interchange_state",
            sa.column("id"),
            sa.column("inbound_after"),
            sa.column("blacklist_pushed"),
            sa.column("blacklist_pulled"),
        ),
        [{"id": 1, "inbound_after": 0, "blacklist_pushed": 0, "blacklist_pulled": 0}],
    )
    op.bulk_insert(
        sa.table("platform_state", sa.column("id"), sa.column("blacklist_version")),
        [{"id": 1, "blacklist_version": 0}],
    )


def downgrade() -> None:
    """Drop what :func:`upgrade` made (tests step through it; production restores a backup)."""
    op.drop_index("ix_platform_record_day", "platform_record")
    op.drop_index("ix_platform_record_issuer_id", "platform_record")
    for table in (
        "platform_blacklist_change",
        "platform_state",
        "platform_alarm",
        "platform_record",
        "platform_nonce",
        "platform_member",
        "interchange_blacklist_import",
        "interchange_state",
        "interchange_inbound",
        "interchange_outbound",
    ):
        op.drop_table(table)
