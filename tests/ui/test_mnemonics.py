"""Every window and dialog of the counter: no two Alt+letters on one key (English and Chinese).

The walk builds the window as production wires it (flows, tools, reports, the scenic page, the
demo's tap panel) with a supervisor signed in (every flow shown) and a card on the reader, then
each dialog in its first state, and fails on any collision (tests/ui/mnemonics.py). Then the
bare digits: with the amount field empty a digit picks a preset.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.settings import Settings
from app.ui.approval import ApprovalDialog
from app.ui.demo_panel import DemoPanel
from app.ui.first_run import FirstRunWizard
from app.ui.flows.reports import ReportsDialog
from app.ui.i18n import LanguageSwitcher
from app.ui.main_window import MainWindow
from app.ui.scenic.pass_dialog import PassSaleDialog
from app.ui.shift_dialogs import ShiftCloseDialog, ShiftOpenDialog
from app.ui.sign_in import SignInDialog, UnlockDialog
from app.ui.startup import Gui, wire_window
from app.ui.topup_dialog import TopUpDialog
from tests.ui.mnemonics import collisions, mnemonic, texts
from tests.ui.ui_support import CLERK, SUPERVISOR, WAIT_MS, UiRig

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture(params=["en", "zh_CN"])
def language(request, qapp):
    languages = LanguageSwitcher(qapp)
    assert languages.switch(request.param)
    yield request.param
    languages.switch("en")


def _wired(qtbot, ui: UiRig) -> MainWindow:
    panel = DemoPanel([("alice", "Alice")], lambda _n: None, lambda: None, "virtual reader")
    window = MainWindow(ui.ctx, ui.bridge, side_panel=panel)
    qtbot.addWidget(window)
    gui = Gui(ui.ctx, ui.bridge, window, ui.card_thread)
    languages = LanguageSwitcher(QApplication.instance())
    languages.language = "zh_CN"  # the fixture switched already; this one only reports it
    wire_window(gui, data_dir=ui.directory, settings=Settings(), languages=languages)
    assert gui.openers is not None
    gui.openers.list_readers = lambda: ["Virtual PCD 00 00"]
    window.gui = gui  # type: ignore[attr-defined]  # kept alive with the window
    return window


def _check(widget: QWidget, name: str, found: dict[str, list[str]]) -> None:
    problems = collisions(widget)
    if problems:
        found[name] = problems


def test_no_two_mnemonics_share_a_key_in_any_window(qtbot, ui_rig, language):
    ui_rig.sign_in(SUPERVISOR)
    ui_rig.open_shift()
    window = _wired(qtbot, ui_rig)
    window.show()
    ui_rig.tap(qtbot)
    gui = window.gui  # type: ignore[attr-defined]
    openers = gui.openers
    found: dict[str, list[str]] = {}
    carriers = [text for _where, text in texts(window)]
    assert len(carriers) >= 10 and any("F4" in t for t in carriers)  # the walk sees the window
    _check(window, "main window (counter page)", found)
    for menu in (window.counter_menu, window.tools_menu):
        assert mnemonic(menu.title()) is not None, menu.title()
    window.show_scenic(True)
    _check(window, "main window (scenic page)", found)
    window.show_scenic(False)

    ctx = ui_rig.ctx
    dialogs: dict[str, Callable[[], QWidget]] = {
        "top-up": lambda: TopUpDialog(ctx, ui_rig.bridge, window),
        "loss": openers.loss,
        "replacement": openers.replacement,
        "exchange": openers.exchange,
        "refund": openers.refund,
        "void/reprint": openers.void_reprint,
        "grey records": openers.grey_records,
        "journal": openers.journal,
        "sync": openers.sync,
        "settings": openers.settings,
        "staff": openers.staff,
        "reports": lambda: ReportsDialog(ctx, window),
        "sign-in": lambda: SignInDialog(ctx, window),
        "unlock": lambda: UnlockDialog(""),
        "shift open": lambda: ShiftOpenDialog(ctx, window),
        "shift close": lambda: ShiftCloseDialog(ctx, window),
        "approval": lambda: ApprovalDialog(ctx, "refund", "Return card", window),
        "annual pass": lambda: PassSaleDialog(ctx, window),
    }
    for name, make in dialogs.items():
        dialog = make()
        qtbot.waitUntil(lambda d=dialog: not getattr(d, "busy", False), timeout=WAIT_MS)
        _check(dialog, name, found)
        kinds = getattr(dialog, "printer_kind", None)
        for index in range(kinds.count() if kinds is not None else 0):
            kinds.setCurrentIndex(index)  # each printer kind shows its own fields
            _check(dialog, f"{name} ({kinds.itemText(index)})", found)
        dialog.close()
    wizard = FirstRunWizard(lambda: ["Virtual PCD 00 00"])
    for page_id in wizard.pageIds():
        page = wizard.page(page_id)
        _check(page, f"first run page {page_id}", found)
    wizard.close()
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def _topup(qtbot, ui_rig, main_window) -> TopUpDialog:
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift()
    ui_rig.tap(qtbot)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(main_window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: main_window.topup_dialog is not None, timeout=WAIT_MS)
    dialog = main_window.topup_dialog
    qtbot.waitUntil(dialog.amount.hasFocus, timeout=WAIT_MS)
    return dialog


def test_bare_digits_pick_presets_while_the_amount_is_empty(qtbot, ui_rig, main_window):
    dialog = _topup(qtbot, ui_rig, main_window)
    assert dialog.amount.text() == ""
    qtbot.keyClick(dialog.amount, Qt.Key.Key_3)  # preset 3: ¥50, not ¥3.00
    assert dialog.amount.text() == "50"
    assert "¥3.00" not in dialog.check_line.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_0)  # a second digit: the clerk typed ¥30
    assert dialog.amount.text() == "30"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_0)  # then plain typing
    assert dialog.amount.text() == "300"
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, "8")  # no preset 8: typed as an amount
    assert dialog.amount.text() == "8"
    dialog.amount.clear()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_6)  # preset 6 is ¥500
    assert dialog.amount.text() == "500"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Backspace)  # an edit ends the preset pick
    qtbot.keyClick(dialog.amount, Qt.Key.Key_1)
    assert dialog.amount.text() == "501"


def test_a_50_yuan_cash_top_up_with_printing_takes_three_keys(qtbot, ui_rig, main_window):
    """Tap to receipt: F2, the preset digit, Enter — the receipt prints by itself."""
    printed: list[int] = []
    main_window.print_receipt = printed.append
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift()
    ui_rig.tap(qtbot)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow, timeout=WAIT_MS)
    keys = 0

    def key(widget, code) -> None:
        nonlocal keys
        keys += 1
        qtbot.keyClick(widget, code)

    key(main_window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: main_window.topup_dialog is not None, timeout=WAIT_MS)
    dialog = main_window.topup_dialog
    qtbot.waitUntil(dialog.amount.hasFocus, timeout=WAIT_MS)
    key(dialog.amount, Qt.Key.Key_3)  # ¥50
    key(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.page() == TopUpDialog.DONE, timeout=WAIT_MS)
    assert dialog.payment_method() == "cash" and dialog.receipt.amount_fen == 5_000
    assert printed == [dialog.receipt.outcome_seq]  # printed without a key
    assert keys == 3
