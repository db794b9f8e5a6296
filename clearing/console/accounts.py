"""Staff accounts of the console: Argon2id passwords, lockout, sessions, and the audit trail.

A session cookie carries 32 random bytes; the database keeps only their SM3, so a copy of the
database does not sign anyone in. Each session has its own CSRF token, which every form posts back.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto.passwords import (
    PasswordHashError,
    PasswordHashParams,
    burn,
    hash_password,
    verify_password,
)
from app.crypto.sm3 import sm3_digest as sm3
from clearing.console.models import ROLES, AuditEventRow, StaffAccountRow, StaffSessionRow

MAX_FAILED_ATTEMPTS = 5
LOCKOUT_US = 15 * 60 * 1_000_000
SESSION_US = 8 * 3600 * 1_000_000
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account cannot be made or changed as asked."""


class SignInRefusedError(Exception):
    """Wrong name or password, a locked or disabled account (the message says which to staff)."""


@dataclass(frozen=True)
class StaffSession:
    """A live console session."""

    username: str
    role: str
    csrf_token: str

    def may(self, role: str) -> bool:
        """Whether the session's role is ``role`` or above."""
        return ROLES.index(self.role) >= ROLES.index(role)


def create_account(
    session: Session,
    username: str,
    password: str,
    role: str,
    params: PasswordHashParams,
    now_us: int,
) -> None:
    """A new staff account (raises :class:`AccountError`)."""
    if role not in ROLES:
        raise AccountError(f"a role is one of {', '.join(ROLES)}, not {role!r}")
    if not username or len(username) > 64 or not username.isprintable():
        raise AccountError("a user name is 1-64 printable characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a staff password has at least {MIN_PASSWORD_LENGTH} characters")
    if session.get(StaffAccountRow, username) is not None:
        raise AccountError(f"there is already an account {username!r}")
    session.add(
        StaffAccountRow(
            username=username,
            password_hash=hash_password(password, params),
            role=role,
            failed_attempts=0,
            locked_until_us=None,
            disabled=False,
            created_at_us=now_us,
        )
    )


def audit(
    session: Session,
    now_us: int,
    username: str | None,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    client: str | None = None,
) -> None:
    """Add an audit event (in the caller's transaction)."""
    session.add(
        AuditEventRow(
            at_us=now_us,
            username=username,
            action=action,
            target=None if target is None else target[:128],
            detail=detail,
            client=client,
        )
    )


def sign_in(
    session: Session, username: str, password: str, now_us: int, params: PasswordHashParams
) -> tuple[str, StaffSession]:
    """Check the password; on success a new session (cookie token, session). Audited."""
    account = session.get(StaffAccountRow, username, with_for_update=True)
    if account is None or account.disabled:
        burn(password, params)  # the same work as a real check: names cannot be told apart by time
        raise SignInRefusedError("wrong user name or password")
    if account.locked_until_us is not None and account.locked_until_us > now_us:
        raise SignInRefusedError("the account is locked after too many failed sign-ins")
    try:
        good = verify_password(password, account.password_hash)
    except PasswordHashError:
        good = False
    if not good:
        account.failed_attempts += 1
        if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
            account.locked_until_us = now_us + LOCKOUT_US
            account.failed_attempts = 0
        raise SignInRefusedError("wrong user name or password")
    account.failed_attempts = 0
    account.locked_until_us = None
    token = secrets.token_urlsafe(32)
    staff = StaffSession(account.username, account.role, secrets.token_urlsafe(32))
    session.add(
        StaffSessionRow(
            token_hash=sm3(token.encode("ascii")),
            username=account.username,
            csrf_token=staff.csrf_token,
            created_at_us=now_us,
            expires_at_us=now_us + SESSION_US,
            ended_at_us=None,
        )
    )
    return token, staff


def session_of(session: Session, token: str | None, now_us: int) -> StaffSession | None:
    """The live session of a cookie token (None: no, expired, ended, or account disabled)."""
    if not token or len(token) > 128:
        return None
    row = session.get(StaffSessionRow, sm3(token.encode("ascii", "replace")))
    if row is None or row.ended_at_us is not None or row.expires_at_us <= now_us:
        return None
    account = session.get(StaffAccountRow, row.username)
    if account is None or account.disabled:
        return None
    return StaffSession(account.username, account.role, row.csrf_token)


def csrf_ok(staff: StaffSession, offered: str | None) -> bool:
    """Whether a form's CSRF token is the session's."""
    return offered is not None and hmac.compare_digest(
        staff.csrf_token.encode(), offered.encode("utf-8", "replace")
    )


def sign_out(session: Session, token: str, now_us: int) -> None:
    """End the session of ``token``."""
    row = session.get(StaffSessionRow, sm3(token.encode("ascii", "replace")))
    if row is not None and row.ended_at_us is None:
        row.ended_at_us = now_us


def accounts(session: Session) -> list[StaffAccountRow]:
    """Every account, by name."""
    return list(session.scalars(select(StaffAccountRow).order_by(StaffAccountRow.username)))
