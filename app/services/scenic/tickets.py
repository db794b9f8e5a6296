"""Admission tickets: a basket at the catalogue's prices, paid from the purse or at the counter.

Either way one ``ticket_sale`` record says what was sold; a purse-paid one names its purchase
outcome (``purchase_seq``).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.card.session import CityCard
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Role
from app.domain.scenic import MAX_TICKETS_PER_LINE, Basket, BasketLine
from app.journal import Entry, RecordKind
from app.services.errors import RefusedError
from app.services.operators import require
from app.services.progress import CancelToken, Progress, no_progress
from app.services.scenic.common import REFERENCE_KEY, ScenicContext, TicketSale, check_payment
from app.services.scenic.purse import PursePayments


def ticket_entry(
    operator: str | None,
    shift_id: int | None,
    basket: Basket,
    payment_method: str | None,
    card_serial: str | None,
    purchase_seq: int | None,
    **payload: object,
) -> Entry:
    """The ``ticket_sale`` record of ``basket``."""
    return Entry(
        RecordKind.TICKET_SALE,
        operator=operator,
        shift_id=shift_id,
        card_serial=card_serial,
        amount_fen=basket.total_fen,
        payment_method=payment_method,
        payload={
            "lines": basket.as_json(),
            "tickets": basket.ticket_count,
            "purchase_seq": purchase_seq,
            **payload,
        },
    )


class TicketDesk:
    """Baskets and admission sales."""

    def __init__(self, context: ScenicContext, purse: PursePayments) -> None:
        self._context = context
        self._purse = purse

    def basket(self, counts: Mapping[str, int]) -> Basket:
        """A basket of ``{ticket type: count}`` at today's prices (zero counts left out)."""
        catalogue = self._context.catalogue()
        lines = []
        for code, count in counts.items():
            product = catalogue.ticket(code)
            if product is None:
                raise RefusedError("There is no ticket type {code!r}.", code=code)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise RefusedError("{count!r} is not a number of tickets.", count=count)
            if count > MAX_TICKETS_PER_LINE:
                raise RefusedError(
                    "{count} tickets of one type is more than {limit}.",
                    "Sell a group in several baskets, or check the number typed.",
                    count=count,
                    limit=MAX_TICKETS_PER_LINE,
                )
            if count:
                lines.append(BasketLine(product.code, count, product.price_fen))
        return Basket(tuple(lines))

    def sell(
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
        require(actor, Role.CLERK, "sell admission tickets")
        journal = self._context.journal
        if not basket.lines:
            raise RefusedError("The basket is empty.", "Choose the tickets first.")
        self._check_prices(basket)
        total = basket.total_fen
        if total == 0:  # only free tickets: nothing to pay
            record = journal.append(
                ticket_entry(actor.username, shift_id, basket, None, None, None)
            )
            return TicketSale(record.seq, basket, None, None)
        check_payment(payment_method)
        if payment_method != PaymentMethod.CARD_PURSE:
            record = journal.append(
                ticket_entry(actor.username, shift_id, basket, str(payment_method), None, None)
            )
            return TicketSale(record.seq, basket, str(payment_method), None)
        if card is None:
            raise RefusedError("Put the visitor's card on the reader to pay from it.")
        reference: dict[str, object] = {REFERENCE_KEY: "tickets", "lines": basket.as_json()}
        receipt = self._purse.pay(actor, shift_id, card, total, reference, progress, cancel)
        record = journal.append(
            ticket_entry(
                actor.username,
                shift_id,
                basket,
                PaymentMethod.CARD_PURSE,
                receipt.card_serial,
                receipt.outcome_seq,
            )
        )
        return TicketSale(
            record.seq, basket, PaymentMethod.CARD_PURSE, receipt.card_serial, receipt
        )

    def _check_prices(self, basket: Basket) -> None:
        catalogue = self._context.catalogue()
        for line in basket.lines:
            product = catalogue.ticket(line.code)
            if product is None or product.price_fen != line.unit_fen or line.count <= 0:
                raise RefusedError(
                    "The prices changed since the basket was made.",
                    "Make the basket again.",
                )
