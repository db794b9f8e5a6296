"""Whether a card may be served, and whether an amount may be loaded onto it.

Pure functions over plain values: each refusal is a :class:`RefusedError` that says what is
wrong and what to do, before anything is written to the card.
"""

from __future__ import annotations

from datetime import date

from app.domain.card import CardFamily, CardSnapshot
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


def check_card(
    snapshot: CardSnapshot,
    parameters: Parameters,
    listed: BlacklistEntry | None,
    today: date,
) -> CardTypeRules:
    """The card type's rules if the card may be loaded here; else a RefusedError saying why."""
    serial = snapshot.public.serial_text
    if listed is not None:
        raise blacklisted(serial, listed)
    if snapshot.family is not CardFamily.CITY_UNION:
        raise RefusedError(
            "Card {serial} is a T-Union card of another issuer; this counter cannot load it.",
            advice="Ask the customer to top it up at its issuer's outlets.",
            serial=serial,
        )
    issuer = snapshot.public.issuer_code.hex().upper()
    if issuer not in parameters.issuer_codes:
        raise RefusedError(
            "Card {serial} belongs to issuer {issuer}, which this counter does not serve.",
            advice="Ask the customer to top it up at its issuer's outlets.",
            serial=serial,
            issuer=issuer,
        )
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
