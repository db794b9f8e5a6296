"""A counter for service tests: a real journal and store in tmp_path, the services over them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from app.card.sam import Sam
from app.crypto.passwords import PasswordHashParams
from app.domain.people import Actor, Role
from app.journal import Journal, JournalKeys, Outcome, RecordKind
from app.services.exchange import ExchangeService
from app.services.operators import OperatorService
from app.services.purchase import PurchaseService
from app.services.recovery import RecoveryService
from app.services.topup import TopUpService
from app.services.void import VoidService
from app.store.database import Store

CHINA = timezone(timedelta(hours=8))
TERMINAL_ID = bytes.fromhex("001122334455")  # the test rigs' PSAM (file 0x16)
CLERK = Actor("clerk1", "王芳", Role.CLERK)
SHIFT = 1
CHEAP_HASH = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)
SUPERVISOR_PASSWORD = "Sup3r-pass-word"


class Clock:
    """A clock the test moves; each reading advances one second."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Counter:
    """One counter's journal, store and services."""

    journal: Journal
    store: Store
    topups: TopUpService
    recovery: RecoveryService
    keys: JournalKeys
    clock: Clock
    directory: Path

    def loaded_fen(self, serial: str) -> int:
        """Sum of the journal's completed loads onto ``serial``."""
        return sum(
            r.amount_fen or 0
            for r in self.journal.records()
            if r.kind == RecordKind.LOAD_OUTCOME
            and r.card_serial == serial
            and r.payload_dict().get("outcome") == Outcome.DONE
        )

    def reopen(self, sam: Sam) -> Counter:
        """The counter after a restart: everything rebuilt from the files."""
        self.journal.close()
        self.store.close()
        return build_counter(self.directory, sam, self.keys, self.clock)

    def close(self) -> None:
        self.journal.close()
        self.store.close()


def build_counter(
    directory: Path, sam: Sam, keys: JournalKeys | None = None, clock: Clock | None = None
) -> Counter:
    clock = clock or Clock()
    path = directory / "journal.sqlite3"
    if keys is None:
        keys = JournalKeys.generate()
        journal = Journal.create(path, keys, "DEV-T", TERMINAL_ID.hex().upper(), clock=clock)
    else:
        journal = Journal.open(path, keys, clock=clock)
    store = Store.open_or_create(directory / "counter.sqlite3")
    topups = TopUpService(journal, store, sam, clock, CHINA)
    return Counter(journal, store, topups, RecoveryService(journal, sam), keys, clock, directory)


def staff(counter: Counter) -> tuple[OperatorService, Actor]:
    """An operator service with an admin, clerk ``clerk1`` and supervisor ``sup1``; the clerk."""
    operators = OperatorService(counter.store, counter.journal, counter.clock, CHEAP_HASH)
    operators.create_first_admin("admin", "管理员", "Adm1n-pass-word")
    admin = operators.sign_in("admin", "Adm1n-pass-word")
    operators.create_operator(admin, "clerk1", "王芳", Role.CLERK, "Cl3rk-pass-word")
    operators.create_operator(admin, "sup1", "李强", Role.SUPERVISOR, SUPERVISOR_PASSWORD)
    return operators, operators.sign_in("clerk1", "Cl3rk-pass-word")


def purchase_service(counter: Counter, sam: Sam) -> PurchaseService:
    """A purchase service over ``counter``'s journal and store (rebuild it after a reopen)."""
    return PurchaseService(counter.journal, counter.store, sam, counter.clock, CHINA)


def exchange_service(counter: Counter, sam: Sam) -> ExchangeService:
    """An exchange service over ``counter`` (rebuild it after a reopen)."""
    return ExchangeService(
        counter.journal,
        counter.store,
        sam,
        purchase_service(counter, sam),
        counter.topups,
        counter.recovery,
        counter.clock,
    )


def void_service(counter: Counter, sam: Sam) -> VoidService:
    """A void service over ``counter`` (rebuild it after a reopen)."""
    return VoidService(
        counter.journal,
        counter.store,
        purchase_service(counter, sam),
        counter.recovery,
        counter.clock,
    )
