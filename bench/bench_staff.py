"""The staff roster's cost at sign-in: MAC-checked staff records against the unchecked read.

``python -m bench staff`` builds a journal of 40 000 records holding 101 staff records (an admin,
50 clerks each promoted once), then times, in the same run and alternating, the roster the
sign-in reads (every staff record's MAC checked, then folded) and the plain indexed read of the
same records, and prints the medians and their ratio. A production sign-in spends ~0.3 s in
Argon2id; the roster is measured here to show it stays small beside that.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from app.crypto.passwords import PasswordHashParams
from app.domain.people import Role
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.services.operators import OperatorService
from app.services.staff_roster import roster
from app.store.database import Store

CHEAP = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)
CLERKS = 50
OTHER_RECORDS = 40_000
ROUNDS = 40
PASSWORD = "Blue-tram-9876"


def _fill(journal: Journal, store: Store) -> None:
    operators = OperatorService(store, journal, password_params=CHEAP)
    operators.create_first_admin("admin", "Admin", "Root-pass-2468")
    admin = operators.sign_in("admin", "Root-pass-2468")
    for i in range(CLERKS):
        operators.create_operator(admin, f"clerk{i:02d}", f"Clerk {i}", Role.CLERK, PASSWORD)
        operators.change_role(admin, f"clerk{i:02d}", Role.SUPERVISOR)
    for start in range(0, OTHER_RECORDS, 1_000):
        journal.append_many(
            [Entry(RecordKind.NOTE, payload={"n": start + i}) for i in range(1_000)]
        )


def _time(call: object) -> float:
    assert callable(call)
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def run() -> None:
    """Print the roster's median, the unchecked read's, and the ratio."""
    with tempfile.TemporaryDirectory(prefix="bench-staff-") as tmp:
        base = Path(tmp)
        keys = JournalKeys.generate()
        with Journal.create(base / "j.sqlite3", keys, "bench-s", "001122334455") as journal:
            with Store.create(base / "counter.sqlite3") as store:
                _fill(journal, store)
            staff = len(journal.records_of_kinds(RecordKind.STAFF))
            checked: list[float] = []
            plain: list[float] = []
            for n in range(ROUNDS):
                pair = [
                    (checked, lambda: roster(journal)),
                    (plain, lambda: journal.records_of_kinds(RecordKind.STAFF)),
                ]
                for times, call in pair if n % 2 else reversed(pair):
                    times.append(_time(call))
            a, b = statistics.median(checked), statistics.median(plain)
            print(f"journal: {journal.head()[0]} records, {staff} staff records")
            print(f"roster (MACs checked, folded): {a * 1000:.2f} ms median")
            print(f"staff records read unchecked:  {b * 1000:.2f} ms median")
            print(f"ratio checked/unchecked: {a / b:.2f}")
