"""The scenic-area ticket office (全国景区一卡通): admissions, annual passes, entry checks.

One part per job, :class:`ScenicService` the one object callers hold:

| module | job |
|---|---|
| ``tickets.py`` | baskets at today's prices; admissions paid from the purse or at the counter |
| ``purse.py`` | a payment from the card purse (a real purchase through ``PurchaseService``) |
| ``passes.py`` | annual passes: sale to the holder, photo, lookup here / by card link / at center |
| ``gate.py`` | entry checks at the gates, admissions per day and gate, quick re-use flagged |
| ``catchup.py`` | sales of interrupted purse payments; the store caught up at start-up |
| ``pass_codec.py`` | the one description of a pass in journal payloads, and its one decoder |
| ``links.py`` | the one walk back along card links (replacement, exchange) |
| ``common.py`` | the shared context, results, errors and constants |

**Other ticket offices**: with a clearing center configured, a pass this counter does not hold
is asked of the center (``GET /v1/passes/{card_serial}``, one quick attempt): a pass sold at
another office admits without a photo, and a pass the center holds on a card this counter
replaced is carried over here (its ``pass_transfer`` record describes it). The center
unreachable, only this counter's passes are checked and the verdict says so. A pass is not
sold twice when the center knows one (offline: this counter's word).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path

from app.card.session import CityCard
from app.domain.people import Actor
from app.domain.scenic import AnnualPass, Basket, ScenicCatalogue
from app.journal import Journal
from app.services.progress import CancelToken, Progress, no_progress
from app.services.purchase import PurchaseService
from app.services.scenic.catchup import CatchUp
from app.services.scenic.common import (
    PHOTO_DIRECTORY,
    REFERENCE_KEY,
    SCENIC_PAYMENTS,
    LookupSource,
    PassDirectory,
    PassSale,
    ScenicBalanceTooLowError,
    ScenicContext,
    TicketSale,
)
from app.services.scenic.gate import EntryCheck, Gate
from app.services.scenic.links import MAX_LINK_HOPS
from app.services.scenic.passes import MAX_PHOTO_BYTES, PHOTO_SUFFIXES, PassBook
from app.services.scenic.purse import PursePayments
from app.services.scenic.tickets import TicketDesk
from app.store.database import Store

__all__ = [
    "MAX_LINK_HOPS",
    "MAX_PHOTO_BYTES",
    "PHOTO_DIRECTORY",
    "PHOTO_SUFFIXES",
    "REFERENCE_KEY",
    "SCENIC_PAYMENTS",
    "EntryCheck",
    "LookupSource",
    "PassDirectory",
    "PassSale",
    "ScenicBalanceTooLowError",
    "ScenicService",
    "TicketSale",
]


class ScenicService:
    """The ticket office's sales and entry checks. Qt-free."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        purchases: PurchaseService,
        index_key: bytes,
        data_dir: Path,
        clock: Callable[[], datetime],
        timezone: tzinfo,
        center: PassDirectory | None = None,
    ) -> None:
        """``center``: the clearing center's client, asked for passes this counter did not sell.

        Cards of other cities pay from their purses when the SAM behind ``purchases`` reports
        the national interoperability purchase key.
        """
        self._context = ScenicContext(
            journal, store, clock, timezone, data_dir / PHOTO_DIRECTORY, center
        )
        purse = PursePayments(self._context, purchases)
        self._tickets = TicketDesk(self._context, purse)
        self._passes = PassBook(self._context, purse, index_key)
        self._gate = Gate(self._context, self._passes)
        self._catch_up = CatchUp(self._context, self._passes)

    # -- the catalogue and admission tickets ------------------------------------------------------

    def catalogue(self) -> ScenicCatalogue:
        """The products and gates in force (from the parameters the center published)."""
        return self._context.catalogue()

    def basket(self, counts: Mapping[str, int]) -> Basket:
        """A basket of ``{ticket type: count}`` at today's prices (zero counts left out)."""
        return self._tickets.basket(counts)

    def sell_tickets(
        self,
        actor: Actor,
        shift_id: int,
        basket: Basket,
        payment_method: str,
        card: CityCard | None = None,
        *,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> TicketSale:
        """Sell ``basket``: from the purse of ``card`` (``card_purse``) or paid at the counter."""
        return self._tickets.sell(
            actor, shift_id, basket, payment_method, card, progress=progress, cancel=cancel
        )

    # -- annual passes ---------------------------------------------------------------------------

    def sell_pass(
        self,
        actor: Actor,
        shift_id: int,
        card: CityCard,
        product_code: str,
        id_number: str,
        payment_method: str,
        photo: Path | None = None,
        *,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> PassSale:
        """Sell an annual pass of ``product_code`` to the registered holder of ``card``."""
        return self._passes.sell(
            actor,
            shift_id,
            card,
            product_code,
            id_number,
            payment_method,
            photo,
            progress=progress,
            cancel=cancel,
        )

    def passes_of(self, card_serial: str) -> list[AnnualPass]:
        """The passes bound to ``card_serial`` (not following card links)."""
        return self._passes.passes_of(card_serial)

    def pass_of(self, actor: Actor | None, card_serial: str) -> AnnualPass | None:
        """The pass to check for ``card_serial`` here (following card links)."""
        return self._passes.pass_of(actor, card_serial)

    def find_pass(
        self, actor: Actor | None, card_serial: str
    ) -> tuple[AnnualPass | None, LookupSource]:
        """The pass to check and where it was found (here, by card link, at the center)."""
        return self._passes.find_pass(actor, card_serial)

    # -- entry checks ----------------------------------------------------------------------------

    def check_entry(
        self,
        actor: Actor,
        card: CityCard,
        gate: str,
        shift_id: int | None = None,
        *,
        progress: Progress = no_progress,
    ) -> EntryCheck:
        """Check the card on the reader at ``gate``."""
        return self._gate.check_entry(actor, card, gate, shift_id, progress=progress)

    def check_serial(
        self,
        actor: Actor,
        card_serial: str,
        gate: str,
        shift_id: int | None = None,
        *,
        blocked: bool = False,
    ) -> EntryCheck:
        """Check the pass of ``card_serial`` at ``gate``; journaled, counted when admitted."""
        return self._gate.check_serial(actor, card_serial, gate, shift_id, blocked=blocked)

    def admissions_by_gate(self, day: date | None = None) -> dict[str, int]:
        """Admissions per gate on ``day`` (default: today, in the counter's time zone)."""
        return self._gate.admissions_by_gate(day)

    # -- catching up after an interruption -------------------------------------------------------

    def finish_interrupted(self, card_serial: str | None = None) -> list[TicketSale | PassSale]:
        """Write the sales of purse payments that completed but have no sale record yet."""
        return self._catch_up.finish_interrupted(card_serial)

    def reconcile(self) -> list[TicketSale | PassSale]:
        """At start-up: finish interrupted sales, then catch the store up with the journal."""
        return self._catch_up.reconcile()
