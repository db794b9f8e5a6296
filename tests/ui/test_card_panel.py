"""The card panel fills from a real (virtual) card read on the card thread, and clears."""

from datetime import date

import pytest

from app.card.operations import block_application
from app.card.thread import CardThread
from app.services.card_reading import CardReadingService, CardStatus
from app.ui.main_window import MainWindow
from app.ui.reader_bridge import ReaderBridge


@pytest.fixture
def card_thread():
    t = CardThread()
    yield t
    t.stop()


def _window(qtbot, card_thread, rig, today=date(2026, 11, 21)):
    service = CardReadingService(rig.transport, today=lambda: today)
    bridge = ReaderBridge(card_thread, service)
    window = MainWindow(bridge, "test reader")
    qtbot.addWidget(window)
    return bridge, window


def test_tap_fills_and_removal_clears(qtbot, card_thread, rig):
    bridge, window = _window(qtbot, card_thread, rig)
    with qtbot.waitSignal(bridge.card_read, timeout=5000) as blocker:
        bridge.card_presented()
    view = blocker.args[0]
    assert view.status is CardStatus.OK and view.city == "杭州"
    panel = window.card_panel
    assert panel.balance_text() == "¥50.00"
    assert panel.status_text() == "Card OK"
    with qtbot.waitSignal(bridge.card_removed, timeout=5000):
        bridge.card_taken_away()
    assert panel.balance_text() == "—"


def test_blocked_and_expired_cards_say_so(qtbot, card_thread, make_rig):
    expired = make_rig()
    b, w = _window(qtbot, card_thread, expired, today=date(2035, 1, 1))
    with qtbot.waitSignal(b.card_read, timeout=5000):
        b.card_presented()
    assert "EXPIRED" in w.card_panel.status_text()

    blocked = make_rig()
    block_application(blocked.open(), blocked.sam)
    b2, w2 = _window(qtbot, card_thread, blocked)
    with qtbot.waitSignal(b2.card_read, timeout=5000):
        b2.card_presented()
    assert "BLOCKED" in w2.card_panel.status_text()


def test_a_card_pulled_during_the_read_shows_what_to_do(qtbot, card_thread, rig):
    b, w = _window(qtbot, card_thread, rig)
    rig.faulty.tear_after(nth=2)
    with qtbot.waitSignal(b.read_failed, timeout=5000) as blocker:
        b.card_presented()
    what, advice = blocker.args
    assert "did not answer" in what
    assert "Put the card back" in advice
    assert "Put the card back" in w.card_panel.status_text()
