"""What an enrolled but hostile counter tries against the center, and what it gets: refused with
the right status, nothing changed, an alarm where one is due (issue 14).

The center runs on a real database (SQLite file, and PostgreSQL when it can start); online MAC2
attacks use virtual cards and the issuer keys of :mod:`tests.clearing.test_clearing_online`.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clearing import registry
from clearing.alarms import alarm_lines
from clearing.cli import main
from clearing.enrolment import create_code
from clearing.grants import reconcile_now
from clearing.models import DeviceRow, GrantAlarmRow, LossReportRow, OnlineLoadRow
from clearing.parameters import DEFAULT_PARAMETERS, publish
from clearing.schemas import OnlineCaps
from tests.clearing.support import enrol
from tests.clearing.test_clearing_online import AUTHORIZE, _request, register

CARD = "3100000000000001"
STATUS_HEADER = "x-citycard-device-status"


def _count(center, model, **where) -> int:
    with center.sessions.begin() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def _blacklist(device) -> tuple[int, list[str]]:
    body = device.request("GET", "/v1/blacklist?since=0").json()
    return body["version"], body["added"]


# -- loss-report cancellation ------------------------------------------------------------------


@pytest.fixture
def outlets(client, center, clock):
    """Two devices of outlet EAST, one of outlet WEST."""
    east1 = enrol(client, center, clock, "EAST-1", "0102030405A1", outlet="EAST")
    east2 = enrol(client, center, clock, "EAST-2", "0102030405A2", outlet="EAST")
    west = enrol(client, center, clock, "WEST-1", "0102030405B1", outlet="WEST")
    return east1, east2, west


def test_another_outlet_cannot_cancel_a_loss_report(outlets, center):
    east1, _east2, west = outlets
    report = east1.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    before = _blacklist(east1)
    answer = west.request("DELETE", f"/v1/loss-reports/{report['id']}?approval=WEST-1%237")
    assert answer.status_code == 403
    assert "outlet EAST" in answer.json()["detail"]
    assert STATUS_HEADER not in answer.headers  # refused for the report, not for the device
    assert _blacklist(east1) == before == (1, [CARD])
    assert east1.request("GET", f"/v1/loss-reports/{report['id']}").json()["status"] == "active"


def test_a_cancellation_needs_the_supervisors_approval(outlets):
    east1, _east2, _west = outlets
    report = east1.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    for target in (
        f"/v1/loss-reports/{report['id']}",
        f"/v1/loss-reports/{report['id']}?approval=",
    ):
        assert east1.request("DELETE", target).status_code == 422
    assert _blacklist(east1) == (1, [CARD])


def test_the_reporting_outlet_cancels_with_the_approval_it_journaled(outlets):
    east1, east2, _west = outlets
    report = east1.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    answer = east2.request("DELETE", f"/v1/loss-reports/{report['id']}?approval=EAST-2%2319")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["cancelled_by"], body["cancel_approval"]) == (
        "cancelled",
        "EAST-2",
        "EAST-2#19",
    )
    assert _blacklist(east1) == (2, [])


def test_the_back_office_cancels_any_report(outlets, db_url, center, capsys):
    east1, _east2, _west = outlets
    report = east1.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    argv = ["loss-cancel", "--db", db_url, "--report", str(report["id"])]
    assert main([*argv, "--approval", "BO-2026-118", "--operator", "li.wei"]) == 0
    assert json.loads(capsys.readouterr().out)["cancel_approval"] == "BO-2026-118"
    with center.sessions.begin() as session:
        row = session.get(LossReportRow, report["id"])
        assert row is not None and (row.cancelled_by, row.cancel_approval) == (
            "li.wei",
            "BO-2026-118",
        )
    assert _blacklist(east1) == (2, [])


def test_no_device_can_call_its_outlet_the_back_office(center):
    with pytest.raises(ValueError, match="issuer's own outlet"):
        create_code(center, "DEV-9", outlet="back-office")


# -- terminal ids --------------------------------------------------------------------------------


def test_a_terminal_id_is_enrolled_once(client, center, clock, device):
    from app.crypto.sm2 import Sm2PrivateKey  # noqa: PLC0415

    code = create_code(center, "DEV-2")
    body = {
        "code": code,
        "device_id": "DEV-2",
        "terminal_id": device.terminal_id,
        "public_key": Sm2PrivateKey.generate().public_key.hex().upper(),
    }
    answer = client.post("/v1/enrol", json=body)
    assert answer.status_code == 409
    assert f"terminal id {device.terminal_id} belongs to another device" in answer.json()["detail"]
    assert _count(center, DeviceRow) == 1
    # the code was not spent: the device enrols with a terminal id of its own
    answer = client.post("/v1/enrol", json={**body, "terminal_id": "0102030405FF"})
    assert answer.status_code == 201, answer.text


# -- device status -------------------------------------------------------------------------------


def _set_status(db_url: str, device_id: str, status: str, reason: str = "") -> int:
    argv = ["device", "--db", db_url, "--device", device_id, "--status", status]
    return main([*argv, "--reason", reason])


def test_a_suspended_device_gets_403_with_its_reason(device, db_url, center, tmp_path):
    assert _set_status(db_url, device.device_id, "suspended", "cash audit 2026-12") == 0
    for method, target, body in (
        ("GET", "/v1/blacklist?since=0", None),
        ("GET", "/v1/parameters", None),
        ("POST", "/v1/loss-reports", {"card_serial": CARD}),
        ("POST", "/v1/keys/rotate", None),
    ):
        answer = device.request(method, target, body)
        assert answer.status_code == 403, target
        assert answer.headers[STATUS_HEADER] == "suspended"
        assert "suspended by the issuer: cash audit 2026-12" in answer.json()["detail"]
    assert _count(center, LossReportRow) == 0
    # what it recorded may still reach settlement
    from tests.clearing.support import batch, load  # noqa: PLC0415

    with device.journal(tmp_path / "j.sqlite3") as journal:
        load(journal, CARD, 1_000)
        answer = device.request("POST", "/v1/journal/batches", batch(journal.records()))
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 3
    assert _set_status(db_url, device.device_id, "active") == 0
    assert device.request("GET", "/v1/parameters").status_code == 200


def test_a_revoked_device_gets_nothing_and_stays_revoked(device, db_url, capsys):
    assert _set_status(db_url, device.device_id, "suspended") == 1  # a reason is required
    assert "give the reason" in capsys.readouterr().err
    assert _set_status(db_url, device.device_id, "revoked", "device stolen") == 0
    for method, target in (("GET", "/v1/journal/cursor"), ("GET", "/v1/parameters")):
        answer = device.request(method, target)
        assert answer.status_code == 403
        assert answer.headers[STATUS_HEADER] == "revoked"
        assert "device stolen" in answer.json()["detail"]
    assert _set_status(db_url, device.device_id, "active") == 1
    assert "enrol it again" in capsys.readouterr().err
    assert main(["device", "--db", db_url]) == 0
    assert "revoked (device stolen" in capsys.readouterr().out


# -- online MAC2: the card type, the caps, the reconciliation ----------------------------------


def _grants(device) -> int:
    return _count(device.client.app.state.center, OnlineLoadRow)


@pytest.mark.parametrize("claim", [None, 1, 99])
def test_the_card_type_comes_from_the_registry_not_the_claim(issuing, make_rig, claim):
    """A ¥755 MAC2 for a student card capped at ¥200, whatever the counter says it is."""
    rig = make_rig(public_changes={"card_type": 2})
    card = rig.open()
    register(issuing, card.serial.hex().upper(), 2)
    init = card.initialize_for_load(75_500, bytes.fromhex(issuing.terminal_id))
    body = _request(card, init, card_type=claim)
    if claim is None:
        del body["card_type"]
    answer = issuing.request("POST", AUTHORIZE, body)
    assert answer.status_code == 422
    assert "1000..20000 fen, not 75500" in answer.json()["detail"]
    assert _grants(issuing) == 0


def test_an_unknown_card_gets_the_strictest_type(issuing, rig):
    card = rig.open()  # type 1 on the card, but the issuer's registry does not know it
    init = card.initialize_for_load(30_000, bytes.fromhex(issuing.terminal_id))
    answer = issuing.request("POST", AUTHORIZE, _request(card, init))
    assert answer.status_code == 422
    assert "not in the center's registry" in answer.json()["detail"]
    assert _grants(issuing) == 0
    register(issuing, card.serial.hex().upper(), 1)  # once registered, its own limits apply
    assert issuing.request("POST", AUTHORIZE, _request(card, init)).status_code == 200


def test_the_registry_is_filled_from_an_issuance_file(db_url, center, tmp_path, capsys):
    good = tmp_path / "issued.csv"
    good.write_text("card_serial,card_type\n3104000000001234,2\n3104000000001235,1\n")
    assert main(["cards-register", "--db", db_url, str(good)]) == 0
    assert "2 card(s) registered" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("3104000000001236,1\n31zz,1\n")
    assert main(["cards-register", "--db", db_url, str(bad)]) == 1
    assert "line 2" in capsys.readouterr().err
    with center.sessions.begin() as session:
        known = registry.card_type_of(session, current_parameters(session), "3104000000001236")
        assert not known.known  # nothing of a bad file is registered
        typed = registry.card_type_of(session, current_parameters(session), "3104000000001234")
        assert typed.known and typed.rules.code == 2


def current_parameters(session):
    from clearing.parameters import current  # noqa: PLC0415

    return current(session)


def _publish_caps(device, **caps) -> None:
    center = device.client.app.state.center
    document = DEFAULT_PARAMETERS.model_copy(update={"online": OnlineCaps(**caps)})
    with center.sessions.begin() as session:
        publish(session, document, center.now_us())


def test_daily_online_caps_per_card_and_per_device(issuing, make_rig, clock):
    _publish_caps(issuing, device_daily_fen=30_000, card_daily_fen=20_000)
    first = make_rig(serial=bytes.fromhex("3104000000000001")).open()
    second = make_rig(serial=bytes.fromhex("3104000000000002")).open()
    for card in (first, second):
        register(issuing, card.serial.hex().upper(), 1)
    terminal = bytes.fromhex(issuing.terminal_id)

    def ask(card, amount):
        init = card.initialize_for_load(amount, terminal)
        return issuing.request("POST", AUTHORIZE, _request(card, init))

    assert ask(first, 10_000).status_code == 200
    assert ask(first, 10_000).status_code == 200
    refused = ask(first, 10_000)
    assert refused.status_code == 422 and "card 3104000000000001" in refused.json()["detail"]
    refused = ask(second, 20_000)
    assert refused.status_code == 422 and "device DEV-1" in refused.json()["detail"]
    assert _grants(issuing) == 2
    assert ask(second, 10_000).status_code == 200
    clock.advance(timedelta(days=1))  # a new business day
    assert ask(first, 10_000).status_code == 200


def test_a_grant_without_its_records_raises_an_alarm(issuing, rig, clock):
    card = rig.open()
    register(issuing, card.serial.hex().upper(), 1)
    init = card.initialize_for_load(2_000, bytes.fromhex(issuing.terminal_id))
    assert issuing.request("POST", AUTHORIZE, _request(card, init)).status_code == 200
    center = issuing.client.app.state.center
    assert reconcile_now(center) == (0, 0)  # not overdue yet
    clock.advance(timedelta(days=1, seconds=1))
    assert reconcile_now(center) == (0, 1)
    assert reconcile_now(center) == (0, 0)  # one alarm per grant
    with center.sessions.begin() as session:
        (alarm,) = session.scalars(select(GrantAlarmRow)).all()
        assert (alarm.device_id, alarm.card_serial, alarm.amount_fen) == (
            "DEV-1",
            card.serial.hex().upper(),
            2_000,
        )
        assert "no uploaded load intent" in alarm.reason
    lines = [json.loads(line) for line in alarm_lines(center)]
    assert [line["type"] for line in lines] == ["grant_alarm"]
    assert lines[0]["amount_fen"] == 2_000


@pytest.fixture
def issuing(tmp_path, clock, db_url, des_issuer, sm4_issuer):
    """A center with the virtual cards' issuer keys (on each database) and device DEV-1."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from app.crypto.keystore import Keystore  # noqa: PLC0415
    from clearing.app import create_app  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415
    from tests.clearing.test_clearing_online import CHEAP_KDF  # noqa: PLC0415

    path = tmp_path / "issuer.keystore"
    entries = {**des_issuer.keystore_entries(), **sm4_issuer.keystore_entries()}
    Keystore.create(path, "pw", entries, CHEAP_KDF)
    settings = Settings(db_url=db_url, clock=clock, issuer_keystore=path, issuer_passphrase="pw")
    with TestClient(create_app(settings)) as client:
        yield enrol(client, client.app.state.center, clock)


def _online_load(issuing, rig, journal, amount, *, journaled_amount=None):
    """A real online top-up: MAC2 from the center, CREDIT on the card, records as a counter."""
    from datetime import datetime  # noqa: PLC0415

    from app.card.sam import LoadAuthorization  # noqa: PLC0415
    from app.services.topup import MAC_PATH_CENTER, done_entry, intent_entry  # noqa: PLC0415
    from tests.services.counter_support import CHINA, CLERK  # noqa: PLC0415

    card = rig.open()
    init = card.initialize_for_load(amount, bytes.fromhex(issuing.terminal_id))
    answer = issuing.request("POST", AUTHORIZE, _request(card, init)).json()
    when = datetime.fromisoformat(answer["card_time"])
    tac = card.credit_for_load(when, bytes.fromhex(answer["mac2"]))
    local = when.astimezone(CHINA).replace(tzinfo=None)
    auth = LoadAuthorization.from_init(card.serial, init, local)
    if journaled_amount is not None:
        import dataclasses  # noqa: PLC0415

        auth = dataclasses.replace(auth, amount_fen=journaled_amount)
    intent = journal.append(
        intent_entry(
            CLERK,
            1,
            auth,
            bytes.fromhex(answer["mac2"]),
            "cash",
            None,
            mac_path=MAC_PATH_CENTER,
            center_authorization=answer["authorization_id"],
        )
    )
    outcome = journal.append(done_entry(intent, init.balance_fen + amount, tac))
    return [intent, outcome]


def test_a_grant_matched_by_its_uploaded_records_raises_nothing(issuing, rig, clock, tmp_path):
    from tests.clearing.support import batch  # noqa: PLC0415

    register(issuing, rig.open().serial.hex().upper(), 1)
    with issuing.journal(tmp_path / "j.sqlite3") as journal:
        _online_load(issuing, rig, journal, 2_000)
        answer = issuing.request("POST", "/v1/journal/batches", batch(journal.records()))
        assert answer.status_code == 200 and answer.json()["quarantined"] == []
    center = issuing.client.app.state.center
    clock.advance(timedelta(days=2))
    assert reconcile_now(center) == (1, 0)
    assert list(alarm_lines(center)) == []


def test_a_grant_journaled_with_another_amount_raises_an_alarm(issuing, rig, tmp_path):
    from tests.clearing.support import batch  # noqa: PLC0415

    register(issuing, rig.open().serial.hex().upper(), 1)
    with issuing.journal(tmp_path / "j.sqlite3") as journal:
        _online_load(issuing, rig, journal, 2_000, journaled_amount=1_000)
        issuing.request("POST", "/v1/journal/batches", batch(journal.records()))
    center = issuing.client.app.state.center
    assert reconcile_now(center) == (0, 1)  # at once: no need to wait for a wrong amount
    (alarm,) = [a for a in map(json.loads, alarm_lines(center)) if a["type"] == "grant_alarm"]
    assert "says 1000 fen, the center granted 2000" in alarm["reason"]


def test_a_balance_transfer_is_the_lost_cards_settled_balance_once(
    issuing, make_rig, clock, tmp_path
):
    from tests.clearing.support import batch  # noqa: PLC0415

    lost = make_rig(serial=bytes.fromhex("3104000000000011"))
    new = make_rig(serial=bytes.fromhex("3104000000000012")).open()
    lost_serial = "3104000000000011"
    register(issuing, lost_serial, 1)
    with issuing.journal(tmp_path / "j.sqlite3") as journal:
        _online_load(issuing, lost, journal, 2_000)  # the lost card held 7,000 fen
        issuing.request("POST", "/v1/journal/batches", batch(journal.records()))
    issuing.request("POST", "/v1/loss-reports", {"card_serial": lost_serial})
    terminal = bytes.fromhex(issuing.terminal_id)

    def transfer(amount):
        init = new.initialize_for_load(amount, terminal)
        body = _request(new, init, transfer_from=lost_serial)
        return issuing.request("POST", AUTHORIZE, body)

    early = transfer(7_000)
    assert early.status_code == 422 and "waiting period" in early.json()["detail"]
    clock.advance(timedelta(days=8))
    assert transfer(7_001).status_code == 422  # more than the settled balance
    assert transfer(7_000).status_code == 200  # no sale limits, no daily caps: the balance
    again = transfer(1_000)
    assert again.status_code == 422 and "already transferred" in again.json()["detail"]


# -- the approval behind a cancellation --------------------------------------------------------


def _cancel_with(east1, approval: str) -> int:
    report = east1.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    target = f"/v1/loss-reports/{report['id']}?approval={approval.replace('#', '%23')}"
    assert east1.request("DELETE", target).status_code == 200
    return int(report["id"])


def _tamper_reasons(center) -> list[str]:
    return [
        a["reason"] for a in map(json.loads, alarm_lines(center)) if a["type"] == "tamper_alarm"
    ]


def test_a_cancellation_proven_by_its_journaled_record_raises_nothing(
    outlets, center, clock, tmp_path
):
    from app.journal import Entry, RecordKind  # noqa: PLC0415
    from tests.clearing.support import batch  # noqa: PLC0415

    east1 = outlets[0]
    with east1.journal(tmp_path / "j.sqlite3") as journal:
        cancel = journal.append(
            Entry(RecordKind.LOSS_CANCEL, operator="sup", card_serial=CARD, payload={})
        )
        _cancel_with(east1, f"EAST-1#{cancel.seq}")
        assert reconcile_now(center) == (0, 0)  # not uploaded yet, not overdue: wait
        east1.request("POST", "/v1/journal/batches", batch(journal.records()))
    assert reconcile_now(center) == (0, 0)
    assert _tamper_reasons(center) == []


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("EAST-2#1", "names device EAST-2, not EAST-1"),
        ("EAST-1#1", "is a genesis record, not an approval"),
        ("EAST-1#99", "has not uploaded seq 99"),
    ],
)
def test_a_cancellation_without_its_approval_raises_a_tamper_alarm(
    outlets, center, clock, tmp_path, reference, problem
):
    from tests.clearing.support import batch  # noqa: PLC0415

    east1 = outlets[0]
    with east1.journal(tmp_path / "j.sqlite3") as journal:
        east1.request("POST", "/v1/journal/batches", batch(journal.records()))  # the genesis
    _cancel_with(east1, reference)
    clock.advance(timedelta(days=1, seconds=1))
    assert reconcile_now(center) == (0, 1)
    assert reconcile_now(center) == (0, 0)  # once
    (reason,) = _tamper_reasons(center)
    assert problem in reason and "without a proven approval" in reason


def _at_c0003(db_url: str, devices: list[tuple[str, str]]) -> None:
    """A center database as c0003 left it, holding ``devices`` (id, terminal id)."""
    from alembic import command  # noqa: PLC0415
    from sqlalchemy import text  # noqa: PLC0415

    from clearing.database import _alembic_config, make_engine  # noqa: PLC0415

    engine = make_engine(db_url)
    config = _alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "c0003")
            for number, (device_id, terminal) in enumerate(devices):
                conn.execute(
                    text(
                        "INSERT INTO device (device_id, terminal_id, public_key, enrolled_at_us, "
                        "head_seq, head_mac, head_at_us, next_key_id) VALUES "
                        "(:d, :t, :k, 0, 0, :m, 0, '')"
                    ),
                    {"d": device_id, "t": terminal, "k": bytes([number]) * 64, "m": bytes(32)},
                )
    finally:
        engine.dispose()


def test_the_upgrade_makes_enrolled_devices_active_outlets_of_their_own(tmp_path):
    from clearing.center import open_center  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415

    db_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    _at_c0003(db_url, [("OLD-1", "0102030405A1"), ("OLD-2", "0102030405A2")])
    center = open_center(Settings(db_url=db_url))
    try:
        with center.sessions.begin() as session:
            rows = session.scalars(select(DeviceRow).order_by(DeviceRow.device_id)).all()
            assert [(r.device_id, r.status, r.outlet) for r in rows] == [
                ("OLD-1", "active", None),
                ("OLD-2", "active", None),
            ]
    finally:
        center.close()


def test_the_upgrade_refuses_terminal_ids_shared_by_devices(tmp_path):
    from clearing.center import open_center  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415

    db_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    _at_c0003(db_url, [("OLD-1", "0102030405A1"), ("OLD-2", "0102030405A1")])
    with pytest.raises(RuntimeError, match=r"0102030405A1.*re-enrol"):
        open_center(Settings(db_url=db_url))
