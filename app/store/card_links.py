"""Old cards replaced or exchanged by new ones (a lost card's balance lives on in its successor)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.store.database import Store
from app.store.models import CardLinkRow, HolderRow


@dataclass(frozen=True)
class CardLink:
    """``old_serial`` was replaced (or exchanged) by ``new_serial``."""

    old_serial: str
    new_serial: str
    kind: str
    journal_seq: int
    at_us: int


def _link(row: CardLinkRow) -> CardLink:
    return CardLink(row.old_serial, row.new_serial, row.kind, row.journal_seq, row.at_us)


def successor(store: Store, old_serial: str) -> CardLink | None:
    """What replaced ``old_serial``, if anything."""
    with store.reading() as s:
        row = s.get(CardLinkRow, old_serial)
        return None if row is None else _link(row)


def predecessor(store: Store, new_serial: str) -> CardLink | None:
    """What ``new_serial`` replaced, if anything."""
    with store.reading() as s:
        row = s.scalars(select(CardLinkRow).where(CardLinkRow.new_serial == new_serial)).first()
        return None if row is None else _link(row)


def link(store: Store, old_serial: str, new_serial: str, kind: str, seq: int, at_us: int) -> None:
    """Link the cards and move the holder's registration to the new card (one transaction)."""
    with store.session() as s:
        s.add(CardLinkRow(old_serial=old_serial, new_serial=new_serial, kind=kind,
                          journal_seq=seq, at_us=at_us))  # fmt: skip
        holder = s.get(HolderRow, old_serial)
        if holder is not None and s.get(HolderRow, new_serial) is None:
            s.add(
                HolderRow(
                    card_serial=new_serial,
                    name=holder.name,
                    id_number_hash=holder.id_number_hash,
                    id_number_tail=holder.id_number_tail,
                    phone_tail=holder.phone_tail,
                )
            )
