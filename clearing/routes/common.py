"""Response documentation shared by the routers, and the one shape of every error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearing.schemas import ErrorOut

ERRORS: dict[str, Any] = {"model": ErrorOut}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: ERRORS}
_MAX_SHOWN = 5


def validation_words(errors: Sequence[Any]) -> str:
    """FastAPI's validation errors as one line: ``where: what`` for the first few."""
    parts: list[str] = []
    for error in errors[:_MAX_SHOWN]:
        if not isinstance(error, dict):
            continue
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        what = str(error.get("msg", "invalid"))
        parts.append(f"{where}: {what}" if where else what)
    if len(errors) > _MAX_SHOWN:
        parts.append(f"and {len(errors) - _MAX_SHOWN} more")
    return "; ".join(parts) or "the request is not valid"


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 ``{"detail": "…"}`` like every other error (not FastAPI's list of objects)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse({"detail": validation_words(errors)}, status_code=422)


async def http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 400 for a body it cannot decode becomes a 422 like any other bad body.

    The center itself never answers 400: bodies that are not JSON, not UTF-8 or not the
    documented shape are all 422 ``{"detail": "…"}``. Every other HTTP error is answered as
    FastAPI does (with its headers, e.g. ``WWW-Authenticate`` on 401).
    """
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 400:
        return JSONResponse(
            {"detail": f"the body cannot be read as JSON text in UTF-8 ({exc.detail})"},
            status_code=422,
        )
    assert isinstance(exc, StarletteHTTPException)
    return await http_exception_handler(request, exc)
