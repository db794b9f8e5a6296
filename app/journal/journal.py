"""The journal: append-only, gap-free, MAC-chained records in SQLite, with signed checkpoints.

One :class:`Journal` per device database. ``append`` is one short ``BEGIN IMMEDIATE``
transaction that reads the head, checks the clock and the intent rules, MACs the record and
moves the keyed head anchor; it returns only after SQLite has synced the commit
(``synchronous=FULL``), so a record the caller was told about survives a crash or a power cut.
Opening verifies what is new since the last good checkpoint and, if anything is wrong, refuses
every further append (:class:`~app.journal.errors.JournalBrokenError`).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from app import __version__
from app.files import DiskFullError, is_disk_full
from app.journal.canonical import (
    HeadEncoder,
    checkpoint_bytes,
    fingerprint,
    legacy_head_bytes,
    new_record_bytes,
    record_bytes,
    stored_record_bytes,
)
from app.journal.clock_check import ClockCheck
from app.journal.database import check_file, migrate, reader_engine, writer_engine
from app.journal.errors import (
    ClockWentBackwardsError,
    IntentError,
    JournalBrokenError,
    JournalError,
    JournalFileError,
)
from app.journal.keys import JournalKeys
from app.journal.kinds import INTENT_OF, OUTCOME_OF, RecordKind
from app.journal.mirror import JournalMirror, MirrorStatus
from app.journal.records import (
    CHECKPOINT_COLUMNS,
    GENESIS_PREV_MAC,
    RECORD_COLUMNS,
    Checkpoint,
    Entry,
    JournalRecord,
    canonical_json,
    to_micros,
)
from app.journal.verify import (
    ChainState,
    ChainVerifier,
    Problem,
    VerificationReport,
    checkpoint_signature_ok,
    feed,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

_COLUMNS = ", ".join(RECORD_COLUMNS)
_CP_COLUMNS = ", ".join(CHECKPOINT_COLUMNS)
# SQL below is built from this module's constant column names, never from input (S608)
_INSERT_RECORD = (
    f"INSERT INTO journal_record ({_COLUMNS}) VALUES ({', '.join('?' * len(RECORD_COLUMNS))})"
)
_INSERT_CHECKPOINT = (
    f"INSERT INTO journal_checkpoint ({_CP_COLUMNS}) "
    f"VALUES ({', '.join('?' * len(CHECKPOINT_COLUMNS))})"
)
_SELECT_RECORDS = f"SELECT {_COLUMNS} FROM journal_record"
_UPSERT_HEAD = (
    "INSERT INTO journal_head (id, seq, mac, key_id, anchor) VALUES (1, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, "
    "key_id = excluded.key_id, anchor = excluded.anchor"
)
_SELECT_CHECKPOINTS = f"SELECT {_CP_COLUMNS} FROM journal_checkpoint"
# each kind's last grand total: a skip-scan over the (kind, seq) index, not a full scan
_TOTALS = (
    "WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM journal_record UNION ALL "
    "SELECT (SELECT min(kind) FROM journal_record WHERE kind > k.kind) FROM k "
    "WHERE k.kind IS NOT NULL) "
    "SELECT kind, (SELECT grand_total_fen FROM journal_record r WHERE r.kind = k.kind "
    "ORDER BY seq DESC LIMIT 1) FROM k WHERE kind IS NOT NULL"
)
_PERIOD_TOTALS = (
    "SELECT kind, payment_method, count(*), coalesce(sum(amount_fen), 0) "
    "FROM journal_record WHERE at_us >= ? AND at_us < ? GROUP BY kind, payment_method "
    "ORDER BY kind, payment_method"
)
# two subqueries: SQLite seeks the index for a lone min() or max(), but scans it for both at once
_TIME_BOUNDS = (
    "SELECT (SELECT min(at_us) FROM journal_record), (SELECT max(at_us) FROM journal_record)"
)
# the whole journal: per shift along ix_journal_record_shift_report (no sort), then added up
_WHOLE_TOTALS = (
    "SELECT kind, method, sum(n), sum(fen) FROM (SELECT kind, payment_method AS method, "
    "count(*) AS n, coalesce(sum(amount_fen), 0) AS fen FROM journal_record "
    "GROUP BY shift_id, kind, payment_method) GROUP BY kind, method ORDER BY kind, method"
)
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_TERMINAL_ID = re.compile(r"[0-9A-F]{12}")


class CheckpointReason:
    """Why a checkpoint was signed (free text is allowed; these are the usual ones)."""

    CREATED = "created"
    SHIFT_CLOSE = "shift_close"
    ON_DEMAND = "on_demand"
    UPLOAD = "upload"
    EXPORT = "export"
    KEY_ROTATION = "key_rotation"


@dataclass(slots=True)
class _Tip:
    """Where the chain ends as the writer last saw it (seq 0: no genesis yet).

    Kept in memory between appends, under the writer lock, so that an append reads nothing:
    valid only while ``PRAGMA data_version`` says no other connection has committed since.
    """

    seq: int
    mac: bytes
    key_id: str
    at_us: int
    checkpoint_number: int
    totals: dict[str, int]  # each kind's grand total (fen)


@dataclass(frozen=True)
class ShiftTotal:
    """Count and sum of one kind and payment method (a line of a shift or daily report)."""

    kind: str
    payment_method: str | None
    count: int
    amount_fen: int


def _now() -> datetime:
    return datetime.now(UTC)


def _cursor(conn: Connection) -> sqlite3.Cursor:
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver.cursor()


class Journal:
    """A device's journal. Build with :meth:`create` (first run) or :meth:`open`."""

    def __init__(
        self,
        path: Path,
        keys: JournalKeys,
        writer: Engine,
        meta: tuple[str, str, bytes],
        clock: Clock,
    ) -> None:
        self._path = path
        self._keys = keys
        self._writer = writer
        self._connection: Any = None  # the one writing DBAPI connection (pool proxy), kept open
        # where the chain ends, kept between writes; re-read when another connection committed
        self._tip: _Tip | None = None
        self._data_version = -1
        self._reader = reader_engine(path)
        self.device_id, self.terminal_id, self.public_key = meta
        self._head_bytes = HeadEncoder(self.device_id)
        self._clock = clock
        self._lock = threading.Lock()
        self._broken: Problem | None = None
        self._appended: list[Callable[[], None]] = []  # told after each committed append
        self._mirror: JournalMirror | None = None
        self._clock_check: ClockCheck | None = None

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        keys: JournalKeys,
        device_id: str,
        terminal_id: str,
        clock: Clock = _now,
    ) -> Journal:
        """Create a new journal with its genesis record and first checkpoint. Never overwrites."""
        if not _DEVICE_ID.fullmatch(device_id):
            raise JournalError(
                "device id {device_id!r} must be 1-32 letters, digits, - or _", device_id=device_id
            )
        if not _TERMINAL_ID.fullmatch(terminal_id):
            raise JournalError(
                "terminal id {terminal_id!r} must be 12 hex digits (6 bytes)",
                terminal_id=terminal_id,
            )
        if path.exists() or path.is_symlink():
            raise JournalFileError(
                "A file already exists at {path}; it was not overwritten.", path=str(path)
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = writer_engine(path)
        migrate(writer, path)
        now = to_micros(clock())
        with writer.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO journal_meta (id, device_id, terminal_id, public_key, created_at_us,"
                " created_by_version) VALUES (1, ?, ?, ?, ?, ?)",
                (device_id, terminal_id, keys.public_key, now, __version__),
            )
        journal = cls(path, keys, writer, (device_id, terminal_id, keys.public_key), clock)
        journal.append(
            Entry(
                RecordKind.GENESIS,
                payload={
                    "device_id": device_id,
                    "terminal_id": terminal_id,
                    "public_key": keys.public_key.hex().upper(),
                    "app_version": __version__,
                },
            )
        )
        journal.checkpoint(CheckpointReason.CREATED)
        return journal

    @classmethod
    def open(
        cls, path: Path, keys: JournalKeys, clock: Clock = _now, verify: bool = True
    ) -> Journal:
        """Open (and upgrade) an existing journal; verify what is new since the last checkpoint.

        Raises :class:`JournalFileError` for a missing, empty, foreign or too-new file without
        writing to it. A journal that fails verification opens *broken*: it can be read, verified
        and exported, but :meth:`append` refuses (see :attr:`problem`).
        """
        path = Path(path)
        check_file(path)
        writer = writer_engine(path)
        try:
            migrate(writer, path)
            with writer.connect() as conn:
                meta = conn.exec_driver_sql(
                    "SELECT device_id, terminal_id, public_key FROM journal_meta WHERE id = 1"
                ).one_or_none()
        except BaseException:
            writer.dispose()
            raise
        if meta is None:
            writer.dispose()
            raise JournalFileError(
                "{path} has no journal header (journal_meta): not a journal.", path=str(path)
            )
        device_id, terminal_id, public_key = str(meta[0]), str(meta[1]), bytes(meta[2])
        if public_key != keys.public_key:
            writer.dispose()
            raise JournalFileError(
                "The journal at {path} belongs to device {device_id} with key {journal_key}, but "
                "the keystore's device key is {keystore_key}: the wrong keystore or journal was "
                "given.",
                path=str(path),
                device_id=device_id,
                journal_key=fingerprint(public_key),
                keystore_key=fingerprint(keys.public_key),
            )
        journal = cls(path, keys, writer, (device_id, terminal_id, public_key), clock)
        journal._upgrade_legacy_anchor()
        if verify:
            report = journal.verify(full=False)
            if not report.ok:
                journal._broken = report.first_problem
                log.error("journal verification failed: %s", report.first_problem)
        return journal

    def _upgrade_legacy_anchor(self) -> None:
        """Rewrite a valid pre-0.2 head anchor in the current form (it now covers checkpoints)."""
        with self._lock, self._write() as cursor:
            head = cursor.execute("SELECT seq, mac, key_id, anchor FROM journal_head").fetchone()
            if head is None:
                return
            seq, mac, key_id, anchor = head
            key = self._keys.mac_key(str(key_id))
            if key is not None and key.verify(legacy_head_bytes(self.device_id, seq, mac), anchor):
                self._move_head(
                    cursor, int(seq), bytes(mac), str(key_id), _checkpoint_number(cursor)
                )
                log.info("journal head anchor upgraded to the current form")

    def attach_mirror(self, mirror: JournalMirror) -> MirrorStatus:
        """Keep ``mirror`` in step from now on: created or caught up at once, then every commit.

        The returned status says whether it took (a lost or refused mirror never stops the
        journal: see :mod:`app.journal.mirror`).
        """
        with self._lock:
            if self._connection is None:
                self._connection = self._writer.raw_connection()
            driver = self._connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            self._mirror = mirror
            mirror.follow(driver)
        return mirror.status()

    def check_clock_with(self, check: ClockCheck | None) -> None:
        """Refuse money intents while ``check`` says the clock is off (None: no such check)."""
        self._clock_check = check

    def check_clock(self) -> None:
        """Raise :class:`ClockSkewError` now if a money intent would be refused for the clock."""
        if self._clock_check is not None:
            self._clock_check.check(to_micros(self._clock()))

    def mirror_status(self) -> MirrorStatus | None:
        """The mirror's state (None: no mirror configured). No I/O."""
        return None if self._mirror is None else self._mirror.status()

    def close(self) -> None:
        """Release the database files, folding the WAL back into the main file first.

        Readers go first: only the last connection to close can checkpoint the WAL, and a
        read-only one cannot — the records would stay in ``-wal`` where a file copy misses them.
        """
        with self._lock:
            if self._mirror is not None:
                self._mirror.close()
            self._reader.dispose()
            if self._connection is not None:
                driver = self._connection.driver_connection
                if isinstance(driver, sqlite3.Connection):
                    with suppress(sqlite3.Error):
                        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._connection.close()
                self._connection = None
            self._writer.dispose()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def problem(self) -> Problem | None:
        """Why the journal refuses to record (None when it is healthy)."""
        return self._broken

    @property
    def current_key_id(self) -> str:
        """The id of the MAC key new records use."""
        return self._keys.current_key_id

    # -- writing -----------------------------------------------------------------------------

    def append(self, entry: Entry) -> JournalRecord:
        """Record ``entry`` durably and return the stored record (with seq, time and MAC)."""
        return self.append_many([entry])[0]

    def append_many(self, entries: Sequence[Entry]) -> list[JournalRecord]:
        """Record several entries in one transaction (one disk sync): all or none.

        The chain's end (:class:`_Tip`) is kept in memory, so each record costs its MAC and one
        INSERT, and the batch one head-anchor UPDATE. The mirror (if attached) follows inside the
        same write, before this returns; the :meth:`on_append` listeners are told afterwards.
        """
        self._refuse_if_broken()
        if not entries:
            return []
        with self._lock:
            with self._write() as cursor:
                tip = self._tip or self._load_tip(cursor)
                seq, mac, key_id, at_us = tip.seq, tip.mac, tip.key_id, tip.at_us
                totals = dict(tip.totals)
                records = []
                for entry in entries:
                    record = self._build(cursor, (seq, mac, key_id, at_us), totals, entry)
                    seq, mac, key_id, at_us = record.seq, record.mac, record.key_id, record.at_us
                    if record.kind == RecordKind.KEY_ROTATION:
                        key_id = str(record.payload_dict()["new_key_id"])
                    records.append(record)
                self._move_head(cursor, seq, mac, key_id, tip.checkpoint_number)
            self._tip = _Tip(seq, mac, key_id, at_us, tip.checkpoint_number, totals)
        for listener in list(self._appended):  # committed: tell (the sync loop uploads it soon)
            try:
                listener()
            except Exception:  # a listener never undoes or fails a durable append
                log.exception("journal append listener failed")
        return records

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every committed append (any thread; it must not block)."""
        self._appended.append(listener)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        """One ``BEGIN IMMEDIATE`` transaction on the kept writing connection (lock held).

        The hot path talks to the DBAPI connection directly: SQLAlchemy's per-transaction
        events cost more than the insert itself, and the schema is SQLAlchemy's anyway.
        """
        if self._connection is None:
            self._connection = self._writer.raw_connection()
        driver = self._connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        cursor = driver.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            # another connection (process) that committed since our last write moved the data
            # version: what this writer remembers of the chain's end is stale then
            (version,) = cursor.execute("PRAGMA data_version").fetchone()
            if version != self._data_version:
                self._tip = None
                self._data_version = version
            yield cursor
            cursor.execute("COMMIT")
            if self._mirror is not None:
                # the one mirror hook: every committed change, in order, before the caller
                # hears of it (a money command goes to the card only after its intent is on
                # both media); never raises — a lost mirror is a status, not a failure
                self._mirror.follow(driver)
        except BaseException as exc:
            self._tip = None
            try:
                cursor.execute("ROLLBACK")  # a refusal or a failed COMMIT leaves nothing behind
            except sqlite3.Error:
                # the connection is unusable (I/O error, disk full…): start afresh next time
                with suppress(sqlite3.Error):
                    cursor.close()
                self._connection.invalidate()
                self._connection = None
            if isinstance(exc, sqlite3.Error) and is_disk_full(exc):
                raise DiskFullError(
                    "The disk holding the journal is full ({path}): the last step was not "
                    "recorded.",
                    path=str(self._path),
                ) from exc
            raise
        finally:
            with suppress(sqlite3.Error):
                cursor.close()

    def _refuse_if_broken(self) -> None:
        if self._broken is not None:
            raise JournalBrokenError(
                "The journal failed verification at {problem}.", problem=str(self._broken)
            )

    def _build(
        self,
        cursor: sqlite3.Cursor,
        head: tuple[int, bytes, str, int],
        totals: dict[str, int],
        entry: Entry,
    ) -> JournalRecord:
        """MAC ``entry`` as the record after ``head``, INSERT it, and add it to ``totals``."""
        seq, prev_mac, key_id, last_at = head
        if seq == 0:
            if entry.kind != RecordKind.GENESIS:
                raise JournalError("a new journal starts with its genesis record")
            key_id = self._keys.current_key_id
        elif entry.kind == RecordKind.GENESIS:
            raise JournalError("the journal already has its genesis record")
        at_us = to_micros(self._clock())
        if at_us < last_at:
            raise ClockWentBackwardsError(
                "The clock says {now} UTC, earlier than the last journal record ({last} UTC).",
                now=f"{datetime.fromtimestamp(at_us / 1e6, UTC):%Y-%m-%d %H:%M:%S}",
                last=f"{datetime.fromtimestamp(last_at / 1e6, UTC):%Y-%m-%d %H:%M:%S}",
            )
        if self._clock_check is not None and entry.kind in OUTCOME_OF:
            self._clock_check.check(at_us)  # money intents only: settling one is never refused
        self._check_intent(cursor, entry)
        key = self._keys.mac_key(key_id)
        if key is None:
            raise JournalError("the journal key {key_id!r} is not in the keystore", key_id=key_id)
        total = totals.get(entry.kind, 0) + (entry.amount_fen or 0)
        values: tuple[Any, ...] = (
            self.device_id,
            seq + 1,
            str(entry.kind),
            at_us,
            entry.operator,
            entry.shift_id,
            entry.card_serial,
            entry.amount_fen,
            None if entry.payment_method is None else str(entry.payment_method),
            entry.balance_before_fen,
            entry.balance_after_fen,
            entry.atc,
            entry.terminal_seq,
            entry.mac1,
            entry.mac2,
            entry.tac,
            entry.intent_seq,
            total,
            canonical_json(entry.payload),
            key_id,
        )
        mac = key.mac(new_record_bytes(values) + prev_mac)
        cursor.execute(_INSERT_RECORD, (*values, prev_mac, mac))
        totals[str(entry.kind)] = total
        return JournalRecord(*values, prev_mac, mac)  # type: ignore[call-arg] # canonical order

    @staticmethod
    def _check_intent(cursor: sqlite3.Cursor, entry: Entry) -> None:
        if entry.kind in OUTCOME_OF:
            if entry.intent_seq is not None:
                raise IntentError("an intent cannot refer to another record")
            return
        if entry.kind not in INTENT_OF:
            if entry.intent_seq is not None:
                raise IntentError("only outcomes refer to an intent")
            return
        row = cursor.execute(
            "SELECT kind, card_serial FROM journal_record WHERE seq = ?", (entry.intent_seq,)
        ).fetchone()
        if row is None or row[0] != INTENT_OF[entry.kind]:
            raise IntentError(
                "seq {seq} is not a {intent_kind}",
                seq=entry.intent_seq,
                intent_kind=str(INTENT_OF[entry.kind]),
            )
        if entry.card_serial is not None and row[1] != entry.card_serial:
            raise IntentError(
                "the outcome's card is not the card of intent {seq}", seq=entry.intent_seq
            )
        closed = cursor.execute(
            "SELECT seq FROM journal_record WHERE intent_seq = ? LIMIT 1", (entry.intent_seq,)
        ).fetchone()
        if closed is not None:
            raise IntentError(
                "intent {seq} was already closed by seq {closed_by}",
                seq=entry.intent_seq,
                closed_by=closed[0],
            )

    def _load_tip(self, cursor: sqlite3.Cursor) -> _Tip:
        """Read where the chain ends (in the writer's transaction), as far as the anchor vouches.

        Another writer of this journal leaves a head whose anchor verifies and whose record is
        there. Anything else was done behind the journal's back (a tail removed and the head
        row rewritten, say): appending on it would hide that, so the journal refuses, broken.
        """
        totals = {str(kind): int(total) for kind, total in cursor.execute(_TOTALS).fetchall()}
        number = _checkpoint_number(cursor)
        row = cursor.execute(
            "SELECT h.seq, h.mac, h.key_id, h.anchor, r.at_us, r.mac, "
            "(SELECT max(seq) FROM journal_record) FROM journal_head h "
            "LEFT JOIN journal_record r ON r.seq = h.seq WHERE h.id = 1"
        ).fetchone()
        if row is None:
            (last,) = cursor.execute("SELECT max(seq) FROM journal_record").fetchone()
            if last is None:
                return _Tip(0, GENESIS_PREV_MAC, "", 0, number, totals)
            self._broken = Problem("the head anchor is missing")
        else:
            seq, mac, key_id, anchor, at_us, record_mac, last = row
            key = self._keys.mac_key(str(key_id))
            if key is None:  # another process rotated to a key this one has not loaded
                raise JournalError(
                    "the journal key {key_id!r} is not in the keystore", key_id=str(key_id)
                )
            if (
                key.verify(self._head_bytes(int(seq), bytes(mac), number), anchor)
                and record_mac == mac
                and last == seq
            ):
                return _Tip(int(seq), bytes(mac), str(key_id), int(at_us), number, totals)
            self._broken = Problem(
                "the head anchor does not match the records: the journal was changed "
                "behind the application's back",
                seq=int(seq),
            )
        log.error("journal refuses to append: %s", self._broken)
        raise JournalBrokenError(
            "The journal failed verification at {problem}.", problem=str(self._broken)
        )

    def _move_head(
        self, cursor: sqlite3.Cursor, seq: int, mac: bytes, key_id: str, checkpoint_number: int
    ) -> None:
        key = self._keys.mac_key(key_id)
        if key is None:
            raise JournalError("the journal key {key_id!r} is not in the keystore", key_id=key_id)
        anchor = key.mac(self._head_bytes(seq, mac, checkpoint_number))
        cursor.execute(_UPSERT_HEAD, (seq, mac, key_id, anchor))

    def rotate_key(self, new_keys: JournalKeys, operator: str | None = None) -> JournalRecord:
        """Switch to ``new_keys.current_key_id``; the switch is a record MAC'd under the old key.

        Save ``new_keys`` into the keystore *before* calling this: a record MAC'd with a key
        that was never saved could not be verified.
        """
        missing = set(self._keys.mac_keys) - set(new_keys.mac_keys)
        if missing or new_keys.public_key != self._keys.public_key:
            raise JournalError("the new key set must keep every old key and the device key")
        if new_keys.current_key_id == self._keys.current_key_id:
            raise JournalError("the new key set has the same current key")
        old_keys = self._keys
        self._keys = new_keys
        try:
            record = self.append(
                Entry(
                    RecordKind.KEY_ROTATION,
                    operator=operator,
                    payload={
                        "new_key_id": new_keys.current_key_id,
                        "old_key_id": old_keys.current_key_id,
                    },
                )
            )
        except BaseException:
            self._keys = old_keys
            raise
        self.checkpoint(CheckpointReason.KEY_ROTATION)
        return record

    def checkpoint(self, reason: str = CheckpointReason.ON_DEMAND) -> Checkpoint:
        """Verify the records since the last checkpoint, then sign the chain head (SM2)."""
        self._refuse_if_broken()
        with self._lock, self._write() as cursor:
            last = _last_checkpoint(cursor)
            verifier = _verifier_from(cursor, self, last)
            if verifier is None:
                number = last.number if last else None
                self._broken = Problem("the last checkpoint does not verify", checkpoint=number)
                raise JournalBrokenError(
                    "The journal failed verification at {problem}.", problem=str(self._broken)
                )
            since = (verifier.state.seq,)
            feed(
                verifier, cursor.execute(f"{_SELECT_RECORDS} WHERE seq > ? ORDER BY seq", since), []
            )
            if not verifier.report.ok:
                self._broken = verifier.report.first_problem
                raise JournalBrokenError(
                    "The journal failed verification at {problem}.", problem=str(self._broken)
                )
            state = verifier.state
            at_us = to_micros(self._clock())
            if at_us < state.at_us:
                raise ClockWentBackwardsError("The clock is earlier than the last journal record.")
            values = (
                self.device_id,
                state.checkpoint_number + 1,
                state.seq,
                state.mac,
                verifier.batch_digest(),
                canonical_json(dict(sorted(state.totals.items()))),
                at_us,
                reason,
                state.checkpoint_signature,
                self.public_key,
            )
            signature = self._keys.device_key.sign(checkpoint_bytes(values))
            cp = Checkpoint(*values, signature)
            cursor.execute(_INSERT_CHECKPOINT, (*values, signature))
            head = _head(cursor)
            assert head is not None  # a checkpoint follows at least the genesis record
            # the anchor covers the number
            self._move_head(cursor, head[0], head[1], head[2], cp.number)
            if self._tip is not None:
                self._tip.checkpoint_number = cp.number
        log.info("journal checkpoint %d at seq %d (%s)", cp.number, cp.seq, reason)
        return cp

    def sign(self, document: bytes) -> bytes:
        """Sign ``document`` with the device's SM2 key (export manifests, upload batches)."""
        return self._keys.device_key.sign(document)

    # -- reading -----------------------------------------------------------------------------

    def head(self) -> tuple[int, bytes]:
        """The last record's seq and MAC."""
        with self._reader.connect() as conn:
            row = _head(_cursor(conn))
        return (row[0], row[1]) if row else (0, GENESIS_PREV_MAC)

    def record(self, seq: int) -> JournalRecord | None:
        """The record at ``seq``."""
        with self._reader.connect() as conn:
            row = _cursor(conn).execute(f"{_SELECT_RECORDS} WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else JournalRecord(*row)

    def records(self, after: int = 0, limit: int | None = None) -> list[JournalRecord]:
        """Records with seq > ``after``, in order (at most ``limit``)."""
        sql = f"{_SELECT_RECORDS} WHERE seq > ? ORDER BY seq LIMIT ?"
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(sql, (after, -1 if limit is None else limit)).fetchall()
        return [JournalRecord(*r) for r in rows]

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, oldest first."""
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(f"{_SELECT_CHECKPOINTS} ORDER BY number").fetchall()
        return [Checkpoint(*r) for r in rows]

    def open_intents(self, card_serial: str | None = None) -> list[JournalRecord]:
        """Intents no outcome has closed yet (grey records), oldest first; optionally one card's."""
        kinds = tuple(OUTCOME_OF)
        sql = (
            f"{_SELECT_RECORDS} AS r WHERE kind IN ({', '.join('?' * len(kinds))}) "
            "AND NOT EXISTS (SELECT 1 FROM journal_record o WHERE o.intent_seq = r.seq)"
        )
        params: tuple[Any, ...] = kinds
        if card_serial is not None:
            sql += " AND card_serial = ?"
            params += (card_serial,)
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(sql + " ORDER BY seq", params).fetchall()
        return [JournalRecord(*r) for r in rows]

    def totals(self) -> dict[str, int]:
        """The running grand total of every kind (fen), as of the last record."""
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(_TOTALS).fetchall()
        return {str(kind): int(total) for kind, total in rows}

    def shift_totals(self, shift_id: int) -> list[ShiftTotal]:
        """Count and sum per kind and payment method of one shift (the covering index serves it)."""
        sql = (
            "SELECT kind, payment_method, count(*), coalesce(sum(amount_fen), 0) "
            "FROM journal_record WHERE shift_id = ? GROUP BY kind, payment_method "
            "ORDER BY kind, payment_method"
        )
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(sql, (shift_id,)).fetchall()
        return [ShiftTotal(str(k), m, int(c), int(s)) for k, m, c, s in rows]

    def period_totals(self, start: datetime, end: datetime) -> list[ShiftTotal]:
        """Count and sum per kind and payment method of records in [start, end) (daily report).

        A period that holds the whole journal is summed shift by shift along the shift-report
        index, which is already in group order, and the few per-shift lines are added up: the
        time-ordered index would need a sort of every record.
        """
        start_us, end_us = to_micros(start), to_micros(end)
        with self._reader.connect() as conn:
            cursor = _cursor(conn)
            cursor.execute("BEGIN")  # the bounds and the sums from one snapshot
            try:
                first, last = cursor.execute(_TIME_BOUNDS).fetchone()
                if first is not None and start_us <= first and last < end_us:
                    rows = cursor.execute(_WHOLE_TOTALS).fetchall()
                else:
                    rows = cursor.execute(_PERIOD_TOTALS, (start_us, end_us)).fetchall()
            finally:
                cursor.execute("COMMIT")
        return [ShiftTotal(str(k), m, int(c), int(s)) for k, m, c, s in rows]

    def card_records(self, card_serial: str, kind: str | None = None) -> list[JournalRecord]:
        """One card's records (optionally of one kind), in order — the card's history here."""
        sql = f"{_SELECT_RECORDS} WHERE card_serial = ?"
        params: tuple[Any, ...] = (card_serial,)
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(sql + " ORDER BY seq", params).fetchall()
        return [JournalRecord(*r) for r in rows]

    def records_of_kinds(self, *kinds: str, after_seq: int = 0) -> list[JournalRecord]:
        """The records of the given kinds after ``after_seq``, in order.

        The (kind, seq) index serves it, so a catch-up from a known seq reads only what is new.
        """
        marks = ", ".join("?" * len(kinds))
        sql = f"{_SELECT_RECORDS} WHERE kind IN ({marks}) AND seq > ? ORDER BY seq"
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(sql, (*kinds, after_seq)).fetchall()
        return [JournalRecord(*r) for r in rows]

    def verified_records_of_kinds(self, *kinds: str) -> list[JournalRecord]:
        """:meth:`records_of_kinds`, each record's MAC checked with this device's key first.

        For records whose contents decide something now (the staff roster): a row edited in the
        journal file outside the app raises :class:`JournalError` instead of being believed.
        Deleting a record breaks the chain, which :meth:`verify` reports.
        """
        marks = ", ".join("?" * len(kinds))
        sql = f"{_SELECT_RECORDS} WHERE kind IN ({marks}) ORDER BY seq"
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(sql, kinds).fetchall()
        for row in rows:
            key = self._keys.mac_key(row[19]) if isinstance(row[19], str) else None
            try:
                ok = key is not None and key.verify(
                    stored_record_bytes(row[:20]) + row[20], row[21]
                )
            except (ValueError, TypeError):
                ok = False
            if not ok:
                raise JournalError(
                    "the journal record {seq} does not match its MAC: it was altered",
                    advice="Stop and call the issuer's support: the journal file was edited.",
                    seq=row[1],
                )
        return [JournalRecord(*r) for r in rows]

    def holds_kinds(self, *kinds: str) -> bool:
        """Whether any record of the given kinds exists (the (kind, seq) index answers)."""
        marks = ", ".join("?" * len(kinds))
        sql = f"SELECT 1 FROM journal_record WHERE kind IN ({marks}) LIMIT 1"
        with self._reader.connect() as conn:
            return _cursor(conn).execute(sql, kinds).fetchone() is not None

    def shift_records(self, shift_id: int, kind: str) -> list[JournalRecord]:
        """The records of one kind in one shift, in order (brakes and reports read these)."""
        sql = f"{_SELECT_RECORDS} WHERE shift_id = ? AND kind = ? ORDER BY seq"
        with self._reader.connect() as conn:
            rows = _cursor(conn).execute(sql, (shift_id, kind)).fetchall()
        return [JournalRecord(*r) for r in rows]

    # -- what the clearing center has (sync state, outside the MAC'd rows) --------------------

    def acknowledged_seq(self) -> int:
        """The last seq the clearing center acknowledged (0: nothing yet)."""
        with self._reader.connect() as conn:
            row = _cursor(conn).execute("SELECT acked_seq FROM sync_cursor WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def acknowledge(self, seq: int) -> None:
        """Move the acknowledgement cursor forward to ``seq`` (never backwards, never past head)."""
        with self._lock, self._write() as cursor:
            head = _head(cursor)
            last = head[0] if head else 0
            if seq > last:
                raise JournalError(
                    "cannot acknowledge seq {seq}: the journal ends at {last}", seq=seq, last=last
                )
            cursor.execute(
                "UPDATE sync_cursor SET acked_seq = max(acked_seq, ?), updated_at_us = ? "
                "WHERE id = 1",
                (seq, to_micros(self._clock())),
            )

    def pending(self) -> tuple[int, int | None]:
        """Records not yet acknowledged by the center: (count, time of the oldest in µs)."""
        sql = (
            "SELECT count(*), min(at_us) FROM journal_record "
            "WHERE seq > (SELECT acked_seq FROM sync_cursor WHERE id = 1)"
        )
        with self._reader.connect() as conn:
            count, oldest = _cursor(conn).execute(sql).fetchone()
        return int(count), None if oldest is None else int(oldest)

    # -- verifying ---------------------------------------------------------------------------

    def verify(self, full: bool = True) -> VerificationReport:
        """Re-check the journal: everything, or only what is new since the last good checkpoint."""
        with self._reader.connect() as conn:
            cursor = _cursor(conn)
            cursor.execute("BEGIN")  # one snapshot for records, checkpoints and head
            try:
                return self._verify(cursor, full)
            finally:
                cursor.execute("COMMIT")

    def _verify(self, cursor: sqlite3.Cursor, full: bool) -> VerificationReport:
        verifier: ChainVerifier | None = None
        if not full:
            verifier = _verifier_from(cursor, self, _last_checkpoint(cursor))
        if verifier is None:
            verifier = ChainVerifier(
                self.device_id, self.public_key, self._keys.mac_key, encode=stored_record_bytes
            )
        start = verifier.state.checkpoint_number
        checkpoints = [
            Checkpoint(*r)
            for r in cursor.execute(
                f"{_SELECT_CHECKPOINTS} WHERE number > ? ORDER BY number", (start,)
            ).fetchall()
        ]
        rows = cursor.execute(
            f"{_SELECT_RECORDS} WHERE seq > ? ORDER BY seq", (verifier.state.seq,)
        )
        feed(verifier, rows, checkpoints)
        head = cursor.execute("SELECT seq, mac, key_id, anchor FROM journal_head").fetchone()
        if head is None:
            verifier.report.problems.append(Problem("the head anchor is missing"))
        else:
            verifier.head_anchor(*head)
        verifier.report.totals = dict(verifier.state.totals)
        return verifier.report


def _values(record: JournalRecord) -> tuple[Any, ...]:
    return tuple(getattr(record, name) for name in RECORD_COLUMNS)


def _checkpoint_number(cursor: sqlite3.Cursor) -> int:
    (number,) = cursor.execute("SELECT coalesce(max(number), 0) FROM journal_checkpoint").fetchone()
    return int(number)


def _head(cursor: sqlite3.Cursor) -> tuple[int, bytes, str, int] | None:
    row = cursor.execute(
        "SELECT h.seq, h.mac, h.key_id, r.at_us FROM journal_head h "
        "LEFT JOIN journal_record r ON r.seq = h.seq WHERE h.id = 1"
    ).fetchone()
    if row is None:
        return None
    return int(row[0]), bytes(row[1]), str(row[2]), int(row[3] or 0)


def _last_checkpoint(cursor: sqlite3.Cursor) -> Checkpoint | None:
    row = cursor.execute(f"{_SELECT_CHECKPOINTS} ORDER BY number DESC LIMIT 1").fetchone()
    return None if row is None else Checkpoint(*row)


def _verifier_from(
    cursor: sqlite3.Cursor, journal: Journal, cp: Checkpoint | None
) -> ChainVerifier | None:
    """A verifier that starts at checkpoint ``cp`` (from genesis when None); None if cp is bad."""
    keys = journal._keys.mac_key
    if cp is None:
        return ChainVerifier(
            journal.device_id, journal.public_key, keys, encode=stored_record_bytes
        )
    if not checkpoint_signature_ok(cp, journal.public_key) or cp.device_id != journal.device_id:
        return None
    row = cursor.execute(f"{_SELECT_RECORDS} WHERE seq = ?", (cp.seq,)).fetchone()
    if row is None:
        return None
    record = JournalRecord(*row)
    key = keys(record.key_id)
    if (
        record.mac != cp.head_mac
        or key is None
        or not key.verify(record_bytes(_values(record)[:20]) + record.prev_mac, record.mac)
    ):
        return None
    key_id = record.key_id
    if record.kind == RecordKind.KEY_ROTATION:
        key_id = str(record.payload_dict().get("new_key_id", key_id))
    start = ChainState(
        seq=cp.seq,
        mac=cp.head_mac,
        at_us=record.at_us,
        key_id=key_id,
        totals=cp.totals_dict(),
        checkpoint_number=cp.number,
        checkpoint_signature=cp.signature,
    )
    return ChainVerifier(
        journal.device_id, journal.public_key, keys, start, encode=stored_record_bytes
    )
