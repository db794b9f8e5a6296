"""What the ticket office's parts share: their collaborators, results, errors and constants."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.scenic import AnnualPass, Basket, ScenicCatalogue
from app.journal import Journal
from app.services.errors import RefusedError, ServiceError
from app.services.purchase import PurchaseReceipt
from app.store import parameters as stored_parameters
from app.store.database import Store
from app.sync.passes import CenterPass

SCENIC_PAYMENTS = frozenset(
    {
        PaymentMethod.CARD_PURSE,
        PaymentMethod.CASH,
        PaymentMethod.BANK_CARD,
        PaymentMethod.WECHAT,
        PaymentMethod.ALIPAY,
    }
)
PHOTO_DIRECTORY = Path("scenic") / "photos"
REFERENCE_KEY = "scenic"  # the purchase reference: {"scenic": "tickets" | "pass", …}


class PassDirectory(Protocol):
    """Where passes sold at other ticket offices are found: the clearing center's client."""

    def passes(self, card_serial: str) -> Sequence[CenterPass]:
        """The passes bound to the card at the center (raises SyncError when it cannot say)."""
        ...


class LookupSource(StrEnum):
    """Where an entry check looked the pass up."""

    COUNTER = "counter"  # this counter's store (the center, if asked, knew no other pass)
    CENTER = "center"  # sold at another ticket office: the clearing center holds it
    OFFLINE = "counter_only"  # not here, and the clearing center could not be asked


@dataclass(frozen=True)
class ScenicContext:
    """The collaborators every part of the ticket office works with."""

    journal: Journal
    store: Store
    clock: Callable[[], datetime]
    timezone: tzinfo
    photos: Path  # where pass photos are kept (under the data directory)
    center: PassDirectory | None

    def catalogue(self) -> ScenicCatalogue:
        """The products and gates in force (from the parameters the center published)."""
        return stored_parameters.current(self.store).scenic

    def today(self) -> date:
        """Today in the counter's time zone."""
        return self.clock().astimezone(self.timezone).date()


def check_payment(payment_method: str) -> None:
    """Refuse a payment method the ticket office does not take."""
    if payment_method not in SCENIC_PAYMENTS:
        raise RefusedError("{method!r} is not a payment method.", method=payment_method)


class ScenicBalanceTooLowError(ServiceError):
    """The purse does not hold the price (checked before, or the card answered 9401)."""

    advice = (
        "Offer the visitor a top-up of at least {shortfall} first (on the counter page), "
        "or take the payment in cash or by QR code."
    )

    def __init__(self, serial: str, balance_fen: int, amount_fen: int) -> None:
        super().__init__(
            "Card {serial} holds {balance}; {amount} cannot be paid from it.",
            serial=serial,
            balance=Fen(balance_fen).yuan_text(),
            amount=Fen(amount_fen).yuan_text(),
            shortfall=Fen(max(amount_fen - balance_fen, 0)).yuan_text(),
        )
        self.shortfall_fen = max(amount_fen - balance_fen, 0)


@dataclass(frozen=True)
class TicketSale:
    """Admission tickets sold (what the receipt prints)."""

    record_seq: int
    basket: Basket
    payment_method: str | None  # None: only free tickets
    card_serial: str | None
    purchase: PurchaseReceipt | None = None
    recovered: bool = False

    @property
    def total_fen(self) -> int:
        """What was paid."""
        return self.basket.total_fen


@dataclass(frozen=True)
class PassSale:
    """An annual pass sold."""

    record_seq: int
    annual_pass: AnnualPass
    amount_fen: int
    payment_method: str
    purchase: PurchaseReceipt | None = None
    recovered: bool = False
