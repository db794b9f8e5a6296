"""The center flags a gap or a repeat in a counter's SAM counter (clearing/sam_counter.py).

The attacker of issue 13 holds the counter's data directory, its passphrase and the journal
key: they delete a purse payment from the journal before upload and re-chain every record
after it, so the journal itself verifies. The PSAM numbered that payment; its seq is missing
from the upload, and the center says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.journal import Entry, Journal
from app.services.progress import Cancelled, CancelToken
from app.services.purchase import PurchaseService
from app.store.database import Store
from clearing.models import TamperAlarmRow
from tests.clearing.support import Device, batch, enrol
from tests.services.counter_support import CHINA, CLERK, SHIFT

UPLOAD = "/v1/journal/batches"


@pytest.fixture
def device(client, center, clock) -> Device:
    return enrol(client, center, clock, terminal_id="001122334455")  # the rig's PSAM


def _purchases(device: Device, rig, path: Path, clock, amounts: list[int]) -> Journal:
    journal = device.journal(path / "journal.sqlite3")
    store = Store.open_or_create(path / "counter.sqlite3")
    service = PurchaseService(journal, store, rig.sam, clock, CHINA)
    for amount in amounts:
        service.purchase(CLERK, SHIFT, rig.open(), amount)
    store.close()
    return journal


def _entry_of(record, intent_seq: int | None) -> Entry:
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
        intent_seq=intent_seq,
        payload=record.payload_dict(),
    )


def _alarms(center) -> list[str]:
    with center.sessions.begin() as session:
        return list(session.scalars(select(TamperAlarmRow.reason)))


def test_an_honest_journal_raises_no_alarm(client, center, device, rig, tmp_path, clock):
    journal = _purchases(device, rig, tmp_path, clock, [100, 200, 300])
    answer = device.request("POST", UPLOAD, batch(journal.records()))
    assert answer.status_code == 200, answer.text
    assert _alarms(center) == []
    journal.close()


def test_a_deleted_and_rechained_payment_shows_as_a_gap(
    client, center, device, rig, tmp_path, clock
):
    original = _purchases(device, rig, tmp_path, clock, [100, 200, 300])
    records = original.records()
    victim = [r for r in records if r.kind == "purchase_intent"][1]  # the second payment
    deleted = {victim.seq} | {r.seq for r in records if r.intent_seq == victim.seq}
    # the attacker's journal: the same device and keys, every other record re-appended
    forged_dir = tmp_path / "forged"
    forged_dir.mkdir()
    forged = device.journal(forged_dir / "journal.sqlite3")
    renumbered: dict[int, int] = {}
    for record in records:
        if record.seq in deleted or record.kind == "genesis":
            continue
        intent = None if record.intent_seq is None else renumbered[record.intent_seq]
        renumbered[record.seq] = forged.append(_entry_of(record, intent)).seq
    assert forged.verify(full=True).ok  # the journal itself cannot tell
    answer = device.request("POST", UPLOAD, batch(forged.records()))
    assert answer.status_code == 200, answer.text
    alarms = _alarms(center)
    assert len(alarms) == 1 and "SAM counter gap: PSAM seq 3 follows 1" in alarms[0]
    original.close()
    forged.close()


def test_a_seq_spent_without_a_payment_is_journaled_not_a_gap(
    client, center, device, rig, tmp_path, clock
):
    journal = device.journal(tmp_path / "journal.sqlite3")
    store = Store.open_or_create(tmp_path / "counter.sqlite3")
    service = PurchaseService(journal, store, rig.sam, clock, CHINA)
    service.purchase(CLERK, SHIFT, rig.open(), 100)
    token = CancelToken()

    def cancel_at(step: str) -> None:
        if step == "authorizing":  # the clerk cancels while the PSAM makes MAC1
            token.cancel()

    with pytest.raises(Cancelled):  # after the PSAM's MAC1: its seq is spent, no payment
        service.purchase(CLERK, SHIFT, rig.open(), 100, progress=cancel_at, cancel=token)
    service.purchase(CLERK, SHIFT, rig.open(), 100)
    store.close()
    assert rig.reload().profile.balance_fen == 4_800
    notes = [r for r in journal.records() if r.kind == "note"]
    assert [(n.terminal_seq, n.payload_dict()["event"]) for n in notes] == [(2, "sam_seq_unused")]
    seqs = [r.terminal_seq for r in journal.records() if r.kind in ("purchase_intent", "note")]
    answer = device.request("POST", UPLOAD, batch(journal.records()))
    assert answer.status_code == 200, answer.text
    assert _alarms(center) == []
    journal.close()
    assert seqs == [1, 2, 3]
