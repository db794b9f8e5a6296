"""Journal time (UTC microseconds) to and from aware datetimes, for the API's answers."""

from __future__ import annotations

from datetime import datetime

from app.journal.records import from_micros, to_micros

__all__ = ["from_micros", "iso", "to_micros"]


def iso(micros: int) -> datetime:
    """The aware UTC datetime of ``micros`` (pydantic writes it as ISO 8601)."""
    return from_micros(micros)


def micros_of(when: datetime) -> int:
    """UTC microseconds of an aware datetime."""
    return to_micros(when)
