"""What the operators must look at: tamper alarms and quarantined records, as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select

from clearing.center import Center
from clearing.models import QuarantineRow, TamperAlarmRow
from clearing.timeutil import iso


def alarm_lines(center: Center) -> Iterator[str]:
    """One JSON object per tamper alarm, then per quarantined record, oldest first."""
    with center.sessions.begin() as session:
        alarms = session.scalars(select(TamperAlarmRow).order_by(TamperAlarmRow.id)).all()
        quarantined = session.scalars(select(QuarantineRow).order_by(QuarantineRow.id)).all()
    for alarm in alarms:
        yield json.dumps(
            {
                "type": "tamper_alarm",
                "device_id": alarm.device_id,
                "seq": alarm.seq,
                "reason": alarm.reason,
                "stored_mac": None if alarm.stored_mac is None else alarm.stored_mac.hex().upper(),
                "offered_mac": None
                if alarm.offered_mac is None
                else alarm.offered_mac.hex().upper(),
                "at": iso(alarm.raised_at_us).isoformat(),
            },
            ensure_ascii=False,
        )
    for row in quarantined:
        yield json.dumps(
            {
                "type": "quarantine",
                "device_id": row.device_id,
                "seq": row.seq,
                "reason": row.reason,
                "held": row.held,
                "at": iso(row.received_at_us).isoformat(),
            },
            ensure_ascii=False,
        )
