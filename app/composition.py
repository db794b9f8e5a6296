"""Building a counter from its data directory: keystore, journal, store, SAM and services.

The composition root shared by the command line (``citycard-counter cli``) and, next, the
window: nothing else creates these objects. The counter's keystore holds only the device's own
keys (SM2 device key, journal MAC key, holder-index key); every issuer key sits in the SAM in
the reader's SAM slot (:func:`connect_sam`, a second PC/SC connection) or at the center.

``init_counter`` is the first run of a device: with
a clearing center URL and a one-time enrolment code it enrols the device and keeps the journal
key the center issued (``center.json`` says where the center is); without, the counter works
offline alone. ``open_counter`` builds the center's client (online MAC2, settled balances) and a
:class:`~app.sync.SyncLoop` that :meth:`Counter.start_sync` starts.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from app.card.errors import CardError
from app.card.psam import ApduSam
from app.card.sam import AbsentSam, Sam
from app.crypto.keystore import KdfParams, Keystore, KeystoreError
from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Entry, Journal, JournalError, JournalKeys, RecordKind
from app.journal.clock_check import ClockCheck
from app.journal.mirror import JournalMirror, mirror_path
from app.services.exchange import ExchangeService
from app.services.loss import LossService
from app.services.operators import OperatorService
from app.services.purchase import PurchaseService
from app.services.receipts import ReprintService
from app.services.recovery import RecoveryService
from app.services.refund import RefundService
from app.services.replacement import (
    CenterSettledBalances,
    NoCenter,
    ReplacementService,
    SettledBalances,
)
from app.services.scenic import ScenicService
from app.services.shifts import ShiftService
from app.services.storage import StorageStatus, storage_status
from app.services.topup import TopUpService
from app.services.void import VoidService
from app.settings import FILE_NAME as SETTINGS_FILE
from app.settings import Settings, load_settings
from app.store import parameters as stored_parameters
from app.store.database import Store
from app.sync.config import CENTER_CONFIG_NAME, CenterConfig, CenterConfigError

log = logging.getLogger(__name__)
if TYPE_CHECKING:  # the sync's modules only with a center (issue 20: cold start)
    from app.sync.client import CenterClient
    from app.sync.loop import LoopSettings, SyncLoop
    from app.sync.models import Enrolment
    from app.sync.settings import ClientSettings
    from app.sync.status import SyncStatus

HOLDER_INDEX_KEY = "holders/index"
SAM_READER_ENV = "CITYCARD_SAM_READER"
DEFAULT_SAM_READER = "Virtual PCD 00 01"  # the reader's SAM slot as vpcd presents it
ISSUER_KEY_PREFIX = "mk/"  # issuer master keys: older counters held them; none may stay
CENTER_KEY = "center/sm2-public"  # the center's key, pinned at enrolment: it signs the lists


class SamMismatchError(CardError):
    """The SAM in the reader belongs to another terminal than this counter."""

    advice = "Put this counter's own SAM in the reader's SAM slot; call the supervisor."


def connect_sam(reader: str | None = None) -> ApduSam:
    """The SAM in the reader's SAM slot, over its own PC/SC connection.

    ``reader`` defaults to ``$CITYCARD_SAM_READER``, else "Virtual PCD 00 01". A hardware
    PSAM answers the same APDUs as the virtual one.
    """
    from app.card.pcsc import PcscTransport  # noqa: PLC0415 - pyscard only when a SAM is used

    name = reader or os.environ.get(SAM_READER_ENV) or DEFAULT_SAM_READER
    return ApduSam.open(PcscTransport(name))


CARD_TIMEZONE = timezone(timedelta(hours=8), "CST")  # cards carry China Standard Time


def now_utc() -> datetime:
    """The wall clock, in UTC (the journal's time)."""
    return datetime.now(UTC)


@dataclass
class Counter:
    """One counter's files and services, ready to use. Close it when done."""

    journal: Journal
    store: Store
    sam: Sam
    operators: OperatorService
    shifts: ShiftService
    topups: TopUpService
    recovery: RecoveryService
    loss: LossService
    refunds: RefundService
    replacements: ReplacementService
    reprints: ReprintService
    purchases: PurchaseService
    exchanges: ExchangeService
    voids: VoidService
    scenic: ScenicService
    center: CenterClient | None = None  # None: an offline counter (no clearing center set up)
    sync: SyncLoop | None = None  # built by open_counter, started by start_sync()
    data_dir: Path | None = None
    disk_warning_mb: int = Settings.disk_warning_mb

    def storage_status(self) -> StorageStatus:
        """Free space on the data disk and the journal mirror's state (for the status bar)."""
        directory = self.data_dir if self.data_dir is not None else self.journal.path.parent
        return storage_status(directory, self.journal, self.disk_warning_mb)

    def start_sync(self) -> bool:
        """Start the background sync with the center; False when this counter has none."""
        if self.sync is None:
            return False
        if not self.sync.running:
            self.sync.start()
        return True

    def sync_now(self) -> None:
        """Ask the sync for a cycle at once (after journaling a transaction); never blocks."""
        if self.sync is not None:
            self.sync.sync_now()

    def sync_status(self) -> SyncStatus | None:
        """The sync's last status for the status bar (no I/O); None without a center."""
        return None if self.sync is None else self.sync.status()

    def stop_sync(self, timeout: float = 5.0) -> bool:
        """Stop the background sync; whether it ended within ``timeout``."""
        return True if self.sync is None else self.sync.stop(timeout)

    def close(self) -> None:
        """Stop the sync, close the center's connections, release the journal and store files."""
        try:
            self.stop_sync()
            if self.center is not None:
                self.center.close()
        finally:
            self.journal.close()
            self.store.close()


def _paths(data_dir: Path) -> tuple[Path, Path, Path]:
    return data_dir / "keystore.json", data_dir / "journal.sqlite3", data_dir / "counter.sqlite3"


def _enrol(
    config: CenterConfig,
    code: str,
    device_id: str,
    terminal_id: str,
    client_settings: ClientSettings | None,
) -> tuple[JournalKeys, Enrolment]:
    """Enrol with the center: a new device key, and the journal key the center issued."""
    from app.sync.client import CenterClient  # noqa: PLC0415 - requests only with a center

    device_key = Sm2PrivateKey.generate()
    with CenterClient(client_settings or config.client_settings()) as client:
        enrolment = client.enrol(code, device_id, terminal_id, device_key)
    issued = enrolment.journal_key
    return JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key), enrolment


def init_counter(
    data_dir: Path,
    passphrase: str,
    device_id: str,
    terminal_id: str,
    kdf: KdfParams | None = None,
    *,
    center_url: str | None = None,
    enrolment_code: str | None = None,
    ca_file: Path | None = None,
    client_settings: ClientSettings | None = None,
) -> Enrolment | None:
    """First run of a device: keys, a journal with its genesis, an empty store.

    With ``center_url`` and its one-time ``enrolment_code`` the device enrols first (nothing is
    written if that fails): its new SM2 key is registered and the journal MAC key is the one the
    center issued, wrapped to that key; ``center.json`` keeps the address (and ``ca_file``).
    Without, the journal key is made here and the counter works offline. The keystore also gets
    a holder-index key — and no issuer key: those are in the SAM, whose file 0x16 is the
    ``terminal_id`` to pass (:func:`connect_sam`). Refuses a directory that already holds any
    of these files. Returns the enrolment (None offline).
    """
    keystore_path, journal_path, store_path = _paths(data_dir)
    config_path = data_dir / CENTER_CONFIG_NAME
    existing = [p for p in (keystore_path, journal_path, store_path, config_path) if p.exists()]
    if existing:
        raise KeystoreError(
            "{path} already exists: this counter is already set up.", path=str(existing[0])
        )
    if (center_url is None) != (enrolment_code is None):
        raise ValueError("a clearing center needs both its URL and a one-time enrolment code")
    config: CenterConfig | None = None
    enrolment: Enrolment | None = None
    if center_url is not None and enrolment_code is not None:
        config = CenterConfig(center_url, None if ca_file is None else ca_file.resolve())
        keys, enrolment = _enrol(config, enrolment_code, device_id, terminal_id, client_settings)
    else:
        keys = JournalKeys.generate()
    entries = {HOLDER_INDEX_KEY: secrets.token_bytes(32)}
    keystore = Keystore.create(keystore_path, passphrase, entries, kdf)
    keys.store_into(keystore)
    if enrolment is not None:
        keystore.put(CENTER_KEY, enrolment.center_public_key)
    keystore.save(passphrase)
    Journal.create(journal_path, keys, device_id, terminal_id).close()
    Store.create(store_path).close()
    if config is not None:
        config.save(config_path)
    return enrolment


def open_counter(
    data_dir: Path,
    passphrase: str,
    *,
    sam: Sam | None = None,
    sam_reader: str | None = None,
    client_settings: ClientSettings | None = None,
    loop_settings: LoopSettings | None = None,
    on_sync_status: Callable[[SyncStatus], None] | None = None,
    keystore: Keystore | None = None,
) -> Counter:
    """Open a set-up counter: verify the journal since its last checkpoint, build the services.

    ``keystore`` is this directory's keystore already opened with ``passphrase`` (the start
    unlocks it on a thread while importing: :mod:`app.crypto.unlock_ahead`); else it is opened
    here.

    When the device is enrolled with a clearing center (``center.json``), the center's client
    gives the top-ups their online MAC2 and the replacements their settled balances, and a
    :class:`SyncLoop` is ready (not started: :meth:`Counter.start_sync`); ``on_sync_status`` is
    called from its thread. ``client_settings`` overrides the center's address settings.

    ``sam`` is the counter's SAM (default: :func:`connect_sam` on ``sam_reader``, else the
    settings' SAM reader; when that fails, an :class:`AbsentSam` that refuses every money
    command, saying why); its terminal id must be the journal's. Issuer keys an older counter kept in its keystore are removed here,
    and the removal journaled.
    """
    keystore_path, journal_path, store_path = _paths(data_dir)
    if keystore is None:
        keystore = Keystore.open(keystore_path, passphrase)
    elif keystore.path.resolve() != keystore_path.resolve():
        raise ValueError(f"the keystore given is {keystore.path}, not this counter's")
    keys = JournalKeys.from_keystore(keystore)
    config = CenterConfig.load(data_dir / CENTER_CONFIG_NAME)
    journal = Journal.open(journal_path, keys, clock=now_utc)
    settings = load_settings(data_dir / SETTINGS_FILE).settings
    if settings.journal_mirror:
        # a mirror that cannot be written is a status (and tighter brakes), never a failure
        journal.attach_mirror(
            JournalMirror(mirror_path(Path(settings.journal_mirror), journal.device_id))
        )
    try:
        _remove_issuer_keys(keystore, passphrase, journal)
        terminal = bytes.fromhex(journal.terminal_id)
        if sam is None:
            try:
                sam = connect_sam(sam_reader or settings.sam_reader_name or None)
            except CardError as exc:  # no reader, no SAM: the counter opens, money cannot move
                log.warning("no SAM: %s", exc)
                sam = AbsentSam(terminal, str(exc))
        if sam.terminal_id != terminal:
            raise SamMismatchError(
                "The SAM in the reader is terminal {sam}; this counter is terminal {counter}.",
                sam=sam.terminal_id.hex().upper(),
                counter=journal.terminal_id.upper(),
            )
    except BaseException:
        journal.close()
        raise
    try:
        store = Store.open(store_path)
    except BaseException:
        journal.close()
        raise
    center: CenterClient | None = None
    sync: SyncLoop | None = None
    settled: SettledBalances = NoCenter()
    if config is not None:
        from app.sync.client import CenterClient  # noqa: PLC0415 - requests only with a center
        from app.sync.lists import StoreBlacklist, StoreParameters  # noqa: PLC0415
        from app.sync.loop import SyncLoop  # noqa: PLC0415

        try:  # a CA file that went missing, an address that cannot be used
            center = CenterClient(
                client_settings or config.client_settings(),
                journal.device_id,
                keys.device_key,
                keystore.get(CENTER_KEY) if CENTER_KEY in keystore.names() else None,
            )
        except BaseException as exc:
            journal.close()
            store.close()
            if isinstance(exc, ValueError):
                raise CenterConfigError(
                    "{file}: {problem}", file=CENTER_CONFIG_NAME, problem=str(exc)
                ) from exc
            raise
        sync = SyncLoop(
            center,
            journal,
            blacklist=StoreBlacklist(store),
            parameters=StoreParameters(store),
            settings=loop_settings,
            on_status=on_sync_status,
        )
        journal.on_append(sync.sync_now)  # every record goes up at once, not at the next tick
        settled = CenterSettledBalances(center)
        # money intents are refused while the clock is off the center's by more than allowed
        journal.check_clock_with(
            ClockCheck(
                center.clock_reading,
                lambda: stored_parameters.current(store).brakes.max_clock_skew_s,
            )
        )
    parameters = stored_parameters.current(store)
    topups = TopUpService(journal, store, sam, now_utc, CARD_TIMEZONE, center)
    purchases = PurchaseService(journal, store, sam, now_utc, CARD_TIMEZONE)
    recovery = RecoveryService(journal, sam)
    counter = Counter(
        journal=journal,
        store=store,
        sam=sam,
        operators=OperatorService(store, journal, now_utc),
        shifts=ShiftService(store, journal, parameters, now_utc),
        topups=topups,
        recovery=recovery,
        loss=LossService(journal, store, sam, keystore.get(HOLDER_INDEX_KEY), now_utc),
        refunds=RefundService(journal, store, sam, now_utc),
        replacements=ReplacementService(journal, store, topups, settled, now_utc),
        reprints=ReprintService(journal, now_utc),
        purchases=purchases,
        exchanges=ExchangeService(journal, store, sam, purchases, topups, recovery, now_utc),
        voids=VoidService(journal, store, purchases, recovery, now_utc),
        scenic=ScenicService(
            journal,
            store,
            purchases,
            keystore.get(HOLDER_INDEX_KEY),
            data_dir,
            now_utc,
            CARD_TIMEZONE,
            center,
        ),
        center=center,
        sync=sync,
        data_dir=data_dir,
        disk_warning_mb=settings.disk_warning_mb,
    )
    if journal.problem is None:
        # a counter made before staff records: journal its accounts (once)
        try:
            counter.operators.adopt_legacy_accounts()
            counter.operators.repair_store()  # rows edited outside the app: put back, journaled
        except JournalError as exc:  # an altered staff record: every sign-in will say so
            log.error("staff records unreadable: %s", exc)
        # the journal is written first: after a crash the store catches up with it
        counter.shifts.reconcile()
        counter.loss.reconcile()
        counter.exchanges.reconcile()
        counter.voids.reconcile()
        counter.scenic.reconcile()
    return counter


def _remove_issuer_keys(keystore: Keystore, passphrase: str, journal: Journal) -> None:
    """Migrate a counter that held issuer master keys: remove them, journal the removal."""
    found = [name for name in keystore.names() if name.startswith(ISSUER_KEY_PREFIX)]
    if not found:
        return
    for name in found:
        keystore.remove(name)
    keystore.save(passphrase)  # first: a crash before the note leaves no key behind
    journal.append(
        Entry(
            RecordKind.NOTE,
            payload={"event": "issuer_keys_removed", "names": found},
        )
    )
