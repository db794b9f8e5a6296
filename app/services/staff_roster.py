"""The staff roster: who is an operator here, with which role, as the journal says.

The store's operator table is a cache an OS account can edit with ``sqlite3``; the journal is
MAC-chained with a key the clerk never sees. So every account change is a ``staff`` record —
created, role changed, password set, locked, unlocked, deactivated — and the authority of an
account (its role, whether it is active or locked by an admin, and the digest of its current
password hash) is what these records, read back with their MACs checked, add up to.

The password hash itself stays in the store (the journal travels to the center, a hash should
not); the record holds only :func:`hash_digest` of it, so a hash swapped in the store (someone
setting his own password for the admin) no longer matches.
"""

from __future__ import annotations

from typing import Any

from app.domain.staff import StaffEntry, StaffEvent, fold, hash_digest
from app.journal import Entry, Journal, RecordKind

__all__ = ["StaffEntry", "StaffEvent", "has_staff", "hash_digest", "roster", "staff_entry"]


def has_staff(journal: Journal) -> bool:
    """Whether the journal holds any staff record (then the first-admin set-up stays shut)."""
    return journal.holds_kinds(RecordKind.STAFF)


def roster(journal: Journal) -> dict[str, StaffEntry]:
    """Every account the journal's staff records name, by username (MACs checked first).

    Raises :class:`~app.journal.JournalError` when a staff record was altered.
    """
    return fold(r.payload_dict() for r in journal.verified_records_of_kinds(RecordKind.STAFF))


def staff_entry(event: StaffEvent, username: str, by: str, **fields: object) -> Entry:
    """The journal entry recording ``event`` on ``username``'s account, made by ``by``."""
    payload: dict[str, Any] = {"event": event.value, "username": username}
    payload.update(fields)
    return Entry(RecordKind.STAFF, operator=by, payload=payload)
