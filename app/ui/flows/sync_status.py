"""The clearing center: what is waiting to sync, when it last went through, and "sync now".

Shows a :class:`~app.sync.status.SyncStatus` snapshot in plain words and refreshes it every
second while open (a snapshot costs no I/O). "Sync now" asks the background sync for a cycle at
once; it never waits for the network on the GUI thread. A counter without a clearing center
says so, and still shows how much of its journal no center has seen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.journal.records import from_micros
from app.services.progress import CancelToken, Progress
from app.sync.status import Connection, SyncStatus
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, local_time, money, payment_label
from app.ui.messages import status_line

StatusSource = Callable[[], SyncStatus | None]
REFRESH_MS = 1000


class SyncDialog(FlowDialog):
    """The sync's status in words, and a button to sync now."""

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        status: StatusSource | None = None,
        sync_now: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("syncDialog")
        self.setWindowTitle(self.tr("Clearing center sync"))
        self._source = status
        self._sync_now = sync_now
        self.status: SyncStatus | None = None

        self.headline = QLabel("", self)
        self.headline.setObjectName("syncHeadline")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSize(max(font.pointSize(), 10) + 2)
        self.headline.setFont(font)
        self.fields: dict[str, QLabel] = {}
        box = QGroupBox(self.tr("Status"), self)
        form = QFormLayout(box)
        rows = (
            ("connection", self.tr("Clearing center:")),
            ("pending", self.tr("Waiting to sync:")),
            ("money", self.tr("Money waiting:")),
            ("oldest", self.tr("Oldest waiting since:")),
            ("success", self.tr("Last sync that went through:")),
            ("attempt", self.tr("Last attempt:")),
            ("next", self.tr("Next attempt:")),
            ("blacklist", self.tr("Blacklist:")),
            ("parameters", self.tr("Parameters version:")),
            ("problem", self.tr("Last problem:")),
        )
        for key, title in rows:
            label = QLabel("—", box)
            label.setObjectName(f"sync_{key}")
            label.setWordWrap(True)
            self.fields[key] = label
            form.addRow(title, label)

        self.sync_button = self.make_button(self.tr("&Sync now"), self.sync)
        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setTabOrder(self.sync_button, self.close_button)
        self.setMinimumWidth(600)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.close_button.setFocus()
        self.refresh()
        if self.status is not None:
            self._timer.start()
        self.update_actions()
        (self.sync_button if self.sync_button.isEnabled() else self.close_button).setFocus()

    @property
    def has_center(self) -> bool:
        """Whether this counter has a clearing center to sync with."""
        return self._source is not None and self.status is not None

    def update_actions(self) -> None:
        """Sync now only with a center (and a way to ask for it)."""
        self.sync_button.setEnabled(
            self.has_center and self._sync_now is not None and not self.busy
        )

    # -- status --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the sync's snapshot again and show it."""
        self.status = self._source() if self._source is not None else None
        if self.status is None:
            self._timer.stop()
            self._show_no_center()
        else:
            self._show(self.status, datetime.now(UTC))
        self.fit()

    def _show_no_center(self) -> None:
        self.headline.setText(
            self.tr(
                "No clearing center is configured: this counter works offline on its own. "
                "Its journal is kept for a later sync and for the auditors."
            )
        )
        self.fields["connection"].setText(self.tr("not configured"))
        journal = self.ctx.counter.journal

        def work(_token: CancelToken, _progress: Progress) -> tuple[int, int | None]:
            return journal.pending()

        if not self.busy:
            self.run(work, self._show_pending, label=self.tr("Reading the journal"))

    def _show_pending(self, pending: tuple[int, int | None]) -> None:
        count, oldest_us = pending
        self.fields["pending"].setText(
            self.tr("{count} journal record(s) no center has seen").format(count=count)
        )
        self.fields["oldest"].setText(
            local_time(from_micros(oldest_us)) if oldest_us is not None else "—"
        )
        self.fit()

    def _show(self, status: SyncStatus, now: datetime) -> None:
        words = {
            Connection.ONLINE: self.tr("online"),
            Connection.OFFLINE: self.tr("offline (cannot be reached)"),
            Connection.REFUSED: self.tr("refuses this counter"),
            Connection.UNKNOWN: self.tr("not tried yet"),
        }
        if status.alarm:
            headline = self.tr("Uploading is stopped: {alarm}").format(
                alarm=status_line(status.alarm_text, status.alarm)
            )
        elif status.online and not status.pending_count:
            headline = self.tr("Online: everything is synced.")
        elif status.online:
            headline = self.tr("Online: {count} record(s) still to send.").format(
                count=status.pending_count
            )
        else:
            headline = self.tr(
                "Not synced: the counter keeps working offline and sends everything later."
            )
        self.headline.setText(headline)
        f = self.fields
        f["connection"].setText(words.get(status.connection, str(status.connection)))
        f["pending"].setText(
            self.tr("{count} record(s) (journal no. {acked} acknowledged, head no. {head})").format(
                count=status.pending_count, acked=status.acknowledged_seq, head=status.head_seq
            )
        )
        by_method = [
            self.tr("{method}: {count} for {amount}").format(
                method=payment_label(method), count=p.count, amount=money(p.amount_fen)
            )
            for method, p in status.pending_by_method.items()
        ]
        f["money"].setText(
            "; ".join([money(status.pending_amount_fen), *by_method]) if by_method else money(0)
        )
        f["oldest"].setText(self._when(status.oldest_pending_at, now))
        f["success"].setText(self._when(status.last_success_at, now))
        f["attempt"].setText(self._when(status.last_attempt_at, now))
        f["next"].setText(local_time(status.next_attempt_at) if status.next_attempt_at else "—")
        f["blacklist"].setText(
            self.tr("version {version}, brought up to date {when}").format(
                version=status.blacklist_version, when=self._when(status.blacklist_checked_at, now)
            )
            if status.blacklist_version is not None
            else self.tr("not received yet")
        )
        f["parameters"].setText(
            str(status.parameters_version) if status.parameters_version is not None else "—"
        )
        problem = status_line(status.last_error_text, status.last_error)
        advice = status_line(status.advice_text, status.advice)
        if advice:
            problem = f"{problem}\n{advice}" if problem else advice
        f["problem"].setText(problem or self.tr("none"))

    def _when(self, when: datetime | None, now: datetime) -> str:
        if when is None:
            return self.tr("never")
        return self.tr("{time} ({age} ago)").format(
            time=local_time(when), age=self.age_text(max(now - when, timedelta(0)))
        )

    def age_text(self, age: timedelta) -> str:
        """A duration as people say it."""
        seconds = int(age.total_seconds())
        if seconds < 120:
            return self.tr("{n} s").format(n=seconds)
        if seconds < 2 * 3600:
            return self.tr("{n} min").format(n=seconds // 60)
        if seconds < 2 * 86400:
            return self.tr("{n} h").format(n=seconds // 3600)
        return self.tr("{n} days").format(n=seconds // 86400)

    # -- sync now ------------------------------------------------------------------------------

    def sync(self) -> None:
        """Ask the sync for a cycle now (off the GUI thread); the status updates as it goes."""
        trigger = self._sync_now
        if trigger is None or not self.has_center:
            return

        def work(_token: CancelToken, _progress: Progress) -> None:
            trigger()

        self.run(work, self._asked, label=self.tr("Asking for a sync"))

    def _asked(self, _result: None) -> None:
        self.say(self.tr("Sync asked for: the status below updates when it is done."))
        self.refresh()

    def done(self, result: int) -> None:
        """Stop refreshing when the dialog closes."""
        self._timer.stop()
        super().done(result)
