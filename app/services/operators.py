"""Operators: first-run admin, accounts, sign-in with lockout, sign-out, supervisor approvals.

Roles are enforced here, in the services, whatever the UI shows: every privileged call takes the
acting :class:`~app.domain.people.Actor` and checks it with :func:`require`. Account changes that
only an admin may make also re-read the actor's account, so an admin deactivated a minute ago
cannot keep creating accounts from a window still open.

Every sign-in, failure, sign-out and approval is journaled. A failure's record names the username
typed and why it failed — never the password. Unknown users get the same answer as wrong
passwords (and cost the same Argon2id time); locked accounts are refused without checking the
password, so guessing during a lockout is useless.

Account changes are ``staff`` journal records (app/services/staff_roster.py), and the role,
activity, admin lock and password-hash digest of an account are what those MAC'd records say:
the store's operator table is a cache. A row edited outside the app (a raised role, a swapped
password hash) changes nothing; the sign-in that meets it journals a ``staff_cache_repaired``
note and puts the journal's values back. The first-admin set-up opens only while the journal
holds no staff record, however empty the operator table is.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.crypto import passwords
from app.crypto.passwords import PasswordHashError, PasswordHashParams
from app.domain.people import Actor, Approval, Role
from app.domain.texts import fill, marked
from app.journal import Entry, Journal, RecordKind
from app.journal.records import from_micros, to_micros
from app.services.errors import PermissionDeniedError, RefusedError, ServiceError
from app.services.staff_roster import (
    StaffEntry,
    StaffEvent,
    has_staff,
    hash_digest,
    roster,
    staff_entry,
)
from app.store import operators as accounts
from app.store.database import Store
from app.store.operators import (
    LastAdminError,
    OperatorAccount,
    OperatorExistsError,
    UnknownOperatorError,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
APPROVAL_MAX_AGE = timedelta(minutes=10)  # an approval is for the operation at hand, not later
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")  # fits the operator table's String(32)
MAX_DISPLAY_NAME = 64

# Refused whatever their length: the usual first guesses (lists of leaked passwords, the ones
# Chinese users pick most often, and this product's own names). Compared case-insensitively.
COMMON_PASSWORDS = frozenset(
    {
        "00000000", "11111111", "11223344", "12341234", "12344321", "123123123", "12345678",
        "123456789", "1234567890", "123456abc", "147258369", "159357258", "1q2w3e4r", "1qaz2wsx",
        "5201314520", "66666666", "88888888", "a1234567", "a123456789", "aa123456", "abc12345",
        "abcd1234", "admin123", "admin888", "asdfghjk", "baseball", "changeme", "citycard",
        "football", "iloveyou", "letmein1", "p@ssw0rd", "passw0rd", "password", "password1",
        "password123", "princess", "qazwsxedc", "qwerty123", "qwertyui", "root1234",
        "sunshine", "trustno1", "welcome1", "woaini1314", "yikatong", "zxcvbnm1",
    }
)  # fmt: skip


class ApprovalPurpose(enum.StrEnum):
    """What a supervisor approves (the ``purpose`` of an approval record)."""

    CASH_DIFFERENCE = "cash_difference"
    REFUND = "refund"
    VOID = "void"
    REPRINT = "reprint"
    LOSS_CANCEL = "loss_cancel"
    EXCHANGE = "exchange"


class FailureReason(enum.StrEnum):
    """Why credentials were refused (the ``reason`` of a ``sign_in_failed`` record)."""

    UNKNOWN_USER = "unknown_user"
    INACTIVE = "inactive"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason code, not a password
    LOCKED = "locked"
    DAMAGED_HASH = "damaged_hash"
    HASH_NOT_JOURNALED = "hash_not_journaled"  # the store's hash is not the one the journal binds
    LOCKED_BY_ADMIN = "locked_by_admin"
    SELF_APPROVAL = "self_approval"
    NOT_A_SUPERVISOR = "not_a_supervisor"


class SignInError(ServiceError):
    """The username or password is wrong (an unknown user gets the very same answer)."""

    advice = (
        "Type them again. After {max_failures} wrong tries in a row the account is locked for "
        "{lockout_minutes} minutes."
    )

    def __init__(self, message: str, advice: str | None = None, **params: object) -> None:
        params.setdefault("max_failures", MAX_FAILED_SIGN_INS)
        params.setdefault("lockout_minutes", int(LOCKOUT.total_seconds() // 60))
        super().__init__(message, advice, **params)


class LockedOutError(SignInError):
    """Too many wrong passwords: the account is locked until ``locked_until``."""

    def __init__(self, message: str, locked_until: datetime, **params: object) -> None:
        super().__init__(
            message,
            marked(
                "Wait until {until}, or ask an admin to unlock the account or set a new "
                "password for it (Tools ▸ Staff)."
            ),
            until=f"{locked_until.astimezone():%H:%M}",
            **params,
        )
        self.locked_until = locked_until


class DamagedAccountError(SignInError):
    """The account's stored password hash cannot be read, or is not the journaled one."""

    advice = "An admin must set a new password for this account (Tools ▸ Staff)."


class LockedByAdminError(SignInError):
    """An admin locked the account (until an admin unlocks it)."""

    advice = "Ask an admin to unlock it (Tools ▸ Staff)."


@dataclass(frozen=True)
class OperatorInfo:
    """An account as the UI may show it (no password hash)."""

    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None  # None when not locked now (the timed lockout)
    locked_by_admin: bool = False


def require(actor: Actor, role: Role, action: str = "do this") -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor``'s role includes ``role``.

    Every service calls this first in every call that needs a role: the UI hiding a button is a
    convenience, this is the rule.
    """
    if not isinstance(actor, Actor) or not isinstance(actor.role, Role):
        raise PermissionDeniedError("Nobody is signed in.", advice="Sign in first.")
    if not actor.role.includes(role):
        raise PermissionDeniedError(
            "{name} is signed in as {role}; only a {required} or above may {action}.",
            name=actor.display_name,
            role=actor.role.value,
            required=role.value,
            action=action,
        )


_PASSWORD_REFUSED = "The password was refused: "  # noqa: S105 - the refusals' start


def _password_refusal(password: str, username: str) -> tuple[str, dict[str, object]] | None:
    """Why ``password`` may not be used as a refusal (template, values); None when it may."""
    if not isinstance(password, str):
        return marked("The password was refused: a password is text."), {}
    if len(password) < MIN_PASSWORD_LENGTH:
        return marked(
            "The password was refused: a password needs at least {minimum} characters."
        ), {"minimum": MIN_PASSWORD_LENGTH}
    if len(password) > MAX_PASSWORD_LENGTH:
        return marked(
            "The password was refused: a password may have at most {maximum} characters."
        ), {"maximum": MAX_PASSWORD_LENGTH}
    lowered = unicodedata.normalize("NFKC", password).lower()
    if lowered in COMMON_PASSWORDS:
        return marked(
            "The password was refused: this password is one of the most common ones; "
            "choose another."
        ), {}
    if len(set(lowered)) < 3:
        return marked(
            "The password was refused: this password repeats too few characters; choose another."
        ), {}
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(lowered)}
    if steps in ({1}, {-1}):
        return marked(
            "The password was refused: this password is a simple sequence; choose another."
        ), {}
    if username and username.lower() in lowered:
        return marked("The password was refused: the password must not contain the username."), {}
    return None


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used, in English words (None when it may).

    Length, common, guessable: the phrase of the refusal :func:`_refuse_password` raises.
    """
    refusal = _password_refusal(password, username)
    if refusal is None:
        return None
    return fill(*refusal).removeprefix(_PASSWORD_REFUSED).removesuffix(".")


def check_approval(
    journal: Journal,
    approval: Approval,
    *,
    actor: Actor,
    purpose: str,
    now: datetime,
    not_by: Iterable[str] = (),
    max_age: timedelta = APPROVAL_MAX_AGE,
) -> None:
    """Refuse an :class:`Approval` that is not what its journal record says, or is stale.

    An ``Approval`` is a plain value anyone could build; what counts is the approval record it
    points at: for ``purpose``, asked by ``actor``, given by a supervisor or admin who is not in
    ``not_by``, at most ``max_age`` ago.
    """
    if not isinstance(approval, Approval):
        raise RefusedError(
            "This needs a supervisor's approval.", advice="Ask a supervisor to approve."
        )
    record = journal.record(approval.journal_seq)
    payload: dict[str, Any] = record.payload_dict() if record is not None else {}
    if (
        record is None
        or record.kind != RecordKind.APPROVAL
        or record.operator != actor.username
        or payload.get("approver") != approval.approver
        or payload.get("purpose") != approval.purpose
    ):
        raise RefusedError(
            "The approval given does not match any recorded approval.",
            advice="Ask the supervisor to approve again.",
        )
    if approval.purpose != purpose:
        raise RefusedError(
            "The approval is for “{given}”, not for “{needed}”.",
            advice="Ask the supervisor to approve this operation.",
            given=str(approval.purpose),
            needed=str(purpose),
        )
    try:
        role = Role(payload.get("approver_role"))
    except ValueError:
        role = Role.CLERK
    if not role.includes(Role.SUPERVISOR):
        raise PermissionDeniedError("Only a supervisor or an admin can approve this.")
    if approval.approver in set(not_by):
        raise RefusedError(
            "{approver} cannot approve an operation of their own.",
            advice="Ask another supervisor to approve.",
            approver=approval.approver,
        )
    if now - record.at > max_age:
        raise RefusedError(
            "The approval is older than {minutes} minutes.",
            advice="Ask the supervisor to approve again.",
            minutes=int(max_age.total_seconds() // 60),
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _username(text: str) -> str:
    """The username as stored: trimmed and lower case (what a login field may contain)."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def _refuse_password(password: str, username: str) -> None:
    refusal = _password_refusal(password, username)
    if refusal is not None:
        template, params = refusal
        raise RefusedError(
            template,
            advice="Choose another: at least {min_length} characters, not a common one, "
            "not containing the username.",
            min_length=MIN_PASSWORD_LENGTH,
            **params,
        )


class OperatorService:
    """Operator accounts, sign-in/out and approvals on one counter."""

    def __init__(
        self,
        store: Store,
        journal: Journal,
        clock: Clock = _utc_now,
        password_params: PasswordHashParams | None = None,
        *,
        max_failures: int = MAX_FAILED_SIGN_INS,
        lockout: timedelta = LOCKOUT,
    ) -> None:
        self._store = store
        self._journal = journal
        self._clock = clock
        self._params = password_params or PasswordHashParams()
        self._max_failures = max_failures
        self._lockout_us = int(lockout.total_seconds() * 1_000_000)

    # -- accounts ----------------------------------------------------------------------------

    def needs_first_admin(self) -> bool:
        """Whether this is the first run: the journal holds no staff record yet.

        Not whether the operator table is empty: emptying it outside the app must not reopen
        the set-up (see :meth:`missing_accounts`).
        """
        return not has_staff(self._journal)

    def missing_accounts(self) -> int:
        """How many journaled active accounts have no row in the store (0 when all is well).

        Rows deleted outside the app cannot be rebuilt from the journal (it holds only the
        digest of each password hash): the store must be restored from its backup.
        """
        stored = {a.username for a in accounts.accounts(self._store)}
        return sum(
            1 for e in roster(self._journal).values() if e.active and e.username not in stored
        )

    def adopt_legacy_accounts(self) -> int:
        """Once, on a counter made before staff records: journal its accounts; how many.

        Such a journal names its accounts in ``note`` records (``operator_created``,
        ``operator_deactivated``): the role and activity come from those MAC'd notes, never from
        the store; the digest bound is the store's hash as found at the upgrade (nothing older
        holds it). A store row no note names is not adopted. Nothing happens once any staff
        record exists.
        """
        if has_staff(self._journal):
            return 0
        legacy: dict[str, dict[str, Any]] = {}
        for record in self._journal.verified_records_of_kinds(RecordKind.NOTE):
            payload = record.payload_dict()
            name = str(payload.get("username", ""))
            if payload.get("event") == "operator_created":
                legacy[name] = {"display_name": payload.get("display_name", name),
                                "role": payload.get("role"), "active": True}  # fmt: skip
            elif payload.get("event") == "operator_deactivated" and name in legacy:
                legacy[name]["active"] = False
        entries = []
        for name, found in sorted(legacy.items()):
            account = accounts.get(self._store, name)
            if account is None:
                continue
            role = found["role"] if found["role"] in {r.value for r in Role} else Role.CLERK.value
            entries.append(
                staff_entry(
                    StaffEvent.CREATED,
                    name,
                    name,
                    display_name=str(found["display_name"]),
                    role=role,
                    password_digest=hash_digest(account.password_hash),
                    adopted=True,
                )
            )
            if not found["active"]:
                entries.append(staff_entry(StaffEvent.DEACTIVATED, name, name, adopted=True))
        if entries:
            self._journal.append_many(entries)
            log.info("adopted %d operator account(s) from the legacy journal notes", len(legacy))
        return sum(1 for e in entries if e.payload.get("event") == StaffEvent.CREATED.value)

    def repair_store(self) -> int:
        """Check every operator row against the journal; repair and journal each edited one.

        Run at start-up: a row whose role, activity or name differs is put back (a
        ``staff_cache_repaired`` note); a row no staff record names is deactivated (a
        ``staff_cache_unknown_row`` note). Returns how many rows were repaired.
        """
        entries = roster(self._journal)
        repaired = 0
        for account in accounts.accounts(self._store):
            entry = entries.get(account.username)
            if entry is not None:
                repaired += self._repair_cache(account, entry) is not account
            elif account.active and entries:
                log.error("operator %s: a store row no staff record names", account.username)
                accounts.repair(
                    self._store,
                    account.username,
                    role=Role.CLERK,
                    active=False,
                    display_name=account.display_name,
                )
                self._journal.append(
                    Entry(
                        RecordKind.NOTE,
                        payload={
                            "event": "staff_cache_unknown_row",
                            "username": account.username,
                            "store_role": account.role.value,
                        },
                    )
                )
                repaired += 1
        return repaired

    def create_first_admin(self, username: str, display_name: str, password: str) -> OperatorInfo:
        """Create the first admin; refused once any operator exists. Not a sign-in."""
        if not self.needs_first_admin():
            raise RefusedError(
                "This counter already has operators.",
                advice="Sign in as an admin to add operators.",
            )
        account = self._new_account(username, display_name, Role.ADMIN, password)
        if not accounts.add_if_none(self._store, account):
            raise RefusedError(
                "This counter already has operators.",
                advice="Sign in as an admin to add operators.",
            )
        self._journal_account_created(account, by=account.username, first_run=True)
        return self._info(account, self._entry(account.username))

    def create_operator(
        self, actor: Actor, username: str, display_name: str, role: Role, password: str
    ) -> OperatorInfo:
        """Create an account (admins only)."""
        self._require_current(actor, Role.ADMIN, "create operator accounts")
        if not isinstance(role, Role):
            raise RefusedError(
                "{role} is not a role.",
                advice="Choose clerk, supervisor or admin.",
                role=repr(role),
            )
        account = self._new_account(username, display_name, role, password)
        try:
            accounts.add(self._store, account)
        except OperatorExistsError as exc:
            raise RefusedError(exc.template, advice=exc.advice, **exc.params) from None
        self._journal_account_created(account, by=actor.username, first_run=False)
        return self._info(account, self._entry(account.username))

    def operators(self, actor: Actor) -> list[OperatorInfo]:
        """Every journaled account (supervisors and admins), by username.

        An account the journal names but the store lost is listed inactive.
        """
        require(actor, Role.SUPERVISOR, "list operator accounts")
        stored = {a.username: a for a in accounts.accounts(self._store)}
        listed = []
        for name, entry in sorted(roster(self._journal).items()):
            account = stored.get(name)
            if account is None:
                listed.append(OperatorInfo(name, entry.display_name, entry.role, False, None))
            else:
                listed.append(self._info(account, entry))
        return listed

    def change_role(self, actor: Actor, username: str, role: Role) -> OperatorInfo:
        """Give an account another role (admins only; never one's own)."""
        self._require_current(actor, Role.ADMIN, "change roles")
        if not isinstance(role, Role):
            raise RefusedError(
                "{role} is not a role.",
                advice="Choose clerk, supervisor or admin.",
                role=repr(role),
            )
        entry = self._target(actor, username, marked("You cannot change your own role."))
        if entry.role is Role.ADMIN and role is not Role.ADMIN:
            self._refuse_last_admin(entry.username)
        account = accounts.set_role(self._store, entry.username, role)
        self._journal.append(
            staff_entry(StaffEvent.ROLE_CHANGED, entry.username, actor.username, role=role.value)
        )
        return self._info(account, self._entry(entry.username))

    def lock(self, actor: Actor, username: str) -> OperatorInfo:
        """Lock an account until an admin unlocks it (admins only; never one's own)."""
        self._require_current(actor, Role.ADMIN, "lock accounts")
        entry = self._target(actor, username, marked("You cannot lock your own account."))
        if entry.role is Role.ADMIN:
            self._refuse_last_admin(entry.username)
        self._journal.append(staff_entry(StaffEvent.LOCKED, entry.username, actor.username))
        return self._stored_info(entry.username)

    def unlock(self, actor: Actor, username: str) -> OperatorInfo:
        """End an admin's lock and any timed lockout (admins only)."""
        self._require_current(actor, Role.ADMIN, "unlock accounts")
        entry = self._target(actor, username, marked("You cannot unlock your own account."))
        accounts.clear_lockout(self._store, entry.username)
        self._journal.append(staff_entry(StaffEvent.UNLOCKED, entry.username, actor.username))
        return self._stored_info(entry.username)

    def change_password(
        self,
        actor: Actor,
        new_password: str,
        *,
        username: str | None = None,
        old_password: str | None = None,
    ) -> None:
        """Change a password: one's own (with the old one), or anyone's (admins; unlocks too).

        A wrong old password counts towards the lockout like a failed sign-in.
        """
        require(actor, Role.CLERK, "change a password")
        target = actor.username if username is None else _username(username)
        _refuse_password(new_password, target)  # before any password check: nothing to count
        if target == actor.username:
            self._require_current(actor, Role.CLERK, "change a password")
            own = accounts.get(self._store, actor.username)
            assert own is not None  # _require_current checked it
            account = own
            if old_password is None:
                raise RefusedError(
                    "Changing your own password needs your current password.",
                    advice="Type your current password, then the new one.",
                )
            self._check_password(account, old_password, operator=actor.username, context="password")
            if old_password == new_password:
                raise RefusedError(
                    "The new password is the old one.", advice="Choose a password you did not use."
                )
        else:
            self._require_current(actor, Role.ADMIN, "set another operator's password")
            found = accounts.get(self._store, target)
            if found is None or target not in roster(self._journal):
                raise RefusedError(
                    "There is no operator “{username}”.",
                    advice="Check the username.",
                    username=target,
                )
            account = found
        encoded = passwords.hash_password(new_password, self._params)
        accounts.set_password_hash(
            self._store, account.username, encoded, unlock=target != actor.username
        )
        self._journal.append(
            staff_entry(
                StaffEvent.PASSWORD_SET,
                account.username,
                actor.username,
                password_digest=hash_digest(encoded),
                unlock=target != actor.username,
                must_change=target != actor.username,  # the admin knows it: its owner changes it
            )
        )

    def must_change_password(self, actor: Actor) -> bool:
        """Whether an admin set ``actor``'s password since they last chose one themselves.

        The sign-in dialog then asks for a new password before the session starts.
        """
        entry = self._entry(actor.username)
        return entry is not None and entry.must_change_password

    def deactivate(self, actor: Actor, username: str) -> OperatorInfo:
        """Deactivate an account (admins only; never oneself, never the last active admin)."""
        self._require_current(actor, Role.ADMIN, "deactivate operator accounts")
        target = _username(username)
        if target == actor.username:
            raise RefusedError(
                "You cannot deactivate your own account.", advice="Ask another admin to do it."
            )
        entry = self._entry(target)
        if entry is None or not entry.active:
            raise RefusedError(
                "There is no active operator “{username}”.",
                advice="Check the username.",
                username=target,
            )
        if entry.role is Role.ADMIN:
            self._refuse_last_admin(target)
        try:
            account = accounts.deactivate(self._store, target)
        except (UnknownOperatorError, LastAdminError) as exc:
            raise RefusedError(exc.template, advice=exc.advice, **exc.params) from None
        self._journal.append(staff_entry(StaffEvent.DEACTIVATED, target, actor.username))
        return self._info(account, self._entry(target))

    # -- sign-in and approvals ---------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> Actor:
        """Check the credentials; the signed-in :class:`Actor`. Journaled either way.

        Raises :class:`SignInError` (wrong or unknown), :class:`LockedOutError` or
        :class:`DamagedAccountError`.
        """
        name = _username(username)
        account = self._known_account(name, password, operator=None, context="sign_in")
        entry = self._check_password(account, password, operator=None, context="sign_in")
        actor = Actor(entry.username, entry.display_name, entry.role)
        self._journal.append(
            Entry(RecordKind.SIGN_IN, operator=actor.username, payload={"role": actor.role.value})
        )
        return actor

    def sign_out(self, actor: Actor) -> None:
        """Journal the end of ``actor``'s session."""
        require(actor, Role.CLERK, "sign out")
        self._journal.append(Entry(RecordKind.SIGN_OUT, operator=actor.username))

    def approve(
        self,
        actor: Actor,
        approver_username: str,
        approver_password: str,
        purpose: str,
        *,
        shift_id: int | None = None,
        subject: str | None = None,
    ) -> Approval:
        """A second person's consent: a supervisor or admin other than ``actor`` types in.

        Journaled as an ``approval`` record (asked by ``actor``). Wrong passwords count towards
        the approver's lockout. ``subject`` (optional, short) says what is approved, e.g. a
        shift or a card serial.
        """
        require(actor, Role.CLERK, "ask for an approval")
        purpose = str(purpose).strip()
        if not purpose or len(purpose) > 64:
            raise RefusedError("An approval needs a purpose (at most 64 characters).")
        name = _username(approver_username)
        context = f"approval:{purpose}"
        if name == actor.username:
            self._journal_failure(name, FailureReason.SELF_APPROVAL, actor.username, context)
            raise RefusedError(
                "Nobody can approve their own operation.",
                advice="Ask another supervisor to approve.",
            )
        account = self._known_account(
            name, approver_password, operator=actor.username, context=context
        )
        entry = self._check_password(
            account, approver_password, operator=actor.username, context=context
        )
        if not entry.role.includes(Role.SUPERVISOR):
            self._journal_failure(name, FailureReason.NOT_A_SUPERVISOR, actor.username, context)
            raise PermissionDeniedError(
                "{name} is a {role}; approvals need a supervisor or an admin.",
                advice="Ask a supervisor to approve.",
                name=entry.display_name,
                role=entry.role.value,
            )
        payload: dict[str, Any] = {
            "approver": entry.username,
            "approver_role": entry.role.value,
            "purpose": purpose,
        }
        if subject:
            payload["subject"] = str(subject)[:128]
        record = self._journal.append(
            Entry(RecordKind.APPROVAL, operator=actor.username, shift_id=shift_id, payload=payload)
        )
        return Approval(entry.username, entry.role, purpose, record.seq)

    # -- internals ---------------------------------------------------------------------------

    def _now_us(self) -> int:
        return to_micros(self._clock())

    def _entry(self, username: str) -> StaffEntry | None:
        return roster(self._journal).get(username)

    def _info(self, account: OperatorAccount, entry: StaffEntry | None) -> OperatorInfo:
        """What the UI may show: the journal's authority, the store's timed lockout."""
        locked = account.locked_until_us > self._now_us()
        return OperatorInfo(
            account.username,
            entry.display_name if entry else account.display_name,
            entry.role if entry else Role.CLERK,
            entry is not None and entry.active and account.active,
            from_micros(account.locked_until_us) if locked else None,
            entry is not None and entry.locked,
        )

    def _stored_info(self, username: str) -> OperatorInfo:
        account = accounts.get(self._store, username)
        entry = self._entry(username)
        if account is None:
            role = entry.role if entry else Role.CLERK
            return OperatorInfo(
                username, entry.display_name if entry else username, role, False, None
            )
        return self._info(account, entry)

    def _target(self, actor: Actor, username: str, own: str) -> StaffEntry:
        """The active journaled account an admin acts on; never the admin's own."""
        target = _username(username)
        if target == actor.username:
            raise RefusedError(own, advice="Ask another admin to do it.")
        entry = self._entry(target)
        if entry is None or not entry.active or accounts.get(self._store, target) is None:
            raise RefusedError(
                "There is no active operator “{username}”.",
                advice="Check the username.",
                username=target,
            )
        return entry

    def _refuse_last_admin(self, username: str) -> None:
        """Refuse a change leaving no active, unlocked admin but ``username``."""
        others = [
            e
            for e in roster(self._journal).values()
            if e.role is Role.ADMIN and e.active and not e.locked and e.username != username
        ]
        if not others:
            raise RefusedError(
                "“{username}” is the last active admin.",
                advice="Create another admin first.",
                username=username,
            )

    def _repair_cache(self, account: OperatorAccount, entry: StaffEntry) -> OperatorAccount:
        """Put the journal's role, activity and name back into an edited store row; journal it."""
        if (account.role, account.active, account.display_name) == (
            entry.role,
            entry.active,
            entry.display_name,
        ):
            return account
        log.error(
            "operator %s: the store says %s/%s, the journal %s/%s: row edited outside the app",
            account.username,
            account.role.value,
            account.active,
            entry.role.value,
            entry.active,
        )
        accounts.repair(
            self._store,
            account.username,
            role=entry.role,
            active=entry.active,
            display_name=entry.display_name,
        )
        self._journal.append(
            Entry(
                RecordKind.NOTE,
                payload={
                    "event": "staff_cache_repaired",
                    "username": account.username,
                    "store_role": account.role.value,
                    "store_active": account.active,
                    "journal_role": entry.role.value,
                    "journal_active": entry.active,
                },
            )
        )
        return dataclasses.replace(
            account, role=entry.role, active=entry.active, display_name=entry.display_name
        )

    def _require_current(self, actor: Actor, role: Role, action: str) -> StaffEntry:
        """:func:`require`, and the actor's journaled account still active with that role."""
        require(actor, role, action)
        account = self._entry(actor.username)
        if (
            account is None
            or not account.active
            or account.locked
            or account.role != actor.role
            or accounts.get(self._store, actor.username) is None
        ):
            raise PermissionDeniedError(
                "The account of {name} was changed or deactivated.",
                advice="Sign out and sign in again.",
                name=actor.display_name,
            )
        return account

    def _new_account(
        self, username: str, display_name: str, role: Role, password: str
    ) -> OperatorAccount:
        name = _username(username)
        if not USERNAME.fullmatch(name):
            raise RefusedError(
                "“{username}” cannot be a username.",
                advice="Use 2-32 lower-case letters, digits, '.', '_' or '-', starting with a "
                "letter or digit.",
                username=username,
            )
        shown = str(display_name).strip()
        if not shown or len(shown) > MAX_DISPLAY_NAME or not shown.isprintable():
            raise RefusedError(
                "The display name must be 1-64 printable characters.",
                advice="Type the person's name.",
            )
        _refuse_password(password, name)
        return OperatorAccount(
            username=name,
            display_name=shown,
            role=role,
            password_hash=passwords.hash_password(password, self._params),
            failed_attempts=0,
            locked_until_us=0,
            active=True,
            created_at_us=self._now_us(),
        )

    def _journal_account_created(self, account: OperatorAccount, by: str, first_run: bool) -> None:
        self._journal.append(
            staff_entry(
                StaffEvent.CREATED,
                account.username,
                by,
                display_name=account.display_name,
                role=account.role.value,
                password_digest=hash_digest(account.password_hash),
                first_run=first_run,
            )
        )

    def _journal_failure(
        self, username: str, reason: FailureReason, operator: str | None, context: str, **extra: Any
    ) -> None:
        # the username as typed (bounded: it is whatever someone typed), never the password
        payload: dict[str, Any] = {"username": username[:32], "reason": reason.value}
        payload["context"] = context
        payload.update(extra)
        self._journal.append(Entry(RecordKind.SIGN_IN_FAILED, operator=operator, payload=payload))

    def _known_account(
        self, name: str, password: str, *, operator: str | None, context: str
    ) -> OperatorAccount:
        """The active account of ``name``; otherwise journal and answer like a wrong password.

        Active as the journal says: a row the journal does not name is unknown, a row edited
        outside the app is repaired (and the repair journaled) first.
        """
        account = accounts.get(self._store, name) if name else None
        entry = self._entry(name) if account is not None else None
        if account is not None and entry is not None:
            account = self._repair_cache(account, entry)
            if account.active:
                return account
        passwords.burn(password, self._params)  # the same time as a real check
        reason = FailureReason.UNKNOWN_USER if entry is None else FailureReason.INACTIVE
        self._journal_failure(name, reason, operator, context)
        raise self._wrong_credentials()

    def _wrong_credentials(self) -> SignInError:
        """The one answer to an unknown user and a wrong password (with this lockout's rules)."""
        return SignInError(
            "Wrong username or password.",
            max_failures=self._max_failures,
            lockout_minutes=self._lockout_us // 60_000_000,
        )

    def _check_password(
        self, account: OperatorAccount, password: str, *, operator: str | None, context: str
    ) -> StaffEntry:
        """Locks, the hash's journaled digest, then the password; the account's journal entry.

        Failures are counted and journaled, success resets the count.
        """
        entry = self._entry(account.username)
        if entry is None or not entry.active:  # changed since _known_account read it
            passwords.burn(password, self._params)
            raise self._wrong_credentials()
        if entry.locked:
            passwords.burn(password, self._params)
            self._journal_failure(
                account.username, FailureReason.LOCKED_BY_ADMIN, operator, context
            )
            raise LockedByAdminError(
                "An admin locked the account “{username}”.", username=account.username
            )
        now_us = self._now_us()
        if account.locked_until_us > now_us:
            until = from_micros(account.locked_until_us)
            self._journal_failure(
                account.username,
                FailureReason.LOCKED,
                operator,
                context,
                locked_until_us=account.locked_until_us,
            )
            raise LockedOutError(
                "The account “{username}” is locked.", until, username=account.username
            )
        if hash_digest(account.password_hash) != entry.password_digest:
            log.error(
                "operator %s: stored password hash is not the journaled one", account.username
            )
            passwords.burn(password, self._params)
            self._journal_failure(
                account.username, FailureReason.HASH_NOT_JOURNALED, operator, context
            )
            raise DamagedAccountError(
                "The password record of “{username}” is not the one this counter's journal "
                "holds: it was changed outside the app.",
                username=account.username,
            )
        try:
            ok = passwords.verify_password(password, account.password_hash)
        except PasswordHashError as exc:
            log.error("operator %s: stored password hash unusable: %s", account.username, exc)
            self._journal_failure(account.username, FailureReason.DAMAGED_HASH, operator, context)
            raise DamagedAccountError(
                "The password record of “{username}” is damaged.", username=account.username
            ) from None
        if not ok:
            after = accounts.record_failure(
                self._store, account.username, now_us, self._max_failures, self._lockout_us
            )
            locked = after.locked_until_us > now_us
            extra: dict[str, Any] = {"failed_attempts": after.failed_attempts}
            if locked:
                extra = {"locked_until_us": after.locked_until_us}
            self._journal_failure(
                account.username, FailureReason.WRONG_PASSWORD, operator, context, **extra
            )
            if locked:
                raise LockedOutError(
                    "Wrong password {count} times: the account “{username}” is now locked.",
                    from_micros(after.locked_until_us),
                    count=self._max_failures,
                    username=account.username,
                )
            raise self._wrong_credentials()
        accounts.record_success(self._store, account.username)
        if passwords.needs_rehash(account.password_hash, self._params):
            # the default cost was raised since this hash was made: upgrade it now
            encoded = passwords.hash_password(password, self._params)
            accounts.set_password_hash(self._store, account.username, encoded, unlock=False)
            self._journal.append(
                staff_entry(
                    StaffEvent.PASSWORD_SET,
                    account.username,
                    account.username,
                    password_digest=hash_digest(encoded),
                    must_change=entry.must_change_password,  # a rehash is no choice of password
                    rehash=True,
                )
            )
        return entry
