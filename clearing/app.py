"""The FastAPI application: ``create_app(settings)`` opens the database and mounts the routes.

:func:`build_api` is the routes alone (no database), which is what ``citycard-center openapi``
publishes; ``clearing/openapi.json`` is that contract, kept in the repository.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from clearing.grants import reconcile_now
from clearing.limits import BodySizeLimit
from clearing.metrics import CenterMetrics, RequestTimer
from clearing.risk.engine import sweep
from clearing.routes import (
    cards,
    devices,
    journal,
    lists,
    loads,
    ops,
    passes,
    settlement,
    succession,
    system,
)
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
        tasks = []
        if center is not None and center.settings.risk_sweep_interval is not None:
            tasks.append(asyncio.create_task(_sweep_forever(center)))
        if center is not None and center.settings.grant_check_interval is not None:
            tasks.append(asyncio.create_task(_check_grants(center)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
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
    api.add_middleware(RequestTimer)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.include_router(system.router)
    for module in (devices, journal, succession, cards, passes, lists, settlement, loads):
        # every signed route: 403 for a suspended or revoked device
        api.include_router(module.router, responses={403: ERRORS})
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


def create_app(settings: Settings, *, migrate_schema: bool = True) -> FastAPI:
    """The center application for ``settings``: database ready on return.

    ``migrate_schema=False``: the schema must be current already (the workers of
    ``citycard-center serve``, see :func:`app_from_environment`).
    """
    api = build_api(settings.max_body_bytes, settings.public_docs)
    api.state.center = open_center(settings, migrate_schema=migrate_schema)
    api.state.metrics = CenterMetrics()
    api.state.metrics.attach(api.state.center)
    if api.state.center.sam is None:
        log.warning(
            "no issuer keys (token, key service or keystore): no online MAC2, and the TACs of "
            "uploaded loads are not checked"
        )
    return api


ENV_DB = "CITYCARD_CENTER_DB"
ENV_KEYSTORE = "CITYCARD_CENTER_ISSUER_KEYSTORE"
ENV_PASSPHRASE_FILE = "CITYCARD_CENTER_PASSPHRASE_FILE"  # noqa: S105 - a variable's name
ENV_PKCS11_MODULE = "CITYCARD_CENTER_PKCS11_MODULE"
ENV_TOKEN_LABEL = "CITYCARD_CENTER_TOKEN_LABEL"  # noqa: S105 - a variable's name
ENV_PIN_FILE = "CITYCARD_CENTER_PIN_FILE"
ENV_KEY_SERVICE = "CITYCARD_CENTER_KEY_SERVICE"
ENV_PUBLIC_DOCS = "CITYCARD_CENTER_PUBLIC_DOCS"
ENV_SECURE_COOKIES = "CITYCARD_CENTER_CONSOLE_SECURE_COOKIES"


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name)
    return Path(value) if value else None


def settings_from_environment(environ: Mapping[str, str]) -> Settings:
    """The settings ``citycard-center serve`` hands its workers through the environment.

    Only paths travel this way: PINs and passphrases stay in their private files, read by each
    worker (never in an environment variable or on a command line).
    """
    from clearing.keys.secrets_file import read_secret_file  # noqa: PLC0415

    settings = Settings(
        db_url=environ.get(ENV_DB, Settings.db_url),
        console_secure_cookies=environ.get(ENV_SECURE_COOKIES) == "1",
        public_docs=environ.get(ENV_PUBLIC_DOCS, "1") == "1",
        pkcs11_module=_path(environ, ENV_PKCS11_MODULE),
        token_label=environ.get(ENV_TOKEN_LABEL) or None,
        pin_file=_path(environ, ENV_PIN_FILE),
        key_service_socket=_path(environ, ENV_KEY_SERVICE),
    )
    keystore = _path(environ, ENV_KEYSTORE)
    passphrase_file = _path(environ, ENV_PASSPHRASE_FILE)
    if keystore is not None:
        passphrase = None if passphrase_file is None else read_secret_file(passphrase_file)
        settings = replace(settings, issuer_keystore=keystore, issuer_passphrase=passphrase)
    return settings


def app_from_environment() -> FastAPI:
    """Application factory of one worker (``uvicorn --factory clearing.app:app_from_environment``).

    A worker never migrates: it checks the schema is current and refuses to start otherwise.
    """
    return create_app(settings_from_environment(os.environ), migrate_schema=False)
