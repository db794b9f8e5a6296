"""Shift and daily reports laid out for A4: QTextDocument text, a QPainter bar chart, PDF, preview.

The figures come from :mod:`app.reports`; every heading there is an English template translated
here through Qt's catalogue (:func:`app.ui.messages.translated`). Pages carry a footer with the
report, the device and "page n of m". Paper sizes and margins are A4 portrait, 15 mm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from app.domain.money import Fen
from app.domain.texts import marked
from app.reports import texts as t
from app.reports.model import (
    CashSummary,
    DailyReport,
    JournalReference,
    ReportFigures,
    ShiftReport,
)
from app.reports.scenic import NO_PAYMENT, ScenicFigures
from app.reports.texts import Translate, kind_label, payment_label
from app.ui.messages import translated
from app.ui.printing.chart import HourlyChart, insert_chart
from app.ui.printing.fonts import document_font, monospace_family
from app.ui.printing.paging import a4, paint_pages, pdf_printer

Report = ShiftReport | DailyReport
BODY_PT = 9.5
CHART_MARK = "[[hourly-chart]]"
TIME = "%Y-%m-%d %H:%M"
HEAD_BG = "#e6edf5"
# column headings of the ticket office's tables (the section headings are app.reports.texts')
TICKET_TYPE = marked("Ticket type")
PASS_PRODUCT = marked("Annual pass")
GATE = marked("Gate")
ADMISSIONS = marked("Admissions")


def _money(fen: int | None) -> str:
    return "" if fen is None else Fen(fen).yuan_text()


def _when(at: datetime | None) -> str:
    return "" if at is None else at.strftime(TIME)


def _zone(at: datetime) -> str:
    offset = at.strftime("%z")  # +0800
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def _tr(template: str) -> str:
    return translated(template)


class _Html:
    """Builds the report's HTML (the subset QTextDocument renders)."""

    def __init__(self, translate: Translate) -> None:
        self.tr = translate
        self.parts: list[str] = []

    def title(self, text: str) -> None:
        self.parts.append(f'<h1 style="font-size:17pt">{escape(text)}</h1>')

    def heading(self, template: str) -> None:
        self.parts.append(
            f'<h2 style="font-size:12pt; margin-top:14px">{escape(self.tr(template))}</h2>'
        )

    def text(self, text: str) -> None:
        self.parts.append(f"<p>{escape(text)}</p>")

    def pairs(self, rows: Iterable[tuple[str, str]]) -> None:
        """A two-column table of label → value (labels are templates)."""
        cells = "".join(
            f'<tr><td width="34%" style="color:#444">{escape(self.tr(label))}</td>'
            f"<td>{escape(value)}</td></tr>"
            for label, value in rows
        )
        self.parts.append(f'<table width="100%" cellspacing="0" cellpadding="2">{cells}</table>')

    def codes(self, rows: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Labels each over its lines of hex, in a fixed-pitch font.

        One paragraph per item, not a table: a table row split by a page break can put the
        label on one page and the value on the next when their fonts differ.
        """
        family = escape(monospace_family())
        for label, lines in rows:
            code = "<br/>".join(escape(line) for line in lines)
            self.parts.append(
                f'<p style="margin-top:4px"><span style="color:#444">{escape(self.tr(label))}'
                f"</span><br/><span style=\"font-family:'{family}'; font-size:8pt\">{code}"
                "</span></p>"
            )

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        numeric: Sequence[int] = (),
        bold_last: bool = False,
    ) -> None:
        """A ruled table; ``headers`` are templates, columns in ``numeric`` align right."""
        head = "".join(
            f'<th bgcolor="{HEAD_BG}" align="{"right" if i in numeric else "left"}">'
            f"{escape(self.tr(h))}</th>"
            for i, h in enumerate(headers)
        )
        body = []
        rows = list(rows)
        for n, row in enumerate(rows):
            weight = "bold" if bold_last and n == len(rows) - 1 else "normal"
            cells = "".join(
                f'<td align="{"right" if i in numeric else "left"}" '
                f'style="font-weight:{weight}">{escape(cell)}</td>'
                for i, cell in enumerate(row)
            )
            body.append(f"<tr>{cells}</tr>")
        self.parts.append(
            '<table width="100%" border="1" cellspacing="0" cellpadding="3" '
            'style="border-collapse:collapse; border-color:#999">'
            f"<thead><tr>{head}</tr></thead>{''.join(body)}</table>"
        )

    def chart_mark(self) -> None:
        self.parts.append(f"<p>{CHART_MARK}</p>")

    def html(self) -> str:
        return "".join(self.parts)


def _cash(h: _Html, cash: CashSummary) -> None:
    tr = h.tr
    rows: list[tuple[str, str, str]] = [(tr(t.OPENING_FLOAT), "", _money(cash.opening_float_fen))]
    cash_word = payment_label("cash", tr)
    rows += [
        (f"{kind_label(line.kind, tr)} ({cash_word})", str(line.count), _money(line.amount_fen))
        for line in cash.cash_lines
    ]
    if cash.expected_cash_fen is None:
        rows.append((tr(t.EXPECTED_CASH), "", tr(t.NOT_YET_COUNTED)))
    else:
        rows.append((tr(t.EXPECTED_CASH), "", _money(cash.expected_cash_fen)))
    if cash.counted_cash_fen is not None:
        rows.append((tr(t.COUNTED_CASH), "", _money(cash.counted_cash_fen)))
    if cash.difference_fen is not None:
        rows.append((tr(t.DIFFERENCE), "", _money(cash.difference_fen)))
    h.table((t.ITEM, t.COUNT, t.AMOUNT), rows, numeric=(1, 2))
    pieces = [(d, n) for d, n in cash.counted if n]
    if pieces:
        h.table(
            (t.DENOMINATION, t.PIECES, t.AMOUNT),
            [(_money(d), str(n), _money(d * n)) for d, n in pieces],
            numeric=(0, 1, 2),
        )
    h.pairs(
        (label, value)
        for label, value in (
            (t.DIFFERENCE_REASON, cash.reason),
            (t.APPROVED_BY, cash.approver),
            (t.CLOSED_BY, cash.closed_by),
        )
        if value
    )


def _journal(h: _Html, j: JournalReference) -> None:
    h.pairs(
        [
            (t.DEVICE, j.device_id),
            (t.TERMINAL, j.terminal_id),
            (t.DEVICE_KEY, j.device_key_fingerprint),
            (t.HEAD_SEQ, str(j.head_seq)),
            (t.LAST_SEQ, "" if j.last_seq is None else str(j.last_seq)),
            (t.CHECKPOINT, "" if j.checkpoint_number is None else str(j.checkpoint_number)),
            (t.CHECKPOINT_SEQ, "" if j.checkpoint_seq is None else str(j.checkpoint_seq)),
            (t.CHECKPOINT_AT, _when(j.checkpoint_at)),
        ]
    )
    signature = j.checkpoint_signature_hex or ""
    h.codes(
        [
            (t.LAST_MAC, [j.last_mac_hex or ""]),
            (t.CHECKPOINT_HEAD, [j.checkpoint_head_mac_hex or ""]),
            (t.CHECKPOINT_SIGNATURE, [signature[:64], signature[64:]]),
        ]
    )
    if not j.covered:
        h.text(h.tr(t.NOT_COVERED))


def _figures(h: _Html, f: ReportFigures) -> None:
    tr = h.tr
    h.heading(t.TOTALS)
    rows = [
        (
            kind_label(x.kind, tr),
            payment_label(x.payment_method, tr),
            str(x.count),
            _money(x.amount_fen),
        )
        for x in f.totals
    ]
    rows.append((tr(t.NOT_DONE), "", str(f.not_done_count), ""))
    h.table((t.KIND, t.PAYMENT_METHOD, t.COUNT, t.AMOUNT), rows, numeric=(2, 3))

    h.heading(t.BY_PAYMENT)
    money_rows = [
        (
            payment_label(p.payment_method, tr),
            str(p.count),
            _money(p.in_fen),
            _money(p.out_fen),
            _money(p.net_fen),
        )
        for p in f.by_payment
    ]
    money_rows.append(
        (
            tr(t.TOTAL),
            str(sum(p.count for p in f.by_payment)),
            _money(f.takings_fen),
            _money(sum(p.out_fen for p in f.by_payment)),
            _money(f.net_fen),
        )
    )
    h.table(
        (t.PAYMENT_METHOD, t.COUNT, t.MONEY_IN, t.MONEY_OUT, t.NET),
        money_rows,
        numeric=(1, 2, 3, 4),
        bold_last=True,
    )

    h.heading(t.HOURLY)
    h.chart_mark()
    busy = [b for b in f.hourly if b.count]
    if busy:
        h.table(
            (t.HOUR, t.COUNT, t.TAKINGS),
            [
                (f"{b.start:%H}:00–{b.start:%H}:59", str(b.count), _money(b.amount_fen))
                for b in busy
            ],
            numeric=(1, 2),
        )

    if f.scenic is not None and not f.scenic.empty:
        _scenic(h, f.scenic)

    if any(line.city for line in f.purse_by_city):  # only when other cities' cards paid
        h.heading(t.PURSE_BY_CITY)
        h.table(
            (t.CARD, t.COUNT, t.AMOUNT),
            [
                (line.city or h.tr(t.HOME_CARDS), str(line.count), _money(line.amount_fen))
                for line in f.purse_by_city
            ],
            numeric=(1, 2),
        )

    h.heading(t.VOIDS_REPRINTS)
    h.pairs([(t.VOIDS, str(f.voids)), (t.REPRINTS, str(f.reprints))])

    h.heading(t.OFFLINE_UNSYNCED)
    h.table(
        (t.ITEM, t.COUNT, t.AMOUNT),
        [
            (
                tr(t.OFFLINE_TOPUPS),
                str(f.offline_topups.count),
                _money(f.offline_topups.amount_fen),
            ),
            (tr(t.UNSYNCED), str(f.unsynced.count), _money(f.unsynced.amount_fen)),
        ],
        numeric=(1, 2),
    )

    h.heading(t.GREY)
    if f.grey:
        h.table(
            (t.SEQ, t.KIND, t.CARD, t.PAYMENT_METHOD, t.AMOUNT, t.TIME, t.OPERATOR),
            [
                (
                    str(g.seq),
                    kind_label(g.kind, tr),
                    g.card_serial or "",
                    payment_label(g.payment_method, tr),
                    _money(g.amount_fen),
                    _when(g.at),
                    g.operator or "",
                )
                for g in f.grey
            ],
            numeric=(0, 4),
        )
    else:
        h.text(tr(t.NO_GREY))

    h.heading(t.JOURNAL)
    _journal(h, f.journal)


def _scenic(h: _Html, f: ScenicFigures) -> None:
    """The ticket office: tickets by type and payment, passes sold, admissions per hour/gate."""
    tr = h.tr

    def paid(method: str) -> str:
        return tr(t.FREE_TICKETS) if method == NO_PAYMENT else payment_label(method, tr)

    if f.tickets:
        h.heading(t.SCENIC_TICKETS)
        rows = [
            (
                tr(t.TICKET_LABELS[x.ticket_type])
                if x.ticket_type in t.TICKET_LABELS
                else x.ticket_type,
                paid(x.payment_method),
                str(x.count),
                _money(x.amount_fen),
            )
            for x in f.tickets
        ]
        rows.append(
            (
                tr(t.TOTAL),
                "",
                str(sum(x.count for x in f.tickets)),
                _money(sum(x.amount_fen for x in f.tickets)),
            )
        )
        h.table(
            (TICKET_TYPE, t.PAYMENT_METHOD, t.COUNT, t.AMOUNT), rows, numeric=(2, 3), bold_last=True
        )
    if f.passes:
        h.heading(t.SCENIC_PASSES)
        h.table(
            (PASS_PRODUCT, t.PAYMENT_METHOD, t.COUNT, t.AMOUNT),
            [
                (p.name or p.product, paid(p.payment_method), str(p.count), _money(p.amount_fen))
                for p in f.passes
            ],
            numeric=(2, 3),
        )
    if f.entries_by_gate:
        h.heading(t.SCENIC_ENTRIES_HOURLY)
        h.table(
            (t.HOUR, ADMISSIONS),
            [(f"{e.start:%H}:00–{e.start:%H}:59", str(e.count)) for e in f.entries_by_hour],
            numeric=(1,),
        )
        h.heading(t.SCENIC_ENTRIES_GATE)
        gates = [(gate, str(count)) for gate, count in f.entries_by_gate]
        gates.append((tr(t.SCENIC_FLAGGED), str(f.flagged_entries)))
        h.table((GATE, ADMISSIONS), gates, numeric=(1,))


def report_title(report: Report, translate: Translate = _tr) -> str:
    """The report's title ("Shift report — shift 2", "Daily report — 2026-11-21"), translated."""
    if isinstance(report, ShiftReport):
        return translate(t.SHIFT_TITLE).format(shift=report.shift_id)
    return translate(t.DAILY_TITLE).format(day=report.day.isoformat())


def report_html(report: Report, translate: Translate = _tr) -> str:
    """The report as HTML, with a mark where the chart goes."""
    h = _Html(translate)
    j = report.figures.journal
    h.title(report_title(report, translate))
    if isinstance(report, ShiftReport):
        h.pairs(
            [
                (t.DEVICE, j.device_id),
                (t.TERMINAL, j.terminal_id),
                (t.OPERATOR, f"{report.operator_name} ({report.operator})"),
                (t.OPENED, _when(report.opened_at)),
                (t.CLOSED, _when(report.closed_at) or translate(t.STILL_OPEN)),
                (t.TIMEZONE, _zone(report.opened_at)),
                (t.GENERATED, _when(report.generated_at)),
                (t.AS_OF_SEQ, str(j.head_seq)),
            ]
        )
        h.heading(t.CASH)
        _cash(h, report.cash)
    else:
        h.pairs(
            [
                (t.DEVICE, j.device_id),
                (t.TERMINAL, j.terminal_id),
                (t.DAY, report.day.isoformat()),
                (t.TIMEZONE, _zone(report.generated_at)),
                (t.GENERATED, _when(report.generated_at)),
                (t.AS_OF_SEQ, str(j.head_seq)),
            ]
        )
        h.heading(t.SHIFTS)
        h.table(
            (
                t.SHIFT,
                t.OPERATOR,
                t.OPENED,
                t.CLOSED,
                t.OPENING_FLOAT,
                t.EXPECTED_CASH,
                t.COUNTED_CASH,
                t.DIFFERENCE,
            ),
            [
                (
                    str(s.shift_id),
                    f"{s.operator_name} ({s.operator})",
                    _when(s.opened_at),
                    _when(s.closed_at) or translate(t.STILL_OPEN),
                    _money(s.cash.opening_float_fen),
                    _money(s.cash.expected_cash_fen),
                    _money(s.cash.counted_cash_fen),
                    _money(s.cash.difference_fen),
                )
                for s in report.shifts
            ],
            numeric=(0, 4, 5, 6, 7),
        )
    _figures(h, report.figures)
    return h.html()


def report_document(report: Report, translate: Translate = _tr) -> QTextDocument:
    """The report as a document: text in the Chinese-capable font, the hourly chart in place."""
    doc = QTextDocument()
    font = document_font(BODY_PT)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setHtml(report_html(report, translate))
    cursor = doc.find(CHART_MARK)
    if not cursor.isNull():
        insert_chart(doc, cursor, HourlyChart(report.figures.hourly, font))
    return doc


def render_report(report: Report, printer: QPrinter, translate: Translate = _tr) -> int:
    """Paint the report on ``printer`` (a printer, a PDF, a preview); returns the page count."""
    doc = report_document(report, translate)
    title = report_title(report, translate)
    device = report.figures.journal.device_id

    def footer(page: int, pages: int) -> str:
        number = translate(t.PAGE).format(page=page, pages=pages)
        return f"{title} · {device} · {number}"

    return paint_pages(doc, printer, footer, document_font(7.5))


def save_report_pdf(report: Report, path: Path, translate: Translate = _tr) -> Path:
    """Write the report to an A4 PDF at ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    printer = a4(pdf_printer(str(path)))
    printer.setDocName(report_title(report, translate))
    render_report(report, printer, translate)
    return path


class ReportPreviewDialog(QPrintPreviewDialog):
    """Print preview of a report; its print button prints (or saves a PDF) from here."""

    def __init__(
        self, report: Report, parent: QWidget | None = None, translate: Translate = _tr
    ) -> None:
        self._printer = a4(QPrinter(QPrinter.PrinterMode.HighResolution))
        super().__init__(self._printer, parent)
        self.report = report
        self._translate = translate
        self.pages = 0
        self._printer.setDocName(report_title(report, translate))
        self.setWindowTitle(report_title(report, translate))
        self.setObjectName("reportPreview")
        self.paintRequested.connect(self._paint)

    def _paint(self, printer: QPrinter) -> None:
        self.pages = render_report(self.report, printer, self._translate)


def open_report_preview(report: Report, parent: QWidget | None = None) -> ReportPreviewDialog:
    """Open the print preview of ``report`` over ``parent`` (window-modal, does not block)."""
    dialog = ReportPreviewDialog(report, parent)
    dialog.resize(900, 700)
    dialog.open()
    return dialog
