"""Journal upload: verified, idempotent, quarantined, tamper alarms, key rotation, checkpoints."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal, JournalKeys
from app.journal.records import record_json
from clearing.cli import main
from clearing.models import (
    CardLedgerRow,
    DeviceCheckpointRow,
    QuarantineRow,
    RecordRow,
    TamperAlarmRow,
)
from tests.clearing.support import batch, load, remac, unwrap

UPLOAD = "/v1/journal/batches"
CARD = "3100000000000001"


@pytest.fixture
def journal(device, tmp_path):
    with device.journal(tmp_path / "journal.sqlite3") as j:
        load(j, CARD, 5_000)
        load(j, CARD, 2_000, balance_before=5_000)
        load(j, "3100000000000002", 1_000, done=False)
        yield j


def _count(center, model, **where) -> int:
    with center.sessions.begin() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def test_a_journal_uploads_and_is_acknowledged(device, journal, center):
    records = journal.records()
    answer = device.request("POST", UPLOAD, batch(records))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "acknowledged_seq": 7,
        "accepted": 7,
        "duplicates": 0,
        "quarantined": [],
        "checkpoint": None,
    }
    with center.sessions.begin() as session:
        held = session.scalars(select(RecordRow).order_by(RecordRow.seq)).all()
        assert [record_json(r) == record_json(o) for r, o in zip(records, held, strict=True)]
        assert [r.mac for r in held] == [r.mac for r in records]
    cursor = device.request("GET", "/v1/journal/cursor").json()
    assert cursor == {"acknowledged_seq": 7, "next_key_id": device.keys.current_key_id}


def test_the_same_batch_twice_is_acknowledged_once_stored(device, journal, center):
    body = batch(journal.records())
    first = device.request("POST", UPLOAD, body).json()
    second = device.request("POST", UPLOAD, body)
    assert second.status_code == 200
    assert second.json()["acknowledged_seq"] == first["acknowledged_seq"] == 7
    assert second.json()["accepted"] == 0 and second.json()["duplicates"] == 7
    assert _count(center, RecordRow) == 7
    assert _count(center, CardLedgerRow) == 2


def test_overlapping_and_shuffled_batches(device, journal):
    records = journal.records()
    assert device.request("POST", UPLOAD, batch(records[:3])).json()["acknowledged_seq"] == 3
    shuffled = list(reversed(records[1:]))
    answer = device.request("POST", UPLOAD, batch(shuffled)).json()
    assert answer == {
        "acknowledged_seq": 7,
        "accepted": 4,
        "duplicates": 2,
        "quarantined": [],
        "checkpoint": None,
    }


def test_a_gap_is_quarantined_until_the_missing_records_come(device, journal, center):
    records = journal.records()
    late = device.request("POST", UPLOAD, batch(records[4:])).json()
    assert late["acknowledged_seq"] == 0 and late["accepted"] == 0
    assert late["quarantined"][0] == {
        "seq": 5,
        "reason": "gap: record 1..4 missing before this one",
        "held": False,
    }
    assert [q["seq"] for q in late["quarantined"]] == [5, 6, 7]
    assert "not checked" in late["quarantined"][1]["reason"]
    assert _count(center, QuarantineRow) == 3
    assert device.request("POST", UPLOAD, batch(records[:4])).json()["acknowledged_seq"] == 4
    assert device.request("POST", UPLOAD, batch(records[4:])).json()["acknowledged_seq"] == 7


def test_a_forged_record_is_quarantined_never_acknowledged(device, journal, center):
    objects = [record_json(r) for r in journal.records()]
    objects[3]["amount_fen"] = 500_000  # seq 4: the second top-up, made larger
    answer = device.request("POST", UPLOAD, batch(objects)).json()
    assert answer["acknowledged_seq"] == 3
    assert answer["accepted"] == 3
    assert answer["quarantined"][0] == {
        "seq": 4,
        "reason": "MAC does not match the contents: the record was altered",
        "held": False,
    }
    assert [q["seq"] for q in answer["quarantined"]] == [4, 5, 6, 7]
    with center.sessions.begin() as session:
        rows = session.scalars(select(QuarantineRow).order_by(QuarantineRow.seq)).all()
        assert [r.seq for r in rows] == [4, 5, 6, 7]
        assert '"amount_fen":500000' in rows[0].record
    assert _count(center, RecordRow) == 3
    again = device.request("POST", UPLOAD, batch(objects)).json()
    assert again["acknowledged_seq"] == 3
    assert _count(center, QuarantineRow) == 4  # the same bad records are logged once


def test_a_record_maced_with_a_key_the_center_never_issued_is_quarantined(device, journal):
    objects = [record_json(r) for r in journal.records()]
    objects[1] = remac(objects[1], b"\x00" * 32)
    answer = device.request("POST", UPLOAD, batch(objects)).json()
    assert answer["acknowledged_seq"] == 1
    assert answer["quarantined"][0]["reason"].startswith("MAC does not match")


def test_a_broken_chain_is_quarantined(device, journal):
    objects = [record_json(r) for r in journal.records()]
    del objects[2]  # seq 3 missing: seq 4 now claims to follow seq 2
    objects[2]["seq"] = 3
    answer = device.request("POST", UPLOAD, batch(objects)).json()
    assert answer["acknowledged_seq"] == 2
    assert answer["quarantined"][0]["reason"].startswith("chain broken")


def test_the_same_seq_with_another_mac_is_409_with_an_alarm(
    device, journal, center, db_url, capsys
):
    records = journal.records()
    assert device.request("POST", UPLOAD, batch(records[:4])).json()["acknowledged_seq"] == 4
    rewritten = record_json(records[3])
    rewritten["amount_fen"] = 1  # the device rewrote history, and even MAC'd it properly
    rewritten = remac(rewritten, device.keys.mac_keys[device.keys.current_key_id])
    answer = device.request("POST", UPLOAD, batch([rewritten, *records[4:]]))
    assert answer.status_code == 409
    body = answer.json()
    assert body["conflicts"] == [
        {"seq": 4, "stored_mac": records[3].mac.hex().upper(), "offered_mac": rewritten["mac"]}
    ]
    assert "tamper alarm" in body["detail"]
    with center.sessions.begin() as session:
        alarm = session.scalars(select(TamperAlarmRow)).one()
        assert (alarm.device_id, alarm.seq) == (device.device_id, 4)
        assert alarm.stored_mac == records[3].mac
        assert alarm.offered_mac == bytes.fromhex(rewritten["mac"])
    assert _count(center, RecordRow) == 4  # seq 5..7 of that batch were not taken
    assert main(["alarms", "--db", db_url]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["type"] == "tamper_alarm" and json.loads(line)["seq"] == 4
    cursor = device.request("GET", "/v1/journal/cursor").json()
    assert cursor["acknowledged_seq"] == 4


def test_the_same_mac_with_other_content_is_also_a_conflict(device, journal):
    records = journal.records()
    device.request("POST", UPLOAD, batch(records[:2]))
    changed = record_json(records[1])
    changed["operator"] = "someone else"
    assert device.request("POST", UPLOAD, batch([changed])).status_code == 409


def test_records_of_another_device_are_refused_whole(device, journal, center):
    objects = [record_json(r) for r in journal.records()]
    objects[2]["device_id"] = "DEV-OTHER"
    answer = device.request("POST", UPLOAD, batch(objects))
    assert answer.status_code == 422
    assert "belongs to device 'DEV-OTHER'" in answer.json()["detail"]
    assert _count(center, RecordRow) == 0
    assert _count(center, QuarantineRow) == 0


def test_a_seq_twice_in_one_batch_with_different_content_is_refused(device, journal):
    objects = [record_json(r) for r in journal.records()]
    twin = dict(objects[1], operator="x")
    answer = device.request("POST", UPLOAD, batch([*objects, twin]))
    assert answer.status_code == 422
    assert "appears twice" in answer.json()["detail"]


def test_wrong_types_and_unknown_fields_are_422(device, journal):
    obj = record_json(journal.records()[0])
    for bad in ({"seq": "1"}, {"seq": True}, {"amount_fen": 1.5}, {"mac": "XYZ"}, {"extra": 1}):
        answer = device.request("POST", UPLOAD, {"records": [dict(obj, **bad)]})
        assert answer.status_code == 422, bad
    missing = dict(obj)
    del missing["key_id"]
    assert device.request("POST", UPLOAD, {"records": [missing]}).status_code == 422


def test_the_genesis_must_name_the_enrolled_device_key(client, center, clock, tmp_path):
    from tests.clearing.support import enrol  # noqa: PLC0415

    device = enrol(client, center, clock, "DEV-2", "0102030405A2")
    other_key = JournalKeys(dict(device.keys.mac_keys), device.keys.current_key_id,
                            Sm2PrivateKey.generate())  # fmt: skip
    with Journal.create(tmp_path / "j2.sqlite3", other_key, "DEV-2", "0102030405A2") as j:
        records = j.records()
    answer = device.request("POST", UPLOAD, batch(records)).json()
    assert answer["acknowledged_seq"] == 0
    assert answer["quarantined"][0]["reason"] == (
        "the genesis record names another device key than the enrolled one"
    )


def test_rotation_to_a_key_the_center_issued(device, journal, center):
    issued = device.request("POST", "/v1/keys/rotate").json()
    new_keys = JournalKeys(
        {
            **device.keys.mac_keys,
            issued["key_id"]: unwrap(device.keys.device_key, issued["wrapped_key"]),
        },
        issued["key_id"],
        device.keys.device_key,
    )
    journal.rotate_key(new_keys)
    load(journal, CARD, 3_000, balance_before=7_000)
    answer = device.request("POST", UPLOAD, batch(journal.records())).json()
    assert answer["quarantined"] == []
    assert answer["acknowledged_seq"] == 10
    cursor = device.request("GET", "/v1/journal/cursor").json()
    assert cursor["next_key_id"] == issued["key_id"]


def test_rotation_to_a_key_of_the_devices_own_making_is_quarantined(device, journal):
    journal.rotate_key(device.keys.with_new_mac_key())
    load(journal, CARD, 3_000, balance_before=7_000)
    answer = device.request("POST", UPLOAD, batch(journal.records())).json()
    assert answer["acknowledged_seq"] == 7
    assert answer["quarantined"][0]["seq"] == 8
    assert "did not issue" in answer["quarantined"][0]["reason"]


def test_checkpoints_are_verified_and_stored(device, journal, center):
    checkpoint = journal.checkpoint()
    records = journal.records()
    early = device.request("POST", UPLOAD, batch(records[:3], checkpoint)).json()
    assert early["checkpoint"]["status"] == "pending"
    answer = device.request("POST", UPLOAD, batch(records[3:], checkpoint)).json()
    assert answer["checkpoint"] == {
        "number": checkpoint.number,
        "status": "accepted",
        "reason": None,
    }
    again = device.request("POST", UPLOAD, batch([], checkpoint)).json()
    assert again["checkpoint"]["status"] == "duplicate"
    assert _count(center, DeviceCheckpointRow) == 1


def test_a_checkpoint_with_a_bad_signature_is_rejected(device, journal, center):
    checkpoint = journal.checkpoint()
    body = batch(journal.records(), checkpoint)
    totals = json.loads(body["checkpoint"]["totals"])
    totals["load_intent"] += 1
    body["checkpoint"]["totals"] = json.dumps(totals, sort_keys=True, separators=(",", ":"))
    answer = device.request("POST", UPLOAD, body).json()
    assert answer["acknowledged_seq"] == 7
    assert answer["checkpoint"]["status"] == "rejected"
    assert "signature" in answer["checkpoint"]["reason"]
    assert _count(center, DeviceCheckpointRow) == 0


def test_a_signed_checkpoint_that_disagrees_with_the_records_raises_an_alarm(
    device, journal, center
):
    from app.journal.canonical import CHECKPOINT_FIELDS, checkpoint_bytes  # noqa: PLC0415

    checkpoint = journal.checkpoint()
    body = batch(journal.records(), checkpoint)
    cp = body["checkpoint"]
    totals = json.loads(cp["totals"])
    totals["load_intent"] -= 1_000  # a device that signs what it did not record
    cp["totals"] = json.dumps(totals, sort_keys=True, separators=(",", ":"))
    blobs = {"head_mac", "batch_digest", "prev_signature", "public_key"}
    values = [bytes.fromhex(cp[n]) if n in blobs else cp[n] for n, _ in CHECKPOINT_FIELDS]
    cp["signature"] = device.keys.device_key.sign(checkpoint_bytes(values)).hex().upper()
    answer = device.request("POST", UPLOAD, body).json()
    assert answer["checkpoint"]["status"] == "rejected"
    assert "totals" in answer["checkpoint"]["reason"]
    assert _count(center, TamperAlarmRow, device_id=device.device_id) == 1
