"""The supervisor approval dialog, from the keyboard, against the real operator service."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.domain.people import Role
from app.journal import RecordKind
from app.services.operators import ApprovalPurpose
from app.ui.approval import ApprovalDialog
from tests.ui.flows_support import (
    CLERK_PASSWORD,
    SUPERVISOR_PASSWORD,
    flows,
    focused,
    press,
    settle,
    shown,
    type_text,
)

__all__ = ["flows"]  # the fixture

DETAIL = "Return card 3104000000001234: pay ¥520.00"


def _dialog(qtbot, rig, purpose=ApprovalPurpose.REFUND):
    dialog = ApprovalDialog(rig.ctx, purpose, DETAIL, subject="3104000000001234")
    return shown(qtbot, dialog)


def _approvals(rig):
    return rig.counter.journal.records_of_kinds(RecordKind.APPROVAL)


def _sign(qtbot, dialog, username, password):
    """From wherever the focus is: back to the username, type both, Enter."""
    while focused(dialog) is not dialog.username:
        press(qtbot, dialog, Qt.Key.Key_Backtab)
    press(qtbot, dialog, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    type_text(qtbot, dialog, username)
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert focused(dialog) is dialog.password
    type_text(qtbot, dialog, password)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)


def test_a_wrong_password_is_said_inline_and_the_dialog_stays_open(qtbot, flows):
    dialog = _dialog(qtbot, flows)
    assert focused(dialog) is dialog.username
    seen = []
    dialog.approved.connect(seen.append)
    _sign(qtbot, dialog, "sup1", "not-the-password")
    assert dialog.isVisible() and dialog.result() == 0
    assert "Wrong username or password" in dialog.message_text()
    assert dialog.password.text() == "" and focused(dialog) is dialog.password
    assert seen == [] and _approvals(flows) == []

    with qtbot.waitSignal(dialog.approved, timeout=10_000) as signal:
        type_text(qtbot, dialog, SUPERVISOR_PASSWORD)
        press(qtbot, dialog, Qt.Key.Key_Return)
    approval = signal.args[0]
    assert (approval.approver, approval.role, approval.purpose) == (
        "sup1",
        Role.SUPERVISOR,
        "refund",
    )
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    (record,) = _approvals(flows)
    assert record.seq == approval.journal_seq and record.operator == "clerk1"
    assert record.payload_dict()["subject"] == "3104000000001234"
    assert record.shift_id == flows.ctx.session.shift.id


def test_nobody_approves_their_own_operation_and_a_clerk_cannot_approve(qtbot, flows):
    flows.sign_in(flows.supervisor)
    dialog = _dialog(qtbot, flows)
    _sign(qtbot, dialog, "sup1", SUPERVISOR_PASSWORD)
    assert "own operation" in dialog.message_text() and dialog.isVisible()
    _sign(qtbot, dialog, "clerk1", CLERK_PASSWORD)
    assert "approvals need a supervisor" in dialog.message_text() and dialog.isVisible()
    assert _approvals(flows) == []


def test_empty_fields_are_asked_for_without_a_check(qtbot, flows):
    dialog = _dialog(qtbot, flows)
    press(qtbot, dialog, Qt.Key.Key_Return)  # Enter in the empty name: on to the password
    assert focused(dialog) is dialog.password
    press(qtbot, dialog, Qt.Key.Key_Return)
    assert "Type the supervisor's username and password" in dialog.message_text()
    assert not flows.ctx.runner.busy() and _approvals(flows) == []


def test_escape_cancels_and_nothing_is_approved(qtbot, flows):
    dialog = _dialog(qtbot, flows)
    type_text(qtbot, dialog, "sup1")
    press(qtbot, dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    assert _approvals(flows) == []
