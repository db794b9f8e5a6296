"""The center's card registry: which card type each issued card is (the issuer's word).

Online top-up limits depend on the card type, and the counter's reading of the card (file 0x15)
is a claim the center cannot check. The registry is filled from the issuer's issuance files
(``citycard-center cards register FILE.csv``: ``card_serial,card_type`` lines); a card the
registry does not know gets the strictest card type of the parameters in force.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clearing.models import CardRegistryRow
from clearing.schemas import CardTypeParameters, ParametersOut

_SERIAL = re.compile(r"(?:[0-9A-F]{2}){1,10}")


class RegistryFileError(ValueError):
    """An issuance file line that cannot be registered (nothing of the file is registered)."""


@dataclass(frozen=True)
class RegisteredType:
    """The card type whose limits apply, and whether the registry knew the card."""

    rules: CardTypeParameters
    known: bool


def strictest(parameters: ParametersOut) -> CardTypeParameters:
    """The card type with the smallest top-ups: lowest maximum, then highest minimum."""
    return min(
        parameters.card_types,
        key=lambda t: (t.max_top_up_fen, -t.min_top_up_fen, -t.top_up_multiple_fen, t.code),
    )


def card_type_of(session: Session, parameters: ParametersOut, card_serial: str) -> RegisteredType:
    """The registered type's limits; the strictest type for an unknown card or unknown type."""
    row = session.get(CardRegistryRow, card_serial)
    if row is not None:
        found = next((t for t in parameters.card_types if t.code == row.card_type), None)
        if found is not None:
            return RegisteredType(found, True)
    return RegisteredType(strictest(parameters), False)


def parse_issuance(text: str) -> list[tuple[str, int]]:
    """``card_serial,card_type`` lines (a header line and blank lines are skipped)."""
    cards: list[tuple[str, int]] = []
    seen: set[str] = set()
    for number, line in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not line or not "".join(line).strip():
            continue
        if number == 1 and line[0].strip().lower() == "card_serial":
            continue
        if len(line) != 2:
            raise RegistryFileError(f"line {number}: expected card_serial,card_type")
        serial, kind = line[0].strip().upper(), line[1].strip()
        if not _SERIAL.fullmatch(serial):
            raise RegistryFileError(f"line {number}: {serial!r} is not a card serial in hex")
        if not kind.isdigit() or not 0 <= int(kind) <= 255:
            raise RegistryFileError(f"line {number}: card type {kind!r} is not 0..255")
        if serial in seen:
            raise RegistryFileError(f"line {number}: card {serial} appears twice")
        seen.add(serial)
        cards.append((serial, int(kind)))
    return cards


def register(
    session: Session, cards: list[tuple[str, int]], source: str, now_us: int
) -> tuple[int, int]:
    """Register or re-type the cards (the caller commits); (added, changed)."""
    added = changed = 0
    for serial, kind in cards:
        row = session.get(CardRegistryRow, serial)
        if row is None:
            session.add(
                CardRegistryRow(
                    card_serial=serial, card_type=kind, source=source[:64], registered_at_us=now_us
                )
            )
            added += 1
        elif row.card_type != kind:
            row.card_type, row.source, row.registered_at_us = kind, source[:64], now_us
            changed += 1
    session.flush()
    return added, changed
