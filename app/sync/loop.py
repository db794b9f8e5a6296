"""``SyncLoop``: the one background thread that keeps the counter and the center in step.

Each cycle: (on the first contact after an outage) the center's clock and cursor, then every
unacknowledged journal record in batches, then the blacklist delta and the parameters when they
are due. Between cycles it sleeps ``interval`` seconds — or until :meth:`SyncLoop.sync_now` —
and after a failure it backs off exponentially (with jitter) up to ``max_backoff``.

Callers are never blocked: :meth:`status` returns the last published :class:`SyncStatus`
(no I/O), :meth:`sync_now` only sets an event, ``on_status`` is called from the loop's thread
(a UI bridges it to its own thread). :meth:`stop` wakes the thread, ends backoff waits at once
and waits at most ``timeout`` for the call in flight to finish.

Uploading stops (``status.alarm``) on a 409 tamper alarm or when the center holds more than
the journal; blacklist and parameters keep coming. :meth:`resume_upload` starts it again
once a supervisor has dealt with it.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.domain.texts import marked
from app.journal import Journal, JournalError
from app.journal.records import from_micros
from app.sync.errors import (
    AuthError,
    ConflictError,
    JournalMismatchError,
    RefusedError,
    SyncError,
)
from app.sync.lists import BlacklistSink, ParametersSink
from app.sync.models import UploadResult
from app.sync.status import Connection, PendingTally, StatusText, SyncStatus, utc_now
from app.sync.uploader import Uploader, UploadRun

if TYPE_CHECKING:
    from app.sync.client import CenterClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoopSettings:
    """How often and how hard the loop tries."""

    batch_size: int = 500
    interval: float = 30.0  # between cycles while all is well (sync_now wakes it earlier)
    blacklist_interval: float = 60.0
    parameters_interval: float = 600.0
    min_backoff: float = 2.0  # after the first failure; doubles up to max_backoff
    max_backoff: float = 300.0
    checkpoint_every: float | None = 900.0  # sign an ``upload`` checkpoint at most this often


class SyncLoop:
    """Background sync of one journal with the center (see the module docstring)."""

    def __init__(
        self,
        client: CenterClient,
        journal: Journal,
        *,
        blacklist: BlacklistSink | None = None,
        parameters: ParametersSink | None = None,
        settings: LoopSettings | None = None,
        on_status: Callable[[SyncStatus], None] | None = None,
        now: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or LoopSettings()
        self._client = client
        self._journal = journal
        self._blacklist = blacklist
        self._parameters = parameters
        self._on_status = on_status
        self._now = now
        self._rng = rng or random.Random()
        self._uploader = Uploader(
            client, journal, self.settings.batch_size, self.settings.checkpoint_every
        )
        self._tally = PendingTally(journal)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._status = SyncStatus(as_of=now())
        # loop-thread state
        self._failures = 0
        self._in_session = False  # contact made since the last failure (clock and cursor set)
        # (alarm, advice): uploading stopped
        self._halted: tuple[StatusText, StatusText | None] | None = None
        self._resume = threading.Event()
        self._blacklist_due = 0.0
        self._parameters_due = 0.0
        self._refused_parameters: int | None = None
        self._cycles = 0

    # -- the caller's side (any thread, never blocks) -------------------------------------------

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is not None:
            raise RuntimeError("the sync loop was already started")
        self._thread = threading.Thread(target=self._run, name="citycard-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the thread; whether it ended within ``timeout`` (a call in flight may not)."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def run_once(self) -> SyncStatus:
        """One cycle in the caller's thread (``citycard-counter cli sync``); the status after it.

        Not while the thread runs (one uploader at a time). Errors end up in the status, as in
        the loop.
        """
        if self.running:
            raise RuntimeError("the sync loop is running: call sync_now() instead")
        try:
            self._publish(**self._journal_figures())
        except JournalError as exc:
            log.error("sync status: %s", exc)
        self._one_cycle()
        return self.status()

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def sync_now(self) -> None:
        """Run a cycle as soon as possible (even while backing off)."""
        self._wake.set()

    def resume_upload(self) -> None:
        """Upload again after an alarm (a supervisor dealt with it); takes effect next cycle."""
        self._resume.set()
        self._wake.set()

    def status(self) -> SyncStatus:
        """The last published snapshot."""
        with self._lock:
            return self._status

    @property
    def cycles(self) -> int:
        """Cycles completed without error so far (for tests and diagnostics)."""
        return self._cycles

    # -- the loop's thread ----------------------------------------------------------------------

    def _publish(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
            status = self._status
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:
                log.exception("the sync status callback failed")

    def _journal_figures(self) -> dict[str, object]:
        acknowledged = self._journal.acknowledged_seq()
        count, oldest = self._journal.pending()
        return {
            "as_of": self._now(),
            "head_seq": self._journal.head()[0],
            "acknowledged_seq": acknowledged,
            "pending_count": count,
            "pending_by_method": self._tally.refresh(acknowledged),
            "oldest_pending_at": None if oldest is None else from_micros(oldest),
        }

    def _run(self) -> None:
        log.info("sync loop started")
        try:
            self._publish(**self._journal_figures())
        except JournalError as exc:
            log.error("sync status: %s", exc)
        while not self._stop.is_set():
            delay = self._one_cycle()
            if self._stop.is_set():
                break
            self._wake.wait(delay)
            self._wake.clear()
        log.info("sync loop stopped")

    def _one_cycle(self) -> float:
        """Run a cycle; how long to wait before the next one."""
        started = self._now()
        try:
            with self._client.interruptible(self._stop):
                self._cycle(started)
        except SyncError as exc:
            return self._failed(exc, started, StatusText.of_error(exc))
        except JournalError as exc:
            error = StatusText(
                marked("The journal could not be read for the upload: {reason}"),
                {"reason": StatusText.of_error(exc)},
            )
            return self._failed(exc, started, error)
        except Exception as exc:
            log.exception("sync cycle failed")
            error = StatusText(
                marked("Internal error in the sync (logged): {reason}"), {"reason": str(exc)}
            )
            return self._failed(exc, started, error)
        self._failures = 0
        self._cycles += 1
        return self.settings.interval

    def _failed(self, exc: Exception, started: datetime, error: StatusText) -> float:
        self._in_session = False
        self._uploader.forget_position()
        if self._stop.is_set():
            return 0.0
        self._failures += 1
        base = self.settings.min_backoff * 2.0 ** min(self._failures - 1, 30)
        delay = min(self.settings.max_backoff, base) * self._rng.uniform(0.8, 1.2)
        if isinstance(exc, (AuthError, RefusedError)):
            connection = Connection.REFUSED
        else:
            connection = Connection.OFFLINE
        advice = StatusText.advice_of(exc) if isinstance(exc, SyncError) else None
        log.warning("sync failed (%s): %s; next attempt in %.1f s", type(exc).__name__, exc, delay)
        figures: dict[str, object] = {}
        with contextlib.suppress(JournalError):
            figures = self._journal_figures()
        self._publish(
            **figures,
            connection=connection,
            last_attempt_at=started,
            next_attempt_at=self._now() + timedelta(seconds=delay),
            **_texts(error, advice if self._halted is None else self._halted[1], None),
        )
        return delay

    def _cycle(self, started: datetime) -> None:
        # every cycle: the clock offset signed requests need, and the reading the counter's
        # clock is checked against before money moves (a clock set wrong mid-session shows)
        self._client.server_time()
        self._in_session = True
        if self._resume.is_set():
            self._resume.clear()
            self._halted = None
            self._uploader.forget_position()
        problem: StatusText | None = None
        if self._halted is None:
            problem = self._upload()
        problem = self._pull_lists() or problem
        alarm, advice = self._halted if self._halted is not None else (None, None)
        self._publish(
            **self._journal_figures(),
            connection=Connection.ONLINE,
            last_attempt_at=started,
            last_success_at=self._now(),
            next_attempt_at=None,
            **_texts(problem or alarm, advice, alarm),
        )

    def _upload(self) -> StatusText | None:
        """Upload; a problem worth showing (quarantine, rejected checkpoint) or None."""

        def progress(_result: UploadResult) -> None:
            self._publish(**self._journal_figures(), connection=Connection.ONLINE)

        try:
            run: UploadRun = self._uploader.upload(self._stop, progress)
        except (ConflictError, JournalMismatchError) as exc:
            log.error("uploading stopped: %s", exc)
            alarm = StatusText(
                marked("Uploading stopped: {reason}"), {"reason": StatusText.of_error(exc)}
            )
            self._halted = (alarm, StatusText.advice_of(exc))
            return None
        if run.center_behind is not None:
            held, acknowledged = run.center_behind
            return StatusText(
                marked(
                    "The clearing center had lost this counter's records {first} to {last} "
                    "(restored from a backup?); they were sent again. Tell the issuer's support."
                ),
                {"first": held + 1, "last": acknowledged},
            )
        if run.quarantined:
            q = run.quarantined[0]
            return StatusText(
                marked(
                    "The center set record {seq} aside and will not take it or later ones: {reason}"
                ),
                {"seq": q.seq, "reason": q.reason},
            )
        if run.rejected_checkpoint is not None:
            return StatusText(
                marked("The center refused the journal's signed checkpoint: {reason}"),
                {"reason": run.rejected_checkpoint},
            )
        if run.set_aside:
            q = run.set_aside[0]
            return StatusText(
                marked(
                    "The center took record {seq} but keeps it out of the card ledger: {reason}"
                ),
                {"seq": q.seq, "reason": q.reason},
            )
        return None

    def _pull_lists(self) -> StatusText | None:
        """Blacklist and parameters when due; a problem worth showing or None."""
        clock = time.monotonic()
        if self._blacklist is not None and clock >= self._blacklist_due:
            delta = self._client.blacklist(self._blacklist.blacklist_version())
            self._blacklist.apply_blacklist(delta)
            self._blacklist_due = clock + self.settings.blacklist_interval
            self._publish(blacklist_version=delta.version, blacklist_checked_at=self._now())
        problem = None
        if self._parameters is not None and clock >= self._parameters_due:
            parameters = self._client.parameters()
            held = self._parameters.parameters_version()
            if parameters.version > held and parameters.version != self._refused_parameters:
                try:
                    self._parameters.apply_parameters(parameters)
                except ValueError as exc:
                    self._refused_parameters = parameters.version
                    log.error("parameters version %d refused: %s", parameters.version, exc)
                    problem = StatusText(
                        marked(
                            "The center's parameters version {version} cannot be used here: "
                            "{reason}"
                        ),
                        {"version": parameters.version, "reason": str(exc)},
                    )
                held = self._parameters.parameters_version()
            self._parameters_due = clock + self.settings.parameters_interval
            self._publish(parameters_version=held)
        return problem


def _texts(
    error: StatusText | None, advice: StatusText | None, alarm: StatusText | None
) -> dict[str, object]:
    """The status's clerk-facing lines: in English, and as templates with values."""
    english = None if error is None else str(error)
    return {
        "last_error": None if english is None else english[:1].upper() + english[1:],
        "advice": None if advice is None else str(advice),
        "alarm": None if alarm is None else str(alarm),
        "last_error_text": error,
        "advice_text": advice,
        "alarm_text": alarm,
    }
