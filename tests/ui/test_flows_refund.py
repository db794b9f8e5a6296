"""Card return from the keyboard: quote, supervisor approval above the threshold, a tear, resume."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.card.apdu import Ins
from app.journal import RecordKind
from app.ui.flows.refund import RefundDialog, RefundStage
from cardsim.profile import HolderFields
from tests.ui.flows_support import (
    HOLDER_ID,
    HOLDER_NAME,
    SUPERVISOR_PASSWORD,
    answer,
    confirm_box,
    flows,
    focused,
    gone,
    press,
    settle,
    shown,
    type_text,
)

__all__ = ["flows"]  # the fixture


def _open(qtbot, rig):
    dialog = shown(qtbot, RefundDialog(rig.ctx))
    settle(qtbot, dialog)
    return dialog


def test_above_the_threshold_a_supervisor_approves_then_the_card_is_refunded(
    qtbot, flows, make_rig
):
    card = make_rig(balance_fen=30_000)
    flows.reader.put(card)
    dialog = _open(qtbot, flows)
    receipts = []
    dialog.receipt_ready.connect(receipts.append)
    assert dialog.stage is RefundStage.QUOTED
    assert (dialog.balance.text(), dialog.deposit.text(), dialog.amount.text()) == (
        "¥300.00",
        "¥20.00",
        "¥320.00",
    )
    assert "supervisor must approve" in dialog.approval_note.text()
    assert focused(dialog) is dialog.refund_button and "Approve" in dialog.refund_button.text()

    press(qtbot, dialog, Qt.Key.Key_Return)
    box = confirm_box(qtbot, dialog)
    assert "pay the customer ¥320.00 in cash?" in box.text()
    assert "Balance ¥300.00 + deposit ¥20.00" in box.informativeText()
    assert "blocked for good" in box.informativeText()
    answer(qtbot, dialog)
    qtbot.waitUntil(
        lambda: dialog.approval_dialog is not None and dialog.approval_dialog.isVisible()
    )
    approval = dialog.approval_dialog
    assert "¥320.00" in approval.findChild(type(dialog.card), "approvalDetail").text()
    type_text(qtbot, approval, "sup1")
    press(qtbot, approval, Qt.Key.Key_Tab)
    type_text(qtbot, approval, SUPERVISOR_PASSWORD)
    press(qtbot, approval, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.stage is RefundStage.DONE, timeout=10_000)
    settle(qtbot, dialog)

    assert "Pay the customer ¥320.00 in cash" in dialog.message_text()
    assert card.reload().profile.blocked
    (refund,) = flows.counter.journal.records_of_kinds(RecordKind.REFUND)
    assert refund.amount_fen == 32_000 and dialog.receipts[0].approver == "sup1"
    (receipt,) = receipts
    assert receipt.journal_seq == refund.seq
    assert not dialog.refund_button.isEnabled()


def test_below_the_threshold_no_approval_is_asked(qtbot, flows, make_rig):
    card = make_rig(balance_fen=1_000)
    flows.reader.put(card)
    dialog = _open(qtbot, flows)
    assert dialog.approval_note.text() == "" and dialog.refund_button.text() == "&Return the card"
    assert not dialog.id_number.isVisibleTo(dialog)  # an anonymous card: no ID to check
    press(qtbot, dialog, Qt.Key.Key_Return)
    answer(qtbot, dialog)
    settle(qtbot, dialog)
    assert dialog.stage is RefundStage.DONE and dialog.approval_dialog is None
    assert "Pay the customer ¥30.00" in dialog.message_text()
    assert flows.counter.journal.records_of_kinds(RecordKind.APPROVAL) == []


def test_a_card_pulled_while_blocked_is_finished_when_it_comes_back(qtbot, flows, make_rig):
    card = make_rig(balance_fen=12_000)
    flows.reader.put(card)
    dialog = _open(qtbot, flows)
    card.faulty.tear_after(ins=Ins.APPLICATION_BLOCK)
    press(qtbot, dialog, Qt.Key.Key_Return)
    answer(qtbot, dialog)
    settle(qtbot, dialog)
    assert dialog.stage is RefundStage.INTERRUPTED
    assert "Do not pay anything yet" in dialog.message_text()
    assert "Finish the interrupted return" in dialog.refund_button.text()
    assert flows.counter.journal.records_of_kinds(RecordKind.REFUND) == []
    press(qtbot, dialog, Qt.Key.Key_Escape)  # the clerk closes the dialog meanwhile
    assert not dialog.isVisible()

    card.faulty.reinsert()  # the customer puts the card back; the dialog is opened again
    again = _open(qtbot, flows)
    assert again.stage is RefundStage.INTERRUPTED
    assert "was interrupted" in again.message_text()
    press(qtbot, again, Qt.Key.Key_Return)
    settle(qtbot, again)
    assert again.stage is RefundStage.DONE
    assert "Pay the customer ¥140.00" in again.message_text()
    assert card.reload().profile.blocked
    assert flows.counter.journal.open_intents() == []
    assert len(flows.counter.journal.records_of_kinds(RecordKind.REFUND)) == 1


def test_no_card_on_the_reader_is_said(qtbot, flows):
    dialog = _open(qtbot, flows)
    assert dialog.stage is RefundStage.REFUSED
    assert "no card on the" in dialog.message_text()
    assert not dialog.refund_button.isEnabled()


def test_a_registered_card_needs_the_holders_id_and_an_explicit_yes(qtbot, flows, make_rig):
    flows.register_holder()
    card = make_rig(balance_fen=2_000, holder=HolderFields(1, 0, HOLDER_NAME, HOLDER_ID, 0))
    flows.reader.put(card)
    dialog = _open(qtbot, flows)
    assert dialog.holder.text() == "张*" and focused(dialog) is dialog.id_number
    press(qtbot, dialog, Qt.Key.Key_Return)  # no ID typed
    assert "type the holder's ID number" in dialog.message_text()
    type_text(qtbot, dialog, "110101198001010011")  # someone else's
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "does not match" in dialog.message_text() and dialog.confirm_box is None
    dialog.id_number.clear()
    type_text(qtbot, dialog, HOLDER_ID)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    box = confirm_box(qtbot, dialog)
    assert "张*" in box.text() and "¥40.00" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter on the question: Cancel, nothing happens
    qtbot.waitUntil(lambda: gone(box), timeout=10_000)
    assert not card.reload().profile.blocked
    assert flows.counter.journal.records_of_kinds(RecordKind.REFUND) == []
    dialog.refund_button.setFocus()
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    answer(qtbot, dialog)  # Alt+Y
    settle(qtbot, dialog)
    assert dialog.stage is RefundStage.DONE and card.reload().profile.blocked
