"""Operators: first admin, accounts, roles enforced in the service, sign-in lockout, approvals.

A real counter store and journal in tmp_path; the clock is the test's, shared by both.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from app.crypto import passwords
from app.crypto.passwords import PasswordHashParams, parse
from app.domain.people import Actor, Approval, Role
from app.journal import Journal, JournalKeys, RecordKind
from app.services.errors import PermissionDeniedError, RefusedError, ServiceError
from app.services.operators import (
    ApprovalPurpose,
    DamagedAccountError,
    LockedOutError,
    OperatorService,
    SignInError,
    check_approval,
    password_problem,
    require,
)
from app.store import operators as accounts
from app.store.database import Store
from app.store.models import OperatorRow
from app.store.operators import LastAdminError

CHEAP = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)
ADMIN_PW = "Harbour-lights-2026"
SUP_PW = "Quiet-river-771"
CLERK_PW = "Blue-tram-9876"


class FakeClock:
    """The test's clock: stands still until moved."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "counter.sqlite3") as s:
        yield s


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    with Journal.create(
        tmp_path / "j.sqlite3", JournalKeys.generate(), "DEV-1", "0102030405AB", clock=clock
    ) as j:
        yield j


@pytest.fixture
def service(store: Store, journal: Journal, clock: FakeClock) -> OperatorService:
    return OperatorService(store, journal, clock, CHEAP)


@pytest.fixture
def staff(service: OperatorService) -> dict[str, Actor]:
    """An admin, a supervisor and a clerk, signed in."""
    service.create_first_admin("admin", "管理员", ADMIN_PW)
    admin = service.sign_in("admin", ADMIN_PW)
    service.create_operator(admin, "sup1", "李主管", Role.SUPERVISOR, SUP_PW)
    service.create_operator(admin, "clerk1", "王芳", Role.CLERK, CLERK_PW)
    return {
        "admin": admin,
        "sup": service.sign_in("sup1", SUP_PW),
        "clerk": service.sign_in("clerk1", CLERK_PW),
    }


def _records(journal: Journal, kind: str) -> list[dict[str, object]]:
    return [
        r.payload_dict() | {"_operator": r.operator} for r in journal.records() if r.kind == kind
    ]


# -- first run and accounts ----------------------------------------------------------------


def test_first_run_creates_the_admin_once(service: OperatorService, journal: Journal) -> None:
    assert service.needs_first_admin()
    info = service.create_first_admin("Admin ", "管理员", ADMIN_PW)
    assert (info.username, info.role, info.active) == ("admin", Role.ADMIN, True)
    assert not service.needs_first_admin()
    with pytest.raises(RefusedError, match="already has operators"):
        service.create_first_admin("other", "Other", "Another-pass-1")
    created = _records(journal, RecordKind.STAFF)
    digest = created[0].pop("password_digest")
    assert isinstance(digest, str) and len(digest) == 64
    assert created == [
        {
            "event": "created",
            "username": "admin",
            "display_name": "管理员",
            "role": "admin",
            "first_run": True,
            "_operator": "admin",
        }
    ]
    actor = service.sign_in("ADMIN", ADMIN_PW)  # usernames are case-insensitive
    assert actor == Actor("admin", "管理员", Role.ADMIN)


def test_first_admin_is_refused_when_the_store_already_has_operators(
    service: OperatorService, store: Store
) -> None:
    service.create_first_admin("admin", "Admin", ADMIN_PW)
    account = accounts.get(store, "admin")
    assert account is not None
    # the atomic store call, as a second first-run racing the first would reach it
    assert not accounts.add_if_none(store, dataclasses.replace(account, username="x"))
    assert accounts.count(store) == 1


WEAK = ["12345678", "password", "PASSWORD", "short", "aaaaaaaa", "abababab", "abcdefgh", "87654321"]


@pytest.mark.parametrize("password", [*WEAK, "xx-NewClerk-xx"])
def test_weak_passwords_are_refused(
    service: OperatorService, staff: dict[str, Actor], password: str
) -> None:
    with pytest.raises(RefusedError, match="password was refused"):
        service.create_operator(staff["admin"], "newclerk", "New", Role.CLERK, password)
    assert password_problem(password, "newclerk") is not None
    assert password_problem("Tram-Ticket-42", "newclerk") is None


@pytest.mark.parametrize("username", ["", "a", "has space", "名字", "x" * 33, "-dash", "a/b"])
def test_bad_usernames_are_refused(
    service: OperatorService, staff: dict[str, Actor], username: str
) -> None:
    with pytest.raises(RefusedError, match="cannot be a username"):
        service.create_operator(staff["admin"], username, "New", Role.CLERK, "Good-pass-123")


def test_duplicate_username_is_refused(service: OperatorService, staff: dict[str, Actor]) -> None:
    with pytest.raises(RefusedError, match="already taken"):
        service.create_operator(staff["admin"], "Clerk1", "Again", Role.CLERK, "Good-pass-123")


@pytest.mark.parametrize("who", ["sup", "clerk"])
def test_only_admins_create_operators(
    service: OperatorService, staff: dict[str, Actor], who: str, store: Store
) -> None:
    with pytest.raises(PermissionDeniedError):
        service.create_operator(staff[who], "sneaky", "Sneaky", Role.ADMIN, "Good-pass-123")
    assert accounts.get(store, "sneaky") is None


def test_a_forged_or_stale_admin_actor_is_refused(
    service: OperatorService, staff: dict[str, Actor]
) -> None:
    forged = Actor("clerk1", "王芳", Role.ADMIN)  # a clerk's name with an admin role
    with pytest.raises(PermissionDeniedError, match="changed or deactivated"):
        service.create_operator(forged, "sneaky", "Sneaky", Role.ADMIN, "Good-pass-123")
    ghost = Actor("ghost", "Ghost", Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        service.deactivate(ghost, "clerk1")
    admin2 = service.create_operator(
        staff["admin"], "admin2", "Admin 2", Role.ADMIN, "Second-key-77"
    )
    second = service.sign_in(admin2.username, "Second-key-77")
    service.deactivate(staff["admin"], "admin2")
    with pytest.raises(PermissionDeniedError, match="changed or deactivated"):
        service.create_operator(second, "late", "Late", Role.CLERK, "Good-pass-123")


def test_deactivate(service: OperatorService, staff: dict[str, Actor], store: Store) -> None:
    with pytest.raises(PermissionDeniedError):
        service.deactivate(staff["sup"], "clerk1")
    with pytest.raises(PermissionDeniedError):
        service.deactivate(staff["clerk"], "clerk1")
    with pytest.raises(RefusedError, match="your own account"):
        service.deactivate(staff["admin"], "admin")
    with pytest.raises(RefusedError, match="no active operator"):
        service.deactivate(staff["admin"], "nobody")
    info = service.deactivate(staff["admin"], "clerk1")
    assert not info.active
    with pytest.raises(SignInError, match="Wrong username or password"):
        service.sign_in("clerk1", CLERK_PW)
    with pytest.raises(LastAdminError):  # the store's own guard, whatever calls it
        accounts.deactivate(store, "admin")


def test_operator_list_needs_a_supervisor(
    service: OperatorService, staff: dict[str, Actor]
) -> None:
    with pytest.raises(PermissionDeniedError):
        service.operators(staff["clerk"])
    names = [o.username for o in service.operators(staff["sup"])]
    assert names == ["admin", "clerk1", "sup1"]


# -- sign-in, failures, lockout --------------------------------------------------------------


def test_sign_in_and_out_are_journaled(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    service.sign_out(staff["clerk"])
    signed_in = _records(journal, RecordKind.SIGN_IN)
    assert [r["_operator"] for r in signed_in] == ["admin", "sup1", "clerk1"]
    assert signed_in[2]["role"] == "clerk"
    assert [r["_operator"] for r in _records(journal, RecordKind.SIGN_OUT)] == ["clerk1"]
    assert journal.verify().ok


def test_wrong_password_is_journaled_without_the_password(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    with pytest.raises(SignInError) as wrong:
        service.sign_in("clerk1", "Guess-number-1")
    failures = _records(journal, RecordKind.SIGN_IN_FAILED)
    assert failures == [
        {
            "username": "clerk1",
            "reason": "wrong_password",
            "context": "sign_in",
            "failed_attempts": 1,
            "_operator": None,
        }
    ]
    everything = " ".join(r.payload for r in journal.records())
    assert "Guess-number-1" not in everything and CLERK_PW not in everything
    assert wrong.value.advice  # tells what to do


def test_unknown_user_is_answered_like_a_wrong_password(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    with pytest.raises(SignInError) as wrong:
        service.sign_in("clerk1", "Not-the-pass-1")
    with pytest.raises(SignInError) as unknown:
        service.sign_in("nobody", "Not-the-pass-1")
    assert type(unknown.value) is type(wrong.value)
    assert (str(unknown.value), unknown.value.advice) == (str(wrong.value), wrong.value.advice)
    assert _records(journal, RecordKind.SIGN_IN_FAILED)[-1] == {
        "username": "nobody",
        "reason": "unknown_user",
        "context": "sign_in",
        "_operator": None,
    }


def test_unknown_user_costs_a_hash_too(
    store: Store, journal: Journal, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an unknown user must not answer faster: both paths derive one Argon2id key with the
    # service's own cost (counted on the real derivation, not timed: the machine may be loaded)
    cost = PasswordHashParams(memory_kib=1024, iterations=2, lanes=1)
    service = OperatorService(store, journal, clock, cost)
    service.create_first_admin("admin", "Admin", ADMIN_PW)
    derivations: list[tuple[int, int, int]] = []
    real = passwords._derive

    def counted(password: str, params: PasswordHashParams, salt: bytes) -> bytes:
        derivations.append((params.memory_kib, params.iterations, params.lanes))
        return real(password, params, salt)

    monkeypatch.setattr(passwords, "_derive", counted)
    for name in ("admin", "nobody"):
        derivations.clear()
        with pytest.raises(SignInError):
            service.sign_in(name, "Not-the-pass-1")
        assert derivations == [(1024, 2, 1)], name


def test_lockout_after_five_failures_and_timed_release(
    service: OperatorService, staff: dict[str, Actor], journal: Journal, clock: FakeClock
) -> None:
    for _ in range(4):
        with pytest.raises(SignInError) as exc:
            service.sign_in("clerk1", "Wrong-pass-000")
        assert not isinstance(exc.value, LockedOutError)
    with pytest.raises(LockedOutError) as locked:
        service.sign_in("clerk1", "Wrong-pass-000")
    assert locked.value.locked_until == clock.now + timedelta(minutes=15)
    assert "Wait until" in locked.value.advice

    clock.advance(minutes=14, seconds=59)
    with pytest.raises(LockedOutError):  # the right password does not help while locked
        service.sign_in("clerk1", CLERK_PW)
    clock.advance(seconds=1)
    assert service.sign_in("clerk1", CLERK_PW).role is Role.CLERK

    reasons = [r["reason"] for r in _records(journal, RecordKind.SIGN_IN_FAILED)]
    assert reasons == ["wrong_password"] * 5 + ["locked"]
    assert _records(journal, RecordKind.SIGN_IN_FAILED)[4]["locked_until_us"]
    assert journal.verify().ok


def test_only_consecutive_failures_count(service: OperatorService, staff: dict[str, Actor]) -> None:
    for _ in range(2):
        for _ in range(4):
            with pytest.raises(SignInError) as exc:
                service.sign_in("clerk1", "Wrong-pass-000")
            assert not isinstance(exc.value, LockedOutError)
        service.sign_in("clerk1", CLERK_PW)  # resets the count


def test_lockout_survives_a_restart(
    tmp_path: Path,
    service: OperatorService,
    staff: dict[str, Actor],
    journal: Journal,
    clock: FakeClock,
) -> None:
    for _ in range(5):
        with pytest.raises(SignInError):
            service.sign_in("sup1", "Wrong-pass-000")
    with Store.open(tmp_path / "counter.sqlite3") as reopened:
        again = OperatorService(reopened, journal, clock, CHEAP)
        with pytest.raises(LockedOutError):
            again.sign_in("sup1", SUP_PW)


def test_after_release_the_count_starts_afresh(
    service: OperatorService, staff: dict[str, Actor], clock: FakeClock
) -> None:
    for _ in range(5):
        with pytest.raises(SignInError):
            service.sign_in("clerk1", "Wrong-pass-000")
    clock.advance(minutes=16)
    for _ in range(4):
        with pytest.raises(SignInError) as exc:
            service.sign_in("clerk1", "Wrong-pass-000")
        assert not isinstance(exc.value, LockedOutError)
    with pytest.raises(LockedOutError):
        service.sign_in("clerk1", "Wrong-pass-000")


def test_damaged_hash_is_told_apart_and_costs_nothing(
    service: OperatorService, staff: dict[str, Actor], store: Store, journal: Journal
) -> None:
    good = accounts.get(store, "clerk1")
    assert good is not None
    parts = good.password_hash.split("$")
    parts[2] = "m=4194304,t=1,p=1"  # 4 GiB, as a damaged or forged row might ask
    with store.session() as s:
        s.execute(
            update(OperatorRow)
            .where(OperatorRow.username == "clerk1")
            .values(password_hash="$".join(parts))
        )
    started = time.perf_counter()
    with pytest.raises(DamagedAccountError, match="changed outside the app"):
        service.sign_in("clerk1", CLERK_PW)
    assert time.perf_counter() - started < 1
    # a hash that is not the journaled one is refused before Argon2id reads its parameters
    assert _records(journal, RecordKind.SIGN_IN_FAILED)[-1]["reason"] == "hash_not_journaled"
    service.change_password(staff["admin"], "Fresh-pass-555", username="clerk1")
    assert service.sign_in("clerk1", "Fresh-pass-555").username == "clerk1"


def test_hash_is_upgraded_at_sign_in_when_the_cost_was_raised(
    store: Store, journal: Journal, clock: FakeClock, staff: dict[str, Actor]
) -> None:
    stronger = PasswordHashParams(memory_kib=512, iterations=2, lanes=1)
    assert parse(accounts.get(store, "clerk1").password_hash).params == CHEAP  # type: ignore[union-attr]
    OperatorService(store, journal, clock, stronger).sign_in("clerk1", CLERK_PW)
    assert parse(accounts.get(store, "clerk1").password_hash).params == stronger  # type: ignore[union-attr]
    OperatorService(store, journal, clock, CHEAP).sign_in("clerk1", CLERK_PW)


# -- passwords -------------------------------------------------------------------------------


def test_change_own_password_needs_the_old_one(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    clerk = staff["clerk"]
    with pytest.raises(RefusedError, match="current password"):
        service.change_password(clerk, "New-clerk-pass-1")
    with pytest.raises(SignInError):
        service.change_password(clerk, "New-clerk-pass-1", old_password="Not-it-at-all")
    with pytest.raises(RefusedError, match="password was refused"):
        service.change_password(clerk, "12345678", old_password=CLERK_PW)
    service.change_password(clerk, "New-clerk-pass-1", old_password=CLERK_PW)
    with pytest.raises(SignInError):
        service.sign_in("clerk1", CLERK_PW)
    assert service.sign_in("clerk1", "New-clerk-pass-1") == clerk
    failed = _records(journal, RecordKind.SIGN_IN_FAILED)
    assert failed[0]["context"] == "password" and failed[0]["_operator"] == "clerk1"
    assert _records(journal, RecordKind.STAFF)[-1]["event"] == "password_set"


def test_only_admins_set_other_passwords_and_that_unlocks(
    service: OperatorService, staff: dict[str, Actor]
) -> None:
    with pytest.raises(PermissionDeniedError):
        service.change_password(staff["sup"], "Taken-over-123", username="clerk1")
    with pytest.raises(PermissionDeniedError):
        service.change_password(staff["clerk"], "Taken-over-123", username="sup1")
    for _ in range(5):
        with pytest.raises(SignInError):
            service.sign_in("clerk1", "Wrong-pass-000")
    service.change_password(staff["admin"], "Reset-by-admin-1", username="clerk1")
    assert service.sign_in("clerk1", "Reset-by-admin-1").username == "clerk1"


# -- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.CLERK, Role.CLERK, True),
        (Role.CLERK, Role.SUPERVISOR, False),
        (Role.CLERK, Role.ADMIN, False),
        (Role.SUPERVISOR, Role.SUPERVISOR, True),
        (Role.SUPERVISOR, Role.ADMIN, False),
        (Role.ADMIN, Role.SUPERVISOR, True),
        (Role.ADMIN, Role.ADMIN, True),
    ],
)
def test_require(role: Role, needed: Role, allowed: bool) -> None:
    actor = Actor("someone", "Someone", role)
    if allowed:
        require(actor, needed, "do it")
    else:
        with pytest.raises(PermissionDeniedError, match="may do it") as exc:
            require(actor, needed, "do it")
        assert isinstance(exc.value, ServiceError) and exc.value.advice


def test_require_refuses_no_actor() -> None:
    with pytest.raises(PermissionDeniedError, match="Nobody is signed in"):
        require(None, Role.CLERK)  # type: ignore[arg-type]


# -- approvals -------------------------------------------------------------------------------


def test_supervisor_approval_is_journaled(
    service: OperatorService, staff: dict[str, Actor], journal: Journal, clock: FakeClock
) -> None:
    approval = service.approve(
        staff["clerk"], "SUP1", SUP_PW, ApprovalPurpose.REFUND, shift_id=7, subject="3100000001"
    )
    assert (approval.approver, approval.role, approval.purpose) == (
        "sup1",
        Role.SUPERVISOR,
        "refund",
    )
    record = journal.record(approval.journal_seq)
    assert record is not None and record.kind == RecordKind.APPROVAL
    assert (record.operator, record.shift_id) == ("clerk1", 7)
    assert record.payload_dict() == {
        "approver": "sup1",
        "approver_role": "supervisor",
        "purpose": "refund",
        "subject": "3100000001",
    }
    check_approval(
        journal, approval, actor=staff["clerk"], purpose=ApprovalPurpose.REFUND, now=clock.now
    )
    admin_approval = service.approve(staff["sup"], "admin", ADMIN_PW, ApprovalPurpose.VOID)
    assert admin_approval.role is Role.ADMIN
    assert journal.verify().ok


def test_self_approval_is_refused(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    with pytest.raises(RefusedError, match="own operation"):
        service.approve(staff["sup"], "sup1", SUP_PW, ApprovalPurpose.VOID)
    failure = _records(journal, RecordKind.SIGN_IN_FAILED)[-1]
    assert (failure["reason"], failure["context"]) == ("self_approval", "approval:void")
    assert not _records(journal, RecordKind.APPROVAL)


def test_clerk_cannot_approve(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    service.create_operator(staff["admin"], "clerk2", "Clerk 2", Role.CLERK, "Green-bus-2222")
    with pytest.raises(PermissionDeniedError, match="supervisor"):
        service.approve(staff["clerk"], "clerk2", "Green-bus-2222", ApprovalPurpose.VOID)
    assert _records(journal, RecordKind.SIGN_IN_FAILED)[-1]["reason"] == "not_a_supervisor"
    assert not _records(journal, RecordKind.APPROVAL)


def test_unknown_approver_is_answered_like_a_wrong_password(
    service: OperatorService, staff: dict[str, Actor]
) -> None:
    with pytest.raises(SignInError, match="Wrong username or password"):
        service.approve(staff["clerk"], "boss", "Whatever-123", ApprovalPurpose.VOID)
    with pytest.raises(SignInError, match="Wrong username or password"):
        service.approve(staff["clerk"], "sup1", "Whatever-123", ApprovalPurpose.VOID)


def test_failed_approvals_lock_the_approver(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    for _ in range(4):
        with pytest.raises(SignInError):
            service.approve(staff["clerk"], "sup1", "Guessing-1234", ApprovalPurpose.REFUND)
    with pytest.raises(LockedOutError):
        service.approve(staff["clerk"], "sup1", "Guessing-1234", ApprovalPurpose.REFUND)
    with pytest.raises(LockedOutError):
        service.sign_in("sup1", SUP_PW)
    failures = _records(journal, RecordKind.SIGN_IN_FAILED)
    assert all(f["username"] == "sup1" for f in failures)
    assert [f["_operator"] for f in failures] == ["clerk1"] * 5 + [None]
    assert not _records(journal, RecordKind.APPROVAL)


def test_forged_stale_or_misused_approvals_are_refused(
    service: OperatorService, staff: dict[str, Actor], journal: Journal, clock: FakeClock
) -> None:
    clerk, sup = staff["clerk"], staff["sup"]
    real = service.approve(clerk, "sup1", SUP_PW, ApprovalPurpose.REFUND)
    ok = {"actor": clerk, "purpose": ApprovalPurpose.REFUND, "now": clock.now}
    sign_in_seq = journal.records()[-2].seq
    forged = [
        Approval("sup1", Role.SUPERVISOR, "refund", sign_in_seq),  # not an approval record
        Approval("admin", Role.ADMIN, "refund", real.journal_seq),  # another approver
        Approval("sup1", Role.SUPERVISOR, "refund", 10_000),  # no such record
    ]
    for fake in forged:
        with pytest.raises(RefusedError, match="does not match"):
            check_approval(journal, fake, **ok)  # type: ignore[arg-type]
    with pytest.raises(RefusedError, match="does not match"):
        check_approval(journal, real, actor=sup, purpose="refund", now=clock.now)
    with pytest.raises(RefusedError, match="not for"):
        check_approval(journal, real, actor=clerk, purpose="void", now=clock.now)
    with pytest.raises(RefusedError, match="of their own"):
        check_approval(journal, real, not_by=["sup1"], **ok)  # type: ignore[arg-type]
    with pytest.raises(RefusedError, match="older than 10 minutes"):
        check_approval(journal, real, **{**ok, "now": clock.now + timedelta(minutes=11)})  # type: ignore[arg-type]
    check_approval(journal, real, **ok)  # type: ignore[arg-type]


def test_the_journal_verifies_after_it_all(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    with pytest.raises(SignInError):
        service.sign_in("nobody", "Whatever-123")
    service.approve(staff["clerk"], "sup1", SUP_PW, ApprovalPurpose.REFUND)
    service.sign_out(staff["clerk"])
    kinds = {r.kind for r in journal.records()}
    expected = {
        RecordKind.SIGN_IN,
        RecordKind.SIGN_IN_FAILED,
        RecordKind.SIGN_OUT,
        RecordKind.APPROVAL,
    }
    assert expected <= kinds
    report = journal.verify()
    assert report.ok, report.problems
