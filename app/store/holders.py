"""Registered holders, for finding a card to report lost (by ID number, name or card number).

The ID number is kept only as a keyed hash (HMAC-SM3 under a device key) plus its last four
characters: a stolen counter store does not give away ID numbers, a clerk can still match one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.crypto.sm3 import hmac_sm3
from app.store.database import Store
from app.store.models import HolderRow


@dataclass(frozen=True)
class RegisteredHolder:
    """A registered card and its holder, masked as a clerk may see it."""

    card_serial: str
    name: str
    id_number_tail: str
    phone_tail: str | None

    @property
    def masked_name(self) -> str:
        """All but the first character hidden."""
        return self.name[:1] + "*" * max(len(self.name) - 1, 0)


def id_number_hash(index_key: bytes, id_number: str) -> str:
    """The keyed hash an ID number is found by (normalised: trimmed, upper case)."""
    return hmac_sm3(index_key, id_number.strip().upper().encode("utf-8")).hex()


def register(
    store: Store,
    index_key: bytes,
    card_serial: str,
    name: str,
    id_number: str,
    phone: str | None = None,
) -> None:
    """Register (or re-register) the holder of ``card_serial``."""
    with store.session() as s:
        s.merge(
            HolderRow(
                card_serial=card_serial.upper(),
                name=name.strip(),
                id_number_hash=id_number_hash(index_key, id_number),
                id_number_tail=id_number.strip()[-4:].upper(),
                phone_tail=phone.strip()[-4:] if phone else None,
            )
        )


def _holder(row: HolderRow) -> RegisteredHolder:
    return RegisteredHolder(row.card_serial, row.name, row.id_number_tail, row.phone_tail)


def find(store: Store, index_key: bytes, query: str) -> list[RegisteredHolder]:
    """Holders whose ID number, name or card number is ``query`` (exact match)."""
    text = query.strip()
    if not text:
        return []
    with store.reading() as s:
        rows = s.scalars(
            select(HolderRow)
            .where(
                (HolderRow.id_number_hash == id_number_hash(index_key, text))
                | (HolderRow.name == text)
                | (HolderRow.card_serial == text.upper())
            )
            .order_by(HolderRow.card_serial)
        ).all()
        return [_holder(r) for r in rows]


def holder_of(store: Store, card_serial: str) -> RegisteredHolder | None:
    """The registered holder of a card, if any."""
    with store.reading() as s:
        row = s.get(HolderRow, card_serial.upper())
        return None if row is None else _holder(row)


def id_number_matches(store: Store, index_key: bytes, card_serial: str, id_number: str) -> bool:
    """Whether ``id_number`` is the registered holder's of ``card_serial``."""
    with store.reading() as s:
        row = s.get(HolderRow, card_serial.upper())
        return row is not None and row.id_number_hash == id_number_hash(index_key, id_number)
