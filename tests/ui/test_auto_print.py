"""One rule for the flows' receipts (settings' auto_print), from the keyboard on the wired window.

With auto_print on, a void's receipt comes out once by itself; with it off nothing prints until
the clerk asks with Alt+T ("Print the receipt") on the done page. The receipts are real PDFs in
the counter's receipts folder (no printer set), as in tests/ui/test_receipt_printing.py.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.ui.flows.void_reprint import VoidReprintDialog
from tests.ui.flows_support import mnemonic
from tests.ui.mnemonics import collisions
from tests.ui.test_receipt_printing import Wired, pdf_text, wired
from tests.ui.ui_support import CLERK, SUPERVISOR, WAIT_MS, has_focus

__all__ = ["wired"]  # the fixture


def _void_from_the_keyboard(qtbot, w: Wired, rig) -> VoidReprintDialog:
    """A ¥30.00 cash top-up, then F7's void approved by the supervisor, all by keys."""
    w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    w.ui.reader.put(rig)
    actor = w.ui.ctx.session.require_actor()
    w.ui.counter.topups.top_up(actor, shift.id, rig.open(), 3_000, PaymentMethod.CASH)
    assert w.gui.openers is not None
    dialog = w.gui.openers.void_reprint()
    assert isinstance(dialog, VoidReprintDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: has_focus(qtbot, dialog.void_button), timeout=WAIT_MS)
    qtbot.keyClick(dialog.void_button, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.approval_dialog is not None and dialog.approval_dialog.isVisible(),
        timeout=WAIT_MS,
    )
    approval = dialog.approval_dialog
    qtbot.keyClicks(approval.username, SUPERVISOR[0])
    qtbot.keyClicks(approval.password, SUPERVISOR[2])
    qtbot.keyClick(approval.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "is voided" in dialog.message_text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not w.ui.ctx.runner.busy(), timeout=WAIT_MS)
    return dialog


def _void_seq(w: Wired) -> int:
    (void,) = w.ui.counter.journal.records_of_kinds(RecordKind.VOID)
    return void.seq


def _pdfs(w: Wired) -> list[str]:
    folder = w.receipts
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_with_auto_print_off_a_void_prints_only_when_the_clerk_asks(qtbot, wired, rig):
    wired.gui.window.auto_print = False
    dialog = _void_from_the_keyboard(qtbot, wired, rig)
    qtbot.wait(300)  # a print job would have been queued with the result
    assert wired.printing.results == [] and _pdfs(wired) == []
    assert dialog.print_button.isVisible() and dialog.print_button.isEnabled()

    mnemonic(qtbot, dialog, Qt.Key.Key_T)  # Alt+T: Prin&t the receipt
    result = wired.wait_printed(qtbot, 1)
    seq = _void_seq(wired)
    assert result.receipt.journal_seq == seq and not result.receipt.is_copy
    assert _pdfs(wired) == [f"receipt-{seq:06d}.pdf"]
    assert "¥30.00" in pdf_text(wired.receipts / f"receipt-{seq:06d}.pdf")
    assert not dialog.print_button.isVisible()  # asked once, printed once
    qtbot.wait(300)
    assert len(wired.printing.results) == 1


def test_with_auto_print_on_a_void_prints_once_by_itself(qtbot, wired, rig):
    wired.gui.window.auto_print = True
    dialog = _void_from_the_keyboard(qtbot, wired, rig)
    result = wired.wait_printed(qtbot, 1)
    seq = _void_seq(wired)
    assert result.receipt.journal_seq == seq
    assert _pdfs(wired) == [f"receipt-{seq:06d}.pdf"]
    assert not dialog.print_button.isVisible()  # nothing to offer: it is out
    qtbot.wait(300)
    assert len(wired.printing.results) == 1


def _sell_two_adult_tickets(qtbot, w: Wired):
    w.ui.sign_in()
    w.ui.open_shift(50_000)
    page = w.gui.scenic
    assert page is not None
    w.gui.window.show_scenic(True)  # the ticket office on screen
    page.add_ticket("adult", 2)
    page.payment.setCurrentIndex(page.payment.findData("cash"))
    page.pay()
    qtbot.waitUntil(lambda: page.last_sale is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not w.ui.ctx.runner.busy(), timeout=WAIT_MS)
    return page


def test_with_auto_print_off_a_ticket_sale_prints_only_when_the_clerk_asks(qtbot, wired):
    wired.gui.window.auto_print = False
    page = _sell_two_adult_tickets(qtbot, wired)
    qtbot.wait(300)
    assert wired.printing.results == [] and _pdfs(wired) == []
    assert page.print_button.isVisibleTo(wired.gui.window)
    for language in ("en", "zh_CN"):  # the offered button's Alt+letter is the window's only one
        assert wired.languages.switch(language)
        assert collisions(wired.gui.window) == []
    wired.languages.switch("en")

    wired.gui.window.activateWindow()
    qtbot.waitUntil(wired.gui.window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(wired.gui.window, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    printed = wired.wait_printed(qtbot, 1)
    assert printed.receipt.journal_seq == page.last_sale.record_seq
    assert "¥80.00" in pdf_text(printed.path)
    assert not page.print_button.isVisibleTo(wired.gui.window)
    qtbot.wait(300)
    assert len(wired.printing.results) == 1
