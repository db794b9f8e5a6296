"""Card ledgers, loss reports, blacklist deltas, parameters and settled balances."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from clearing.cli import main
from clearing.parameters import DEFAULT_PARAMETERS
from tests.clearing.support import batch, load

CARD = "3100000000000001"
OTHER = "3100000000000002"


@pytest.fixture
def uploaded(device, tmp_path):
    with device.journal(tmp_path / "journal.sqlite3") as j:
        load(j, CARD, 5_000)
        load(j, CARD, 2_000, balance_before=5_000, method="wechat")
        load(j, CARD, 9_000, balance_before=7_000, done=False)
        load(j, OTHER, 1_000)
        answer = device.request("POST", "/v1/journal/batches", batch(j.records()))
        assert answer.json()["acknowledged_seq"] == 9
        yield j


def test_the_ledger_holds_the_done_loads_with_their_intent_amounts(device, uploaded):
    ledger = device.request("GET", f"/v1/cards/{CARD}/ledger").json()
    assert [(e["kind"], e["amount_fen"], e["payment_method"], e["balance_after_fen"], e["seq"])
            for e in ledger["entries"]] == [
        ("load", 5_000, "cash", 5_000, 3),
        ("load", 2_000, "wechat", 7_000, 5),
    ]  # fmt: skip
    assert ledger["last_known_balance_fen"] == 7_000
    assert ledger["loads_total_fen"] == 7_000
    empty = device.request("GET", "/v1/cards/31000000000000FF/ledger").json()
    assert empty["entries"] == [] and empty["last_known_balance_fen"] is None


def test_a_card_serial_must_be_upper_case_hex(device):
    assert device.request("GET", "/v1/cards/31zz/ledger").status_code == 422


def test_loss_report_blacklists_and_cancel_takes_it_off(device):
    first = device.request("POST", "/v1/loss-reports", {"card_serial": CARD})
    assert first.status_code == 201
    report = first.json()
    assert report["status"] == "active" and report["reported_by"] == device.device_id
    assert report["blacklist_version"] == 1
    again = device.request("POST", "/v1/loss-reports", {"card_serial": CARD, "reason": "again"})
    assert again.status_code == 200 and again.json()["id"] == report["id"]
    assert device.request("GET", "/v1/blacklist?since=0").json() == {
        "version": 1, "since": 0, "full": True, "added": [CARD], "removed": []
    }  # fmt: skip
    cancelled = device.request("DELETE", f"/v1/loss-reports/{report['id']}?approval=DEV-1%2342")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["blacklist_version"] == 2
    assert cancelled.json()["cancel_approval"] == "DEV-1#42"
    assert device.request("GET", "/v1/blacklist?since=1").json() == {
        "version": 2, "since": 1, "full": False, "added": [], "removed": [CARD]
    }  # fmt: skip
    twice = device.request("DELETE", f"/v1/loss-reports/{report['id']}?approval=DEV-1%2342")
    assert twice.status_code == 200 and twice.json()["blacklist_version"] == 2
    assert device.request("GET", f"/v1/loss-reports/{report['id']}").json()["status"] == "cancelled"
    assert device.request("GET", "/v1/loss-reports/999").status_code == 404
    assert device.request("DELETE", "/v1/loss-reports/999?approval=DEV-1%2342").status_code == 404


def test_blacklist_deltas_by_version(device):
    a = device.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    device.request("POST", "/v1/loss-reports", {"card_serial": OTHER})
    device.request("DELETE", f"/v1/loss-reports/{a['id']}?approval=DEV-1%2342")
    third = "3100000000000003"
    device.request("POST", "/v1/loss-reports", {"card_serial": third})

    def delta(since):
        body = device.request("GET", f"/v1/blacklist?since={since}").json()
        return body["version"], body["full"], body["added"], body["removed"]

    assert delta(0) == (4, True, [OTHER, third], [])
    assert delta(1) == (4, False, [OTHER, third], [CARD])
    assert delta(2) == (4, False, [third], [CARD])
    assert delta(3) == (4, False, [third], [])
    assert delta(4) == (4, False, [], [])
    assert delta(99) == (4, True, [OTHER, third], [])  # a counter ahead of the center starts over
    assert device.request("GET", "/v1/blacklist?since=-1").status_code == 422


def test_the_blacklist_replayed_from_deltas_equals_the_full_list(device):
    held: set[str] = set()
    version = 0
    serials = [f"31000000000001{i:02X}" for i in range(6)]
    reports = {}
    for step, serial in enumerate(serials * 2):
        if serial in reports and step % 3:
            device.request("DELETE", f"/v1/loss-reports/{reports.pop(serial)}?approval=DEV-1%2342")
        elif serial not in reports:
            reports[serial] = device.request(
                "POST", "/v1/loss-reports", {"card_serial": serial}
            ).json()["id"]
        if step % 2:
            body = device.request("GET", f"/v1/blacklist?since={version}").json()
            if body["full"]:
                held = set()
            held = (held - set(body["removed"])) | set(body["added"])
            version = body["version"]
    body = device.request("GET", f"/v1/blacklist?since={version}").json()
    held = (held - set(body["removed"])) | set(body["added"])
    assert held == set(reports) == set(device.request("GET", "/v1/blacklist").json()["added"])


def test_parameters_are_versioned(device, db_url, tmp_path, capsys):
    first = device.request("GET", "/v1/parameters").json()
    assert first["version"] == 1
    assert first["replacement_waiting_days"] == 7
    assert first["offline"] == DEFAULT_PARAMETERS.offline.model_dump()
    assert [t["code"] for t in first["card_types"]] == [1, 2, 3]
    changed = DEFAULT_PARAMETERS.model_copy(update={"replacement_waiting_days": 3})
    path = tmp_path / "params.json"
    path.write_text(changed.model_dump_json(), "utf-8")
    assert main(["parameters", "--db", db_url, "--publish", str(path)]) == 0
    assert "version 2" in capsys.readouterr().out
    second = device.request("GET", "/v1/parameters").json()
    assert second["version"] == 2 and second["replacement_waiting_days"] == 3


def test_bad_parameters_are_not_published(device, db_url, tmp_path, capsys):
    document = json.loads(DEFAULT_PARAMETERS.model_dump_json())
    document["card_types"][0]["min_top_up_fen"] = 10**9  # above its maximum
    path = tmp_path / "params.json"
    path.write_text(json.dumps(document), "utf-8")
    assert main(["parameters", "--db", db_url, "--publish", str(path)]) == 1
    assert "min_top_up_fen exceeds max_top_up_fen" in capsys.readouterr().err
    assert device.request("GET", "/v1/parameters").json()["version"] == 1


def test_the_settled_balance_waits_for_the_waiting_period(device, uploaded, clock):
    not_lost = device.request("GET", f"/v1/cards/{CARD}/settled-balance")
    assert not_lost.status_code == 409
    assert "not reported lost" in not_lost.json()["detail"]
    report = device.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    waiting = device.request("GET", f"/v1/cards/{CARD}/settled-balance")
    assert waiting.status_code == 409
    assert "waiting period" in waiting.json()["detail"]
    assert report["waiting_until"][:10] in waiting.json()["detail"]
    clock.advance(timedelta(seconds=1))
    settled = device.request("GET", f"/v1/cards/{CARD}/settled-balance")
    assert settled.status_code == 200
    body = settled.json()
    assert body["settled_balance_fen"] == 7_000
    assert (body["as_of_device_id"], body["as_of_seq"]) == (device.device_id, 5)
    assert body["loss_report_id"] == report["id"]


def test_a_cancelled_report_has_no_settled_balance(device, uploaded, clock):
    report = device.request("POST", "/v1/loss-reports", {"card_serial": CARD}).json()
    device.request("DELETE", f"/v1/loss-reports/{report['id']}?approval=DEV-1%2342")
    clock.advance(timedelta(days=8))
    assert device.request("GET", f"/v1/cards/{CARD}/settled-balance").status_code == 409


def test_a_lost_card_never_seen_settles_at_zero(device, clock):
    device.request("POST", "/v1/loss-reports", {"card_serial": "31000000000000AA"})
    clock.advance(timedelta(days=7))
    body = device.request("GET", "/v1/cards/31000000000000AA/settled-balance").json()
    assert body["settled_balance_fen"] == 0 and body["as_of_seq"] is None
