"""Risk alarms: raised once per finding, acknowledged, closed with a note; never deleted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearing.risk.facts import Finding
from clearing.risk.models import RiskAlarmRow


class AlarmStateError(ValueError):
    """The alarm cannot make that step (already closed, unknown, note missing…)."""


def raise_alarms(
    session: Session, findings: Sequence[Finding], severity: dict[str, str], now_us: int
) -> list[RiskAlarmRow]:
    """Store the findings not stored yet (by key) as open alarms; returns the new ones."""
    raised: list[RiskAlarmRow] = []
    for finding in findings:
        if session.scalar(select(RiskAlarmRow.id).where(RiskAlarmRow.key == finding.key)):
            continue
        row = RiskAlarmRow(
            rule=finding.rule,
            key=finding.key[:200],
            severity=severity.get(finding.rule, "high"),
            subject=finding.subject[:64],
            summary=finding.summary,
            summary_zh=finding.summary_zh or None,
            evidence=json.dumps([list(e) for e in finding.evidence]),
            amount_fen=finding.amount_fen,
            state="open",
            raised_at_us=now_us,
        )
        try:
            with session.begin_nested():  # a concurrent evaluation may have stored it first
                session.add(row)
        except IntegrityError:
            continue
        raised.append(row)
    return raised


@dataclass(frozen=True)
class AlarmStep:
    """Who moves an alarm and with what note."""

    actor: str
    note: str | None = None


def acknowledge(session: Session, alarm_id: int, step: AlarmStep, now_us: int) -> RiskAlarmRow:
    """Open → acknowledged (someone is looking at it)."""
    row = session.get(RiskAlarmRow, alarm_id, with_for_update=True)
    if row is None:
        raise AlarmStateError(f"there is no alarm {alarm_id}")
    if row.state != "open":
        raise AlarmStateError(f"alarm {alarm_id} is {row.state}, not open")
    row.state = "acknowledged"
    row.acknowledged_by = step.actor
    row.acknowledged_at_us = now_us
    return row


def close(session: Session, alarm_id: int, step: AlarmStep, now_us: int) -> RiskAlarmRow:
    """open/acknowledged → closed, with a note saying what was found."""
    note = (step.note or "").strip()
    if not note:
        raise AlarmStateError("closing an alarm needs a note saying what was found")
    row = session.get(RiskAlarmRow, alarm_id, with_for_update=True)
    if row is None:
        raise AlarmStateError(f"there is no alarm {alarm_id}")
    if row.state == "closed":
        raise AlarmStateError(f"alarm {alarm_id} is already closed")
    if row.acknowledged_by is None:
        row.acknowledged_by = step.actor
        row.acknowledged_at_us = now_us
    row.state = "closed"
    row.closed_by = step.actor
    row.closed_at_us = now_us
    row.note = note[:2000]
    return row
