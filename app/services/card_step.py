"""What a failure of the card's money command means for the intent journaled before it.

Top-up (CREDIT FOR LOAD) and purse purchase (DEBIT FOR PURCHASE) share one rule, kept here:

- the card left before the intent was written: nothing happened anywhere — the error as is;
- the card left after it: unknown whether the command ran — ``interrupted(exc)`` (the intent
  stays open; the next tap of the card settles it);
- the card refused the command with a status word after the intent: it did not run — the
  ``not_done`` outcome is journaled, then the error;
- a MAC or TAC that does not verify: before the intent nothing was written; after it the
  command ran but cannot be trusted — the intent stays open (grey) for the supervisor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from app.card.errors import CardCommunicationError, StatusWordError
from app.journal import Entry, Journal, JournalRecord
from app.services.errors import ServiceError


@contextmanager
def settles_intent(
    journal: Journal,
    intent: list[JournalRecord],
    not_done: Callable[[JournalRecord, str], Entry],
    interrupted: Callable[[CardCommunicationError], ServiceError],
) -> Iterator[None]:
    """Run the card step; ``intent`` holds the intent record once the step has journaled it."""
    try:
        yield
    except CardCommunicationError as exc:
        if intent:
            raise interrupted(exc) from exc
        raise
    except StatusWordError as exc:
        if intent:
            journal.append(not_done(intent[0], f"card refused: {exc}"))
        raise
