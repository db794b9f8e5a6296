"""The risk tests' fleet: a center in uvicorn on loopback with the issuer keys, sharing a clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clearing.console_support import CHEAP
from tests.clearing.risk.counters import Fleet
from tests.sync.support import ISSUER_PASSPHRASE, center_thread, issuer_keystore


@pytest.fixture
def fleet(tmp_path, des_issuer) -> Iterator[Fleet]:
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    keystore = issuer_keystore(tmp_path / "issuer.keystore", des_issuer)
    made = Fleet("", db_url, tmp_path, des_issuer)  # the center shares the fleet's clock
    with center_thread(
        db_url,
        issuer_keystore=keystore,
        issuer_passphrase=ISSUER_PASSPHRASE,
        clock=made.clock,
        risk_sweep_interval=None,
        console_password_params=CHEAP,
    ) as base:
        made.base = base
        try:
            yield made
        finally:
            made.close()
