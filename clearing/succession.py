"""A counter PC replaced: its successor uploads the old device's remaining records and retires it.

An administrator makes an enrolment code for the new device that *replaces* the old one
(``citycard-center enrolment-code --device NEW --replaces OLD``). The new device, enrolled with
its own keys and id, may then — and only it — read the old device's cursor, upload the records
of the old device's journal that the center lacks (from the old counter's mirror), checked
exactly as if the old device had sent them (its chain, the MAC keys issued to it, checkpoints
signed by its key), and finally retire it: a retired device signs nothing more. Retiring without
a copy of the old journal says which records are lost (every seq after the center's head) and
raises a ``records_lost`` alarm.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearing.center import Center
from clearing.ingest import _alarm
from clearing.models import DeviceRow
from clearing.schemas import RetiredOut
from clearing.timeutil import iso

RECORDS_LOST = "records_lost"


class SuccessionError(Exception):
    """Refused; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def predecessor(
    session: Session, successor_id: str, old_id: str, *, lock: bool = False
) -> DeviceRow:
    """The device ``successor_id`` replaces, when it is ``old_id`` and not yet retired."""
    successor = session.get(DeviceRow, successor_id)
    if successor is None or successor.replaces != old_id:
        raise SuccessionError(403, f"this device was not enrolled to replace {old_id}")
    query = select(DeviceRow).where(DeviceRow.device_id == old_id)
    old = session.scalars(query.with_for_update() if lock else query).first()
    if old is None:
        raise SuccessionError(404, f"there is no device {old_id}")
    if old.retired_at_us is not None:
        raise SuccessionError(409, f"device {old_id} was already retired")
    return old


def retire(center: Center, successor_id: str, old_id: str, uploaded_to: int | None) -> RetiredOut:
    """Retire ``old_id`` for its successor; see the module docstring."""
    now = center.now_us()
    with center.sessions.begin() as session:
        old = predecessor(session, successor_id, old_id, lock=True)
        if uploaded_to is not None and uploaded_to > old.head_seq:
            raise SuccessionError(
                409,
                f"the center holds device {old_id}'s journal up to seq {old.head_seq} only: "
                f"upload up to seq {uploaded_to} first",
            )
        lost_after: int | None = None
        if uploaded_to is None:
            lost_after = old.head_seq
            _alarm(
                session,
                old_id,
                old.head_seq + 1,
                f"{RECORDS_LOST}: device {old_id} was retired by {successor_id} without a copy "
                f"of its journal: every record after seq {old.head_seq} is lost",
                None,
                None,
                "",
                now,
            )
        old.retired_at_us = now
        head = old.head_seq
    return RetiredOut(
        device_id=old_id,
        replaced_by=successor_id,
        head_seq=head,
        retired_at=iso(now),
        records_lost_after=lost_after,
    )
