"""Staff records: what a ``staff`` journal record says about an operator account, added up.

Pure values, shared by the counter (app/services/staff_roster.py reads its journal) and the
clearing center (clearing/staff.py reads the uploaded records): both fold the same payloads.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from app.domain.people import Role


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
    must_change_password: bool = False  # an admin set the password: its owner picks a new one


def hash_digest(password_hash: str) -> str:
    """The SHA-256 of a stored password hash (hex): what a staff record binds."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def fold(payloads: Iterable[dict[str, Any]]) -> dict[str, StaffEntry]:
    """The accounts that staff-record payloads, in journal order, add up to (by username)."""
    entries: dict[str, StaffEntry] = {}
    for payload in payloads:
        _fold(entries, payload)
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
            must_change_password=bool(payload.get("must_change", False)),
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
