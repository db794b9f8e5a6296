"""The demo's F9/F10 work while a dialog is open (issue 17, problem 10): the README's "pull the
card mid-write" can be done from the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.demo_panel import DemoPanel
from app.ui.main_window import MainWindow
from tests.ui.ui_support import CLERK, WAIT_MS


def test_f9_and_f10_reach_the_reader_while_the_top_up_dialog_is_open(qtbot, ui_rig):
    taps: list[str] = []
    removals: list[bool] = []

    def tap(name: str) -> None:
        taps.append(name)
        ui_rig.reader.put(ui_rig.rig)
        ui_rig.bridge.card_presented()

    def remove() -> None:
        removals.append(True)
        ui_rig.reader.take()
        ui_rig.bridge.card_taken_away()

    panel = DemoPanel([("alice", "Alice's card")], tap, remove, "virtual reader")
    window = MainWindow(ui_rig.ctx, ui_rig.bridge, side_panel=panel)
    qtbot.addWidget(window)
    qtbot.addWidget(panel.tap_keys)
    window.show()
    qtbot.waitExposed(window)
    assert panel.tap_keys.isVisible()  # its own always-on-top window
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    with qtbot.waitSignal(ui_rig.bridge.tapped, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    assert taps == ["alice"]
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.topup_dialog is not None, timeout=WAIT_MS)
    dialog = window.topup_dialog
    qtbot.waitUntil(dialog.amount.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F10)  # the window-modal dialog has the keyboard
    assert removals == [True]
    qtbot.waitUntil(lambda: ui_rig.ctx.session.card is None, timeout=WAIT_MS)
    with qtbot.waitSignal(ui_rig.bridge.tapped, timeout=WAIT_MS):
        qtbot.keyClick(dialog.amount, Qt.Key.Key_F9)
    assert taps == ["alice", "alice"]
    dialog.reject()
