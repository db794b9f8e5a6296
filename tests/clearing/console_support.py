"""Helpers of the console tests: cheap Argon2id, staff accounts, a signed-in browser session."""

from __future__ import annotations

import re
from typing import Any

from app.crypto.passwords import PasswordHashParams
from clearing.center import Center
from clearing.console.accounts import create_account

CHEAP = PasswordHashParams(memory_kib=1024, iterations=1, lanes=1)
PASSWORD = "correct horse 7"


def add_staff(center: Center, username: str, role: str, password: str = PASSWORD) -> None:
    with center.sessions.begin() as session:
        create_account(session, username, password, role, CHEAP, center.now_us())


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no {name} in the page"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={
            "username": username,
            "password": password,
            "login_token": form_value(page.text, "login_token"),
        },
        follow_redirects=False,
    )
