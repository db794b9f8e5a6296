"""The status bar: the center's state from a sync snapshot, or plainly offline; operator, shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.journal.records import to_micros
from app.sync.status import Connection, PendingMoney, SyncStatus
from app.ui.context import CounterSession
from app.ui.status_bar import CounterStatusBar, ReaderState
from tests.ui.ui_support import CLERK, WAIT_MS

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _bar(qtbot, session=None, **kwargs) -> CounterStatusBar:
    bar = CounterStatusBar(
        session or CounterSession(), reader_name="Virtual PCD 00 00", now=lambda: NOW, **kwargs
    )
    qtbot.addWidget(bar)
    return bar


def test_the_center_part_comes_from_the_sync_snapshot(qtbot):
    status = SyncStatus(
        as_of=NOW,
        connection=Connection.OFFLINE,
        pending_count=7,
        pending_by_method={"cash": PendingMoney(3, 15_000), "wechat": PendingMoney(1, 2_000)},
        oldest_pending_at=NOW - timedelta(hours=2, minutes=5),
        blacklist_version=12,
        last_error="the center did not answer",
        advice="Check the network; the counter keeps working offline.",
    )
    bar = _bar(qtbot, sync_status=lambda: status)
    text = bar.center.text()
    assert text == "Center: offline · 7 pending (¥170.00) · oldest 2 h 5 min · blacklist v12"
    assert "did not answer" in bar.center.toolTip()
    bar.set_sync_source(lambda: SyncStatus(as_of=NOW, connection=Connection.ONLINE))
    assert bar.center.text() == "Center: online · nothing pending"


def test_without_a_center_it_says_so_and_counts_the_journal_off_the_gui_thread(qtbot):
    import threading  # noqa: PLC0415

    threads: list[str] = []

    def pending() -> tuple[int, int | None]:
        threads.append(threading.current_thread().name)
        return 4, to_micros(NOW - timedelta(minutes=42))

    bar = _bar(qtbot, pending=pending)
    qtbot.waitUntil(lambda: "4 records waiting" in bar.center.text(), timeout=WAIT_MS)
    assert bar.center.text() == (
        "Center: offline (no center configured) · 4 records waiting, oldest 42 min"
    )
    assert threads and threading.main_thread().name not in threads
    bar.shutdown()


def test_reader_operator_and_shift(qtbot, ui_rig):
    bar = _bar(qtbot, ui_rig.ctx.session)
    assert bar.reader.text() == "Reader: Virtual PCD 00 00 (no card)"
    bar.set_reader(ReaderState.UNAVAILABLE, "the smart-card service is not running")
    assert "(unavailable)" in bar.reader.text()
    assert bar.reader.toolTip() == "the smart-card service is not running"
    assert bar.operator.text() == "Nobody signed in"
    ui_rig.sign_in(CLERK)
    assert bar.operator.text() == "Operator: 王芳 (clerk)"
    assert bar.shift.text() == "No open shift"
    shift = ui_rig.open_shift()
    assert bar.shift.text().startswith(f"Shift {shift.id} since ")
