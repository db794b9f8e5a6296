"""Staff records travel with the journal: the center stores them and lists a device's operators.

A real counter journal (the enrolled device's keys) and store, the operator service writing the
staff records, the upload over the test client to a real center database.
"""

from __future__ import annotations

import json

import pytest

from app.crypto.passwords import PasswordHashParams
from app.domain.people import Role
from app.journal import RecordKind
from app.journal.records import record_json
from app.services.operators import OperatorService
from app.store.database import Store
from clearing.cli import main
from clearing.staff import device_staff
from tests.clearing.support import batch

UPLOAD = "/v1/journal/batches"
CHEAP = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)


@pytest.fixture
def journal(device, tmp_path):
    with (
        device.journal(tmp_path / "journal.sqlite3") as j,
        Store.create(tmp_path / "counter.sqlite3") as store,
    ):
        operators = OperatorService(store, j, password_params=CHEAP)
        operators.create_first_admin("admin", "管理员", "Root-pass-2468")
        admin = operators.sign_in("admin", "Root-pass-2468")
        operators.create_operator(admin, "clerk1", "王芳", Role.CLERK, "Blue-tram-9876")
        operators.create_operator(admin, "clerk2", "张三", Role.CLERK, "Green-bus-1357")
        operators.change_role(admin, "clerk2", Role.SUPERVISOR)
        operators.lock(admin, "clerk1")
        yield j


def test_staff_records_upload_and_the_center_lists_the_operators(
    device, journal, center, db_url, capsys
):
    records = journal.records()
    answer = device.request("POST", UPLOAD, batch(records))
    assert answer.status_code == 200, answer.text
    assert answer.json()["quarantined"] == []
    assert answer.json()["acknowledged_seq"] == records[-1].seq
    with center.sessions.begin() as session:
        listed = {e.username: e for e in device_staff(session, device.device_id)}
    assert {n: (e.role, e.locked) for n, e in listed.items()} == {
        "admin": (Role.ADMIN, False),
        "clerk1": (Role.CLERK, True),
        "clerk2": (Role.SUPERVISOR, False),
    }
    assert main(["device-staff", "--db", db_url, "--device", device.device_id]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[:3] == ["admin", "admin", "active"]
    assert out[1].split("\t")[:3] == ["clerk1", "clerk", "locked"]


def test_a_staff_record_raised_on_the_way_is_quarantined_and_changes_nothing(
    device, journal, center
):
    objects = [record_json(r) for r in journal.records()]
    clerk = next(
        o
        for o in objects
        if o["kind"] == RecordKind.STAFF and json.loads(o["payload"])["username"] == "clerk1"
    )
    payload = json.loads(clerk["payload"])
    payload["role"] = "admin"
    clerk["payload"] = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    answer = device.request("POST", UPLOAD, batch(objects)).json()
    assert answer["quarantined"][0]["seq"] == clerk["seq"]
    assert answer["quarantined"][0]["reason"].startswith("MAC does not match")
    with center.sessions.begin() as session:
        listed = {e.username: e.role for e in device_staff(session, device.device_id)}
    assert "clerk1" not in listed  # nothing after the forged record was taken
