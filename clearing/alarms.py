"""What the operators must look at, as JSON lines.

Tamper alarms, quarantined records, and online grants without their journal records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select

from clearing.center import Center
from clearing.models import GrantAlarmRow, QuarantineRow, TamperAlarmRow
from clearing.timeutil import iso


def alarm_lines(center: Center) -> Iterator[str]:
    """One JSON object per tamper alarm, quarantined record, then grant alarm, oldest first."""
    with center.sessions.begin() as session:
        alarms = session.scalars(select(TamperAlarmRow).order_by(TamperAlarmRow.id)).all()
        quarantined = session.scalars(select(QuarantineRow).order_by(QuarantineRow.id)).all()
        grants = session.scalars(select(GrantAlarmRow).order_by(GrantAlarmRow.id)).all()
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
    for grant in grants:
        yield json.dumps(
            {
                "type": "grant_alarm",
                "device_id": grant.device_id,
                "card_serial": grant.card_serial,
                "amount_fen": grant.amount_fen,
                "online_load_id": grant.online_load_id,
                "reason": grant.reason,
                "at": iso(grant.raised_at_us).isoformat(),
            },
            ensure_ascii=False,
        )
