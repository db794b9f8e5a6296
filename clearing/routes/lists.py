"""What counters download: the blacklist (deltas by version) and the parameters.

Both answers carry the center's SM2 signature (:mod:`app.crypto.answer_signing`) over the
request's target and nonce and the exact body bytes: the counter checks it with the key it
pinned at enrolment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.crypto.answer_signing import HEADER_ANSWER_SIGNATURE, sign_answer
from app.crypto.request_signing import HEADER_NONCE
from clearing.blacklist import deltas
from clearing.center import Center
from clearing.parameters import current
from clearing.routes.common import ERRORS
from clearing.schemas import BlacklistOut, ParametersOut
from clearing.security import CenterDep, DeviceDep, request_target

router = APIRouter(tags=["lists"])
SIGNED: dict[int | str, dict[str, object]] = {
    200: {
        "description": "the answer, signed by the center",
        "headers": {
            HEADER_ANSWER_SIGNATURE: {
                "description": "SM2 signature (hex) of the center over the request's target "
                "and nonce and this body (app/crypto/answer_signing.py)",
                "schema": {"type": "string"},
            }
        },
    },
    401: ERRORS,
    422: ERRORS,
}


def signed(center: Center, request: Request, answer: BaseModel) -> JSONResponse:
    """``answer`` as JSON with the center's signature of exactly these bytes."""
    response = JSONResponse(jsonable_encoder(answer))
    nonce = request.headers.get(HEADER_NONCE, "")
    response.headers[HEADER_ANSWER_SIGNATURE] = sign_answer(
        center.identity, request_target(request), nonce, bytes(response.body)
    )
    return response


@router.get(
    "/v1/blacklist",
    response_model=BlacklistOut,
    responses=SIGNED,
    summary="Blacklist changes since a version",
)
def get_blacklist(
    request: Request,
    device: DeviceDep,
    center: CenterDep,
    since: Annotated[int, Query(ge=0, le=2**63 - 1, description="the version the counter has")] = 0,
) -> JSONResponse:
    """Cards added and removed after ``since`` (everything when 0), and the version now."""
    with center.sessions.begin() as session:
        answer = deltas(session, since)
    return signed(center, request, answer)


@router.get(
    "/v1/parameters",
    response_model=ParametersOut,
    responses={k: v for k, v in SIGNED.items() if k != 422},
    summary="The counter parameters in force",
)
def get_parameters(request: Request, device: DeviceDep, center: CenterDep) -> JSONResponse:
    """Card types and top-up limits, balance ceiling, fees, offline brakes, waiting period."""
    with center.sessions.begin() as session:
        answer = current(session)
    return signed(center, request, answer)
