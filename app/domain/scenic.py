"""The scenic-area ticket office (全国景区一卡通): products, baskets, annual-pass validity, entries.

Plain values shared by the scenic service, the store and the window. The catalogue — ticket
types with their prices, annual-pass products with their validity rules, the gates and the
interval within which a second entry on one pass is flagged — is part of the issuer's
parameters (``Parameters.scenic``); :meth:`ScenicCatalogue.default` serves until the center
publishes one. All money in fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from app.domain.texts import ClerkFacingError

MAX_TICKETS_PER_LINE = 200  # more is a typing error, not a group
MAX_PASS_DAYS = 3 * 366


class ScenicCatalogueError(ClerkFacingError, ValueError):
    """A scenic catalogue in the parameters is malformed; the message names the field."""


class TicketType(StrEnum):
    """Single-admission ticket types."""

    ADULT = "adult"
    CHILD = "child"
    SENIOR = "senior"
    FREE = "free"


class PassValidity(StrEnum):
    """How an annual pass's validity is counted."""

    ROLLING_DAYS = "rolling_days"  # from the day of sale, ``days`` days (the sale day included)
    CALENDAR_YEAR = "calendar_year"  # from the day of sale to 31 December of that year


class EntryVerdict(StrEnum):
    """What an entry check found."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BLACKLISTED = "blacklisted"
    NOT_FOUND = "not_found"

    @property
    def admits(self) -> bool:
        """Whether the visitor may go in."""
        return self is EntryVerdict.VALID


@dataclass(frozen=True)
class TicketProduct:
    """One single-admission ticket type and its price."""

    code: str  # a TicketType value
    name: str
    price_fen: int

    def validate(self) -> None:
        """Refuse an unknown type or a negative price (a free ticket costs 0, others more)."""
        if self.code not in set(TicketType):
            raise ScenicCatalogueError("scenic ticket type {code!r} is unknown", code=self.code)
        if self.price_fen < 0 or (self.code != TicketType.FREE) != (self.price_fen > 0):
            raise ScenicCatalogueError(
                "scenic ticket {code}: only the free ticket costs nothing", code=self.code
            )


@dataclass(frozen=True)
class PassProduct:
    """An annual-pass product: its price and how long it is valid."""

    code: str
    name: str
    price_fen: int
    validity: str = PassValidity.ROLLING_DAYS
    days: int = 365
    card_types: tuple[int, ...] = ()  # card types it may be sold to; empty: every type

    def validate(self) -> None:
        """Refuse a product that could not be sold or checked."""
        if not self.code or self.price_fen <= 0:
            raise ScenicCatalogueError(
                "annual pass {code!r}: needs a code and a price", code=self.code
            )
        if self.validity not in set(PassValidity):
            raise ScenicCatalogueError(
                "annual pass {code}: validity {validity!r} is unknown",
                code=self.code,
                validity=self.validity,
            )
        if self.validity == PassValidity.ROLLING_DAYS and not 0 < self.days <= MAX_PASS_DAYS:
            raise ScenicCatalogueError("annual pass {code}: days out of range", code=self.code)

    def valid_dates(self, sold_on: date) -> tuple[date, date]:
        """First and last day (both included) of a pass of this product sold on ``sold_on``."""
        if self.validity == PassValidity.CALENDAR_YEAR:
            return sold_on, date(sold_on.year, 12, 31)
        return sold_on, sold_on + timedelta(days=self.days - 1)

    def sold_to(self, card_type: int) -> bool:
        """Whether a card of ``card_type`` may have this pass."""
        return not self.card_types or card_type in self.card_types


def _default_tickets() -> tuple[TicketProduct, ...]:
    return (
        TicketProduct(TicketType.ADULT, "成人票", 4_000),
        TicketProduct(TicketType.CHILD, "儿童票", 2_000),
        TicketProduct(TicketType.SENIOR, "老年票", 2_000),
        TicketProduct(TicketType.FREE, "免票", 0),
    )


def _default_passes() -> tuple[PassProduct, ...]:
    return (
        PassProduct("garden_annual", "园林年卡", 12_000, PassValidity.ROLLING_DAYS, 365),
        PassProduct("garden_year", "园林年卡（自然年）", 10_000, PassValidity.CALENDAR_YEAR),
    )


@dataclass(frozen=True)
class ScenicCatalogue:
    """What a ticket office sells and how it checks entries."""

    tickets: tuple[TicketProduct, ...] = field(default_factory=_default_tickets)
    passes: tuple[PassProduct, ...] = field(default_factory=_default_passes)
    gates: tuple[str, ...] = ("east", "west")
    reuse_interval_s: int = 30 * 60  # a pass admitted twice within this is flagged

    def ticket(self, code: str) -> TicketProduct | None:
        """The ticket product of ``code``, or None."""
        return next((t for t in self.tickets if t.code == code), None)

    def pass_product(self, code: str) -> PassProduct | None:
        """The annual-pass product of ``code``, or None."""
        return next((p for p in self.passes if p.code == code), None)

    def validate(self) -> None:
        """Refuse a catalogue with duplicates, bad prices or no gate."""
        for items in ([t.code for t in self.tickets], [p.code for p in self.passes]):
            if len(items) != len(set(items)):
                raise ScenicCatalogueError("a scenic product is defined twice")
        for ticket in self.tickets:
            ticket.validate()
        for product in self.passes:
            product.validate()
        if not self.gates or any(not g for g in self.gates) or self.reuse_interval_s < 0:
            raise ScenicCatalogueError("the scenic catalogue needs gates and an interval ≥ 0")

    @classmethod
    def default(cls) -> ScenicCatalogue:
        """The demo issuer's catalogue (until the center publishes one)."""
        return cls()

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> ScenicCatalogue:
        """Parse a catalogue from its JSON form (raises ValueError / KeyError / TypeError)."""
        default = cls.default()
        catalogue = cls(
            tickets=tuple(TicketProduct(**t) for t in doc["tickets"])
            if "tickets" in doc
            else default.tickets,
            passes=tuple(
                PassProduct(**{**p, "card_types": tuple(int(c) for c in p.get("card_types", ()))})
                for p in doc["passes"]
            )
            if "passes" in doc
            else default.passes,
            gates=tuple(str(g) for g in doc.get("gates", default.gates)),
            reuse_interval_s=int(doc.get("reuse_interval_s", default.reuse_interval_s)),
        )
        catalogue.validate()
        return catalogue


@dataclass(frozen=True)
class BasketLine:
    """Tickets of one type in a basket, at the price in force when it was made."""

    code: str
    count: int
    unit_fen: int

    @property
    def amount_fen(self) -> int:
        """The line's amount: count × unit price."""
        return self.count * self.unit_fen


@dataclass(frozen=True)
class Basket:
    """The tickets a visitor buys at once."""

    lines: tuple[BasketLine, ...]

    @property
    def total_fen(self) -> int:
        """What the basket costs."""
        return sum(line.amount_fen for line in self.lines)

    @property
    def ticket_count(self) -> int:
        """How many tickets (admissions) the basket holds."""
        return sum(line.count for line in self.lines)

    def as_json(self) -> list[list[object]]:
        """The lines as the journal records them: ``[[code, count, unit_fen], …]``."""
        return [[line.code, line.count, line.unit_fen] for line in self.lines]

    @classmethod
    def from_json(cls, lines: object) -> Basket:
        """The basket a journal record (or a purchase reference) holds."""
        if not isinstance(lines, list):
            raise ValueError("basket lines must be a list")
        return cls(tuple(BasketLine(str(c), int(n), int(u)) for c, n, u in lines))


@dataclass(frozen=True)
class AnnualPass:
    """An annual pass bound to a card serial."""

    pass_id: str
    card_serial: str
    product_code: str
    product_name: str
    valid_from: date
    valid_until: date
    holder_name: str
    id_number_tail: str
    photo_path: str | None  # the copy in the data directory, or None without a photo
    sale_seq: int

    def verdict_on(self, day: date) -> EntryVerdict:
        """Valid, not yet valid or expired on ``day``."""
        if day < self.valid_from:
            return EntryVerdict.NOT_YET_VALID
        if day > self.valid_until:
            return EntryVerdict.EXPIRED
        return EntryVerdict.VALID
