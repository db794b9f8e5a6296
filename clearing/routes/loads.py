"""Online top-ups: MAC2 from the center."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from clearing.online import OnlineLoadError, authorize_load
from clearing.routes.common import ERRORS
from clearing.schemas import LoadAuthorizeIn, LoadAuthorizeOut
from clearing.security import CenterDep, DeviceDep

router = APIRouter(tags=["loads"])


@router.post(
    "/v1/loads/authorize",
    response_model=LoadAuthorizeOut,
    responses={401: ERRORS, 403: ERRORS, 422: ERRORS, 503: ERRORS},
    summary="MAC2 for an online top-up",
)
def post_authorize(body: LoadAuthorizeIn, device: DeviceDep, center: CenterDep) -> LoadAuthorizeOut:
    """Check MAC1 of the card's INITIALIZE FOR LOAD answer and give MAC2 and its card time."""
    try:
        return authorize_load(center, device, body)
    except OnlineLoadError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
