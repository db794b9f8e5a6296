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

import enum
import hashlib
from dataclasses import dataclass, replace
from typing import Any

from app.domain.people import Role
from app.journal import Entry, Journal, RecordKind


class StaffEvent(enum.StrEnum):
    """What a ``staff`` record says happened to an account (its payload's ``event``)."""

    CREATED = "created"
    ROLE_CHANGED = "role_changed"
    PASSWORD_SET = "password_set"  # noqa: S105 - an event name, not a password
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class StaffEntry:
    """One account's authority as the journal has it."""

    username: str
    display_name: str
    role: Role
    password_digest: str
    active: bool = True
    locked: bool = False  # locked by an admin (not the timed lockout after wrong passwords)


def hash_digest(password_hash: str) -> str:
    """The SHA-256 of a stored password hash (hex): what a staff record binds."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def has_staff(journal: Journal) -> bool:
    """Whether the journal holds any staff record (then the first-admin set-up stays shut)."""
    return journal.holds_kinds(RecordKind.STAFF)


def roster(journal: Journal) -> dict[str, StaffEntry]:
    """Every account the journal's staff records name, by username (MACs checked first).

    Raises :class:`~app.journal.JournalError` when a staff record was altered.
    """
    entries: dict[str, StaffEntry] = {}
    for record in journal.verified_records_of_kinds(RecordKind.STAFF):
        _fold(entries, record.payload_dict())
    return entries


def _fold(entries: dict[str, StaffEntry], payload: dict[str, Any]) -> None:
    name = str(payload.get("username", ""))
    try:
        event = StaffEvent(str(payload.get("event")))
    except ValueError:
        return  # a later version's event: nothing this version knows to change
    if event is StaffEvent.CREATED:
        entries[name] = StaffEntry(
            username=name,
            display_name=str(payload.get("display_name", name)),
            role=_role(payload.get("role")),
            password_digest=str(payload.get("password_digest", "")),
        )
        return
    entry = entries.get(name)
    if entry is None:
        return
    if event is StaffEvent.ROLE_CHANGED:
        entry = replace(entry, role=_role(payload.get("role")))
    elif event is StaffEvent.PASSWORD_SET:
        entry = replace(
            entry,
            password_digest=str(payload.get("password_digest", "")),
            locked=False if payload.get("unlock") else entry.locked,
        )
    elif event is StaffEvent.LOCKED:
        entry = replace(entry, locked=True)
    elif event is StaffEvent.UNLOCKED:
        entry = replace(entry, locked=False)
    elif event is StaffEvent.DEACTIVATED:
        entry = replace(entry, active=False)
    entries[name] = entry


def _role(value: object) -> Role:
    try:
        return Role(value)
    except ValueError:
        return Role.CLERK  # an unreadable role grants the least


def staff_entry(event: StaffEvent, username: str, by: str, **fields: object) -> Entry:
    """The journal entry recording ``event`` on ``username``'s account, made by ``by``."""
    payload: dict[str, Any] = {"event": event.value, "username": username}
    payload.update(fields)
    return Entry(RecordKind.STAFF, operator=by, payload=payload)
