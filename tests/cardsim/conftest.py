"""Fixtures for the virtual-card tests.

The pcscd helpers (``pcsc_stack_installed``, ``pcscd_is_running``, ``start_pcscd``,
``wait_for_vpcd_readers``, ``stop_pcscd`` and the ``pcscd`` fixture) are self-contained so they
can move to ``tests/conftest.py`` unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cardsim_support import make_profile
from smartcard.System import readers

from cardsim.card import VirtualCityCard

# --------------------------------------------------------------------------- pcscd + vpcd

VPCD_READER_PREFIX = "Virtual PCD"


def pcsc_stack_installed() -> bool:
    """True when pcscd and the vsmartcard vpcd driver are installed."""
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        return False
    drivers = Path("/usr/lib/pcsc/drivers")
    return any(drivers.rglob("libifdvpcd.so*")) if drivers.exists() else False


def pcscd_is_running() -> bool:
    """True when a pcscd process exists."""
    found = subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True, check=False)
    return found.returncode == 0


def vpcd_readers() -> list[str]:
    """The names of the vpcd readers pcscd currently lists (empty on any PC/SC error)."""
    try:
        return [str(r) for r in readers() if str(r).startswith(VPCD_READER_PREFIX)]
    except Exception:
        return []


def wait_for_vpcd_readers(timeout: float = 10.0) -> list[str]:
    """Wait until pcscd lists the vpcd readers; returns them (empty on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        found = vpcd_readers()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def start_pcscd() -> subprocess.Popen[bytes]:
    """Start ``pcscd -f`` in the foreground as a child process."""
    exe = shutil.which("pcscd") or "/usr/sbin/pcscd"
    return subprocess.Popen([exe, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_pcscd(process: subprocess.Popen[bytes]) -> None:
    """Stop a pcscd this test session started."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def pcscd() -> Iterator[list[str]]:
    """A running pcscd with the vpcd readers; yields their names.

    Skips only when pcscd or vpcd is not installed; starts ``pcscd -f`` when none runs and stops
    it at the end of the session. Installed but not working is a failure, not a skip.
    """
    if not pcsc_stack_installed():
        pytest.skip("pcscd with the vsmartcard vpcd driver is not installed")
    started = None if pcscd_is_running() else start_pcscd()
    try:
        found = wait_for_vpcd_readers(15.0)
        if not found:
            pytest.fail("pcscd runs but lists no vpcd reader ('Virtual PCD 00 00')")
        yield found
    finally:
        if started is not None:
            stop_pcscd(started)


@pytest.fixture
def vpcd_slot() -> int:
    """The vpcd slot the integration tests use (CARDSIM_TEST_SLOT, default 1)."""
    return int(os.environ.get("CARDSIM_TEST_SLOT", "1"))


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    """Where a test saves its card profile."""
    return tmp_path / "card.json"


@pytest.fixture
def new_card(profile_path: Path) -> Callable[..., VirtualCityCard]:
    """Build a persisted virtual card from :func:`make_profile` keyword arguments."""

    def build(**kw: Any) -> VirtualCityCard:
        profile = make_profile(**kw)
        profile.save(profile_path)
        return VirtualCityCard(profile, profile_path)

    return build
