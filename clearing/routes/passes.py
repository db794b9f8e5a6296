"""Annual passes of the scenic-area ticket offices: a gate asks for the passes of a card."""

from __future__ import annotations

from fastapi import APIRouter

from clearing.passes import passes_of
from clearing.routes.cards import Serial
from clearing.routes.common import ERRORS
from clearing.schemas import PassesOut
from clearing.security import CenterDep, DeviceDep

router = APIRouter(tags=["passes"])


@router.get(
    "/v1/passes/{card_serial}",
    response_model=PassesOut,
    responses={401: ERRORS, 422: ERRORS},
    summary="The annual passes bound to a card",
)
def get_passes(card_serial: Serial, device: DeviceDep, center: CenterDep) -> PassesOut:
    """Passes sold (or carried over) to the card at any ticket office; an empty list if none."""
    with center.sessions.begin() as session:
        return passes_of(session, card_serial)
