"""What counters download: the blacklist (deltas by version) and the parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clearing.blacklist import deltas
from clearing.parameters import current
from clearing.routes.common import ERRORS
from clearing.schemas import BlacklistOut, ParametersOut
from clearing.security import CenterDep, DeviceDep

router = APIRouter(tags=["lists"])


@router.get(
    "/v1/blacklist",
    response_model=BlacklistOut,
    responses={401: ERRORS, 422: ERRORS},
    summary="Blacklist changes since a version",
)
def get_blacklist(
    device: DeviceDep,
    center: CenterDep,
    since: Annotated[int, Query(ge=0, le=2**63 - 1, description="the version the counter has")] = 0,
) -> BlacklistOut:
    """Cards added and removed after ``since`` (everything when 0), and the version now."""
    with center.sessions.begin() as session:
        return deltas(session, since)


@router.get(
    "/v1/parameters",
    response_model=ParametersOut,
    responses={401: ERRORS},
    summary="The counter parameters in force",
)
def get_parameters(device: DeviceDep, center: CenterDep) -> ParametersOut:
    """Card types and top-up limits, balance ceiling, fees, offline brakes, waiting period."""
    with center.sessions.begin() as session:
        return current(session)
