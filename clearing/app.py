"""The FastAPI application: ``create_app(settings)`` opens the database and mounts the routes.

:func:`build_api` is the routes alone (no database), which is what ``citycard-center openapi``
publishes; ``clearing/openapi.json`` is that contract, kept in the repository.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearing import __version__
from clearing.center import open_center
from clearing.limits import BodySizeLimit
from clearing.routes import (
    cards,
    devices,
    journal,
    lists,
    loads,
    passes,
    settlement,
    succession,
    system,
)
from clearing.routes.common import http_error, validation_error
from clearing.settings import Settings

TITLE = "City card clearing center"

log = logging.getLogger(__name__)


def build_api(max_body_bytes: int = Settings.max_body_bytes) -> FastAPI:
    """The application's routes and middleware, without a database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        center = getattr(app.state, "center", None)
        if center is not None:
            center.close()

    api = FastAPI(
        title=TITLE,
        version=__version__,
        description="Reference clearing center for city card service counters "
        "(docs/clearing-center.md).",
        lifespan=lifespan,
    )
    api.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    for module in (system, devices, journal, succession, cards, passes, lists, settlement, loads):
        api.include_router(module.router)
    return api


def create_app(settings: Settings) -> FastAPI:
    """The center application for ``settings``: database migrated and ready on return."""
    api = build_api(settings.max_body_bytes)
    api.state.center = open_center(settings)
    if api.state.center.sam is None:
        log.warning(
            "no issuer keys (--issuer-keystore): no online MAC2, and the TACs of uploaded "
            "loads are not checked"
        )
    return api
