"""The flows on the real main window: F-keys, roles, what each needs, the tools and settings."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.flows import register_flows
from app.ui.flows.grey_records import GreyRecordsDialog
from app.ui.flows.loss import LossDialog
from app.ui.flows.refund import RefundDialog
from app.ui.flows.settings_dialog import SettingsDialog
from tests.ui.flows_support import activate
from tests.ui.ui_support import SUPERVISOR, main_window, ui_rig

__all__ = ["main_window", "ui_rig"]  # the fixtures

F_KEYS = {
    "loss": "F3",
    "replacement": "F4",
    "exchange": "F5",
    "refund": "F6",
    "void_reprint": "F7",
    "grey_records": "F8",
}


def test_flows_have_their_f_keys_and_open_from_the_keyboard(qtbot, ui_rig, main_window, tmp_path):
    openers = register_flows(main_window, ui_rig.ctx, settings_path=tmp_path / "settings.json")
    panel = main_window.action_panel
    for key, f_key in F_KEYS.items():
        assert panel.flow(key).shortcut.toString() == f_key
    ui_rig.sign_in()
    ui_rig.open_shift()
    assert "grey_records" not in panel.visible_keys()  # a clerk does not see it
    assert {"loss", "replacement", "void_reprint"} <= set(panel.enabled_keys())
    assert not {"refund", "exchange"} & set(panel.enabled_keys())  # no card on the reader yet

    main_window.activateWindow()
    qtbot.waitActive(main_window)
    qtbot.keyClick(main_window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: isinstance(openers.last, LossDialog) and openers.last.isVisible())
    loss = openers.last
    qtbot.keyClick(loss.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not loss.isVisible())

    ui_rig.tap(qtbot)  # a card on the reader: the card flows open
    assert {"refund", "exchange"} <= set(panel.enabled_keys())
    activate(qtbot, main_window)  # offscreen: nothing gives the focus back after a dialog
    qtbot.keyClick(main_window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: isinstance(openers.last, RefundDialog))
    refund = openers.last
    qtbot.waitUntil(lambda: not refund.busy, timeout=10_000)
    assert refund.card.text() == "3104000000001234" and refund.amount.text() == "¥70.00"
    refund.reject()


def test_supervisor_tools_and_settings(qtbot, ui_rig, main_window, tmp_path):
    languages = []
    openers = register_flows(
        main_window,
        ui_rig.ctx,
        settings_path=tmp_path / "settings.json",
        on_language_changed=languages.append,
    )
    openers.list_readers = lambda: ["Virtual PCD 00 00"]  # not the machine's pcscd
    ui_rig.sign_in(SUPERVISOR)
    assert "grey_records" in main_window.action_panel.visible_keys()
    tools = [a.text() for a in main_window.tools_menu.actions() if a.isVisible()]
    assert "&Journal: verify and export…" in tools
    assert "&Sync with the clearing center…" in tools

    openers.grey_records()
    assert isinstance(openers.last, GreyRecordsDialog)
    qtbot.waitUntil(lambda: not openers.last.busy, timeout=10_000)
    openers.last.reject()

    main_window.settings_action.trigger()
    qtbot.waitUntil(lambda: isinstance(openers.last, SettingsDialog))
    settings = openers.last
    qtbot.waitUntil(lambda: not settings.busy, timeout=10_000)
    settings.language.setCurrentIndex(settings.language.findData("en"))
    settings.save()
    qtbot.waitUntil(lambda: languages == ["en"], timeout=10_000)
    assert (tmp_path / "settings.json").exists()
