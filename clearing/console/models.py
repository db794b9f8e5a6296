"""Tables of the console: staff accounts, their sessions and the audit trail."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from clearing.models import Base

ROLES = ("viewer", "analyst", "administrator")


class StaffAccountRow(Base):
    """A back-office account: Argon2id password hash, role, failed sign-ins and lockout."""

    __tablename__ = "staff_account"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    failed_attempts: Mapped[int] = mapped_column(Integer)
    locked_until_us: Mapped[int | None] = mapped_column(BigInteger)
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at_us: Mapped[int] = mapped_column(BigInteger)


class StaffSessionRow(Base):
    """A signed-in browser: only SM3 of the cookie's token is stored, with its CSRF token."""

    __tablename__ = "staff_session"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at_us: Mapped[int] = mapped_column(BigInteger)
    expires_at_us: Mapped[int] = mapped_column(BigInteger)
    ended_at_us: Mapped[int | None] = mapped_column(BigInteger)


class AuditEventRow(Base):
    """Something a staff member did (or tried) in the console; never changed nor deleted."""

    __tablename__ = "console_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at_us: Mapped[int] = mapped_column(BigInteger, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(64))
