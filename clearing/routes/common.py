"""Response documentation shared by the routers."""

from __future__ import annotations

from typing import Any

from clearing.schemas import ErrorOut

ERRORS: dict[str, Any] = {"model": ErrorOut}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: ERRORS}
