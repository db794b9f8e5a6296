"""Reading the card on the reader into what the card panel shows (Qt-free)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from app.card.session import CityCard
from app.card.transport import CardTransport
from app.domain.card import CardRecord, CardSnapshot, TransactionType
from app.domain.cities import INTEROP_CITIES, CityTable, home_city_name


class CardStatus(enum.Enum):
    """Whether the card can be served, as the panel shows it."""

    OK = "ok"
    BLOCKED = "blocked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


@dataclass(frozen=True)
class RecentTransaction:
    """One line of the card's recent transactions."""

    when: datetime | None
    kind: str
    amount_fen: int
    terminal_id_text: str


@dataclass(frozen=True)
class CardView:
    """The card panel's content: plain values, no card objects."""

    serial: bytes
    serial_text: str
    family: str
    city: str
    card_type: int
    status: CardStatus
    valid_from: date | None
    valid_until: date | None
    holder_name: str
    holder_id: str
    balance_fen: int
    recent: tuple[RecentTransaction, ...]
    balance_readable: bool = True  # False: a blocked card refused its balance (not ¥0.00)


def card_status(snapshot: CardSnapshot, today: date) -> CardStatus:
    """Blocked beats expired beats not-yet-valid."""
    if snapshot.blocked:
        return CardStatus.BLOCKED
    public = snapshot.public
    if public.expiry_date is not None and today > public.expiry_date:
        return CardStatus.EXPIRED
    if public.start_date is not None and today < public.start_date:
        return CardStatus.NOT_YET_VALID
    return CardStatus.OK


def _recent(snapshot: CardSnapshot, limit: int) -> tuple[RecentTransaction, ...]:
    def line(record: CardRecord) -> RecentTransaction:
        names: dict[int, str] = {
            TransactionType.EP_LOAD: "load",
            TransactionType.EP_PURCHASE: "purchase",
            TransactionType.COMPOUND_PURCHASE: "compound purchase",
        }
        kind = names.get(record.transaction_type, f"type {record.transaction_type:02X}")
        return RecentTransaction(record.when, kind, record.amount_fen, record.terminal_id.hex())

    records = [*snapshot.loads, *snapshot.purchases, *snapshot.other_city_purchases]
    records.sort(key=lambda r: r.when or datetime.min, reverse=True)
    return tuple(line(r) for r in records[:limit])


def card_view(
    snapshot: CardSnapshot,
    today: date,
    recent_limit: int = 10,
    cities: CityTable = INTEROP_CITIES,
) -> CardView:
    """Turn a card snapshot into the panel's values; the city is named from ``cities``."""
    holder = snapshot.holder
    return CardView(
        serial=snapshot.serial,
        serial_text=snapshot.public.serial_text,
        family=snapshot.family.value,
        city=home_city_name(snapshot.family, snapshot.public, cities),
        card_type=snapshot.public.card_type,
        status=card_status(snapshot, today),
        valid_from=snapshot.public.start_date,
        valid_until=snapshot.public.expiry_date,
        holder_name=holder.masked_name if holder else "",
        holder_id=holder.masked_id_number if holder else "",
        balance_fen=snapshot.balance_fen,
        recent=_recent(snapshot, recent_limit),
    )


class CardReadingService:
    """Open the card on the reader and read everything the panel shows."""

    def __init__(
        self, connect: Callable[[], CardTransport], today: Callable[[], date] = date.today
    ) -> None:
        self._connect = connect
        self._today = today

    def read(self) -> CardView:
        """Read the card now on the reader; card errors propagate typed."""
        transport = self._connect()
        try:
            snapshot = CityCard.open(transport).read_snapshot()
        finally:
            transport.close()
        return card_view(snapshot, self._today())
