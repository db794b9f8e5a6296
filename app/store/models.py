"""SQLAlchemy 2 typed models of the counter store: the counter's mutable local state.

Evidence lives in the journal; this file holds what changes in place — operator accounts and
lockouts, the open shifts, the local blacklist, the parameters in force, registered holders and
card links. Every change that matters is also journaled by the service that makes it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the counter store."""


class OperatorRow(Base):
    """An operator account."""

    __tablename__ = "operator"

    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until_us: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[int] = mapped_column(Integer, default=1)
    created_at_us: Mapped[int] = mapped_column(BigInteger)


class ShiftRow(Base):
    """A shift: opened with a float, closed with a blind count."""

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator: Mapped[str] = mapped_column(String(32))
    opened_at_us: Mapped[int] = mapped_column(BigInteger)
    opening_float_fen: Mapped[int] = mapped_column(BigInteger)
    closed_at_us: Mapped[int | None] = mapped_column(BigInteger)
    counted_json: Mapped[str | None] = mapped_column(Text)  # denominations declared at close
    counted_cash_fen: Mapped[int | None] = mapped_column(BigInteger)
    expected_cash_fen: Mapped[int | None] = mapped_column(BigInteger)
    difference_reason: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(32))
    checkpoint_number: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # one open shift per operator on this device
        Index(
            "ux_shift_open_per_operator",
            "operator",
            unique=True,
            sqlite_where=text("closed_at_us IS NULL"),
            postgresql_where=text("closed_at_us IS NULL"),
        ),
    )


class BlacklistRow(Base):
    """A card that must not be served: reported lost locally or listed by the center."""

    __tablename__ = "blacklist"

    card_serial: Mapped[str] = mapped_column(String(20), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # "local" until the center confirms
    added_at_us: Mapped[int] = mapped_column(BigInteger)
    journal_seq: Mapped[int | None] = mapped_column(Integer)  # the loss report record
    pending_upload: Mapped[int] = mapped_column(Integer, default=0)


class ParametersRow(Base):
    """The parameters in force (card types, limits, fees, brakes), as the center published them."""

    __tablename__ = "parameters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # canonical JSON
    received_at_us: Mapped[int] = mapped_column(BigInteger)


class HolderRow(Base):
    """A registered card's holder, for loss reports (ID number kept only as a keyed hash)."""

    __tablename__ = "holder"

    card_serial: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_number_tail: Mapped[str] = mapped_column(String(4))
    phone_tail: Mapped[str | None] = mapped_column(String(4))


class CardLinkRow(Base):
    """An old card replaced or exchanged by a new one."""

    __tablename__ = "card_link"

    old_serial: Mapped[str] = mapped_column(String(20), primary_key=True)
    new_serial: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    journal_seq: Mapped[int] = mapped_column(Integer)
    at_us: Mapped[int] = mapped_column(BigInteger)
