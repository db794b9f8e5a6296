"""Replacement from the keyboard: the waiting period, no center, a replacement that goes through."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.composition import now_utc
from app.journal import RecordKind
from app.services.replacement import ReplacementService, SettledBalance
from app.store import card_links
from app.ui.flows.replacement import ReplacementDialog
from tests.ui.flows_support import (
    HOLDER_ID,
    HOLDER_SERIAL,
    flows,
    focused,
    press,
    settle,
    shown,
    type_text,
)

__all__ = ["flows"]  # the fixture
STOCK = "3104000000005678"


@pytest.fixture
def reported(flows):
    """The holder's card reported lost; a new stock card on the reader."""
    flows.register_holder()
    flows.counter.loss.report_loss(
        flows.clerk, flows.ctx.session.shift.id, HOLDER_SERIAL, HOLDER_ID
    )
    return flows


@pytest.fixture
def stock(reported, make_rig):
    card = make_rig(serial=bytes.fromhex(STOCK), balance_fen=0)
    reported.reader.put(card)
    return card


def _check(qtbot, dialog):
    assert focused(dialog) is dialog.lost
    type_text(qtbot, dialog, HOLDER_SERIAL.lower())
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)


def test_the_waiting_period_is_said_and_nothing_can_be_replaced(qtbot, reported, stock):
    dialog = shown(qtbot, ReplacementDialog(reported.ctx))
    _check(qtbot, dialog)
    assert "still in its waiting period" in dialog.status.text()
    assert ", in 7 day(s)." in dialog.status.text()
    assert "not over yet" in dialog.message_text()
    assert not dialog.replace_button.isEnabled()
    assert dialog.fee.text() == "¥20.00"


def test_without_a_clearing_center_it_says_the_center_is_unavailable(qtbot, reported, stock):
    reported.set_parameters(replacement_waiting_days=0)
    dialog = shown(qtbot, ReplacementDialog(reported.ctx))
    _check(qtbot, dialog)
    assert "can be replaced now" in dialog.status.text()
    assert focused(dialog) is dialog.fee_payment
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    text = dialog.message_text()
    assert "Center unavailable" in text and HOLDER_SERIAL in text
    assert "Try again when the counter is online" in text
    assert dialog.message.kind == "problem"
    assert stock.reload().profile.balance_fen == 0
    assert reported.counter.journal.records_of_kinds(RecordKind.REPLACEMENT) == []


def test_an_unknown_card_is_refused_in_plain_words(qtbot, reported):
    dialog = shown(qtbot, ReplacementDialog(reported.ctx))
    type_text(qtbot, dialog, "3104000000000000")
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "has no loss report at this counter" in dialog.message_text()
    assert not dialog.replace_button.isEnabled()


class SettledAt:
    """The clearing center's answer, fixed (its client is tested with a real center elsewhere)."""

    def settled_balance(self, card_serial: str) -> SettledBalance:
        return SettledBalance(card_serial, 3_450)


def test_the_settled_balance_moves_onto_the_new_card(qtbot, reported, stock):
    reported.set_parameters(replacement_waiting_days=0)
    counter = reported.counter
    counter.replacements = ReplacementService(
        counter.journal, counter.store, counter.topups, SettledAt(), now_utc
    )
    dialog = shown(qtbot, ReplacementDialog(reported.ctx))
    receipts = []
    dialog.receipt_ready.connect(receipts.append)
    _check(qtbot, dialog)
    press(qtbot, dialog, Qt.Key.Key_Down)  # fee paid by bank card
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    text = dialog.message_text()
    assert f"is replaced by card {STOCK}" in text and "¥34.50" in text and "Bank card" in text
    assert stock.reload().profile.balance_fen == 3_450
    assert card_links.successor(counter.store, HOLDER_SERIAL).new_serial == STOCK
    (record,) = counter.journal.records_of_kinds(RecordKind.REPLACEMENT)
    assert record.payment_method == "bank_card" and record.amount_fen == 2_000
    (receipt,) = receipts
    assert receipt.journal_seq == record.seq and not receipt.is_copy
    assert not dialog.replace_button.isEnabled()  # done: not twice
