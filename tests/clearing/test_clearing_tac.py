"""The center checks the TAC of every completed load with the issuer keys (card-protocol.md).

Loads are made by the top-up service on a virtual card, so their records are what a counter
uploads; a forged TAC is a device that journals a load no card answered (its records MAC'd
properly: only the TAC gives it away).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.crypto.keystore import Keystore
from app.domain.payment import PaymentMethod
from app.journal import Journal, RecordKind
from app.services.topup import TopUpService
from app.store.database import Store
from clearing.app import create_app
from clearing.cli import main
from clearing.models import CardLedgerRow, QuarantineRow, RecordRow
from clearing.settings import Settings
from tests.clearing.support import Device, batch, enrol
from tests.clearing.test_clearing_online import CHEAP_KDF
from tests.services.counter_support import CHINA, CLERK, SHIFT

UPLOAD = "/v1/journal/batches"


@pytest.fixture
def issuing(tmp_path, clock, db_url, des_issuer, sm4_issuer) -> Iterator[Device]:
    """A center holding the issuer keys of the virtual cards, and an enrolled device."""
    path = tmp_path / "issuer.keystore"
    entries = {**des_issuer.keystore_entries(), **sm4_issuer.keystore_entries()}
    Keystore.create(path, "pw", entries, CHEAP_KDF)
    settings = Settings(db_url=db_url, clock=clock, issuer_keystore=path, issuer_passphrase="pw")
    with TestClient(create_app(settings)) as client:
        yield enrol(client, client.app.state.center, clock)  # type: ignore[attr-defined]


@pytest.fixture
def counter(issuing, tmp_path, clock) -> Iterator[tuple[Journal, TopUpService]]:
    """The device's journal and top-up service (offline: MAC2 from its SAM)."""
    journal = issuing.journal(tmp_path / "journal.sqlite3")
    store = Store.open_or_create(tmp_path / "counter.sqlite3")

    def topups(sam):
        return TopUpService(journal, store, sam, clock, CHINA)

    yield journal, topups
    journal.close()
    store.close()


def _count(client, model, **where) -> int:
    center = client.app.state.center
    with center.sessions.begin() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def _forged_load(journal: Journal, genuine_intent, genuine_outcome, tac: bytes, **payload):
    """A second load journaled like the genuine one, but with a TAC no card gave."""
    intent_payload = {**genuine_intent.payload_dict(), **payload}
    intent = journal.append(
        replace(
            _entry_of(genuine_intent),
            balance_before_fen=genuine_outcome.balance_after_fen,
            payload=intent_payload,
        )
    )
    return journal.append(
        replace(
            _entry_of(genuine_outcome),
            balance_before_fen=genuine_outcome.balance_after_fen,
            balance_after_fen=genuine_outcome.balance_after_fen + (genuine_intent.amount_fen or 0),
            tac=tac,
            intent_seq=intent.seq,
            payload={"outcome": "done"},
        )
    )


def _entry_of(record):
    from app.journal import Entry  # noqa: PLC0415

    return Entry(
        record.kind,
        operator=record.operator,
        shift_id=record.shift_id,
        card_serial=record.card_serial,
        amount_fen=record.amount_fen,
        payment_method=record.payment_method,
        balance_before_fen=record.balance_before_fen,
        balance_after_fen=record.balance_after_fen,
        atc=record.atc,
        terminal_seq=record.terminal_seq,
        mac1=record.mac1,
        mac2=record.mac2,
        tac=record.tac,
        intent_seq=record.intent_seq,
        payload=record.payload_dict(),
    )


@pytest.mark.parametrize("issuer", ["des_issuer", "sm4_issuer"])
def test_genuine_loads_verify_and_reach_the_ledger(issuing, counter, make_rig, request, issuer):
    journal, topups = counter
    rig = make_rig(request.getfixturevalue(issuer))
    service = topups(rig.sam)
    first = service.top_up(CLERK, SHIFT, rig.open(), 2_000, PaymentMethod.CASH)
    service.top_up(CLERK, SHIFT, rig.open(), 3_000, PaymentMethod.WECHAT)
    answer = issuing.request("POST", UPLOAD, batch(journal.records())).json()
    assert answer["quarantined"] == []
    assert answer["acknowledged_seq"] == journal.head()[0]
    assert _count(issuing.client, CardLedgerRow, card_serial=first.card_serial) == 2
    ledger = issuing.request("GET", f"/v1/cards/{first.card_serial}/ledger").json()
    assert ledger["last_known_balance_fen"] == 10_000 == rig.reload().profile.balance_fen


def test_a_forged_tac_is_held_but_kept_out_of_the_ledger(issuing, counter, rig, db_url, capsys):
    journal, topups = counter
    service = topups(rig.sam)
    receipt = service.top_up(CLERK, SHIFT, rig.open(), 2_000, PaymentMethod.CASH)
    intent, outcome = journal.record(receipt.intent_seq), journal.record(receipt.outcome_seq)
    forged = _forged_load(journal, intent, outcome, bytes(4))
    later = service.top_up(CLERK, SHIFT, rig.open(), 1_000, PaymentMethod.CASH)

    answer = issuing.request("POST", UPLOAD, batch(journal.records())).json()

    # the chain goes on: every record is held and acknowledged, the one load set aside
    assert answer["acknowledged_seq"] == journal.head()[0] == later.outcome_seq
    assert answer["quarantined"] == [
        {
            "seq": forged.seq,
            "reason": "TAC does not verify with the issuer's keys: no genuine card answered "
            "this load",
            "held": True,
        }
    ]
    client = issuing.client
    assert _count(client, RecordRow) == journal.head()[0]
    assert _count(client, QuarantineRow, seq=forged.seq, held=True) == 1
    ledger = issuing.request("GET", f"/v1/cards/{receipt.card_serial}/ledger").json()
    assert [e["seq"] for e in ledger["entries"]] == [receipt.outcome_seq, later.outcome_seq]
    assert ledger["loads_total_fen"] == 3_000  # the forged 2,000 never counts
    # the administrator sees it
    assert main(["alarms", "--db", db_url]) == 0
    alarm, line = capsys.readouterr().out.splitlines()
    shown = json.loads(line)
    assert (shown["type"], shown["seq"], shown["held"]) == ("quarantine", forged.seq, True)
    # the forged intent copied the genuine one's ISAM load seq: the SAM counter repeats
    repeat = json.loads(alarm)
    assert repeat["type"] == "tamper_alarm" and "SAM counter repeat: ISAM" in repeat["reason"]
    # sent again (a lost answer): a duplicate, not a second quarantine row
    again = issuing.request("POST", UPLOAD, batch(journal.records())).json()
    assert again["quarantined"] == [] and again["duplicates"] == journal.head()[0]
    assert _count(client, QuarantineRow) == 1


def test_a_tac_made_for_another_amount_is_caught(issuing, counter, rig):
    journal, topups = counter
    service = topups(rig.sam)
    receipt = service.top_up(CLERK, SHIFT, rig.open(), 2_000, PaymentMethod.CASH)
    intent, outcome = journal.record(receipt.intent_seq), journal.record(receipt.outcome_seq)
    # the genuine TAC replayed on a load journaled right after it
    forged = _forged_load(journal, intent, outcome, outcome.tac)
    answer = issuing.request("POST", UPLOAD, batch(journal.records())).json()
    assert [(q["seq"], q["held"]) for q in answer["quarantined"]] == [(forged.seq, True)]


def test_a_load_without_what_its_tac_needs_is_set_aside_with_the_reason(issuing, counter, rig):
    journal, topups = counter
    receipt = topups(rig.sam).top_up(CLERK, SHIFT, rig.open(), 2_000, PaymentMethod.CASH)
    intent, outcome = journal.record(receipt.intent_seq), journal.record(receipt.outcome_seq)
    forged = _forged_load(journal, intent, outcome, outcome.tac, card_time="not a time")
    answer = issuing.request("POST", UPLOAD, batch(journal.records())).json()
    (q,) = answer["quarantined"]
    assert q["seq"] == forged.seq and q["held"] is True
    assert q["reason"].startswith("the load's TAC cannot be checked")


def test_not_done_loads_and_other_kinds_need_no_tac(issuing, counter, rig):
    journal, topups = counter
    receipt = topups(rig.sam).top_up(CLERK, SHIFT, rig.open(), 2_000, PaymentMethod.CASH)
    from app.journal import Entry  # noqa: PLC0415
    from app.services.topup import not_done_entry  # noqa: PLC0415

    intent = journal.append(
        replace(_entry_of(journal.record(receipt.intent_seq)), payload={"no": "tac data"})
    )
    journal.append(not_done_entry(intent, 4_000, "card refused"))
    journal.append(Entry(RecordKind.NOTE, payload={"text": "no money, no TAC"}))
    answer = issuing.request("POST", UPLOAD, batch(journal.records())).json()
    assert answer["quarantined"] == []
    assert answer["acknowledged_seq"] == journal.head()[0]
