"""Money records only with a clock that agrees with the clearing center's.

The journal already refuses a clock going back past its last record. This catches the clock
that is simply wrong — set an hour ahead, a day behind — by comparing it, before every money
intent is written (so before any card is touched), with the center's clock as last read at sync.
With no recent reading (the center cannot be asked) nothing is refused here: the counter works
offline, and offline top-ups are held to the offline brakes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.domain.center_clock import ClockReading, elapsed
from app.journal.errors import ClockSkewError
from app.journal.records import from_micros

MAX_READING_AGE_S = 3600.0  # an older reading says nothing about the clock now


class ClockCheck:
    """Compares the counter's clock with the center's latest reading, within a bound."""

    def __init__(
        self,
        reading: Callable[[], ClockReading | None],
        bound_s: Callable[[], int],
        *,
        max_age_s: float = MAX_READING_AGE_S,
        now_elapsed: Callable[[], float] = elapsed,
    ) -> None:
        self._reading = reading
        self._bound = bound_s
        self._max_age = max_age_s
        self._elapsed = now_elapsed

    def skew_s(self, local: datetime) -> float | None:
        """Local clock minus the center's, in seconds (None: no recent reading to compare)."""
        reading = self._reading()
        if reading is None:
            return None
        now = self._elapsed()
        if reading.age_s(now) > self._max_age:
            return None
        return (local - reading.center_now(now)).total_seconds()

    def check(self, at_us: int) -> None:
        """Raise :class:`ClockSkewError` when the clock at ``at_us`` is off by more than allowed."""
        skew = self.skew_s(from_micros(at_us))
        bound = self._bound()
        if skew is None or abs(skew) <= bound:
            return
        minutes = max(1, round(abs(skew) / 60))
        if skew > 0:
            raise ClockSkewError(
                "This counter's clock is about {minutes} minutes ahead of the clearing center's "
                "(at most {bound} seconds are allowed): no money is taken or loaded until it is "
                "set right.",
                minutes=minutes,
                bound=bound,
            )
        raise ClockSkewError(
            "This counter's clock is about {minutes} minutes behind the clearing center's "
            "(at most {bound} seconds are allowed): no money is taken or loaded until it is "
            "set right.",
            minutes=minutes,
            bound=bound,
        )
