"""Whether a card may be served, and whether an amount may be loaded onto it.

Pure functions over plain values: each refusal is a :class:`RefusedError` that says what is
wrong and what to do, before anything is written to the card.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from app.domain.card import CardFamily, CardSnapshot
from app.domain.cities import City, CityTable, is_interoperable
from app.domain.money import Fen
from app.domain.parameters import CardTypeRules, Parameters
from app.services.errors import RefusedError
from app.store.blacklist import BlacklistEntry

LOST_REASONS = frozenset({"loss_report", "reported_lost"})  # the counter's and the center's


def blacklisted(serial: str, listed: BlacklistEntry) -> RefusedError:
    """The refusal for a blacklisted card, in words (never the blacklist's reason code)."""
    if listed.reason in LOST_REASONS:
        return RefusedError(
            "Card {serial} was reported lost.",
            advice="Do not serve this card. Keep it and follow the lost-card procedure.",
            serial=serial,
        )
    return RefusedError(
        "Card {serial} is on the blacklist.",
        advice="Do not serve this card. Keep it and follow the lost-card procedure.",
        serial=serial,
    )


class CounterAct(enum.Enum):
    """What the counter is asked to do with a card, for the home/other-city policy."""

    TOP_UP = "top-up"
    PURSE_PAYMENT = "purse payment"
    LOSS_REPORT = "loss report"
    REPLACEMENT = "replacement"
    REFUND = "refund"


@dataclass(frozen=True)
class CardOrigin:
    """Where a card comes from, as this counter sees it."""

    home: bool  # issued by the issuer this counter serves (a CU card with one of its codes)
    city: City | None  # its home city in the table, None when the table does not know it
    interoperable: bool  # usable in other cities (CU interop flag set, or any T-Union card)

    city_code: str  # the city code the card carries (shown when the table lacks the city)

    @property
    def city_name(self) -> str:
        """The home city's Chinese name, or the card's city code when the table lacks it."""
        return self.city.name if self.city is not None else self.city_code


def card_origin(
    snapshot: CardSnapshot, parameters: Parameters, cities: CityTable | None = None
) -> CardOrigin:
    """Home card or another city's: CU cards of the issuer codes in the parameters are home.

    The city is named from ``cities``, by default the table the parameters deliver.
    """
    cities = cities if cities is not None else parameters.city_table()
    public = snapshot.public
    home = (
        snapshot.family is CardFamily.CITY_UNION
        and public.issuer_code.hex().upper() in parameters.issuer_codes
    )
    return CardOrigin(
        home=home,
        city=cities.home_city(snapshot.family, public),
        interoperable=is_interoperable(snapshot.family, public),
        city_code=public.city_code,
    )


def check_not_listed(serial: str, listed: BlacklistEntry | None) -> None:
    """A card on the (national) blacklist is refused for every act, home card or not."""
    if listed is not None:
        raise blacklisted(serial, listed)


def check_served_here(
    snapshot: CardSnapshot,
    parameters: Parameters,
    listed: BlacklistEntry | None,
    act: CounterAct,
    cities: CityTable | None = None,
) -> CardOrigin:
    """The card's origin if this counter may do ``act`` with it, else a RefusedError.

    The refusal says what to do instead (interop.md: of other cities' cards, only purse
    payments are served here).
    """
    serial = snapshot.public.serial_text
    check_not_listed(serial, listed)
    origin = card_origin(snapshot, parameters, cities)
    if origin.home:
        return origin
    city = origin.city_name
    if act is CounterAct.TOP_UP:
        raise RefusedError(
            "Card {serial} is a card of {city}; this counter tops up only its own city's cards.",
            advice="Top it up in its home city, or online where its issuer allows.",
            serial=serial,
            city=city,
        )
    if act is CounterAct.PURSE_PAYMENT:
        if not origin.interoperable:
            raise RefusedError(
                "Card {serial} is a card of {city} that is not interoperable.",
                advice="Take another payment method; the card works only in its home city.",
                serial=serial,
                city=city,
            )
        return origin
    raise RefusedError(
        "Card {serial} is a card of {city}: loss reports, replacements and refunds are done "
        "only by its home city.",
        advice="Send the customer to a card outlet in {city} (or its issuer's service line); "
        "nothing was changed here.",
        serial=serial,
        city=city,
    )


def check_card(
    snapshot: CardSnapshot,
    parameters: Parameters,
    listed: BlacklistEntry | None,
    today: date,
    cities: CityTable | None = None,
) -> CardTypeRules:
    """The card type's rules if the card may be loaded here; else a RefusedError saying why."""
    serial = snapshot.public.serial_text
    check_served_here(snapshot, parameters, listed, CounterAct.TOP_UP, cities)
    if snapshot.blocked:
        raise RefusedError(
            "Card {serial} is blocked.",
            advice="Do not load it; check the loss report or refund case.",
            serial=serial,
        )
    public = snapshot.public
    if public.expiry_date is not None and today > public.expiry_date:
        raise RefusedError(
            "Card {serial} expired on {expiry}.",
            advice="Offer an exchange for a new card (the balance moves with it).",
            serial=serial,
            expiry=public.expiry_date.isoformat(),
        )
    if public.start_date is not None and today < public.start_date:
        raise RefusedError(
            "Card {serial} is valid only from {start}.",
            advice="It cannot be loaded yet.",
            serial=serial,
            start=public.start_date.isoformat(),
        )
    rules = parameters.card_type(public.card_type)
    if rules is None:
        raise RefusedError(
            "Card {serial} has card type {card_type}, unknown to this counter.",
            advice="Do not load it; report the card type to the supervisor.",
            serial=serial,
            card_type=f"{public.card_type:02X}",
        )
    return rules


def check_amount(amount_fen: object, balance_fen: int, rules: CardTypeRules) -> int:
    """The amount as int fen if ``rules`` allow loading it onto ``balance_fen``."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise RefusedError(
            "{amount} is not an amount in fen.",
            advice="Enter the amount in yuan, e.g. 50.",
            amount=repr(amount_fen),
        )
    if amount_fen <= 0:
        raise RefusedError("The amount must be more than zero.", advice="Enter the amount to load.")
    low, high = Fen(rules.min_load_fen).yuan_text(), Fen(rules.max_load_fen).yuan_text()
    step = Fen(rules.multiple_of_fen).yuan_text()
    amount = Fen(amount_fen).yuan_text()
    if amount_fen < rules.min_load_fen:
        raise RefusedError(
            "{amount} is below the {card_type} minimum of {low}.",
            advice="Load between {low} and {high}.",
            amount=amount,
            card_type=rules.name,
            low=low,
            high=high,
        )
    if amount_fen > rules.max_load_fen:
        raise RefusedError(
            "{amount} is outside the {card_type} limits ({low} – {high}).",
            advice="Load between {low} and {high}.",
            amount=amount,
            card_type=rules.name,
            low=low,
            high=high,
        )
    if amount_fen % rules.multiple_of_fen:
        raise RefusedError(
            "{amount} is not a multiple of {step}.",
            advice="Load a multiple of {step}.",
            amount=amount,
            step=step,
        )
    room = rules.balance_ceiling_fen - balance_fen
    if amount_fen > room:
        raise RefusedError(
            "The balance would exceed the {ceiling} ceiling of a {card_type}.",
            advice="At most {room} can be loaded now.",
            ceiling=Fen(rules.balance_ceiling_fen).yuan_text(),
            card_type=rules.name,
            room=Fen(max(room, 0)).yuan_text(),
        )
    return amount_fen


def check_transfer(amount_fen: object, balance_fen: int, rules: CardTypeRules) -> int:
    """A balance transfer's amount: positive int fen that keeps the card under its ceiling."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise RefusedError("{amount} is not a balance to transfer.", amount=repr(amount_fen))
    if balance_fen + amount_fen > rules.balance_ceiling_fen:
        raise RefusedError(
            "The transferred balance would take the new card over its {ceiling} ceiling.",
            advice="Use a card type with a higher ceiling, or refund the difference.",
            ceiling=Fen(rules.balance_ceiling_fen).yuan_text(),
        )
    return amount_fen
