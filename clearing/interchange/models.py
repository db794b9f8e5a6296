"""Typed models of the interchange tables (migration ``c0008``): both roles' rows.

A city center uses the ``interchange_*`` tables, the national platform the ``platform_*``
ones. Imported by :mod:`clearing.models`, so one metadata describes the whole schema.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clearing.models import Base


class OutboundRow(Base):
    """A completed purchase this center saw; forwarded when it was another city's card."""

    __tablename__ = "interchange_outbound"

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    issuer_city: Mapped[str | None] = mapped_column(String(32))  # None: a home card
    document: Mapped[str] = mapped_column(Text)  # the record as forwarded (JSON)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    at_us: Mapped[int] = mapped_column(BigInteger)
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    forwarded_at_us: Mapped[int | None] = mapped_column(BigInteger)
    refused: Mapped[str | None] = mapped_column(Text)  # why the platform refused it


class InboundRow(Base):
    """A record of one of this city's cards, spent in another city, taken in exactly once."""

    __tablename__ = "interchange_inbound"

    acquirer_city: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    platform_id: Mapped[int] = mapped_column(BigInteger)
    card_serial: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    at_us: Mapped[int] = mapped_column(BigInteger)
    received_at_us: Mapped[int] = mapped_column(BigInteger)
    held: Mapped[str | None] = mapped_column(Text)  # why it is kept out of the ledger (TAC)


class InterchangeStateRow(Base):
    """One row: how far this center has read from and written to the platform."""

    __tablename__ = "interchange_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    inbound_after: Mapped[int] = mapped_column(BigInteger)  # last platform record id taken in
    blacklist_pushed: Mapped[int] = mapped_column(BigInteger)  # own blacklist version pushed
    blacklist_pulled: Mapped[int] = mapped_column(BigInteger)  # platform blacklist version read


class BlacklistImportRow(Base):
    """A blacklist change this center took from the platform (never pushed back)."""

    __tablename__ = "interchange_blacklist_import"

    center_version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    platform_version: Mapped[int] = mapped_column(BigInteger, unique=True)
    from_city: Mapped[str] = mapped_column(String(32))


class MemberRow(Base):
    """A city center registered with the platform: its signing key and issuer codes."""

    __tablename__ = "platform_member"

    city: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    issuer_codes: Mapped[str] = mapped_column(Text)  # JSON list of upper-case hex
    registered_at_us: Mapped[int] = mapped_column(BigInteger)


class PlatformNonceRow(Base):
    """A nonce of a member's signed request, kept while its timestamp is inside the window."""

    __tablename__ = "platform_nonce"

    city: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    timestamp_us: Mapped[int] = mapped_column(BigInteger, index=True)


class PlatformRecordRow(Base):
    """A record a city forwarded, to be routed to the card's issuer city exactly once."""

    __tablename__ = "platform_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    acquirer_city: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    issuer_city: Mapped[str] = mapped_column(String(32))
    card_serial: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    business_day: Mapped[str] = mapped_column(String(10))
    at_us: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))  # SM3 of the canonical document
    document: Mapped[str] = mapped_column(Text)
    received_at_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("acquirer_city", "device_id", "seq", name="uq_platform_record_key"),
        Index("ix_platform_record_issuer_id", "issuer_city", "id"),
        Index("ix_platform_record_day", "business_day"),
    )


class PlatformAlarmRow(Base):
    """A member offered a record that contradicts one it forwarded before."""

    __tablename__ = "platform_alarm"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    offered: Mapped[str] = mapped_column(Text)
    raised_at_us: Mapped[int] = mapped_column(BigInteger)


class PlatformStateRow(Base):
    """One row: the national blacklist's version (locked while a change is made)."""

    __tablename__ = "platform_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    blacklist_version: Mapped[int] = mapped_column(BigInteger)


class PlatformBlacklistRow(Base):
    """One change of the national blacklist, as a member center pushed it."""

    __tablename__ = "platform_blacklist_change"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    from_city: Mapped[str] = mapped_column(String(32))
    from_version: Mapped[int] = mapped_column(BigInteger)
    card_serial: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    at_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("from_city", "from_version", name="uq_platform_blacklist_origin"),
    )
