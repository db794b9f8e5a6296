"""What a shift report and a daily report contain: plain, frozen values, money in fen.

Times are aware datetimes in the report's time zone. Nothing here knows about Qt, PDF or CSV;
:mod:`app.reports.csv_export` and ``app.ui.printing.report_doc`` lay these values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from app.reports.scenic import ScenicFigures
from app.services.shifts import CashLine


@dataclass(frozen=True)
class TotalLine:
    """Count and sum of one transaction kind paid one way (``payment_method`` None: no money)."""

    kind: str
    payment_method: str | None
    count: int
    amount_fen: int


@dataclass(frozen=True)
class PaymentTotal:
    """Money taken and paid back one way (cash, bank card, WeChat, Alipay)."""

    payment_method: str
    count: int
    in_fen: int
    out_fen: int

    @property
    def net_fen(self) -> int:
        """Taken minus paid back."""
        return self.in_fen - self.out_fen


@dataclass(frozen=True)
class HourBucket:
    """Takings (money in at the counter) of one hour: [start, start + 1 h)."""

    start: datetime
    count: int
    amount_fen: int


@dataclass(frozen=True)
class GreyRecord:
    """An intent no outcome has closed yet: the card write's result is not known."""

    seq: int
    kind: str
    card_serial: str | None
    amount_fen: int | None
    payment_method: str | None
    operator: str | None
    at: datetime


@dataclass(frozen=True)
class CountAmount:
    """How many, and how much (fen)."""

    count: int
    amount_fen: int


@dataclass(frozen=True)
class CashSummary:
    """The drawer of one shift: float, what the journal says, what was counted.

    ``expected_cash_fen`` stays None until the expected amount was revealed at close (the count
    is blind: a report printed mid-shift must not tell the clerk what to count).
    """

    opening_float_fen: int
    cash_lines: tuple[CashLine, ...]
    expected_cash_fen: int | None
    counted_cash_fen: int | None
    difference_fen: int | None
    counted: tuple[tuple[int, int], ...]  # (denomination fen, pieces), highest first
    reason: str | None
    approver: str | None
    closed_by: str | None


@dataclass(frozen=True)
class ShiftSummary:
    """One shift as the daily report lists it."""

    shift_id: int
    operator: str
    operator_name: str
    opened_at: datetime
    closed_at: datetime | None
    cash: CashSummary


@dataclass(frozen=True)
class JournalReference:
    """What lets an auditor match the paper to the journal and its signed checkpoints."""

    device_id: str
    terminal_id: str
    device_key_fingerprint: str
    head_seq: int  # the journal's last record when the report was made
    last_seq: int | None  # the report's own last record
    last_mac_hex: str | None
    checkpoint_number: int | None
    checkpoint_seq: int | None
    checkpoint_at: datetime | None
    checkpoint_head_mac_hex: str | None
    checkpoint_signature_hex: str | None

    @property
    def covered(self) -> bool:
        """Whether the checkpoint signs a chain that includes the report's last record."""
        if self.last_seq is None:
            return self.checkpoint_seq is not None
        return self.checkpoint_seq is not None and self.checkpoint_seq >= self.last_seq


@dataclass(frozen=True)
class OriginLine:
    """Purse payments of cards of one home city ("" : this counter's own cards)."""

    city: str
    count: int
    amount_fen: int


@dataclass(frozen=True)
class ReportFigures:
    """What both reports show for their records (a shift's, or a calendar day's)."""

    totals: tuple[TotalLine, ...]  # transaction kinds with money or a count, by payment method
    not_done_count: int  # outcomes that say the card was not written (no money)
    by_payment: tuple[PaymentTotal, ...]
    voids: int
    reprints: int
    offline_topups: CountAmount
    unsynced: CountAmount  # money records not yet acknowledged by the clearing center
    grey: tuple[GreyRecord, ...]
    hourly: tuple[HourBucket, ...]
    journal: JournalReference
    scenic: ScenicFigures | None = None  # the ticket office's sales and entries, if any
    purse_by_city: tuple[OriginLine, ...] = ()  # purse payments: home cards, then other cities

    @property
    def takings_fen(self) -> int:
        """All money taken in at the counter."""
        return sum(p.in_fen for p in self.by_payment)

    @property
    def net_fen(self) -> int:
        """Money taken minus money paid back."""
        return sum(p.net_fen for p in self.by_payment)


@dataclass(frozen=True)
class ShiftReport:
    """The shift report (product.md "Shifts, people, reports")."""

    shift_id: int
    operator: str
    operator_name: str
    opened_at: datetime
    closed_at: datetime | None
    timezone: tzinfo
    generated_at: datetime
    cash: CashSummary
    figures: ReportFigures


@dataclass(frozen=True)
class DailyReport:
    """The daily report: one calendar day of this counter, across its shifts."""

    day: date
    timezone: tzinfo
    generated_at: datetime
    shifts: tuple[ShiftSummary, ...]
    figures: ReportFigures
