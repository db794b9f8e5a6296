"""Journal errors. Each says what happened and what the clerk or supervisor should do."""

from __future__ import annotations

from app.domain.texts import ClerkFacingError

SUPERVISOR_ADVICE = (
    "Do not take any more transactions on this counter. Supervisor: run "
    "'citycard-counter journal verify' and 'citycard-counter journal export', keep the journal "
    "file untouched, and call the issuer's support desk."
)


class JournalError(ClerkFacingError):
    """Base of journal errors; ``advice`` is what to do next (templates, see ClerkFacingError)."""

    advice = "Call a supervisor."


class JournalFileError(JournalError):
    """The file at the journal's path is missing, empty, not SQLite or not a journal."""

    advice = (
        "The journal file was not changed. Check the data directory (a wrong path, a disk "
        "problem or a file copied over it), restore the journal from its backup, and start again."
    )


class JournalTooNewError(JournalFileError):
    """The journal was written by a newer version of the application."""

    advice = (
        "The journal was not changed. Install the application version that wrote it (or newer); "
        "never run an older version on this journal."
    )


class JournalBrokenError(JournalError):
    """Verification found a problem; the journal refuses to record anything more."""

    advice = SUPERVISOR_ADVICE


class ClockWentBackwardsError(JournalError):
    """The system clock is earlier than the last record: records would go back in time."""

    advice = (
        "The computer's clock is wrong. Ask a supervisor to set the date and time correctly "
        "(or let it synchronise), then try again. Nothing was recorded."
    )


class IntentError(JournalError):
    """An outcome does not close an open intent of the matching kind."""

    advice = "This is a program error; nothing was recorded. Call a supervisor."


class ClockSkewError(JournalError):
    """The clock differs from the clearing center's by more than the parameters allow."""

    advice = (
        "Nothing was recorded and the card was not touched. Supervisor: set the computer's date "
        "and time correctly (or turn on automatic time synchronisation), wait for the next sync "
        "with the clearing center, then try again."
    )
