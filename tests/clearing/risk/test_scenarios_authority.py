"""Seeded scenarios for the rules over the center authority's facts, through real uploads.

A grant the counter never journaled (the center's MAC2 asked for by the sync client with a real
virtual card's MAC1); a purse payment deleted from the journal before upload (its PSAM seq
missing). Each raises exactly its alarm; the fleet is the one of ``test_scenarios``.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from app.journal import Entry, RecordKind
from app.sync.models import LoadRequest
from clearing.center import open_center
from clearing.grants import reconcile_now
from clearing.risk.engine import sweep
from clearing.risk.models import RiskAlarmRow
from clearing.settings import Settings
from tests.clearing.risk.counters import Card, Counter, Fleet
from tests.support.cards import Rig


def test_a_grant_without_its_journal_records(fleet: Fleet, rig: Rig) -> None:
    counter = fleet.counter("DEV-A", "0102030405A1")
    card = rig.open()
    init = card.initialize_for_load(2_000, bytes.fromhex(counter.terminal_id))
    counter.client.server_time()  # sign with the center's (the scenario's) time
    granted = counter.client.authorize_load(
        LoadRequest(
            card_serial=card.serial.hex().upper(),
            algorithm=init.keys.algorithm.name,  # type: ignore[arg-type]
            key_version=init.keys.key_version,
            amount_fen=init.amount_fen,
            balance_fen=init.balance_fen,
            online_atc=init.online_atc,
            random=init.random,
            mac1=init.mac1,
        )
    )
    assert len(granted.mac2) == 4
    # the card takes the MAC2; the journal says nothing of it, and the counter goes on
    counter.note()
    counter.upload()
    center = open_center(Settings(db_url=fleet.db_url, clock=fleet.clock))
    try:
        fleet.advance(hours=23)
        counter.note()
        counter.upload()
        assert reconcile_now(center) == (0, 0)  # not overdue yet
        sweep(center)
        assert fleet.alarms() == []
        fleet.advance(hours=1, seconds=1)
        counter.note()
        counter.upload()
        assert reconcile_now(center) == (0, 1)
        sweep(center)
        sweep(center)  # kept once however often the sweep runs
    finally:
        center.close()
    assert fleet.alarms() == [("grant_without_records", "device:DEV-A")]
    with fleet.engine.connect() as conn:
        severity, amount, summary_zh = conn.execute(
            select(RiskAlarmRow.severity, RiskAlarmRow.amount_fen, RiskAlarmRow.summary_zh)
        ).one()
    assert (severity, amount) == ("critical", 2_000)
    assert card.serial.hex().upper() in str(summary_zh)


def _paid(counter: Counter, card: Card, amount: int, psam_seq: int) -> int:
    """A purse payment as the purchase service journals it: the PSAM's seq on the intent."""
    intent = counter.journal.append(
        Entry(
            RecordKind.PURCHASE_INTENT,
            operator="op1",
            shift_id=counter.shift_id,
            card_serial=card.serial,
            amount_fen=amount,
            payment_method="purse",
            balance_before_fen=card.balance_fen,
            balance_after_fen=card.balance_fen - amount,
            atc=1,
            terminal_seq=psam_seq,
        )
    )
    card.balance_fen -= amount
    counter.journal.append(
        Entry(
            RecordKind.PURCHASE_OUTCOME,
            operator="op1",
            shift_id=counter.shift_id,
            card_serial=card.serial,
            amount_fen=amount,
            payment_method="purse",
            balance_after_fen=card.balance_fen,
            tac=bytes(4),
            intent_seq=intent.seq,
            payload={"outcome": "done"},
        )
    )
    return intent.seq


def test_a_payment_deleted_before_upload_is_a_sam_counter_gap(fleet: Fleet) -> None:
    counter = fleet.counter("DEV-A", "0102030405A1")
    card = Card("3100000000000009")
    counter.load(card, 5_000)
    for psam_seq in (1, 2):
        fleet.advance(minutes=5)
        _paid(counter, card, 300, psam_seq)
    counter.upload()
    assert fleet.alarms() == []  # an honest counter: nothing
    fleet.advance(minutes=5)
    card.balance_fen -= 300  # PSAM seq 3: paid on the card, then deleted from the journal
    fleet.advance(minutes=5)
    _paid(counter, card, 300, 4)
    counter.upload()
    assert fleet.alarms() == [("sam_counter_gap", "device:DEV-A")]
    with fleet.engine.connect() as conn:
        evidence, summary_zh = conn.execute(
            select(RiskAlarmRow.evidence, RiskAlarmRow.summary_zh)
        ).one()
    assert "缺 1 笔" in str(summary_zh)
    assert evidence.startswith('[["DEV-A", ')


def test_the_sam_counter_alarm_goes_through_the_console(fleet: Fleet) -> None:
    """Shown in Chinese with its evidence, acknowledged, then closed with a note (an analyst)."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from clearing.app import create_app  # noqa: PLC0415
    from tests.clearing.console_support import CHEAP, add_staff, form_value, sign_in  # noqa: PLC0415

    counter = fleet.counter("DEV-A", "0102030405A1")
    card = Card("3100000000000010")
    counter.load(card, 5_000)
    _paid(counter, card, 300, 1)
    hole = _paid(counter, card, 300, 3)  # PSAM seq 2 deleted
    counter.upload()
    assert fleet.alarms() == [("sam_counter_gap", "device:DEV-A")]
    settings = Settings(db_url=fleet.db_url, clock=fleet.clock, console_password_params=CHEAP)
    with TestClient(create_app(settings, migrate_schema=False)) as console:
        add_staff(console.app.state.center, "ana", "analyst")  # type: ignore[attr-defined]
        sign_in(console, "ana")
        page = console.get("/console/alarms?rule=sam_counter_gap").text
        assert "SAM 交易序号断号/重复" in page and "缺 1 笔" in page
        alarm_id = int(re.search(r'id="alarm-(\d+)" data-rule="sam_counter_gap"', page)[1])  # type: ignore[index]
        assert f"<td>DEV-A/{hole}</td>" in page.replace("\n", "")
        csrf = form_value(page, "csrf")
        console.post(f"/console/alarms/{alarm_id}/acknowledge", data={"csrf": csrf})
        console.post(
            f"/console/alarms/{alarm_id}/close",
            data={"csrf": csrf, "note": "核实：柜员删除一笔消费"},
        )
    with fleet.engine.connect() as conn:
        state, closed_by, note = conn.execute(
            select(RiskAlarmRow.state, RiskAlarmRow.closed_by, RiskAlarmRow.note)
        ).one()
    assert (state, closed_by, note) == ("closed", "ana", "核实：柜员删除一笔消费")
