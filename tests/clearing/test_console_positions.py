"""The console's interop positions page, over two cities and the platform on loopback.

A Hangzhou card pays admissions at a Wuxi scenic office; after the sync rounds, Wuxi's console
shows Hangzhou owing it the takings, Hangzhou's console shows it owes Wuxi the same, to the fen;
a center without interchange records says it takes no part; the page is read-only (no form posts
anything) and Chinese by default. Screenshot in a real browser when chromium is installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.journal import RecordKind
from app.journal.records import from_micros
from clearing.app import create_app
from clearing.settings import Settings
from tests.clearing.console_support import CHEAP, PASSWORD, add_staff, sign_in
from tests.clearing.interchange_support import CST
from tests.clearing.risk.test_console_browser import _shoot, browser  # noqa: F401
from tests.clearing.test_interchange import Cities, cities, dbs, office  # noqa: F401


@contextmanager
def _console(db_url: str) -> Iterator[TestClient]:
    settings = Settings(db_url=db_url, console_password_params=CHEAP)
    with TestClient(create_app(settings)) as client:
        add_staff(client.app.state.center, "vic", "viewer")  # type: ignore[attr-defined]
        sign_in(client, "vic")
        yield client


def _cells(html: str, city: str) -> list[str]:
    row = re.search(rf'<tr data-city="{city}">(.*?)</tr>', html, re.S)
    assert row is not None, html
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


@pytest.mark.parametrize("dbs", ["sqlite"], indirect=True)
def test_both_cities_see_the_same_position_to_the_fen(
    cities: Cities,  # noqa: F811
    office: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    takings = office.sell(office.rig.open(), 2) + office.sell(office.rig.open(), 1)
    office.upload()
    cities.round("wuxi")
    cities.round("hangzhou")
    (sale,) = office.journal.records_of_kinds(RecordKind.TICKET_SALE)[:1]
    day = from_micros(sale.at_us).astimezone(CST).date().isoformat()
    yuan = f"{takings // 100:,}.{takings % 100:02d}"

    with _console(cities.dbs["wx"]) as wuxi:
        page = wuxi.get(f"/console/positions?day={day}").text
        assert _cells(page, "hangzhou") == ["杭州", "2", yuan, "0", "0.00", yuan]
        assert "互通头寸" in page and '<form method="post" action="/console/positions' not in page
        before = wuxi.get("/console/positions?day=2020-01-01").text
        assert 'data-city="hangzhou"' not in before  # another day: nothing
        assert wuxi.get("/console/positions?day=2026-13-45").status_code == 422
        english = wuxi.get(f"/console/positions?day={day}&lang=en").text
        assert "Receivable (yuan)" in english
    with _console(cities.dbs["hz"]) as hangzhou:
        page = hangzhou.get(f"/console/positions?day={day}").text
        assert _cells(page, "wuxi") == ["无锡", "0", "0.00", "2", yuan, f"-{yuan}"]
    with _console(cities.dbs["hub"]) as hub:  # the platform's database: every pair of cities
        page = hub.get(f"/console/positions?day={day}").text
        pairs = re.search(r'<table id="pairs">(.*?)</table>', page, re.S)
        assert pairs is not None
        assert re.findall(r"<td[^>]*>(.*?)</td>", pairs.group(1)) == ["杭州", "无锡", yuan]


@pytest.mark.parametrize("dbs", ["sqlite"], indirect=True)
def test_the_positions_page_in_a_browser(
    cities: Cities,  # noqa: F811
    office: Any,  # noqa: F811
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Wuxi's own center on loopback, in headless chromium: the page in Chinese, screenshot."""
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support import expected_conditions as ec  # noqa: PLC0415
    from selenium.webdriver.support.wait import WebDriverWait  # noqa: PLC0415

    office.sell(office.rig.open(), 2)
    office.upload()
    cities.round("wuxi")
    cities.round("hangzhou")
    (sale,) = office.journal.records_of_kinds(RecordKind.TICKET_SALE)[:1]
    day = from_micros(sale.at_us).astimezone(CST).date().isoformat()
    add_staff(cities.wuxi, "vic", "viewer")
    driver = browser
    driver.get(f"{cities.wuxi_base}/console/login?lang=zh")
    driver.find_element(By.ID, "username").send_keys("vic")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 15).until(ec.url_contains("/console/alarms"))
    driver.get(f"{cities.wuxi_base}/console/positions?day={day}")
    table = driver.find_element(By.ID, "positions").text
    assert "杭州" in table and "80.00" in table
    _shoot(driver, tmp_path, "positions")


def test_a_center_without_interchange_says_so(db_url: str) -> None:
    with _console(db_url) as center:
        page = center.get("/console/positions").text
        assert 'id="not-member"' in page and "未参与城市互通" in page


def test_the_page_needs_a_session(db_url: str) -> None:
    settings = Settings(db_url=db_url, console_password_params=CHEAP)
    with TestClient(create_app(settings)) as client:
        answer = client.get("/console/positions", follow_redirects=False)
        assert answer.status_code == 303 and "/console/login" in answer.headers["location"]
