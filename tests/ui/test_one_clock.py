"""One clock: the screen, the receipt PDF and the CSV agree under a machine time zone that differs
from the counter's (issue 17, problem 6).

The machine here runs in Honolulu time (UTC−10) — a counter PC with the wrong zone — while the
counter works in UTC+8: the same top-up must read the same minute everywhere, in UTC+8.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import COUNTER_TIMEZONE, format_time
from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.reports.build import shift_report
from app.reports.csv_export import shift_rows, write_shift_csv
from app.services.receipts import receipt_for
from app.ui.flows.receipt_view import ReceiptView
from app.ui.main_window import MainWindow
from app.ui.printing.printers import QtPrinter
from app.ui.printing.receipt_printing import ReceiptPrinting
from tests.ui.flows_support import flows
from tests.ui.test_receipt_printing import pdf_text

__all__ = ["flows"]  # the fixture


@pytest.fixture
def honolulu():
    """The machine's zone set to UTC−10 for the test (restored after)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Honolulu"
    time.tzset()
    assert datetime.now().astimezone().utcoffset() == timedelta(hours=-10)
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def _utc8(at: datetime, pattern: str) -> str:
    """The expected text, computed without the formatter under test."""
    return (at.astimezone(UTC) + timedelta(hours=8)).strftime(pattern)


def test_screen_receipt_pdf_and_csv_agree_in_the_counters_zone(
    qtbot, honolulu, flows, rig, tmp_path
):
    window = MainWindow(flows.ctx, flows.ui.bridge)
    qtbot.addWidget(window)
    flows.reader.put(rig)
    shift = flows.ctx.session.shift
    flows.counter.topups.top_up(flows.clerk, shift.id, rig.open(), 3_000, PaymentMethod.CASH)
    (outcome,) = flows.counter.journal.records_of_kinds(RecordKind.LOAD_OUTCOME)
    minute = _utc8(outcome.at, "%Y-%m-%d %H:%M")
    machine = outcome.at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert minute != machine  # the machine's zone would give another time: the test can fail

    # the screen: the receipt as the void/reprint dialogs show it, and the status bar
    view = ReceiptView()
    view.show_receipt(receipt_for(flows.counter.journal, outcome))
    assert minute in view.toPlainText() and machine not in view.toPlainText()
    window.status.refresh()
    opened = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=shift.opened_at_us)
    assert f"since {_utc8(opened, '%H:%M')}" in window.status.shift.text()
    assert window.status.clock.text().endswith("UTC+08:00")

    # the receipt PDF (the window's printing, as wired in production)
    printing = ReceiptPrinting(flows.ctx, {}, tmp_path, parent=window)
    assert printing.timezone is COUNTER_TIMEZONE
    path = QtPrinter(printing.timezone, pdf_directory=tmp_path).save_pdf(
        receipt_for(flows.counter.journal, outcome), tmp_path / "receipt.pdf"
    )
    printed = pdf_text(path)
    assert minute in printed and machine not in printed

    # the CSV of the shift report (default zone: the counter's)
    report = shift_report(flows.counter.journal, flows.counter.store, shift.id)
    csv = write_shift_csv(tmp_path / "shift.csv", report).read_text(encoding="utf-8-sig")
    assert _utc8(opened, "%Y-%m-%d %H:%M") in csv
    assert "UTC+0800" in csv
    assert list(shift_rows(report))  # the rows the CSV holds
    assert format_time(outcome.at) == minute
