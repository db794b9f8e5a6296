"""Loss-report cancellations matched with the approval record the device's journal holds.

A device cancels a report with the reference ``DEV-1#123``: its own device id and the seq of the
journal record that holds the supervisor's approval (an ``approval`` record, or the
``loss_cancel`` record of that card). Once that seq is uploaded the center checks it; a reference
naming another device, a record of another kind or card, or a record still missing after the
parameters' ``reconcile_after_seconds`` raises a tamper alarm — a card taken off the blacklist
without the approval the journal should prove.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.journal.kinds import RecordKind
from clearing.grants import online_caps
from clearing.models import DeviceRow, LossReportRow, RecordRow, TamperAlarmRow
from clearing.schemas import ParametersOut

REFERENCE = re.compile(r"(?P<device>[A-Za-z0-9_-]{1,32})#(?P<seq>[0-9]{1,18})")
APPROVING = (RecordKind.APPROVAL, RecordKind.LOSS_CANCEL)


def _problem(session: Session, report: LossReportRow, now_us: int, wait_us: int) -> str | None:
    """Why the cancellation is not proven (None: proven); ``""``: not decidable yet."""
    match = REFERENCE.fullmatch(report.cancel_approval or "")
    if match is None:
        return f"approval reference {report.cancel_approval!r} is not DEVICE#SEQ"
    device_id, seq = match["device"], int(match["seq"])
    if device_id != report.cancelled_by:
        return f"the approval reference names device {device_id}, not {report.cancelled_by}"
    record = session.get(RecordRow, (device_id, seq))
    if record is None:
        device = session.get(DeviceRow, device_id)
        overdue = now_us - (report.cancelled_at_us or now_us) >= wait_us
        if device is not None and device.head_seq >= seq:
            return f"{device_id} seq {seq} was never accepted (quarantined or missing)"
        return f"{device_id} has not uploaded seq {seq}" if overdue else ""
    if record.kind not in APPROVING:
        return f"{device_id} seq {seq} is a {record.kind} record, not an approval"
    if record.kind == RecordKind.LOSS_CANCEL and record.card_serial != report.card_serial:
        return f"{device_id} seq {seq} cancels card {record.card_serial}, not {report.card_serial}"
    return None


def check_cancellations(session: Session, parameters: ParametersOut, now_us: int) -> int:
    """Check the device cancellations not yet checked (the caller commits); alarms raised."""
    wait_us = online_caps(parameters).reconcile_after_seconds * 1_000_000
    devices = set(session.scalars(select(DeviceRow.device_id)))
    alarms = 0
    pending = session.scalars(
        select(LossReportRow).where(
            LossReportRow.cancelled_at_us.is_not(None),
            LossReportRow.cancel_checked_at_us.is_(None),
        )
    ).all()
    for report in pending:
        if report.cancelled_by not in devices:  # the back office: its own paper trail
            report.cancel_checked_at_us = now_us
            continue
        problem = _problem(session, report, now_us, wait_us)
        if problem == "":
            continue
        report.cancel_checked_at_us = now_us
        if problem is None:
            continue
        session.add(
            TamperAlarmRow(
                device_id=report.cancelled_by,
                seq=None,
                reason=f"loss report {report.id} (card {report.card_serial}) was cancelled "
                f"without a proven approval: {problem}",
                stored_mac=None,
                offered_mac=None,
                offered=json.dumps({"loss_report": report.id, "approval": report.cancel_approval}),
                raised_at_us=now_us,
            )
        )
        alarms += 1
    session.flush()
    return alarms
