"""Unauthenticated basics: the center's clock."""

from __future__ import annotations

from fastapi import APIRouter

from clearing.schemas import TimeOut
from clearing.security import CenterDep
from clearing.timeutil import iso

router = APIRouter(tags=["system"])


@router.get("/v1/time", response_model=TimeOut, summary="The center's clock")
def get_time(center: CenterDep) -> TimeOut:
    """Server time; counters set their clock from it before signing requests."""
    now = center.now_us()
    return TimeOut(now=iso(now), now_us=now)
