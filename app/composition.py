"""Building a counter from its data directory: keystore, journal, store, SAM and services.

The composition root shared by the command line (``citycard-counter cli``) and, next, the
window: nothing else creates these objects. ``init_counter`` is the first run of a device.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from app.card.sam import SoftwareSam
from app.crypto.keystore import KdfParams, Keystore, KeystoreError
from app.journal import Journal, JournalKeys
from app.services.loss import LossService
from app.services.operators import OperatorService
from app.services.receipts import ReprintService
from app.services.recovery import RecoveryService
from app.services.refund import RefundService
from app.services.replacement import NoCenter, ReplacementService
from app.services.shifts import ShiftService
from app.services.topup import TopUpService
from app.store import parameters as stored_parameters
from app.store.database import Store

HOLDER_INDEX_KEY = "holders/index"
CARD_TIMEZONE = timezone(timedelta(hours=8), "CST")  # cards carry China Standard Time


def now_utc() -> datetime:
    """The wall clock, in UTC (the journal's time)."""
    return datetime.now(UTC)


@dataclass
class Counter:
    """One counter's files and services, ready to use. Close it when done."""

    journal: Journal
    store: Store
    sam: SoftwareSam
    operators: OperatorService
    shifts: ShiftService
    topups: TopUpService
    recovery: RecoveryService
    loss: LossService
    refunds: RefundService
    replacements: ReplacementService
    reprints: ReprintService

    def close(self) -> None:
        """Release the journal and store files."""
        self.journal.close()
        self.store.close()


def _paths(data_dir: Path) -> tuple[Path, Path, Path]:
    return data_dir / "keystore.json", data_dir / "journal.sqlite3", data_dir / "counter.sqlite3"


def init_counter(
    data_dir: Path,
    passphrase: str,
    device_id: str,
    terminal_id: str,
    issuer_keys: dict[str, bytes],
    kdf: KdfParams | None = None,
) -> None:
    """First run of a device: new keys, a journal with its genesis, an empty store.

    The keystore gets new journal, device and holder-index keys, plus the issuer's master keys
    for the software SAM. Refuses a directory that already holds any of these files.
    """
    keystore_path, journal_path, store_path = _paths(data_dir)
    existing = [p for p in (keystore_path, journal_path, store_path) if p.exists()]
    if existing:
        raise KeystoreError(f"{existing[0]} already exists: this counter is already set up.")
    keys = JournalKeys.generate()
    entries = dict(issuer_keys)
    entries[HOLDER_INDEX_KEY] = secrets.token_bytes(32)
    keystore = Keystore.create(keystore_path, passphrase, entries, kdf)
    keys.store_into(keystore)
    keystore.save(passphrase)
    Journal.create(journal_path, keys, device_id, terminal_id).close()
    Store.create(store_path).close()


def open_counter(data_dir: Path, passphrase: str) -> Counter:
    """Open a set-up counter: verify the journal since its last checkpoint, build the services."""
    keystore_path, journal_path, store_path = _paths(data_dir)
    keystore = Keystore.open(keystore_path, passphrase)
    keys = JournalKeys.from_keystore(keystore)
    sam = SoftwareSam.from_keystore(keystore)
    journal = Journal.open(journal_path, keys, clock=now_utc)
    try:
        store = Store.open(store_path)
    except BaseException:
        journal.close()
        raise
    terminal = bytes.fromhex(journal.terminal_id)
    parameters = stored_parameters.current(store)
    topups = TopUpService(journal, store, sam, terminal, now_utc, CARD_TIMEZONE)
    counter = Counter(
        journal=journal,
        store=store,
        sam=sam,
        operators=OperatorService(store, journal, now_utc),
        shifts=ShiftService(store, journal, parameters, now_utc),
        topups=topups,
        recovery=RecoveryService(journal, sam),
        loss=LossService(journal, store, sam, keystore.get(HOLDER_INDEX_KEY), now_utc),
        refunds=RefundService(journal, store, sam, now_utc),
        replacements=ReplacementService(journal, store, topups, NoCenter(), now_utc),
        reprints=ReprintService(journal, now_utc),
    )
    if journal.problem is None:
        # the journal is written first: after a crash the store catches up with it
        counter.shifts.reconcile()
        counter.loss.reconcile()
    return counter
