"""The counter's one clock: every time shown, printed or exported is in the counter's zone.

Counter PCs often run with the wrong operating-system time zone; the journal keeps UTC and the
cards carry China Standard Time. Nothing the clerk or the customer reads may depend on the
machine's zone, so every screen, receipt, report and CSV formats its times here, in
:data:`COUNTER_TIMEZONE` (the same zone as :data:`app.composition.CARD_TIMEZONE`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

COUNTER_TIMEZONE: tzinfo = timezone(timedelta(hours=8), "CST")
"""The counter's configured zone (UTC+8, as the cards and the clearing center count days)."""

DATE = "%Y-%m-%d"
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"
CLOCK = "%H:%M"


def counter_time(when: datetime, zone: tzinfo = COUNTER_TIMEZONE) -> datetime:
    """``when`` in the counter's zone; a naive time is taken as UTC (the journal's times)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(zone)


def format_time(
    when: datetime | None, pattern: str = MINUTES, zone: tzinfo = COUNTER_TIMEZONE
) -> str:
    """``when`` as the counter shows it (``""`` for no time); aware times only are converted.

    A naive time is the journal's UTC, except card times (they carry the card's zone already and
    are passed through :func:`format_card_time`).
    """
    return "" if when is None else counter_time(when, zone).strftime(pattern)


def format_card_time(when: datetime | None, pattern: str = MINUTES) -> str:
    """A time read from a card (naive, already in the card's zone = the counter's zone)."""
    if when is None:
        return ""
    if when.tzinfo is not None:
        return counter_time(when).strftime(pattern)
    return when.strftime(pattern)


def counter_today(now: datetime | None = None, zone: tzinfo = COUNTER_TIMEZONE) -> date:
    """Today's date at the counter (not the machine's zone)."""
    return counter_time(now or datetime.now(UTC), zone).date()


def zone_label(zone: tzinfo = COUNTER_TIMEZONE) -> str:
    """``UTC+08:00``: the zone as the status bar and reports name it."""
    offset = datetime.now(UTC).astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"
