"""Online MAC2: a virtual card tops up with MAC2 from the center's issuer keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from app.card.sam import LoadAuthorization, verify_load_tac
from app.crypto.keystore import KdfParams, Keystore
from clearing import registry
from clearing.app import create_app
from clearing.settings import Settings
from tests.clearing.support import Device, enrol

CHEAP_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
AUTHORIZE = "/v1/loads/authorize"


@pytest.fixture
def issuing(tmp_path, clock, des_issuer, sm4_issuer) -> Iterator[Device]:
    path = tmp_path / "issuer.keystore"
    Keystore.create(
        path, "pw", {**des_issuer.keystore_entries(), **sm4_issuer.keystore_entries()}, CHEAP_KDF
    )
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        clock=clock,
        issuer_keystore=path,
        issuer_passphrase="pw",
    )
    with TestClient(create_app(settings)) as client:
        yield enrol(client, client.app.state.center, clock)  # type: ignore[attr-defined]


def register(device: Device, serial: str, card_type: int) -> None:
    """The issuer's issuance file says the card is of ``card_type``."""
    center = device.client.app.state.center  # type: ignore[attr-defined]
    with center.sessions.begin() as session:
        registry.register(session, [(serial, card_type)], "test issuance", center.now_us())


def _request(card, init, **changes):
    body = {
        "card_serial": card.serial.hex().upper(),
        "algorithm": init.keys.algorithm.name,
        "key_version": init.keys.key_version,
        "card_type": 1,
        "amount_fen": init.amount_fen,
        "balance_fen": init.balance_fen,
        "online_atc": init.online_atc,
        "random": init.random.hex().upper(),
        "mac1": init.mac1.hex().upper(),
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("issuer", ["des_issuer", "sm4_issuer"])
def test_an_online_top_up_with_the_centers_mac2(issuing, make_rig, request, issuer):
    rig = make_rig(request.getfixturevalue(issuer))
    card = rig.open()
    terminal = bytes.fromhex(issuing.terminal_id)
    init = card.initialize_for_load(2_000, terminal)
    answer = issuing.request("POST", AUTHORIZE, _request(card, init))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    when = datetime.fromisoformat(body["card_time"])
    assert when.utcoffset().total_seconds() == 8 * 3600 and when.microsecond == 0
    tac = card.credit_for_load(when, bytes.fromhex(body["mac2"]))
    auth = LoadAuthorization.from_init(card.serial, init, when)
    verify_load_tac(rig.sam, auth, tac)  # the card took the center's MAC2 and answered a good TAC
    assert rig.reload().profile.balance_fen == 5_000 + 2_000


def test_a_forged_mac1_gets_no_mac2(issuing, rig):
    card = rig.open()
    init = card.initialize_for_load(2_000, bytes.fromhex(issuing.terminal_id))
    answer = issuing.request("POST", AUTHORIZE, _request(card, init, balance_fen=900_00))
    assert answer.status_code == 422
    assert "MAC1 does not verify" in answer.json()["detail"]


def test_a_blacklisted_card_gets_no_mac2(issuing, rig):
    card = rig.open()
    issuing.request("POST", "/v1/loss-reports", {"card_serial": card.serial.hex().upper()})
    init = card.initialize_for_load(2_000, bytes.fromhex(issuing.terminal_id))
    answer = issuing.request("POST", AUTHORIZE, _request(card, init))
    assert answer.status_code == 403
    assert "blacklist" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("amount", "changes", "message"),
    [
        (2_500, {}, "multiple of 1000"),
        (60_000, {}, "1000..50000 fen, not 60000"),
        (60_000, {"card_type": 99}, "1000..50000 fen, not 60000"),  # the claim is not used
        (2_000, {"balance_fen": 99_000}, "exceed the ceiling"),
    ],
)
def test_limits_are_enforced(issuing, rig, amount, changes, message):
    card = rig.open()
    register(issuing, card.serial.hex().upper(), 1)
    init = card.initialize_for_load(amount, bytes.fromhex(issuing.terminal_id))
    answer = issuing.request("POST", AUTHORIZE, _request(card, init, **changes))
    assert answer.status_code == 422
    assert message in answer.json()["detail"]


def test_a_center_without_issuer_keys_says_so(device, rig):
    card = rig.open()
    init = card.initialize_for_load(2_000, bytes.fromhex(device.terminal_id))
    answer = device.request("POST", AUTHORIZE, _request(card, init))
    assert answer.status_code == 503
    assert "--issuer-keystore" in answer.json()["detail"]
