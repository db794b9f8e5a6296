"""CSV export: UTF-8 with a BOM, one long table, and it reads back to the report's figures."""

from __future__ import annotations

import csv

import pytest

from app.domain.money import Fen
from app.reports import daily_report, shift_report, write_daily_csv, write_shift_csv
from app.reports import texts as t
from app.reports.csv_export import shift_rows, yuan
from tests.reports.worked_day import DAY, TZ

CHINESE = {
    t.SECTION: "栏目",
    t.TOTALS: "按业务和支付方式汇总",
    t.CASH: "钱箱",
    t.OPENING_FLOAT: "备用金",
    "Top-up": "充值",
    "Cash": "现金",
}


def _read(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _amount(text: str) -> int:
    negative = text.startswith("-")
    fen = Fen.parse_yuan(text.removeprefix("-")).value
    return -fen if negative else fen


@pytest.fixture(scope="module")
def shift2(day):
    return shift_report(day.counter.journal, day.counter.store, 2, TZ)


def test_shift_csv_reads_back_to_the_report(tmp_path, shift2):
    path = write_shift_csv(tmp_path / "shift-2.csv", shift2)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert "王芳".encode() in raw and b"\r\n" in raw
    header, *rows = _read(path)
    assert header == ["Section", "Item", "Payment method", "Count", "Amount", "Value"]
    totals = {(r[1], r[2]): (int(r[3]), _amount(r[4])) for r in rows if r[0] == t.TOTALS and r[4]}
    assert totals == {
        (t.kind_label(x.kind), t.payment_label(x.payment_method)): (x.count, x.amount_fen)
        for x in shift2.figures.totals
    }
    cash = {r[1]: r[4] for r in rows if r[0] == t.CASH}
    assert _amount(cash[t.EXPECTED_CASH]) == shift2.cash.expected_cash_fen == 53_000
    assert _amount(cash[t.DIFFERENCE]) == shift2.cash.difference_fen == -100
    hourly = [(r[1], int(r[3]), _amount(r[4])) for r in rows if r[0] == t.HOURLY]
    assert hourly == [
        (h.start.strftime("%Y-%m-%d %H:00"), h.count, h.amount_fen) for h in shift2.figures.hourly
    ]
    journal = {r[1]: r[5] for r in rows if r[0] == t.JOURNAL}
    assert journal[t.CHECKPOINT_SIGNATURE] == shift2.figures.journal.checkpoint_signature_hex
    assert journal[t.CHECKPOINT] == str(shift2.figures.journal.checkpoint_number)
    grey = [r for r in rows if r[0] == t.GREY]
    assert len(grey) == 1 and "3104000000000005" in grey[0][5]


def test_headings_are_translated_through_the_given_translator(tmp_path, shift2):
    path = write_shift_csv(tmp_path / "zh.csv", shift2, lambda s: CHINESE.get(s, s))
    header, *rows = _read(path)
    assert header[0] == "栏目"
    assert ["按业务和支付方式汇总", "充值", "现金", "2", "130.00", ""] in rows
    assert any(r[0] == "钱箱" and r[1] == "备用金" and r[4] == "500.00" for r in rows)


def test_daily_csv_lists_every_shift(tmp_path, day):
    report = daily_report(day.counter.journal, day.counter.store, DAY, TZ)
    path = write_daily_csv(tmp_path / "day.csv", report)
    _header, *rows = _read(path)
    shifts = [r for r in rows if r[0] == t.SHIFTS]
    assert {r[1] for r in shifts} == {"Shift 1", "Shift 2", "Shift 3"}
    assert any(r[5] == "sup1 李强" for r in shifts)
    counted = [r for r in rows if r[0] == t.CASH and r[1] == f"Shift 2: {t.COUNTED_CASH}"]
    assert [_amount(r[4]) for r in counted] == [52_900]
    takings = next(r for r in rows if r[0] == t.BY_PAYMENT and r[1] == t.TAKINGS)
    assert _amount(takings[4]) == report.figures.takings_fen == 41_000


def test_rows_are_the_same_however_often_written(shift2):
    assert list(shift_rows(shift2)) == list(shift_rows(shift2))


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (5, "0.05"), (-100, "-1.00"), (123_456_789, "1234567.89")]
)
def test_amounts_are_plain_yuan(fen, text):
    assert yuan(fen) == text
    assert _amount(text) == fen
