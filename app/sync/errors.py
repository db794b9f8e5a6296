"""What can go wrong talking to the clearing center, as types the caller can act on.

``str(exc)`` says what happened in words a clerk can read; ``advice`` says what to do next.

- :class:`OfflineError` — the center could not be reached or did not answer in time (work goes
  on offline; the journal keeps everything). :class:`TlsError` is the special case of a
  certificate that is not trusted.
- :class:`AuthError` — the center refused who we are (401: unknown device, bad signature, clock
  too far off; 403 on enrolment: a bad code).
  :class:`DeviceSuspendedError` is the special case of a device the issuer suspended or revoked
  (403 with ``X-Citycard-Device-Status``): no top-up at all, online or offline.
- :class:`ConflictError` — HTTP 409 on a journal upload: the center holds a record with the same
  seq and another MAC. A tamper alarm was raised at the center; nothing of the batch was stored.
- :class:`RefusedError` — any other 4xx: the request was understood and refused (a blacklisted
  card, a limit, a waiting period that still runs…).
- :class:`ServerError` — 5xx after the retries the call allows.
- :class:`BadResponseError` — an answer that is not what the contract says (not JSON, a missing
  field, a wrong type, an unexpected status, a body too large).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.texts import ClerkFacingError


class SyncError(ClerkFacingError):
    """Base of the sync client's errors; ``advice`` is what to do next (see app.domain.texts)."""


class OfflineError(SyncError):
    """The center cannot be reached, or did not answer in time."""

    advice = (
        "Carry on offline within the offline limits: every record stays in the journal and is "
        "sent when the center answers again. If this lasts, check the network and call IT."
    )


class TlsError(OfflineError):
    """The center's TLS certificate is not trusted (or the TLS handshake failed)."""

    advice = (
        "The connection was refused for safety. Check the center's address and the CA file in "
        "the counter's settings; call IT. Work continues offline meanwhile."
    )


class AuthError(SyncError):
    """The center refused this device's credentials (HTTP 401, or 403 on enrolment)."""

    advice = (
        "Check the counter's clock and that this device is enrolled; if it persists, the "
        "device must be enrolled again by the administrator."
    )

    def __init__(
        self, message: str, status: int, advice: str | None = None, **params: object
    ) -> None:
        super().__init__(message, advice, **params)
        self.status = status


class DeviceSuspendedError(AuthError):
    """HTTP 403 naming this device's status: the issuer suspended or revoked the counter."""

    advice = (
        "Do not top up cards at this counter, online or offline. Call the issuer's back office "
        "with the counter's device id."
    )


@dataclass(frozen=True)
class Conflict:
    """One seq the center already holds with another MAC."""

    seq: int
    stored_mac: bytes
    offered_mac: bytes


class ConflictError(SyncError):
    """HTTP 409 on upload: the journal contradicts what the center holds (tamper alarm)."""

    advice = (
        "Stop and call the supervisor: the center holds different records for the same "
        "numbers. Do not delete or replace the journal file."
    )

    def __init__(self, message: str, conflicts: tuple[Conflict, ...], **params: object) -> None:
        super().__init__(message, None, **params)
        self.conflicts = conflicts


class RefusedError(SyncError):
    """The center understood the request and refused it (4xx other than 401 and upload 409)."""

    def __init__(
        self, message: str, status: int, advice: str | None = None, **params: object
    ) -> None:
        super().__init__(message, advice, **params)
        self.status = status


class ServerError(SyncError):
    """The center (or a proxy in front of it) failed: 5xx after the allowed retries."""

    advice = "Try again in a few minutes; work continues offline meanwhile."

    def __init__(self, message: str, status: int, **params: object) -> None:
        super().__init__(message, None, **params)
        self.status = status


class BadResponseError(SyncError):
    """The answer does not follow the contract (clearing/openapi.json)."""

    advice = (
        "The counter and the center do not agree on the protocol (versions?). Nothing was "
        "changed locally; call IT with the time of this message."
    )


class JournalMismatchError(SyncError):
    """The center holds more of this device's journal than the journal file has.

    The journal was replaced by an older copy (or another device's file): uploading stops.
    """

    advice = (
        "Stop and call the supervisor: this journal file is older than what the center "
        "received. Do not delete anything; the journal must be restored from the newest copy."
    )
