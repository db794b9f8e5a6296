"""Checking signed requests (see :mod:`app.crypto.request_signing`) and refusing replays.

The FastAPI dependency reads the raw body and headers, then, in a worker thread: the timestamp
must be within the window of the center's clock, the device known, the SM2 signature good, and
the nonce new (it is stored with the request's timestamp; the device's nonces older than the
window are purged, since their requests would be refused for their timestamp anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from app.crypto.request_signing import (
    HEADER_DEVICE,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    signature_ok,
)
from clearing.center import Center
from clearing.devices import ACTIVE, STATUS_HEADER, SUSPENDED, outlet_of
from clearing.models import AuthNonceRow, DeviceRow

_NONCE = re.compile(r"[0-9a-f]{32}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
CHALLENGE = {"WWW-Authenticate": "Citycard-SM2"}


@dataclass(frozen=True)
class AuthenticatedDevice:
    """The device a request was signed by."""

    device_id: str
    terminal_id: str
    public_key: bytes
    outlet: str = ""
    status: str = ACTIVE
    status_reason: str | None = None


def refuse(reason: str) -> HTTPException:
    """A 401 with the reason and the scheme to use."""
    return HTTPException(status.HTTP_401_UNAUTHORIZED, reason, headers=CHALLENGE)


def get_center(request: Request) -> Center:
    """The center the application was built with."""
    center = request.app.state.center
    assert isinstance(center, Center)
    return center


CenterDep = Annotated[Center, Depends(get_center)]


def request_target(request: Request) -> str:
    """The path and query exactly as sent (what the signature covers)."""
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    target = bytes(path).decode("latin-1")
    return f"{target}?{bytes(query).decode('latin-1')}" if query else target


def authenticate(
    center: Center,
    headers: dict[str, str],
    method: str,
    target: str,
    body: bytes,
) -> AuthenticatedDevice:
    """Check one signed request; raise a 401 :class:`HTTPException` naming what is wrong."""
    missing = [
        h
        for h in (HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)
        if h.lower() not in headers
    ]
    if missing:
        raise refuse(f"the request is not signed: missing {', '.join(missing)}")
    device_id = headers[HEADER_DEVICE.lower()]
    stamp = headers[HEADER_TIMESTAMP.lower()]
    nonce = headers[HEADER_NONCE.lower()]
    if not _TIMESTAMP.fullmatch(stamp):
        raise refuse(f"{HEADER_TIMESTAMP} must be Unix seconds in decimal")
    if not _NONCE.fullmatch(nonce):
        raise refuse(f"{HEADER_NONCE} must be 32 lower-case hex digits")
    timestamp = int(stamp)
    now_us = center.now_us()
    window_us = int(center.settings.auth_window.total_seconds() * 1_000_000)
    if abs(timestamp * 1_000_000 - now_us) > window_us:
        raise refuse(
            f"the request's timestamp {timestamp} is more than "
            f"{int(center.settings.auth_window.total_seconds())} s from the center's clock "
            f"({now_us // 1_000_000}); set the counter's clock from GET /v1/time"
        )
    with center.sessions.begin() as session:
        device = session.get(DeviceRow, device_id)
        if device is None:
            raise refuse(f"unknown device {device_id!r}: enrol it first")
        if device.retired_at_us is not None:
            raise refuse(f"device {device_id!r} was retired (replaced by another counter)")
        signature = headers[HEADER_SIGNATURE.lower()]
        if not signature_ok(device.public_key, method, target, body, timestamp, nonce, signature):
            raise refuse("the request's signature does not verify with the device's key")
        # this device's expired nonces only: a purge across every device on every request
        # would make all workers contend on the same rows
        session.execute(
            delete(AuthNonceRow).where(
                AuthNonceRow.device_id == device_id,
                AuthNonceRow.timestamp_us < now_us - window_us,
            )
        )
        session.add(
            AuthNonceRow(device_id=device_id, nonce=nonce, timestamp_us=timestamp * 1_000_000)
        )
        try:
            session.flush()
        except IntegrityError:
            raise refuse("the request's nonce was already used: a replay") from None
        return AuthenticatedDevice(
            device.device_id,
            device.terminal_id,
            device.public_key,
            outlet_of(device),
            device.status,
            device.status_reason,
        )


def refuse_status(device: AuthenticatedDevice) -> HTTPException:
    """The 403 a suspended or revoked device gets: its status and the issuer's reason."""
    reason = device.status_reason or "no reason recorded"
    return HTTPException(
        status.HTTP_403_FORBIDDEN,
        f"device {device.device_id} is {device.status} by the issuer: {reason}",
        headers={STATUS_HEADER: device.status},
    )


async def signed_device(request: Request, center: CenterDep) -> AuthenticatedDevice:
    """The device that signed this request (401 otherwise), whatever its status."""
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    return await run_in_threadpool(
        authenticate, center, headers, request.method, request_target(request), body
    )


SignedDep = Annotated[AuthenticatedDevice, Depends(signed_device)]


async def authenticated_device(device: SignedDep) -> AuthenticatedDevice:
    """FastAPI dependency: an active device that signed this request (401, 403 otherwise)."""
    if device.status != ACTIVE:
        raise refuse_status(device)
    return device


async def reporting_device(device: SignedDep) -> AuthenticatedDevice:
    """An active or suspended device: it may still upload what it recorded (403 if revoked)."""
    if device.status not in (ACTIVE, SUSPENDED):
        raise refuse_status(device)
    return device


DeviceDep = Annotated[AuthenticatedDevice, Depends(authenticated_device)]
ReportingDeviceDep = Annotated[AuthenticatedDevice, Depends(reporting_device)]
