"""Settlement per outlet (device) and business day, as JSON or CSV.

A business day is a calendar day in China Standard Time (UTC+8). For each outlet: count and sum
of the day's accepted records by kind and payment method (as the journal's shift report counts
them), plus ``load_done`` and ``purchase_done`` lines — the money that really moved: outcomes
marked done, with their intent's amount and payment method — and the grey records: intents of
the day the center holds no outcome for (the card write's result is unknown to the center).

Cut-off: an administrator closes a day once it is over (``citycard-center settlement --close``).
From then on the day's settlement stays as it was when closed — only records received up to the
close count, for the totals and for the grey list — and a record of that day that arrives later
(a counter back from hours offline) is settled as an *adjustment* of the day it arrives, with
the day it belongs to (``of_date``). An open day shows whatever has arrived so far.

Every query is set-based: one per kind of line for all outlets of the day, by the time indexes
(``ix_journal_record_at``, ``ix_card_ledger_at_device``, ``ix_journal_record_received``), so
the cost follows the records of the day, not the number of outlets or of days stored.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal, select, true
from sqlalchemy.orm import Session, aliased

from app.journal.kinds import OUTCOME_OF
from clearing.center import Center
from clearing.models import CardLedgerRow, DeviceRow, RecordRow, SettlementCloseRow
from clearing.schemas import (
    AdjustmentLineOut,
    GreyRecordOut,
    OutletSettlementOut,
    SettlementLineOut,
    SettlementOut,
)
from clearing.timeutil import iso, micros_of

CSV_COLUMNS = (
    "date",
    "device_id",
    "terminal_id",
    "line",
    "kind",
    "payment_method",
    "count",
    "amount_fen",
    "seq",
    "card_serial",
    "at",
    "of_date",
)


class SettlementError(ValueError):
    """The settlement cannot be made (a bad date, a day not over yet to close)."""


def _day_bounds(center: Center, day: str) -> tuple[int, int]:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise SettlementError(f"{day!r} is not a date (YYYY-MM-DD)") from None
    if len(day) != 10:
        raise SettlementError(f"{day!r} is not a date (YYYY-MM-DD)")
    start = datetime(
        parsed.year, parsed.month, parsed.day, tzinfo=center.settings.business_timezone
    )
    return micros_of(start), micros_of(start + timedelta(days=1))


def _outlet(column: Any, device_id: str | None) -> ColumnElement[bool]:
    return true() if device_id is None else column == device_id


def _totals(
    session: Session, start: int, end: int, cutoff: int | None, device_id: str | None
) -> dict[str, list[SettlementLineOut]]:
    """Record lines and done lines of the day for every outlet (or one), as of ``cutoff``."""
    lines: dict[str, list[SettlementLineOut]] = defaultdict(list)
    received = true() if cutoff is None else RecordRow.received_at_us <= cutoff
    for outlet, kind, method, count, amount in session.execute(
        select(
            RecordRow.device_id,
            RecordRow.kind,
            RecordRow.payment_method,
            func.count(),
            func.coalesce(func.sum(RecordRow.amount_fen), 0),
        )
        .where(
            RecordRow.at_us >= start,
            RecordRow.at_us < end,
            received,
            _outlet(RecordRow.device_id, device_id),
        )
        .group_by(RecordRow.device_id, RecordRow.kind, RecordRow.payment_method)
    ):
        lines[outlet].append(
            SettlementLineOut(
                kind=kind, payment_method=method, count=count, amount_fen=int(amount or 0)
            )
        )
    done = select(
        CardLedgerRow.device_id,
        CardLedgerRow.kind,
        CardLedgerRow.payment_method,
        func.count(),
        func.sum(CardLedgerRow.amount_fen),
    ).where(
        CardLedgerRow.at_us >= start,
        CardLedgerRow.at_us < end,
        _outlet(CardLedgerRow.device_id, device_id),
    )
    if cutoff is not None:  # the outcome's arrival decides
        done = done.join(
            RecordRow,
            and_(
                RecordRow.device_id == CardLedgerRow.device_id, RecordRow.seq == CardLedgerRow.seq
            ),
        ).where(RecordRow.received_at_us <= cutoff)
    for outlet, kind, method, count, amount in session.execute(
        done.group_by(CardLedgerRow.device_id, CardLedgerRow.kind, CardLedgerRow.payment_method)
    ):
        lines[outlet].append(
            SettlementLineOut(
                kind=f"{kind}_done", payment_method=method, count=count, amount_fen=int(amount or 0)
            )
        )
    for outlet_lines in lines.values():
        outlet_lines.sort(key=lambda line: (line.kind, line.payment_method or ""))
    return lines


def _adjustments(
    session: Session, start: int, end: int, device_id: str | None
) -> dict[str, list[AdjustmentLineOut]]:
    """Records of earlier closed days received this day, after their day was closed."""
    lines: dict[str, list[AdjustmentLineOut]] = defaultdict(list)
    closed = SettlementCloseRow
    late = and_(
        RecordRow.received_at_us >= start,
        RecordRow.received_at_us < end,
        RecordRow.at_us >= closed.start_us,
        RecordRow.at_us < closed.end_us,
        RecordRow.received_at_us > closed.closed_at_us,
        _outlet(RecordRow.device_id, device_id),
    )
    records = (
        select(
            RecordRow.device_id,
            closed.day,
            RecordRow.kind,
            RecordRow.payment_method,
            func.count(),
            func.coalesce(func.sum(RecordRow.amount_fen), 0),
            literal(""),
        )
        .join(closed, literal(True))
        .where(late)
        .group_by(RecordRow.device_id, closed.day, RecordRow.kind, RecordRow.payment_method)
    )
    done = (
        select(
            CardLedgerRow.device_id,
            closed.day,
            CardLedgerRow.kind,
            CardLedgerRow.payment_method,
            func.count(),
            func.sum(CardLedgerRow.amount_fen),
            literal("_done"),
        )
        .join(
            RecordRow,
            and_(
                RecordRow.device_id == CardLedgerRow.device_id, RecordRow.seq == CardLedgerRow.seq
            ),
        )
        .join(closed, literal(True))
        .where(late)
        .group_by(
            CardLedgerRow.device_id, closed.day, CardLedgerRow.kind, CardLedgerRow.payment_method
        )
    )
    for query in (records, done):
        for outlet, day, kind, method, count, amount, suffix in session.execute(query):
            lines[outlet].append(
                AdjustmentLineOut(
                    of_date=day,
                    kind=f"{kind}{suffix}",
                    payment_method=method,
                    count=count,
                    amount_fen=int(amount or 0),
                )
            )
    for outlet_lines in lines.values():
        outlet_lines.sort(key=lambda line: (line.of_date, line.kind, line.payment_method or ""))
    return lines


def _grey(
    session: Session, start: int, end: int, cutoff: int | None, device_id: str | None
) -> dict[str, list[GreyRecordOut]]:
    """Intents of the day with no outcome (as of ``cutoff``), for every outlet (or one)."""
    outcome = aliased(RecordRow)
    closed = exists().where(
        outcome.device_id == RecordRow.device_id,
        outcome.intent_seq == RecordRow.seq,
        true() if cutoff is None else outcome.received_at_us <= cutoff,
    )
    grey: dict[str, list[GreyRecordOut]] = defaultdict(list)
    for r in session.scalars(
        select(RecordRow)
        .where(
            RecordRow.kind.in_(list(OUTCOME_OF)),
            RecordRow.at_us >= start,
            RecordRow.at_us < end,
            true() if cutoff is None else RecordRow.received_at_us <= cutoff,
            _outlet(RecordRow.device_id, device_id),
            ~closed,
        )
        .order_by(RecordRow.device_id, RecordRow.seq)
    ):
        grey[r.device_id].append(
            GreyRecordOut(
                seq=r.seq,
                kind=r.kind,
                card_serial=r.card_serial,
                amount_fen=r.amount_fen,
                payment_method=r.payment_method,
                at=iso(r.at_us),
            )
        )
    return grey


def settlement(center: Center, day: str, device_id: str | None) -> SettlementOut:
    """The settlement of ``day`` for one outlet, or for every outlet with records that day."""
    start, end = _day_bounds(center, day)
    with center.sessions.begin() as session:
        close = session.get(SettlementCloseRow, day)
        cutoff = None if close is None else close.closed_at_us
        totals = _totals(session, start, end, cutoff, device_id)
        grey = _grey(session, start, end, cutoff, device_id)
        adjustments = _adjustments(session, start, end, device_id)
        query = select(DeviceRow.device_id, DeviceRow.terminal_id).order_by(DeviceRow.device_id)
        if device_id is not None:
            query = query.where(DeviceRow.device_id == device_id)
        else:
            query = query.where(DeviceRow.device_id.in_(set(totals) | set(grey) | set(adjustments)))
        outlets = [
            OutletSettlementOut(
                device_id=outlet,
                terminal_id=terminal,
                totals=totals.get(outlet, []),
                grey=grey.get(outlet, []),
                adjustments=adjustments.get(outlet, []),
            )
            for outlet, terminal in session.execute(query)
        ]
    offset = center.settings.business_timezone.utcoffset(None)
    hours = 0 if offset is None else int(offset.total_seconds() // 3600)
    return SettlementOut(
        date=day,
        timezone=f"UTC{hours:+03d}:00",
        closed_at=None if cutoff is None else iso(cutoff),
        outlets=outlets,
    )


def close_day(center: Center, day: str) -> SettlementOut:
    """Close ``day`` (once it is over): its settlement is final; returns it as closed.

    Closing again changes nothing. Records of the day received later are settled as
    adjustments of the day they arrive.
    """
    start, end = _day_bounds(center, day)
    now = center.now_us()
    if now < end:
        raise SettlementError(f"{day} is not over yet: a day is closed after its midnight (UTC+8)")
    with center.sessions.begin() as session:
        if session.get(SettlementCloseRow, day) is None:
            session.add(SettlementCloseRow(day=day, start_us=start, end_us=end, closed_at_us=now))
    return settlement(center, day, device_id=None)


def settlement_csv(result: SettlementOut) -> str:
    """The settlement as CSV: ``total``, ``grey`` and ``adjustment`` lines.

    A ``total`` line per kind and payment method, one per grey record, an ``adjustment`` line
    per kind and payment method of the late records of an earlier closed day (``of_date``).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for outlet in result.outlets:
        head = (result.date, outlet.device_id, outlet.terminal_id)
        for line in outlet.totals:
            method = line.payment_method or ""
            writer.writerow((*head, "total", line.kind, method, line.count, line.amount_fen))
        for grey in outlet.grey:
            amount = "" if grey.amount_fen is None else grey.amount_fen
            method = grey.payment_method or ""
            serial = grey.card_serial or ""
            at = grey.at.isoformat()
            writer.writerow((*head, "grey", grey.kind, method, 1, amount, grey.seq, serial, at))
        for late in outlet.adjustments:
            method = late.payment_method or ""
            writer.writerow(
                (
                    *head,
                    "adjustment",
                    late.kind,
                    method,
                    late.count,
                    late.amount_fen,
                    "",
                    "",
                    "",
                    late.of_date,
                )
            )
    return out.getvalue()
