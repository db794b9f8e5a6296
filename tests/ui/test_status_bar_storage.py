"""The status bar shows the supervisor a lost mirror and a nearly full disk."""

from __future__ import annotations

from pathlib import Path

from app.journal.mirror import MirrorState, MirrorStatus
from app.services.storage import MB, StorageStatus
from app.ui.context import CounterSession
from app.ui.status_bar import CounterStatusBar


def _bar(qtbot, status: StorageStatus) -> CounterStatusBar:
    bar = CounterStatusBar(CounterSession(), reader_name="r", storage=lambda: status, refresh_ms=50)
    qtbot.addWidget(bar)
    return bar


def test_all_well_shows_nothing(qtbot):
    bar = _bar(qtbot, StorageStatus(10_000 * MB, 500 * MB, None))
    qtbot.wait(150)
    assert not bar.storage.isVisibleTo(bar)
    bar.shutdown()


def test_a_lost_mirror_and_a_low_disk_are_shown(qtbot):
    mirror = MirrorStatus(Path("/media/usb/m.sqlite3"), MirrorState.LOST, 7, "drive taken out")
    bar = _bar(qtbot, StorageStatus(100 * MB, 500 * MB, mirror))
    qtbot.waitUntil(lambda: bar.storage.isVisibleTo(bar), timeout=3000)
    assert "(+1)" in bar.storage.text()
    tip = bar.storage.toolTip()
    assert "/media/usb/m.sqlite3" in tip and "drive taken out" in tip and "100" in tip
    bar.shutdown()
