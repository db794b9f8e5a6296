"""Operator accounts: who may sign in, with which role, and their lockout state.

Plain frozen values out, never ORM rows. Counters change inside one ``BEGIN IMMEDIATE`` session
(the store's writer engine), so two sign-ins racing on two processes cannot lose a failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, insert, literal, select, update

from app.domain.people import Role
from app.store.database import Store
from app.store.errors import StoreError
from app.store.models import OperatorRow


class OperatorExistsError(StoreError):
    """An operator with this username already exists."""

    advice = "Choose another username."


class LastAdminError(StoreError):
    """The counter would be left without an active admin."""

    advice = "Create another admin first."


class UnknownOperatorError(StoreError):
    """No operator has this username."""

    advice = "Check the username."


@dataclass(frozen=True)
class OperatorAccount:
    """An operator account as stored (the password only as its Argon2id hash)."""

    username: str
    display_name: str
    role: Role
    password_hash: str
    failed_attempts: int
    locked_until_us: int
    active: bool
    created_at_us: int

    def __repr__(self) -> str:  # keep the hash out of logs and tracebacks
        return (
            f"OperatorAccount({self.username!r}, {self.role.value}, active={self.active}, "
            f"failed={self.failed_attempts}, locked_until_us={self.locked_until_us})"
        )


def _account(row: OperatorRow) -> OperatorAccount:
    return OperatorAccount(
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        password_hash=row.password_hash,
        failed_attempts=row.failed_attempts,
        locked_until_us=row.locked_until_us,
        active=bool(row.active),
        created_at_us=row.created_at_us,
    )


def _row(account: OperatorAccount) -> dict[str, object]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role.value,
        "password_hash": account.password_hash,
        "failed_attempts": account.failed_attempts,
        "locked_until_us": account.locked_until_us,
        "active": int(account.active),
        "created_at_us": account.created_at_us,
    }


def count(store: Store) -> int:
    """How many accounts exist (active or not)."""
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(OperatorRow)) or 0)


def get(store: Store, username: str) -> OperatorAccount | None:
    """The account of ``username``, or None."""
    with store.session() as s:
        row = s.get(OperatorRow, username)
        return None if row is None else _account(row)


def accounts(store: Store) -> list[OperatorAccount]:
    """Every account, by username."""
    with store.session() as s:
        return [_account(r) for r in s.scalars(select(OperatorRow).order_by(OperatorRow.username))]


def add(store: Store, account: OperatorAccount) -> None:
    """Store a new account (raises :class:`OperatorExistsError` for a taken username)."""
    with store.session() as s:
        if s.get(OperatorRow, account.username) is not None:
            raise OperatorExistsError(
                "The username “{username}” is already taken.", username=account.username
            )
        s.add(OperatorRow(**_row(account)))


def add_if_none(store: Store, account: OperatorAccount) -> bool:
    """Store ``account`` only when the table is empty (first run); whether it was stored.

    One ``INSERT … SELECT … WHERE NOT EXISTS``: two first runs racing cannot both create an admin.
    """
    values = _row(account)
    columns = list(values)
    source = select(*(literal(values[c]) for c in columns)).where(
        ~exists().select_from(OperatorRow)
    )
    with store.session() as s:
        result = s.execute(insert(OperatorRow).from_select(columns, source))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _update(store: Store, username: str, **values: object) -> OperatorAccount:
    with store.session() as s:
        s.execute(update(OperatorRow).where(OperatorRow.username == username).values(**values))
        row = s.get(OperatorRow, username, populate_existing=True)
        if row is None:
            raise UnknownOperatorError("There is no operator “{username}”.", username=username)
        return _account(row)


def record_failure(
    store: Store, username: str, now_us: int, max_failures: int, lockout_us: int
) -> OperatorAccount:
    """Count a failed password; the ``max_failures``-th in a row locks until now + lockout.

    Locking starts the count afresh, so after the timed release the operator has
    ``max_failures`` more tries.
    """
    with store.session() as s:
        row = s.get(OperatorRow, username)  # BEGIN IMMEDIATE: no other writer meanwhile
        if row is None:
            raise UnknownOperatorError("There is no operator “{username}”.", username=username)
        row.failed_attempts += 1
        if row.failed_attempts >= max_failures:
            row.failed_attempts = 0
            row.locked_until_us = now_us + lockout_us
        s.flush()
        return _account(row)


def record_success(store: Store, username: str) -> OperatorAccount:
    """A correct password: forget earlier failures and any expired lock."""
    return _update(store, username, failed_attempts=0, locked_until_us=0)


def set_password_hash(store: Store, username: str, password_hash: str, *, unlock: bool) -> None:
    """Replace the stored hash (a changed password, or a rehash at a new cost)."""
    values: dict[str, object] = {"password_hash": password_hash}
    if unlock:
        values.update(failed_attempts=0, locked_until_us=0)
    _update(store, username, **values)


def deactivate(store: Store, username: str) -> OperatorAccount:
    """Deactivate an account (never deleted: the journal names it); never the last active admin.

    The check and the change are one transaction, so two admins deactivating each other at the
    same moment cannot leave the counter without an admin.
    """
    with store.session() as s:
        row = s.get(OperatorRow, username)
        if row is None:
            raise UnknownOperatorError("There is no operator “{username}”.", username=username)
        if row.role == Role.ADMIN.value and row.active:
            others = s.scalar(
                select(func.count())
                .select_from(OperatorRow)
                .where(
                    OperatorRow.role == Role.ADMIN.value,
                    OperatorRow.active == 1,
                    OperatorRow.username != username,
                )
            )
            if not others:
                raise LastAdminError("“{username}” is the last active admin.", username=username)
        row.active = 0
        s.flush()
        return _account(row)


def repair(store: Store, username: str, *, role: Role, active: bool, display_name: str) -> None:
    """Put back what the journal says about an account (its row was edited outside the app)."""
    _update(store, username, role=role.value, active=int(active), display_name=display_name)


def set_role(store: Store, username: str, role: Role) -> OperatorAccount:
    """Cache an account's new role (the journal's staff record is the authority)."""
    return _update(store, username, role=role.value)


def clear_lockout(store: Store, username: str) -> OperatorAccount:
    """Forget failed passwords and end a timed lockout (an admin unlocked the account)."""
    return _update(store, username, failed_attempts=0, locked_until_us=0)
