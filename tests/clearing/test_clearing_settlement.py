"""Settlement per outlet and business day (UTC+8): totals, done money, grey records, CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from app.journal import Entry, RecordKind
from clearing.cli import main
from clearing.settlement import SettlementError, close_day, settlement, settlement_csv
from tests.clearing.support import batch, enrol, load

CARD = "3100000000000001"
DAY = "2026-11-28"  # the clock starts at 09:00 in Beijing that day


def _grey_intent(journal, serial, amount, method):
    return journal.append(
        Entry(RecordKind.LOAD_INTENT, card_serial=serial, amount_fen=amount, payment_method=method)
    )


@pytest.fixture
def day_uploaded(device, clock, tmp_path):
    with device.journal(tmp_path / "journal.sqlite3") as j:
        load(j, CARD, 5_000)
        load(j, CARD, 2_000, balance_before=5_000, method="wechat")
        load(j, CARD, 9_000, balance_before=7_000, done=False)
        grey = _grey_intent(j, "3100000000000002", 3_000, "alipay")
        clock.advance(timedelta(hours=15, minutes=30))  # 00:30 the next day in Beijing
        load(j, CARD, 1_000, balance_before=7_000)
        answer = device.request("POST", "/v1/journal/batches", batch(j.records()))
        assert answer.json()["quarantined"] == []
        yield grey


def _lines(outlet):
    return {
        (t["kind"], t["payment_method"]): (t["count"], t["amount_fen"]) for t in outlet["totals"]
    }


def test_the_day_of_an_outlet(device, day_uploaded):
    answer = device.request("GET", f"/v1/settlement?date={DAY}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["date"] == DAY and body["timezone"] == "UTC+08:00"
    [outlet] = body["outlets"]
    assert outlet["device_id"] == device.device_id
    lines = _lines(outlet)
    assert lines[("load_done", "cash")] == (1, 5_000)
    assert lines[("load_done", "wechat")] == (1, 2_000)
    assert lines[("load_intent", "cash")] == (2, 14_000)  # the done 5,000 and the not-done 9,000
    assert lines[("load_intent", "alipay")] == (1, 3_000)
    assert lines[("load_outcome", None)] == (3, 0)
    assert [g["seq"] for g in outlet["grey"]] == [day_uploaded.seq]
    assert outlet["grey"][0]["amount_fen"] == 3_000


def test_a_record_after_midnight_in_beijing_belongs_to_the_next_day(device, day_uploaded):
    [outlet] = device.request("GET", "/v1/settlement?date=2026-11-29").json()["outlets"]
    assert _lines(outlet) == {
        ("load_intent", "cash"): (1, 1_000),
        ("load_outcome", None): (1, 0),
        ("load_done", "cash"): (1, 1_000),
    }
    assert outlet["grey"] == []


def test_an_outcome_uploaded_later_takes_the_intent_out_of_grey(device, clock, tmp_path):
    with device.journal(tmp_path / "j.sqlite3") as j:
        intent = _grey_intent(j, CARD, 1_000, "cash")
        device.request("POST", "/v1/journal/batches", batch(j.records()))
        grey = device.request("GET", f"/v1/settlement?date={DAY}").json()["outlets"][0]["grey"]
        assert [g["seq"] for g in grey] == [intent.seq]
        j.append(Entry(RecordKind.LOAD_OUTCOME, card_serial=CARD, intent_seq=intent.seq,
                       balance_after_fen=1_000, payload={"outcome": "done"}))  # fmt: skip
        device.request("POST", "/v1/journal/batches", batch(j.records()))
    outlet = device.request("GET", f"/v1/settlement?date={DAY}").json()["outlets"][0]
    assert outlet["grey"] == []
    assert _lines(outlet)[("load_done", "cash")] == (1, 1_000)


def test_settlement_as_csv(device, day_uploaded):
    answer = device.request("GET", f"/v1/settlement?date={DAY}&format=csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert f"settlement-{device.device_id}-{DAY}.csv" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    totals = [r for r in rows if r["line"] == "total"]
    grey = [r for r in rows if r["line"] == "grey"]
    done_cash = next(
        r for r in totals if r["kind"] == "load_done" and r["payment_method"] == "cash"
    )
    assert (done_cash["count"], done_cash["amount_fen"]) == ("1", "5000")
    assert [(g["seq"], g["card_serial"], g["amount_fen"]) for g in grey] == [
        (str(day_uploaded.seq), "3100000000000002", "3000")
    ]
    assert all(r["date"] == DAY and r["device_id"] == device.device_id for r in rows)


@pytest.mark.parametrize("date", ["2026-02-30", "28-11-2026", "2026-11-28T00:00"])
def test_a_bad_date_is_422(device, date):
    assert device.request("GET", f"/v1/settlement?date={date}").status_code == 422


def test_an_outlet_sees_only_itself_and_the_cli_sees_all(
    device, day_uploaded, client, center, clock, db_url, capsys
):
    other = enrol(client, center, clock, "DEV-2", "0102030405A2")
    [mine] = device.request("GET", f"/v1/settlement?date={DAY}").json()["outlets"]
    assert mine["device_id"] == device.device_id
    [theirs] = other.request("GET", f"/v1/settlement?date={DAY}").json()["outlets"]
    assert theirs == {"device_id": "DEV-2", "terminal_id": "0102030405A2", "totals": [], "grey": [],
                      "adjustments": []}  # fmt: skip
    assert main(["settlement", "--db", db_url, "--date", DAY, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["device_id"] for r in rows} == {device.device_id}  # DEV-2 had no records
    assert main(["settlement", "--db", db_url, "--date", "nonsense"]) == 1


NEXT = "2026-11-29"


def test_a_closed_day_stays_as_reported_and_late_records_adjust_the_day_they_arrive(
    device, client, center, clock, tmp_path
):
    offline = enrol(client, center, clock, "DEV-2", "0102030405A2")
    with device.journal(tmp_path / "a.sqlite3") as a, offline.journal(tmp_path / "b.sqlite3") as b:
        load(a, CARD, 5_000)
        grey = _grey_intent(a, "3100000000000002", 3_000, "alipay")
        load(b, "3100000000000003", 2_000, method="wechat")  # this counter stays offline
        assert device.request("POST", "/v1/journal/batches", batch(a.records())).status_code == 200
        with pytest.raises(SettlementError, match="not over yet"):
            close_day(center, DAY)
        clock.advance(timedelta(hours=16))  # 01:00 the next day in Beijing
        closed = close_day(center, DAY)
        assert closed.closed_at is not None
        assert [o.device_id for o in closed.outlets] == [device.device_id]
        assert [g.seq for g in closed.outlets[0].grey] == [grey.seq]
        a.append(Entry(RecordKind.LOAD_OUTCOME, card_serial="3100000000000002",
                       balance_after_fen=3_000, tac=b"\x01\x02\x03\x04", intent_seq=grey.seq,
                       payload={"outcome": "done"}))  # fmt: skip
        clock.advance(timedelta(hours=1))
        for dev, journal in ((device, a), (offline, b)):
            answer = dev.request("POST", "/v1/journal/batches", batch(journal.records()))
            assert answer.status_code == 200 and answer.json()["quarantined"] == [], answer.text
    assert settlement(center, DAY, None) == closed  # as reported, late arrivals and all
    assert close_day(center, DAY) == closed  # closing again changes nothing
    later = {o.device_id: o for o in settlement(center, NEXT, None).outlets}
    # the grey intent's outcome was written the next day: money of that day, not a late record
    # (the closed day keeps the intent grey, as it was reported)
    mine = later[device.device_id]
    assert [(x.kind, x.payment_method, x.count, x.amount_fen) for x in mine.totals] == [
        ("load_done", "alipay", 1, 3_000), ("load_outcome", None, 1, 0)]  # fmt: skip
    assert mine.adjustments == [] and later["DEV-2"].totals == []
    theirs = [(x.of_date, x.kind, x.payment_method, x.count, x.amount_fen)
              for x in later["DEV-2"].adjustments]  # fmt: skip
    assert theirs == [
        (DAY, "genesis", None, 1, 0),
        (DAY, "load_done", "wechat", 1, 2_000),
        (DAY, "load_intent", "wechat", 1, 2_000),
        (DAY, "load_outcome", None, 1, 0),
    ]
    assert settlement(center, NEXT, None).closed_at is None
    rows = list(csv.DictReader(io.StringIO(settlement_csv(settlement(center, NEXT, "DEV-2")))))
    assert {(r["line"], r["of_date"]) for r in rows} == {("adjustment", DAY)}


def test_the_cli_closes_a_day_that_is_over(device, day_uploaded, db_url, capsys):
    assert main(["settlement", "--db", db_url, "--date", DAY, "--close"]) == 0
    assert '"closed_at": "20' in capsys.readouterr().out
    assert main(["settlement", "--db", db_url, "--date", "2999-01-01", "--close"]) == 1
