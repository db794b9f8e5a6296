"""The journal's mirror: a second copy on a second medium, written before the money moves.

A mirror is a journal file in the same format (same tables, same rows, same head anchor and
checkpoints) at a path the settings name — a USB drive, a second disk, a network share — so
that a counter whose disk dies loses nothing that was not yet uploaded: ``citycard-counter
journal verify --db MIRROR`` checks it on its own and ``citycard-counter restore`` starts a new
machine from it.

The journal calls :meth:`JournalMirror.follow` at one point: right after each of its write
transactions commits, with its lock still held, so the mirror gets every change in the same
order, and ``append`` returns only after the mirror has it too — a top-up's intent is on both
media before CREDIT FOR LOAD goes to the card. The mirror's writes have the journal's
durability (``synchronous=FULL``): WAL on a local medium, a rollback journal on a network
share (WAL needs shared memory there is none of across a network).

Losing the mirror (the drive pulled, full, failing) never stops the counter: the mirror turns
:attr:`MirrorState.LOST`, says why in :meth:`status` (for the status bar and the supervisor),
and the top-ups' offline brakes tighten (``OfflineBrakes.without_mirror_percent``). It is tried
again now and then and, once it answers, caught up from its own head. A mirror that holds
records the journal lacks, or another journal's records, is never written to: it is evidence
(the journal may have lost its tail) and the supervisor is told.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.domain.texts import ClerkFacingError
from app.files import sync_directory, sync_file
from app.journal.records import CHECKPOINT_COLUMNS, RECORD_COLUMNS

log = logging.getLogger(__name__)

MIRROR_FILE = "journal-mirror-{device_id}.sqlite3"
RETRY_AFTER_S = 30.0
_COLUMNS = ", ".join(RECORD_COLUMNS)
_CP_COLUMNS = ", ".join(CHECKPOINT_COLUMNS)
_INSERT_RECORD = (
    f"INSERT INTO journal_record ({_COLUMNS}) VALUES ({', '.join('?' * len(RECORD_COLUMNS))})"
)
_INSERT_CHECKPOINT = (
    f"INSERT INTO journal_checkpoint ({_CP_COLUMNS}) "
    f"VALUES ({', '.join('?' * len(CHECKPOINT_COLUMNS))})"
)
_HEAD = "SELECT seq, mac, key_id, anchor FROM journal_head WHERE id = 1"
_LAST_SEQ = "SELECT coalesce(max(seq), 0) FROM journal_record"
_PUT_HEAD = (
    "INSERT INTO journal_head (id, seq, mac, key_id, anchor) VALUES (1, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, "
    "key_id = excluded.key_id, anchor = excluded.anchor"
)


class MirrorState(StrEnum):
    """How the mirror is doing."""

    OK = "ok"  # every record is on both media
    LOST = "lost"  # cannot be written now (retried); the brakes are tightened
    REFUSED = "refused"  # holds records this journal lacks, or another journal: never written


@dataclass(frozen=True)
class MirrorStatus:
    """The mirror's state for the status bar and the supervisor (no I/O to read it)."""

    path: Path
    state: MirrorState
    seq: int  # the last record the mirror holds
    problem: str | None = None  # why it is lost or refused, in plain words (English, for logs)

    @property
    def ok(self) -> bool:
        """Whether every record is on the mirror too."""
        return self.state is MirrorState.OK


def journal_mode_for(path: Path) -> str:
    """WAL (one fsync per commit) on a local medium; a rollback journal on a network share.

    WAL needs shared memory between the processes that open a database, which network file
    systems do not give; ``PERSIST`` keeps the rollback journal's file between commits.
    """
    text = str(path)
    if text.startswith(("\\\\", "//")):  # a UNC path: \\server\share
        return "PERSIST"
    return "PERSIST" if _file_system_type(Path(path)) in NETWORK_FILE_SYSTEMS else "WAL"


NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ceph", "glusterfs"}
)


def _file_system_type(path: Path) -> str | None:
    """The type of the file system holding ``path`` (Linux: /proc/self/mounts), or None."""
    try:
        lines = Path("/proc/self/mounts").read_text("utf-8").splitlines()
    except OSError:
        return None
    target = str(path.absolute())
    best: tuple[int, str] | None = None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > best[0]):
            best = (len(point), parts[2])
    return None if best is None else best[1]


def mirror_path(directory: Path, device_id: str) -> Path:
    """The mirror's file in the directory the settings name."""
    return Path(directory) / MIRROR_FILE.format(device_id=device_id)


class MirrorFolderError(ClerkFacingError):
    """A folder cannot hold the journal's mirror (missing, or on the journal's own disk)."""

    advice = "Choose a folder on a second disk, a USB drive or a network share, or leave it empty."


def mirror_folder_problem(
    directory: Path, journal_directory: Path | None, *, allow_same_disk: bool = False
) -> MirrorFolderError | None:
    """Why ``directory`` cannot hold the mirror of the journal in ``journal_directory`` (or None).

    The one judgement of a mirror's place, used when the mirror opens and by the settings
    dialog: the folder must exist and lie on another disk than the journal's (a mirror on the
    same disk — often a drive that was not mounted — would not survive that disk).
    """
    if not directory.is_dir():
        return MirrorFolderError(
            "The mirror's folder {path} is not there (drive not plugged in?).", path=str(directory)
        )
    if allow_same_disk or journal_directory is None:
        return None
    try:
        same = directory.stat().st_dev == journal_directory.stat().st_dev
    except OSError as exc:
        return MirrorFolderError(
            "The mirror's folder {path} cannot be examined ({reason}).",
            path=str(directory),
            reason=exc.strerror or type(exc).__name__,
        )
    if same:
        return MirrorFolderError(
            "The mirror's folder {path} is on the same disk as the journal (a drive not "
            "mounted?): the mirror would not survive that disk.",
            path=str(directory),
        )
    return None


class JournalMirror:
    """Keeps a journal file's copy on another medium. Built by :meth:`Journal.attach_mirror`."""

    def __init__(
        self,
        path: Path,
        retry_after_s: float = RETRY_AFTER_S,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        allow_same_disk: bool = False,
    ) -> None:
        self.path = Path(path)
        self._allow_same_disk = allow_same_disk
        self._conn: sqlite3.Connection | None = None
        self._seq = 0
        self._checkpoint = 0
        self._state = MirrorState.LOST
        self._problem: str | None = "not opened yet"
        self._retry_after = retry_after_s
        self._monotonic = monotonic
        self._failed_at: float | None = None
        self._opened: tuple[int, int] | None = None  # the file opened: (device, inode)
        self._head: tuple[object, ...] | None = None  # the head row the mirror holds

    # -- the journal's side ----------------------------------------------------------------

    def follow(self, source: sqlite3.Connection) -> None:
        """Copy what ``source`` (the journal's writing connection, lock held) has and we lack.

        Never raises: a failure turns the mirror LOST (logged, shown, retried later).
        """
        if self._state is MirrorState.REFUSED:
            return
        if self._conn is None:
            if self._failed_at is not None and (
                self._monotonic() - self._failed_at < self._retry_after
            ):
                return
            if not self._open(source):
                return
        try:
            if self._identity() != self._opened:
                # a file taken away (drive out, folder moved) may still take writes through
                # the open handle: they would land nowhere
                self._lose("the mirror file is no longer there (drive taken out?)")
                return
            self._copy(source)
        except (sqlite3.Error, OSError) as exc:
            self._lose(f"cannot write the mirror: {exc}")

    def _identity(self) -> tuple[int, int] | None:
        """The mirror file's (device, inode) now; None when it is not there."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def close(self) -> None:
        """Release the mirror's file, its WAL folded in (the drive can then be taken out)."""
        if self._conn is not None:
            try:
                with suppress(sqlite3.Error):
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.close()
            finally:
                self._conn = None

    def status(self) -> MirrorStatus:
        """The mirror's state (no I/O)."""
        return MirrorStatus(self.path, self._state, self._seq, self._problem)

    # -- opening -------------------------------------------------------------------------------

    def _open(self, source: sqlite3.Connection) -> bool:
        """Open (or create from a snapshot of ``source``) the mirror and check it; whether OK."""
        where = self._where_problem(source)
        if where is not None:
            self._lose(where)
            return False
        try:
            self._set_aside_if_old_schema(source)
            if not self.path.exists():
                self._create(source)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA busy_timeout = 5000")
                conn.execute(f"PRAGMA journal_mode = {journal_mode_for(self.path)}")
                conn.execute("PRAGMA synchronous = FULL")
                problem = self._check(conn, source)
            except BaseException:
                conn.close()
                raise
        except (sqlite3.Error, OSError) as exc:
            self._lose(f"cannot open the mirror: {exc}")
            return False
        if problem is not None:
            conn.close()
            self._state = MirrorState.REFUSED
            self._problem = problem
            log.error("journal mirror %s refused: %s", self.path, problem)
            return False
        self._conn = conn
        self._opened = self._identity()
        self._state = MirrorState.OK
        self._problem = None
        self._failed_at = None
        return True

    def _where_problem(self, source: sqlite3.Connection) -> str | None:
        """Why the mirror's directory cannot hold the mirror now (None: it can)."""
        row = source.execute("PRAGMA database_list").fetchone()
        journal_file = Path(str(row[2])) if row is not None and row[2] else None
        problem = mirror_folder_problem(
            self.path.parent,
            None if journal_file is None else journal_file.parent,
            allow_same_disk=self._allow_same_disk,
        )
        return None if problem is None else str(problem)

    def _set_aside_if_old_schema(self, source: sqlite3.Connection) -> None:
        """A mirror of an older schema (the journal was upgraded) is kept aside, not written."""
        if not self.path.exists():
            return
        revision = "SELECT version_num FROM alembic_version"
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            theirs = conn.execute(revision).fetchone()
        except sqlite3.Error:
            return  # not ours to judge here: _check refuses what is not this journal's mirror
        finally:
            conn.close()
        ours = source.execute(revision).fetchone()
        if theirs is None or ours is None or theirs[0] == ours[0]:
            return
        aside = self.path.with_name(f"{self.path.name}.schema-{theirs[0]}")
        for suffix in ("", "-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                side.replace(Path(str(aside) + suffix))
        log.warning("journal mirror of schema %s kept aside as %s", theirs[0], aside)

    def _create(self, source: sqlite3.Connection) -> None:
        """A new mirror: SQLite's online backup of the journal, renamed into place."""
        partial = self.path.with_name(self.path.name + ".partial")
        partial.unlink(missing_ok=True)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # one file, until it is opened
        finally:
            target.close()
        sync_file(partial)
        partial.replace(self.path)
        sync_directory(self.path.parent)
        log.info("journal mirror created at %s", self.path)

    def _check(self, conn: sqlite3.Connection, source: sqlite3.Connection) -> str | None:
        """Why the mirror at ``conn`` must not be written (None: it is a prefix of ``source``)."""
        meta = "SELECT device_id, public_key FROM journal_meta WHERE id = 1"
        ours, theirs = source.execute(meta).fetchone(), conn.execute(meta).fetchone()
        if theirs is None or (str(theirs[0]), bytes(theirs[1])) != (str(ours[0]), bytes(ours[1])):
            return "the mirror file belongs to another journal (another device or key)"
        (seq,) = conn.execute(_LAST_SEQ).fetchone()
        seq = int(seq)
        (journal_seq,) = source.execute(_LAST_SEQ).fetchone()
        if seq > int(journal_seq):
            return (
                f"the mirror holds records up to seq {seq} but the journal ends at seq "
                f"{journal_seq}: the journal may have lost records — restore from the mirror"
            )
        if seq:
            mine = conn.execute("SELECT mac FROM journal_record WHERE seq = ?", (seq,)).fetchone()
            same = source.execute("SELECT mac FROM journal_record WHERE seq = ?", (seq,)).fetchone()
            if mine is None or same is None or bytes(mine[0]) != bytes(same[0]):
                return f"the mirror's record at seq {seq} differs from the journal's"
        (number,) = conn.execute(
            "SELECT coalesce(max(number), 0) FROM journal_checkpoint"
        ).fetchone()
        self._seq, self._checkpoint = seq, int(number)
        self._head = conn.execute(_HEAD).fetchone()
        return None

    # -- copying -------------------------------------------------------------------------------

    def _copy(self, source: sqlite3.Connection) -> None:
        conn = self._conn
        assert conn is not None
        # what is new is read from the tables themselves, not from the head row: however the
        # journal keeps its head, the mirror gets every record and the head row as stored
        (last,) = source.execute(_LAST_SEQ).fetchone()
        (number,) = source.execute(
            "SELECT coalesce(max(number), 0) FROM journal_checkpoint"
        ).fetchone()
        head = source.execute(_HEAD).fetchone()
        if int(last) == self._seq and int(number) == self._checkpoint and head == self._head:
            return  # nothing new (an acknowledgement, say)
        records = source.execute(
            f"SELECT {_COLUMNS} FROM journal_record WHERE seq > ? ORDER BY seq",
            (self._seq,),
        ).fetchall()
        checkpoints = source.execute(
            f"SELECT {_CP_COLUMNS} FROM journal_checkpoint WHERE number > ? ORDER BY number",
            (self._checkpoint,),
        ).fetchall()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(_INSERT_RECORD, records)
            conn.executemany(_INSERT_CHECKPOINT, checkpoints)
            if head is not None:
                conn.execute(_PUT_HEAD, tuple(head))
            conn.execute("COMMIT")
        except BaseException:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self._seq = int(last)
        self._checkpoint = int(number)
        self._head = head
        if self._state is not MirrorState.OK:
            log.warning("journal mirror %s is back, caught up to seq %d", self.path, self._seq)
        self._state, self._problem = MirrorState.OK, None

    def _lose(self, why: str) -> None:
        if self._state is not MirrorState.LOST or self._problem != why:
            log.error("journal mirror %s lost: %s", self.path, why)
        self.close()
        self._state = MirrorState.LOST
        self._problem = why
        self._failed_at = self._monotonic()
