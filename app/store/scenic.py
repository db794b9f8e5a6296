"""Annual passes and gate entries of the scenic-area ticket office, in the counter store.

Both tables can be rebuilt from the journal (``pass_sale``, ``pass_transfer`` and
``scenic_entry`` records, see :mod:`app.services.scenic`): the journal is written first, the
store follows, and :meth:`ScenicService.reconcile` catches the store up after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.scenic import AnnualPass
from app.store.database import Store
from app.store.models import Base

PASS_ACTIVE = "active"  # noqa: S105 - a status, not a password
PASS_MOVED = "moved"  # noqa: S105 - carried over to a successor card


class ScenicPassRow(Base):
    """An annual pass bound to a card serial."""

    __tablename__ = "scenic_pass"

    pass_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    card_serial: Mapped[str] = mapped_column(String(20), index=True)
    product_code: Mapped[str] = mapped_column(String(32))
    product_name: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[str] = mapped_column(String(10))  # ISO date, the first day included
    valid_until: Mapped[str] = mapped_column(String(10))  # ISO date, the last day included
    holder_name: Mapped[str] = mapped_column(String(64))
    id_number_tail: Mapped[str] = mapped_column(String(4))
    photo_path: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    sale_seq: Mapped[int] = mapped_column(Integer)
    sold_at_us: Mapped[int] = mapped_column(BigInteger)


class ScenicEntryRow(Base):
    """One tap at a gate (its journal record's seq is the key)."""

    __tablename__ = "scenic_entry"

    journal_seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    pass_id: Mapped[str | None] = mapped_column(String(32), index=True)
    card_serial: Mapped[str] = mapped_column(String(20))
    gate: Mapped[str] = mapped_column(String(32))
    day: Mapped[str] = mapped_column(String(10), index=True)  # local calendar day, ISO
    at_us: Mapped[int] = mapped_column(BigInteger)
    verdict: Mapped[str] = mapped_column(String(16))
    flagged: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class GateEntry:
    """A past admission through a gate."""

    journal_seq: int
    gate: str
    at_us: int
    flagged: bool


def _pass(row: ScenicPassRow) -> AnnualPass:
    return AnnualPass(
        pass_id=row.pass_id,
        card_serial=row.card_serial,
        product_code=row.product_code,
        product_name=row.product_name,
        valid_from=date.fromisoformat(row.valid_from),
        valid_until=date.fromisoformat(row.valid_until),
        holder_name=row.holder_name,
        id_number_tail=row.id_number_tail,
        photo_path=row.photo_path,
        sale_seq=row.sale_seq,
    )


def add_pass(store: Store, annual_pass: AnnualPass, sold_at_us: int) -> None:
    """Keep a sold pass (idempotent: a pass already kept is left as it is)."""
    with store.session() as s:
        if s.get(ScenicPassRow, annual_pass.pass_id) is not None:
            return
        s.add(
            ScenicPassRow(
                pass_id=annual_pass.pass_id,
                card_serial=annual_pass.card_serial,
                product_code=annual_pass.product_code,
                product_name=annual_pass.product_name,
                valid_from=annual_pass.valid_from.isoformat(),
                valid_until=annual_pass.valid_until.isoformat(),
                holder_name=annual_pass.holder_name,
                id_number_tail=annual_pass.id_number_tail,
                photo_path=annual_pass.photo_path,
                status=PASS_ACTIVE,
                sale_seq=annual_pass.sale_seq,
                sold_at_us=sold_at_us,
            )
        )


def get_pass(store: Store, pass_id: str) -> AnnualPass | None:
    """The pass ``pass_id`` (active or moved), or None."""
    with store.reading() as s:
        row = s.get(ScenicPassRow, pass_id)
        return None if row is None else _pass(row)


def passes_of(store: Store, card_serial: str) -> list[AnnualPass]:
    """The active passes bound to ``card_serial``, the one valid longest first."""
    with store.reading() as s:
        rows = s.scalars(
            select(ScenicPassRow)
            .where(
                (ScenicPassRow.card_serial == card_serial.upper())
                & (ScenicPassRow.status == PASS_ACTIVE)
            )
            .order_by(ScenicPassRow.valid_until.desc(), ScenicPassRow.sale_seq.desc())
        ).all()
        return [_pass(r) for r in rows]


def move_pass(store: Store, pass_id: str, new_serial: str) -> None:
    """Bind pass ``pass_id`` to ``new_serial`` (a lost or damaged card's successor)."""
    with store.session() as s:
        row = s.get(ScenicPassRow, pass_id)
        if row is not None:
            row.card_serial = new_serial.upper()


def add_entry(
    store: Store,
    journal_seq: int,
    pass_id: str | None,
    card_serial: str,
    gate: str,
    day: date,
    at_us: int,
    verdict: str,
    flagged: bool,
) -> None:
    """Keep one gate tap (idempotent by its journal seq)."""
    with store.session() as s:
        if s.get(ScenicEntryRow, journal_seq) is not None:
            return
        s.add(
            ScenicEntryRow(
                journal_seq=journal_seq,
                pass_id=pass_id,
                card_serial=card_serial,
                gate=gate,
                day=day.isoformat(),
                at_us=at_us,
                verdict=verdict,
                flagged=int(flagged),
            )
        )


def last_admission(store: Store, pass_id: str) -> GateEntry | None:
    """The pass's latest admission (verdict valid), or None."""
    with store.reading() as s:
        row = s.scalars(
            select(ScenicEntryRow)
            .where((ScenicEntryRow.pass_id == pass_id) & (ScenicEntryRow.verdict == "valid"))
            .order_by(ScenicEntryRow.journal_seq.desc())
        ).first()
        return None if row is None else GateEntry(row.journal_seq, row.gate, row.at_us,
                                                  bool(row.flagged))  # fmt: skip


def admissions_by_gate(store: Store, day: date) -> dict[str, int]:
    """Admissions on ``day`` per gate."""
    with store.reading() as s:
        rows = s.execute(
            select(ScenicEntryRow.gate, func.count())
            .where((ScenicEntryRow.day == day.isoformat()) & (ScenicEntryRow.verdict == "valid"))
            .group_by(ScenicEntryRow.gate)
            .order_by(ScenicEntryRow.gate)
        ).all()
        return {str(gate): int(count) for gate, count in rows}


def last_entry_seq(store: Store) -> int:
    """The highest journal seq of a kept entry (0: none): where the catch-up starts."""
    with store.reading() as s:
        top = s.scalar(select(func.max(ScenicEntryRow.journal_seq)))
        return int(top or 0)
