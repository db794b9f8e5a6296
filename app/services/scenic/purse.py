"""Paying a ticket or a pass from the card purse: a real purchase, the balance checked first."""

from __future__ import annotations

from app.card.errors import InsufficientBalanceError
from app.card.session import CityCard
from app.domain.payment import PaymentMethod
from app.domain.people import Actor
from app.services.eligibility import CounterAct, check_served_here
from app.services.errors import RefusedError
from app.services.interop import CARD_KEY, card_mark
from app.services.progress import CancelToken, Progress
from app.services.purchase import PurchaseReceipt, PurchaseService
from app.services.scenic.common import ScenicBalanceTooLowError, ScenicContext
from app.store import blacklist
from app.store import parameters as stored_parameters


class PursePayments:
    """Debits the purse through :class:`PurchaseService`, its intent naming what is sold.

    Cards of other cities pay only when the SAM reports the national interoperability purchase
    key (its key directory, interop.md); the PSAM then MACs with it, two-level diversified.
    Otherwise they are refused in plain words before the card is touched. A card that is not
    interoperable never pays here.
    """

    def __init__(self, context: ScenicContext, purchases: PurchaseService) -> None:
        self._context = context
        self._purchases = purchases

    def pay(
        self,
        actor: Actor,
        shift_id: int,
        card: CityCard,
        amount_fen: int,
        reference: dict[str, object],
        progress: Progress,
        cancel: CancelToken | None,
    ) -> PurchaseReceipt:
        """Debit ``amount_fen``; a purse short of it is a :class:`ScenicBalanceTooLowError`."""
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        serial = snapshot.public.serial_text
        listed = blacklist.lookup(self._context.store, serial) is not None
        # a blacklisted or blocked card is refused by the purchase itself, in its own words
        if not listed:
            params = stored_parameters.current(self._context.store)
            origin = check_served_here(snapshot, params, None, CounterAct.PURSE_PAYMENT)
            if not origin.home and not self._purchases.takes_other_cities_cards:
                raise RefusedError(
                    "Card {serial} is a card of {city}: paying from it needs the national "
                    "interoperability key in the SAM, which this counter does not hold.",
                    advice="Take the payment in cash, by bank card or by QR code.",
                    serial=serial,
                    city=origin.city_name,
                )
            if not origin.home:  # the center forwards it to the card's issuer city by this
                reference = {**reference, CARD_KEY: card_mark(snapshot)}
        if not listed and not snapshot.blocked and snapshot.balance_fen < amount_fen:
            raise ScenicBalanceTooLowError(serial, snapshot.balance_fen, amount_fen)
        try:
            return self._purchases.purchase(
                actor,
                shift_id,
                card,
                amount_fen,
                PaymentMethod.CARD_PURSE,
                reference=reference,
                expected_balance_fen=snapshot.balance_fen,
                progress=progress,
                cancel=cancel,
            )
        except InsufficientBalanceError as exc:  # 9401: the card is the authority on its purse
            raise ScenicBalanceTooLowError(serial, snapshot.balance_fen, amount_fen) from exc
