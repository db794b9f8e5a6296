"""Receipts from the wired window: a real counter, the virtual card, PDFs read back with pdftotext.

The window is wired the way the production start wires it (:func:`app.ui.startup.wire_window`):
the top-up dialog's "Print receipt" and the flows' receipts go through
:class:`~app.ui.printing.receipt_printing.ReceiptPrinting`, on the runner's pool. No printer is
set in these counters unless a test sets one, so receipts land in ``<data dir>/receipts/``.

:func:`wired` (and :func:`pdf_text`) are shared with tests/ui/test_reports_dialog.py.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.settings import FILE_NAME, Settings, load_settings, save_settings
from app.ui.flows.settings_dialog import SettingsDialog
from app.ui.flows.void_reprint import VoidReprintDialog
from app.ui.i18n import LanguageSwitcher
from app.ui.printing.printers import QtPrinter
from app.ui.printing.receipt_printing import RECEIPTS_FOLDER, PrintedReceipt, ReceiptPrinting
from app.ui.startup import Gui, wire_window
from app.ui.topup_dialog import TopUpDialog
from tests.ui.ui_support import ADMIN, CLERK, SUPERVISOR, WAIT_MS, UiRig, focused, has_focus

ALT = Qt.KeyboardModifier.AltModifier
RADICALS = str.maketrans({"⻚": "页", "⻓": "长", "⻔": "门", "⻛": "风", "⻢": "马"})


def pdf_text(path: Path) -> str:
    """The text of a PDF (Qt writes some ideographs as radicals: folded back)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: scripts/setup-system.sh installs poppler-utils")
    out = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFKC", out.stdout.decode()).translate(RADICALS)


@dataclass
class Wired:
    """A real counter behind a window wired by ``wire_window``."""

    ui: UiRig
    gui: Gui
    languages: LanguageSwitcher

    @property
    def printing(self) -> ReceiptPrinting:
        """The window's receipt printing."""
        assert self.gui.printing is not None
        return self.gui.printing

    @property
    def receipts(self) -> Path:
        """Where receipts go without a printer."""
        return self.ui.directory / RECEIPTS_FOLDER

    def wait_printed(self, qtbot, count: int) -> PrintedReceipt:
        """Wait for the ``count``-th receipt to come out; it."""
        qtbot.waitUntil(lambda: len(self.printing.results) >= count, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not self.ui.ctx.runner.busy(), timeout=WAIT_MS)
        return self.printing.results[count - 1]


def wire(ui: UiRig, window, languages: LanguageSwitcher, settings: Settings | None = None) -> Gui:
    """``window`` over ``ui`` wired as production wires it (settings in the counter's folder)."""
    gui = Gui(ui.ctx, ui.bridge, window, ui.card_thread)
    wire_window(gui, data_dir=ui.directory, settings=settings or Settings(), languages=languages)
    assert gui.openers is not None
    gui.openers.list_readers = lambda: ["Virtual PCD 00 00"]  # not the machine's pcscd
    return gui


@pytest.fixture
def wired(qtbot, qapp, ui_rig, main_window) -> Iterator[Wired]:
    """The main window over a real counter, wired by ``wire_window``; English; nobody in."""
    languages = LanguageSwitcher(qapp)
    gui = wire(ui_rig, main_window, languages)
    yield Wired(ui_rig, gui, languages)
    qtbot.waitUntil(lambda: not ui_rig.ctx.runner.busy(), timeout=WAIT_MS)
    languages.switch("en")
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and widget is not main_window:
            widget.close()


def _ready(qtbot, w: Wired) -> None:
    """The clerk signed in with a shift open and the card read; the window active."""
    w.ui.sign_in(CLERK)
    w.ui.open_shift(50_000)
    w.ui.tap(qtbot)
    window = w.gui.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def _top_up_from_the_keyboard(qtbot, w: Wired, amount: str) -> TopUpDialog:
    window = w.gui.window
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.topup_dialog is not None, timeout=WAIT_MS)
    dialog = window.topup_dialog
    assert dialog is not None and has_focus(qtbot, dialog.amount)
    qtbot.keyClicks(dialog.amount, amount)
    qtbot.waitUntil(lambda: "the balance becomes" in dialog.check_line.text(), timeout=WAIT_MS)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.page() != TopUpDialog.WRITING, timeout=WAIT_MS)
    assert dialog.page() == TopUpDialog.DONE, dialog.message_text()
    return dialog


def _outcome_seq(w: Wired) -> int:
    (outcome,) = w.ui.counter.journal.records_of_kinds(RecordKind.LOAD_OUTCOME)
    return outcome.seq


def test_a_top_up_receipt_without_a_printer_is_a_pdf_in_the_receipts_folder(qtbot, wired):
    wired.gui.window.auto_print = False  # this test prints by the key (Alt+P)
    _ready(qtbot, wired)
    dialog = _top_up_from_the_keyboard(qtbot, wired, "50")
    assert dialog.print_button.isVisible()
    threads: list[str] = []
    fallback = wired.printing._fallback  # a spy on the real PDF writer: which thread runs it
    real = fallback.print_receipt

    def spy(receipt):
        threads.append(threading.current_thread().name)
        real(receipt)

    fallback.print_receipt = spy

    qtbot.keyClick(focused(), Qt.Key.Key_P, ALT)  # &Print receipt
    result = wired.wait_printed(qtbot, 1)

    seq = _outcome_seq(wired)
    path = wired.receipts / f"receipt-{seq:06d}.pdf"
    assert result.path == path and result.fallback and result.printer is None
    assert path.is_file()
    text = pdf_text(path)
    assert "充值凭条" in text and "Top-up receipt" in text
    assert "¥50.00" in text and "¥100.00" in text  # the amount and the balance after
    assert str(seq) in text and "COPY" not in text
    assert threads and threads[0].startswith("ui-pool")  # never the GUI thread
    # the first receipt without a printer: the clerk is told where it went
    notice = wired.printing.notice
    assert notice is not None and str(wired.receipts) in notice.text()
    assert "Settings" in notice.informativeText()
    assert str(path) in wired.gui.window.statusBar().currentMessage()
    notice.close()

    qtbot.keyClick(dialog.print_button, Qt.Key.Key_Space)  # again: the same file, no second box
    wired.wait_printed(qtbot, 2)
    assert wired.printing.notice is None
    assert sorted(p.name for p in wired.receipts.iterdir()) == [path.name]


def test_a_reprint_prints_copy(qtbot, wired, rig):
    w = wired
    w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    w.ui.reader.put(rig)
    actor = w.ui.ctx.session.require_actor()
    topped = w.ui.counter.topups.top_up(actor, shift.id, rig.open(), 3_000, PaymentMethod.CASH)
    assert w.gui.openers is not None
    dialog = w.gui.openers.void_reprint()
    assert isinstance(dialog, VoidReprintDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.reprint_button.isEnabled, timeout=WAIT_MS)
    dialog.reprint_button.click()  # &Reprint the receipt… (the keys are tested with the flow)
    qtbot.waitUntil(
        lambda: dialog.approval_dialog is not None and dialog.approval_dialog.isVisible(),
        timeout=WAIT_MS,
    )
    approval = dialog.approval_dialog
    approval.username.setText(SUPERVISOR[0])
    approval.password.setText(SUPERVISOR[2])
    qtbot.keyClick(approval.password, Qt.Key.Key_Return)

    result = w.wait_printed(qtbot, 1)
    path = w.receipts / f"receipt-{topped.outcome_seq:06d}-copy-1.pdf"
    assert result.path == path and result.receipt.copy_number == 1
    text = pdf_text(path)
    assert text.count("COPY 1") == 2  # at the top and at the bottom of the slip
    assert "重印" in text and "¥30.00" in text
    assert not (w.receipts / f"receipt-{topped.outcome_seq:06d}.pdf").exists()


def test_saved_printer_settings_swap_the_printer(qtbot, wired, tmp_path):
    w = wired
    w.ui.sign_in(ADMIN)
    folder = tmp_path / "printed"
    assert w.gui.openers is not None
    dialog = w.gui.openers.settings()
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    dialog.printer_kind.setCurrentIndex(dialog.printer_kind.findData("pdf"))
    dialog.pdf_directory.setText(str(folder))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=WAIT_MS)
    saved = load_settings(w.ui.directory / FILE_NAME).settings
    assert dict(saved.printer) == {"kind": "pdf", "directory": str(folder)}
    printer = w.printing.printer
    assert isinstance(printer, QtPrinter) and printer.pdf_directory == folder

    w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    topped = w.ui.counter.topups.top_up(
        w.ui.ctx.session.require_actor(), shift.id, w.ui.rig.open(), 2_000, PaymentMethod.WECHAT
    )
    w.gui.window.print_receipt(topped.outcome_seq)  # what the top-up dialog's button calls
    result = w.wait_printed(qtbot, 1)
    assert result.path == folder / f"receipt-{topped.outcome_seq:06d}.pdf"
    assert not result.fallback and "¥20.00" in pdf_text(result.path)
    assert not w.receipts.exists()  # a printer is set: nothing in the fallback folder
    assert w.printing.notice is None
    assert str(result.path) in w.printing.last_note


def test_a_printer_that_fails_is_told_to_the_clerk(qtbot, wired, tmp_path):
    w = wired
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the printer's folder should be")
    w.printing.set_printer({"kind": "pdf", "directory": str(blocker)})
    w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    topped = w.ui.counter.topups.top_up(
        w.ui.ctx.session.require_actor(), shift.id, w.ui.rig.open(), 1_000, PaymentMethod.CASH
    )
    w.printing.print_seq(topped.outcome_seq)
    qtbot.waitUntil(lambda: w.ui.errors.last is not None, timeout=WAIT_MS)
    what, advice = w.ui.errors.last
    assert "did not print" in what and "Internal error" not in what
    assert "paper" in advice  # the printer's own advice: what to do
    assert w.printing.results == []


def test_an_unusable_printer_setting_saves_the_receipt_and_says_why(qtbot, wired):
    w = wired
    w.printing.set_printer({"kind": "escpos_network"})  # no host
    assert w.printing.printer is None and w.printing.setting_problem is not None
    w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    topped = w.ui.counter.topups.top_up(
        w.ui.ctx.session.require_actor(), shift.id, w.ui.rig.open(), 4_000, PaymentMethod.CASH
    )
    w.printing.print_seq(topped.outcome_seq)
    result = w.wait_printed(qtbot, 1)
    assert result.fallback and result.setting_problem is not None
    assert result.path is not None and "¥40.00" in pdf_text(result.path)
    assert w.ui.errors.last is not None
    what, advice = w.ui.errors.last
    assert "host" in what
    assert str(result.path) in advice and "settings" in advice


def test_a_record_without_a_receipt_is_refused_in_plain_words(qtbot, wired):
    w = wired
    w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    (opening,) = w.ui.counter.journal.shift_records(shift.id, RecordKind.SHIFT_OPEN)
    w.printing.print_seq(opening.seq)
    qtbot.waitUntil(lambda: w.ui.errors.last is not None, timeout=WAIT_MS)
    assert "has no receipt" in w.ui.errors.last[0]
    w.ui.errors.close()
    w.printing.print_seq(999_999)
    qtbot.waitUntil(lambda: "There is no record 999999" in w.ui.errors.last[0], timeout=WAIT_MS)
    assert not w.receipts.exists()


def test_settings_at_start_choose_the_printer(qtbot, qapp, ui_rig, main_window, tmp_path):
    folder = tmp_path / "slips"
    settings = Settings(printer={"kind": "pdf", "directory": str(folder), "heading": "杭州通"})
    save_settings(settings, ui_rig.directory / FILE_NAME)
    gui = wire(ui_rig, main_window, LanguageSwitcher(qapp), settings)
    assert gui.printing is not None
    printer = gui.printing.printer
    assert isinstance(printer, QtPrinter) and printer.pdf_directory == folder
    assert printer.heading == "杭州通"
