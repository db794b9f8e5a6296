"""Journal records and checkpoints as the API carries them (the archive's JSON lines).

Pure functions shared by the center and the counter's sync client: field names are
:data:`~app.journal.records.RECORD_COLUMNS` / ``CHECKPOINT_COLUMNS``, bytes upper-case hex.
"""

from __future__ import annotations

from typing import Any

from app.journal.records import CHECKPOINT_COLUMNS, RECORD_COLUMNS, Checkpoint, JournalRecord


def _jsonable(value: object) -> Any:
    return value.hex().upper() if isinstance(value, bytes) else value


def record_json(record: JournalRecord) -> dict[str, Any]:
    """One record as a JSON object (a line of ``records.jsonl``)."""
    return {name: _jsonable(getattr(record, name)) for name in RECORD_COLUMNS}


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    """One checkpoint as a JSON object (a line of ``checkpoints.jsonl``)."""
    return {name: _jsonable(getattr(checkpoint, name)) for name in CHECKPOINT_COLUMNS}
