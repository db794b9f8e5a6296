"""The clearing center's clock as last read, to tell how far this counter's clock is off.

A reading keeps the center's time and an elapsed-time counter at that moment (boot time where
the system has one, so a suspended laptop does not drift); the center's time *now* is then
extrapolated from it, whatever the wall clock was set to since.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta


def elapsed() -> float:
    """Seconds on a counter that never jumps and keeps counting through a suspend."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return time.clock_gettime(boottime)
    return time.monotonic()  # Windows: counts through sleep already


@dataclass(frozen=True)
class ClockReading:
    """The center's clock at the elapsed-time ``at`` (the middle of the request's round trip)."""

    center_time: datetime  # aware
    at: float  # :func:`elapsed` at that moment

    def center_now(self, now_elapsed: float) -> datetime:
        """The center's time now, extrapolated from this reading."""
        return self.center_time + timedelta(seconds=now_elapsed - self.at)

    def age_s(self, now_elapsed: float) -> float:
        """How long ago the reading was taken."""
        return now_elapsed - self.at
