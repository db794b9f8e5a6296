"""Taking over from a replaced counter: its mirror's remaining records, then its retirement.

``citycard-counter restore`` on a new machine enrols it as a new device with a code made to
*replace* the old one; :func:`take_over` then asks the center how far it holds the old device's
journal, uploads the rest from the old counter's mirror (read as a plain SQLite file: no key is
needed here — the center checks every record against the old device's chain, MAC keys and
device key), and retires the old device. Without a mirror it retires it at once and reports
which records are lost: every seq after the center's head (the center raises an alarm).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.journal.records import CHECKPOINT_COLUMNS, RECORD_COLUMNS, Checkpoint, JournalRecord
from app.sync.client import CenterClient
from app.sync.errors import SyncError
from app.sync.models import Retired
from app.sync.settings import MAX_BATCH_RECORDS

_RECORDS = f"SELECT {', '.join(RECORD_COLUMNS)} FROM journal_record"  # noqa: S608 - constants
_CHECKPOINTS = f"SELECT {', '.join(CHECKPOINT_COLUMNS)} FROM journal_checkpoint"  # noqa: S608


class TakeoverError(SyncError):
    """The old counter's records could not be handed over; the old device is not retired."""

    advice = (
        "Keep the old counter's mirror drive as it is and call the issuer's support; the new "
        "counter works, but the old one's last records are not at the center yet."
    )


@dataclass(frozen=True)
class Takeover:
    """What :func:`take_over` did."""

    old_device: str
    center_had: int  # the old device's last seq the center held before
    uploaded: int  # records sent from the mirror (and accepted)
    mirror_head: int | None  # the mirror's last seq (None: no mirror)
    retired: Retired

    @property
    def lost(self) -> str | None:
        """Which seqs are lost, in words (None: nothing known to be lost)."""
        after = self.retired.records_lost_after
        return None if after is None else f"every record of {self.old_device} after seq {after}"


def _read_mirror(
    path: Path, old_device: str, after: int
) -> tuple[list[JournalRecord], list[Checkpoint], int]:
    if not path.is_file():
        raise TakeoverError("There is no mirror file at {path}.", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = conn.execute("SELECT device_id FROM journal_meta WHERE id = 1").fetchone()
            if meta is None or str(meta[0]) != old_device:
                raise TakeoverError(
                    "The mirror {path} is the journal of device {found}, not of {expected} that "
                    "this counter replaces.",
                    path=str(path),
                    found=None if meta is None else str(meta[0]),
                    expected=old_device,
                )
            rows = conn.execute(f"{_RECORDS} WHERE seq > ? ORDER BY seq", (after,)).fetchall()
            checkpoints = conn.execute(f"{_CHECKPOINTS} ORDER BY number").fetchall()
            (head,) = conn.execute("SELECT coalesce(max(seq), 0) FROM journal_record").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise TakeoverError(
            "The mirror {path} cannot be read: {reason}.", path=str(path), reason=str(exc)
        ) from exc
    return [JournalRecord(*r) for r in rows], [Checkpoint(*c) for c in checkpoints], int(head)


def take_over(
    client: CenterClient, old_device: str, mirror: Path | None, batch_size: int = 500
) -> Takeover:
    """Upload what the center lacks of ``old_device``'s journal from ``mirror``; retire it."""
    if not 1 <= batch_size <= MAX_BATCH_RECORDS:
        raise ValueError(f"a batch is 1..{MAX_BATCH_RECORDS} records")
    had = client.predecessor_cursor(old_device).acknowledged_seq
    if mirror is None:
        return Takeover(old_device, had, 0, None, client.retire_predecessor(old_device, None))
    records, checkpoints, head = _read_mirror(mirror, old_device, had)
    uploaded = 0
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        last = batch[-1].seq
        covering = [c for c in checkpoints if c.seq <= last]
        result = client.upload_predecessor_batch(
            old_device, batch, covering[-1] if covering else None
        )
        refused = [q for q in result.quarantined if not q.held]
        if refused:
            raise TakeoverError(
                "The center refused record {seq} of the old counter's mirror: {reason}",
                seq=refused[0].seq,
                reason=refused[0].reason,
            )
        uploaded += result.accepted
    retired = client.retire_predecessor(old_device, max(head, had))
    return Takeover(old_device, had, uploaded, head, retired)
