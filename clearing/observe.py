"""What the center does after a journal batch was taken: metrics and the risk rules.

Kept out of :mod:`clearing.ingest` on purpose: the batch is committed before this runs, so a
failing rule can never lose or refuse an upload (it is logged, and the periodic sweep and
``citycard-center risk evaluate`` catch up).
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


def batch_taken(
    center: Center, metrics: CenterMetrics, device_id: str, batch: BatchIn, result: BatchOut
) -> None:
    """Count the batch, then run the risk rules over the cards, clerks and device it touched."""
    metrics.batches.labels(device=device_id, result="taken").inc()
    metrics.records.labels(device=device_id).inc(result.accepted)
    for item in result.quarantined:
        metrics.quarantined.labels(device=device_id, held="true" if item.held else "false").inc()
    if not batch.records:
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
