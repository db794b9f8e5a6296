"""Shifts: opened with a cash float, counted blind, closed against the journal.

The counter store is one file per device, so the unique partial index ``ux_shift_open_per_operator``
is "one open shift per operator per device". Every state change is a conditional update inside
one ``BEGIN IMMEDIATE`` session: a closed shift never reopens, a final count never changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.store.database import Store
from app.store.errors import StoreError
from app.store.models import ShiftRow


class ShiftStateError(StoreError):
    """The shift is not in a state that allows this (closed, already compared, unknown)."""

    advice = "Reload the shift and check its state."


class ShiftAlreadyOpenError(ShiftStateError):
    """The operator already has an open shift on this counter."""

    advice = "Close the open shift first (or ask a supervisor to close it)."

    def __init__(self, message: str, open_shift: Shift | None, **params: object) -> None:
        super().__init__(message, None, **params)
        self.open_shift = open_shift


@dataclass(frozen=True)
class Shift:
    """A shift as stored; money in fen, times in UTC microseconds."""

    id: int
    operator: str
    opened_at_us: int
    opening_float_fen: int
    closed_at_us: int | None
    counted: tuple[tuple[int, int], ...] | None  # (denomination fen, count), highest first
    counted_cash_fen: int | None
    expected_cash_fen: int | None  # set once the expected cash was revealed: the count is final
    difference_reason: str | None
    approved_by: str | None
    checkpoint_number: int | None

    @property
    def is_open(self) -> bool:
        """Whether the shift still takes transactions (or is being closed)."""
        return self.closed_at_us is None

    @property
    def count_declared(self) -> bool:
        """Whether the blind cash count was declared (the shift is being closed)."""
        return self.counted is not None

    @property
    def count_final(self) -> bool:
        """Whether the expected cash was revealed, so the declared count may no longer change."""
        return self.expected_cash_fen is not None


def _parse_counted(text: str | None) -> tuple[tuple[int, int], ...] | None:
    if text is None:
        return None
    doc = json.loads(text)
    return tuple(sorted(((int(k), int(v)) for k, v in doc.items()), reverse=True))


def counted_json(counted: Mapping[int, int]) -> str:
    """The stored text of a count: ``{"10000": 3, "5000": 0, …}``, highest denomination first."""
    return json.dumps({str(d): counted[d] for d in sorted(counted, reverse=True)})


def _shift(row: ShiftRow) -> Shift:
    return Shift(
        id=row.id,
        operator=row.operator,
        opened_at_us=row.opened_at_us,
        opening_float_fen=row.opening_float_fen,
        closed_at_us=row.closed_at_us,
        counted=_parse_counted(row.counted_json),
        counted_cash_fen=row.counted_cash_fen,
        expected_cash_fen=row.expected_cash_fen,
        difference_reason=row.difference_reason,
        approved_by=row.approved_by,
        checkpoint_number=row.checkpoint_number,
    )


def _open_of(s: Session, operator: str) -> ShiftRow | None:
    query = select(ShiftRow).where(ShiftRow.operator == operator, ShiftRow.closed_at_us.is_(None))
    return s.scalars(query).first()


def open_shift(store: Store, operator: str, opening_float_fen: int, at_us: int) -> Shift:
    """Open a shift; :class:`ShiftAlreadyOpenError` when ``operator`` has one open here."""
    try:
        with store.session() as s:
            existing = _open_of(s, operator)
            if existing is not None:
                raise ShiftAlreadyOpenError(
                    "{operator} already has shift {shift} open.",
                    _shift(existing),
                    operator=operator,
                    shift=existing.id,
                )
            row = ShiftRow(
                operator=operator, opened_at_us=at_us, opening_float_fen=opening_float_fen
            )
            s.add(row)
            s.flush()
            return _shift(row)
    except IntegrityError:  # the unique partial index, should another process have won the race
        raise ShiftAlreadyOpenError(
            "{operator} already has a shift open.",
            open_shift_of(store, operator),
            operator=operator,
        ) from None


def discard_unjournaled(store: Store, shift_id: int) -> None:
    """Remove a shift whose opening could not be journaled (so it never existed)."""
    with store.session() as s:
        s.execute(
            delete(ShiftRow).where(
                ShiftRow.id == shift_id,
                ShiftRow.closed_at_us.is_(None),
                ShiftRow.counted_json.is_(None),
            )
        )


def get(store: Store, shift_id: int) -> Shift | None:
    """The shift ``shift_id``, or None."""
    with store.session() as s:
        row = s.get(ShiftRow, shift_id)
        return None if row is None else _shift(row)


def open_shift_of(store: Store, operator: str) -> Shift | None:
    """The operator's open shift on this counter, or None."""
    with store.session() as s:
        row = _open_of(s, operator)
        return None if row is None else _shift(row)


def open_shifts(store: Store) -> list[Shift]:
    """Every open shift on this counter, oldest first."""
    with store.session() as s:
        query = select(ShiftRow).where(ShiftRow.closed_at_us.is_(None)).order_by(ShiftRow.id)
        return [_shift(r) for r in s.scalars(query)]


def _open_row(s: Session, shift_id: int) -> ShiftRow:
    row = s.get(ShiftRow, shift_id)
    if row is None:
        raise ShiftStateError("There is no shift {shift}.", shift=shift_id)
    if row.closed_at_us is not None:
        raise ShiftStateError("Shift {shift} is already closed.", shift=shift_id)
    return row


def declare_count(
    store: Store, shift_id: int, counted: Mapping[int, int], counted_cash_fen: int
) -> Shift:
    """Store the blind count; refused once the expected cash was revealed or the shift closed."""
    with store.session() as s:
        row = _open_row(s, shift_id)
        if row.expected_cash_fen is not None:
            raise ShiftStateError(
                "The count of shift {shift} was already compared with the expected cash.",
                shift=shift_id,
            )
        row.counted_json = counted_json(counted)
        row.counted_cash_fen = counted_cash_fen
        s.flush()
        return _shift(row)


def reveal_expected(store: Store, shift_id: int, expected_cash_fen: int) -> Shift:
    """Record the expected cash as shown: from now on the declared count is final."""
    with store.session() as s:
        row = _open_row(s, shift_id)
        if row.counted_json is None:
            raise ShiftStateError("Shift {shift} has no declared count.", shift=shift_id)
        row.expected_cash_fen = expected_cash_fen
        s.flush()
        return _shift(row)


def close(
    store: Store,
    shift_id: int,
    *,
    closed_at_us: int,
    expected_cash_fen: int,
    difference_reason: str | None,
    approved_by: str | None,
    checkpoint_number: int,
) -> Shift:
    """Mark the shift closed with what its SHIFT_CLOSE record says."""
    with store.session() as s:
        row = _open_row(s, shift_id)
        row.closed_at_us = closed_at_us
        row.expected_cash_fen = expected_cash_fen
        row.difference_reason = difference_reason
        row.approved_by = approved_by
        row.checkpoint_number = checkpoint_number
        s.flush()
        return _shift(row)
