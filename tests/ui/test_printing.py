"""Printing in the window: receipts and reports as PDF (read back with pdftotext), the chart, the
print preview, and the receipt printer chosen in the settings.

The PDFs are also rendered to PNG (``pdftoppm -r 60``) into /tmp/shots/ to be looked at.
Qt's PDF writer maps a glyph shared by an ideograph and a radical back to the lower code point,
the radical (一 as U+2F00 ⼀, 页 as U+2EDA ⻚): it looks the same but copies differently. The
extracted text is folded back (NFKC for the Kangxi radicals, a table for the supplement).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFontDatabase, QImage, QPainter, QTextDocument

from app.printing.errors import PrinterError, PrinterSettingsError
from app.printing.escpos_receipt import EscposFile, EscposNetwork, EscposUsb
from app.reports import daily_report, shift_report
from app.reports import texts as t
from app.reports.model import HourBucket
from app.ui.printing.chart import BAR, HourlyChart
from app.ui.printing.fonts import cjk_family, document_font
from app.ui.printing.paging import a4, keep_headings_with_next, lay_out_for, pdf_printer
from app.ui.printing.printers import QtPrinter, printer_from_settings
from app.ui.printing.report_doc import (
    ReportPreviewDialog,
    open_report_preview,
    report_document,
    save_report_pdf,
)
from tests.reports.worked_day import DAY, TZ, WorkedDay, work_a_day

SHOTS = Path("/tmp/shots")
RADICALS = str.maketrans({"⻚": "页", "⻓": "长", "⻔": "门", "⻛": "风", "⻢": "马"})
CHINESE = {
    t.SHIFT_TITLE: "班次报表 — 第{shift}班",
    t.DAILY_TITLE: "日报表 — {day}",
    t.CASH: "钱箱",
    t.TOTALS: "按业务和支付方式汇总",
    t.HOURLY: "每小时收款",
    t.JOURNAL: "日志核对信息",
    t.EXPECTED_CASH: "应有现金",
    t.COUNTED_CASH: "实点现金",
    t.PAGE: "第{page}页，共{pages}页",
    "Top-up": "充值",
    "Cash": "现金",
}


def chinese(template: str) -> str:
    return CHINESE.get(template, template)


def pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: scripts/setup-system.sh installs poppler-utils")
    out = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFKC", out.stdout.decode()).translate(RADICALS)


def pdf_pages(path: Path) -> tuple[int, float]:
    """(pages, page width in points)."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    return int(fields["Pages"]), float(fields["Page size"].split()[0])


def shoot(pdf: Path) -> list[Path]:
    """Render ``pdf`` to PNGs at 60 dpi in /tmp/shots/ (to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SHOTS / pdf.stem
    for old in SHOTS.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    return sorted(SHOTS.glob(f"{pdf.stem}-*.png"))


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> WorkedDay:
    worked = work_a_day(tmp_path_factory.mktemp("counter"))
    yield worked
    worked.counter.close()


@pytest.fixture(scope="module")
def shift2(day):
    return shift_report(day.counter.journal, day.counter.store, 2, TZ)


# -- receipts ------------------------------------------------------------------------------------


def test_receipt_pdf_is_an_80mm_slip_with_chinese_and_copy(qapp, day, tmp_path):
    printer = QtPrinter(TZ, pdf_directory=tmp_path / "receipts")
    printer.print_receipt(day.copy)
    printer.print_receipt(day.receipt)
    seq = day.first_topup_seq
    copy_pdf = tmp_path / "receipts" / f"receipt-{seq:06d}-copy-1.pdf"
    original_pdf = tmp_path / "receipts" / f"receipt-{seq:06d}.pdf"
    text = pdf_text(copy_pdf)
    for expected in (
        "城市一卡通",
        "充值凭条 Top-up receipt",
        "卡号 Card",
        "¥100.00",
        "3104000000000001",
    ):
        assert expected in text
    assert text.count("重印 COPY 1") == 2
    assert "2026-11-21 09:10:" in text  # the counter's time (UTC+8)
    original = pdf_text(original_pdf)
    assert "COPY" not in original and "¥160.00" in original
    pages, width = pdf_pages(copy_pdf)
    assert pages == 1 and width == pytest.approx(80 / 25.4 * 72, abs=1)
    shutil.copy(copy_pdf, tmp_path / "receipt-copy.pdf")
    assert shoot(tmp_path / "receipt-copy.pdf")


def test_a_printer_that_is_not_installed_fails_in_words(qapp, day):
    printer = QtPrinter(TZ, printer_name="No such printer 404")
    with pytest.raises(PrinterError) as info:
        printer.print_receipt(day.receipt)
    assert info.value.params["printer"] == "No such printer 404"


def test_printer_from_settings(qapp, tmp_path):
    assert printer_from_settings({}, TZ) is None
    assert printer_from_settings({"kind": "none"}, TZ) is None
    pdf = printer_from_settings({"kind": "pdf", "directory": str(tmp_path)}, TZ)
    assert isinstance(pdf, QtPrinter) and pdf.pdf_directory == tmp_path
    named = printer_from_settings({"kind": "qt", "name": "Front desk"}, TZ)
    assert isinstance(named, QtPrinter) and named.printer_name == "Front desk"
    default = printer_from_settings({"kind": "qt"}, TZ)
    assert isinstance(default, QtPrinter) and default.printer_name is None
    kinds = {
        "escpos_network": ({"host": "10.1.1.5", "port": "9100"}, EscposNetwork),
        "escpos_usb": ({"vendor_id": "0x0416", "product_id": "0x5011"}, EscposUsb),
        "escpos_file": ({"device": "/dev/usb/lp0"}, EscposFile),
    }
    for kind, (values, cls) in kinds.items():
        assert isinstance(printer_from_settings({"kind": kind, **values}, TZ), cls)
    for bad in ({"kind": "pdf"}, {"kind": "qt", "name": 3}, {"kind": "fax"}):
        with pytest.raises(PrinterSettingsError):
            printer_from_settings(bad, TZ)


# -- reports -------------------------------------------------------------------------------------


def test_shift_report_pdf_shows_chinese_headings_and_the_figures(qapp, day, shift2, tmp_path):
    path = save_report_pdf(shift2, tmp_path / "shift-report.pdf", chinese)
    text = pdf_text(path)
    for heading in (
        "班次报表 — 第2班",
        "钱箱",
        "按业务和支付方式汇总",
        "每小时收款",
        "日志核对信息",
    ):
        assert heading in text, heading
    assert "王芳 (clerk1)" in text
    for amount in ("¥500.00", "¥530.00", "¥529.00", "-¥1.00", "¥130.00", "¥200.00", "¥400.00"):
        assert amount in text, amount
    assert "充值" in text and "现金" in text
    signature = shift2.figures.journal.checkpoint_signature_hex
    assert signature[:64] in text and signature[64:] in text
    assert shift2.figures.journal.last_mac_hex in text
    pages, _width = pdf_pages(path)
    assert f"第{pages}页,共{pages}页" in text  # the footer of the last page (NFKC: "，" → ",")
    assert 1 <= pages <= 4
    assert len(shoot(path)) == pages


def test_daily_report_pdf(qapp, day, tmp_path):
    report = daily_report(day.counter.journal, day.counter.store, DAY, TZ)
    path = save_report_pdf(report, tmp_path / "daily-report.pdf", chinese)
    text = pdf_text(path)
    assert "日报表 — 2026-11-21" in text
    assert "李强 (sup1)" in text and "王芳 (clerk1)" in text
    for amount in ("¥410.00", "¥310.00", "¥110.00"):
        assert amount in text, amount
    assert shoot(path)


def test_english_is_the_source_language(qapp, shift2, tmp_path):
    path = save_report_pdf(shift2, tmp_path / "shift-en.pdf")
    text = pdf_text(path)
    assert "Shift report — shift 2" in text and "Cash drawer" in text
    assert "Takings by hour" in text and "Journal reference" in text


def test_a_heading_never_ends_a_page(qapp, shift2, tmp_path):
    doc = report_document(shift2)
    printer = a4(pdf_printer(str(tmp_path / "x.pdf")))
    lay_out_for(doc, printer, document_font(7.5))
    keep_headings_with_next(doc)
    layout = doc.documentLayout()
    height = doc.pageSize().height()
    block = doc.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel() and following.isValid():
            top = layout.blockBoundingRect(block).top()
            below = layout.blockBoundingRect(following).top() + 1
            assert top // height == below // height, block.text()
        block = following


def test_the_chart_draws_one_bar_per_hour_in_proportion(qapp):
    hours = [datetime(2026, 11, 21, h, tzinfo=TZ) for h in (9, 10, 11, 12)]
    chart = HourlyChart(
        [HourBucket(h, 1, a) for h, a in zip(hours, (15_000, 30_000, 0, 7_500), strict=True)],
        document_font(9),
    )
    image = QImage(800, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    chart.drawObject(painter, QRectF(0, 0, 800, 300), QTextDocument(), 0, None)
    painter.end()
    columns = [sum(image.pixelColor(x, y) == BAR for y in range(300)) for x in range(800)]
    bars, current = [], 0
    for height in [*columns, 0]:  # runs of columns with bar colour -> each bar's height
        if height:
            current = max(current, height)
        elif current:
            bars.append(current)
            current = 0
    assert len(bars) == 3  # the empty hour draws no bar
    assert bars[1] == pytest.approx(2 * bars[0], rel=0.05)
    assert bars[2] == pytest.approx(bars[0] / 2, rel=0.08)


def test_documents_use_a_font_with_chinese(qapp):
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(
        cjk_family()
    )


def test_print_preview_builds_offscreen_and_closes(qapp, qtbot, shift2):
    dialog = open_report_preview(shift2)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ReportPreviewDialog)
    assert dialog.windowTitle() == "Shift report — shift 2"
    qtbot.waitUntil(lambda: dialog.pages > 0, timeout=10_000)
    assert dialog.isVisible()
    dialog.close()
    assert not dialog.isVisible()
