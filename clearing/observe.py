"""What the center does after a journal batch was taken: metrics and the risk rules.

Kept out of :mod:`clearing.ingest` on purpose: the batch is committed before this runs. The
upload route counts the batch at once and runs the rules as a background task, after the answer
is sent: a slow or failing rule never delays nor refuses an upload (a device waiting on a
timeout would send the batch again and again). A failure is logged; the card rules catch up when
the settled time next moves (:mod:`clearing.risk.engine`), ``citycard-center risk evaluate``
runs everything.
"""

from __future__ import annotations

import logging

from fastapi import Request

from clearing.center import Center
from clearing.metrics import CenterMetrics
from clearing.risk.engine import BatchScope, evaluate_batch
from clearing.schemas import BatchIn, BatchOut

log = logging.getLogger(__name__)


def metrics_of(request: Request) -> CenterMetrics:
    """The application's metrics (a FastAPI dependency)."""
    metrics: CenterMetrics = request.app.state.metrics
    return metrics


def batch_counted(metrics: CenterMetrics, device_id: str, result: BatchOut) -> None:
    """Count a batch taken: records accepted, records quarantined."""
    metrics.batches.labels(device=device_id, result="taken").inc()
    metrics.records.labels(device=device_id).inc(result.accepted)
    for item in result.quarantined:
        metrics.quarantined.labels(device=device_id, held="true" if item.held else "false").inc()


def batch_taken(
    center: Center, metrics: CenterMetrics, device_id: str, batch: BatchIn, result: BatchOut
) -> None:
    """Count the batch, then run the risk rules (in this thread: for benches and tools)."""
    batch_counted(metrics, device_id, result)
    evaluate_after(center, metrics, device_id, batch)


def evaluate_after(center: Center, metrics: CenterMetrics, device_id: str, batch: BatchIn) -> None:
    """Run the risk rules over the cards, clerks and device the batch touched (never raises)."""
    if not batch.records:
        metrics.risk_duration.observe(0)
        return
    scope = BatchScope(
        device_id,
        frozenset(r.card_serial for r in batch.records if r.card_serial),
        frozenset(r.operator for r in batch.records if r.operator),
        max(r.at_us for r in batch.records),
    )
    try:
        with metrics.timed(metrics.risk_duration):
            evaluate_batch(center, scope)
    except Exception:
        log.exception("the risk rules failed after a batch of %s (the batch is stored)", device_id)


def batch_refused(metrics: CenterMetrics, device_id: str, result: str) -> None:
    """Count a batch refused (``conflict`` or ``refused``)."""
    metrics.batches.labels(device=device_id, result=result).inc()
