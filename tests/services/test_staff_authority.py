"""Staff authority: roles, locks and password hashes come from MAC'd journal records.

Attacks as a clerk's OS account would make them: the store (``counter.sqlite3``) and the
journal file edited with the plain ``sqlite3`` module, outside the app.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.crypto import passwords
from app.crypto.passwords import PasswordHashParams
from app.domain.people import Actor, Role
from app.journal import Journal, JournalError, JournalKeys, RecordKind
from app.services.errors import PermissionDeniedError, RefusedError
from app.services.operators import (
    DamagedAccountError,
    LockedByAdminError,
    LockedOutError,
    OperatorService,
    SignInError,
    require,
)
from app.store import operators as accounts
from app.store.database import Store

CHEAP = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)
ADMIN_PW = "Root-pass-2468"
SUP_PW = "Lantern-42-sup"
CLERK_PW = "Blue-tram-9876"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "counter.sqlite3"


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    with Store.create(store_path) as s:
        yield s


@pytest.fixture
def journal(journal_path: Path) -> Iterator[Journal]:
    with Journal.create(journal_path, JournalKeys.generate(), "DEV-1", "0102030405AB") as j:
        yield j


@pytest.fixture
def service(store: Store, journal: Journal) -> OperatorService:
    return OperatorService(store, journal, password_params=CHEAP)


@pytest.fixture
def staff(service: OperatorService) -> dict[str, Actor]:
    service.create_first_admin("admin", "管理员", ADMIN_PW)
    admin = service.sign_in("admin", ADMIN_PW)
    service.create_operator(admin, "sup1", "李主管", Role.SUPERVISOR, SUP_PW)
    service.create_operator(admin, "clerk1", "王芳", Role.CLERK, CLERK_PW)
    return {"admin": admin, "sup": service.sign_in("sup1", SUP_PW)}


def _sql(path: Path, statement: str, *params: object) -> None:
    """Edit a database file as an attacker would: the sqlite3 module, no app code."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(statement, params)
        conn.commit()
    finally:
        conn.close()


def _notes(journal: Journal, event: str) -> list[dict[str, object]]:
    return [
        r.payload_dict()
        for r in journal.records_of_kinds(RecordKind.NOTE)
        if r.payload_dict().get("event") == event
    ]


def test_a_role_raised_in_the_store_has_no_effect_and_is_repaired(
    service: OperatorService, staff: dict[str, Actor], store_path: Path, journal: Journal
) -> None:
    _sql(store_path, "UPDATE operator SET role = 'admin' WHERE username = 'clerk1'")
    clerk = service.sign_in("clerk1", CLERK_PW)
    assert clerk.role is Role.CLERK  # the journal's role, not the row's
    with pytest.raises(PermissionDeniedError):
        require(clerk, Role.SUPERVISOR, "approve")
    with pytest.raises(PermissionDeniedError):
        service.create_operator(clerk, "evil", "Evil", Role.ADMIN, "Evil-pass-13579")
    with pytest.raises(PermissionDeniedError):
        service.operators(clerk)
    # detected, reported in the journal, and the cache put back
    [repair] = _notes(journal, "staff_cache_repaired")
    assert (repair["username"], repair["store_role"], repair["journal_role"]) == (
        "clerk1",
        "admin",
        "clerk",
    )
    conn = sqlite3.connect(store_path)
    try:
        assert conn.execute("SELECT role FROM operator WHERE username='clerk1'").fetchone() == (
            "clerk",
        )
    finally:
        conn.close()


def test_a_forged_admin_actor_matching_the_edited_row_is_refused(
    service: OperatorService, staff: dict[str, Actor], store_path: Path
) -> None:
    _sql(store_path, "UPDATE operator SET role = 'admin' WHERE username = 'clerk1'")
    forged = Actor("clerk1", "王芳", Role.ADMIN)  # what the row now claims
    with pytest.raises(PermissionDeniedError, match="changed or deactivated"):
        service.create_operator(forged, "evil", "Evil", Role.ADMIN, "Evil-pass-13579")


def test_a_row_reactivated_in_the_store_cannot_sign_in(
    service: OperatorService, staff: dict[str, Actor], store_path: Path
) -> None:
    service.deactivate(staff["admin"], "clerk1")
    _sql(store_path, "UPDATE operator SET active = 1 WHERE username = 'clerk1'")
    with pytest.raises(SignInError, match="Wrong username or password"):
        service.sign_in("clerk1", CLERK_PW)


def test_a_row_inserted_into_the_store_cannot_sign_in(
    service: OperatorService, staff: dict[str, Actor], store_path: Path
) -> None:
    encoded = passwords.hash_password("Evil-pass-13579", CHEAP)
    _sql(
        store_path,
        "INSERT INTO operator (username, display_name, role, password_hash, failed_attempts, "
        "locked_until_us, active, created_at_us) VALUES ('evil', 'Evil', 'admin', ?, 0, 0, 1, 0)",
        encoded,
    )
    with pytest.raises(SignInError, match="Wrong username or password"):
        service.sign_in("evil", "Evil-pass-13579")


def test_a_password_hash_swapped_in_the_store_does_not_sign_in(
    service: OperatorService, staff: dict[str, Actor], store_path: Path, journal: Journal
) -> None:
    mine = passwords.hash_password("Attacker-pass-97531", CHEAP)
    _sql(store_path, "UPDATE operator SET password_hash = ? WHERE username = 'admin'", mine)
    with pytest.raises(DamagedAccountError, match="changed outside the app"):
        service.sign_in("admin", "Attacker-pass-97531")
    failed = journal.records_of_kinds(RecordKind.SIGN_IN_FAILED)[-1].payload_dict()
    assert failed["reason"] == "hash_not_journaled"
    # and the approval path (a supervisor's password typed at a clerk's window) says the same
    _sql(store_path, "UPDATE operator SET password_hash = ? WHERE username = 'sup1'", mine)
    clerk = service.sign_in("clerk1", CLERK_PW)
    with pytest.raises(DamagedAccountError):
        service.approve(clerk, "sup1", "Attacker-pass-97531", "refund")
    # an admin's reset binds a new hash: the account works again
    service.change_password(staff["admin"], "Fresh-sup-8642", username="sup1")
    assert service.sign_in("sup1", "Fresh-sup-8642").role is Role.SUPERVISOR


def test_a_staff_record_edited_in_the_journal_file_is_refused(
    service: OperatorService, staff: dict[str, Actor], journal_path: Path
) -> None:
    _sql(
        journal_path,
        "UPDATE journal_record SET payload = replace(payload, '\"clerk\"', '\"admin\"') "
        "WHERE kind = 'staff' AND payload LIKE '%clerk1%'",
    )
    with pytest.raises(JournalError, match="altered"):
        service.sign_in("clerk1", CLERK_PW)


def test_emptying_the_operator_table_does_not_reopen_the_first_admin(
    service: OperatorService, staff: dict[str, Actor], store_path: Path
) -> None:
    _sql(store_path, "DELETE FROM operator")
    assert not service.needs_first_admin()
    assert service.missing_accounts() == 3
    with pytest.raises(RefusedError, match="already has operators"):
        service.create_first_admin("evil", "Evil", "Evil-pass-13579")
    with pytest.raises(SignInError):
        service.sign_in("admin", ADMIN_PW)


def test_role_change_lock_and_unlock_are_journaled_and_enforced(
    service: OperatorService, staff: dict[str, Actor], journal: Journal
) -> None:
    admin = staff["admin"]
    with pytest.raises(PermissionDeniedError):
        service.change_role(staff["sup"], "clerk1", Role.ADMIN)
    info = service.change_role(admin, "clerk1", Role.SUPERVISOR)
    assert info.role is Role.SUPERVISOR
    assert service.sign_in("clerk1", CLERK_PW).role is Role.SUPERVISOR
    # the supervisor's window still open with the old role: refused until signed in again
    service.change_role(admin, "sup1", Role.CLERK)
    with pytest.raises(PermissionDeniedError, match="changed or deactivated"):
        service.change_password(staff["sup"], "Another-sup-1357", old_password=SUP_PW)
    locked = service.lock(admin, "clerk1")
    assert locked.locked_by_admin
    with pytest.raises(LockedByAdminError, match="locked"):
        service.sign_in("clerk1", CLERK_PW)
    assert not service.unlock(admin, "clerk1").locked_by_admin
    assert service.sign_in("clerk1", CLERK_PW).username == "clerk1"
    events = [r.payload_dict()["event"] for r in journal.records_of_kinds(RecordKind.STAFF)]
    assert events == [
        "created",
        "created",
        "created",
        "role_changed",
        "role_changed",
        "locked",
        "unlocked",
    ]


def test_admins_cannot_demote_or_lock_themselves_and_a_locked_admin_is_out(
    service: OperatorService, staff: dict[str, Actor]
) -> None:
    admin = staff["admin"]
    with pytest.raises(RefusedError, match="your own role"):
        service.change_role(admin, "admin", Role.CLERK)
    with pytest.raises(RefusedError, match="lock your own account"):
        service.lock(admin, "admin")
    service.change_role(admin, "sup1", Role.ADMIN)
    other = service.sign_in("sup1", SUP_PW)
    service.lock(other, "admin")
    with pytest.raises(PermissionDeniedError, match="changed or deactivated"):
        service.unlock(admin, "admin")  # the locked admin's open window can do nothing
    with pytest.raises(LockedByAdminError):
        service.sign_in("admin", ADMIN_PW)


def test_unlock_ends_a_timed_lockout(service: OperatorService, staff: dict[str, Actor]) -> None:
    for _ in range(5):
        with pytest.raises(SignInError):
            service.sign_in("clerk1", "Wrong-guess-000")
    with pytest.raises(LockedOutError) as refused:
        service.sign_in("clerk1", CLERK_PW)
    assert "Tools ▸ Staff" in str(refused.value.advice)  # the lockout sends clerks to the screen
    service.unlock(staff["admin"], "clerk1")
    assert service.sign_in("clerk1", CLERK_PW).username == "clerk1"


def test_store_keeps_the_cache_in_step(
    service: OperatorService, staff: dict[str, Actor], store: Store
) -> None:
    service.change_role(staff["admin"], "clerk1", Role.SUPERVISOR)
    account = accounts.get(store, "clerk1")
    assert account is not None and account.role is Role.SUPERVISOR


def _legacy_counter(store: Store, journal: Journal) -> None:
    """A counter as made before staff records: store rows, ``note`` records in the journal."""
    from app.journal import Entry  # noqa: PLC0415

    for name, shown, role, password in (
        ("admin", "管理员", Role.ADMIN, ADMIN_PW),
        ("clerk1", "王芳", Role.CLERK, CLERK_PW),
        ("gone", "Gone", Role.CLERK, SUP_PW),
    ):
        accounts.add(
            store,
            accounts.OperatorAccount(
                name, shown, role, passwords.hash_password(password, CHEAP), 0, 0, True, 0
            ),
        )
        journal.append(
            Entry(
                RecordKind.NOTE,
                operator="admin",
                payload={"event": "operator_created", "username": name, "display_name": shown,
                         "role": role.value, "first_run": name == "admin"},
            )
        )  # fmt: skip
    journal.append(
        Entry(RecordKind.NOTE, payload={"event": "operator_deactivated", "username": "gone"})
    )


def test_a_legacy_counter_is_adopted_once_with_the_roles_its_journal_noted(
    service: OperatorService, store: Store, journal: Journal, store_path: Path
) -> None:
    _legacy_counter(store, journal)
    _sql(store_path, "UPDATE operator SET role = 'admin' WHERE username = 'clerk1'")  # before
    assert service.needs_first_admin()  # no staff record yet: what adoption is for
    assert service.adopt_legacy_accounts() == 3
    assert service.adopt_legacy_accounts() == 0  # once
    assert not service.needs_first_admin()
    assert service.sign_in("clerk1", CLERK_PW).role is Role.CLERK  # the note's role, not the row's
    assert service.sign_in("admin", ADMIN_PW).role is Role.ADMIN
    with pytest.raises(SignInError):
        service.sign_in("gone", SUP_PW)  # deactivated in the notes stays deactivated


def test_a_password_an_admin_set_must_be_changed_by_its_owner(
    service: OperatorService, staff: dict[str, Actor]
) -> None:
    service.change_password(staff["admin"], "Given-pass-1357", username="clerk1")
    clerk = service.sign_in("clerk1", "Given-pass-1357")
    assert service.must_change_password(clerk)
    service.change_password(clerk, "Own-choice-8642", old_password="Given-pass-1357")
    assert not service.must_change_password(service.sign_in("clerk1", "Own-choice-8642"))
    assert not service.must_change_password(staff["admin"])


def test_start_up_repairs_every_edited_row_and_shuts_out_an_inserted_one(
    service: OperatorService, staff: dict[str, Actor], store_path: Path, journal: Journal
) -> None:
    _sql(store_path, "UPDATE operator SET role = 'admin' WHERE username = 'clerk1'")
    _sql(
        store_path,
        "INSERT INTO operator (username, display_name, role, password_hash, failed_attempts, "
        "locked_until_us, active, created_at_us) VALUES ('evil', 'Evil', 'admin', 'x', 0, 0, 1, 0)",
    )
    assert service.repair_store() == 2
    assert service.repair_store() == 0  # reported once
    assert [n["username"] for n in _notes(journal, "staff_cache_repaired")] == ["clerk1"]
    assert [n["username"] for n in _notes(journal, "staff_cache_unknown_row")] == ["evil"]
    conn = sqlite3.connect(store_path)
    try:
        rows = dict(conn.execute("SELECT username, role || '/' || active FROM operator").fetchall())
    finally:
        conn.close()
    assert rows["clerk1"] == "clerk/1" and rows["evil"] == "clerk/0"
