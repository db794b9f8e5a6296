"""The back-office console through HTTP: accounts, lockout, CSRF, roles, audit, pages, languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clearing.app import create_app
from clearing.center import Center
from clearing.cli import main
from clearing.console.accounts import AccountError
from clearing.console.models import AuditEventRow
from clearing.risk.alarms import raise_alarms
from clearing.risk.facts import Finding
from clearing.risk.models import RiskAlarmRow
from clearing.settings import Settings
from tests.clearing.console_support import CHEAP, PASSWORD, add_staff, form_value, sign_in
from tests.clearing.support import batch, enrol, load


@pytest.fixture
def console(db_url, clock) -> Iterator[TestClient]:
    settings = Settings(db_url=db_url, clock=clock, console_password_params=CHEAP)
    with TestClient(create_app(settings)) as client:
        center: Center = client.app.state.center  # type: ignore[attr-defined]
        add_staff(center, "ana", "analyst")
        add_staff(center, "vic", "viewer")
        add_staff(center, "adm", "administrator")
        yield client


def _center(client: TestClient) -> Center:
    return client.app.state.center  # type: ignore[attr-defined,no-any-return]


def _alarm(client: TestClient) -> int:
    center = _center(client)
    finding = Finding("velocity", "velocity:0102:D1:2", "card:0102", "three outlets", (("D1", 2),))
    with center.sessions.begin() as session:
        [row] = raise_alarms(session, [finding], {"velocity": "high"}, center.now_us())
        return row.id


def _audit(client: TestClient) -> list[tuple[str | None, str, str | None]]:
    with _center(client).sessions.begin() as session:
        rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id))
        return [(r.username, r.action, r.target) for r in rows]


def test_pages_need_a_session(console):
    for path in ("/console/alarms", "/console/cards", "/console/devices", "/console/settlement"):
        answer = console.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/console/login")


def test_sign_in_sets_a_strict_http_only_cookie_and_is_audited(console):
    answer = sign_in(console, "ana")
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "console_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    page = console.get("/console/alarms")
    assert page.status_code == 200 and "预警" in page.text  # Chinese by default
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert ("ana", "sign_in", None) in _audit(console)


def test_wrong_passwords_lock_the_account(console):
    for _ in range(5):
        assert sign_in(console, "ana", "wrong password!").status_code == 401
    refused = sign_in(console, "ana")  # the right one, too late
    assert refused.status_code == 401 and "锁定" in refused.text
    assert "console_session" not in refused.headers.get("set-cookie", "")
    assert sign_in(console, "nobody", PASSWORD).status_code == 401
    actions = [a for _u, a, _t in _audit(console)]
    assert actions.count("sign_in_refused") == 7


def test_sign_in_needs_the_form_s_own_token(console):
    answer = console.post(
        "/console/login",
        data={"username": "ana", "password": PASSWORD, "login_token": "forged"},
        follow_redirects=False,
    )
    assert answer.status_code == 400


def test_an_analyst_acknowledges_and_closes_with_a_note(console):
    alarm_id = _alarm(console)
    sign_in(console, "ana")
    csrf = form_value(console.get("/console/alarms").text, "csrf")
    console.post(f"/console/alarms/{alarm_id}/acknowledge", data={"csrf": csrf})
    without_note = console.post(f"/console/alarms/{alarm_id}/close", data={"csrf": csrf})
    assert "message=step_refused" in str(without_note.url)
    console.post(f"/console/alarms/{alarm_id}/close", data={"csrf": csrf, "note": "holder's own"})
    with _center(console).sessions.begin() as session:
        row = session.get(RiskAlarmRow, alarm_id)
        assert (row.state, row.closed_by, row.note) == ("closed", "ana", "holder's own")
    actions = _audit(console)
    assert ("ana", "alarm_acknowledge", f"alarm:{alarm_id}") in actions
    assert ("ana", "alarm_close", f"alarm:{alarm_id}") in actions
    closed = console.get("/console/alarms?state=closed").text
    assert f'id="alarm-{alarm_id}"' in closed and "holder&#39;s own" in closed


def test_a_post_without_the_session_s_csrf_token_does_nothing(console):
    alarm_id = _alarm(console)
    sign_in(console, "ana")
    console.post(f"/console/alarms/{alarm_id}/acknowledge", data={"csrf": "x" * 43})
    console.post(f"/console/alarms/{alarm_id}/close", data={"note": "no token"})
    with _center(console).sessions.begin() as session:
        assert session.get(RiskAlarmRow, alarm_id).state == "open"


def test_a_viewer_may_look_but_not_act(console):
    alarm_id = _alarm(console)
    sign_in(console, "vic")
    page = console.get("/console/alarms").text
    assert "/acknowledge" not in page and "/close" not in page  # no buttons
    csrf = form_value(page, "csrf")
    answer = console.post(f"/console/alarms/{alarm_id}/acknowledge", data={"csrf": csrf})
    assert "message=not_allowed" in str(answer.url)
    with _center(console).sessions.begin() as session:
        assert session.get(RiskAlarmRow, alarm_id).state == "open"
    assert console.get("/console/audit").status_code == 403
    assert ("vic", "alarm_acknowledge_refused", f"alarm:{alarm_id}") in _audit(console)


def test_sign_out_ends_the_session_for_good(console):
    sign_in(console, "adm")
    cookie = console.cookies.get("console_session")
    csrf = form_value(console.get("/console/audit").text, "csrf")
    console.post("/console/logout", data={"csrf": csrf})
    console.cookies.set("console_session", cookie, path="/console")  # a copy of the old cookie
    assert console.get("/console/alarms", follow_redirects=False).status_code == 303


def test_card_devices_and_settlement_pages(console, clock, tmp_path):
    center = _center(console)
    device = enrol(console, center, clock)
    journal = device.journal(tmp_path / "journal.sqlite3")
    load(journal, "0102030405060708", 2_000, method="wechat")
    load(journal, "0102030405060708", 1_000, balance_before=2_000)
    uploaded = device.request("POST", "/v1/journal/batches", batch(journal.records()))
    assert uploaded.status_code == 200
    journal.close()
    sign_in(console, "adm")
    card = console.get("/console/cards?serial=0102030405060708&lang=en")
    assert card.status_code == 200
    assert "Ledger" in card.text and "30.00" in card.text and "0102030405A1" in card.text
    assert console.get("/console/cards?serial=xyz").status_code == 422
    assert "DEV-1" in console.get("/console/devices").text
    settlement = console.get("/console/settlement?day=2026-11-28")
    assert settlement.status_code == 200
    assert "<svg" in settlement.text and "wechat" in settlement.text
    assert console.get("/console/settlement?day=2026-13-45").status_code == 422
    assert ("adm", "card_lookup", "card:0102030405060708") in _audit(console)
    audit_page = console.get("/console/audit").text
    assert "card_lookup" in audit_page


def test_the_cli_adds_staff_with_the_password_from_the_environment(db_url, monkeypatch, capsys):
    monkeypatch.setenv("CITYCARD_STAFF_PASSWORD", "short")
    assert main(["staff-add", "--db", db_url, "--username", "zoe", "--role", "viewer"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setenv("CITYCARD_STAFF_PASSWORD", PASSWORD)
    assert main(["staff-add", "--db", db_url, "--username", "zoe", "--role", "viewer"]) == 0
    assert main(["staff-add", "--db", db_url, "--username", "zoe", "--role", "viewer"]) == 1
    assert PASSWORD not in capsys.readouterr().out
    assert issubclass(AccountError, ValueError)


def test_markup_in_notes_and_serials_is_shown_as_text(console):
    alarm_id = _alarm(console)
    sign_in(console, "ana")
    csrf = form_value(console.get("/console/alarms").text, "csrf")
    note = '<script>alert("x")</script>'
    console.post(f"/console/alarms/{alarm_id}/close", data={"csrf": csrf, "note": note})
    page = console.get("/console/alarms").text
    assert note not in page and "&lt;script&gt;" in page
    card = console.get("/console/cards", params={"serial": "<img src=x onerror=alert(1)>"})
    assert card.status_code == 422 and "<img" not in card.text
    assert console.get("/console/alarms?lang=<b>").text.count("<b>") == 0


def test_a_made_up_session_cookie_signs_nobody_in(console):
    console.cookies.set("console_session", "A" * 43, path="/console")
    assert console.get("/console/alarms", follow_redirects=False).status_code == 303
    console.cookies.set("console_session", "%00" * 200, path="/console")
    assert console.get("/console/alarms", follow_redirects=False).status_code == 303


def test_a_session_ends_after_eight_hours(console, clock):
    from datetime import timedelta  # noqa: PLC0415

    sign_in(console, "ana")
    clock.advance(timedelta(hours=7, minutes=59))
    assert console.get("/console/alarms", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=2))
    assert console.get("/console/alarms", follow_redirects=False).status_code == 303
