"""The FastAPI application: ``create_app(settings)`` opens the database and mounts the routes.

:func:`build_api` is the routes alone (no database), which is what ``citycard-center openapi``
publishes; ``clearing/openapi.json`` is that contract, kept in the repository.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearing import __version__
from clearing.center import Center, open_center
from clearing.console.routes import router as console_router
from clearing.limits import BodySizeLimit
from clearing.metrics import CenterMetrics, RequestTimer
from clearing.risk.engine import sweep
from clearing.routes import cards, devices, journal, lists, loads, ops, passes, settlement, system
from clearing.routes.common import http_error, validation_error
from clearing.settings import Settings

TITLE = "City card clearing center"

log = logging.getLogger(__name__)


def build_api(max_body_bytes: int = Settings.max_body_bytes) -> FastAPI:
    """The application's routes and middleware, without a database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        center = getattr(app.state, "center", None)
        sweeper = None
        if center is not None and center.settings.risk_sweep_interval is not None:
            sweeper = asyncio.create_task(_sweep_forever(center))
        yield
        if sweeper is not None:
            sweeper.cancel()
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
    api.add_middleware(RequestTimer)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    for module in (system, devices, journal, cards, passes, lists, settlement, loads):
        api.include_router(module.router)
    api.include_router(ops.router)
    api.include_router(console_router)
    return api


async def _sweep_forever(center: Center) -> None:
    """The periodic risk rules (silent devices), every ``risk_sweep_interval``."""
    interval = center.settings.risk_sweep_interval
    assert interval is not None
    while True:
        await asyncio.sleep(interval.total_seconds())
        try:
            await run_in_threadpool(sweep, center)
        except Exception:
            log.exception("the periodic risk sweep failed; trying again later")


def create_app(settings: Settings, *, migrate_schema: bool = True) -> FastAPI:
    """The center application for ``settings``: database ready on return.

    ``migrate_schema=False``: the schema must be current already (the workers of
    ``citycard-center serve``, see :func:`app_from_environment`).
    """
    api = build_api(settings.max_body_bytes)
    api.state.center = open_center(settings, migrate_schema=migrate_schema)
    api.state.metrics = CenterMetrics()
    api.state.metrics.attach(api.state.center)
    if api.state.center.sam is None:
        log.warning(
            "no issuer keys (--issuer-keystore): no online MAC2, and the TACs of uploaded "
            "loads are not checked"
        )
    return api


ENV_DB = "CITYCARD_CENTER_DB"
ENV_KEYSTORE = "CITYCARD_CENTER_ISSUER_KEYSTORE"
ENV_PASSPHRASE_NAME = "CITYCARD_CENTER_PASSPHRASE_ENV"  # noqa: S105 - the name of a variable
ENV_SECURE_COOKIES = "CITYCARD_CENTER_CONSOLE_SECURE_COOKIES"


def settings_from_environment(environ: Mapping[str, str]) -> Settings:
    """The settings ``citycard-center serve`` hands its workers through the environment.

    The passphrase itself stays in the variable the operator named (never on a command line).
    """
    settings = Settings(
        db_url=environ.get(ENV_DB, Settings.db_url),
        console_secure_cookies=environ.get(ENV_SECURE_COOKIES) == "1",
    )
    keystore = environ.get(ENV_KEYSTORE)
    if keystore:
        name = environ.get(ENV_PASSPHRASE_NAME, "CITYCARD_ISSUER_PASSPHRASE")
        settings = replace(
            settings, issuer_keystore=Path(keystore), issuer_passphrase=environ.get(name)
        )
    return settings


def app_from_environment() -> FastAPI:
    """Application factory of one worker (``uvicorn --factory clearing.app:app_from_environment``).

    A worker never migrates: it checks the schema is current and refuses to start otherwise.
    """
    return create_app(settings_from_environment(os.environ), migrate_schema=False)
