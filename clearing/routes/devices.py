"""Enrolment with a one-time code, and journal key rotation."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from clearing.enrolment import EnrolmentError, enrol, issue_key
from clearing.models import DeviceRow
from clearing.routes.common import AUTH_ERRORS, ERRORS
from clearing.schemas import EnrolIn, EnrolOut, WrappedKeyOut
from clearing.security import CenterDep, DeviceDep

router = APIRouter(tags=["devices"])


@router.post(
    "/v1/enrol",
    response_model=EnrolOut,
    status_code=status.HTTP_201_CREATED,
    responses={403: ERRORS, 409: ERRORS, 422: ERRORS},
    summary="Enrol a device with its one-time code",
)
def post_enrol(body: EnrolIn, center: CenterDep) -> EnrolOut:
    """Register the device's SM2 key; answer its journal MAC key wrapped to that key."""
    try:
        return enrol(center, body)
    except EnrolmentError as exc:
        raise HTTPException(exc.status, str(exc)) from exc


@router.post(
    "/v1/keys/rotate",
    response_model=WrappedKeyOut,
    status_code=status.HTTP_201_CREATED,
    responses=AUTH_ERRORS,
    summary="Issue a new journal MAC key",
)
def post_rotate(device: DeviceDep, center: CenterDep) -> WrappedKeyOut:
    """A new key for the device's next ``key_rotation`` record (old keys stay valid)."""
    with center.sessions.begin() as session:
        row = session.get(DeviceRow, device.device_id)
        assert row is not None  # authenticated devices exist
        return issue_key(session, row, center.now_us())
