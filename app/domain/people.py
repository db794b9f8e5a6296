"""Who works the counter: roles and the signed-in operator."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.Enum):
    """Operator roles; each includes what the ones below it may do."""

    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Clerk 1, supervisor 2, admin 3."""
        return {"clerk": 1, "supervisor": 2, "admin": 3}[self.value]

    def includes(self, other: Role) -> bool:
        """Whether this role may do what ``other`` may."""
        return self.rank >= other.rank


@dataclass(frozen=True)
class Actor:
    """The signed-in operator on whose behalf a service acts."""

    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class Approval:
    """A second person's consent (supervisor credentials checked by the operator service)."""

    approver: str
    role: Role
    purpose: str
    journal_seq: int  # the approval record
