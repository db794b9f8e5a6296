"""The console's pages under ``/console`` (server-rendered Jinja2; no script, no CDN).

Every page needs a live staff session (cookie ``console_session``: HttpOnly, SameSite=Strict,
path ``/console``); every form posts the session's CSRF token; every action — sign-in (good or
bad), sign-out, looking a card up, acknowledging or closing an alarm, suspending, revoking or
reactivating a device (and every refused attempt) — is written to the audit trail. Roles: viewer
(read), analyst (also acknowledge and close alarms), administrator (also the audit trail and the
devices' status). Chinese by default; ``?lang=en`` switches to English (kept in a cookie).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as Path_
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from clearing.center import Center
from clearing.console import views
from clearing.console.accounts import (
    SignInRefusedError,
    StaffSession,
    audit,
    csrf_ok,
    session_of,
    sign_in,
    sign_out,
)
from clearing.console.chart import hourly_svg
from clearing.console.i18n import LANGUAGES, translator
from clearing.console.positions import positions as interop_positions
from clearing.devices import ACTIVE, REVOKED, STATUSES, DeviceStatusError, set_status
from clearing.risk.alarms import AlarmStateError, AlarmStep, acknowledge, close
from clearing.risk.models import ALARM_STATES
from clearing.risk.parameters import RiskParameters
from clearing.security import get_center
from clearing.settlement import SettlementError, settlement

router = APIRouter(prefix="/console", include_in_schema=False)

COOKIE = "console_session"
LANG_COOKIE = "console_lang"
LOGIN_COOKIE = "console_login"  # double-submit token of the sign-in form
SERIAL = re.compile(r"^(?:[0-9A-F]{2}){1,10}$")
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STYLE = (Path(__file__).parent / "static" / "console.css").read_text("utf-8")

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

CenterDep = Annotated[Center, Depends(get_center)]


def _language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return asked if asked in LANGUAGES else "zh"


def _client(request: Request) -> str | None:
    return None if request.client is None else request.client.host


def _page(
    request: Request,
    template: str,
    staff: StaffSession | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    language = _language(request)
    html = _templates.get_template(template).render(
        t=translator(language),
        lang=language,
        other_lang="en" if language == "zh" else "zh",
        staff=staff,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=HEADERS)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, language, path="/console", samesite="strict", max_age=365 * 86400
        )
    return response


def _staff(request: Request, center: Center) -> StaffSession | None:
    with center.sessions.begin() as session:
        return session_of(session, request.cookies.get(COOKIE), center.now_us())


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/console/login?lang={_language(request)}", status_code=303)


@router.get("/static/console.css")
def get_style() -> Response:
    """The console's only style sheet (served here: no CDN)."""
    return Response(STYLE, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/login", response_class=HTMLResponse)
def get_login(request: Request) -> HTMLResponse:
    """The sign-in form (with a fresh double-submit token)."""
    token = secrets.token_urlsafe(24)
    response = _page(request, "login.html", None, login_token=token, error=None)
    response.set_cookie(LOGIN_COOKIE, token, path="/console", httponly=True, samesite="strict")
    return response


@router.post("/login", response_model=None)
def post_login(
    request: Request,
    center: CenterDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    login_token: Annotated[str, Form(max_length=64)],
) -> Response:
    """Check the password; a session cookie and the alarms page, or the form with the reason."""
    cookie = request.cookies.get(LOGIN_COOKIE) or ""
    if not cookie or not secrets.compare_digest(cookie.encode(), login_token.encode()):
        return _page(request, "login.html", None, 400, login_token=cookie, error="bad_form")
    now = center.now_us()
    error = None
    with center.sessions.begin() as session:  # a refusal commits too: the failed count, the audit
        try:
            token, staff = sign_in(
                session, username, password, now, center.settings.console_password_params
            )
        except SignInRefusedError as exc:
            error = "locked" if "locked" in str(exc) else "bad_sign_in"
            audit(session, now, username, "sign_in_refused", None, str(exc), _client(request))
        else:
            audit(session, now, staff.username, "sign_in", client=_client(request))
    if error is not None:
        return _page(request, "login.html", None, 401, login_token=cookie, error=error)
    response = RedirectResponse("/console/alarms", status_code=303, headers=HEADERS)
    response.set_cookie(
        COOKIE,
        token,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=center.settings.console_secure_cookies,
        max_age=8 * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout", response_model=None)
def post_logout(
    request: Request, center: CenterDep, csrf: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """End the session (CSRF-checked: a foreign page cannot sign staff out)."""
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    if not csrf_ok(staff, csrf):
        return _page(request, "message.html", staff, 403, message="bad_form")
    now = center.now_us()
    with center.sessions.begin() as session:
        sign_out(session, request.cookies.get(COOKIE, ""), now)
        audit(session, now, staff.username, "sign_out", client=_client(request))
    response = _to_login(request)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("", response_model=None)
@router.get("/", response_model=None)
def get_home(request: Request) -> Response:
    """The alarms are the console's home."""
    return RedirectResponse("/console/alarms", status_code=303)


@router.get("/alarms", response_model=None)
def get_alarms(
    request: Request,
    center: CenterDep,
    state: Annotated[str, Query(max_length=16)] = "",
    rule: Annotated[str, Query(max_length=32)] = "",
    severity: Annotated[str, Query(max_length=16)] = "",
    message: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """Alarms, newest first, filtered by state, rule and severity."""
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    wanted = views.AlarmFilter(state, rule, severity)
    with center.sessions.begin() as session:
        rows = views.alarms(session, wanted)
    return _page(
        request,
        "alarms.html",
        staff,
        alarms=rows,
        wanted=wanted,
        states=ALARM_STATES,
        rules=list(RiskParameters.model_fields),
        severities=("critical", "high", "medium", "low"),
        evidence_of=views.evidence_of,
        when=lambda us: views.local_time(center, us),
        message=message if message in {"bad_form", "not_allowed", "step_refused"} else "",
    )


def _alarm_step(
    request: Request, center: Center, alarm_id: int, csrf: str, note: str, closing: bool
) -> Response:
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    if not csrf_ok(staff, csrf):
        return RedirectResponse("/console/alarms?message=bad_form", status_code=303)
    action = "alarm_close" if closing else "alarm_acknowledge"
    now = center.now_us()
    if not staff.may("analyst"):
        with center.sessions.begin() as session:
            audit(
                session,
                now,
                staff.username,
                f"{action}_refused",
                f"alarm:{alarm_id}",
                "role " + staff.role,
                _client(request),
            )
        return RedirectResponse("/console/alarms?message=not_allowed", status_code=303)
    step = AlarmStep(staff.username, note)
    try:
        with center.sessions.begin() as session:
            (close if closing else acknowledge)(session, alarm_id, step, now)
            audit(
                session,
                now,
                staff.username,
                action,
                f"alarm:{alarm_id}",
                note or None,
                _client(request),
            )
    except AlarmStateError as exc:
        with center.sessions.begin() as session:
            audit(
                session,
                now,
                staff.username,
                f"{action}_refused",
                f"alarm:{alarm_id}",
                str(exc),
                _client(request),
            )
        return RedirectResponse("/console/alarms?message=step_refused", status_code=303)
    return RedirectResponse("/console/alarms", status_code=303)


@router.post("/alarms/{alarm_id}/acknowledge", response_model=None)
def post_acknowledge(
    request: Request,
    center: CenterDep,
    alarm_id: int,
    csrf: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Open → acknowledged (analyst or administrator)."""
    return _alarm_step(request, center, alarm_id, csrf, "", closing=False)


@router.post("/alarms/{alarm_id}/close", response_model=None)
def post_close(
    request: Request,
    center: CenterDep,
    alarm_id: int,
    csrf: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """→ closed with a note (analyst or administrator)."""
    return _alarm_step(request, center, alarm_id, csrf, note, closing=True)


@router.get("/cards", response_model=None)
def get_card(
    request: Request, center: CenterDep, serial: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    """A card: ledger, records by time with device and terminal, passes, blacklist history."""
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    serial = serial.strip().upper()
    if not serial:
        return _page(request, "card.html", staff, serial="", found=None, error=None)
    if not SERIAL.match(serial):
        return _page(
            request, "card.html", staff, 422, serial=serial, found=None, error="bad_serial"
        )
    now = center.now_us()
    with center.sessions.begin() as session:
        found = views.card(session, serial)
        audit(
            session, now, staff.username, "card_lookup", f"card:{serial}", client=_client(request)
        )
    empty = not (found["ledger"] or found["records"] or found["blacklist"] or found["passes"])
    return _page(
        request,
        "card.html",
        staff,
        serial=serial,
        found=found,
        error="unknown_card" if empty else None,
        when=lambda us: views.local_time(center, us),
        yuan=_yuan,
    )


DEVICE_MESSAGES = {"bad_form", "not_allowed", "step_refused", "reason_required", "status_changed"}


@router.get("/devices", response_model=None)
def get_devices(
    request: Request, center: CenterDep, message: Annotated[str, Query(max_length=32)] = ""
) -> Response:
    """Every device with its status, head, newest record, lag and open alarms.

    Administrators also get the forms that suspend, revoke or reactivate a device.
    """
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    now = center.now_us()
    t = translator(_language(request))
    with center.sessions.begin() as session:
        rows, open_alarms = views.devices(session)
    return _page(
        request,
        "devices.html",
        staff,
        devices=rows,
        open_alarms=open_alarms,
        when=lambda us: views.local_time(center, us),
        lag=lambda us: _duration(now - us, t),
        active=ACTIVE,
        revoked=REVOKED,
        message=message if message in DEVICE_MESSAGES else "",
    )


def _devices_with(message: str) -> RedirectResponse:
    return RedirectResponse(f"/console/devices?message={message}", status_code=303)


@router.post("/devices/{device_id}/status", response_model=None)
def post_device_status(
    request: Request,
    center: CenterDep,
    device_id: Annotated[str, Path_(max_length=32)],
    csrf: Annotated[str, Form(max_length=64)] = "",
    status: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Suspend, revoke or reactivate a device (administrators; a reason for suspend and revoke).

    The counter shows the reason to its clerk with its next refused request; revocation is
    final. Every change and every refused attempt is audited.
    """
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    if not csrf_ok(staff, csrf):
        return _devices_with("bad_form")
    now = center.now_us()
    target = f"device:{device_id}"
    refused = None
    if not staff.may("administrator"):
        refused, detail = "not_allowed", "role " + staff.role
    elif status not in STATUSES:
        refused, detail = "step_refused", f"unknown status {status!r}"
    elif status != ACTIVE and not reason.strip():
        refused, detail = "reason_required", f"{status} without a reason"
    else:
        try:
            with center.sessions.begin() as session:
                set_status(session, device_id, status, reason, now)
                audit(
                    session,
                    now,
                    staff.username,
                    f"device_{status}",
                    target,
                    reason.strip() or None,
                    _client(request),
                )
        except DeviceStatusError as exc:
            refused, detail = "step_refused", str(exc)
    if refused is not None:
        with center.sessions.begin() as session:
            audit(
                session,
                now,
                staff.username,
                "device_status_refused",
                target,
                detail,
                _client(request),
            )
        return _devices_with(refused)
    return _devices_with("status_changed")


@router.get("/settlement", response_model=None)
def get_settlement(
    request: Request, center: CenterDep, day: Annotated[str, Query(max_length=10)] = ""
) -> Response:
    """A business day: totals per outlet, grey records, and the chart of takings by hour."""
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    if not day:
        zone = center.settings.business_timezone
        day = center.settings.clock().astimezone(zone).date().isoformat()
    try:
        parsed = date.fromisoformat(day)
        result = settlement(center, day, None)
    except (ValueError, SettlementError):
        return _page(
            request,
            "settlement.html",
            staff,
            422,
            day=day,
            result=None,
            chart=None,
            error="bad_date",
        )
    t = translator(_language(request))
    with center.sessions.begin() as session:
        takings = views.hourly_takings(center, session, parsed)
    return _page(
        request,
        "settlement.html",
        staff,
        day=day,
        result=result,
        chart=hourly_svg(takings, t("takings_by_hour")),
        error=None,
        yuan=_yuan,
        previous=(parsed - timedelta(days=1)).isoformat(),
        following=(parsed + timedelta(days=1)).isoformat(),
    )


@router.get("/positions", response_model=None)
def get_positions(
    request: Request, center: CenterDep, day: Annotated[str, Query(max_length=10)] = ""
) -> Response:
    """Interop positions of a business day (read-only; see :mod:`clearing.console.positions`)."""
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    zone = center.settings.business_timezone
    if not day:
        day = center.settings.clock().astimezone(zone).date().isoformat()
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return _page(request, "positions.html", staff, 422, day=day, found=None, error="bad_date")
    with center.sessions.begin() as session:
        found = interop_positions(session, parsed, zone)
    return _page(request, "positions.html", staff, day=day, found=found, error=None, yuan=_yuan)


@router.get("/audit", response_model=None)
def get_audit(request: Request, center: CenterDep) -> Response:
    """The audit trail (administrators)."""
    staff = _staff(request, center)
    if staff is None:
        return _to_login(request)
    if not staff.may("administrator"):
        return _page(request, "message.html", staff, 403, message="not_allowed")
    with center.sessions.begin() as session:
        events = views.audit_events(session)
    return _page(
        request, "audit.html", staff, events=events, when=lambda us: views.local_time(center, us)
    )


def _yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def _duration(micros: int, t: Callable[[str], str]) -> str:
    seconds = max(micros, 0) // 1_000_000
    if seconds < 3600:
        return f"{seconds // 60} {t('minutes')}"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} {t('hours')}"
    return f"{seconds / 86400:.1f} {t('days')}"
