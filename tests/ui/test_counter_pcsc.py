"""The counter window on the real PC/SC stack: pyscard → pcscd → vpcd → the virtual card.

Card events come from pyscard's monitor (CardWatcher), card I/O goes through PcscTransport on
the card thread; the clerk tops up from the keyboard. Run under ``flock /tmp/pcscd.lock``.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.card.pcsc import CardWatcher, PcscTransport
from app.journal import Outcome, RecordKind
from app.ui.main_window import MainWindow
from app.ui.topup_dialog import TopUpDialog
from cardsim.vpcd import VpcdBridge
from tests.ui.ui_support import CLERK, build_ui_rig, has_focus, type_into

pytestmark = pytest.mark.pcsc

READER = "Virtual PCD 00 00"
WAIT_MS = 20_000


def test_tap_and_top_up_through_pcscd(qtbot, tmp_path, pcscd, rig):
    ui = build_ui_rig(
        tmp_path / "counter", rig, connect=lambda: PcscTransport(READER), reader_name=READER
    )
    watcher = CardWatcher.for_reader(READER, ui.bridge.card_presented, ui.bridge.card_taken_away)
    vpcd = VpcdBridge(rig.faulty, slot=0)
    try:
        window = MainWindow(ui.ctx, ui.bridge)
        qtbot.addWidget(window)
        window.show()
        ui.sign_in(CLERK)
        ui.open_shift()
        watcher.start()
        with qtbot.waitSignal(ui.bridge.tapped, timeout=WAIT_MS):
            vpcd.insert()  # the tap: pcscd notices, the watcher tells the bridge
        assert window.card_panel.balance_text() == "¥50.00"
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
        qtbot.keyClick(window, Qt.Key.Key_F2)
        qtbot.waitUntil(lambda: window.topup_dialog is not None, timeout=WAIT_MS)
        dialog = window.topup_dialog
        assert has_focus(qtbot, dialog.amount)
        type_into(qtbot, dialog.amount, "20")
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.page() != TopUpDialog.WRITING, timeout=WAIT_MS)
        assert dialog.page() == TopUpDialog.DONE, dialog.message_text()
        qtbot.waitUntil(lambda: window.card_panel.balance_text() == "¥70.00", timeout=WAIT_MS)
        outcome = ui.counter.journal.records()[-1]
        assert outcome.kind == RecordKind.LOAD_OUTCOME
        assert outcome.payload_dict()["outcome"] == Outcome.DONE
        with qtbot.waitSignal(ui.bridge.card_removed, timeout=WAIT_MS):
            vpcd.remove()
        assert window.card_panel.balance_text() == "—"
        assert rig.reload().profile.balance_fen == 7_000
        qtbot.waitUntil(lambda: not ui.ctx.runner.busy(), timeout=WAIT_MS)
    finally:
        watcher.stop()
        vpcd.remove()
        ui.close()
