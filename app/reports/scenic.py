"""The ticket office's figures for the shift and daily reports (Qt-free).

From the report's own records: tickets sold by type and payment method (a basket counts once
per ticket type it holds), annual passes sold by product and payment, and admissions at the
gates per hour (local time) and per gate. Purse-paid sales are listed under ``card_purse``;
the money of those is the purchase's, not taken at the counter (see :mod:`app.reports.build`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from app.journal import JournalRecord, RecordKind

NO_PAYMENT = "free"  # a basket of free tickets only


@dataclass(frozen=True)
class TicketLine:
    """Tickets of one type sold one way."""

    ticket_type: str
    payment_method: str
    count: int
    amount_fen: int


@dataclass(frozen=True)
class PassLine:
    """Annual passes of one product sold one way."""

    product: str
    payment_method: str
    count: int
    amount_fen: int
    name: str = ""  # the product's name as the (latest) sale recorded it


@dataclass(frozen=True)
class EntryHour:
    """Admissions in one hour [start, start + 1 h)."""

    start: datetime
    count: int


@dataclass(frozen=True)
class ScenicFigures:
    """The ticket office's part of a report."""

    tickets: tuple[TicketLine, ...]
    passes: tuple[PassLine, ...]
    entries_by_hour: tuple[EntryHour, ...]
    entries_by_gate: tuple[tuple[str, int], ...]
    flagged_entries: int

    @property
    def empty(self) -> bool:
        """Whether the counter did no ticket-office business in the report's records."""
        return not (self.tickets or self.passes or self.entries_by_gate)


def scenic_figures(records: Iterable[JournalRecord], timezone: tzinfo) -> ScenicFigures:
    """The figures of ``records`` (a shift's, or a day's), hours in ``timezone``."""
    tickets: dict[tuple[str, str], list[int]] = {}
    passes: dict[tuple[str, str], list[int]] = {}
    pass_names: dict[str, str] = {}
    hours: Counter[datetime] = Counter()
    gates: Counter[str] = Counter()
    flagged = 0
    for record in records:
        payload = record.payload_dict() if record.kind in _KINDS else {}
        method = record.payment_method or NO_PAYMENT
        if record.kind == RecordKind.TICKET_SALE:
            for code, count, unit in payload.get("lines", []):
                line = tickets.setdefault((str(code), method), [0, 0])
                line[0] += int(count)
                line[1] += int(count) * int(unit)
        elif record.kind == RecordKind.PASS_SALE:
            product = str(payload.get("product"))
            pass_names[product] = str(payload.get("name") or product)
            line = passes.setdefault((product, method), [0, 0])
            line[0] += 1
            line[1] += record.amount_fen or 0
        elif record.kind == RecordKind.SCENIC_ENTRY and payload.get("verdict") == "valid":
            local = record.at.astimezone(timezone)
            hours[local.replace(minute=0, second=0, microsecond=0)] += 1
            gates[str(payload.get("gate"))] += 1
            flagged += bool(payload.get("flagged"))
    return ScenicFigures(
        tickets=tuple(TicketLine(t, m, c, a) for (t, m), (c, a) in sorted(tickets.items())),
        passes=tuple(
            PassLine(p, m, c, a, pass_names.get(p, p)) for (p, m), (c, a) in sorted(passes.items())
        ),
        entries_by_hour=tuple(EntryHour(h, c) for h, c in sorted(hours.items())),
        entries_by_gate=tuple(sorted(gates.items())),
        flagged_entries=flagged,
    )


_KINDS = frozenset({RecordKind.TICKET_SALE, RecordKind.PASS_SALE, RecordKind.SCENIC_ENTRY})
