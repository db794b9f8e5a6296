# ruff: noqa: PLC0415 - Qt modules load after the platform is chosen
"""Render the flow dialogs to PNG files in interesting states, to look at them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.flow_screenshots [OUT_DIR] [LANG]

(OUT_DIR defaults to /tmp/shots/flows, LANG to en; zh_CN needs `make translations`.) Like
tests/ui/screenshots.py (the main window and its own dialogs), everything runs for real; the
files are not committed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QPushButton, QWidget

from app.card.apdu import Ins
from app.domain.payment import PaymentMethod
from app.services.topup import TopUpInterruptedError
from app.sync.status import Connection, PendingMoney, SyncStatus
from app.ui.approval import ApprovalDialog
from app.ui.flows.exchange import ExchangeDialog
from app.ui.flows.grey_records import GreyRecordsDialog
from app.ui.flows.journal_tools import JournalDialog
from app.ui.flows.loss import LossDialog
from app.ui.flows.refund import RefundDialog
from app.ui.flows.replacement import ReplacementDialog
from app.ui.flows.settings_dialog import SettingsDialog
from app.ui.flows.sync_status import SyncDialog
from app.ui.flows.void_reprint import VoidReprintDialog
from app.ui.i18n import LanguageSwitcher
from app.ui.main_window import MainWindow
from app.ui.qt_app import make_application
from cardsim.card import VirtualCityCard
from cardsim.faults import FaultyCard
from tests.support.cards import Rig, make_profile
from tests.ui.flows_support import HOLDER_ID, FlowsRig
from tests.ui.screenshots import _rig, _wait
from tests.ui.ui_support import ADMIN, CLERK, PASSPHRASE, SUPERVISOR, build_ui_rig

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots/flows")
LANG = sys.argv[2] if len(sys.argv) > 2 else "en"
sizes: list[tuple[str, int, int]] = []


def save(widget: QWidget, name: str) -> None:
    _wait(lambda: not getattr(widget, "busy", False))
    from tests.ui.screenshots import _spin

    _spin(80)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    sizes.append((name, widget.width(), widget.height()))
    print(path, widget.width(), widget.height())


def yes(dialog: QWidget) -> None:
    """Answer the dialog's "really?" question with its yes button."""
    box = getattr(dialog, "confirm_box", None)
    _wait(lambda: box is not None or getattr(dialog, "confirm_box", None) is not None)
    box = dialog.confirm_box  # type: ignore[attr-defined]
    button = box.findChild(QPushButton, "confirmButton")
    button.click()


def card(directory: Path, issuer, serial: str, balance: int) -> Rig:
    profile = make_profile(issuer, serial=bytes.fromhex(serial), balance_fen=balance)
    path = directory / f"{serial}.json"
    profile.save(path)
    c = VirtualCityCard.from_file(path)
    return Rig(c, FaultyCard(c), None, issuer, path)  # type: ignore[arg-type]


def main() -> None:
    app = make_application()
    if LANG != "en":
        LanguageSwitcher(app).switch(LANG)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        rig = _rig(tmpdir)
        ui = build_ui_rig(tmpdir / "counter", rig)
        from app.composition import HOLDER_INDEX_KEY
        from app.crypto.keystore import Keystore

        ops = ui.counter.operators
        staff = [ops.sign_in(w[0], w[2]) for w in (CLERK, SUPERVISOR, ADMIN)]
        key = Keystore.open(ui.directory / "keystore.json", PASSPHRASE).get(HOLDER_INDEX_KEY)
        f = FlowsRig(ui, staff[0], staff[1], staff[2], key)
        f.sign_in(f.clerk)
        window = MainWindow(ui.ctx, ui.bridge)
        window.resize(1366, 768)
        window.show()
        try:
            shift = ui.ctx.session.shift
            # approval with a wrong password
            d = ApprovalDialog(
                ui.ctx, "refund", "Return card 3104000000001234 and pay back ¥143.50.", window
            )
            d.show()
            d.username.setText("sup1")
            d.password.setText("wrong-password")
            d._approve()
            _wait(lambda: not d.busy)
            save(d, "approval_wrong_password")
            d.reject()

            # loss report
            f.register_holder()
            d = LossDialog(ui.ctx, window)
            d.show()
            d.search.setText("张三")
            d.find_holders()
            _wait(lambda: not d.busy)
            save(d, "loss_found")
            d.id_number.setText(HOLDER_ID)
            d.report()
            _wait(lambda: not d.busy and d.confirm_box is not None)
            save(d.confirm_box, "loss_confirm")
            yes(d)
            _wait(lambda: not d.busy)
            save(d, "loss_reported")
            d.reason.setText("持卡人找到了卡")
            d.cancel_report()
            _wait(lambda: not d.busy)
            save(d, "loss_cancel_refused")
            d.reject()

            # replacement: waiting, then center unavailable
            d = ReplacementDialog(ui.ctx, window)
            d.show()
            d.lost.setText("3104000000001234")
            d.check_card()
            _wait(lambda: not d.busy)
            save(d, "replacement_waiting")
            d.reject()
            f.set_parameters(replacement_waiting_days=0)
            stock = card(tmpdir, rig.issuer, "3104000000005678", 0)
            ui.reader.put(stock)
            d = ReplacementDialog(ui.ctx, window)
            d.show()
            d.lost.setText("3104000000001234")
            d.check_card()
            _wait(lambda: not d.busy)
            d.replace()
            _wait(lambda: not d.busy)
            save(d, "replacement_center_unavailable")
            d.reject()

            # refund with approval
            big = card(tmpdir, rig.issuer, "3104000000007777", 25_000)
            ui.reader.put(big)
            d = RefundDialog(ui.ctx, window)
            d.show()
            _wait(lambda: not d.busy)
            save(d, "refund_quote_needs_approval")
            d.confirm()
            _wait(lambda: d.confirm_box is not None)
            save(d.confirm_box, "refund_confirm")
            d.confirm_box.close()
            d.reject()
            # a registered card: the holder's ID number is asked
            f.register_holder("3104000000006666", "李四", "330102198505050022")
            ui.reader.put(card(tmpdir, rig.issuer, "3104000000006666", 6_600))
            d = RefundDialog(ui.ctx, window)
            d.show()
            _wait(lambda: not d.busy)
            save(d, "refund_registered_needs_id")
            d.reject()
            small = card(tmpdir, rig.issuer, "3104000000008888", 12_350)
            ui.reader.put(small)
            small.faulty.tear_after(ins=Ins.APPLICATION_BLOCK)
            d = RefundDialog(ui.ctx, window)
            d.show()
            _wait(lambda: not d.busy)
            d.confirm()
            yes(d)
            _wait(lambda: not d.busy)
            save(d, "refund_interrupted")
            small.faulty.reinsert()
            d.confirm()
            _wait(lambda: not d.busy)
            save(d, "refund_done")
            d.reject()

            # void / reprint
            topcard = card(tmpdir, rig.issuer, "3104000000009999", 5_000)
            ui.reader.put(topcard)
            from app.card.session import CityCard

            ui.counter.topups.top_up(
                f.clerk, shift.id, CityCard.open(topcard.transport()), 3_000, PaymentMethod.WECHAT
            )
            d = VoidReprintDialog(ui.ctx, window, voids=f.void_service())
            d.show()
            _wait(lambda: not d.busy)
            save(d, "void_reprint_last")
            approval = ui.counter.operators.approve(f.clerk, "sup1", SUPERVISOR[2], "reprint")
            d._reprint_approved(d.record, approval)
            _wait(lambda: not d.busy)
            save(d, "void_reprint_copy")
            d.reject()

            # exchange
            old = card(tmpdir, rig.issuer, "3104000000004444", 4_250)
            ui.reader.put(old)
            d = ExchangeDialog(ui.ctx, window, exchanges=f.exchange_service())
            d.show()
            _wait(lambda: not d.busy)
            d.read_old()
            _wait(lambda: not d.busy)
            save(d, "exchange_read")
            approval = ui.counter.operators.approve(f.clerk, "sup1", SUPERVISOR[2], "exchange")
            d._approved(d.old, approval)
            _wait(lambda: not d.busy)
            save(d, "exchange_new_card")
            d.reject()

            # grey record
            grey = card(tmpdir, rig.issuer, "3104000000003333", 1_000)
            grey.faulty.tear_after(ins=Ins.CREDIT_FOR_LOAD)
            with contextlib.suppress(TopUpInterruptedError):  # the torn write: a grey record
                ui.counter.topups.top_up(
                    f.clerk, shift.id, CityCard.open(grey.transport()), 5_000, PaymentMethod.CASH
                )
            f.sign_in(f.supervisor)
            d = GreyRecordsDialog(ui.ctx, window)
            d.show()
            _wait(lambda: not d.busy)
            save(d, "grey_records")
            d.reject()

            d = JournalDialog(ui.ctx, window)
            d.show()
            d.verify()
            _wait(lambda: not d.busy)
            d.folder.setText(str(tmpdir / "archive"))
            d.export()
            _wait(lambda: not d.busy, 30_000)
            save(d, "journal_verified_exported")
            d.reject()

            d = SyncDialog(ui.ctx, window, status=lambda: None)
            d.show()
            _wait(lambda: not d.busy)
            save(d, "sync_no_center")
            d.reject()
            now = datetime.now(UTC)
            status = SyncStatus(
                as_of=now,
                connection=Connection.OFFLINE,
                head_seq=140,
                acknowledged_seq=121,
                pending_count=19,
                pending_by_method={
                    "cash": PendingMoney(5, 35_000),
                    "wechat": PendingMoney(2, 8_000),
                },
                oldest_pending_at=now - timedelta(minutes=42),
                last_attempt_at=now - timedelta(seconds=20),
                last_success_at=now - timedelta(hours=3),
                next_attempt_at=now + timedelta(seconds=40),
                blacklist_version=12,
                blacklist_checked_at=now - timedelta(hours=3),
                parameters_version=3,
                last_error="the clearing center did not answer within 10 s",
                advice="Check the network cable; the counter keeps working offline.",
            )
            d = SyncDialog(ui.ctx, window, status=lambda: status, sync_now=lambda: None)
            d.show()
            save(d, "sync_offline")
            d.reject()

            f.sign_in(f.admin)
            d = SettingsDialog(
                ui.ctx,
                window,
                path=tmpdir / "settings.json",
                list_readers=lambda: ["Virtual PCD 00 00"],
            )
            d.show()
            _wait(lambda: not d.busy)
            d.printer_kind.setCurrentIndex(3)
            d.host.setText("192.168.1.50")
            d.center_url.setText("https://center.example:8443")
            save(d, "settings_admin")
            d.reject()
            f.sign_in(f.clerk)
            d = SettingsDialog(
                ui.ctx, window, path=tmpdir / "settings.json", list_readers=lambda: []
            )
            d.show()
            _wait(lambda: not d.busy)
            save(d, "settings_clerk")
            d.reject()
            window.close()
        finally:
            _wait(lambda: not ui.ctx.runner.busy())
            ui.close()
    QCoreApplication.processEvents()
    too_big = [s for s in sizes if s[1] > 1366 or s[2] > 768]
    print("too big for 1366x768:", too_big)


if __name__ == "__main__":
    main()
