"""Damaged-card exchange from the keyboard: two cards, a supervisor, a tear, an unfinished one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.card.apdu import Ins
from app.journal import Outcome, RecordKind
from app.services.exchange import ExchangeStage
from app.store import card_links
from app.ui.flows.exchange import ExchangeDialog
from tests.ui.flows_support import (
    SUPERVISOR_PASSWORD,
    activate,
    flows,
    focused,
    press,
    settle,
    shown,
    type_text,
)

__all__ = ["flows"]  # the fixture
OLD = "3104000000001234"
NEW = "3104000000005678"


@pytest.fixture
def stock(make_rig):
    return make_rig(serial=bytes.fromhex(NEW), balance_fen=0)


def _dialog(qtbot, flows):
    dialog = shown(qtbot, ExchangeDialog(flows.ctx, exchanges=flows.exchange_service()))
    settle(qtbot, dialog)
    return dialog


def _approve(qtbot, dialog):
    qtbot.waitUntil(
        lambda: dialog.approval_dialog is not None and dialog.approval_dialog.isVisible()
    )
    approval = dialog.approval_dialog
    type_text(qtbot, approval, "sup1")
    press(qtbot, approval, Qt.Key.Key_Tab)
    type_text(qtbot, approval, SUPERVISOR_PASSWORD)
    press(qtbot, approval, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not approval.isVisible(), timeout=10_000)
    settle(qtbot, dialog)
    activate(qtbot, dialog)


def _read_and_start(qtbot, flows, dialog, old):
    flows.reader.put(old)
    assert focused(dialog) is dialog.read_button
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert (dialog.old_card.text(), dialog.old_balance.text(), dialog.fee.text()) == (
        OLD,
        "¥50.00",
        "¥10.00",
    )
    assert focused(dialog) is dialog.fee_payment
    press(qtbot, dialog, Qt.Key.Key_Return)  # fee in cash; Enter asks the supervisor
    _approve(qtbot, dialog)
    assert dialog.status.stage is ExchangeStage.NEW_CARD
    assert "put the new card on the reader" in dialog.stage_text.text()
    assert old.reload().profile.blocked and old.reload().profile.balance_fen == 0


def _exchanged(flows, old, stock):
    assert stock.reload().profile.balance_fen == 5_000
    assert card_links.successor(flows.counter.store, OLD).new_serial == NEW
    (done,) = [
        r
        for r in flows.counter.journal.records_of_kinds(RecordKind.EXCHANGE)
        if r.payload_dict().get("outcome") == Outcome.DONE
    ]
    assert done.payload_dict()["approver"] == "sup1"
    assert flows.counter.journal.open_intents() == []


def test_the_balance_moves_from_the_damaged_card_to_the_new_one(qtbot, flows, rig, stock):
    dialog = _dialog(qtbot, flows)
    receipts = []
    dialog.receipt_ready.connect(receipts.append)
    _read_and_start(qtbot, flows, dialog, rig)
    assert focused(dialog) is dialog.continue_button
    flows.reader.put(stock)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert dialog.status.stage is ExchangeStage.DONE
    assert f"was exchanged for card {NEW}: ¥50.00 moved" in dialog.message_text()
    _exchanged(flows, rig, stock)
    (receipt,) = receipts
    assert "exchange" in receipt.title and not receipt.is_copy
    assert not dialog.continue_button.isEnabled() and not dialog.start_button.isEnabled()


def test_a_torn_load_and_a_closed_dialog_lose_nothing(qtbot, flows, rig, stock):
    dialog = _dialog(qtbot, flows)
    _read_and_start(qtbot, flows, dialog, rig)
    flows.reader.put(stock)
    stock.faulty.tear_after(ins=Ins.CREDIT_FOR_LOAD)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "left the reader" in dialog.message_text()
    assert "Do not give out the new card yet" in dialog.message_text()
    assert dialog.status.stage is ExchangeStage.NEW_CARD
    press(qtbot, dialog, Qt.Key.Key_Escape)  # the clerk closes the dialog meanwhile
    assert not dialog.isVisible()

    again = _dialog(qtbot, flows)  # opened later: the unfinished exchange is shown
    assert f"The exchange of card {OLD} is not finished" in again.message_text()
    assert focused(again) is again.continue_button
    stock.faulty.reinsert()
    press(qtbot, again, Qt.Key.Key_Return)
    settle(qtbot, again)
    assert again.status.stage is ExchangeStage.DONE
    _exchanged(flows, rig, stock)
    assert stock.reload().profile.online_atc == 1  # loaded once, never twice


def test_the_wrong_card_for_the_exchange_is_refused(qtbot, flows, rig, stock):
    dialog = _dialog(qtbot, flows)
    flows.reader.put(rig)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    flows.reader.put(stock)  # the card was swapped before the supervisor came
    press(qtbot, dialog, Qt.Key.Key_Return)
    _approve(qtbot, dialog)
    assert f"Card {NEW} is on the reader, not damaged card {OLD}" in dialog.message_text()
    assert not rig.reload().profile.blocked and stock.reload().profile.balance_fen == 0
    assert flows.counter.journal.records_of_kinds(RecordKind.EXCHANGE_INTENT) == []
