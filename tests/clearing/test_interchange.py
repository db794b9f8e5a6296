"""Clearing between cities: two centers and the national platform on loopback (in threads).

A Hangzhou card pays admissions at a Wuxi scenic office; the records reach Hangzhou's ledger
exactly once through the platform, the daily net position says Hangzhou owes Wuxi the takings
to the fen, and a card reported lost in Hangzhou reaches Wuxi's blacklist in one round. Then
the platform's trust boundary is attacked.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from app.crypto.request_signing import sign_request
from app.crypto.sm2 import Sm2PrivateKey
from app.journal import RecordKind
from app.journal.records import from_micros
from clearing.center import Center, open_center
from clearing.interchange import platform
from clearing.interchange.client import PlatformClient, PlatformRefusedError
from clearing.interchange.forwarding import MisroutedError, sync_round, take_in
from clearing.interchange.models import OutboundRow
from clearing.interchange.schemas import ForwardedRecord, RoutedRecord
from clearing.settings import Settings
from tests.clearing.interchange_support import (
    CST,
    HANGZHOU_ISSUER,
    WUXI_ISSUER,
    hangzhou_card_at_wuxi,
    platform_thread,
    register,
    scenic_office,
)
from tests.clearing.postgres import create_database
from tests.sync.support import center_thread, enrol

SERIAL = "3104000000001234"  # the rig's card: issuer 3100, city 3100 (Hangzhou)


class Cities:
    """Platform, Wuxi and Hangzhou: URLs, databases, and each center opened for its rounds."""

    def __init__(self, dbs: dict[str, str], hub: str, wuxi: str, hangzhou: str) -> None:
        self.dbs = dbs
        self.hub, self.wuxi_base, self.hangzhou_base = hub, wuxi, hangzhou
        self.wuxi: Center = open_center(Settings(db_url=self.dbs["wx"]))
        self.hangzhou: Center = open_center(Settings(db_url=self.dbs["hz"]))

    def round(self, city: str) -> dict[str, object]:
        center = self.wuxi if city == "wuxi" else self.hangzhou
        report = sync_round(center, PlatformClient(self.hub, city, center.identity), city)
        return report.__dict__

    def close(self) -> None:
        self.wuxi.close()
        self.hangzhou.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def dbs(request, tmp_path) -> dict[str, str]:
    """The platform's and both centers' databases: SQLite files, and PostgreSQL when it runs."""
    names = ("hub", "wx", "hz")
    if request.param == "sqlite":
        return {n: f"sqlite:///{tmp_path / f'{n}.sqlite3'}" for n in names}
    server = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("PostgreSQL is not available here")
    tag = uuid.uuid4().hex[:12]
    return {n: create_database(server, f"t{tag}{n}") for n in names}


@pytest.fixture
def cities(dbs):
    with (
        platform_thread(dbs["hub"]) as hub,
        center_thread(dbs["wx"]) as wuxi,
        center_thread(dbs["hz"]) as hangzhou,
    ):
        register(dbs["hub"], "wuxi", dbs["wx"], [WUXI_ISSUER, "0000302000000000"])
        register(dbs["hub"], "hangzhou", dbs["hz"], [HANGZHOU_ISSUER, "0000331000000000"])
        world = Cities(dbs, hub, wuxi, hangzhou)
        yield world
        world.close()


@pytest.fixture
def office(cities, tmp_path, make_rig, des_issuer):
    rig, hangzhou_keys = hangzhou_card_at_wuxi(make_rig, des_issuer, 20_000)
    counter = scenic_office(
        tmp_path / "wx-office", cities.wuxi_base, cities.dbs["wx"], rig.sam, "DEV-W1"
    )
    counter.rig = rig  # type: ignore[attr-defined]
    counter.hangzhou_keys = hangzhou_keys  # type: ignore[attr-defined]
    yield counter
    counter.close()


def hub_session(cities):
    hub = open_center(Settings(db_url=cities.dbs["hub"]))
    return hub


def test_a_hangzhou_card_spent_in_wuxi_reaches_its_ledger_once_and_hangzhou_owes_wuxi(
    cities, office
):
    takings = office.sell(office.rig.open(), 2) + office.sell(office.rig.open(), 1)
    assert takings == 12_000 == office.purse_takings()
    office.upload()

    first = cities.round("wuxi")
    assert (first["collected"], first["forwarded"]) == (2, 2)
    taken = cities.round("hangzhou")
    assert taken["taken_in"] == 2
    for city in ("wuxi", "hangzhou", "wuxi", "hangzhou"):  # nothing is sent or taken twice
        again = cities.round(city)
        assert again["forwarded"] == again["taken_in"] == again["collected"] == 0

    # Hangzhou's ledger holds what its card spent in Wuxi, once, with the card's balance
    enrolled = enrol(cities.hangzhou_base, cities.dbs["hz"], "DEV-H1")
    ledger = enrolled.client.ledger(SERIAL)
    spent = [e for e in ledger.entries if e.kind == "purchase"]
    assert sorted(e.amount_fen for e in spent) == [4_000, 8_000]
    assert {e.device_id for e in spent} == {"wuxi/DEV-W1"}
    assert ledger.last_known_balance_fen == office.rig.reload().profile.balance_fen == 8_000
    enrolled.client.close()

    # the three places agree to the fen: Wuxi forwarded, the platform's position, Hangzhou took
    with cities.wuxi.sessions.begin() as session:
        forwarded = sum(
            r.amount_fen
            for r in session.query(OutboundRow).filter(OutboundRow.issuer_city == "hangzhou")
        )
    (sale,) = office.journal.records_of_kinds(RecordKind.TICKET_SALE)[:1]
    day = from_micros(sale.at_us).astimezone(CST).date()
    hub = hub_session(cities)
    with hub.sessions.begin() as session:
        positions = platform.positions(session, day)
        wuxi_file = platform.city_settlement(session, "wuxi", day)
        hangzhou_file = platform.city_settlement(session, "hangzhou", day)
    hub.close()
    assert forwarded == takings == sum(e.amount_fen for e in spent)
    assert [(p.debtor, p.creditor, p.amount_fen) for p in positions] == [
        ("hangzhou", "wuxi", takings)
    ]
    assert (wuxi_file.receivable_fen, wuxi_file.payable_fen, wuxi_file.net_fen) == (
        takings,
        0,
        takings,
    )
    assert hangzhou_file.net_fen == -takings and hangzhou_file.lines[0].name == "无锡"
    csv_text = platform.settlement_csv(wuxi_file)
    assert f"hangzhou,杭州,2,{takings},0,0,{takings}" in csv_text

    # each city reads its own settlement over the API, JSON and CSV
    wuxi_client = PlatformClient(cities.hub, "wuxi", cities.wuxi.identity)
    answer = wuxi_client.call("GET", "/v1/interchange/settlement", query={"date": day.isoformat()})
    assert answer["net_fen"] == takings
    text = wuxi_client.call(
        "GET", "/v1/interchange/settlement", query={"date": day.isoformat(), "format": "csv"}
    )
    assert text.splitlines()[-1].endswith(f",{takings}")


def test_a_card_reported_lost_in_hangzhou_is_on_wuxis_blacklist_after_one_round(cities):
    hangzhou_desk = enrol(cities.hangzhou_base, cities.dbs["hz"], "DEV-H2")
    wuxi_desk = enrol(cities.wuxi_base, cities.dbs["wx"], "DEV-W2")
    report = hangzhou_desk.client.report_loss(SERIAL, "lost on a trip to Wuxi")
    assert SERIAL not in wuxi_desk.client.blacklist(0).added

    assert cities.round("hangzhou")["blacklist_pushed"] == 1
    assert cities.round("wuxi")["blacklist_pulled"] == 1
    assert SERIAL in wuxi_desk.client.blacklist(0).added
    # no echo: Wuxi never pushes back what it took, and a second round changes nothing
    assert cities.round("wuxi")["blacklist_pushed"] == 0
    assert cities.round("hangzhou")["blacklist_pulled"] == 0

    hangzhou_desk.client.cancel_loss(report.id, "DEV-H2#2")  # the supervisor's approval record
    cities.round("hangzhou")
    cities.round("wuxi")
    assert SERIAL not in wuxi_desk.client.blacklist(0).added
    hangzhou_desk.client.close()
    wuxi_desk.client.close()


# -- attacks on the platform's trust boundary ---------------------------------------------------


def _record(**changes: object) -> dict[str, object]:
    document = {
        "device_id": "DEV-W1",
        "seq": 7,
        "intent_seq": 6,
        "kind": "purchase",
        "card_serial": SERIAL,
        "card_family": "CU",
        "card_issuer": HANGZHOU_ISSUER,
        "issuer_city": "hangzhou",
        "amount_fen": 4_000,
        "balance_after_fen": 6_000,
        "at_us": 1_796_000_000_000_000,
        "terminal_id": "0102030405A1",
        "record_mac": "AB" * 32,
    }
    document.update(changes)
    return document


def test_unsigned_foreign_and_replayed_requests_are_refused(cities):
    body = json.dumps({"records": [_record()]}).encode()
    target = "/v1/interchange/records"
    assert requests.post(cities.hub + target, data=body, timeout=5).status_code == 401
    json_type = {"Content-Type": "application/json"}
    stranger = sign_request(Sm2PrivateKey.generate(), "wuxi", "POST", target, body) | json_type
    answer = requests.post(cities.hub + target, data=body, headers=stranger, timeout=5)
    assert answer.status_code == 401 and "signature" in answer.json()["detail"]
    signed = sign_request(cities.wuxi.identity, "wuxi", "POST", target, body) | json_type
    assert requests.post(cities.hub + target, data=body, headers=signed, timeout=5).ok
    replay = requests.post(cities.hub + target, data=body, headers=signed, timeout=5)
    assert replay.status_code == 401 and "replay" in replay.json()["detail"]
    unknown = sign_request(cities.wuxi.identity, "atlantis", "POST", target, body) | json_type
    assert (
        requests.post(cities.hub + target, data=body, headers=unknown, timeout=5).status_code == 401
    )


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"issuer_city": "wuxi", "card_issuer": WUXI_ISSUER}, "its own center"),
        ({"card_issuer": "4400"}, "cannot be routed"),
        ({"issuer_city": "shanghai"}, "not a member"),
        ({"amount_fen": -1}, "amount_fen"),
        ({"amount_fen": 1.0}, "amount_fen"),
    ],
)
def test_records_the_platform_cannot_route_are_refused_and_nothing_is_stored(cities, changes, why):
    wuxi = PlatformClient(cities.hub, "wuxi", cities.wuxi.identity)
    with pytest.raises(PlatformRefusedError, match=why) as refused:
        wuxi.call(
            "POST",
            "/v1/interchange/records",
            body={"records": [_record(seq=1), _record(**changes)]},
        )
    assert refused.value.status == 422
    hangzhou = PlatformClient(cities.hub, "hangzhou", cities.hangzhou.identity)
    assert hangzhou.call("GET", "/v1/interchange/inbound")["records"] == []


def test_a_record_offered_again_with_other_content_is_a_conflict_with_an_alarm(cities):
    wuxi = PlatformClient(cities.hub, "wuxi", cities.wuxi.identity)
    assert wuxi.call("POST", "/v1/interchange/records", body={"records": [_record()]}) == {
        "accepted": 1,
        "duplicates": 0,
    }
    assert (
        wuxi.call("POST", "/v1/interchange/records", body={"records": [_record()]})["duplicates"]
        == 1
    )
    with pytest.raises(PlatformRefusedError) as refused:
        wuxi.call(
            "POST",
            "/v1/interchange/records",
            body={"records": [_record(seq=8), _record(amount_fen=400_000)]},
        )
    assert refused.value.status == 409
    hub = hub_session(cities)
    with hub.sessions.begin() as session:
        assert len(platform.alarms(session)) == 1
        held = platform.inbound(session, "hangzhou", 0)[0]
    hub.close()
    assert [(r.record.seq, r.record.amount_fen) for r in held] == [(7, 4_000)]  # seq 8 not kept


def test_a_center_takes_in_only_records_of_its_own_cards(cities):
    misrouted = RoutedRecord(
        id=1, acquirer_city="hangzhou", record=ForwardedRecord.model_validate(_record())
    )
    with cities.wuxi.sessions.begin() as session, pytest.raises(MisroutedError, match="routed"):
        take_in(session, "wuxi", misrouted, 0)
    fine = RoutedRecord(
        id=1, acquirer_city="wuxi", record=ForwardedRecord.model_validate(_record())
    )
    with cities.hangzhou.sessions.begin() as session:
        assert take_in(session, "hangzhou", fine, 0)
        assert not take_in(session, "hangzhou", fine, 0)  # once


def test_members_are_cities_of_the_table(cities):
    hub = hub_session(cities)
    with hub.sessions.begin() as session, pytest.raises(platform.PlatformRefusalError):
        platform.register_member(session, "atlantis", bytes(64), ["1234"], 0)
    hub.close()
    assert date.today()  # keeps the import honest


@contextmanager
def issuer_keys_settings(held: str, keystore: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The center's settings for its issuer keys: in its process, or behind the key service.

    The key service runs on a real Unix socket (a thread of this process), from the keystore.
    """
    from tests.sync.support import ISSUER_PASSPHRASE  # noqa: PLC0415

    if held == "in_process":
        yield {"issuer_keystore": keystore, "issuer_passphrase": ISSUER_PASSPHRASE}
        return
    from clearing.keys.service import KeyServiceServer, load_service_keys  # noqa: PLC0415

    keystore.chmod(0o600)
    secret = tmp_path / "keys.pass"
    secret.write_text(ISSUER_PASSPHRASE + "\n")
    secret.chmod(0o600)
    keys, wrapper = load_service_keys(keystore, secret)
    server = KeyServiceServer(tmp_path / "keys.sock", keys, 0o600, wrapper)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"key_service_socket": server.socket_path}
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("held", ["in_process", "key_service"])
def test_the_issuer_checks_each_purchase_tac_with_its_own_keys(
    cities, office, tmp_path, des_issuer, sm4_issuer, held
):
    from clearing.keys.service import KeyServiceIssuerKeys  # noqa: PLC0415
    from tests.sync.support import issuer_keystore  # noqa: PLC0415

    keystore = issuer_keystore(
        tmp_path / "hz.keystore", des_issuer, sm4_issuer, office.hangzhou_keys
    )
    with issuer_keys_settings(held, keystore, tmp_path) as keys:
        issuing = open_center(Settings(db_url=cities.dbs["hz"], **keys))
        assert isinstance(issuing.sam, KeyServiceIssuerKeys) == (held == "key_service")
        _take_in_a_good_and_a_forged_record(cities, office, issuing)


def _take_in_a_good_and_a_forged_record(cities, office, issuing) -> None:
    """The good record is taken in, the forged one held: its TAC does not verify."""
    from clearing.interchange.models import InboundRow  # noqa: PLC0415

    takings = office.sell(office.rig.open(), 1)
    office.upload()
    assert cities.round("wuxi")["forwarded"] == 1
    # a record of a Hangzhou card no card ever answered: Wuxi's word only, and a made-up TAC
    forged = _record(
        seq=99,
        tac="00000000",
        terminal_seq=5,
        algorithm=0,
        key_version=office.hangzhou_keys.key_version,  # the national purchase keys' version
        transaction_type=6,
        card_time="20261208101500",
    )
    wuxi = PlatformClient(cities.hub, "wuxi", cities.wuxi.identity)
    wuxi.call("POST", "/v1/interchange/records", body={"records": [forged]})

    report = sync_round(
        issuing, PlatformClient(cities.hub, "hangzhou", issuing.identity), "hangzhou"
    )
    assert report.taken_in == 1
    with issuing.sessions.begin() as session:
        held = {r.seq: r.held for r in session.query(InboundRow)}
    issuing.close()
    assert len(held) == 2 and "does not verify" in str(held[99])
    assert [h for seq, h in held.items() if seq != 99] == [None]
    desk = enrol(cities.hangzhou_base, cities.dbs["hz"], "DEV-H3")
    spent = [e for e in desk.client.ledger(SERIAL).entries if e.kind == "purchase"]
    desk.client.close()
    assert [e.amount_fen for e in spent] == [takings]  # the forged one never entered
