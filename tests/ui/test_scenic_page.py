"""The scenic page from the keyboard: a real counter, the virtual card, the real window plumbing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from app.domain.scenic import AnnualPass, EntryVerdict
from app.journal import RecordKind
from app.store import scenic as scenic_store
from app.ui.main_window import SCENIC_PAGE, MainWindow
from app.ui.scenic import install_scenic
from cardsim.profile import HolderFields
from tests.ui.flows_support import (
    HOLDER_ID,
    HOLDER_NAME,
    HOLDER_SERIAL,
    answer,
    confirm_box,
    flows,
    gone,
    press,
    settle,
    type_text,
)

__all__ = ["flows"]  # the fixture


@pytest.fixture
def window(qtbot, flows):
    window = MainWindow(flows.ctx, flows.ui.bridge)
    qtbot.addWidget(window)
    page = install_scenic(window, flows.ui.bridge, scenic_mode=True)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window, page


@pytest.fixture
def holder_card(flows, make_rig):
    flows.register_holder()
    return make_rig(holder=HolderFields(1, 0, HOLDER_NAME, HOLDER_ID, 0))


def _idle(qtbot, page):
    qtbot.waitUntil(lambda: not page._busy, timeout=10_000)


def _sales(flows):
    return flows.counter.journal.records_of_kinds(RecordKind.TICKET_SALE)


def test_scenic_mode_shows_the_page_and_a_cash_basket_is_sold_by_keys(qtbot, flows, window):
    main, page = window
    assert main.pages.currentIndex() == SCENIC_PAGE and main.pages.currentWidget() is page
    page.payment.setFocus()
    for key in (Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_2):  # two adults, one child
        qtbot.keyClick(page.payment, key, Qt.KeyboardModifier.ControlModifier)
    assert page.counts == {"adult": 2, "child": 1}
    assert page.basket_table.rowCount() == 2 and "¥100.00" in page.total_label.text()
    page.payment.setCurrentIndex(page.payment.findData("wechat"))
    qtbot.keyClick(page.payment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.last_sale is not None, timeout=10_000)
    (sale,) = _sales(flows)
    assert sale.amount_fen == 10_000 and sale.payment_method == "wechat"
    assert "3 tickets sold" in page.sale_message_text() and page.counts == {}


def test_a_purse_too_low_offers_a_top_up_and_a_good_one_pays(qtbot, flows, window, rig):
    _main, page = window
    flows.tap(qtbot, rig)  # ¥50 on the card
    page.payment.setCurrentIndex(page.payment.findData("card_purse"))
    page.add_ticket("adult", 2)
    page.pay()
    _idle(qtbot, page)
    assert "cannot be paid" in page.sale_message_text()
    assert "top-up of at least ¥30.00" in page.sale_message_text()
    assert page.top_up_button.isVisibleTo(page) and _sales(flows) == []
    page.clear_basket()
    page.add_ticket("adult")
    page.pay()
    # the card, its balance and the amount before anything is debited; Enter is "Cancel"
    box = confirm_box(qtbot, page)
    assert "Take ¥40.00 from card 3104000000001234?" in box.text()
    assert "Balance ¥50.00 → ¥10.00" in box.informativeText()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: gone(box), timeout=10_000)
    assert _sales(flows) == [] and rig.reload().profile.balance_fen == 5_000
    page.pay()
    answer(qtbot, page)  # Alt+Y
    qtbot.waitUntil(lambda: page.last_sale is not None, timeout=10_000)
    assert not page.top_up_button.isVisibleTo(page)
    assert page.last_sale.purchase.balance_after_fen == 1_000
    assert rig.reload().profile.balance_fen == 1_000


def test_pass_sale_with_photo_then_entry_checks_at_the_gate(
    qtbot, flows, window, holder_card, tmp_path
):
    _main, page = window
    photo = tmp_path / "holder.png"
    from PySide6.QtGui import QColor, QImage  # noqa: PLC0415 - a real picture for the preview

    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("steelblue"))
    assert image.save(str(photo))
    flows.tap(qtbot, holder_card)
    dialog = page.open_pass_sale()  # deletes itself on close: not handed to qtbot
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.choose_photo_file(photo)
    assert not dialog.photo_label.pixmap().isNull()
    dialog.payment.setCurrentIndex(dialog.payment.findData("cash"))
    dialog.id_number.setFocus()
    type_text(qtbot, dialog, "110101198001010011")
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "does not match" in dialog.message_text()
    dialog.id_number.clear()
    type_text(qtbot, dialog, HOLDER_ID)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "sold to card" in dialog.message_text() and dialog.last_sale is not None
    annual = dialog.last_sale.annual_pass
    assert annual.photo_path and annual.photo_path.startswith(str(flows.ui.directory))
    press(qtbot, dialog, Qt.Key.Key_Escape)

    page.show_entry_check()
    flows.tap(qtbot, holder_card)
    qtbot.waitUntil(lambda: page.last_check is not None, timeout=10_000)
    assert page.verdict_of_last_check() is EntryVerdict.VALID
    assert HOLDER_NAME in page.verdict.text() and not page.photo.pixmap().isNull()
    assert "Admitted today at this gate: 1" in page.count_label.text()
    first = page.last_check
    flows.tap(qtbot, holder_card)  # handed back over the fence
    qtbot.waitUntil(lambda: page.last_check is not first, timeout=10_000)
    assert page.last_check.flagged and "already used" in page.verdict.text()

    # a pass that ran out yesterday (as the store would hold it a year on)
    scenic_store.move_pass(flows.counter.store, annual.pass_id, "0000000000000000")
    yesterday = date.today() - timedelta(days=1)
    scenic_store.add_pass(
        flows.counter.store,
        AnnualPass("OLDPASS", HOLDER_SERIAL, "garden_annual", "园林年卡",
                   yesterday - timedelta(days=364), yesterday, HOLDER_NAME, "1234", None, 1),
        0,
    )  # fmt: skip
    second = page.last_check
    flows.tap(qtbot, holder_card)
    qtbot.waitUntil(lambda: page.last_check is not second, timeout=10_000)
    assert page.verdict_of_last_check() is EntryVerdict.EXPIRED
    assert "expired" in page.verdict.text()


def test_cash_tendered_gives_the_change_and_too_little_is_refused(qtbot, flows, window):
    _main, page = window
    page.add_ticket("adult", 2)  # ¥80
    page.payment.setCurrentIndex(page.payment.findData("cash"))
    page.tendered.setFocus()
    qtbot.keyClicks(page.tendered, "50")
    assert "¥30.00 short" in page.change_label.text()
    page.pay()
    assert "less than the total" in page.sale_message_text() and _sales(flows) == []
    page.tendered.clear()
    qtbot.keyClicks(page.tendered, "100")
    assert page.change_label.text() == "Change: ¥20.00"
    page.pay()
    qtbot.waitUntil(lambda: page.last_sale is not None, timeout=10_000)
    assert "Give back ¥20.00 change" in page.sale_message_text()
    page.payment.setCurrentIndex(page.payment.findData("wechat"))
    assert not page.tendered.isVisibleTo(page)  # only cash is tendered
