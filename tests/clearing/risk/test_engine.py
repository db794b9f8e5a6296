"""The rules at the center: switched off and on by the published risk parameters, run again."""

from __future__ import annotations

import json

from sqlalchemy import select

from clearing.cli import main
from clearing.risk.models import RiskAlarmRow
from tests.clearing.support import batch, load

UPLOAD = "/v1/journal/batches"


def _alarms(center) -> list[tuple[str, str]]:
    with center.sessions.begin() as session:
        return [(r.rule, r.subject) for r in session.scalars(select(RiskAlarmRow))]


def test_a_rule_switched_off_stays_quiet_until_switched_on_and_run_again(
    center, device, db_url, tmp_path, capsys
):
    off = tmp_path / "off.json"
    off.write_text(json.dumps({"value_from_nowhere": {"enabled": False}}))
    assert main(["risk", "--db", db_url, "parameters", "--publish", str(off)]) == 0
    journal = device.journal(tmp_path / "journal.sqlite3")
    load(journal, "0102030405060708", 1_000)
    load(journal, "0102030405060708", 1_000, balance_before=40_000)  # 390 yuan from nowhere
    assert device.request("POST", UPLOAD, batch(journal.records())).status_code == 200
    journal.close()
    assert _alarms(center) == []

    on = tmp_path / "on.json"
    on.write_text(
        json.dumps({"value_from_nowhere": {"severity": "high"}, "silence": {"enabled": False}})
    )  # (the CLI runs on the real clock: this test's device looks silent to it)
    assert main(["risk", "--db", db_url, "parameters", "--publish", str(on)]) == 0
    assert main(["risk", "--db", db_url, "evaluate"]) == 0
    assert "390" in capsys.readouterr().out
    assert _alarms(center) == [("value_from_nowhere", "card:0102030405060708")]
    with center.sessions.begin() as session:
        assert session.scalars(select(RiskAlarmRow.severity)).one() == "high"
    assert main(["risk", "--db", db_url, "evaluate"]) == 0  # the same finding: no second alarm
    assert len(_alarms(center)) == 1


def test_bad_risk_parameters_are_refused_with_the_reason(db_url, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"velocity": {"outlets": 1}, "no_such_rule": {}}))
    assert main(["risk", "--db", db_url, "parameters", "--publish", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "velocity.outlets" in err and "no_such_rule" in err


def test_a_device_topping_up_offline_far_above_its_baseline(center, device, tmp_path):
    journal = device.journal(tmp_path / "journal.sqlite3")
    for n in range(20):
        load(journal, f"01020304050607{n:02d}", 1_000)  # intents without a path: offline (SAM)
    assert device.request("POST", UPLOAD, batch(journal.records())).status_code == 200
    assert _alarms(center) == [("offline_baseline", "device:DEV-1")]
    load(journal, "0102030405060799", 1_000)
    records = journal.records()
    journal.close()
    assert device.request("POST", UPLOAD, batch(records[-2:])).status_code == 200
    assert len(_alarms(center)) == 1  # one alarm per device and day


def test_the_server_sweeps_for_silent_devices_by_itself(db_url, clock, tmp_path):
    import time  # noqa: PLC0415
    from datetime import timedelta  # noqa: PLC0415

    from fastapi.testclient import TestClient  # noqa: PLC0415

    from clearing.app import create_app  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415
    from tests.clearing.support import enrol  # noqa: PLC0415

    settings = Settings(db_url=db_url, clock=clock, risk_sweep_interval=timedelta(seconds=0.1))
    with TestClient(create_app(settings)) as client:
        center = client.app.state.center  # type: ignore[attr-defined]
        device = enrol(client, center, clock)
        journal = device.journal(tmp_path / "journal.sqlite3")
        load(journal, "0102030405060708", 1_000)
        assert device.request("POST", UPLOAD, batch(journal.records())).status_code == 200
        journal.close()
        time.sleep(0.5)
        assert _alarms(center) == []
        clock.advance(timedelta(hours=25, minutes=1))
        deadline = time.monotonic() + 20
        while not _alarms(center) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alarms(center) == [("silence", "device:DEV-1")]
