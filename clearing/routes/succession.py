"""A replacement counter taking over from the device it replaces: cursor, upload, retirement."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse

from clearing.ingest import BatchConflictError, BatchRefusedError, ingest
from clearing.routes.common import ERRORS
from clearing.schemas import (
    BatchConflictOut,
    BatchIn,
    BatchOut,
    CursorOut,
    DeviceId,
    RetiredOut,
    RetireIn,
)
from clearing.security import CenterDep, DeviceDep
from clearing.succession import SuccessionError, predecessor, retire

router = APIRouter(tags=["succession"])
_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: ERRORS,
    403: ERRORS,
    404: ERRORS,
    409: ERRORS,
    422: ERRORS,
}


@router.get(
    "/v1/devices/{old_id}/journal/cursor",
    response_model=CursorOut,
    responses=_REFUSALS,
    summary="How far the center holds the journal of the device this one replaces",
)
def get_predecessor_cursor(old_id: DeviceId, device: DeviceDep, center: CenterDep) -> CursorOut:
    """The old device's acknowledged seq, for its successor only."""
    try:
        with center.sessions.begin() as session:
            old = predecessor(session, device.device_id, old_id)
            return CursorOut(acknowledged_seq=old.head_seq, next_key_id=old.next_key_id)
    except SuccessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc


@router.post(
    "/v1/devices/{old_id}/journal/batches",
    response_model=BatchOut,
    responses={**_REFUSALS, 409: {"model": BatchConflictOut}},
    summary="Upload records of the device this one replaces (from its mirror)",
)
def post_predecessor_batch(
    old_id: DeviceId, body: BatchIn, device: DeviceDep, center: CenterDep
) -> BatchOut | JSONResponse:
    """Checked against the old device's chain, keys and device key, exactly as its own upload."""
    if len(body.records) > center.settings.max_batch_records:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"at most {center.settings.max_batch_records} records per batch",
        )
    try:
        with center.sessions.begin() as session:
            predecessor(session, device.device_id, old_id)
        return ingest(center, old_id, body)
    except SuccessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except BatchRefusedError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    except BatchConflictError as exc:
        answer = BatchConflictOut(detail=str(exc), conflicts=exc.conflicts)
        return JSONResponse(answer.model_dump(), status_code=status.HTTP_409_CONFLICT)


@router.post(
    "/v1/devices/{old_id}/retire",
    response_model=RetiredOut,
    responses=_REFUSALS,
    summary="Retire the device this one replaces",
)
def post_retire(
    old_id: DeviceId, body: RetireIn, device: DeviceDep, center: CenterDep
) -> RetiredOut:
    """It signs nothing more; without a copy of its journal, what is lost is named (alarm)."""
    try:
        return retire(center, device.device_id, old_id, body.uploaded_to_seq)
    except SuccessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
