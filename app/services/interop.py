"""How a purse payment names another city's card, and how receipts and reports read it back.

A purse payment of another city's card carries ``{"card": {"family", "issuer", "city"}}`` in
its purchase intent's reference: the clearing center forwards the record to the card's issuer
city by it, receipts print the card's city and reports split takings by it.
"""

from __future__ import annotations

from app.domain.card import CardFamily, CardSnapshot
from app.domain.cities import INTEROP_CITIES, CityTable
from app.journal import Journal, JournalRecord
from app.services.purchase import reference_of

CARD_KEY = "card"  # the reference's entry naming another city's card


def card_mark(snapshot: CardSnapshot) -> dict[str, object]:
    """What the clearing needs to route a payment to the card's issuer city."""
    public = snapshot.public
    return {
        "family": snapshot.family.value,
        "issuer": public.issuer_code.hex().upper(),
        "city": public.city_code,
    }


def other_city_of(intent: JournalRecord, cities: CityTable = INTEROP_CITIES) -> str | None:
    """The Chinese name (or city code) of the other city whose card paid; None: a home card."""
    card = reference_of(intent).get(CARD_KEY)
    if not isinstance(card, dict):
        return None
    family = CardFamily.T_UNION if card.get("family") == "TU" else CardFamily.CITY_UNION
    code = str(card.get("city", ""))
    city = cities.city_of(family, str(card.get("issuer", "")), code)
    return city.name if city is not None else code


def other_city_of_outcome(journal: Journal, outcome: JournalRecord) -> str | None:
    """:func:`other_city_of` the intent a purchase outcome closes (None if there is none)."""
    if outcome.intent_seq is None:
        return None
    intent = journal.record(outcome.intent_seq)
    return None if intent is None else other_city_of(intent)
