"""Settlement per outlet (device) and business day, as JSON or CSV.

A business day is a calendar day in China Standard Time (UTC+8). For each outlet: count and sum
of the day's accepted records by kind and payment method (as the journal's shift report counts
them), plus ``load_done`` and ``purchase_done`` lines — the money that really moved: outcomes
marked done, with their intent's amount and payment method — and the grey records: intents of
the day the center holds no outcome for (the card write's result is unknown to the center).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.journal.kinds import OUTCOME_OF
from clearing.center import Center
from clearing.models import CardLedgerRow, DeviceRow, RecordRow
from clearing.schemas import (
    GreyRecordOut,
    OutletSettlementOut,
    SettlementLineOut,
    SettlementOut,
)
from clearing.timeutil import iso, micros_of

CSV_COLUMNS = (
    "date", "device_id", "terminal_id", "line", "kind", "payment_method", "count", "amount_fen",
    "seq", "card_serial", "at",
)  # fmt: skip


class SettlementError(ValueError):
    """The settlement cannot be made (a bad date)."""


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


def _totals(session: Session, device_id: str, start: int, end: int) -> list[SettlementLineOut]:
    in_day = and_(RecordRow.device_id == device_id, RecordRow.at_us >= start, RecordRow.at_us < end)
    lines = [
        SettlementLineOut(
            kind=kind, payment_method=method, count=count, amount_fen=int(amount or 0)
        )
        for kind, method, count, amount in session.execute(
            select(
                RecordRow.kind,
                RecordRow.payment_method,
                func.count(),
                func.coalesce(func.sum(RecordRow.amount_fen), 0),
            )
            .where(in_day)
            .group_by(RecordRow.kind, RecordRow.payment_method)
        )
    ]
    done = and_(
        CardLedgerRow.device_id == device_id,
        CardLedgerRow.at_us >= start,
        CardLedgerRow.at_us < end,
    )
    lines += [
        SettlementLineOut(
            kind=f"{kind}_done", payment_method=method, count=count, amount_fen=int(amount or 0)
        )
        for kind, method, count, amount in session.execute(
            select(
                CardLedgerRow.kind,
                CardLedgerRow.payment_method,
                func.count(),
                func.sum(CardLedgerRow.amount_fen),
            )
            .where(done)
            .group_by(CardLedgerRow.kind, CardLedgerRow.payment_method)
        )
    ]
    return sorted(lines, key=lambda line: (line.kind, line.payment_method or ""))


def _grey(session: Session, device_id: str, start: int, end: int) -> list[GreyRecordOut]:
    outcome = aliased(RecordRow)
    closed = exists().where(
        outcome.device_id == RecordRow.device_id, outcome.intent_seq == RecordRow.seq
    )
    rows = session.scalars(
        select(RecordRow)
        .where(
            RecordRow.device_id == device_id,
            RecordRow.kind.in_(list(OUTCOME_OF)),
            RecordRow.at_us >= start,
            RecordRow.at_us < end,
            ~closed,
        )
        .order_by(RecordRow.seq)
    )
    return [
        GreyRecordOut(
            seq=r.seq,
            kind=r.kind,
            card_serial=r.card_serial,
            amount_fen=r.amount_fen,
            payment_method=r.payment_method,
            at=iso(r.at_us),
        )
        for r in rows
    ]


def settlement(center: Center, day: str, device_id: str | None) -> SettlementOut:
    """The settlement of ``day`` for one outlet, or for every outlet with records that day."""
    start, end = _day_bounds(center, day)
    outlets = []
    with center.sessions.begin() as session:
        query = select(DeviceRow).order_by(DeviceRow.device_id)
        if device_id is not None:
            query = query.where(DeviceRow.device_id == device_id)
        for device in session.scalars(query):
            totals = _totals(session, device.device_id, start, end)
            grey = _grey(session, device.device_id, start, end)
            if totals or grey or device_id is not None:
                outlets.append(
                    OutletSettlementOut(
                        device_id=device.device_id,
                        terminal_id=device.terminal_id,
                        totals=totals,
                        grey=grey,
                    )
                )
    offset = center.settings.business_timezone.utcoffset(None)
    hours = 0 if offset is None else int(offset.total_seconds() // 3600)
    return SettlementOut(date=day, timezone=f"UTC{hours:+03d}:00", outlets=outlets)


def settlement_csv(result: SettlementOut) -> str:
    """The settlement as CSV: a ``total`` line per kind and payment method, one per grey record."""
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
    return out.getvalue()
