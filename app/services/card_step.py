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
from app.journal import Entry, Journal, JournalRecord, RecordKind
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


SAM_COUNTER_PSAM = "psam"  # the PSAM's terminal transaction seq (purchase intents carry it)
SAM_COUNTER_ISAM = "isam"  # the ISAM's load seq (offline load intents carry it)


def sam_seq_unused_entry(counter: str, terminal_seq: int) -> Entry:
    """A SAM seq spent without a money record: journaled, so the center sees no gap."""
    return Entry(
        RecordKind.NOTE,
        terminal_seq=terminal_seq,
        payload={"event": "sam_seq_unused", "counter": counter},
    )


@contextmanager
def sam_seq_accounted(journal: Journal, counter: str, terminal_seq: int) -> Iterator[None]:
    """Between the SAM's answer and the intent: a refusal journals the spent seq, then raises.

    Every seq of the SAM's counters appears in the journal (on an intent or on this note);
    the clearing center flags any gap or repeat (:mod:`clearing.sam_counter`).
    """
    try:
        yield
    except BaseException:
        journal.append(sam_seq_unused_entry(counter, terminal_seq))
        raise
