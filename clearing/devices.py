"""Device status: an enrolled device is active, suspended or revoked (the issuer decides).

A suspended device may still upload its journal (the money it moved must reach settlement) but
gets nothing else; a revoked device gets nothing at all. Either is answered 403 with the reason,
and the header ``X-Citycard-Device-Status`` so the counter can tell it from other refusals.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearing.models import DeviceRow
from clearing.timeutil import iso

ACTIVE = "active"
SUSPENDED = "suspended"
REVOKED = "revoked"
STATUSES = (ACTIVE, SUSPENDED, REVOKED)
STATUS_HEADER = "X-Citycard-Device-Status"


class DeviceStatusError(Exception):
    """A status change refused (unknown device, unknown status, no reason, revoked already)."""


def outlet_of(device: DeviceRow) -> str:
    """The outlet the device belongs to (a device enrolled without one is its own outlet)."""
    return device.outlet or device.device_id


def set_status(
    session: Session, device_id: str, status: str, reason: str, now_us: int
) -> DeviceRow:
    """Change a device's status (the caller commits). Revocation is final."""
    if status not in STATUSES:
        raise DeviceStatusError(f"a device status is one of {', '.join(STATUSES)}, not {status!r}")
    if status != ACTIVE and not reason.strip():
        raise DeviceStatusError("give the reason: the counter shows it to the clerk")
    device = session.get(DeviceRow, device_id, with_for_update=True)
    if device is None:
        raise DeviceStatusError(f"there is no enrolled device {device_id!r}")
    if device.status == REVOKED and status != REVOKED:
        raise DeviceStatusError(
            f"device {device_id} is revoked: enrol it again under a new device id"
        )
    device.status = status
    device.status_reason = reason.strip() or None
    device.status_changed_at_us = now_us
    session.flush()
    return device


def device_lines(session: Session) -> list[str]:
    """One line per device: id, terminal, outlet, status and reason."""
    lines = []
    for d in session.scalars(select(DeviceRow).order_by(DeviceRow.device_id)):
        when = "" if d.status_changed_at_us is None else iso(d.status_changed_at_us).isoformat()
        reason = f" ({d.status_reason}, {when})" if d.status_reason else ""
        lines.append(
            f"{d.device_id}\tterminal {d.terminal_id}\toutlet {outlet_of(d)}\t{d.status}{reason}"
        )
    return lines
