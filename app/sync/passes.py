"""The center's answer about a card's annual passes (GET /v1/passes/{card_serial})."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.sync.errors import BadResponseError
from app.sync.wire import Fields


@dataclass(frozen=True)
class CenterPass:
    """An annual pass as the clearing center holds it (sold at any ticket office)."""

    pass_id: str
    card_serial: str
    product_code: str
    product_name: str
    valid_from: date
    valid_until: date
    holder: str  # the masked name the sale recorded
    amount_fen: int | None
    sold_by: str | None  # the device that sold it
    sold_at: datetime | None
    bound_at: datetime


def _day(f: Fields, key: str) -> date:
    text = f.text(key)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadResponseError(
            "{what}: {key} should be a date, got {got}", what=f.what, key=key, got=repr(text)
        ) from None


def parse_passes(f: Fields, card_serial: str) -> tuple[CenterPass, ...]:
    """The passes of ``card_serial``; refuses an answer about another card."""
    if f.text("card_serial").upper() != card_serial.upper():
        raise BadResponseError("{what}: the center answered about another card", what=f.what)
    passes = []
    for p in f.objects("passes"):
        annual = CenterPass(
            pass_id=p.text("pass_id"),
            card_serial=p.text("card_serial").upper(),
            product_code=p.text("product_code"),
            product_name=p.text("product_name"),
            valid_from=_day(p, "valid_from"),
            valid_until=_day(p, "valid_until"),
            holder=p.text("holder"),
            amount_fen=p.opt_integer("amount_fen"),
            sold_by=p.opt_text("sold_by"),
            sold_at=p.opt_when("sold_at"),
            bound_at=p.when("bound_at"),
        )
        if annual.card_serial != card_serial.upper() or not annual.pass_id:
            raise BadResponseError("{what}: a pass of another card", what=p.what)
        passes.append(annual)
    return tuple(passes)
