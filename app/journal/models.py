"""SQLAlchemy 2 typed models of the journal database (the schema the migrations build).

Only :mod:`app.journal` touches these; callers get :mod:`app.journal.records` values.
``journal_record`` and ``journal_checkpoint`` are append-only and MAC'd or signed;
``journal_head`` is the keyed anchor of the last record; ``sync_cursor`` (sync state) is
deliberately outside the MAC'd rows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the journal schema."""


class JournalMetaRow(Base):
    """Facts about the journal fixed at creation: one row."""

    __tablename__ = "journal_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32))
    terminal_id: Mapped[str] = mapped_column(String(12))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    created_by_version: Mapped[str] = mapped_column(String(32))


class RecordRow(Base):
    """One journal record; ``seq`` is the device-scoped gap-free sequence and the row id."""

    __tablename__ = "journal_record"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    device_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    at_us: Mapped[int] = mapped_column(BigInteger)
    operator: Mapped[str | None] = mapped_column(String(64))
    shift_id: Mapped[int | None] = mapped_column(Integer)
    card_serial: Mapped[str | None] = mapped_column(String(20))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_method: Mapped[str | None] = mapped_column(String(24))
    balance_before_fen: Mapped[int | None] = mapped_column(BigInteger)
    balance_after_fen: Mapped[int | None] = mapped_column(BigInteger)
    atc: Mapped[int | None] = mapped_column(Integer)
    terminal_seq: Mapped[int | None] = mapped_column(Integer)
    mac1: Mapped[bytes | None] = mapped_column(LargeBinary(4))
    mac2: Mapped[bytes | None] = mapped_column(LargeBinary(4))
    tac: Mapped[bytes | None] = mapped_column(LargeBinary(4))
    intent_seq: Mapped[int | None] = mapped_column(Integer)
    grand_total_fen: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(32))
    prev_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary(32))

    __table_args__ = (
        Index("ix_journal_record_kind_seq", "kind", "seq"),
        Index("ix_journal_record_intent_seq", "intent_seq"),
        Index("ix_journal_record_card_serial", "card_serial", "seq"),
        Index(
            "ix_journal_record_shift_report",
            "shift_id",
            "kind",
            "payment_method",
            "amount_fen",
        ),
        Index("ix_journal_record_period", "at_us", "kind", "payment_method", "amount_fen"),
    )


class CheckpointRow(Base):
    """A signed checkpoint of the chain head."""

    __tablename__ = "journal_checkpoint"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    device_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer, index=True)
    head_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    batch_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    totals: Mapped[str] = mapped_column(Text)
    at_us: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(32))
    prev_signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class HeadRow(Base):
    """The keyed anchor of the last record: a truncated tail no longer matches it."""

    __tablename__ = "journal_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_id: Mapped[str] = mapped_column(String(32))
    anchor: Mapped[bytes] = mapped_column(LargeBinary(32))


class SyncCursorRow(Base):
    """How far the clearing center has acknowledged the journal (not MAC'd: it is not evidence)."""

    __tablename__ = "sync_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    acked_seq: Mapped[int] = mapped_column(Integer, default=0)
    updated_at_us: Mapped[int] = mapped_column(BigInteger, default=0)
    last_checkpoint: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("journal_checkpoint.number")
    )
