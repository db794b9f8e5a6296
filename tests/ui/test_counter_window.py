"""The counter window driven from the keyboard against the real services and a virtual card.

Every test runs a counter set up by the composition root in tmp_path (keystore, journal, store,
SAM, services), the card thread and the task runner, and the virtual card in-process behind
fault injection. The clerk's side is keys only: F-keys, mnemonics (Alt+…), typing, Enter, Esc.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from app.card.apdu import Ins
from app.domain.people import Role
from app.journal import Outcome, RecordKind
from app.services.recovery import Settlement
from app.store import shifts as shift_rows
from app.ui.shift_dialogs import ShiftCloseDialog
from app.ui.topup_dialog import TopUpDialog
from tests.ui.flows_support import answer
from tests.ui.ui_support import (
    ADMIN,
    CLERK,
    SUPERVISOR,
    WAIT_MS,
    build_ui_rig,
    focused,
    has_focus,
    type_into,
)

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SERIAL = "3104000000001234"


def _kinds(ui) -> list[str]:
    return [r.kind for r in ui.counter.journal.records()]


def _outcomes(ui) -> list:
    return [r for r in ui.counter.journal.records() if r.kind == RecordKind.LOAD_OUTCOME]


def _ready(qtbot, ui, window):
    """Clerk signed in with an open shift, the card tapped, the window active."""
    ui.sign_in(CLERK)
    ui.open_shift(50_000)
    ui.tap(qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def _open_topup(qtbot, window) -> TopUpDialog:
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.topup_dialog is not None, timeout=WAIT_MS)
    dialog = window.topup_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _all_text(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


# -- sign-in, shift -----------------------------------------------------------------------------


def test_sign_in_then_open_the_shift_from_the_keyboard(qtbot, ui_rig, main_window):
    main_window.start()
    dialog = main_window.sign_in_dialog
    qtbot.waitExposed(dialog)
    assert has_focus(qtbot, dialog.username)
    type_into(qtbot, dialog.username, CLERK[0])
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)  # Enter moves on to the password
    assert has_focus(qtbot, dialog.password)
    type_into(qtbot, dialog.password, "not-the-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Wrong username or password" in dialog.message_text(), timeout=WAIT_MS)
    assert ui_rig.ctx.session.actor is None and dialog.password.text() == ""
    assert dialog.isVisible()

    type_into(qtbot, dialog.password, CLERK[2])
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ui_rig.ctx.session.actor is not None, timeout=WAIT_MS)
    assert ui_rig.ctx.session.actor.username == CLERK[0]
    assert main_window.status.operator.text() == "Operator: 王芳 (clerk)"

    # no open shift: the float dialog follows at once
    qtbot.waitUntil(lambda: getattr(main_window, "shift_open_dialog", None) is not None)
    opening = main_window.shift_open_dialog
    qtbot.waitExposed(opening)
    assert has_focus(qtbot, opening.float_edit)
    type_into(qtbot, opening.float_edit, "500")
    qtbot.keyClick(opening.float_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ui_rig.ctx.session.shift is not None, timeout=WAIT_MS)
    assert ui_rig.ctx.session.shift.opening_float_fen == 50_000
    assert main_window.status.shift.text().startswith("Shift 1 since")
    kinds = _kinds(ui_rig)
    assert kinds.count(RecordKind.SIGN_IN_FAILED) == 1
    assert kinds[-2:] == [RecordKind.SIGN_IN, RecordKind.SHIFT_OPEN]


def test_first_run_creates_the_administrator_and_signs_in(qtbot, tmp_path, rig):
    from app.ui.main_window import MainWindow  # noqa: PLC0415

    ui = build_ui_rig(tmp_path / "fresh", rig, staff=False)
    try:
        window = MainWindow(ui.ctx, ui.bridge)
        qtbot.addWidget(window)
        window.start()
        dialog = window.sign_in_dialog
        qtbot.waitExposed(dialog)
        assert dialog.first_admin_shown()
        name, shown, password = ADMIN
        for field, text in (
            (dialog.admin_username, name),
            (dialog.admin_name, shown),
            (dialog.admin_password, password),
        ):
            assert has_focus(qtbot, field)
            type_into(qtbot, field, text)
            qtbot.keyClick(field, Qt.Key.Key_Return)
        type_into(qtbot, dialog.admin_repeat, "a different one")
        qtbot.keyClick(dialog.admin_repeat, Qt.Key.Key_Return)
        assert "differ" in dialog.message_text()
        assert ui.counter.operators.needs_first_admin()  # nothing was created
        type_into(qtbot, dialog.admin_repeat, password)
        qtbot.keyClick(dialog.admin_repeat, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: ui.ctx.session.actor is not None, timeout=WAIT_MS)
        assert ui.ctx.session.actor.role is Role.ADMIN
        assert not ui.counter.operators.needs_first_admin()
        qtbot.waitUntil(lambda: not ui.ctx.runner.busy(), timeout=WAIT_MS)
    finally:
        ui.close()


# -- the card and the top-up --------------------------------------------------------------------


def test_a_tap_fills_the_panel_and_enables_the_top_up(qtbot, ui_rig, main_window):
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift()
    assert "topup" not in main_window.action_panel.enabled_keys()  # no card yet
    ui_rig.tap(qtbot)
    panel = main_window.card_panel
    assert panel.balance_text() == "¥50.00"
    assert panel.field_text("holder") == "张*"
    assert panel.field_text("type") == "普通卡 (01)"
    assert "card present" in main_window.status.reader.text()
    assert "topup" in main_window.action_panel.enabled_keys()
    ui_rig.remove(qtbot)
    assert panel.balance_text() == "—"
    assert ui_rig.ctx.session.card is None
    assert "topup" not in main_window.action_panel.enabled_keys()


def test_top_up_with_the_keyboard_only(qtbot, ui_rig, main_window):
    _ready(qtbot, ui_rig, main_window)
    dialog = _open_topup(qtbot, main_window)
    assert has_focus(qtbot, dialog.amount)
    assert "top-ups of ¥10.00 to ¥1,000.00" in dialog.limits.text()
    assert "at most ¥950.00 can be loaded now" in dialog.limits.text()
    # a button's mnemonic clicks it after its ~100 ms press animation: wait for the effect
    qtbot.keyClick(focused(), Qt.Key.Key_3, ALT)  # preset 3: ¥50
    qtbot.waitUntil(lambda: dialog.amount.text() == "50", timeout=WAIT_MS)
    qtbot.keyClick(focused(), Qt.Key.Key_W, ALT)  # WeChat Pay
    qtbot.waitUntil(lambda: dialog.payment_method() == "wechat", timeout=WAIT_MS)
    # the service's own check passed before anything is confirmed
    qtbot.waitUntil(lambda: "the balance becomes ¥100.00" in dialog.check_line.text())
    dialog.amount.setFocus()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.page() != TopUpDialog.WRITING, timeout=WAIT_MS)
    assert dialog.page() == TopUpDialog.DONE, dialog.message_text()
    summary = dialog.summary.text()
    assert "Loaded ¥50.00 by WeChat Pay" in summary
    assert "Balance ¥50.00 → ¥100.00" in summary
    (outcome,) = _outcomes(ui_rig)
    assert outcome.payload_dict()["outcome"] == Outcome.DONE
    assert outcome.payment_method == "wechat" and outcome.amount_fen == 5_000
    assert ui_rig.rig.reload().profile.balance_fen == 10_000
    qtbot.waitUntil(lambda: main_window.card_panel.balance_text() == "¥100.00", timeout=WAIT_MS)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Done
    qtbot.waitUntil(lambda: main_window.topup_dialog is None, timeout=WAIT_MS)


def test_amounts_the_rules_refuse_are_said_before_confirming(qtbot, ui_rig, main_window):
    _ready(qtbot, ui_rig, main_window)
    dialog = _open_topup(qtbot, main_window)
    type_into(qtbot, dialog.amount, "15")
    assert "not a multiple of ¥10.00" in dialog.check_line.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.page() == TopUpDialog.AMOUNT  # nothing was started
    dialog.amount.clear()
    type_into(qtbot, dialog.amount, "960")
    assert "ceiling" in dialog.check_line.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: main_window.topup_dialog is None, timeout=WAIT_MS)
    assert _outcomes(ui_rig) == [] and ui_rig.counter.journal.open_intents() == []


def test_presets_above_what_the_card_can_take_are_disabled(qtbot, ui_rig, main_window, make_rig):
    nearly_full = make_rig(serial=bytes.fromhex("3104000000005678"), balance_fen=95_000)
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift()
    ui_rig.tap(qtbot, nearly_full)
    main_window.activateWindow()
    dialog = _open_topup(qtbot, main_window)
    enabled = [fen for fen, b in dialog.preset_buttons.items() if b.isEnabled()]
    assert enabled == [1_000, 2_000, 5_000]
    assert "at most ¥50.00 can be loaded now" in dialog.limits.text()


def test_a_card_swapped_under_the_dialog_is_not_loaded(qtbot, ui_rig, main_window, make_rig):
    _ready(qtbot, ui_rig, main_window)
    dialog = _open_topup(qtbot, main_window)
    type_into(qtbot, dialog.amount, "20")
    other = make_rig(serial=bytes.fromhex("3104000000005678"))
    ui_rig.reader.put(other)  # put down before the reader's event reached the window
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not card " + SERIAL in dialog.message_text(), timeout=WAIT_MS)
    assert dialog.page() == TopUpDialog.AMOUNT
    assert _outcomes(ui_rig) == [] and ui_rig.counter.journal.open_intents() == []
    assert other.reload().profile.balance_fen == 5_000


def _pull_mid_write(qtbot, ui, window, fault: str, amount: str) -> TopUpDialog:
    dialog = _open_topup(qtbot, window)
    type_into(qtbot, dialog.amount, amount)
    getattr(ui.rig.faulty, fault)(ins=Ins.CREDIT_FOR_LOAD)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.page() == TopUpDialog.INTERRUPTED, timeout=WAIT_MS)
    assert "Put the same card back" in _all_text(dialog)
    assert len(ui.counter.journal.open_intents()) == 1
    return dialog


def test_card_pulled_mid_write_then_put_back_done(qtbot, ui_rig, main_window):
    _ready(qtbot, ui_rig, main_window)
    dialog = _pull_mid_write(qtbot, ui_rig, main_window, "tear_after", "30")
    assert ui_rig.rig.reload().profile.balance_fen == 8_000  # the card has it; the counter not yet
    ui_rig.remove(qtbot)
    ui_rig.tap(qtbot)  # the same card comes back: the tap step settles the intent
    qtbot.waitUntil(lambda: dialog.page() == TopUpDialog.SETTLED, timeout=WAIT_MS)
    assert dialog.resolution.settlement is Settlement.DONE
    assert dialog.settled_what.text().startswith("Done: the interrupted top-up of ¥30.00")
    assert "Give the customer the receipt" in dialog.settled_advice.text()
    assert main_window.notices == []  # the dialog took it: said once
    assert ui_rig.counter.journal.open_intents() == []
    (outcome,) = _outcomes(ui_rig)
    assert outcome.payload_dict()["outcome"] == Outcome.DONE
    assert outcome.payload_dict()["recovered"] is True
    assert ui_rig.rig.reload().profile.balance_fen == 8_000
    assert main_window.card_panel.balance_text() == "¥80.00"


def test_card_pulled_mid_write_then_put_back_not_done_and_redone(qtbot, ui_rig, main_window):
    _ready(qtbot, ui_rig, main_window)
    dialog = _pull_mid_write(qtbot, ui_rig, main_window, "tear_before", "30")
    ui_rig.remove(qtbot)
    ui_rig.tap(qtbot)
    qtbot.waitUntil(lambda: dialog.page() == TopUpDialog.SETTLED, timeout=WAIT_MS)
    assert dialog.resolution.settlement is Settlement.NOT_DONE
    assert dialog.settled_what.text().startswith("Not done")
    assert "Redo the top-up, or give the customer ¥30.00 back" in dialog.settled_advice.text()
    assert ui_rig.rig.reload().profile.balance_fen == 5_000
    assert main_window.notices == []  # the dialog took it
    # Enter: redo, same amount and method, on the card as read after the settle
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert dialog.page() == TopUpDialog.AMOUNT and dialog.amount.text() == "30"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.page() == TopUpDialog.DONE, timeout=WAIT_MS)
    done = [o for o in _outcomes(ui_rig) if o.payload_dict()["outcome"] == Outcome.DONE]
    assert len(done) == 1 and done[0].amount_fen == 3_000
    assert ui_rig.rig.reload().profile.balance_fen == 8_000
    assert ui_rig.counter.journal.verify().ok


def test_an_interrupted_top_up_found_on_a_later_tap_is_told_by_the_window(
    qtbot, ui_rig, main_window
):
    _ready(qtbot, ui_rig, main_window)
    dialog = _pull_mid_write(qtbot, ui_rig, main_window, "tear_after", "20")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # Esc does not close while money is undecided
    assert dialog.isVisible() and "not settled yet" in dialog.message_text()
    dialog.close()  # nor does the window's close button
    assert dialog.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_U, ALT)  # "Leave it unfinished…"
    answer(qtbot, dialog)  # an explicit yes
    qtbot.waitUntil(lambda: main_window.topup_dialog is None, timeout=WAIT_MS)
    # the window keeps saying it, whatever happens meanwhile, until the card is back
    qtbot.waitUntil(lambda: "Unfinished top-up" in main_window.unfinished_text(), timeout=WAIT_MS)
    assert SERIAL in main_window.unfinished_text() and "¥20.00" in main_window.unfinished_text()
    ui_rig.remove(qtbot)
    assert "Unfinished top-up" in main_window.unfinished_text()
    ui_rig.tap(qtbot)
    qtbot.waitUntil(lambda: bool(main_window.notices), timeout=WAIT_MS)
    what, advice = main_window.notices[-1]
    assert what.startswith("Done: the interrupted top-up of ¥20.00 on card " + SERIAL)
    assert "Give the customer the receipt" in advice
    assert ui_rig.counter.journal.open_intents() == []
    qtbot.waitUntil(lambda: main_window.unfinished_text() == "", timeout=WAIT_MS)


# -- roles --------------------------------------------------------------------------------------


def test_actions_are_shown_by_role_and_enabled_by_state(qtbot, ui_rig, main_window):
    opened: list[str] = []
    main_window.add_flow(
        "grey_records",
        "&Grey records",
        QKeySequence(Qt.Key.Key_F8),
        lambda: opened.append("grey"),
        needs_card=False,
        needs_shift=False,
        min_role=Role.SUPERVISOR,
    )
    main_window.add_flow(
        "loss",
        "&Loss report",
        QKeySequence(Qt.Key.Key_F3),
        lambda: opened.append("loss"),
        needs_card=False,
        needs_shift=True,
        min_role=Role.CLERK,
    )
    panel = main_window.action_panel
    assert panel.enabled_keys() == []  # nobody signed in
    assert panel.flow("grey_records").button.text() == "F8   &Grey records"

    ui_rig.sign_in(CLERK)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow, timeout=WAIT_MS)
    assert panel.visible_keys() == ["topup", "loss"]
    assert panel.enabled_keys() == []  # no shift yet
    qtbot.keyClick(main_window, Qt.Key.Key_F8)
    qtbot.keyClick(main_window, Qt.Key.Key_F3)
    assert opened == []
    ui_rig.open_shift()
    assert panel.enabled_keys() == ["loss"]  # top-up still needs a card
    qtbot.keyClick(main_window, Qt.Key.Key_F3)
    qtbot.keyClick(main_window, Qt.Key.Key_F8)
    assert opened == ["loss"]

    ui_rig.ctx.session.sign_out()
    ui_rig.sign_in(SUPERVISOR)
    assert panel.visible_keys() == ["topup", "loss", "grey_records"]
    qtbot.keyClick(main_window, Qt.Key.Key_F8)
    assert opened == ["loss", "grey"]


def test_a_flow_key_or_shortcut_cannot_be_registered_twice(main_window):
    import pytest  # noqa: PLC0415

    with pytest.raises(ValueError, match="already"):
        main_window.add_flow(
            "other", "x", QKeySequence(Qt.Key.Key_F2), lambda: None, False, False, Role.CLERK
        )
    with pytest.raises(ValueError, match="already"):
        main_window.add_flow(
            "topup", "x", QKeySequence(Qt.Key.Key_F6), lambda: None, False, False, Role.CLERK
        )


# -- closing the shift, signing out ---------------------------------------------------------------


def _top_up_cash(ui, fen: int) -> None:
    actor, shift = ui.ctx.session.actor, ui.ctx.session.shift
    ui.counter.topups.top_up(actor, shift.id, ui.rig.open(), fen, "cash")


def _close_dialog(qtbot, window) -> ShiftCloseDialog:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: getattr(window, "shift_close_dialog", None) is not None)
    dialog = window.shift_close_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _count(qtbot, dialog: ShiftCloseDialog, pieces: dict[int, int]) -> None:
    """Type the count field by field (Enter moves on; Enter on the last declares)."""
    for denomination, edit in dialog.pieces.items():
        assert has_focus(qtbot, edit)
        if pieces.get(denomination):
            type_into(qtbot, edit, str(pieces[denomination]))
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_close_the_shift_with_a_blind_count(qtbot, ui_rig, main_window):
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift(50_000)
    _top_up_cash(ui_rig, 5_000)  # expected cash: ¥550.00
    dialog = _close_dialog(qtbot, main_window)
    assert dialog.page() == ShiftCloseDialog.COUNT
    assert "550" not in _all_text(dialog)  # blind: the expected amount is nowhere yet
    _count(qtbot, dialog, {10_000: 5, 5_000: 1, 50: 1})  # ¥550.50: within the ¥5 tolerance
    qtbot.waitUntil(lambda: dialog.page() == ShiftCloseDialog.CLOSED, timeout=WAIT_MS)
    summary = dialog.summary.text()
    assert "Expected cash: ¥550.00" in summary
    assert "Counted cash: ¥550.50" in summary
    assert "Difference: ¥0.50 (more than expected)" in summary
    assert ui_rig.ctx.session.shift is None
    stored = shift_rows.get(ui_rig.counter.store, dialog.close_result.shift_id)
    assert not stored.is_open and stored.counted_cash_fen == 55_050
    assert main_window.status.shift.text() == "No open shift"


def test_a_difference_beyond_tolerance_needs_a_reason_and_a_supervisor(qtbot, ui_rig, main_window):
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift(50_000)
    _top_up_cash(ui_rig, 5_000)
    dialog = _close_dialog(qtbot, main_window)
    _count(qtbot, dialog, {10_000: 5})  # ¥500 counted, ¥550 expected
    qtbot.waitUntil(lambda: dialog.page() == ShiftCloseDialog.JUSTIFY, timeout=WAIT_MS)
    figures = dialog.figures.text()
    assert "Expected cash: ¥550.00" in figures and "Difference: -¥50.00" in figures
    # the count is final now, and the shift takes no more transactions
    qtbot.waitUntil(lambda: ui_rig.ctx.session.shift.count_final, timeout=WAIT_MS)
    assert "topup" not in main_window.action_panel.enabled_keys()
    assert has_focus(qtbot, dialog.reason)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason yet
    assert "Write down why" in dialog.message_text()
    type_into(qtbot, dialog.reason, "一张50元找错给了顾客")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(dialog, "approval_dialog", None) is not None)
    approval = dialog.approval_dialog
    qtbot.waitExposed(approval)
    type_into(qtbot, approval.username, SUPERVISOR[0])
    qtbot.keyClick(approval.username, Qt.Key.Key_Return)
    type_into(qtbot, approval.password, SUPERVISOR[2])
    qtbot.keyClick(approval.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.page() == ShiftCloseDialog.CLOSED, timeout=WAIT_MS)
    result = dialog.close_result
    assert result.approver == SUPERVISOR[0]
    assert result.reason == "一张50元找错给了顾客"
    assert result.difference_fen == -5_000
    assert ui_rig.ctx.session.shift is None


def test_sign_out_journals_and_asks_for_the_next_operator(qtbot, ui_rig, main_window):
    ui_rig.sign_in(CLERK)
    ui_rig.open_shift()
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(main_window, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: ui_rig.ctx.session.actor is None, timeout=WAIT_MS)
    assert _kinds(ui_rig)[-1] == RecordKind.SIGN_OUT
    dialog = main_window.sign_in_dialog
    qtbot.waitExposed(dialog)
    assert main_window.action_panel.enabled_keys() == []
    assert main_window.status.operator.text() == "Nobody signed in"
    # the shift stays open: the clerk finds it again when signing back in
    type_into(qtbot, dialog.username, CLERK[0])
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    type_into(qtbot, dialog.password, CLERK[2])
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ui_rig.ctx.session.shift is not None, timeout=WAIT_MS)
    assert ui_rig.ctx.session.shift.id == 1
