"""A device's operators as the center knows them: the staff records its journal uploaded.

Staff records are ordinary journal records (kind ``staff``): the upload verifies their MACs and
chain like any other and stores them; nothing here trusts the counter's store. The list is the
same fold the counter makes of its own journal (app/domain/staff.py), so the back office sees
who may sign in at a counter, with which role, locked or not — as of the last upload.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.staff import StaffEntry, fold
from app.journal import RecordKind
from clearing.models import RecordRow


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def device_staff(session: Session, device_id: str) -> list[StaffEntry]:
    """The operators of ``device_id`` its uploaded staff records add up to, by username."""
    payloads = session.scalars(
        select(RecordRow.payload)
        .where(RecordRow.device_id == device_id, RecordRow.kind == RecordKind.STAFF.value)
        .order_by(RecordRow.seq)
    )
    return sorted(fold(_payload(p) for p in payloads).values(), key=lambda e: e.username)


def staff_lines(session: Session, device_id: str) -> list[str]:
    """One line per operator of ``device_id`` (the ``device-staff`` command prints them)."""
    lines = []
    for entry in device_staff(session, device_id):
        state = "deactivated" if not entry.active else "locked" if entry.locked else "active"
        lines.append(f"{entry.username}\t{entry.role.value}\t{state}\t{entry.display_name}")
    return lines
