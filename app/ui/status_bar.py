"""The status bar: reader, SAM, clearing center, operator and shift, always in view.

The center's part comes from a :class:`~app.sync.status.SyncStatus` snapshot (the sync loop
publishes one; reading it never blocks) when the counter has a center; otherwise it says plainly
that no center is configured, with the journal's count of records waiting to be uploaded.
Offline is a normal state here, not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QStatusBar, QWidget

from app.domain.clock import CLOCK, SECONDS, format_time, zone_label
from app.domain.people import Role
from app.journal.records import from_micros
from app.services.storage import LOW_SPACE, StorageStatus
from app.sync.status import Connection, SyncStatus
from app.ui.context import CounterSession
from app.ui.forms import ERROR_STYLE, yuan
from app.ui.messages import status_line, translated

log = logging.getLogger(__name__)

SyncSource = Callable[[], SyncStatus | None]
PendingSource = Callable[[], tuple[int, int | None]]  # (records waiting, oldest time in µs)
StorageSource = Callable[[], StorageStatus]  # free disk space, the journal mirror

WARN_STYLE = "color: #8a5a00; font-weight: bold;"


class ReaderState:
    """What the status bar says about the reader."""

    NO_CARD = "no_card"
    CARD = "card"
    READING = "reading"
    UNAVAILABLE = "unavailable"


class CounterStatusBar(QStatusBar):
    """Permanent fields for reader, SAM, center, operator and shift; refreshed on a timer.

    The journal's count of waiting records is a database read: it runs on a worker thread of
    its own and comes back through a queued signal, never on the GUI thread.
    """

    _pending_read = Signal(object)  # (count, oldest µs) from the worker thread
    _storage_read = Signal(object)  # StorageStatus (or None) from the worker thread

    def __init__(
        self,
        session: CounterSession,
        *,
        reader_name: str,
        sam_text: str = "",
        sync_status: SyncSource | None = None,
        pending: PendingSource | None = None,
        storage: StorageSource | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        refresh_ms: int = 3000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._reader_name = reader_name
        self._reader_state = ReaderState.NO_CARD
        self._reader_detail = ""
        self._sam_text = sam_text
        self._sync = sync_status
        self._pending = pending
        self._pending_value: tuple[int, int | None] = (0, None)
        self._pending_busy = False
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="status")
        self._pending_read.connect(self._got_pending)
        self._storage = storage
        self._storage_busy = False
        self._storage_read.connect(self._got_storage)
        self._now = now
        self.reader = self._field("statusReader")
        self.sam = self._field("statusSam")
        self.center = self._field("statusCenter")
        self.operator = self._field("statusOperator")
        self.shift = self._field("statusShift")
        self.clock = self._field("statusClock")
        self.storage = QLabel(self)  # shown only when the disk or the mirror needs a supervisor
        self.storage.setObjectName("statusStorage")
        self.storage.setStyleSheet(ERROR_STYLE)
        self.storage.setVisible(False)
        self.addPermanentWidget(self.storage)
        session.actor_changed.connect(self._show_operator)
        session.shift_changed.connect(self._show_shift)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(refresh_ms)
        self.refresh()

    def _field(self, name: str) -> QLabel:
        if self.findChildren(QLabel):
            line = QFrame(self)
            line.setFrameShape(QFrame.Shape.VLine)
            line.setFrameShadow(QFrame.Shadow.Sunken)
            self.addPermanentWidget(line)
        label = QLabel(self)
        label.setObjectName(name)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)
        return label

    # -- inputs --------------------------------------------------------------------------------

    def set_reader(self, state: str, detail: str = "") -> None:
        """The reader's state (a :class:`ReaderState` value) and, when unavailable, why."""
        self._reader_state = state
        self._reader_detail = detail
        self._show_reader()

    def set_sync_source(self, source: SyncSource | None) -> None:
        """Where the center's status comes from (a sync loop's ``status``), or None."""
        self._sync = source
        self._show_center()

    def refresh(self) -> None:
        """Re-read everything shown."""
        self._ask_pending()
        self._ask_storage()
        self._show_reader()
        self.sam.setText(self.tr("SAM: {0}").format(self._sam_text or self.tr("none")))
        self._show_center()
        self._show_operator()
        self._show_shift()
        self._show_clock()

    # -- fields ----------------------------------------------------------------------------------

    def _show_clock(self) -> None:
        """The counter's time and zone: the one clock every screen, receipt and report uses."""
        now = self._now()
        self.clock.setText(f"{format_time(now, CLOCK)} {zone_label()}")
        self.clock.setToolTip(self.tr("Counter time {0}").format(format_time(now, SECONDS)))

    def _show_reader(self) -> None:
        name = self._reader_name or self.tr("none")
        state = {
            ReaderState.NO_CARD: self.tr("no card"),
            ReaderState.CARD: self.tr("card present"),
            ReaderState.READING: self.tr("reading…"),
            ReaderState.UNAVAILABLE: self.tr("unavailable"),
        }.get(self._reader_state, "")
        self.reader.setText(self.tr("Reader: {0} ({1})").format(name, state))
        unavailable = self._reader_state == ReaderState.UNAVAILABLE
        self.reader.setStyleSheet(ERROR_STYLE if unavailable else "")
        self.reader.setToolTip(self._reader_detail if unavailable else name)

    def _show_center(self) -> None:
        status = self._sync() if self._sync is not None else None
        if status is None:
            text = self.tr("Center: offline (no center configured)")
            if self._pending is not None:
                count, oldest_us = self._pending_value
                if count:
                    oldest = self._age(self._now() - from_micros(oldest_us)) if oldest_us else ""
                    text += " · " + self.tr("{0} records waiting, oldest {1}").format(count, oldest)
            self.center.setText(text)
            self.center.setStyleSheet("")
            self.center.setToolTip("")
            return
        connection = {
            Connection.UNKNOWN: self.tr("connecting…"),
            Connection.ONLINE: self.tr("online"),
            Connection.OFFLINE: self.tr("offline"),
            Connection.REFUSED: self.tr("refused"),
        }[status.connection]
        parts = [self.tr("Center: {0}").format(connection)]
        if status.pending_count:
            parts.append(
                self.tr("{0} pending ({1})").format(
                    status.pending_count, yuan(status.pending_amount_fen)
                )
            )
            age = status.oldest_pending_age(self._now())
            if age is not None:
                parts.append(self.tr("oldest {0}").format(self._age(age)))
        else:
            parts.append(self.tr("nothing pending"))
        if status.blacklist_version is not None:
            parts.append(self.tr("blacklist v{0}").format(status.blacklist_version))
        if status.alarm:
            parts.append(self.tr("ALARM: {0}").format(status_line(status.alarm_text, status.alarm)))
        self.center.setText(" · ".join(parts))
        style = ""
        if status.alarm or status.connection is Connection.REFUSED:
            style = ERROR_STYLE
        elif status.connection is Connection.OFFLINE:
            style = WARN_STYLE
        self.center.setStyleSheet(style)
        tip = [
            t
            for t in (
                status_line(status.last_error_text, status.last_error),
                status_line(status.advice_text, status.advice),
            )
            if t
        ]
        if status.last_success_at is not None:
            when = format_time(status.last_success_at)
            tip.append(self.tr("Last successful sync: {0}").format(when))
        self.center.setToolTip("\n".join(tip))

    def _ask_pending(self) -> None:
        source = self._pending
        if source is None or self._pending_busy:
            return
        self._pending_busy = True
        emit = self._pending_read.emit

        def read() -> None:
            try:
                emit(source())
            except Exception:  # a closed or broken journal: the status bar is not the place
                log.debug("pending count unavailable", exc_info=True)
                emit(None)

        self._worker.submit(read)

    def _got_pending(self, value: tuple[int, int | None] | None) -> None:
        self._pending_busy = False
        if value is not None:
            self._pending_value = value
        self._show_center()

    def _ask_storage(self) -> None:
        source = self._storage
        if source is None or self._storage_busy:
            return
        self._storage_busy = True
        emit = self._storage_read.emit

        def read() -> None:
            try:
                emit(source())
            except Exception:  # the status bar is not the place to fail
                log.debug("storage status unavailable", exc_info=True)
                emit(None)

        self._worker.submit(read)

    def _got_storage(self, status: StorageStatus | None) -> None:
        self._storage_busy = False
        warnings = [] if status is None else status.warnings()
        self.storage.setVisible(bool(warnings))
        if not warnings:
            return
        lines = [translated(w.template, w.params) for w in warnings]
        first = warnings[0]
        short = self.tr("DISK SPACE LOW") if first.template == LOW_SPACE else self.tr("MIRROR LOST")
        self.storage.setText(short if len(lines) == 1 else f"{short} (+{len(lines) - 1})")
        self.storage.setToolTip("\n\n".join(lines))

    def shutdown(self) -> None:
        """Stop the refresh timer and the worker (before the journal is closed)."""
        self._timer.stop()
        self._worker.shutdown(wait=True)

    def _show_operator(self) -> None:
        actor = self._session.actor
        if actor is None:
            self.operator.setText(self.tr("Nobody signed in"))
            return
        role = {
            Role.CLERK: self.tr("clerk"),
            Role.SUPERVISOR: self.tr("supervisor"),
            Role.ADMIN: self.tr("admin"),
        }[actor.role]
        self.operator.setText(self.tr("Operator: {0} ({1})").format(actor.display_name, role))

    def _show_shift(self) -> None:
        shift = self._session.shift
        if shift is None:
            self.shift.setText(self.tr("No open shift"))
            self.shift.setStyleSheet(WARN_STYLE if self._session.actor else "")
            return
        opened = format_time(from_micros(shift.opened_at_us), CLOCK)
        if shift.count_declared:
            text = self.tr("Shift {0}: cash counted — close it").format(shift.id)
            self.shift.setStyleSheet(WARN_STYLE)
        else:
            text = self.tr("Shift {0} since {1}").format(shift.id, opened)
            self.shift.setStyleSheet("")
        self.shift.setText(text)

    def _age(self, age: timedelta) -> str:
        minutes = int(age.total_seconds() // 60)
        if minutes < 60:
            return self.tr("{0} min").format(minutes)
        hours, minutes = divmod(minutes, 60)
        if hours < 48:
            return self.tr("{0} h {1} min").format(hours, minutes)
        days, hours = divmod(hours, 24)
        return self.tr("{0} d {1} h").format(days, hours)
