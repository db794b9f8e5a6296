"""The ticket office on paper: receipts of ticket and pass sales, its part of the report PDFs."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from app.reports import daily_report
from app.reports import texts as t
from app.services.operators import ApprovalPurpose
from app.services.receipts import ReprintService, receipt_for
from app.services.scenic import ScenicService
from app.store import holders
from app.ui.printing.printers import QtPrinter
from app.ui.printing.report_doc import report_html, save_report_pdf
from tests.services.counter_support import (
    CHINA,
    CLERK,
    SHIFT,
    SUPERVISOR_PASSWORD,
    build_counter,
    purchase_service,
    staff,
)
from tests.ui.test_printing import pdf_text
from tests.ui.test_receipt_printing import wired

__all__ = ["wired"]  # the fixture

SERIAL = "3104000000001234"
ID_NUMBER = "330102199001011234"
INDEX_KEY = secrets.token_bytes(32)


@pytest.fixture
def office(tmp_path, rig):
    counter = build_counter(tmp_path, rig.sam)
    holders.register(counter.store, INDEX_KEY, SERIAL, "张三", ID_NUMBER)
    scenic = ScenicService(counter.journal, counter.store, purchase_service(counter, rig.sam),
                           INDEX_KEY, tmp_path, counter.clock, CHINA)  # fmt: skip
    yield counter, scenic
    counter.close()


def test_a_cash_ticket_receipt_lists_each_type(office):
    counter, scenic = office
    sale = scenic.sell_tickets(CLERK, SHIFT, scenic.basket({"adult": 2, "child": 1}), "cash")
    receipt = receipt_for(counter.journal, counter.journal.record(sale.record_seq))
    lines = dict(receipt.lines)
    assert receipt.title == "门票凭条 Admission ticket receipt"
    assert lines["成人票 Adult ×2"] == "¥80.00" and lines["儿童票 Child ×1"] == "¥20.00"
    assert lines["金额 Amount"] == "¥100.00" and lines["支付 Paid by"] == "现金 Cash"
    assert lines["张数 Tickets"] == "3" and "TAC" not in lines


def test_a_purse_paid_receipt_shows_the_card_balance_and_tac(office, rig):
    counter, scenic = office
    sale = scenic.sell_tickets(CLERK, SHIFT, scenic.basket({"senior": 1}), "card_purse",
                               rig.open())  # fmt: skip
    lines = dict(receipt_for(counter.journal, counter.journal.record(sale.record_seq)).lines)
    assert lines["卡号 Card"] == SERIAL and lines["现余额 Balance after"] == "¥30.00"
    assert lines["TAC"] == sale.purchase.tac.hex().upper()


def test_a_pass_receipt_prints_as_a_slip_and_reprints_as_a_copy(office, rig, qapp, tmp_path):
    counter, scenic = office
    operators, clerk = staff(counter)
    sale = scenic.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "wechat")
    receipt = receipt_for(counter.journal, counter.journal.record(sale.record_seq))
    lines = dict(receipt.lines)
    annual = sale.annual_pass
    assert receipt.title == "年卡凭条 Annual pass receipt"
    assert lines["年卡 Pass"] == "园林年卡" and lines["持卡人 Holder"] == "张*"
    assert lines["有效期 Valid"] == f"{annual.valid_from} 至 {annual.valid_until}"
    assert lines["金额 Amount"] == "¥120.00" and lines["年卡号 Pass no."] == annual.pass_id
    printer = QtPrinter(CHINA, pdf_directory=tmp_path / "receipts")
    printer.print_receipt(receipt)
    text = pdf_text(tmp_path / "receipts" / f"receipt-{sale.record_seq:06d}.pdf")
    assert "年卡凭条 Annual pass receipt" in text and "园林年卡" in text and "¥120.00" in text
    # a reprint of a pass sale is a COPY like any other receipt
    approval = operators.approve(clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REPRINT)
    copy = ReprintService(counter.journal, counter.clock).reprint(
        clerk, SHIFT, sale.record_seq, approval
    )
    assert copy.is_copy and copy.copy_number == 1 and copy.lines == receipt.lines


def _a_worked_day(counter, scenic, rig) -> None:
    scenic.sell_tickets(CLERK, SHIFT, scenic.basket({"adult": 2, "free": 1}), "cash")
    scenic.sell_tickets(CLERK, SHIFT, scenic.basket({"child": 1}), "card_purse", rig.open())
    scenic.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "alipay")
    scenic.check_serial(CLERK, SERIAL, "east")
    scenic.check_serial(CLERK, SERIAL, "west")  # within the interval: flagged
    counter.clock.now += timedelta(hours=2)
    scenic.check_serial(CLERK, SERIAL, "east")


def test_the_daily_report_pdf_has_the_ticket_office(office, rig, qapp, tmp_path):
    counter, scenic = office
    _a_worked_day(counter, scenic, rig)
    day = counter.clock.now.astimezone(CHINA).date()
    report = daily_report(counter.journal, counter.store, day, CHINA)
    text = pdf_text(save_report_pdf(report, tmp_path / "daily.pdf"))
    for expected in (
        t.SCENIC_TICKETS,
        t.SCENIC_PASSES,
        t.SCENIC_ENTRIES_HOURLY,
        t.SCENIC_ENTRIES_GATE,
        "Ticket type",
        "Adult",
        "Child",
        "园林年卡",
        "¥120.00",
        "17:00",  # 09:00 UTC is 17:00 in the counter's zone (the dash extracts as U+2012)
        "19:00",
    ):
        assert expected in text, expected
    html = report_html(report)
    assert html.index(t.SCENIC_TICKETS) < html.index(t.VOIDS_REPRINTS)
    # the hours: two admissions at 17:xx, one at 19:xx; gates east 2, west 1; one flagged
    assert "<td align=\"left\" style=\"font-weight:normal\">17:00–17:59</td><td align=\"right\" " \
           "style=\"font-weight:normal\">2</td>" in html  # fmt: skip
    assert f'{t.SCENIC_FLAGGED}</td><td align="right" style="font-weight:normal">1<' in html


def test_a_report_without_ticket_office_business_has_no_scenic_section(office, rig, qapp):
    counter, _scenic = office
    counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, "cash")
    day = counter.clock.now.astimezone(CHINA).date()
    html = report_html(daily_report(counter.journal, counter.store, day, CHINA))
    assert t.SCENIC_TICKETS not in html and "Ticket type" not in html


def test_a_ticket_sale_in_the_wired_window_prints_its_receipt(qtbot, wired):
    """The window wired as at start-up: the page's sale goes to the receipt printer (a PDF)."""
    wired.ui.sign_in()
    wired.ui.open_shift(50_000)
    page = wired.gui.scenic
    assert page is not None
    page.add_ticket("adult", 2)
    page.payment.setCurrentIndex(page.payment.findData("cash"))
    page.pay()
    printed = wired.wait_printed(qtbot, 1)
    assert printed.receipt.title == "门票凭条 Admission ticket receipt"
    assert printed.receipt.journal_seq == page.last_sale.record_seq
    text = pdf_text(printed.path)
    assert "成人票 Adult ×2" in text and "¥80.00" in text
