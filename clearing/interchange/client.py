"""A city center's client of the national platform: signed requests over the standard library.

Requests are signed with the center's SM2 identity key (the member key the platform holds),
with a fresh nonce per attempt. Every call has a timeout; failures are
:class:`PlatformUnavailableError` (try again later: every call is safe to repeat) or
:class:`PlatformRefusedError` (the platform said no, with its words and status).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from app.crypto.request_signing import sign_request
from app.crypto.sm2 import Sm2PrivateKey


class PlatformError(Exception):
    """A call to the platform did not succeed."""


class PlatformUnavailableError(PlatformError):
    """No answer, or a server-side failure: nothing is lost, the call can be repeated."""


class PlatformRefusedError(PlatformError):
    """The platform refused the call (4xx), with its reason."""

    def __init__(self, status: int, detail: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.body = body or {}


class PlatformClient:
    """Signed JSON calls to the platform at ``base`` as member ``city``."""

    def __init__(self, base: str, city: str, key: Sm2PrivateKey, timeout: float = 10.0) -> None:
        if not base.startswith(("http://", "https://")):
            raise ValueError(f"the platform's address must be http(s)://…, not {base!r}")
        self._base = base.rstrip("/")
        self._city = city
        self._key = key
        self._timeout = timeout

    def call(
        self,
        method: str,
        path: str,
        query: dict[str, object] | None = None,
        body: object | None = None,
    ) -> Any:
        """One signed call; the decoded JSON answer (or text for non-JSON answers)."""
        target = path + (f"?{urlencode(query)}" if query else "")
        data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = sign_request(self._key, self._city, method, target, data)
        headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self._base + target, data=data if body is not None else None, method=method
        )
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:  # noqa: S310
                raw = answer.read()
                kind = answer.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raw = exc.read() if exc.fp is not None else b""
            detail, decoded = _detail(raw)
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PlatformRefusedError(exc.code, detail, decoded) from None
            raise PlatformUnavailableError(f"{exc.code}: {detail}") from None
        except (OSError, ValueError, http.client.HTTPException) as exc:  # reset, cut short…
            raise PlatformUnavailableError(str(exc) or type(exc).__name__) from None
        if "json" not in kind:
            return raw.decode("utf-8", errors="replace")
        try:
            return json.loads(raw)
        except ValueError:
            raise PlatformUnavailableError("the platform's answer was cut short") from None


def _detail(raw: bytes) -> tuple[str, dict[str, Any] | None]:
    try:
        decoded = json.loads(raw)
    except ValueError:
        return raw[:200].decode("utf-8", errors="replace") or "no detail", None
    if isinstance(decoded, dict):
        return str(decoded.get("detail", decoded)), decoded
    return str(decoded), None
