"""The versioned blacklist: every change gets the next version; counters fetch deltas.

The version counter is one row locked for the change (``FOR UPDATE``), so versions are given
out in commit order and a client that asked "since N" never misses a change numbered below a
version it has already seen.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearing.models import BlacklistChangeRow, BlacklistStateRow
from clearing.schemas import BlacklistOut

ADD = "add"
REMOVE = "remove"


def _state(session: Session, lock: bool) -> BlacklistStateRow:
    query = select(BlacklistStateRow).where(BlacklistStateRow.id == 1)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one()


def current_version(session: Session) -> int:
    """The blacklist version now."""
    return _state(session, lock=False).version


def change(session: Session, card_serial: str, action: str, reason: str, now_us: int) -> int:
    """Record one change and return the new version (the caller commits)."""
    state = _state(session, lock=True)
    state.version += 1
    session.add(
        BlacklistChangeRow(
            version=state.version,
            card_serial=card_serial,
            action=action,
            reason=reason,
            at_us=now_us,
        )
    )
    session.flush()
    return state.version


def is_listed(session: Session, card_serial: str) -> bool:
    """Whether the card is on the blacklist now."""
    last = session.scalars(
        select(BlacklistChangeRow.action)
        .where(BlacklistChangeRow.card_serial == card_serial)
        .order_by(BlacklistChangeRow.version.desc())
        .limit(1)
    ).first()
    return last == ADD


def deltas(session: Session, since: int) -> BlacklistOut:
    """What changed after version ``since``; the whole list when ``since`` is 0 or unknown.

    A client ahead of the center (``since`` > the current version, e.g. after a restore) gets
    the whole list with ``full`` set, and replaces its copy.
    """
    version = current_version(session)
    full = since <= 0 or since > version
    start = 0 if full else since
    last: dict[str, str] = {}
    for serial, action in session.execute(
        select(BlacklistChangeRow.card_serial, BlacklistChangeRow.action)
        .where(BlacklistChangeRow.version > start)
        .order_by(BlacklistChangeRow.version)
    ):
        last[serial] = action
    added = sorted(s for s, a in last.items() if a == ADD)
    removed = [] if full else sorted(s for s, a in last.items() if a == REMOVE)
    return BlacklistOut(
        version=version, since=0 if full else since, full=full, added=added, removed=removed
    )
