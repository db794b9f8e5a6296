"""The FastAPI application: ``create_app(settings)`` opens the database and mounts the routes.

:func:`build_api` is the routes alone (no database), which is what ``citycard-center openapi``
publishes; ``clearing/openapi.json`` is that contract, kept in the repository.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearing import __version__
from clearing.center import Center, open_center
from clearing.grants import reconcile_now
from clearing.limits import BodySizeLimit
from clearing.routes import cards, devices, journal, lists, loads, passes, settlement, system
from clearing.routes.common import ERRORS, http_error, validation_error
from clearing.settings import Settings

TITLE = "City card clearing center"

log = logging.getLogger(__name__)


def build_api(max_body_bytes: int = Settings.max_body_bytes, docs: bool = True) -> FastAPI:
    """The application's routes and middleware, without a database.

    ``docs``: serve /docs, /redoc and /openapi.json (a production center serves none of them).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        center = getattr(app.state, "center", None)
        checker = None
        if center is not None and center.settings.grant_check_interval is not None:
            checker = asyncio.create_task(_check_grants(center))
        yield
        if checker is not None:
            checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checker
        if center is not None:
            center.close()

    api = FastAPI(
        title=TITLE,
        version=__version__,
        description="Reference clearing center for city card service counters "
        "(docs/clearing-center.md).",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    api.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.include_router(system.router)
    for module in (devices, journal, cards, passes, lists, settlement, loads):
        # every signed route: 403 for a suspended or revoked device
        api.include_router(module.router, responses={403: ERRORS})
    return api


async def _check_grants(center: Center) -> None:
    """Match online grants with the uploaded journal every ``grant_check_interval``."""
    interval = center.settings.grant_check_interval
    assert interval is not None
    while True:
        await asyncio.sleep(interval.total_seconds())
        try:
            matched, alarmed = await run_in_threadpool(reconcile_now, center)
        except Exception:  # a failing check must not stop the center; it is logged
            log.exception("online grant check failed")
            continue
        if alarmed:
            log.warning("online grants: %d matched, %d alarm(s) raised", matched, alarmed)


def create_app(settings: Settings) -> FastAPI:
    """The center application for ``settings``: database migrated and ready on return."""
    api = build_api(settings.max_body_bytes, settings.public_docs)
    api.state.center = open_center(settings)
    if api.state.center.sam is None:
        log.warning(
            "no issuer keys (token, key service or keystore): no online MAC2, and the TACs of "
            "uploaded loads are not checked"
        )
    return api
