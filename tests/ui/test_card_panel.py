"""The card panel fills from a real (virtual) card read on the card thread, and clears."""

from datetime import date

import pytest

from app.card.operations import block_application
from app.card.thread import CardThread
from app.services.card_reading import CardStatus
from app.ui.card_panel import CardPanel
from app.ui.context import CounterSession
from app.ui.reader_bridge import ReaderBridge


@pytest.fixture
def card_thread():
    t = CardThread()
    yield t
    t.stop()


def _panel(qtbot, card_thread, rig, today=date(2026, 11, 21)):
    session = CounterSession()
    bridge = ReaderBridge(card_thread, rig.transport, session, today=lambda: today)
    panel = CardPanel()
    qtbot.addWidget(panel)
    bridge.reading.connect(panel.show_reading)
    bridge.card_read.connect(panel.show_card)
    bridge.card_removed.connect(panel.clear)
    bridge.read_failed.connect(panel.show_error)
    return bridge, panel, session


def test_tap_fills_and_removal_clears(qtbot, card_thread, rig):
    bridge, panel, session = _panel(qtbot, card_thread, rig)
    with qtbot.waitSignal(bridge.card_read, timeout=5000) as blocker:
        bridge.card_presented()
    view = blocker.args[0]
    assert view.status is CardStatus.OK and view.city == "杭州"
    assert session.card == view
    assert panel.balance_text() == "¥50.00"
    assert panel.status_text() == "Card OK"
    assert panel.field_text("family") == "City Union (CU)"
    with qtbot.waitSignal(bridge.card_removed, timeout=5000):
        bridge.card_taken_away()
    assert panel.balance_text() == "—"
    assert session.card is None and bridge.last_tap is None


def test_last_transactions_are_a_table_model(qtbot, card_thread, rig):
    from datetime import datetime  # noqa: PLC0415

    from app.card.operations import load  # noqa: PLC0415
    from tests.support.cards import TERMINAL  # noqa: PLC0415

    load(rig.open(), rig.sam, 1_234, TERMINAL, datetime(2026, 11, 20, 10, 30))
    bridge, panel, _ = _panel(qtbot, card_thread, rig)
    with qtbot.waitSignal(bridge.card_read, timeout=5000):
        bridge.card_presented()
    model = panel.recent_model
    assert model.rowCount() == 1 and model.columnCount() == 4
    row = [model.data(model.index(0, c)) for c in range(4)]
    assert row == ["2026-11-20 10:30", "Top-up", "¥12.34", TERMINAL.hex().upper()]


def test_blocked_and_expired_cards_say_so(qtbot, card_thread, make_rig):
    expired = make_rig()
    b, panel, _ = _panel(qtbot, card_thread, expired, today=date(2035, 1, 1))
    with qtbot.waitSignal(b.card_read, timeout=5000):
        b.card_presented()
    assert "EXPIRED" in panel.status_text()

    blocked = make_rig()
    block_application(blocked.open(), blocked.sam)
    b2, panel2, _ = _panel(qtbot, card_thread, blocked)
    with qtbot.waitSignal(b2.card_read, timeout=5000):
        b2.card_presented()
    assert "BLOCKED" in panel2.status_text()


def test_a_card_pulled_during_the_read_shows_what_to_do(qtbot, card_thread, rig):
    b, panel, session = _panel(qtbot, card_thread, rig)
    rig.faulty.tear_after(nth=2)
    with qtbot.waitSignal(b.read_failed, timeout=5000) as blocker:
        b.card_presented()
    what, advice = blocker.args
    assert "did not answer" in what
    assert "Put the card back" in advice
    assert "Put the card back" in panel.status_text()
    assert session.card is None


def test_a_read_started_before_a_removal_never_fills_the_panel(qtbot, card_thread, rig):
    import threading  # noqa: PLC0415

    gate = threading.Event()
    card_thread.submit(lambda: gate.wait(5))  # the card thread is busy: the read waits
    b, panel, session = _panel(qtbot, card_thread, rig)
    read: list[object] = []
    b.card_read.connect(read.append)
    b.card_presented()
    qtbot.waitUntil(lambda: "Reading" in panel.status_text(), timeout=5000)
    b.card_taken_away()
    gate.set()
    done = card_thread.submit(lambda: None)
    qtbot.waitUntil(done.done, timeout=5000)
    qtbot.wait(50)
    assert read == [] and session.card is None
