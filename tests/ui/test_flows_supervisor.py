"""The supervisor's dialogs: grey records after a torn top-up, journal verify and export, sync."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from app.card.apdu import Ins
from app.domain.payment import PaymentMethod
from app.journal.archive import verify_archive
from app.services.topup import TopUpInterruptedError
from app.sync.status import Connection, PendingMoney, SyncStatus
from app.ui.flows.grey_records import GreyRecordsDialog
from app.ui.flows.journal_tools import JournalDialog
from app.ui.flows.sync_status import SyncDialog
from tests.ui.flows_support import flows, focused, mnemonic, press, settle, shown, type_text

__all__ = ["flows"]  # the fixture
ALT = Qt.KeyboardModifier.AltModifier


def test_a_torn_top_up_appears_as_a_grey_record_until_the_card_is_tapped(qtbot, flows, rig):
    shift = flows.ctx.session.shift
    rig.faulty.tear_after(ins=Ins.CREDIT_FOR_LOAD)
    with pytest.raises(TopUpInterruptedError):
        flows.counter.topups.top_up(flows.clerk, shift.id, rig.open(), 3_000, PaymentMethod.CASH)
    flows.sign_in(flows.supervisor)

    dialog = shown(qtbot, GreyRecordsDialog(flows.ctx))
    settle(qtbot, dialog)
    model = dialog.model
    assert model.rowCount() == 1
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    (intent,) = flows.counter.journal.open_intents()
    assert row[0] == str(intent.seq)
    assert row[2:7] == ["Top-up", "3104000000001234", "¥30.00", "Cash", "clerk1"]
    assert "1 grey record(s), ¥30.00 in all" in dialog.summary.text()

    flows.tap(qtbot, rig)  # the card comes back: the window's tap settles it
    mnemonic(qtbot, dialog, Qt.Key.Key_R)  # &Refresh
    settle(qtbot, dialog)
    assert model.rowCount() == 0
    assert "No grey records" in dialog.summary.text()


def test_journal_verify_says_ok_and_export_writes_a_checked_archive(qtbot, flows, tmp_path):
    flows.sign_in(flows.supervisor)
    dialog = shown(qtbot, JournalDialog(flows.ctx))
    assert focused(dialog) is dialog.verify_button
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert dialog.verify_result.text().startswith("OK: the journal is intact.")
    head, _mac = flows.counter.journal.head()
    assert f"to {head})" in dialog.verify_result.text()

    out = tmp_path / "audit" / "archive-1"
    press(qtbot, dialog, Qt.Key.Key_F, ALT)  # &Folder
    assert focused(dialog) is dialog.folder
    press(qtbot, dialog, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, dialog, str(out))
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog, timeout=30_000)
    assert "checks OK" in dialog.message_text()
    assert str(out) in dialog.export_result.text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert "records.csv" in manifest["files"]
    assert verify_archive(out).ok

    press(qtbot, dialog, Qt.Key.Key_Return)  # the same folder again: refused, not overwritten
    settle(qtbot, dialog)
    assert "is not an empty directory" in dialog.message_text()


def test_a_tampered_journal_is_said_broken(qtbot, flows):
    journal = flows.counter.journal
    head, _ = journal.head()
    import sqlite3  # noqa: PLC0415 - the tamper is the test's, not the app's

    with sqlite3.connect(journal.path) as db:
        db.execute("UPDATE journal_record SET amount_fen = 999 WHERE seq = ?", (head,))
    flows.sign_in(flows.supervisor)
    dialog = shown(qtbot, JournalDialog(flows.ctx))
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert dialog.verify_result.text().startswith("BROKEN")
    assert f"record no. {head}" in dialog.verify_result.text()
    assert "Stop taking money" in dialog.message_text()


def test_without_a_center_the_sync_dialog_says_so(qtbot, flows):
    dialog = shown(qtbot, SyncDialog(flows.ctx, status=lambda: None, sync_now=None))
    settle(qtbot, dialog)
    assert "No clearing center is configured" in dialog.headline.text()
    assert "journal record(s) no center has seen" in dialog.fields["pending"].text()
    assert not dialog.sync_button.isEnabled()
    assert focused(dialog) is dialog.close_button


def test_the_sync_dialog_shows_the_status_and_syncs_now(qtbot, flows):
    now = datetime.now(UTC)
    status = SyncStatus(
        as_of=now,
        connection=Connection.OFFLINE,
        head_seq=40,
        acknowledged_seq=33,
        pending_count=7,
        pending_by_method={"cash": PendingMoney(2, 15_000), "wechat": PendingMoney(1, 5_000)},
        oldest_pending_at=now - timedelta(minutes=42),
        last_success_at=now - timedelta(hours=3),
        blacklist_version=12,
        blacklist_checked_at=now - timedelta(hours=3),
        last_error="the clearing center did not answer",
        advice="Check the network; the counter keeps working offline.",
    )
    current = [status]
    asked = []

    def sync_now():
        asked.append(True)
        current[0] = replace(status, connection=Connection.ONLINE, pending_count=0,
                             pending_by_method={}, last_error=None, advice=None)  # fmt: skip

    dialog = shown(qtbot, SyncDialog(flows.ctx, status=lambda: current[0], sync_now=sync_now))
    f = dialog.fields
    assert f["connection"].text() == "offline (cannot be reached)"
    assert f["pending"].text().startswith("7 record(s)")
    assert f["money"].text() == "¥200.00; Cash: 2 for ¥150.00; WeChat Pay: 1 for ¥50.00"
    assert "(42 min ago)" in f["oldest"].text()
    assert "version 12" in f["blacklist"].text()
    assert "did not answer" in f["problem"].text() and "keeps working" in f["problem"].text()
    assert focused(dialog) is dialog.sync_button

    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert asked == [True]
    qtbot.waitUntil(lambda: dialog.headline.text() == "Online: everything is synced.")
    assert f["problem"].text() == "none"
