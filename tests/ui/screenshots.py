"""Render the counter window and its dialogs to PNG files, to look at them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.screenshots [OUT_DIR] [--lang zh_CN]

(OUT_DIR defaults to /tmp/shots/counter.)

Everything runs for real: a counter set up in a temporary directory, a virtual card with a
Chinese holder on the in-process reader, the clerk signed in with an open shift. The files are
not committed; the note that goes with a change says what was checked in them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from app.card.issuer_keys import IssuerKeySet
from app.crypto.purse import PurseAlgorithm
from app.services.topup import TopUpInterruptedError
from app.store import blacklist
from app.ui.first_run import FirstRunWizard
from app.ui.i18n import LanguageSwitcher
from app.ui.main_window import MainWindow
from app.ui.qt_app import make_application
from app.ui.scenic import install_scenic
from app.ui.shift_dialogs import ShiftCloseDialog, ShiftOpenDialog
from app.ui.sign_in import SignInDialog, UnlockDialog
from app.ui.topup_dialog import TopUpDialog
from cardsim.card import VirtualCityCard
from cardsim.faults import FaultyCard
from cardsim.profile import HolderFields
from tests.support.cards import Rig, make_profile, make_sam_rig, rig_sam_profile
from tests.ui.ui_support import SUPERVISOR, UiRig, build_ui_rig

SIZE = (1366, 768)


def _spin(ms: int = 50) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(predicate: Callable[[], bool], timeout_ms: int = 10_000) -> None:
    waited = 0
    while not predicate():
        if waited > timeout_ms:
            raise TimeoutError("the window did not get there")
        _spin(20)
        waited += 20


def _rig(directory: Path) -> Rig:
    issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
    holder = HolderFields(1, 0, "张三丰", "330102199001011234", 0)
    profile = make_profile(issuer, holder=holder, balance_fen=12_350)
    path = directory / "card.json"
    profile.save(path)
    card = VirtualCityCard.from_file(path)
    sam_rig = make_sam_rig(directory / "psam.json", rig_sam_profile([issuer]))
    return Rig(card, FaultyCard(card), sam_rig.open(), issuer, path, sam_rig)


def _other(ui: UiRig, directory: Path, serial: str, balance_fen: int) -> Rig:
    """Another card of the counter's issuer."""
    directory.mkdir(parents=True, exist_ok=True)
    profile = make_profile(ui.rig.issuer, serial=bytes.fromhex(serial), balance_fen=balance_fen)
    path = directory / "card.json"
    profile.save(path)
    card = VirtualCityCard.from_file(path)
    return Rig(card, FaultyCard(card), ui.rig.sam, ui.rig.issuer, path)


def _fake_close_result():  # type: ignore[no-untyped-def]
    """A closed shift's figures for the last page (the real close is in the tests)."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from app.services.shifts import ShiftCloseResult  # noqa: PLC0415

    return ShiftCloseResult(
        shift_id=1,
        operator="clerk1",
        closed_by="clerk1",
        opening_float_fen=50_000,
        cash_lines=(),
        expected_cash_fen=55_000,
        counted_cash_fen=53_000,
        difference_fen=-2_000,
        counted=((10_000, 5), (1_000, 3)),
        reason="找零时多给了顾客二十元",
        approver="sup1",
        closed_at=datetime(2026, 11, 21, 18, 0, tzinfo=UTC),
        journal_seq=40,
        checkpoint_number=3,
    )


def _save(widget: QWidget, out: Path, name: str) -> None:
    _spin(80)
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(path)


def _tap_rig(ui: UiRig, rig: Rig) -> None:
    done: list[object] = []
    ui.bridge.tapped.connect(done.append)
    ui.reader.put(rig)
    ui.bridge.card_presented()
    _wait(lambda: bool(done))


def _tap(ui: UiRig) -> None:
    done: list[object] = []
    ui.bridge.tapped.connect(done.append)
    ui.reader.put(ui.rig)
    ui.bridge.card_presented()
    _wait(lambda: bool(done))


def render(out: Path, language: str) -> None:
    """Every screen of this module's widgets, into ``out``."""
    app = make_application()
    if language != "en":
        LanguageSwitcher(app).switch(language)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ui = build_ui_rig(Path(tmp) / "counter", _rig(Path(tmp)))
        try:
            window = MainWindow(ui.ctx, ui.bridge)
            window.resize(*SIZE)
            window.show()
            _save(window, out, "main_signed_out")
            dialog: QWidget = SignInDialog(ui.ctx, window)
            dialog.show()
            _save(dialog, out, "sign_in")
            dialog.close()
            ui.sign_in()
            dialog = ShiftOpenDialog(ui.ctx, window)
            dialog.show()
            _save(dialog, out, "shift_open")
            dialog.close()
            ui.open_shift(50_000)
            _tap(ui)
            _save(window, out, "main_card")
            topup = TopUpDialog(ui.ctx, ui.bridge, window)
            window.topup_dialog = topup
            topup.show()
            topup.amount.setText("50")
            _wait(lambda: "¥50.00" in topup.check_line.text())  # any language
            _save(topup, out, "topup_amount")
            topup._show(TopUpDialog.WRITING)
            topup.stage_line.setText("Writing to the card…")
            _save(topup, out, "topup_writing")
            topup._show(TopUpDialog.AMOUNT)
            QTest.keyClick(topup.amount, Qt.Key.Key_Return)
            _wait(lambda: topup.page() == TopUpDialog.DONE)
            _save(topup, out, "topup_done")
            topup.accept()
            _wait(
                lambda: (
                    ui.bridge.last_tap is not None and ui.bridge.last_tap.view.balance_fen > 12_350
                )
            )
            _save(window, out, "main_after_topup")
            topup = TopUpDialog(ui.ctx, ui.bridge, window)
            window.topup_dialog = topup
            topup.show()
            topup.amount.setText("20")
            ui.rig.faulty.tear_before(ins=0x52)
            QTest.keyClick(topup.amount, Qt.Key.Key_Return)
            _wait(lambda: topup.page() == TopUpDialog.INTERRUPTED)
            _save(topup, out, "topup_interrupted")
            ui.reader.put(ui.rig)
            ui.bridge.card_presented()
            _wait(lambda: topup.page() == TopUpDialog.SETTLED)
            _save(topup, out, "topup_settled_not_done")
            topup.accept()
            close = ShiftCloseDialog(ui.ctx, window)
            close.show()
            close.pieces[10_000].setText("5")
            close.pieces[1_000].setText("3")
            _save(close, out, "shift_close_count")
            close._advance()
            _wait(lambda: close.page() != ShiftCloseDialog.COUNT)
            close.reason.setText("找零时多给了顾客二十元")
            _save(close, out, "shift_close_justify")
            close._closed_shift(_fake_close_result())
            _save(close, out, "shift_close_done")
            close.close()
            _save(UnlockDialog("Wrong passphrase: the keystore did not open."), out, "unlock")
            wizard = FirstRunWizard(lambda: ["ACS ACR1252 PICC 00 00", "Virtual PCD 00 00"])
            wizard.show()
            wizard.admin.username.setText("admin")
            wizard.admin.name.setText("管理员")
            for field in (wizard.admin.password, wizard.admin.repeat):
                field.setText("Adm1n-pass-word")
            wizard.device.device_id.setText("HZ-XIHU-07")
            wizard.device.terminal_id.setText("0102030405AB")
            for field in (wizard.device.passphrase, wizard.device.passphrase_repeat):
                field.setText("a long keystore passphrase")
            wizard.center.center_url.setText("https://clearing.example.cn")
            wizard.center.enrolment_code.setText("HZ-7QK2-93XD")
            wizard.center.printer.setText("192.168.1.50:9100")
            for page in range(4):
                _save(wizard, out, f"first_run_{page + 1}")
                wizard.next()
            wizard.close()
            ui.ctx.session.sign_out()
            _save(window, out, "main_signed_out_card_cleared")
            ui.sign_in(SUPERVISOR)
            _save(window, out, "main_supervisor")
            ui.open_shift(50_000)
            # a card reported lost: its real balance, F2 refused at tap time with the reason
            lost = _other(ui, Path(tmp) / "lost", "3104000000009876", 8_800)
            blacklist.add(ui.counter.store, "3104000000009876", "loss_report", 0)
            ui.reader.put(lost)
            _tap_rig(ui, lost)
            _save(window, out, "main_lost_card")
            # a top-up whose card left mid-write, left unfinished: the banner
            torn = _other(ui, Path(tmp) / "torn", "3104000000005555", 1_000)
            torn.faulty.tear_after(ins=0x52)
            with contextlib.suppress(TopUpInterruptedError):
                ui.counter.topups.top_up(
                    ui.ctx.session.require_actor(), ui.ctx.session.require_shift().id,
                    torn.open(), 5_000, "cash",
                )  # fmt: skip
            window.check_unfinished()
            _wait(lambda: window.unfinished_text() != "")
            _save(window, out, "main_unfinished_banner")
            # the scenic page: cash tendered and change; a purse payment asked first
            page = install_scenic(window, ui.bridge, scenic_mode=True)
            page.add_ticket("adult", 2)
            page.add_ticket("child")
            page.payment.setCurrentIndex(page.payment.findData("cash"))
            page.tendered.setText("200")
            _save(window, out, "scenic_cash_change")
            _tap(ui)
            page.clear_basket()
            page.add_ticket("adult")
            page.payment.setCurrentIndex(page.payment.findData("card_purse"))
            page.pay()
            _wait(lambda: page.confirm_box is not None)
            _save(page.confirm_box, out, "scenic_purse_confirm")
            page.confirm_box.close()
            window.show_scenic(False)
            window.close()
        finally:
            _wait(lambda: not ui.ctx.runner.busy())
            ui.close()
    QCoreApplication.processEvents()
    del app


def main(argv: list[str]) -> int:
    """Render into OUT_DIR (default /tmp/shots)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default="/tmp/shots/counter", type=Path)
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    render(args.out, args.lang)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
