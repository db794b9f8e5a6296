"""Operations: the Prometheus scrape endpoint (not part of the devices' API contract)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clearing.metrics import CONTENT_TYPE, CenterMetrics

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def get_metrics(request: Request) -> Response:
    """The text exposition of the center's metrics (serve it to the monitoring network only)."""
    metrics: CenterMetrics | None = getattr(request.app.state, "metrics", None)
    if metrics is None:
        return Response("no center is running\n", status_code=503, media_type="text/plain")
    return Response(metrics.exposition(), media_type=CONTENT_TYPE)
