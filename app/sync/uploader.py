"""Uploading the journal: batches from the acknowledged seq, the cursor moved only by the center.

The exactly-once argument (docs/sync.md):

1. A record is uploaded from the journal as it is stored (same bytes, same MAC) however often
   it is sent; the center stores (device, seq) once, acknowledges an identical copy again as a
   duplicate and refuses a different one (409, tamper alarm).
2. ``Journal.acknowledge`` moves the cursor only over records the batch carried and the center
   answered for: up to ``min(acknowledged_seq, last seq sent)`` — everything up to the
   center's ``acknowledged_seq`` is stored there, identical to what was sent. The cursor never
   moves backwards. A lost answer leaves it behind: the records are sent again and come back
   as duplicates.
3. At the start of every online session the uploader asks ``GET /v1/journal/cursor`` and
   sends from the lower of the two cursors: if the center holds more than the local cursor
   says (an answer lost in a crash), those records go once more and come back as duplicates —
   the cursor never moves over records the center has not confirmed to be these very ones; if
   it holds less (a center restored from a backup), the missing records are sent again. A
   center holding more than the whole journal stops the upload (an old journal file).

Checkpoints ride along: each batch carries the newest checkpoint it covers, if the center has
not answered for it yet, and once everything is acknowledged the uploader signs an ``upload``
checkpoint now and then (``checkpoint_every``), so the center holds the device's signed head
and totals and checks them against the records it accepted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.journal import Checkpoint, CheckpointReason, Journal, JournalError, JournalRecord
from app.sync.errors import JournalMismatchError
from app.sync.models import Quarantined, UploadResult
from app.sync.settings import MAX_BATCH_RECORDS

if TYPE_CHECKING:
    from app.sync.client import CenterClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadRun:
    """What one :meth:`Uploader.upload` did."""

    acknowledged_seq: int
    head_seq: int
    batches: int
    accepted: int
    duplicates: int
    quarantined: tuple[Quarantined, ...]  # not taken: the upload stopped there
    rejected_checkpoint: str | None = None  # the center's reason, when it refused a checkpoint
    set_aside: tuple[Quarantined, ...] = ()  # taken, but kept out of the ledger (``held``)
    # (center's seq, ours): the center held less than it had acknowledged (restored from a
    # backup?) — everything after its seq was sent again
    center_behind: tuple[int, int] | None = None

    @property
    def complete(self) -> bool:
        """Whether the center now holds the whole journal (as of the run's end)."""
        return self.acknowledged_seq >= self.head_seq and not self.quarantined


class Uploader:
    """Sends a journal's unacknowledged records to the center. One thread at a time."""

    def __init__(
        self,
        client: CenterClient,
        journal: Journal,
        batch_size: int = 500,
        checkpoint_every: float | None = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH_RECORDS:
            raise ValueError(f"a batch is 1..{MAX_BATCH_RECORDS} records")
        self._client = client
        self._journal = journal
        self._batch_size = batch_size
        self._checkpoint_every = checkpoint_every
        self._clock = clock
        self._after: int | None = None  # send records after this seq (None: ask the center)
        self._answered_checkpoint = 0  # the newest checkpoint number the center answered for
        self._signed_at: float | None = None
        self._center_behind: tuple[int, int] | None = None

    def forget_position(self) -> None:
        """Ask the center where to start next time (after an outage or an error)."""
        self._after = None

    def resend_after(self, seq: int) -> None:
        """Send again everything after ``seq`` on the next upload (the center answers duplicates).

        For support, e.g. after the center was restored from a backup; the cursor is not moved.
        """
        if seq < 0:
            raise ValueError("a seq is never negative")
        self._after = seq

    def reconcile(self) -> int:
        """Align with the center's cursor; the seq to send after.

        That is the lower of the two cursors: records the center holds beyond the local cursor
        (an answer lost in a crash) are sent once more, so that the center confirms they are
        these very records (duplicates) before the cursor moves — or raises its alarm (409).
        """
        held = self._client.cursor().acknowledged_seq
        head = self._journal.head()[0]
        if held > head:
            raise JournalMismatchError(
                "the clearing center holds this device's records up to seq {held}, but the "
                "journal file ends at seq {head}",
                held=held,
                head=head,
            )
        acknowledged = self._journal.acknowledged_seq()
        if held < acknowledged:
            log.error(
                "the clearing center holds this device's records up to seq %d only, but had "
                "acknowledged up to seq %d (restored from a backup?): sending them again",
                held,
                acknowledged,
            )
            self._center_behind = (held, acknowledged)
        self._after = min(held, acknowledged)
        return self._after

    def _acknowledge(self, seq: int) -> None:
        if seq > self._journal.acknowledged_seq():
            self._journal.acknowledge(seq)

    def _checkpoint_for(self, checkpoints: list[Checkpoint], seq: int) -> Checkpoint | None:
        """The newest checkpoint at or below ``seq`` the center has not answered for."""
        covered = [c for c in checkpoints if c.seq <= seq]
        if covered and covered[-1].number > self._answered_checkpoint:
            return covered[-1]
        return None

    def _sign_checkpoint(self, checkpoints: list[Checkpoint]) -> Checkpoint | None:
        """An ``upload`` checkpoint at the head, when it is due and the head moved past the last."""
        if self._checkpoint_every is None or self._journal.problem is not None:
            return None
        now = self._clock()
        if self._signed_at is not None and now - self._signed_at < self._checkpoint_every:
            return None
        head = self._journal.head()[0]
        if checkpoints and checkpoints[-1].seq >= head:
            return None
        try:
            checkpoint = self._journal.checkpoint(CheckpointReason.UPLOAD)
        except JournalError as exc:
            log.warning("no upload checkpoint: %s", exc)
            return None
        self._signed_at = now
        return checkpoint

    def upload(
        self,
        stop: threading.Event | None = None,
        on_batch: Callable[[UploadResult], None] | None = None,
    ) -> UploadRun:
        """Send everything not yet acknowledged, batch by batch, until the head or ``stop``.

        Raises the client's errors (nothing is acknowledged that the center did not answer),
        and :class:`JournalMismatchError` when the center holds more than the journal.
        """
        if self._after is None:
            self.reconcile()
        assert self._after is not None
        batches = accepted = duplicates = 0
        quarantined: tuple[Quarantined, ...] = ()
        set_aside: tuple[Quarantined, ...] = ()
        rejected: str | None = None
        checkpoints = self._journal.checkpoints()
        stalls = 0
        while stop is None or not stop.is_set():
            after = self._after
            records: list[JournalRecord] = self._journal.records(after, self._batch_size)
            upto = records[-1].seq if records else after
            checkpoint = self._checkpoint_for(checkpoints, upto)
            if not records and checkpoint is None:
                signed = self._sign_checkpoint(checkpoints)
                if signed is None:
                    break
                checkpoints.append(signed)
                checkpoint = signed
            result = self._client.upload_batch(
                records, checkpoint, self._journal.acknowledged_seq()
            )
            batches += 1
            accepted += result.accepted
            duplicates += result.duplicates
            if result.acknowledged_seq > self._journal.head()[0]:
                raise JournalMismatchError(
                    "the clearing center holds this device's records up to seq {held}, but the "
                    "journal file ends at seq {head}",
                    held=result.acknowledged_seq,
                    head=self._journal.head()[0],
                )
            # only over records this batch carried and the center answered for
            confirmed = min(result.acknowledged_seq, upto)
            self._acknowledge(confirmed)
            self._after = confirmed
            if result.checkpoint is not None and result.checkpoint.status != "pending":
                self._answered_checkpoint = max(self._answered_checkpoint, result.checkpoint.number)
                if result.checkpoint.status == "rejected":
                    rejected = result.checkpoint.reason or "rejected"
                    log.error(
                        "the center rejected checkpoint %d: %s", result.checkpoint.number, rejected
                    )
            if on_batch is not None:
                on_batch(result)
            held = tuple(q for q in result.quarantined if q.held)
            refused = tuple(q for q in result.quarantined if not q.held)
            for q in held:
                log.error("the center set seq %d aside from its ledger: %s", q.seq, q.reason)
            set_aside += held
            if result.acknowledged_seq < after:
                self._center_behind = (result.acknowledged_seq, self._journal.acknowledged_seq())
                # the center holds less than the cursor said (restored from a backup?): send
                # again from its seq — but do not go round in circles if that makes no progress
                log.warning(
                    "the center holds seq 1..%d only; sending from there", result.acknowledged_seq
                )
                stalls += 1
                if stalls > 2:
                    quarantined = refused
                    break
                continue
            if refused:
                quarantined = refused
                log.warning(
                    "the center quarantined seq %d: %s", quarantined[0].seq, quarantined[0].reason
                )
                break
            if not records and (result.checkpoint is None or result.checkpoint.status == "pending"):
                break  # a checkpoint the center cannot take yet: next time
        behind, self._center_behind = self._center_behind, None
        return UploadRun(
            center_behind=behind,
            acknowledged_seq=self._journal.acknowledged_seq(),
            head_seq=self._journal.head()[0],
            batches=batches,
            accepted=accepted,
            duplicates=duplicates,
            quarantined=quarantined,
            rejected_checkpoint=rejected,
            set_aside=set_aside,
        )
