"""Shift and daily reports as CSV: one long table, UTF-8 with a BOM so Excel reads Chinese.

Every row names its section, so the file filters and pivots in a spreadsheet without knowing
its layout: ``Section, Item, Payment method, Count, Amount, Value``. Amounts are yuan with two
decimals and no currency sign (a number to Excel), made from fen with integers only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from app.reports import texts as t
from app.reports.model import CashSummary, DailyReport, ReportFigures, ShiftReport
from app.reports.scenic import NO_PAYMENT, ScenicFigures
from app.reports.texts import Translate, as_written, kind_label, payment_label

Row = tuple[str, str, str, str, str, str]
ENCODING = "utf-8-sig"  # the BOM makes Excel open the file as UTF-8
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def yuan(fen: int) -> str:
    """``1234.50`` (``-0.10`` for negatives): fen as a plain decimal number of yuan."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _when(at: datetime | None) -> str:
    return "" if at is None else at.strftime(TIME_FORMAT)


class _Rows:
    """Collects rows of one section after another, translating the words."""

    def __init__(self, translate: Translate) -> None:
        self.tr = translate
        self.rows: list[Row] = []

    def add(
        self,
        section: str,
        item: str,
        payment: str = "",
        count: int | None = None,
        amount_fen: int | None = None,
        value: str = "",
    ) -> None:
        self.rows.append(
            (
                self.tr(section),
                item,
                payment,
                "" if count is None else str(count),
                "" if amount_fen is None else yuan(amount_fen),
                value,
            )
        )

    def header(self) -> Row:
        tr = self.tr
        return (
            tr(t.SECTION),
            tr(t.ITEM),
            tr(t.PAYMENT_METHOD),
            tr(t.COUNT),
            tr(t.AMOUNT),
            tr(t.VALUE),
        )


def _cash_rows(rows: _Rows, cash: CashSummary, prefix: str = "") -> None:
    tr = rows.tr
    section = t.CASH

    def item(label: str) -> str:
        return f"{prefix}{label}"

    rows.add(section, item(tr(t.OPENING_FLOAT)), amount_fen=cash.opening_float_fen)
    cash_label = payment_label("cash", tr)
    for line in cash.cash_lines:
        rows.add(section, item(kind_label(line.kind, tr)), cash_label, line.count, line.amount_fen)
    if cash.expected_cash_fen is None:
        rows.add(section, item(tr(t.EXPECTED_CASH)), value=tr(t.NOT_YET_COUNTED))
    else:
        rows.add(section, item(tr(t.EXPECTED_CASH)), amount_fen=cash.expected_cash_fen)
    if cash.counted_cash_fen is not None:
        rows.add(section, item(tr(t.COUNTED_CASH)), amount_fen=cash.counted_cash_fen)
    if cash.difference_fen is not None:
        rows.add(section, item(tr(t.DIFFERENCE)), amount_fen=cash.difference_fen)
    for denomination, pieces in cash.counted:
        label = item(f"{tr(t.DENOMINATION)} {yuan(denomination)}")
        rows.add(section, label, count=pieces, amount_fen=denomination * pieces)
    for label, value in (
        (t.DIFFERENCE_REASON, cash.reason),
        (t.APPROVED_BY, cash.approver),
        (t.CLOSED_BY, cash.closed_by),
    ):
        if value:
            rows.add(section, item(tr(label)), value=value)


def _figure_rows(rows: _Rows, f: ReportFigures) -> None:
    tr = rows.tr
    for line in f.totals:
        rows.add(
            t.TOTALS,
            kind_label(line.kind, tr),
            payment_label(line.payment_method, tr),
            line.count,
            line.amount_fen,
        )
    rows.add(t.TOTALS, tr(t.NOT_DONE), count=f.not_done_count)
    for p in f.by_payment:
        label = payment_label(p.payment_method, tr)
        rows.add(t.BY_PAYMENT, tr(t.MONEY_IN), label, p.count, p.in_fen)
        rows.add(t.BY_PAYMENT, tr(t.MONEY_OUT), label, amount_fen=p.out_fen)
        rows.add(t.BY_PAYMENT, tr(t.NET), label, amount_fen=p.net_fen)
    rows.add(t.BY_PAYMENT, tr(t.TAKINGS), tr(t.TOTAL), amount_fen=f.takings_fen)
    rows.add(t.BY_PAYMENT, tr(t.NET), tr(t.TOTAL), amount_fen=f.net_fen)
    for origin in f.purse_by_city:
        city = origin.city or tr(t.HOME_CARDS)
        rows.add(t.PURSE_BY_CITY, city, count=origin.count, amount_fen=origin.amount_fen)
    rows.add(t.VOIDS_REPRINTS, tr(t.VOIDS), count=f.voids)
    rows.add(t.VOIDS_REPRINTS, tr(t.REPRINTS), count=f.reprints)
    rows.add(
        t.OFFLINE_UNSYNCED,
        tr(t.OFFLINE_TOPUPS),
        count=f.offline_topups.count,
        amount_fen=f.offline_topups.amount_fen,
    )
    rows.add(
        t.OFFLINE_UNSYNCED, tr(t.UNSYNCED), count=f.unsynced.count, amount_fen=f.unsynced.amount_fen
    )
    for g in f.grey:
        rows.add(
            t.GREY,
            f"{kind_label(g.kind, tr)} #{g.seq}",
            payment_label(g.payment_method, tr),
            amount_fen=g.amount_fen,
            value=f"{g.card_serial or ''} {_when(g.at)}".strip(),
        )
    for h in f.hourly:
        rows.add(
            t.HOURLY, h.start.strftime("%Y-%m-%d %H:00"), count=h.count, amount_fen=h.amount_fen
        )
    j = f.journal
    for label, value in (
        (t.DEVICE, j.device_id),
        (t.TERMINAL, j.terminal_id),
        (t.DEVICE_KEY, j.device_key_fingerprint),
        (t.HEAD_SEQ, str(j.head_seq)),
        (t.LAST_SEQ, "" if j.last_seq is None else str(j.last_seq)),
        (t.LAST_MAC, j.last_mac_hex or ""),
        (t.CHECKPOINT, "" if j.checkpoint_number is None else str(j.checkpoint_number)),
        (t.CHECKPOINT_SEQ, "" if j.checkpoint_seq is None else str(j.checkpoint_seq)),
        (t.CHECKPOINT_AT, _when(j.checkpoint_at)),
        (t.CHECKPOINT_HEAD, j.checkpoint_head_mac_hex or ""),
        (t.CHECKPOINT_SIGNATURE, j.checkpoint_signature_hex or ""),
    ):
        rows.add(t.JOURNAL, tr(label), value=value)


def _scenic_rows(rows: _Rows, f: ScenicFigures | None) -> None:
    if f is None:
        return
    tr = rows.tr

    def paid(method: str) -> str:
        return tr(t.FREE_TICKETS) if method == NO_PAYMENT else payment_label(method, tr)

    for line in f.tickets:
        label = t.TICKET_LABELS.get(line.ticket_type)
        item = tr(label) if label else line.ticket_type
        rows.add(t.SCENIC_TICKETS, item, paid(line.payment_method), line.count, line.amount_fen)
    for p in f.passes:
        rows.add(t.SCENIC_PASSES, p.product, paid(p.payment_method), p.count, p.amount_fen)
    for h in f.entries_by_hour:
        rows.add(t.SCENIC_ENTRIES_HOURLY, h.start.strftime("%Y-%m-%d %H:00"), count=h.count)
    for gate, count in f.entries_by_gate:
        rows.add(t.SCENIC_ENTRIES_GATE, gate, count=count)
    rows.add(t.SCENIC_ENTRIES_GATE, tr(t.SCENIC_FLAGGED), count=f.flagged_entries)


def shift_rows(report: ShiftReport, translate: Translate = as_written) -> Iterator[Row]:
    """The rows of a shift report's CSV, header first."""
    rows = _Rows(translate)
    tr = translate
    head = t.SHIFT_REPORT
    rows.add(head, tr(t.SHIFT), value=str(report.shift_id))
    rows.add(head, tr(t.OPERATOR), value=f"{report.operator} {report.operator_name}")
    rows.add(head, tr(t.OPENED), value=_when(report.opened_at))
    rows.add(head, tr(t.CLOSED), value=_when(report.closed_at) or tr(t.STILL_OPEN))
    rows.add(head, tr(t.TIMEZONE), value=report.opened_at.strftime("UTC%z"))
    rows.add(head, tr(t.GENERATED), value=_when(report.generated_at))
    _cash_rows(rows, report.cash)
    _figure_rows(rows, report.figures)
    _scenic_rows(rows, report.figures.scenic)
    yield rows.header()
    yield from rows.rows


def daily_rows(report: DailyReport, translate: Translate = as_written) -> Iterator[Row]:
    """The rows of a daily report's CSV, header first."""
    rows = _Rows(translate)
    tr = translate
    head = t.DAILY_REPORT
    start = datetime.combine(report.day, datetime.min.time(), tzinfo=report.timezone)
    rows.add(head, tr(t.DAY), value=report.day.isoformat())
    rows.add(head, tr(t.TIMEZONE), value=start.strftime("UTC%z"))
    rows.add(head, tr(t.GENERATED), value=_when(report.generated_at))
    for s in report.shifts:
        section = f"{tr(t.SHIFT)} {s.shift_id}"
        rows.add(t.SHIFTS, section, value=f"{s.operator} {s.operator_name}")
        rows.add(t.SHIFTS, section, value=f"{tr(t.OPENED)} {_when(s.opened_at)}")
        rows.add(
            t.SHIFTS,
            section,
            value=f"{tr(t.CLOSED)} {_when(s.closed_at) or tr(t.STILL_OPEN)}",
        )
        _cash_rows(rows, s.cash, prefix=f"{section}: ")
    _figure_rows(rows, report.figures)
    _scenic_rows(rows, report.figures.scenic)
    yield rows.header()
    yield from rows.rows


def csv_text(rows: Iterator[Row]) -> str:
    """The CSV text of ``rows`` (without the BOM: :func:`write_csv` adds it)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: Iterator[Row]) -> Path:
    """Write ``rows`` to ``path`` as UTF-8 with BOM and CRLF lines (what Excel expects)."""
    path = Path(path)
    with path.open("w", encoding=ENCODING, newline="") as out:
        out.write(csv_text(rows))
    return path


def write_shift_csv(path: Path, report: ShiftReport, translate: Translate = as_written) -> Path:
    """The shift report as a CSV file."""
    return write_csv(path, shift_rows(report, translate))


def write_daily_csv(path: Path, report: DailyReport, translate: Translate = as_written) -> Path:
    """The daily report as a CSV file."""
    return write_csv(path, daily_rows(report, translate))
