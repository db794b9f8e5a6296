"""A reader that stops answering mid top-up (issue 17, problem 7): elapsed time, advice, a safe
stop — the journal decides what happened.

The reader here stalls for real: the card connection blocks (as a stalled pcscd does) until the
test lets it go. The clerk sees the seconds count, then the advice and "Stop waiting"; stopping
cancels at the top-up's next safe point, so nothing is written and nothing is charged.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from app.journal import RecordKind
from app.ui import topup_dialog
from app.ui.topup_dialog import TopUpDialog
from tests.ui.ui_support import CLERK, WAIT_MS, focused, type_into

ALT = Qt.KeyboardModifier.AltModifier


def test_a_stalled_reader_shows_the_wait_and_stopping_is_safe(
    qtbot, ui_rig, main_window, monkeypatch
):
    monkeypatch.setattr(topup_dialog, "STALL_ADVICE_S", 1)
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift()
    ui_rig.tap(qtbot)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(main_window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: main_window.topup_dialog is not None, timeout=WAIT_MS)
    dialog = main_window.topup_dialog
    qtbot.waitUntil(dialog.amount.hasFocus, timeout=WAIT_MS)
    type_into(qtbot, dialog.amount, "20")

    release = threading.Event()
    real = ui_rig.ctx.connect

    def stalled():  # the card thread waits here as on a stalled pcscd
        release.wait(30)
        return real()

    ui_rig.ctx.connect = stalled
    try:
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
        assert dialog.page() == TopUpDialog.WRITING
        qtbot.waitUntil(dialog.stop_button.isVisible, timeout=WAIT_MS)
        assert "Waiting" in dialog.elapsed_line.text()
        assert "has not answered" in dialog.stall_advice.text()
        qtbot.waitUntil(lambda: focused() is dialog.stop_button, timeout=WAIT_MS)
        qtbot.keyClick(focused(), Qt.Key.Key_S, ALT)  # Stop waiting
        qtbot.waitUntil(lambda: not dialog.stop_button.isEnabled(), timeout=WAIT_MS)
        assert "Stopping" in dialog.stall_advice.text()
        assert dialog.page() == TopUpDialog.WRITING  # still waiting for the reader's answer
    finally:
        release.set()  # pcscd comes back
        ui_rig.ctx.connect = real
    qtbot.waitUntil(lambda: dialog.page() == TopUpDialog.AMOUNT, timeout=WAIT_MS)
    assert "Stopped: nothing was written" in dialog.message_text()
    journal = ui_rig.counter.journal
    assert journal.open_intents() == [] and journal.records_of_kinds(RecordKind.LOAD_OUTCOME) == []
    assert ui_rig.rig.reload().profile.balance_fen == 5_000
