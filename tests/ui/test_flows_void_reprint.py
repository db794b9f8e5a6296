"""Void and reprint of the last transaction from the keyboard, each approved by a supervisor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.card.apdu import Ins
from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.ui.flows.void_reprint import VoidReprintDialog
from tests.ui.flows_support import (
    SUPERVISOR_PASSWORD,
    flows,
    focused,
    mnemonic,
    press,
    settle,
    shown,
    type_text,
)

__all__ = ["flows"]  # the fixture


@pytest.fixture
def topped_up(flows, rig):
    """The card on the reader, topped up by ¥30.00 cash in the clerk's shift."""
    flows.reader.put(rig)
    shift = flows.ctx.session.shift
    receipt = flows.counter.topups.top_up(
        flows.clerk, shift.id, rig.open(), 3_000, PaymentMethod.CASH
    )
    return receipt


def _dialog(qtbot, flows):
    dialog = shown(qtbot, VoidReprintDialog(flows.ctx, voids=flows.void_service()))
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


def test_the_last_top_up_is_voided_with_a_supervisor(qtbot, flows, rig, topped_up):
    dialog = _dialog(qtbot, flows)
    receipts = []
    dialog.receipt_ready.connect(receipts.append)
    assert f"No. {topped_up.outcome_seq}" in dialog.what.text()
    assert "Top-up of ¥30.00 on card 3104000000001234, paid by Cash" in dialog.what.text()
    assert focused(dialog) is dialog.void_button

    press(qtbot, dialog, Qt.Key.Key_Return)
    _approve(qtbot, dialog)
    text = dialog.message_text()
    assert f"Top-up no. {topped_up.outcome_seq} is voided" in text
    assert "Give the customer ¥30.00 back (Cash)" in text
    assert rig.reload().profile.balance_fen == 5_000
    (void,) = flows.counter.journal.records_of_kinds(RecordKind.VOID)
    assert void.payload_dict()["approver"] == "sup1"
    (receipt,) = receipts
    assert receipt.journal_seq == void.seq and "Void" in receipt.title
    assert not dialog.void_button.isEnabled()


def test_a_reprint_is_marked_copy_and_counted(qtbot, flows, topped_up):
    dialog = _dialog(qtbot, flows)
    receipts = []
    dialog.receipt_ready.connect(receipts.append)
    for n in (1, 2):
        mnemonic(qtbot, dialog, Qt.Key.Key_R)  # &Reprint the receipt…
        _approve(qtbot, dialog)
        assert f"reprinted as COPY {n}" in dialog.message_text()
        assert f"*** COPY {n} ***" in dialog.preview.toPlainText()
        assert "¥30.00" in dialog.preview.toPlainText()
    assert [r.copy_number for r in receipts] == [1, 2]
    assert all(r.journal_seq == topped_up.outcome_seq for r in receipts)
    reprints = flows.counter.journal.records_of_kinds(RecordKind.REPRINT)
    assert [r.payload_dict()["copy"] for r in reprints] == [1, 2]
    assert {r.payload_dict()["approver"] for r in reprints} == {"sup1"}


def test_a_void_interrupted_by_a_tear_is_finished_when_the_card_is_back(
    qtbot, flows, rig, topped_up
):
    dialog = _dialog(qtbot, flows)
    rig.faulty.tear_after(ins=Ins.DEBIT_FOR_PURCHASE)
    press(qtbot, dialog, Qt.Key.Key_Return)
    _approve(qtbot, dialog)
    assert "Do not give any money back" in dialog.message_text()
    assert "Finish the interrupted void" in dialog.void_button.text()
    assert flows.counter.journal.records_of_kinds(RecordKind.VOID) == []

    rig.faulty.reinsert()
    assert focused(dialog) is dialog.void_button
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "is voided" in dialog.message_text()
    assert rig.reload().profile.balance_fen == 5_000
    assert len(flows.counter.journal.records_of_kinds(RecordKind.VOID)) == 1
    assert flows.counter.journal.open_intents() == []


def test_a_reprint_by_journal_number_and_nothing_to_void_in_a_new_shift(qtbot, flows, topped_up):
    flows.sign_in(flows.supervisor)  # another operator, another shift: nothing of theirs yet
    dialog = _dialog(qtbot, flows)
    assert "has not moved any money yet" in dialog.what.text()
    assert not dialog.void_button.isEnabled() and not dialog.reprint_button.isEnabled()
    press(qtbot, dialog, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Journal &no.
    type_text(qtbot, dialog, str(topped_up.outcome_seq))
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert f"No. {topped_up.outcome_seq}" in dialog.what.text()
    assert dialog.reprint_button.isEnabled()
