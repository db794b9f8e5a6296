"""Tampering with a closed journal through plain ``sqlite3`` is found, and at the right place.

One sample journal (31 records: loads and purchases with amounts and payment methods, four
checkpoints, a key rotation, an open intent and eight records after the last checkpoint) is built
once per module and copied for every test; each test edits its copy behind the application's back
and checks that a full verification names the first bad record (seq) or checkpoint (number).
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from app.journal import (
    CheckpointReason,
    Entry,
    Journal,
    JournalBrokenError,
    JournalKeys,
    Outcome,
    RecordKind,
    VerificationReport,
)
from tests.journal.support import (
    DEVICE,
    START,
    TERMINAL,
    Refusals,
    StepClock,
    raw_db,
    settle,
)

START_LATE = START + timedelta(days=1)  # later than every record of the sample
CARDS = {c: f"31050000000{i:05d}" for i, c in enumerate("ABCDEFGHIJ", start=1)}


@dataclass(frozen=True)
class Sample:
    path: Path
    keys: JournalKeys
    seqs: dict[str, int]  # a name for the interesting records
    last_seq: int
    last_checkpoint: int
    checkpoint_seqs: dict[int, int]  # checkpoint number -> the seq it signs


def _load(journal: Journal, card: str, amount: int, method: str, done: bool = True) -> int:
    intent = journal.append(
        Entry(
            RecordKind.LOAD_INTENT,
            operator="clerk1",
            shift_id=1,
            card_serial=CARDS[card],
            amount_fen=amount,
            payment_method=method,
            balance_before_fen=1_000,
            atc=7,
            terminal_seq=100 + len(card),
            mac1=bytes.fromhex("A1B2C3D4"),
            mac2=bytes.fromhex("0F1E2D3C"),
        )
    )
    journal.append(
        Entry(
            RecordKind.LOAD_OUTCOME,
            operator="clerk1",
            shift_id=1,
            card_serial=CARDS[card],
            amount_fen=amount if done else None,
            payment_method=method,
            balance_before_fen=1_000,
            balance_after_fen=1_000 + amount if done else 1_000,
            atc=8,
            tac=bytes.fromhex("DEADBEEF") if done else None,
            intent_seq=intent.seq,
            payload={"outcome": Outcome.DONE if done else Outcome.NOT_DONE},
        )
    )
    return intent.seq


def _purchase(journal: Journal, card: str, amount: int) -> int:
    intent = journal.append(
        Entry(
            RecordKind.PURCHASE_INTENT,
            operator="clerk2",
            shift_id=2,
            card_serial=CARDS[card],
            amount_fen=amount,
            payment_method="card",
            balance_before_fen=5_000,
        )
    )
    journal.append(
        Entry(
            RecordKind.PURCHASE_OUTCOME,
            operator="clerk2",
            shift_id=2,
            card_serial=CARDS[card],
            amount_fen=amount,
            payment_method="card",
            balance_before_fen=5_000,
            balance_after_fen=5_000 - amount,
            tac=bytes.fromhex("CAFEF00D"),
            intent_seq=intent.seq,
            payload={"outcome": Outcome.DONE},
        )
    )
    return intent.seq


def build_sample(path: Path) -> Sample:
    keys = JournalKeys.generate()
    clock = StepClock()
    seqs: dict[str, int] = {}
    cps: dict[int, int] = {}
    with Journal.create(path, keys, DEVICE, TERMINAL, clock=clock) as journal:  # 1, cp 1
        cps[1] = 1
        journal.append(Entry(RecordKind.SIGN_IN, operator="clerk1"))  # 2
        journal.append(Entry(RecordKind.SHIFT_OPEN, operator="clerk1", shift_id=1))  # 3
        seqs["load_a"] = _load(journal, "A", 5_000, "cash")  # 4, 5
        seqs["load_b"] = _load(journal, "B", 10_000, "wechat")  # 6, 7
        seqs["note_1"] = journal.append(Entry(RecordKind.NOTE, payload={"text": "till"})).seq  # 8
        seqs["load_c"] = _load(journal, "C", 2_000, "alipay", done=False)  # 9, 10
        seqs["shift_close_1"] = journal.append(
            Entry(RecordKind.SHIFT_CLOSE, operator="clerk1", shift_id=1)
        ).seq  # 11
        cps[journal.checkpoint(CheckpointReason.SHIFT_CLOSE).number] = 11  # cp 2
        journal.append(Entry(RecordKind.SIGN_OUT, operator="clerk1"))  # 12
        journal.append(Entry(RecordKind.SIGN_IN, operator="clerk2"))  # 13
        journal.append(Entry(RecordKind.SHIFT_OPEN, operator="clerk2", shift_id=2))  # 14
        seqs["purchase_d"] = _purchase(journal, "D", 300)  # 15, 16
        keys = keys.with_new_mac_key()
        seqs["rotation"] = journal.rotate_key(keys, operator="supervisor").seq  # 17, cp 3
        cps[3] = 17
        seqs["load_e"] = _load(journal, "E", 5_000, "cash")  # 18, 19
        # an intent and its outcome in one transaction
        first = journal.append_many(
            [
                Entry(
                    RecordKind.LOAD_INTENT,
                    shift_id=2,
                    card_serial=CARDS["F"],
                    amount_fen=3_000,
                    payment_method="wechat",
                ),
                Entry(RecordKind.NOTE, shift_id=2, payload={"text": "batch"}),
            ]
        )[0]  # 20, 21
        seqs["load_f"] = first.seq
        seqs["loss_report"] = journal.append(
            Entry(RecordKind.LOSS_REPORT, shift_id=2, card_serial=CARDS["F"])
        ).seq  # 22
        seqs["note_2"] = journal.append(Entry(RecordKind.NOTE, payload={"text": "cp"})).seq  # 23
        cps[journal.checkpoint(CheckpointReason.ON_DEMAND).number] = 23  # cp 4: the last
        # eight records after the last checkpoint
        seqs["load_g"] = _load(journal, "G", 10_000, "cash")  # 24, 25
        seqs["load_h"] = _load(journal, "H", 5_000, "alipay")  # 26, 27
        seqs["purchase_i"] = _purchase(journal, "I", 150)  # 28, 29
        seqs["grey_j"] = journal.append(
            Entry(
                RecordKind.LOAD_INTENT,
                shift_id=2,
                card_serial=CARDS["J"],
                amount_fen=2_000,
                payment_method="cash",
            )
        ).seq  # 30: left open
        seqs["note_3"] = journal.append(Entry(RecordKind.NOTE, payload={"text": "end"})).seq
        last_seq = journal.head()[0]
        assert journal.verify(full=True).ok
        assert [cp.seq for cp in journal.checkpoints()] == [cps[n] for n in sorted(cps)]
    settle(path)
    return Sample(path, keys, seqs, last_seq, max(cps), cps)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    path = tmp_path_factory.mktemp("tamper") / "template.db"
    sample = build_sample(path)
    # the layout the tests below rely on
    assert sample.last_seq == 31
    assert sample.checkpoint_seqs == {1: 1, 2: 11, 3: 17, 4: 23}
    assert sorted(p.name for p in path.parent.iterdir()) == ["template.db"]
    return sample


@pytest.fixture
def sample(template: Sample, tmp_path: Path) -> Sample:
    path = tmp_path / "journal.db"
    shutil.copyfile(template.path, path)
    return Sample(
        path,
        template.keys,
        template.seqs,
        template.last_seq,
        template.last_checkpoint,
        template.checkpoint_seqs,
    )


def full_report(sample: Sample) -> VerificationReport:
    with Journal.open(sample.path, sample.keys) as journal:
        return journal.verify(full=True)


def assert_broken_at(
    report: VerificationReport, seq: int | None = None, checkpoint: int | None = None
) -> None:
    assert not report.ok, "the tampering was not noticed"
    first = report.first_problem
    assert first is not None
    if seq is not None:
        assert first.seq == seq, report.summary()
    if checkpoint is not None:
        assert first.checkpoint == checkpoint, report.summary()
    assert "BROKEN" in report.summary()
    assert str(first) in report.summary()


def assert_open_refuses(sample: Sample, seq: int | None = None) -> None:
    """Opening notices (verification since the last checkpoint) and refuses to record more."""
    with Journal.open(sample.path, sample.keys) as journal:
        assert journal.problem is not None, "Journal.open did not notice the tampering"
        if seq is not None:
            assert journal.problem.seq == seq, journal.problem
        head = journal.head()
        with pytest.raises(JournalBrokenError):
            journal.append(Entry(RecordKind.NOTE))
        with pytest.raises(JournalBrokenError):
            journal.checkpoint()
        assert journal.head() == head
    assert not full_report(sample).ok


def row(sample: Sample, seq: int) -> dict[str, object]:
    with raw_db(sample.path) as conn:
        cursor = conn.execute("SELECT * FROM journal_record WHERE seq = ?", (seq,))
        names = [d[0] for d in cursor.description]
        found = cursor.fetchone()
    assert found is not None, seq
    return dict(zip(names, found, strict=True))


# -- the control ----------------------------------------------------------------------------


def test_untouched_journal_verifies(sample: Sample) -> None:
    with Journal.open(sample.path, sample.keys) as journal:
        assert journal.problem is None
        report = journal.verify(full=True)
        assert report.ok, report.summary()
        assert report.first_problem is None
        assert report.records_checked == sample.last_seq
        assert report.checkpoints_checked == sample.last_checkpoint
        assert report.last_seq == sample.last_seq
        assert "OK." in report.summary()
        assert report.totals == journal.totals()
        quick = journal.verify(full=False)
        assert quick.ok
        assert quick.since_checkpoint == sample.last_checkpoint
        assert quick.records_checked == sample.last_seq - sample.checkpoint_seqs[4]
        journal.append(Entry(RecordKind.NOTE))  # a healthy journal goes on recording


# -- editing one field of one record ---------------------------------------------------------


def _flip_first_byte(value: object) -> object:
    assert isinstance(value, bytes)
    return bytes([value[0] ^ 0x01]) + value[1:]


# (column, the record's name in Sample.seqs and offset from it, how to change the value)
EDITS = {
    "amount": ("amount_fen", 1, lambda v: v + 100),  # the outcome of a load
    "intent_amount": ("amount_fen", 0, lambda v: v * 10),
    "payment_method": ("payment_method", 1, lambda v: "cash" if v != "cash" else "wechat"),
    "tac": ("tac", 1, _flip_first_byte),
    "mac2": ("mac2", 0, _flip_first_byte),
    "card_serial": ("card_serial", 1, lambda v: v[:-1] + "9"),
    "balance_after": ("balance_after_fen", 1, lambda v: v + 1),
    "grand_total": ("grand_total_fen", 1, lambda v: v - 1),
    "operator": ("operator", 1, lambda v: "mallory"),
    "payload": ("payload", 1, lambda v: json.dumps({"outcome": "not_done"})),
    "prev_mac": ("prev_mac", 1, _flip_first_byte),
    "mac": ("mac", 1, _flip_first_byte),
    # a value of another type than the column's: the typed encoding gives way to the generic one
    "amount_as_real": ("amount_fen", 1, lambda v: v + 0.5),
    "operator_as_number": ("operator", 1, lambda v: 1.5),
}
# a load before the last checkpoint, one signed by it and one after it
WHERE = {"before_last_checkpoint": "load_a", "after_last_checkpoint": "load_h"}


@pytest.mark.parametrize("where", list(WHERE))
@pytest.mark.parametrize("edit", list(EDITS))
def test_edited_record_is_named(sample: Sample, edit: str, where: str) -> None:
    column, offset, change = EDITS[edit]
    seq = sample.seqs[WHERE[where]] + offset
    old = row(sample, seq)[column]
    with raw_db(sample.path) as conn:
        conn.execute(f"UPDATE journal_record SET {column} = ? WHERE seq = ?", (change(old), seq))
    assert row(sample, seq)[column] != old
    assert_broken_at(full_report(sample), seq=seq)
    if where == "after_last_checkpoint":
        assert_open_refuses(sample, seq=seq)


def test_amount_and_grand_totals_rewritten_consistently_is_still_caught(sample: Sample) -> None:
    """A forger who also fixes every later grand total still cannot make the MAC."""
    seq = sample.seqs["load_a"] + 1
    with raw_db(sample.path) as conn:
        conn.execute(
            "UPDATE journal_record SET amount_fen = amount_fen + 100 WHERE seq = ?", (seq,)
        )
        conn.execute(
            "UPDATE journal_record SET grand_total_fen = grand_total_fen + 100 "
            "WHERE kind = 'load_outcome' AND seq >= ?",
            (seq,),
        )
    report = full_report(sample)
    assert_broken_at(report, seq=seq)
    assert "MAC does not match" in report.first_problem.reason  # type: ignore[union-attr]


def test_key_id_switched_to_the_old_key(sample: Sample) -> None:
    seq = sample.seqs["load_h"]
    old_key = row(sample, sample.seqs["rotation"])["key_id"]
    assert row(sample, seq)["key_id"] != old_key
    with raw_db(sample.path) as conn:
        conn.execute("UPDATE journal_record SET key_id = ? WHERE seq = ?", (old_key, seq))
    assert_broken_at(full_report(sample), seq=seq)
    assert_open_refuses(sample, seq=seq)


@pytest.mark.parametrize("name", ["rotation", "note_2"])  # signed by checkpoints 3 and 4
def test_edited_record_signed_by_a_checkpoint(sample: Sample, name: str) -> None:
    seq = sample.seqs[name]
    with raw_db(sample.path) as conn:
        conn.execute("UPDATE journal_record SET operator = 'mallory' WHERE seq = ?", (seq,))
    assert_broken_at(full_report(sample), seq=seq)
    if name == "note_2":  # the last checkpoint's own record: opening cannot start from it
        assert_open_refuses(sample, seq=seq)


@pytest.mark.parametrize("name", ["note_1", "load_h"])
def test_time_moved_backwards(sample: Sample, name: str) -> None:
    seq = sample.seqs[name]
    before = row(sample, seq - 1)["at_us"]
    assert isinstance(before, int)
    with raw_db(sample.path) as conn:
        conn.execute("UPDATE journal_record SET at_us = ? WHERE seq = ?", (before - 1, seq))
    report = full_report(sample)
    assert_broken_at(report, seq=seq)
    assert any(p.seq == seq and "time goes backwards" in p.reason for p in report.problems)
    if name == "load_h":
        assert_open_refuses(sample, seq=seq)


def test_tampering_before_the_last_checkpoint_is_caught_by_a_full_verify(sample: Sample) -> None:
    seq = sample.seqs["load_b"] + 1
    with raw_db(sample.path) as conn:
        conn.execute("UPDATE journal_record SET amount_fen = 1 WHERE seq = ?", (seq,))
    with Journal.open(sample.path, sample.keys) as journal:
        report = journal.verify(full=True)
    assert_broken_at(report, seq=seq)
    assert report.since_checkpoint is None  # in full, from genesis


def test_tampering_after_the_last_checkpoint_breaks_open(sample: Sample) -> None:
    seq = sample.seqs["load_g"] + 1
    with raw_db(sample.path) as conn:
        conn.execute("UPDATE journal_record SET amount_fen = 1 WHERE seq = ?", (seq,))
    with Journal.open(sample.path, sample.keys) as journal:
        assert journal.problem is not None
        assert journal.problem.seq == seq
        with pytest.raises(JournalBrokenError) as info:
            journal.append(Entry(RecordKind.NOTE, payload={"after": "tampering"}))
        assert f"seq {seq}" in str(info.value)
        with pytest.raises(JournalBrokenError):
            journal.append_many([Entry(RecordKind.NOTE), Entry(RecordKind.NOTE)])
        assert journal.head()[0] == sample.last_seq  # nothing was recorded
    assert_broken_at(full_report(sample), seq=seq)


def test_checkpoint_notices_tampering_while_the_journal_is_open(sample: Sample) -> None:
    """Opening was clean; a record changed behind its back is found by the next checkpoint."""
    seq = sample.seqs["load_h"] + 1
    refusals = Refusals()
    with Journal.open(sample.path, sample.keys, clock=StepClock(start=START_LATE)) as journal:
        assert journal.problem is None
        with raw_db(sample.path) as conn:
            conn.execute("UPDATE journal_record SET tac = x'00000000' WHERE seq = ?", (seq,))
        refusals.check(journal, journal.checkpoint, JournalBrokenError, f"seq {seq}")
        assert journal.problem is not None
        assert journal.problem.seq == seq
        with pytest.raises(JournalBrokenError):
            journal.append(Entry(RecordKind.NOTE))
    refusals.done()


# -- removing, adding and reordering records -------------------------------------------------


@pytest.mark.parametrize(
    "name", ["note_1", "load_b", "load_e", "load_h", "grey_j"], ids=lambda n: f"delete-{n}"
)
def test_deleted_middle_record(sample: Sample, name: str) -> None:
    seq = sample.seqs[name]
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_record WHERE seq = ?", (seq,))
    report = full_report(sample)
    assert_broken_at(report, seq=seq + 1)
    assert f"record {seq} missing" in report.first_problem.reason  # type: ignore[union-attr]
    if seq > sample.checkpoint_seqs[sample.last_checkpoint]:
        assert_open_refuses(sample, seq=seq + 1)


def test_deleted_record_that_a_checkpoint_signs(sample: Sample) -> None:
    seq = sample.seqs["shift_close_1"]  # signed by checkpoint 2
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_record WHERE seq = ?", (seq,))
    report = full_report(sample)
    assert_broken_at(report, seq=seq, checkpoint=2)


def test_deleted_record_that_the_last_checkpoint_signs(sample: Sample) -> None:
    seq = sample.seqs["note_2"]
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_record WHERE seq = ?", (seq,))
    assert_broken_at(full_report(sample), seq=seq, checkpoint=4)
    assert_open_refuses(sample)


def _forge_random(sample: Sample, conn: object) -> None:
    last = row(sample, sample.last_seq)
    forged = dict(last)
    forged.update(
        seq=sample.last_seq + 1,
        kind="load_intent",
        at_us=int(last["at_us"]) + 1_000_000,  # type: ignore[call-overload]
        card_serial=CARDS["A"],
        amount_fen=100_000,
        payment_method="cash",
        intent_seq=None,
        grand_total_fen=999_999,
        payload="{}",
        prev_mac=last["mac"],
        mac=secrets.token_bytes(32),
    )
    _insert(conn, forged)


def _forge_copy(sample: Sample, conn: object) -> None:
    """Replay a real money record as the next seq, chained to the real head."""
    source = row(sample, sample.seqs["load_h"] + 1)
    forged = dict(source)
    forged.update(seq=sample.last_seq + 1, prev_mac=row(sample, sample.last_seq)["mac"])
    _insert(conn, forged)


def _forge_copy_verbatim(sample: Sample, conn: object) -> None:
    """The last record again, every field copied, only seq + 1."""
    forged = row(sample, sample.last_seq)
    forged["seq"] = sample.last_seq + 1
    _insert(conn, forged)


def _insert(conn: object, values: dict[str, object]) -> None:
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    conn.execute(f"INSERT INTO journal_record ({names}) VALUES ({marks})", tuple(values.values()))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "forge", [_forge_random, _forge_copy, _forge_copy_verbatim], ids=lambda f: f.__name__[1:]
)
def test_forged_record_appended_at_the_end(sample: Sample, forge) -> None:
    forged_seq = sample.last_seq + 1
    with raw_db(sample.path) as conn:
        forge(sample, conn)
    assert row(sample, forged_seq)["seq"] == forged_seq
    assert_broken_at(full_report(sample), seq=forged_seq)
    assert_open_refuses(sample, seq=forged_seq)


def test_forged_record_with_the_head_anchor_moved_to_it(sample: Sample) -> None:
    """Moving the head row along with the forged record cannot make its keyed anchor."""
    forged_seq = sample.last_seq + 1
    with raw_db(sample.path) as conn:
        _forge_copy(sample, conn)
        conn.execute(
            "UPDATE journal_head SET seq = ?, mac = (SELECT mac FROM journal_record WHERE seq = ?)",
            (forged_seq, forged_seq),
        )
    report = full_report(sample)
    assert_broken_at(report, seq=forged_seq)
    assert any("head anchor does not verify" in p.reason for p in report.problems)
    assert_open_refuses(sample)


@pytest.mark.parametrize(
    ("first", "second"),
    [("load_a", "note_1"), ("load_g", "load_h"), ("load_h", "grey_j")],
    ids=["before_checkpoint", "after_checkpoint", "intent_and_grey_intent"],
)
def test_swapped_seqs(sample: Sample, first: str, second: str) -> None:
    a, b = sample.seqs[first], sample.seqs[second]
    assert a < b
    with raw_db(sample.path) as conn:
        conn.execute("UPDATE journal_record SET seq = -1 WHERE seq = ?", (a,))
        conn.execute("UPDATE journal_record SET seq = ? WHERE seq = ?", (a, b))
        conn.execute("UPDATE journal_record SET seq = ? WHERE seq = -1", (b,))
    assert_broken_at(full_report(sample), seq=a)
    if a > sample.checkpoint_seqs[sample.last_checkpoint]:
        assert_open_refuses(sample, seq=a)


@pytest.mark.parametrize("count", [1, 5])
def test_truncated_tail_not_covered_by_a_checkpoint(sample: Sample, count: int) -> None:
    """No checkpoint signs the last records: only the keyed head anchor knows they existed."""
    new_end = sample.last_seq - count
    assert new_end > sample.checkpoint_seqs[sample.last_checkpoint]
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_record WHERE seq > ?", (new_end,))
    report = full_report(sample)
    assert_broken_at(report, seq=new_end)
    assert f"head anchor says seq {sample.last_seq}" in report.first_problem.reason  # type: ignore[union-attr]
    assert_open_refuses(sample, seq=new_end)


def test_truncated_tail_with_the_head_row_rewritten(sample: Sample) -> None:
    new_end = sample.last_seq - 5
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_record WHERE seq > ?", (new_end,))
        conn.execute(
            "UPDATE journal_head SET seq = ?, mac = (SELECT mac FROM journal_record WHERE seq = ?)",
            (new_end, new_end),
        )
    report = full_report(sample)
    assert_broken_at(report, seq=new_end)
    assert "head anchor does not verify" in report.first_problem.reason  # type: ignore[union-attr]
    assert_open_refuses(sample, seq=new_end)


def test_truncated_tail_and_head_row_deleted(sample: Sample) -> None:
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_record WHERE seq > ?", (sample.last_seq - 3,))
        conn.execute("DELETE FROM journal_head")
    report = full_report(sample)
    assert not report.ok
    assert any("head anchor is missing" in p.reason for p in report.problems)
    assert_open_refuses(sample)


def test_truncated_past_the_last_checkpoint(sample: Sample) -> None:
    """Records the last checkpoint signs are gone: the checkpoint is left pointing at nothing."""
    new_end = sample.checkpoint_seqs[sample.last_checkpoint] - 3
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_record WHERE seq > ?", (new_end,))
    report = full_report(sample)
    assert_broken_at(report, checkpoint=sample.last_checkpoint)
    assert "records were removed" in report.first_problem.reason  # type: ignore[union-attr]
    assert_open_refuses(sample)


# -- checkpoints -----------------------------------------------------------------------------


def _edit_totals(value: object) -> object:
    totals = json.loads(str(value))
    totals["load_outcome"] += 100
    return json.dumps(totals, sort_keys=True, separators=(",", ":"))


CHECKPOINT_EDITS = {
    "totals": ("totals", _edit_totals),
    "head_mac": ("head_mac", _flip_first_byte),
    "reason": ("reason", lambda v: "shift_close" if v != "shift_close" else "on_demand"),
    "batch_digest": ("batch_digest", _flip_first_byte),
    "at_us": ("at_us", lambda v: v + 1),
    "signature": ("signature", _flip_first_byte),
}


@pytest.mark.parametrize("number", [2, 4], ids=["middle", "last"])
@pytest.mark.parametrize("edit", list(CHECKPOINT_EDITS))
def test_edited_checkpoint_is_named(sample: Sample, edit: str, number: int) -> None:
    column, change = CHECKPOINT_EDITS[edit]
    with raw_db(sample.path) as conn:
        (old,) = conn.execute(
            f"SELECT {column} FROM journal_checkpoint WHERE number = ?", (number,)
        ).fetchone()
        conn.execute(
            f"UPDATE journal_checkpoint SET {column} = ? WHERE number = ?", (change(old), number)
        )
    report = full_report(sample)
    assert_broken_at(report, seq=sample.checkpoint_seqs[number], checkpoint=number)
    if number == sample.last_checkpoint:
        assert_open_refuses(sample)


def test_checkpoint_head_mac_pointed_at_another_record(sample: Sample) -> None:
    with raw_db(sample.path) as conn:
        conn.execute(
            "UPDATE journal_checkpoint SET head_mac = "
            "(SELECT mac FROM journal_record WHERE seq = 10) WHERE number = 2"
        )
    assert_broken_at(full_report(sample), seq=11, checkpoint=2)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_deleted_checkpoint(sample: Sample, number: int) -> None:
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_checkpoint WHERE number = ?", (number,))
    report = full_report(sample)
    assert_broken_at(report, checkpoint=number + 1)
    assert f"from {number - 1} to {number + 1}" in report.first_problem.reason  # type: ignore[union-attr]


def test_deleted_last_checkpoint(sample: Sample) -> None:
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_checkpoint WHERE number = ?", (sample.last_checkpoint,))
    report = full_report(sample)
    assert not report.ok
    assert "last checkpoint after number" in report.first_problem.reason  # type: ignore[union-attr]


def test_checkpoint_copied_over_the_next(sample: Sample) -> None:
    """Replacing checkpoint 3 by a copy of checkpoint 2 renumbered: its signature fails."""
    with raw_db(sample.path) as conn:
        conn.execute("DELETE FROM journal_checkpoint WHERE number = 3")
        conn.execute(
            "INSERT INTO journal_checkpoint SELECT 3, device_id, seq, head_mac, batch_digest, "
            "totals, at_us, reason, prev_signature, public_key, signature "
            "FROM journal_checkpoint WHERE number = 2"
        )
    assert_broken_at(full_report(sample), checkpoint=3)
