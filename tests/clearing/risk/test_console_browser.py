"""The console in a real browser (headless Debian chromium through chromedriver and Selenium).

Sign in, find the alarm a forged load raised through a real upload, acknowledge it, close it
with a note, look the card up; suspend a counter from the devices page (administrator), after
which that counter's next online top-up (its top-up service, the sync client, this center on
loopback, a virtual card) is refused with the reason typed in the browser. Screenshots go to
the test's directory, and to ``$CITYCARD_CONSOLE_SCREENSHOTS`` when set (docs/images holds the
ones the docs show). Skipped only where chromium or chromedriver is not installed
(scripts/setup-system.sh installs both); where they are, the test must pass.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.domain.payment import PaymentMethod
from app.services.topup import CounterSuspendedError
from clearing.center import open_center
from clearing.settings import Settings
from tests.clearing.console_support import CHEAP, PASSWORD, add_staff
from tests.clearing.risk.counters import Card, Fleet
from tests.services.counter_support import CLERK, SHIFT, TERMINAL_ID
from tests.sync.support import enrol
from tests.sync.test_online_topup import online_counter

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium and chromium-driver are not installed (scripts/setup-system.sh)")
    from selenium import webdriver  # noqa: PLC0415
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _shoot(driver: object, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"console-{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    assert path.stat().st_size > 10_000  # a page, not a blank
    wanted = os.environ.get("CITYCARD_CONSOLE_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(wanted) / path.name)
    return path


def _seed(fleet: Fleet) -> Card:
    """Two outlets' ordinary day and one forged load (leaked keys), uploaded for real."""
    genuine, forger = fleet.counter("DEV-A", "0102030405A1"), fleet.counter("DEV-B", "0102030405B2")
    for n, method in enumerate(("cash", "wechat", "alipay", "cash", "bank_card", "wechat")):
        fleet.advance(minutes=47)
        genuine.load(Card(f"31000000000009{n:02d}"), 5_000 + 1_000 * n, method=method)
    card = Card("3100000000000777")
    forger.load(card, 2_000)
    fleet.advance(minutes=30)
    forger.load(card, 1_000, claimed_after=50_000)
    fleet.advance(minutes=30)
    forger.purchase(card, 300)
    genuine.upload()
    forger.upload()
    fleet.rules_done()  # they run once the uploads were answered
    center = open_center(Settings(db_url=fleet.db_url, clock=fleet.clock))
    try:
        add_staff(center, "ana", "analyst")
        add_staff(center, "adm", "administrator")
    finally:
        center.close()
    assert CHEAP.memory_kib < 64 * 1024
    return card


def _row_in_state(driver: Any, state: str) -> Any:
    """The forged load's alarm row once the page shows it in ``state`` (pages load async)."""
    from selenium.common.exceptions import StaleElementReferenceException  # noqa: PLC0415
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support.wait import WebDriverWait  # noqa: PLC0415

    def shown(d: Any) -> Any:
        try:
            row = d.find_element(By.CSS_SELECTOR, "tr[data-rule='value_from_nowhere']")
            return row if row.get_attribute("data-state") == state else False
        except StaleElementReferenceException:
            return False

    return WebDriverWait(driver, 15, ignored_exceptions=(Exception,)).until(shown)


def test_sign_in_close_the_forged_load_alarm_and_look_the_card_up(fleet, browser, tmp_path, rig):
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support import expected_conditions as ec  # noqa: PLC0415
    from selenium.webdriver.support.wait import WebDriverWait  # noqa: PLC0415

    driver = browser
    from selenium.common.exceptions import StaleElementReferenceException  # noqa: PLC0415

    # a form posts and the page is replaced: an element found on the old page goes stale
    # between finding and reading it, so waits look again instead of failing
    wait = WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,))
    card = _seed(fleet)
    # a counter with the rig's PSAM, enrolled with this center: its online top-ups work
    enrolled = enrol(fleet.base, fleet.db_url, "DEV-T", TERMINAL_ID.hex().upper())
    enrolled.client.server_time()  # sign with the center's (the scenario's) clock
    counter = online_counter(tmp_path / "counter", rig.sam, enrolled.client)
    before = rig.reload().profile.balance_fen
    receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, PaymentMethod.CASH)
    assert receipt.online and rig.reload().profile.balance_fen == before + 5_000
    driver.get(f"{fleet.base}/console/login")
    driver.find_element(By.ID, "username").send_keys("ana")
    driver.find_element(By.ID, "password").send_keys("not the password")
    driver.find_element(By.ID, "sign-in").click()
    error = wait.until(ec.presence_of_element_located((By.ID, "error")))
    assert "用户名或密码错误" in error.text
    driver.find_element(By.ID, "username").send_keys("ana")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    wait.until(ec.url_contains("/console/alarms"))

    row = _row_in_state(driver, "open")
    assert card.serial in row.text and "470.00" in row.text  # 500 yuan claimed, 30 paid
    assert "多出 470.00 元" in row.text  # the summary in Chinese too
    _shoot(driver, tmp_path, "alarms")
    row.find_element(By.CSS_SELECTOR, "button.acknowledge").click()
    row = _row_in_state(driver, "acknowledged")
    note = "核实：DEV-B 密钥泄露，已停用"
    row.find_element(By.CSS_SELECTOR, "textarea.note-input").send_keys(note)
    row.find_element(By.CSS_SELECTOR, "button.close").click()
    row = _row_in_state(driver, "closed")
    assert f"ana: {note}" in row.text
    _shoot(driver, tmp_path, "alarm-closed")

    row.find_element(By.LINK_TEXT, f"card:{card.serial}").click()
    ledger = wait.until(ec.presence_of_element_located((By.ID, "ledger"))).text
    assert driver.find_element(By.ID, "serial").get_attribute("value") == card.serial
    assert "500.00" in ledger and "DEV-B" in ledger
    records = driver.find_element(By.ID, "records").text
    assert "0102030405B2" in records  # the outlet's terminal
    _shoot(driver, tmp_path, "card")

    driver.get(f"{fleet.base}/console/settlement?lang=en")
    assert "Top-up takings by hour" in driver.page_source
    assert driver.find_element(By.CSS_SELECTOR, "#chart svg rect") is not None
    _shoot(driver, tmp_path, "settlement")
    driver.get(f"{fleet.base}/console/devices")
    devices = driver.find_element(By.ID, "devices").text
    assert "DEV-B" in devices and "DEV-T" in devices
    assert not driver.find_elements(By.CSS_SELECTOR, "button.suspend")  # an analyst: no forms
    _shoot(driver, tmp_path, "devices")
    driver.find_element(By.ID, "sign-out").click()
    wait.until(ec.url_contains("/console/login"))

    # the administrator suspends DEV-T; its next online top-up is refused with the reason
    driver.find_element(By.ID, "username").send_keys("adm")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    wait.until(ec.url_contains("/console/alarms"))
    driver.get(f"{fleet.base}/console/devices?lang=zh")  # back to Chinese (settlement was en)
    row = driver.find_element(By.ID, "device-DEV-T")
    row.find_element(By.CSS_SELECTOR, "button.suspend").click()  # no reason: refused
    message = wait.until(ec.presence_of_element_located((By.ID, "message"))).text
    assert "请填写原因" in message
    assert driver.find_element(By.ID, "device-DEV-T").get_attribute("data-status") == "active"
    reason = "现金稽核：短款待查"
    row = driver.find_element(By.ID, "device-DEV-T")
    row.find_element(By.CSS_SELECTOR, "textarea.reason-input").send_keys(reason)
    row.find_element(By.CSS_SELECTOR, "button.suspend").click()
    wait.until(
        lambda d: d.find_element(By.ID, "device-DEV-T").get_attribute("data-status") == "suspended"
    )
    assert reason in driver.find_element(By.ID, "device-DEV-T").text
    assert "设备状态已变更" in driver.find_element(By.ID, "message").text
    _shoot(driver, tmp_path, "device-suspended")
    with pytest.raises(CounterSuspendedError) as refused:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 2_000, PaymentMethod.CASH)
    assert reason in refused.value.advice_text
    assert rig.reload().profile.balance_fen == before + 5_000  # nothing loaded, no SAM stepped in
    counter.close()
    enrolled.client.close()
    driver.get(f"{fleet.base}/console/audit")
    assert "device_suspended" in driver.find_element(By.TAG_NAME, "body").text
    driver.find_element(By.ID, "sign-out").click()
    wait.until(ec.url_contains("/console/login"))
    driver.get(f"{fleet.base}/console/alarms")  # the session is over
    wait.until(ec.presence_of_element_located((By.ID, "sign-in")))
