"""What the status bar shows about the sync: a frozen snapshot, and the pending-money tally."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from app.domain.texts import ClerkFacingError, fill
from app.journal import Journal, JournalRecord
from app.journal.kinds import OUTCOME_OF


class Connection(StrEnum):
    """How the center answered the last attempt."""

    UNKNOWN = "unknown"  # not tried yet
    ONLINE = "online"  # the last cycle went through
    OFFLINE = "offline"  # unreachable, timed out, failing (5xx) or speaking nonsense
    REFUSED = "refused"  # reachable, but it refuses this counter (credentials, clock, 4xx)


@dataclass(frozen=True)
class StatusText:
    """A line of the sync status a clerk reads: an English template and its values.

    ``str()`` gives the English text. The window translates ``template`` (context ``"messages"``,
    see :mod:`app.domain.texts`) and fills in ``params``; a value that is itself a
    :class:`StatusText` is translated the same way first (e.g. an error's text inside a sentence).
    """

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return fill(self.template, self.params)

    @classmethod
    def of_error(cls, exc: ClerkFacingError) -> StatusText:
        """The error's message as a status text."""
        return cls(exc.template, dict(exc.params))

    @classmethod
    def advice_of(cls, exc: ClerkFacingError) -> StatusText | None:
        """The error's advice as a status text (None when it has none)."""
        return cls(exc.advice, dict(exc.params)) if exc.advice else None


@dataclass(frozen=True)
class PendingMoney:
    """Money records of one payment method the center has not acknowledged yet."""

    count: int
    amount_fen: int


@dataclass(frozen=True)
class SyncStatus:
    """A snapshot of the sync, safe to read from any thread (it never changes)."""

    as_of: datetime
    connection: Connection = Connection.UNKNOWN
    head_seq: int = 0
    acknowledged_seq: int = 0
    pending_count: int = 0  # records of any kind not yet acknowledged
    pending_by_method: dict[str, PendingMoney] = field(default_factory=dict)  # a copy: read only
    oldest_pending_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    next_attempt_at: datetime | None = None  # while backing off
    blacklist_version: int | None = None
    blacklist_checked_at: datetime | None = None  # last time the list was brought up to date
    parameters_version: int | None = None
    last_error: str | None = None  # in plain words; None after a clean cycle
    advice: str | None = None  # what to do about ``last_error`` or ``alarm``
    alarm: str | None = None  # uploading stopped until a supervisor acts (tamper, old journal)
    # the three above as templates and values, for the window to translate (same English text;
    # ``last_error_text`` may start in lower case: the English ``last_error`` is capitalised)
    last_error_text: StatusText | None = None
    advice_text: StatusText | None = None
    alarm_text: StatusText | None = None

    @property
    def online(self) -> bool:
        """Whether the last attempt reached the center and went through."""
        return self.connection is Connection.ONLINE

    @property
    def pending_amount_fen(self) -> int:
        """All pending money records together (fen)."""
        return sum(p.amount_fen for p in self.pending_by_method.values())

    def oldest_pending_age(self, now: datetime | None = None) -> timedelta | None:
        """How long the oldest unacknowledged record has waited."""
        return _age(self.oldest_pending_at, now or self.as_of)

    def blacklist_age(self, now: datetime | None = None) -> timedelta | None:
        """How old the local copy of the blacklist is (since it was last brought up to date)."""
        return _age(self.blacklist_checked_at, now or self.as_of)

    def since_last_success(self, now: datetime | None = None) -> timedelta | None:
        """Time since the last cycle that went through."""
        return _age(self.last_success_at, now or self.as_of)


def _age(when: datetime | None, now: datetime) -> timedelta | None:
    return None if when is None else max(timedelta(0), now - when)


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def is_money(record: JournalRecord) -> bool:
    """Whether the record states money that moved (intents only announce it: not counted).

    A done outcome repeats its intent's amount and payment method; a not-done one has none.
    """
    return (
        record.amount_fen is not None
        and record.payment_method is not None
        and record.kind not in OUTCOME_OF
    )


class PendingTally:
    """Count and sum per payment method of the money records after the acknowledged seq.

    Kept incrementally: each refresh reads only records appended since the last one and those
    acknowledged since (to take them off). Not thread-safe: one thread (the sync loop) uses it.
    """

    PAGE = 5_000

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._after: int | None = None  # the acknowledged seq the tally starts after
        self._through = 0  # the last seq counted
        self._by_method: dict[str, list[int]] = {}

    def _walk(self, after: int, through: int | None, sign: int) -> int:
        """Add (sign 1) or take off (sign -1) records after ``after`` up to ``through``."""
        last = after
        while through is None or last < through:
            page = self.PAGE if through is None else min(self.PAGE, through - last)
            records = self._journal.records(last, page)
            if not records:
                break
            for record in records:
                if is_money(record):
                    assert record.payment_method is not None and record.amount_fen is not None
                    tally = self._by_method.setdefault(record.payment_method, [0, 0])
                    tally[0] += sign
                    tally[1] += sign * record.amount_fen
            last = records[-1].seq
        return last

    def refresh(self, acknowledged: int) -> dict[str, PendingMoney]:
        """The tally after ``acknowledged`` up to the journal's head."""
        if self._after is None or not self._after <= acknowledged <= self._through:
            self._by_method = {}
            self._through = self._walk(acknowledged, None, 1)
        else:
            self._walk(self._after, acknowledged, -1)
            self._through = max(self._walk(self._through, None, 1), self._through)
        self._after = acknowledged
        return {
            method: PendingMoney(count, amount)
            for method, (count, amount) in sorted(self._by_method.items())
            if count
        }
