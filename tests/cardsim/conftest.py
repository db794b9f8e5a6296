"""Fixtures for the virtual-card tests.

The ``pcscd`` fixture is the suite's own, in ``tests/conftest.py`` (built on
:mod:`cardsim.pcscd`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cardsim_support import make_profile

from cardsim.card import VirtualCityCard


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
