"""Interop positions for the console (read-only): what this center and other cities owe.

A member center reads its own interchange tables: per other city, the purchases of that city's
cards this center forwarded (receivable: the issuer city owes this city) and this city's cards
spent there that it took in (payable; records held for a bad TAC are left out), and the net. A
platform database (``platform_member`` rows) also shows the platform's net position of every
pair of cities (:func:`clearing.interchange.platform.positions`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.cities import INTEROP_CITIES
from clearing.interchange import platform
from clearing.interchange.models import InboundRow, MemberRow, OutboundRow
from clearing.timeutil import micros_of


@dataclass(frozen=True)
class CityLine:
    """One other city: receivable, payable (count and fen each) and net (positive: it owes us)."""

    city: str
    name: str
    receivable_count: int
    receivable_fen: int
    payable_count: int
    payable_fen: int

    @property
    def net_fen(self) -> int:
        """Receivable less payable."""
        return self.receivable_fen - self.payable_fen


@dataclass(frozen=True)
class PairLine:
    """The platform's net position of two cities: the debtor owes the creditor."""

    debtor: str
    debtor_name: str
    creditor: str
    creditor_name: str
    amount_fen: int


@dataclass(frozen=True)
class Positions:
    """What the page shows: member lines, platform pairs, and whether either role applies."""

    member: bool
    platform: bool
    lines: list[CityLine]
    pairs: list[PairLine]


def city_name(key: str) -> str:
    """The city's Chinese name from the interop table (the key when it is not there)."""
    known = INTEROP_CITIES.by_key(key)
    return known.name if known is not None else key


def _bounds(day: date, zone: timezone) -> tuple[int, int]:
    start = micros_of(datetime(day.year, day.month, day.day, tzinfo=zone))
    return start, start + 86_400_000_000


def positions(session: Session, day: date, zone: timezone) -> Positions:
    """The positions of ``day`` (a business day in ``zone``) as this database knows them."""
    start, end = _bounds(day, zone)
    member = bool(
        session.scalar(select(func.count()).select_from(InboundRow))
        or session.scalar(
            select(func.count())
            .select_from(OutboundRow)
            .where(OutboundRow.issuer_city.is_not(None))
        )
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for city, count, total in session.execute(
        select(
            OutboundRow.issuer_city,
            func.count(),
            func.coalesce(func.sum(OutboundRow.amount_fen), 0),
        )
        .where(
            OutboundRow.issuer_city.is_not(None),
            OutboundRow.forwarded_at_us.is_not(None),
            OutboundRow.refused.is_(None),
            OutboundRow.at_us >= start,
            OutboundRow.at_us < end,
        )
        .group_by(OutboundRow.issuer_city)
    ):
        counts[str(city)][0:2] = [int(count), int(total)]
    for city, count, total in session.execute(
        select(
            InboundRow.acquirer_city,
            func.count(),
            func.coalesce(func.sum(InboundRow.amount_fen), 0),
        )
        .where(InboundRow.held.is_(None), InboundRow.at_us >= start, InboundRow.at_us < end)
        .group_by(InboundRow.acquirer_city)
    ):
        counts[str(city)][2:4] = [int(count), int(total)]
    lines = [CityLine(c, city_name(c), *v) for c, v in sorted(counts.items())]
    is_platform = bool(session.scalar(select(func.count()).select_from(MemberRow)))
    pairs = (
        [
            PairLine(p.debtor, city_name(p.debtor), p.creditor, city_name(p.creditor), p.amount_fen)
            for p in platform.positions(session, day)
        ]
        if is_platform
        else []
    )
    return Positions(member, is_platform, lines, pairs)
