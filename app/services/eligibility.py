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


def check_card(
    snapshot: CardSnapshot,
    parameters: Parameters,
    listed: BlacklistEntry | None,
    today: date,
) -> CardTypeRules:
    """The card type's rules if the card may be loaded here; else a RefusedError saying why."""
    serial = snapshot.public.serial_text
    if listed is not None:
        raise RefusedError(
            f"Card {serial} is on the blacklist ({listed.reason}).",
            "Do not serve this card. Keep it and follow the lost-card procedure.",
        )
    if snapshot.family is not CardFamily.CITY_UNION:
        raise RefusedError(
            f"Card {serial} is a T-Union card of another issuer; this counter cannot load it.",
            "Ask the customer to top it up at its issuer's outlets.",
        )
    issuer = snapshot.public.issuer_code.hex().upper()
    if issuer not in parameters.issuer_codes:
        raise RefusedError(
            f"Card {serial} belongs to issuer {issuer}, which this counter does not serve.",
            "Ask the customer to top it up at its issuer's outlets.",
        )
    if snapshot.blocked:
        raise RefusedError(
            f"Card {serial} is blocked.", "Do not load it; check the loss report or refund case."
        )
    public = snapshot.public
    if public.expiry_date is not None and today > public.expiry_date:
        raise RefusedError(
            f"Card {serial} expired on {public.expiry_date:%Y-%m-%d}.",
            "Offer an exchange for a new card (the balance moves with it).",
        )
    if public.start_date is not None and today < public.start_date:
        raise RefusedError(
            f"Card {serial} is valid only from {public.start_date:%Y-%m-%d}.",
            "It cannot be loaded yet.",
        )
    rules = parameters.card_type(public.card_type)
    if rules is None:
        raise RefusedError(
            f"Card {serial} has card type {public.card_type:02X}, unknown to this counter.",
            "Do not load it; report the card type to the supervisor.",
        )
    return rules


def check_amount(amount_fen: object, balance_fen: int, rules: CardTypeRules) -> int:
    """The amount as int fen if ``rules`` allow loading it onto ``balance_fen``."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise RefusedError(
            f"{amount_fen!r} is not an amount in fen.", "Enter the amount in yuan, e.g. 50."
        )
    if amount_fen <= 0:
        raise RefusedError("The amount must be more than zero.", "Enter the amount to load.")
    low, high = Fen(rules.min_load_fen).yuan_text(), Fen(rules.max_load_fen).yuan_text()
    step = Fen(rules.multiple_of_fen).yuan_text()
    if not rules.min_load_fen <= amount_fen <= rules.max_load_fen:
        raise RefusedError(
            f"{Fen(amount_fen).yuan_text()} is outside the {rules.name} limits ({low} – {high}).",
            f"Load between {low} and {high}.",
        )
    if amount_fen % rules.multiple_of_fen:
        raise RefusedError(
            f"{Fen(amount_fen).yuan_text()} is not a multiple of {step}.",
            f"Load a multiple of {step}.",
        )
    room = rules.balance_ceiling_fen - balance_fen
    if amount_fen > room:
        ceiling = Fen(rules.balance_ceiling_fen).yuan_text()
        raise RefusedError(
            f"The balance would exceed the {ceiling} ceiling of a {rules.name}.",
            f"At most {Fen(max(room, 0)).yuan_text()} can be loaded now.",
        )
    return amount_fen


def check_transfer(amount_fen: object, balance_fen: int, rules: CardTypeRules) -> int:
    """A balance transfer's amount: positive int fen that keeps the card under its ceiling."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise RefusedError(f"{amount_fen!r} is not a balance to transfer.")
    if balance_fen + amount_fen > rules.balance_ceiling_fen:
        ceiling = Fen(rules.balance_ceiling_fen).yuan_text()
        raise RefusedError(
            f"The transferred balance would take the new card over its {ceiling} ceiling.",
            "Use a card type with a higher ceiling, or refund the difference.",
        )
    return amount_fen
