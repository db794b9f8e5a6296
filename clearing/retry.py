"""Running a transaction again when the database says it lost a race.

PostgreSQL answers a transaction that lost to a concurrent one with a serialization failure
(SQLSTATE ``40001``) or a deadlock (``40P01``); the transaction was rolled back whole, so running
it again from the start is safe. Callers whose transaction is idempotent (journal ingest: records
are keyed by (device, seq); loss reports: one active report per card) may also run it again
after a unique violation (``23505``): the second run reads what the winner committed and answers
with it. SQLite serialises writers (``BEGIN IMMEDIATE``) and never gets here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRIED_STATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
UNIQUE_VIOLATION = "23505"
ATTEMPTS = 5


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (psycopg's ``sqlstate``; None when there is none)."""
    original = getattr(exc, "orig", None)
    state = getattr(original, "sqlstate", None)
    return state if isinstance(state, str) else None


def lost_race(exc: BaseException, *, unique_too: bool) -> bool:
    """Whether ``exc`` says the transaction lost a race and may simply be run again."""
    if not isinstance(exc, DBAPIError):
        return False
    state = sqlstate(exc)
    if state in RETRIED_STATES:
        return True
    return unique_too and isinstance(exc, IntegrityError) and state == UNIQUE_VIOLATION


def retrying(
    transaction: Callable[[], T], *, unique_too: bool = False, attempts: int = ATTEMPTS
) -> T:
    """Run ``transaction`` (which opens and commits its own); again if it lost a race.

    ``unique_too``: also after a unique violation — only for idempotent transactions.
    The last failure is raised as it is.
    """
    for attempt in range(1, attempts + 1):
        try:
            return transaction()
        except DBAPIError as exc:
            if attempt == attempts or not lost_race(exc, unique_too=unique_too):
                raise
            log.info("transaction lost a race (%s), attempt %d again", sqlstate(exc), attempt + 1)
            time.sleep(random.uniform(0.0, 0.01 * attempt))
    raise AssertionError("unreachable")  # pragma: no cover
