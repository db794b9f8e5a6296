"""Journal batch upload and the acknowledgement cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from fastapi.responses import JSONResponse

from clearing.ingest import BatchConflictError, BatchRefusedError, ingest
from clearing.keys.interface import KeysUnavailableError
from clearing.metrics import CenterMetrics
from clearing.models import DeviceRow
from clearing.observe import batch_counted, batch_refused, evaluate_after, metrics_of
from clearing.routes.common import ERRORS
from clearing.schemas import BatchConflictOut, BatchIn, BatchOut, CursorOut
from clearing.security import CenterDep, ReportingDeviceDep

router = APIRouter(tags=["journal"])


@router.post(
    "/v1/journal/batches",
    response_model=BatchOut,
    responses={401: ERRORS, 409: {"model": BatchConflictOut}, 422: ERRORS, 503: ERRORS},
    summary="Upload journal records",
)
def post_batch(
    body: BatchIn,
    device: ReportingDeviceDep,
    center: CenterDep,
    metrics: Annotated[CenterMetrics, Depends(metrics_of)],
    background: BackgroundTasks,
) -> BatchOut | JSONResponse:
    """Verify and store records; idempotent on (device, seq). See docs/clearing-center.md."""
    if len(body.records) > center.settings.max_batch_records:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"at most {center.settings.max_batch_records} records per batch",
        )
    try:
        result = ingest(center, device.device_id, body)
    except KeysUnavailableError as exc:  # the TACs cannot be checked: store nothing now
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the center cannot check load TACs now (its issuer keys are unreachable); "
            "send the batch again later",
        ) from exc
    except BatchRefusedError as exc:
        batch_refused(metrics, device.device_id, "refused")
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    except BatchConflictError as exc:
        batch_refused(metrics, device.device_id, "conflict")
        answer = BatchConflictOut(detail=str(exc), conflicts=exc.conflicts)
        return JSONResponse(answer.model_dump(), status_code=status.HTTP_409_CONFLICT)
    batch_counted(metrics, device.device_id, result)
    # the risk rules run once the answer is sent: they never delay nor fail an upload
    background.add_task(evaluate_after, center, metrics, device.device_id, body)
    return result


@router.get(
    "/v1/journal/cursor",
    response_model=CursorOut,
    responses={401: ERRORS},
    summary="How far the center holds this device's journal",
)
def get_cursor(device: ReportingDeviceDep, center: CenterDep) -> CursorOut:
    """The acknowledged seq (upload from the next one) and the key the chain expects next."""
    with center.sessions.begin() as session:
        row = session.get(DeviceRow, device.device_id)
        assert row is not None
        return CursorOut(acknowledged_seq=row.head_seq, next_key_id=row.next_key_id)
