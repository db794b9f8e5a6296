"""The journal's everyday behaviour on real SQLite files: append, seq, totals, intents, clock,
checkpoints, key rotation, shift totals, and readers that do not wait for the writer."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from app.domain.money import Fen
from app.journal import (
    CheckpointReason,
    ClockWentBackwardsError,
    Entry,
    IntentError,
    Journal,
    JournalBrokenError,
    JournalError,
    JournalKeys,
    JournalRecord,
    Outcome,
    RecordKind,
    ShiftTotal,
)
from app.journal.records import GENESIS_PREV_MAC, RECORD_COLUMNS
from app.journal.verify import NO_SIGNATURE, checkpoint_signature_ok
from tests.journal.support import (
    DEVICE,
    START,
    TERMINAL,
    Refusals,
    StepClock,
    key_subset,
)

CARD = "3105000000000001"
OTHER_CARD = "3105000000000002"


@pytest.fixture
def keys() -> JournalKeys:
    return JournalKeys.generate()


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def journal(tmp_path: Path, keys: JournalKeys, clock: StepClock) -> Iterator[Journal]:
    with Journal.create(tmp_path / "journal.db", keys, DEVICE, TERMINAL, clock=clock) as j:
        yield j


def load_intent(amount: int = 5_000, card: str = CARD, **kw: object) -> Entry:
    return Entry(
        RecordKind.LOAD_INTENT,
        operator="clerk1",
        shift_id=1,
        card_serial=card,
        amount_fen=amount,
        payment_method="cash",
        **kw,  # type: ignore[arg-type]
    )


def load_outcome(intent: int, amount: int | None = 5_000, card: str = CARD, **kw: object) -> Entry:
    return Entry(
        RecordKind.LOAD_OUTCOME,
        operator="clerk1",
        shift_id=1,
        card_serial=card,
        amount_fen=amount,
        payment_method="cash",
        intent_seq=intent,
        payload={"outcome": Outcome.DONE if amount else Outcome.NOT_DONE},
        **kw,  # type: ignore[arg-type]
    )


def seqs(journal: Journal) -> list[int]:
    return [r.seq for r in journal.records()]


# -- append and read back --------------------------------------------------------------------


def test_create_writes_genesis_and_first_checkpoint(journal: Journal, keys: JournalKeys) -> None:
    (genesis,) = journal.records()
    assert genesis.seq == 1
    assert genesis.kind == RecordKind.GENESIS
    assert genesis.prev_mac == GENESIS_PREV_MAC
    assert genesis.key_id == keys.current_key_id
    assert genesis.payload_dict()["terminal_id"] == TERMINAL
    assert genesis.payload_dict()["public_key"] == keys.public_key.hex().upper()
    (cp,) = journal.checkpoints()
    assert (cp.number, cp.seq, cp.head_mac, cp.reason) == (1, 1, genesis.mac, "created")
    assert (journal.device_id, journal.terminal_id) == (DEVICE, TERMINAL)
    assert journal.problem is None


def test_append_round_trip(journal: Journal, keys: JournalKeys, clock: StepClock) -> None:
    entry = Entry(
        RecordKind.LOAD_INTENT,
        operator="clerk1",
        shift_id=7,
        card_serial=CARD,
        amount_fen=12_345,
        payment_method="wechat",
        balance_before_fen=100,
        balance_after_fen=None,
        atc=42,
        terminal_seq=9,
        mac1=bytes.fromhex("01020304"),
        mac2=bytes.fromhex("A0B0C0D0"),
        tac=None,
        payload={"名字": "张三", "n": 1},
    )
    head_mac = journal.head()[1]
    record = journal.append(entry)
    assert record.seq == 2
    assert record.device_id == DEVICE
    assert record.at == clock.now
    for name in [
        "kind",
        "operator",
        "shift_id",
        "card_serial",
        "amount_fen",
        "payment_method",
        "balance_before_fen",
        "balance_after_fen",
        "atc",
        "terminal_seq",
        "mac1",
        "mac2",
        "tac",
        "intent_seq",
    ]:
        assert getattr(record, name) == getattr(entry, name), name
    assert record.payload_dict() == entry.payload
    assert json.loads(record.payload) == {"n": 1, "名字": "张三"}
    assert record.key_id == keys.current_key_id
    assert record.prev_mac == head_mac
    assert len(record.mac) == 32
    assert record.grand_total_fen == 12_345
    assert record.amount == Fen(12_345)
    assert journal.record(2) == record
    assert journal.records(after=1) == [record]
    assert journal.head() == (2, record.mac)

    report = journal.verify(full=True)
    assert report.ok, report.summary()
    assert (report.records_checked, report.first_seq, report.last_seq) == (2, 1, 2)
    assert report.head_mac == record.mac

    path = journal.path
    journal.close()
    with Journal.open(path, keys, clock=clock) as again:
        assert again.problem is None
        assert again.record(2) == record
        nxt = again.append(Entry(RecordKind.NOTE))
        assert (nxt.seq, nxt.prev_mac) == (3, record.mac)
        assert again.verify(full=True).ok


def test_append_many_chains_and_returns_every_record(journal: Journal) -> None:
    records = journal.append_many([Entry(RecordKind.NOTE, payload={"i": i}) for i in range(5)])
    assert [r.seq for r in records] == [2, 3, 4, 5, 6]
    for before, after in itertools.pairwise(records):
        assert after.prev_mac == before.mac
    assert journal.records(after=1) == records
    assert journal.append_many([]) == []
    assert journal.verify().ok


REFUSED: dict[str, tuple[type[Exception], list[Entry]]] = {
    "outcome_of_a_note": (IntentError, [load_outcome(intent=2)]),
    "second_genesis": (JournalError, [Entry(RecordKind.GENESIS)]),
    "amount_over_64_bits": (ValueError, [Entry(RecordKind.LOAD_INTENT, amount_fen=2**63)]),
    "boolean_amount": (ValueError, [Entry(RecordKind.NOTE, amount_fen=True)]),
    "bad_last_of_batch": (
        IntentError,
        [Entry(RecordKind.NOTE), Entry(RecordKind.NOTE, intent_seq=2)],
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_seq_stays_gap_free_after_a_refusal(
    journal: Journal, keys: JournalKeys, clock: StepClock, case: str
) -> None:
    error, entries = REFUSED[case]
    refusals = Refusals()
    journal.append_many([Entry(RecordKind.NOTE)] * 3)
    refusals.check(journal, lambda: journal.append_many(entries), error)
    journal.append(Entry(RecordKind.NOTE))
    assert seqs(journal) == [1, 2, 3, 4, 5]
    assert journal.verify(full=True).ok
    refusals.done()


def test_seq_stays_gap_free_across_reopening(
    journal: Journal, keys: JournalKeys, clock: StepClock
) -> None:
    journal.append_many([Entry(RecordKind.NOTE)] * 3)
    for round_ in range(3):
        journal.close()
        journal = Journal.open(journal.path, keys, clock=clock)
        journal.append_many([Entry(RecordKind.NOTE)] * (round_ + 1))
        journal.append(Entry(RecordKind.NOTE))
    assert seqs(journal) == list(range(1, 14))
    assert journal.verify(full=True).ok
    journal.close()


def test_a_kind_the_journal_does_not_know_is_recorded(journal: Journal) -> None:
    record = journal.append(Entry("deposit_refund", amount_fen=2_000, payment_method="cash"))
    assert record.kind == "deposit_refund"
    assert journal.totals()["deposit_refund"] == 2_000
    assert journal.verify().ok


# -- grand totals ----------------------------------------------------------------------------


def test_grand_totals_per_kind(journal: Journal) -> None:
    amounts = {
        RecordKind.LOAD_INTENT: [5_000, 3_000, 10_000],
        RecordKind.PURCHASE_INTENT: [150, 300],
        RecordKind.REPLACEMENT: [2_000],
        RecordKind.NOTE: [None, None],
    }
    running: dict[str, int] = {"genesis": 0}
    order = [(k, a) for k, amts in amounts.items() for a in amts]
    order = order[::2] + order[1::2]  # interleave kinds
    for kind, amount in order:
        record = journal.append(Entry(kind, amount_fen=amount, payment_method="cash"))
        running[kind] = running.get(kind, 0) + (amount or 0)
        assert record.grand_total_fen == running[kind], (kind, amount)
    assert journal.totals() == running
    assert journal.totals() == {
        "genesis": 0,
        "load_intent": 18_000,
        "purchase_intent": 450,
        "replacement": 2_000,
        "note": 0,
    }
    report = journal.verify(full=True)
    assert report.ok
    assert report.totals == running
    cp = journal.checkpoint()
    assert cp.totals_dict() == running
    # totals carry on across a reopen (the writer reloads them from the database)
    journal.append(Entry(RecordKind.REPLACEMENT, amount_fen=500))
    assert journal.totals()["replacement"] == 2_500


def test_negative_amounts_lower_the_grand_total(journal: Journal) -> None:
    journal.append(Entry(RecordKind.VOID, amount_fen=1_000))
    record = journal.append(Entry(RecordKind.VOID, amount_fen=-400))
    assert record.grand_total_fen == 600
    assert journal.verify().ok


# -- intents and outcomes --------------------------------------------------------------------


def test_intents_stay_open_until_an_outcome_closes_them(journal: Journal) -> None:
    assert journal.open_intents() == []
    a = journal.append(load_intent(5_000))
    b = journal.append(load_intent(2_000, card=OTHER_CARD))
    p = journal.append(
        Entry(RecordKind.PURCHASE_INTENT, card_serial=CARD, amount_fen=300, payment_method="card")
    )
    assert [r.seq for r in journal.open_intents()] == [a.seq, b.seq, p.seq]
    assert [r.seq for r in journal.open_intents(card_serial=CARD)] == [a.seq, p.seq]
    assert [r.seq for r in journal.open_intents(card_serial=OTHER_CARD)] == [b.seq]
    assert journal.open_intents(card_serial="0000") == []

    done = journal.append(load_outcome(a.seq, tac=bytes.fromhex("11223344")))
    assert done.intent_seq == a.seq
    journal.append(load_outcome(b.seq, amount=None, card=OTHER_CARD))  # not done
    journal.append(
        Entry(RecordKind.PURCHASE_OUTCOME, card_serial=CARD, amount_fen=300, intent_seq=p.seq)
    )
    assert journal.open_intents() == []
    # an intent and its outcome in one transaction
    head = journal.head()[0]
    journal.append_many([load_intent(1_000), load_outcome(head + 1, amount=1_000)])
    assert journal.open_intents() == []
    assert journal.verify(full=True).ok


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("not_an_intent", "is not a load_intent"),
        ("no_such_seq", "is not a load_intent"),
        ("no_intent_seq", "is not a load_intent"),
        ("wrong_intent_kind", "is not a load_intent"),
        ("already_closed", "already closed"),
        ("card_mismatch", "not the card of intent"),
        ("intent_refers", "an intent cannot refer"),
        ("other_kind_refers", "only outcomes refer"),
        ("bad_second_of_batch", "already closed"),
    ],
)
def test_outcome_refusals_record_nothing(journal: Journal, case: str, words: str) -> None:
    note = journal.append(Entry(RecordKind.NOTE))
    intent = journal.append(load_intent())
    closed = journal.append(load_intent(card=OTHER_CARD))
    journal.append(load_outcome(closed.seq, card=OTHER_CARD))
    purchase = journal.append(Entry(RecordKind.PURCHASE_INTENT, card_serial=CARD, amount_fen=1))
    entries = {
        "not_an_intent": [load_outcome(note.seq)],
        "no_such_seq": [load_outcome(999)],
        "no_intent_seq": [Entry(RecordKind.LOAD_OUTCOME, card_serial=CARD, amount_fen=1)],
        "wrong_intent_kind": [load_outcome(purchase.seq)],
        "already_closed": [load_outcome(closed.seq, card=OTHER_CARD)],
        "card_mismatch": [load_outcome(intent.seq, card=OTHER_CARD)],
        "intent_refers": [load_intent(intent_seq=intent.seq)],
        "other_kind_refers": [Entry(RecordKind.NOTE, intent_seq=intent.seq)],
        "bad_second_of_batch": [
            load_outcome(intent.seq),
            load_outcome(closed.seq, card=OTHER_CARD),
        ],
    }[case]
    refusals = Refusals()
    open_before = journal.open_intents()
    refused = refusals.check(journal, lambda: journal.append_many(entries), IntentError, words)
    if isinstance(refused, IntentError):
        assert "nothing was recorded" in refused.advice
    assert journal.open_intents() == open_before
    assert intent in journal.open_intents()
    journal.append(load_outcome(intent.seq))  # the journal carries on
    assert journal.verify().ok
    refusals.done()


# -- the clock -------------------------------------------------------------------------------


def test_clock_going_backwards_records_nothing(journal: Journal, clock: StepClock) -> None:
    refusals = Refusals()
    last = journal.append(Entry(RecordKind.NOTE))
    clock.set(last.at - timedelta(microseconds=1))
    refused = refusals.check(
        journal,
        lambda: journal.append(Entry(RecordKind.NOTE)),
        ClockWentBackwardsError,
        f"{last.at:%Y-%m-%d %H:%M:%S}",
    )
    if isinstance(refused, ClockWentBackwardsError):
        assert "Nothing was recorded" in refused.advice
    clock.set(last.at - timedelta(days=1))
    refusals.check(
        journal,
        lambda: journal.append_many([Entry(RecordKind.NOTE), Entry(RecordKind.NOTE)]),
        ClockWentBackwardsError,
    )
    clock.set(last.at - timedelta(hours=1))
    refusals.check(journal, journal.checkpoint, ClockWentBackwardsError)
    assert len(journal.checkpoints()) == 1
    # the same instant is not backwards; once the clock is right again, all is well
    clock.set(last.at)
    assert journal.append(Entry(RecordKind.NOTE)).at == last.at
    journal.checkpoint()
    assert journal.problem is None
    assert journal.verify().ok
    refusals.done()


def test_clock_going_backwards_within_a_batch(journal: Journal, clock: StepClock) -> None:
    refusals = Refusals()
    clock.step = timedelta(seconds=-1)
    clock.set(START + timedelta(hours=1))
    refusals.check(
        journal,
        lambda: journal.append_many([Entry(RecordKind.NOTE), Entry(RecordKind.NOTE)]),
        ClockWentBackwardsError,
    )
    refusals.done()


def test_clock_going_backwards_after_reopening(
    journal: Journal, keys: JournalKeys, clock: StepClock
) -> None:
    refusals = Refusals()
    last = journal.append(Entry(RecordKind.NOTE))
    journal.close()
    early = StepClock(start=last.at - timedelta(minutes=5))
    with Journal.open(journal.path, keys, clock=early) as again:
        refusals.check(again, lambda: again.append(Entry(RecordKind.NOTE)), ClockWentBackwardsError)
        assert again.head()[0] == last.seq
    refusals.done()


# -- checkpoints -----------------------------------------------------------------------------


def test_checkpoints_form_a_signed_chain(journal: Journal, keys: JournalKeys) -> None:
    made = [journal.checkpoints()[0]]
    for i in range(4):
        journal.append_many([Entry(RecordKind.NOTE, amount_fen=i)] * (i + 1))
        made.append(journal.checkpoint(CheckpointReason.SHIFT_CLOSE if i % 2 else "upload"))
    made.append(journal.checkpoint(CheckpointReason.ON_DEMAND))  # nothing new: still allowed
    stored = journal.checkpoints()
    assert stored == made
    assert [cp.number for cp in stored] == [1, 2, 3, 4, 5, 6]
    assert stored[0].prev_signature == NO_SIGNATURE
    for before, after in itertools.pairwise(stored):
        assert after.prev_signature == before.signature
        assert after.seq >= before.seq
        assert after.at_us >= before.at_us
    assert stored[-1].seq == stored[-2].seq
    for cp in stored:
        assert checkpoint_signature_ok(cp, keys.public_key)
        assert cp.public_key == keys.public_key
        record = journal.record(cp.seq)
        assert record is not None
        assert cp.head_mac == record.mac
    assert not checkpoint_signature_ok(stored[1], JournalKeys.generate().public_key)
    report = journal.verify(full=True)
    assert report.ok
    assert report.checkpoints_checked == 6
    quick = journal.verify(full=False)
    assert quick.ok
    assert quick.since_checkpoint == 6
    assert quick.records_checked == 0


# -- key rotation ----------------------------------------------------------------------------


def _rotated(journal: Journal, keys: JournalKeys) -> tuple[JournalKeys, JournalRecord]:
    journal.append(load_intent())
    new_keys = keys.with_new_mac_key()
    rotation = journal.rotate_key(new_keys, operator="supervisor")
    after = journal.append_many([Entry(RecordKind.NOTE), Entry(RecordKind.NOTE)])
    assert rotation.key_id == keys.current_key_id  # the switch is MAC'd under the old key
    assert rotation.payload_dict() == {
        "new_key_id": new_keys.current_key_id,
        "old_key_id": keys.current_key_id,
    }
    assert [r.key_id for r in after] == [new_keys.current_key_id] * 2
    assert journal.current_key_id == new_keys.current_key_id
    assert journal.checkpoints()[-1].reason == CheckpointReason.KEY_ROTATION
    assert journal.checkpoints()[-1].seq == rotation.seq
    return new_keys, rotation


def test_key_rotation_then_reopen_with_the_new_keys(
    journal: Journal, keys: JournalKeys, clock: StepClock
) -> None:
    new_keys, rotation = _rotated(journal, keys)
    assert journal.verify(full=True).ok
    journal.close()
    with Journal.open(journal.path, new_keys, clock=clock) as again:
        assert again.problem is None
        report = again.verify(full=True)
        assert report.ok, report.summary()
        record = again.append(Entry(RecordKind.NOTE))
        assert record.key_id == new_keys.current_key_id
        again.checkpoint()
        # and a second rotation on top
        newer = new_keys.with_new_mac_key()
        again.rotate_key(newer)
        assert again.append(Entry(RecordKind.NOTE)).key_id == newer.current_key_id
        assert again.verify(full=True).ok
    with Journal.open(journal.path, newer, clock=clock) as third:
        assert third.problem is None
        assert third.verify(full=True).ok
    assert rotation.seq < record.seq


def test_reopen_without_the_new_key_reports_the_unknown_key(
    journal: Journal, keys: JournalKeys, clock: StepClock
) -> None:
    new_keys, rotation = _rotated(journal, keys)
    journal.close()
    old_only = key_subset(new_keys, [keys.current_key_id], keys.current_key_id)
    with Journal.open(journal.path, old_only, clock=clock) as again:
        assert again.problem is not None
        assert again.problem.seq == rotation.seq + 1
        assert new_keys.current_key_id in again.problem.reason
        assert "does not hold" in again.problem.reason
        report = again.verify(full=True)
        assert not report.ok
        assert report.first_problem == again.problem
        assert new_keys.current_key_id in report.summary()
        with pytest.raises(JournalBrokenError):
            again.append(Entry(RecordKind.NOTE))
    # nothing was harmed: the full key set still verifies
    with Journal.open(journal.path, new_keys, clock=clock) as whole:
        assert whole.problem is None
        assert whole.verify(full=True).ok


def test_rotate_key_refuses_bad_key_sets(journal: Journal, keys: JournalKeys) -> None:
    head = journal.head()
    other_device = JournalKeys.generate()
    dropped_old = keys.with_new_mac_key()
    dropped_old = key_subset(dropped_old, [dropped_old.current_key_id], dropped_old.current_key_id)
    for bad in (
        keys,  # the same current key
        dropped_old,  # loses the old key
        JournalKeys(
            {**keys.mac_keys, "k-new": bytes(32)}, "k-new", other_device.device_key
        ),  # another device key
    ):
        with pytest.raises(JournalError):
            journal.rotate_key(bad)
        assert journal.head() == head
        assert journal.current_key_id == keys.current_key_id
    assert journal.append(Entry(RecordKind.NOTE)).key_id == keys.current_key_id
    assert journal.verify().ok


# -- reports ---------------------------------------------------------------------------------


def test_shift_totals(journal: Journal) -> None:
    journal.append(Entry(RecordKind.SIGN_IN, operator="clerk1", shift_id=1))
    journal.append(Entry(RecordKind.SHIFT_OPEN, operator="clerk1", shift_id=1))
    a = journal.append(load_intent(5_000))
    journal.append(load_outcome(a.seq, 5_000))
    b = journal.append(load_intent(3_000, card=OTHER_CARD))
    journal.append(load_outcome(b.seq, None, card=OTHER_CARD))  # not done: no money
    c = journal.append(
        Entry(
            RecordKind.LOAD_INTENT,
            shift_id=1,
            card_serial=CARD,
            amount_fen=10_000,
            payment_method="wechat",
        )
    )
    journal.append(
        Entry(
            RecordKind.LOAD_OUTCOME,
            shift_id=1,
            card_serial=CARD,
            amount_fen=10_000,
            payment_method="wechat",
            intent_seq=c.seq,
        )
    )
    p = journal.append(
        Entry(
            RecordKind.PURCHASE_INTENT,
            shift_id=1,
            card_serial=CARD,
            amount_fen=300,
            payment_method="card",
        )
    )
    journal.append(
        Entry(
            RecordKind.PURCHASE_OUTCOME,
            shift_id=1,
            card_serial=CARD,
            amount_fen=300,
            payment_method="card",
            intent_seq=p.seq,
        )
    )
    journal.append(Entry(RecordKind.LOAD_INTENT, shift_id=2, amount_fen=700, payment_method="cash"))
    journal.append(Entry(RecordKind.NOTE, amount_fen=99))  # no shift

    assert journal.shift_totals(1) == [
        ShiftTotal("load_intent", "cash", 2, 8_000),
        ShiftTotal("load_intent", "wechat", 1, 10_000),
        ShiftTotal("load_outcome", "cash", 2, 5_000),
        ShiftTotal("load_outcome", "wechat", 1, 10_000),
        ShiftTotal("purchase_intent", "card", 1, 300),
        ShiftTotal("purchase_outcome", "card", 1, 300),
        ShiftTotal("shift_open", None, 1, 0),
        ShiftTotal("sign_in", None, 1, 0),
    ]
    assert journal.shift_totals(2) == [ShiftTotal("load_intent", "cash", 1, 700)]
    assert journal.shift_totals(3) == []


# -- readers and the writer ------------------------------------------------------------------


def test_verify_runs_while_another_thread_appends(journal: Journal) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []
    appended = [0]

    def writer() -> None:
        try:
            while not stop.is_set():
                journal.append_many([Entry(RecordKind.NOTE, amount_fen=1)] * 3)
                appended[0] += 3
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    seen: list[int] = []
    slowest = 0.0
    try:
        deadline = time.monotonic() + 20
        while len(set(seen)) < 5 and time.monotonic() < deadline and not errors:
            started = time.monotonic()
            report = journal.verify(full=True)
            slowest = max(slowest, time.monotonic() - started)
            assert report.ok, report.summary()  # a consistent snapshot: head matches records
            seen.append(report.last_seq)
            journal.totals()
            journal.open_intents()
    finally:
        stop.set()
        thread.join(10)
    assert not errors, errors
    assert not thread.is_alive()
    assert len(set(seen)) >= 5, f"the verifier saw only {sorted(set(seen))}"
    assert seen == sorted(seen)
    assert slowest < 5, f"a verify took {slowest:.1f} s next to the writer"
    report = journal.verify(full=True)
    assert report.ok
    assert report.last_seq == 1 + appended[0]
    assert report.totals["note"] == appended[0]


def test_verify_does_not_wait_for_an_open_write_transaction(journal: Journal) -> None:
    last = journal.append(load_intent())
    columns = ", ".join(RECORD_COLUMNS)
    copied = columns.replace("seq,", "seq + 1,", 1)
    assert copied.startswith("device_id, seq + 1, kind")
    with closing(sqlite3.connect(journal.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock, as a writer mid-append does
        other.execute(
            f"INSERT INTO journal_record ({columns}) "
            f"SELECT {copied} FROM journal_record WHERE seq = ?",
            (last.seq,),
        )
        try:
            started = time.monotonic()
            report = journal.verify(full=True)
            assert journal.open_intents() == [last]
            assert journal.head() == (last.seq, last.mac)
            elapsed = time.monotonic() - started
        finally:
            other.execute("ROLLBACK")
    assert report.ok, report.summary()  # the uncommitted row is not in the reader's snapshot
    assert report.last_seq == last.seq
    assert elapsed < 2, f"the readers waited {elapsed:.1f} s for the writer's lock"


# -- the file on disk ------------------------------------------------------------------------


def test_closed_journal_file_holds_every_record(journal: Journal, tmp_path: Path) -> None:
    journal.append_many([Entry(RecordKind.NOTE)] * 5)
    assert journal.verify().ok  # the reader is used, as it always is on open
    journal.close()
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name != "journal.db")
    copy = tmp_path / "copy" / "journal.db"
    copy.parent.mkdir()
    shutil.copyfile(journal.path, copy)
    with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as conn:
        (count,) = conn.execute("SELECT count(*) FROM journal_record").fetchone()
    assert count == 6
    assert leftovers == []


PATH_NAMES = [
    "plain",
    "with space",
    "semi;colon",
    "中文目录",
    "hash#x",
    "what?x",
    "pct%41",
]


@pytest.mark.parametrize("name", PATH_NAMES)
def test_journal_in_a_folder_with_an_unusual_name(
    tmp_path: Path, keys: JournalKeys, clock: StepClock, name: str
) -> None:
    path = tmp_path / name / "journal.db"
    with Journal.create(path, keys, DEVICE, TERMINAL, clock=clock) as journal:
        journal.append(Entry(RecordKind.NOTE))
        assert journal.verify(full=True).ok
        assert journal.records()[-1].seq == 2
    with Journal.open(path, keys, clock=clock) as again:
        assert again.problem is None
        assert again.head()[0] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written elsewhere


def test_records_of_kinds_reads_only_what_follows_a_known_seq(journal: Journal) -> None:
    written = journal.append_many(
        [Entry(RecordKind.NOTE if i % 2 else RecordKind.SIGN_IN, operator="a") for i in range(6)]
    )
    notes = [r.seq for r in written if r.kind == RecordKind.NOTE]
    assert [r.seq for r in journal.records_of_kinds(RecordKind.NOTE)] == notes
    assert [r.seq for r in journal.records_of_kinds(RecordKind.NOTE, after_seq=notes[0])] == notes[
        1:
    ]
    both = journal.records_of_kinds(RecordKind.NOTE, RecordKind.SIGN_IN, after_seq=written[3].seq)
    assert [r.seq for r in both] == [r.seq for r in written[4:]]
    assert journal.records_of_kinds(RecordKind.NOTE, after_seq=written[-1].seq) == []
