"""The window tells the truth about the card on the reader (issue 17, problems 1 and 2).

A real counter, the virtual card in-process, the window's real plumbing: after every operation
that touches the card the big balance is the card's own; a lost or returned card shows its real
balance or "unreadable" — never ¥0.00 — and F2 is disabled at tap time with the reason on screen,
in words (never a reason code), in the window's language.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.reports.build import shift_report
from app.services.card_reading import CardStatus
from app.services.tap import CounterAction, TapService
from app.store import blacklist
from app.ui.flows.refund import RefundDialog, RefundStage
from app.ui.flows.void_reprint import VoidReprintDialog
from app.ui.i18n import LanguageSwitcher
from app.ui.main_window import MainWindow
from app.ui.scenic import install_scenic
from cardsim.profile import HolderFields
from tests.ui.flows_support import (
    HOLDER_ID,
    HOLDER_NAME,
    SUPERVISOR_PASSWORD,
    answer,
    flows,
    press,
    settle,
    shown,
    type_text,
)

__all__ = ["flows"]  # the fixture

WAIT_MS = 10_000


@pytest.fixture
def window(qtbot, flows):
    window = MainWindow(flows.ctx, flows.ui.bridge)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def _card_balance(card) -> str:
    return Fen(card.reload().profile.balance_fen).yuan_text()


def _shows_the_cards_balance(qtbot, window, card) -> None:
    qtbot.waitUntil(
        lambda: window.card_panel.balance_text() == _card_balance(card), timeout=WAIT_MS
    )


def _approve(qtbot, owner):
    qtbot.waitUntil(lambda: owner.approval_dialog is not None and owner.approval_dialog.isVisible())
    approval = owner.approval_dialog
    type_text(qtbot, approval, "sup1")
    press(qtbot, approval, Qt.Key.Key_Tab)
    type_text(qtbot, approval, SUPERVISOR_PASSWORD)
    press(qtbot, approval, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not approval.isVisible(), timeout=WAIT_MS)


def test_the_balance_is_the_cards_after_a_void(qtbot, flows, window, rig):
    flows.tap(qtbot, rig)
    shift = flows.ctx.session.shift
    flows.counter.topups.top_up(flows.clerk, shift.id, rig.open(), 3_000, PaymentMethod.CASH)
    flows.tap(qtbot, rig)
    assert window.card_panel.balance_text() == "¥80.00"
    dialog = shown(qtbot, VoidReprintDialog(flows.ctx, window, voids=flows.counter.voids))
    settle(qtbot, dialog)
    press(qtbot, dialog, Qt.Key.Key_Return)
    _approve(qtbot, dialog)
    settle(qtbot, dialog)
    assert rig.reload().profile.balance_fen == 5_000
    _shows_the_cards_balance(qtbot, window, rig)  # not the stale ¥80.00
    assert window.card_panel.balance_text() == "¥50.00"
    # the shift report: one void, and the void's debit is not a 消费 (purchase)
    report = shift_report(flows.counter.journal, flows.counter.store, shift.id)
    kinds = [line.kind for line in report.figures.totals]
    assert report.figures.voids == 1 and RecordKind.PURCHASE_OUTCOME not in kinds


def test_the_balance_is_the_cards_after_a_scenic_purse_sale(qtbot, flows, window, rig):
    page = install_scenic(window, flows.ui.bridge, scenic_mode=True)
    flows.tap(qtbot, rig)
    page.payment.setCurrentIndex(page.payment.findData("card_purse"))
    page.add_ticket("adult")
    page.pay()
    answer(qtbot, page)  # the card, its balance and the amount were shown first
    qtbot.waitUntil(lambda: page.last_sale is not None, timeout=WAIT_MS)
    assert rig.reload().profile.balance_fen == 1_000
    _shows_the_cards_balance(qtbot, window, rig)
    assert flows.ctx.session.card is not None and flows.ctx.session.card.balance_fen == 1_000
    # a ticket paid from the purse is a real 消费: the report keeps it
    shift = flows.ctx.session.shift
    report = shift_report(flows.counter.journal, flows.counter.store, shift.id)
    (line,) = [x for x in report.figures.totals if x.kind == RecordKind.PURCHASE_OUTCOME]
    assert (line.count, line.amount_fen) == (1, 4_000)


def test_a_returned_card_shows_blocked_and_refuses_f2(qtbot, flows, window, make_rig):
    card = make_rig(balance_fen=2_000)
    flows.tap(qtbot, card)
    assert "topup" in window.action_panel.enabled_keys()
    dialog = shown(qtbot, RefundDialog(flows.ctx, window))
    settle(qtbot, dialog)
    press(qtbot, dialog, Qt.Key.Key_Return)
    answer(qtbot, dialog)  # money out is confirmed explicitly
    settle(qtbot, dialog)
    assert dialog.stage is RefundStage.DONE
    assert card.reload().profile.blocked
    panel = window.card_panel
    qtbot.waitUntil(lambda: "BLOCKED" in panel.status_text(), timeout=WAIT_MS)
    assert panel.balance_text() in ("Balance unreadable", "¥20.00")  # never a made-up ¥0.00
    assert "Card OK" not in panel.status_text()
    assert "topup" not in window.action_panel.enabled_keys()
    assert "blocked" in panel.refusal_text()


def _report_lost(flows, card_serial: str) -> None:
    flows.register_holder()
    shift = flows.ctx.session.shift
    flows.counter.loss.report_loss(flows.clerk, shift.id, card_serial, HOLDER_ID)


def test_a_lost_card_shows_its_real_balance_and_f2_is_refused_at_tap_time(
    qtbot, flows, window, make_rig
):
    card = make_rig(balance_fen=10_000, holder=HolderFields(1, 0, HOLDER_NAME, HOLDER_ID, 0))
    _report_lost(flows, "3104000000001234")
    tap = flows.tap(qtbot, card)
    assert card.reload().profile.blocked  # blocked by the tap's lost-card step
    assert tap.balance_fen == 10_000 and tap.status is CardStatus.BLOCKED
    assert not tap.may(CounterAction.TOP_UP)
    panel = window.card_panel
    assert panel.balance_text() == "¥100.00"  # the real balance, read before the block
    assert "topup" not in window.action_panel.enabled_keys()
    refusal = panel.refusal_text()
    assert "reported lost" in refusal and "loss_report" not in refusal
    assert refusal.count("reported lost") == 1  # said once
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F2)  # F2 opens nothing
    assert window.topup_dialog is None
    QApplication.processEvents()
    # a second tap: the card now refuses its balance — "unreadable", not ¥0.00
    flows.ui.remove(qtbot)
    again = flows.tap(qtbot, card)
    assert again.balance_fen is None
    assert panel.balance_text() == "Balance unreadable"
    assert "topup" not in window.action_panel.enabled_keys()


def test_the_refusal_is_in_chinese_without_codes(qtbot, flows, window, make_rig):
    card = make_rig(balance_fen=8_800, holder=HolderFields(1, 0, HOLDER_NAME, HOLDER_ID, 0))
    _report_lost(flows, "3104000000001234")
    languages = LanguageSwitcher(QApplication.instance())
    assert languages.switch("zh_CN")
    try:
        flows.tap(qtbot, card)
        panel = window.card_panel
        assert panel.balance_text() == "¥88.00"
        refusal = panel.refusal_text()
        assert "挂失" in refusal, refusal
        assert "loss_report" not in refusal and re.search("[A-Za-z]{3,}", refusal) is None
        button = window.action_panel.flow("topup").button
        assert not button.isEnabled() and "挂失" in button.toolTip()
    finally:
        languages.switch("en")


def test_an_expired_or_foreign_card_is_refused_at_tap_time(qtbot, flows, window, make_rig):
    expired = make_rig(
        serial=bytes.fromhex("3104000000007777"), public_changes={"expiry_date": "20200101"}
    )
    tap = flows.tap(qtbot, expired)
    assert tap.status is CardStatus.EXPIRED and not tap.may(CounterAction.TOP_UP)
    assert "expired" in window.card_panel.refusal_text()
    assert "topup" not in window.action_panel.enabled_keys()
    flows.ui.remove(qtbot)
    good = make_rig(serial=bytes.fromhex("3104000000008888"))
    flows.tap(qtbot, good)
    assert window.card_panel.refusal_text() == ""
    assert "topup" in window.action_panel.enabled_keys()


def test_the_tap_service_is_qt_free_and_judges_a_blacklisted_card(flows, rig):
    """The CLI's way: no bridge, no window; the blacklist entry's code never reaches the words."""
    blacklist.add(flows.counter.store, "3104000000001234", "loss_report", 0)
    counter = flows.counter
    service = TapService(
        flows.reader.connect,
        parameters=counter.topups.parameters,
        listed=lambda serial: blacklist.lookup(counter.store, serial),
    )
    flows.reader.put(rig)
    report = service.tap(None)
    refusal = report.why_not(CounterAction.TOP_UP)
    assert refusal is not None and "loss_report" not in str(refusal)
    assert str(refusal) == "Card 3104000000001234 was reported lost."
    assert report.balance_fen == 5_000  # not blocked: no lost-card step ran here


def test_sign_out_clears_the_last_customers_card(qtbot, flows, window, rig):
    flows.tap(qtbot, rig)
    assert window.card_panel.balance_text() == "¥50.00"
    flows.ctx.session.sign_out()
    assert window.card_panel.balance_text() == "—"
    assert window.card_panel.field_text("holder") == ""
    flows.sign_in(flows.clerk)
    qtbot.waitUntil(lambda: window.card_panel.balance_text() == "¥50.00", timeout=WAIT_MS)


def test_the_card_type_keeps_its_name_over_a_language_round_trip(qtbot, flows, window, rig):
    flows.tap(qtbot, rig)
    assert window.card_panel.field_text("type") == "普通卡 (01)"
    languages = LanguageSwitcher(QApplication.instance())
    try:
        assert languages.switch("zh_CN")
        QApplication.processEvents()
        assert window.card_panel.field_text("type") == "普通卡 (01)"
    finally:
        languages.switch("en")
    QApplication.processEvents()
    assert window.card_panel.field_text("type") == "普通卡 (01)"  # not a bare "01"


def test_a_reread_after_an_operation_is_no_new_tap(qtbot, flows, window, rig):
    """Per-tap work (the scenic entry check counts an entry) must not run again on a re-read."""
    flows.tap(qtbot, rig)
    taps, rereads = [], []
    flows.ui.bridge.tapped.connect(taps.append)
    flows.ui.bridge.read_again.connect(rereads.append)
    shift = flows.ctx.session.shift
    flows.counter.topups.top_up(flows.clerk, shift.id, rig.open(), 1_000, PaymentMethod.CASH)
    flows.ui.bridge.reread()
    qtbot.waitUntil(lambda: bool(rereads), timeout=WAIT_MS)
    assert taps == [] and rereads[0].balance_fen == 6_000
    assert window.card_panel.balance_text() == "¥60.00"
