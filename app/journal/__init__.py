"""The offline journal: append-only, MAC-chained SQLite records with signed checkpoints.

See docs/journal-format.md for the bytes another program needs to verify it.
"""

from app.journal.errors import (
    ClockSkewError,
    ClockWentBackwardsError,
    IntentError,
    JournalBrokenError,
    JournalError,
    JournalFileError,
    JournalTooNewError,
)
from app.journal.journal import CheckpointReason, Journal, ShiftTotal
from app.journal.keys import JournalKeys
from app.journal.kinds import Outcome, RecordKind
from app.journal.records import Checkpoint, Entry, JournalRecord
from app.journal.verify import Problem, VerificationReport

__all__ = [
    "Checkpoint",
    "CheckpointReason",
    "ClockSkewError",
    "ClockWentBackwardsError",
    "Entry",
    "IntentError",
    "Journal",
    "JournalBrokenError",
    "JournalError",
    "JournalFileError",
    "JournalKeys",
    "JournalRecord",
    "JournalTooNewError",
    "Outcome",
    "Problem",
    "RecordKind",
    "ShiftTotal",
    "VerificationReport",
]
