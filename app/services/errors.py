"""Errors the services raise.

Three kinds reach the UI differently (Electrum's split):

- :class:`Cancelled` — the clerk cancelled; show nothing.
- :class:`ServiceError` and subclasses — user-facing: ``str(exc)`` says what happened and
  ``advice`` what to do; nothing half-done is left behind.
- anything else — a bug: logged with its traceback, shown as an internal error.
"""

from __future__ import annotations

from app.domain.texts import ClerkFacingError


class Cancelled(Exception):  # noqa: N818 - it is not an error: the clerk changed their mind
    """The operation was cancelled before it changed anything."""


class ServiceError(ClerkFacingError):
    """A user-facing refusal or failure; ``advice`` is what to do next.

    Write the message as a template with named values (``"Top-up of {amount} is above {limit}."``,
    ``amount=…, limit=…``) so the window can translate it (see :mod:`app.domain.texts`).
    """


class PermissionDeniedError(ServiceError):
    """The signed-in operator's role may not do this."""

    advice = "Ask a supervisor to do it, or to approve it."


class RefusedError(ServiceError):
    """A business rule refuses the operation (limits, blacklist, expiry, brakes…)."""


class NoOpenShiftError(ServiceError):
    """Transactions need an open shift."""

    advice = "Open a shift first (with the opening cash float)."
