"""What the console pages show, read from the center's tables as plain values."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.center import Center
from clearing.console.models import AuditEventRow
from clearing.models import (
    AnnualPassRow,
    BlacklistChangeRow,
    CardLedgerRow,
    DeviceRow,
    LossReportRow,
    RecordRow,
)
from clearing.risk.models import RiskAlarmRow
from clearing.timeutil import iso, micros_of

PAGE = 200


def local_time(center: Center, micros: int | None) -> str:
    """A time as the back office reads it (UTC+8, to the second)."""
    if micros is None:
        return ""
    zone = center.settings.business_timezone
    return iso(micros).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class AlarmFilter:
    """The alarm list's filter (empty: any)."""

    state: str = ""
    rule: str = ""
    severity: str = ""


def alarms(session: Session, wanted: AlarmFilter) -> list[RiskAlarmRow]:
    """The newest alarms matching ``wanted`` (at most :data:`PAGE`)."""
    query = select(RiskAlarmRow).order_by(RiskAlarmRow.id.desc()).limit(PAGE)
    if wanted.state:
        query = query.where(RiskAlarmRow.state == wanted.state)
    if wanted.rule:
        query = query.where(RiskAlarmRow.rule == wanted.rule)
    if wanted.severity:
        query = query.where(RiskAlarmRow.severity == wanted.severity)
    return list(session.scalars(query))


def evidence_of(alarm: RiskAlarmRow) -> list[tuple[str, int]]:
    """The alarm's evidence as (device, seq) pairs."""
    return [(str(d), int(s)) for d, s in json.loads(alarm.evidence)]


def card(session: Session, serial: str) -> dict[str, Any]:
    """Ledger, records (with device and terminal), passes, blacklist and loss history, alarms."""
    terminals = dict(session.execute(select(DeviceRow.device_id, DeviceRow.terminal_id)).all())
    ledger = list(
        session.scalars(
            select(CardLedgerRow)
            .where(CardLedgerRow.card_serial == serial)
            .order_by(CardLedgerRow.at_us, CardLedgerRow.device_id, CardLedgerRow.seq)
        )
    )
    records = list(
        session.scalars(
            select(RecordRow)
            .where(RecordRow.card_serial == serial)
            .order_by(RecordRow.at_us, RecordRow.device_id, RecordRow.seq)
            .limit(1000)
        )
    )
    return {
        "ledger": ledger,
        "records": records,
        "terminals": terminals,
        "passes": list(
            session.scalars(select(AnnualPassRow).where(AnnualPassRow.card_serial == serial))
        ),
        "blacklist": list(
            session.scalars(
                select(BlacklistChangeRow)
                .where(BlacklistChangeRow.card_serial == serial)
                .order_by(BlacklistChangeRow.version)
            )
        ),
        "losses": list(
            session.scalars(select(LossReportRow).where(LossReportRow.card_serial == serial))
        ),
        "alarms": list(
            session.scalars(
                select(RiskAlarmRow)
                .where(RiskAlarmRow.subject == f"card:{serial}")
                .order_by(RiskAlarmRow.id.desc())
            )
        ),
        "last_balance": next(
            (r.balance_after_fen for r in reversed(ledger) if r.balance_after_fen is not None),
            None,
        ),
    }


def devices(session: Session) -> tuple[list[DeviceRow], dict[str, int]]:
    """Every device, and its number of open alarms."""
    rows = list(session.scalars(select(DeviceRow).order_by(DeviceRow.device_id)))
    open_by_subject = dict(
        session.execute(
            select(RiskAlarmRow.subject, func.count())
            .where(RiskAlarmRow.state != "closed", RiskAlarmRow.subject.like("device:%"))
            .group_by(RiskAlarmRow.subject)
        ).all()
    )
    return rows, {r.device_id: int(open_by_subject.get(f"device:{r.device_id}", 0)) for r in rows}


def hourly_takings(center: Center, session: Session, day: date) -> dict[int, dict[str, int]]:
    """Completed top-ups of ``day`` (UTC+8) by hour and payment method, in fen."""
    zone = center.settings.business_timezone
    start = micros_of(datetime(day.year, day.month, day.day, tzinfo=zone))
    end = start + 86_400_000_000
    takings: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for at_us, method, amount in session.execute(
        select(CardLedgerRow.at_us, CardLedgerRow.payment_method, CardLedgerRow.amount_fen).where(
            CardLedgerRow.kind == "load",
            CardLedgerRow.at_us >= start,
            CardLedgerRow.at_us < end,
        )
    ):
        hour = iso(at_us).astimezone(zone).hour
        takings[hour][method or "?"] += amount
    return {h: dict(by) for h, by in takings.items()}


def audit_events(session: Session) -> list[AuditEventRow]:
    """The newest audit events."""
    return list(
        session.scalars(select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(PAGE))
    )
