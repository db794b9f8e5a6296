"""SQLAlchemy 2 typed models of the center database (the schema the migrations build).

Times are UTC microseconds since the epoch (``*_us``, as in the journal); keys and MACs are raw
bytes. Only the center's own modules touch these rows; the API answers with plain values.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the center schema."""


class CenterIdentityRow(Base):
    """The center's own SM2 key pair: one row, created at first start."""

    __tablename__ = "center_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at_us: Mapped[int] = mapped_column(BigInteger)


class EnrolmentCodeRow(Base):
    """A one-time enrolment code for one device; only its SM3 hash is kept."""

    __tablename__ = "enrolment_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    device_id: Mapped[str] = mapped_column(String(32))
    outlet: Mapped[str | None] = mapped_column(String(32))
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    expires_at_us: Mapped[int] = mapped_column(BigInteger)
    used_at_us: Mapped[int | None] = mapped_column(BigInteger)
    replaces: Mapped[str | None] = mapped_column(String(32))  # the device it enrols a successor to


class DeviceRow(Base):
    """An enrolled counter device and the head of its accepted journal chain."""

    __tablename__ = "device"

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(12), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    enrolled_at_us: Mapped[int] = mapped_column(BigInteger)
    outlet: Mapped[str | None] = mapped_column(String(32))  # None: the device is its own outlet
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at_us: Mapped[int | None] = mapped_column(BigInteger)
    head_seq: Mapped[int] = mapped_column(BigInteger)  # last accepted seq (0: none yet)
    head_mac: Mapped[bytes] = mapped_column(LargeBinary(32))  # its MAC (zeros for none)
    head_at_us: Mapped[int] = mapped_column(BigInteger)
    next_key_id: Mapped[str] = mapped_column(String(32))  # the key the next record must use
    replaces: Mapped[str | None] = mapped_column(String(32))  # the old device it took over from
    retired_at_us: Mapped[int | None] = mapped_column(BigInteger)  # replaced: signs nothing more


class DeviceKeyRow(Base):
    """A journal MAC key the center issued to a device (the device holds it wrapped)."""

    __tablename__ = "device_key"

    device_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("device.device_id"), primary_key=True
    )
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    issued_at_us: Mapped[int] = mapped_column(BigInteger)


class AuthNonceRow(Base):
    """A nonce of a signed request, kept while its timestamp is inside the window."""

    __tablename__ = "auth_nonce"

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    timestamp_us: Mapped[int] = mapped_column(BigInteger, index=True)


class RecordRow(Base):
    """An accepted journal record, as the device wrote it."""

    __tablename__ = "journal_record"

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    at_us: Mapped[int] = mapped_column(BigInteger)
    operator: Mapped[str | None] = mapped_column(String(64))
    shift_id: Mapped[int | None] = mapped_column(BigInteger)
    card_serial: Mapped[str | None] = mapped_column(String(20))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_method: Mapped[str | None] = mapped_column(String(24))
    balance_before_fen: Mapped[int | None] = mapped_column(BigInteger)
    balance_after_fen: Mapped[int | None] = mapped_column(BigInteger)
    atc: Mapped[int | None] = mapped_column(BigInteger)
    terminal_seq: Mapped[int | None] = mapped_column(BigInteger)
    mac1: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    mac2: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    tac: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    intent_seq: Mapped[int | None] = mapped_column(BigInteger)
    grand_total_fen: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(32))
    prev_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    received_at_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_journal_record_device_kind_seq", "device_id", "kind", "seq"),
        Index("ix_journal_record_device_intent", "device_id", "intent_seq"),
        Index("ix_journal_record_device_at", "device_id", "at_us"),
        Index("ix_journal_record_at", "at_us"),  # settlement of every outlet by day (c0005)
        Index("ix_journal_record_received", "received_at_us"),  # late arrivals (c0005)
    )


class QuarantineRow(Base):
    """A record that failed verification, kept with the reason.

    Not ``held``: it broke the chain rules and was not stored nor acknowledged. ``held``: an
    authentic record (its chain and MAC verify) whose load TAC does not — stored in the chain
    and acknowledged, but kept out of the card ledgers and the money that settled.
    """

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    record: Mapped[str] = mapped_column(Text)  # the record as received (JSON)
    received_at_us: Mapped[int] = mapped_column(BigInteger)
    held: Mapped[bool] = mapped_column(Boolean, server_default=false())


class TamperAlarmRow(Base):
    """Evidence that a device's journal and the center's copy disagree."""

    __tablename__ = "tamper_alarm"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    stored_mac: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    offered_mac: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    offered: Mapped[str] = mapped_column(Text)  # what the device sent (JSON)
    raised_at_us: Mapped[int] = mapped_column(BigInteger)


class DeviceCheckpointRow(Base):
    """A signed journal checkpoint a device uploaded and the center verified."""

    __tablename__ = "device_checkpoint"

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    head_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    batch_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    totals: Mapped[str] = mapped_column(Text)
    at_us: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(32))
    prev_signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    received_at_us: Mapped[int] = mapped_column(BigInteger)


class CardLedgerRow(Base):
    """A completed load or purchase on a card, derived from accepted records."""

    __tablename__ = "card_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_serial: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)  # the outcome record
    intent_seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # load | purchase
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    payment_method: Mapped[str | None] = mapped_column(String(24))
    balance_after_fen: Mapped[int | None] = mapped_column(BigInteger)
    at_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("device_id", "seq", name="uq_card_ledger_device_seq"),
        Index("ix_card_ledger_card_at", "card_serial", "at_us"),
        Index("ix_card_ledger_at_device", "at_us", "device_id"),  # settlement by day (c0005)
    )


class LossReportRow(Base):
    """A reported loss of a card; cancelled reports keep their row."""

    __tablename__ = "loss_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_serial: Mapped[str] = mapped_column(String(20), index=True)
    device_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    reported_at_us: Mapped[int] = mapped_column(BigInteger)
    waiting_until_us: Mapped[int] = mapped_column(BigInteger)
    cancelled_at_us: Mapped[int | None] = mapped_column(BigInteger)
    cancelled_by: Mapped[str | None] = mapped_column(String(32))
    cancel_approval: Mapped[str | None] = mapped_column(String(64))  # the supervisor's approval
    cancel_checked_at_us: Mapped[int | None] = mapped_column(BigInteger)  # matched or alarmed

    __table_args__ = (
        # one active report per card, whatever the race between counters (c0005)
        Index(
            "uq_loss_report_active_card",
            "card_serial",
            unique=True,
            postgresql_where=text("cancelled_at_us IS NULL"),
            sqlite_where=text("cancelled_at_us IS NULL"),
        ),
    )


class BlacklistStateRow(Base):
    """One row: the blacklist's current version (locked while a change is made)."""

    __tablename__ = "blacklist_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


class BlacklistChangeRow(Base):
    """One change of the blacklist; its version is the blacklist version after it."""

    __tablename__ = "blacklist_change"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    card_serial: Mapped[str] = mapped_column(String(20), index=True)
    action: Mapped[str] = mapped_column(String(8))  # add | remove
    reason: Mapped[str] = mapped_column(Text)
    at_us: Mapped[int] = mapped_column(BigInteger)


class SettlementCloseRow(Base):
    """A business day whose settlement was closed: later arrivals go to adjustments."""

    __tablename__ = "settlement_close"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD (UTC+8)
    start_us: Mapped[int] = mapped_column(BigInteger, unique=True)  # the day's bounds
    end_us: Mapped[int] = mapped_column(BigInteger)
    closed_at_us: Mapped[int] = mapped_column(BigInteger)


class ParameterSetRow(Base):
    """A published version of the counter parameters (JSON document)."""

    __tablename__ = "parameter_set"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    published_at_us: Mapped[int] = mapped_column(BigInteger)


class OnlineLoadRow(Base):
    """An online load the center authorised (gave MAC2 for)."""

    __tablename__ = "online_load"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    card_serial: Mapped[str] = mapped_column(String(20), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    balance_before_fen: Mapped[int] = mapped_column(BigInteger)
    online_atc: Mapped[int] = mapped_column(BigInteger)
    card_time_us: Mapped[int] = mapped_column(BigInteger)  # the date/time MAC2 covers
    mac2: Mapped[bytes] = mapped_column(LargeBinary(8))
    authorized_at_us: Mapped[int] = mapped_column(BigInteger, index=True)
    card_type: Mapped[int | None] = mapped_column(Integer)  # the type whose limits applied
    transfer_from: Mapped[str | None] = mapped_column(String(20))  # a lost card's balance
    reconciled_at_us: Mapped[int | None] = mapped_column(BigInteger)  # intent+outcome arrived
    alarmed_at_us: Mapped[int | None] = mapped_column(BigInteger)


class CardRegistryRow(Base):
    """A card the issuer issued, with its card type (the center's word, not the counter's)."""

    __tablename__ = "card_registry"

    card_serial: Mapped[str] = mapped_column(String(20), primary_key=True)
    card_type: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(64))  # the issuance file or record it came from
    registered_at_us: Mapped[int] = mapped_column(BigInteger)


class GrantAlarmRow(Base):
    """An online grant (MAC2) whose intent and outcome did not arrive in time, or disagree."""

    __tablename__ = "grant_alarm"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    online_load_id: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    card_serial: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    raised_at_us: Mapped[int] = mapped_column(BigInteger)


class AnnualPassRow(Base):
    """An annual pass of the scenic-area ticket offices, derived from accepted records.

    A ``pass_sale`` record fills the product columns; a ``pass_transfer`` record (the pass
    carried over to a replacement card) moves ``card_serial``. Devices upload independently, so
    a transfer may arrive before the sale it moves: it makes a row without product columns that
    the sale completes; the binding with the latest record time wins.
    """

    __tablename__ = "annual_pass"

    pass_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    card_serial: Mapped[str] = mapped_column(String(20), index=True)
    bound_at_us: Mapped[int] = mapped_column(BigInteger)  # the record that bound card_serial
    product_code: Mapped[str | None] = mapped_column(String(32))
    product_name: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[str | None] = mapped_column(String(10))  # ISO date, first day included
    valid_until: Mapped[str | None] = mapped_column(String(10))  # ISO date, last day included
    holder: Mapped[str | None] = mapped_column(String(64))  # masked name, as the sale recorded it
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    sale_device_id: Mapped[str | None] = mapped_column(String(32))
    sale_seq: Mapped[int | None] = mapped_column(BigInteger)
    sold_at_us: Mapped[int | None] = mapped_column(BigInteger)


# the interchange tables (a city center's forwarding state, the national platform), so that
# this metadata describes the whole schema the migrations build
from clearing.interchange import models as _interchange_models  # noqa: E402, F401
