"""Tables of the risk rules: alarms (kept forever) and the rules' parameter versions."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearing.models import Base, CardLedgerRow, RecordRow

ALARM_STATES = ("open", "acknowledged", "closed")


class RiskAlarmRow(Base):
    """An alarm a risk rule raised: open → acknowledged → closed (with a note and who).

    ``key`` makes a finding raise one alarm however often the rules run over it. No code path
    deletes alarms.
    """

    __tablename__ = "risk_alarm"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    severity: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    summary_zh: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)  # JSON [[device_id, seq], …]
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    raised_at_us: Mapped[int] = mapped_column(BigInteger)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at_us: Mapped[int | None] = mapped_column(BigInteger)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at_us: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_risk_alarm_state_rule", "state", "rule"),
        Index("ix_risk_alarm_subject", "subject"),
    )


class RiskParameterSetRow(Base):
    """A published version of the risk rules' parameters (JSON document)."""

    __tablename__ = "risk_parameter_set"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    published_at_us: Mapped[int] = mapped_column(BigInteger)


class RiskStateRow(Base):
    """One row: up to when every device's records are in (``gather.settled_until``).

    Findings between two records wait until then: a record still on its way could explain them.
    """

    __tablename__ = "risk_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    settled_until_us: Mapped[int] = mapped_column(BigInteger)


# the rules read a card's records and a clerk's records across devices
Index("ix_journal_record_card_at", RecordRow.card_serial, RecordRow.at_us)
Index("ix_journal_record_operator_at", RecordRow.operator, RecordRow.at_us)
# the cards whose records became settled
Index("ix_card_ledger_at", CardLedgerRow.at_us)
