"""The national platform's HTTP API (FastAPI): the same code base as a center, its other role.

Every call but ``/v1/time`` is signed by a member center with its SM2 identity key, exactly as
devices sign their requests to a center (:mod:`app.crypto.request_signing`), the member's
city key in ``X-Citycard-Device``; timestamps outside the window, unknown cities, bad
signatures and replayed nonces are 401.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.crypto.request_signing import (
    HEADER_DEVICE,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    signature_ok,
)
from clearing import __version__
from clearing.center import Center, open_center
from clearing.interchange import platform
from clearing.interchange.models import PlatformNonceRow
from clearing.interchange.schemas import (
    MAX_RECORDS,
    BlacklistChangesIn,
    BlacklistPushOut,
    CitySettlementOut,
    ConflictOut,
    InboundOut,
    NationalBlacklistOut,
    RecordsIn,
    RecordsOut,
)
from clearing.limits import BodySizeLimit
from clearing.routes.common import ERRORS, http_error, validation_error
from clearing.schemas import TimeOut
from clearing.security import refuse, request_target
from clearing.settings import Settings
from clearing.timeutil import iso

TITLE = "City card national interchange platform"
_NONCE = re.compile(r"[0-9a-f]{32}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
AUTH: dict[int | str, dict[str, Any]] = {401: ERRORS}

log = logging.getLogger(__name__)


def get_platform(request: Request) -> Center:
    """The platform's database and clock (a :class:`Center` opened for this role)."""
    center = request.app.state.platform
    assert isinstance(center, Center)
    return center


PlatformDep = Annotated[Center, Depends(get_platform)]


def authenticate_member(
    center: Center, headers: dict[str, str], method: str, target: str, body: bytes
) -> platform.Member:
    """Check one signed request of a member center; a 401 naming what is wrong otherwise."""
    missing = [
        h
        for h in (HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)
        if h.lower() not in headers
    ]
    if missing:
        raise refuse(f"the request is not signed: missing {', '.join(missing)}")
    city = headers[HEADER_DEVICE.lower()]
    stamp, nonce = headers[HEADER_TIMESTAMP.lower()], headers[HEADER_NONCE.lower()]
    if not _TIMESTAMP.fullmatch(stamp) or not _NONCE.fullmatch(nonce):
        raise refuse("the timestamp must be Unix seconds and the nonce 32 lower-case hex digits")
    timestamp = int(stamp)
    now_us = center.now_us()
    window_us = int(center.settings.auth_window.total_seconds() * 1_000_000)
    if abs(timestamp * 1_000_000 - now_us) > window_us:
        raise refuse(f"the request's timestamp {timestamp} is outside the platform's window")
    with center.sessions.begin() as session:
        found = platform.member(session, city)
        if found is None:
            raise refuse(f"{city!r} is not a member of the platform")
        if not signature_ok(
            found.public_key,
            method,
            target,
            body,
            timestamp,
            nonce,
            headers[HEADER_SIGNATURE.lower()],
        ):
            raise refuse("the request's signature does not verify with the member's key")
        session.execute(
            delete(PlatformNonceRow).where(PlatformNonceRow.timestamp_us < now_us - window_us)
        )
        session.add(PlatformNonceRow(city=city, nonce=nonce, timestamp_us=timestamp * 1_000_000))
        try:
            session.flush()
        except IntegrityError:
            raise refuse("the request's nonce was already used: a replay") from None
        return found


async def authenticated_member(request: Request, center: PlatformDep) -> platform.Member:
    """FastAPI dependency: the member center that signed this request."""
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    return await run_in_threadpool(
        authenticate_member, center, headers, request.method, request_target(request), body
    )


MemberDep = Annotated[platform.Member, Depends(authenticated_member)]
router = APIRouter(tags=["interchange"])


@router.get("/v1/time", response_model=TimeOut, summary="The platform's clock")
def get_time(center: PlatformDep) -> TimeOut:
    """Server time; members set their signing clock from it."""
    now = center.now_us()
    return TimeOut(now=iso(now), now_us=now)


@router.post(
    "/v1/interchange/records",
    response_model=RecordsOut,
    responses={**AUTH, 409: {"model": ConflictOut}, 422: ERRORS},
    summary="Forward records of other cities' cards",
)
def post_records(body: RecordsIn, sender: MemberDep, center: PlatformDep) -> Any:
    """Store each record once under (this city, device, seq): all of the batch, or nothing."""
    tz = center.settings.business_timezone
    for attempt in range(2):  # a concurrent batch may have stored the same new record first
        try:
            with center.sessions.begin() as session:
                accepted, duplicates = platform.accept_records(
                    session, sender, body.records, center.now_us(), tz
                )
            return RecordsOut(accepted=accepted, duplicates=duplicates)
        except platform.PlatformRefusalError as exc:
            raise HTTPException(422, str(exc)) from None
        except platform.PlatformConflictError as exc:
            with center.sessions.begin() as session:
                platform.raise_alarm(
                    session,
                    sender.city,
                    f"records offered again with other content: {exc.conflicts}",
                    body.model_dump_json(),
                    center.now_us(),
                )
            log.error("interchange: %s offered conflicting records %s", sender.city, exc.conflicts)
            return JSONResponse(
                {"detail": str(exc), "conflicts": exc.conflicts},
                status_code=status.HTTP_409_CONFLICT,
            )
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@router.get(
    "/v1/interchange/inbound",
    response_model=InboundOut,
    responses=AUTH,
    summary="Records of the calling city's cards spent elsewhere",
)
def get_inbound(
    member: MemberDep,
    center: PlatformDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_RECORDS)] = MAX_RECORDS,
) -> InboundOut:
    """Records routed to this city after platform number ``after``, oldest first."""
    with center.sessions.begin() as session:
        records, more = platform.inbound(session, member.city, after, limit)
    last = records[-1].id if records else after
    return InboundOut(records=records, last_id=last, more=more)


@router.post(
    "/v1/interchange/blacklist",
    response_model=BlacklistPushOut,
    responses={**AUTH, 422: ERRORS},
    summary="Push changes of the member's own blacklist",
)
def post_blacklist(body: BlacklistChangesIn, sender: MemberDep, center: PlatformDep) -> Any:
    """Each change gets the next national version once (keyed by the member's version)."""
    try:
        with center.sessions.begin() as session:
            accepted, duplicates, version = platform.push_blacklist(
                session, sender, body.changes, center.now_us()
            )
    except platform.PlatformRefusalError as exc:
        raise HTTPException(422, str(exc)) from None
    return BlacklistPushOut(accepted=accepted, duplicates=duplicates, version=version)


@router.get(
    "/v1/interchange/blacklist",
    response_model=NationalBlacklistOut,
    responses=AUTH,
    summary="The national blacklist's changes after a version",
)
def get_blacklist(
    _member: MemberDep,
    center: PlatformDep,
    since: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> NationalBlacklistOut:
    """Changes after ``since`` (apply in order; a member skips its own)."""
    with center.sessions.begin() as session:
        return platform.national_blacklist(session, since)


@router.get(
    "/v1/interchange/settlement",
    response_model=CitySettlementOut,
    responses={**AUTH, 422: ERRORS},
    summary="The calling city's settlement of a business day",
)
def get_settlement(
    member: MemberDep,
    center: PlatformDep,
    day: Annotated[date, Query(alias="date")],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Receivable, payable and net against every other city (JSON, or CSV)."""
    with center.sessions.begin() as session:
        settlement = platform.city_settlement(session, member.city, day)
    if format == "csv":
        return PlainTextResponse(platform.settlement_csv(settlement), media_type="text/csv")
    return settlement


def build_platform_api(max_body_bytes: int = Settings.max_body_bytes) -> FastAPI:
    """The platform's routes and middleware, without a database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        center = getattr(app.state, "platform", None)
        if center is not None:
            center.close()

    api = FastAPI(
        title=TITLE,
        version=__version__,
        description="Reference national interchange platform of the city cards "
        "(docs/clearing-center.md, 'The national platform').",
        lifespan=lifespan,
    )
    api.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.include_router(router)
    return api


def create_platform_app(settings: Settings) -> FastAPI:
    """The platform application for ``settings``: database migrated and ready on return."""
    api = build_platform_api(settings.max_body_bytes)
    api.state.platform = open_center(settings)
    return api


__all__ = ["build_platform_api", "create_platform_app"]
