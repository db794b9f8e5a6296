"""Loss report and cancel from the keyboard, against the real loss service and a virtual card."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.journal import RecordKind
from app.services.card_reading import CardStatus
from app.services.loss import BlockedOnTap
from app.store import blacklist
from app.ui.flows.loss import LossDialog
from cardsim.profile import HolderFields
from tests.ui.flows_support import (
    HOLDER_ID,
    HOLDER_NAME,
    HOLDER_SERIAL,
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


@pytest.fixture
def holder_card(flows, make_rig):
    flows.register_holder()
    return make_rig(holder=HolderFields(1, 0, HOLDER_NAME, HOLDER_ID, 0))


def _find(qtbot, dialog, query):
    assert focused(dialog) is dialog.search
    type_text(qtbot, dialog, query)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)


def _listed(flows):
    return blacklist.lookup(flows.counter.store, HOLDER_SERIAL)


def test_report_by_name_then_the_card_is_blocked_when_tapped(qtbot, flows, holder_card):
    dialog = shown(qtbot, LossDialog(flows.ctx))
    _find(qtbot, dialog, HOLDER_NAME)
    assert dialog.model.rowCount() == 1
    assert dialog.model.data(dialog.model.index(0, 1)) == "张*"  # masked
    assert dialog.card.text() == HOLDER_SERIAL
    assert focused(dialog) is dialog.id_number  # one holder found: straight to the ID number

    type_text(qtbot, dialog, "110101198001010011")  # someone else's ID number
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "does not match" in dialog.message_text()
    assert _listed(flows) is None

    dialog.id_number.clear()
    type_text(qtbot, dialog, HOLDER_ID)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    # what will happen, and nothing until an explicit yes: Enter on the question is "Cancel"
    box = confirm_box(qtbot, dialog)
    assert f"Report card {HOLDER_SERIAL} of 张* lost?" in box.text()
    assert "blacklisted at once" in box.informativeText()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: gone(box), timeout=10_000)
    assert _listed(flows) is None
    receipts = []
    dialog.receipt_ready.connect(receipts.append)
    press(qtbot, dialog, Qt.Key.Key_Return)  # ask again (the focus went back to the dialog)
    settle(qtbot, dialog)
    answer(qtbot, dialog)  # Alt+Y
    settle(qtbot, dialog)
    assert "is reported lost" in dialog.message_text()
    (receipt,) = receipts  # the holder's 挂失回执
    assert receipt.title.startswith("挂失回执")
    assert receipt.journal_seq == dialog.last_case.reported_seq
    lines = dict(receipt.lines)
    assert lines["卡号 Card"] == HOLDER_SERIAL and lines["持卡人 Holder"] == "张*"
    assert "可补卡日期 Replaceable from" in lines
    assert HOLDER_SERIAL in dialog.message_text() and "张*" in dialog.message_text()
    listed = _listed(flows)
    assert listed is not None and listed.journal_seq == dialog.last_case.reported_seq

    # the holder's card turns up on the reader: the window's tap blocks it for good
    tap = flows.tap(qtbot, holder_card)
    (blocked,) = [n for n in tap.notes if isinstance(n, BlockedOnTap)]
    assert blocked.holder.name == HOLDER_NAME and blocked.card_serial == HOLDER_SERIAL
    assert holder_card.reload().profile.blocked
    assert tap.view.status is CardStatus.BLOCKED
    record = flows.counter.journal.record(blocked.journal_seq)
    assert record.kind == RecordKind.CARD_BLOCK and record.operator == "clerk1"


def test_search_by_id_number_and_no_match_is_said(qtbot, flows, holder_card):
    dialog = shown(qtbot, LossDialog(flows.ctx))
    _find(qtbot, dialog, "nobody-like-this")
    assert "No registered holder" in dialog.message_text()
    assert focused(dialog) is dialog.search
    type_text(qtbot, dialog, HOLDER_ID)  # the search text was selected: typing replaces it
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert dialog.card.text() == HOLDER_SERIAL


def test_cancel_needs_a_supervisor(qtbot, flows, holder_card):
    flows.counter.loss.report_loss(
        flows.clerk, flows.ctx.session.shift.id, HOLDER_SERIAL, HOLDER_ID
    )
    dialog = shown(qtbot, LossDialog(flows.ctx, query=HOLDER_SERIAL))
    press(qtbot, dialog, Qt.Key.Key_Return)  # find by the card number given
    settle(qtbot, dialog)
    while focused(dialog) is not dialog.reason:
        press(qtbot, dialog, Qt.Key.Key_Tab)
    type_text(qtbot, dialog, "the holder found the card")
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "only a supervisor or above may cancel a loss report" in dialog.message_text()
    assert dialog.message.kind == "problem"
    assert _listed(flows) is not None

    flows.sign_in(flows.supervisor)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "is cancelled" in dialog.message_text()
    assert _listed(flows) is None
    record = flows.counter.journal.record(dialog.last_cancel_seq)
    assert record.kind == RecordKind.LOSS_CANCEL and record.operator == "sup1"
    assert record.payload_dict()["reason"] == "the holder found the card"


def test_escape_closes_the_dialog(qtbot, flows):
    dialog = shown(qtbot, LossDialog(flows.ctx))
    press(qtbot, dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
