"""The console's devices page: suspend, revoke, reactivate — administrators only, CSRF, audited.

Attacks: a viewer or an analyst posting the form, a post without the session's CSRF token, a
suspension without a reason, reactivating a revoked device, an unknown status — each leaves the
device as it was, and each attempt is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clearing.app import create_app
from clearing.center import Center
from clearing.console.models import AuditEventRow
from clearing.models import DeviceRow
from clearing.settings import Settings
from tests.clearing.console_support import CHEAP, add_staff, form_value, sign_in
from tests.clearing.support import Device, ManualClock, enrol

STATUS = "/console/devices/DEV-1/status"


@pytest.fixture
def console(db_url: str, clock: ManualClock) -> Iterator[TestClient]:
    settings = Settings(db_url=db_url, clock=clock, console_password_params=CHEAP)
    with TestClient(create_app(settings)) as client:
        center: Center = client.app.state.center  # type: ignore[attr-defined]
        add_staff(center, "ana", "analyst")
        add_staff(center, "vic", "viewer")
        add_staff(center, "adm", "administrator")
        yield client


@pytest.fixture
def device(console: TestClient, clock: ManualClock) -> Device:
    return enrol(console, _center(console), clock)


def _center(client: TestClient) -> Center:
    return client.app.state.center  # type: ignore[attr-defined,no-any-return]


def _status(client: TestClient) -> tuple[str, str | None]:
    with _center(client).sessions.begin() as session:
        row = session.get(DeviceRow, "DEV-1")
        assert row is not None
        return row.status, row.status_reason


def _audit(client: TestClient) -> list[tuple[str | None, str, str | None, str | None]]:
    with _center(client).sessions.begin() as session:
        rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id))
        return [(r.username, r.action, r.target, r.detail) for r in rows]


def _post(client: TestClient, **data: str) -> str:
    csrf = form_value(client.get("/console/devices").text, "csrf")
    answer = client.post(STATUS, data={"csrf": csrf, **data})
    assert answer.status_code == 200
    return str(answer.url)


def test_an_administrator_suspends_then_reactivates_a_device(
    console: TestClient, device: Device
) -> None:
    sign_in(console, "adm")
    page = console.get("/console/devices").text
    assert 'class="suspend"' in page and "正常" in page
    assert "message=status_changed" in _post(console, status="suspended", reason="现金稽核")
    assert _status(console) == ("suspended", "现金稽核")
    page = console.get("/console/devices").text
    assert 'data-status="suspended"' in page and "已暂停" in page and "现金稽核" in page
    answer = device.request("GET", "/v1/parameters")
    assert answer.status_code == 403 and "现金稽核" in answer.json()["detail"]
    _post(console, status="active")
    assert _status(console) == ("active", None)
    assert device.request("GET", "/v1/parameters").status_code == 200
    assert ("adm", "device_suspended", "device:DEV-1", "现金稽核") in _audit(console)
    assert ("adm", "device_active", "device:DEV-1", None) in _audit(console)


@pytest.mark.parametrize("who", ["vic", "ana"])
def test_only_an_administrator_changes_a_status(
    console: TestClient, device: Device, who: str
) -> None:
    sign_in(console, who)
    page = console.get("/console/devices").text
    assert 'class="suspend"' not in page and "/status" not in page  # no form
    assert "message=not_allowed" in _post(console, status="revoked", reason="I say so")
    assert _status(console) == ("active", None)
    assert (who, "device_status_refused", "device:DEV-1", f"role {_role(who)}") in _audit(console)


def _role(who: str) -> str:
    return {"vic": "viewer", "ana": "analyst"}[who]


def test_without_the_sessions_csrf_token_nothing_changes(
    console: TestClient, device: Device
) -> None:
    sign_in(console, "adm")
    answer = console.post(STATUS, data={"csrf": "x" * 43, "status": "revoked", "reason": "x"})
    assert "message=bad_form" in str(answer.url)
    answer = console.post(STATUS, data={"status": "revoked", "reason": "x"})
    assert "message=bad_form" in str(answer.url)
    assert _status(console) == ("active", None)


def test_a_reason_is_required_and_revocation_is_final(console: TestClient, device: Device) -> None:
    sign_in(console, "adm")
    assert "message=reason_required" in _post(console, status="suspended", reason="   ")
    assert "请填写原因" in console.get("/console/devices?message=reason_required").text
    assert "message=step_refused" in _post(console, status="destroyed", reason="x")
    assert _status(console) == ("active", None)
    _post(console, status="revoked", reason="密钥泄露")
    assert _status(console) == ("revoked", "密钥泄露")
    page = console.get("/console/devices").text
    assert "已吊销" in page and 'class="reactivate"' not in page  # nothing more to do
    assert "message=step_refused" in _post(console, status="active")
    assert _status(console) == ("revoked", "密钥泄露")
    refused = [a for a in _audit(console) if a[1] == "device_status_refused"]
    assert str(refused[-1][3]).startswith("device DEV-1 is revoked")


def test_an_unknown_device_is_refused_and_audited(console: TestClient, device: Device) -> None:
    sign_in(console, "adm")
    csrf = form_value(console.get("/console/devices").text, "csrf")
    answer = console.post(
        "/console/devices/NOPE/status", data={"csrf": csrf, "status": "suspended", "reason": "x"}
    )
    assert "message=step_refused" in str(answer.url)
    assert ("adm", "device_status_refused", "device:NOPE") in [a[:3] for a in _audit(console)]


def test_the_page_is_english_on_request_and_has_no_english_in_chinese(
    console: TestClient, device: Device
) -> None:
    sign_in(console, "adm")
    english = console.get("/console/devices?lang=en").text
    assert "Suspend" in english and "Revoke (final)" in english
    chinese = console.get("/console/devices?lang=zh").text
    for word in ("Suspend", "Revoke", "Reactivate", "Status", "Reason", "active"):
        assert f">{word}" not in chinese
