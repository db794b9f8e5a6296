"""The writer keeps the chain's end in memory between appends; it must never append on a stale one.

Another connection or another process appending, a refused batch, a checkpoint and a key rotation
each move or reset what the writer remembers; every journal here must verify in full afterwards,
with the grand totals the records add up to. Also: the typed canonical encoding of stored rows
gives exactly the generic bytes (or the generic error), and the after-append hook sees durable
records.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.journal import (
    Entry,
    IntentError,
    Journal,
    JournalBrokenError,
    JournalError,
    JournalKeys,
    RecordKind,
)
from app.journal.canonical import new_record_bytes, record_bytes, stored_record_bytes
from tests.journal.support import DEVICE, TERMINAL, StepClock, keys_from_plain, keys_to_plain


def _load(amount: int, card: str = "3105000000000001") -> Entry:
    return Entry(
        RecordKind.LOAD_INTENT,
        operator="clerk1",
        shift_id=1,
        card_serial=card,
        amount_fen=amount,
        payment_method="cash",
        balance_before_fen=0,
        balance_after_fen=amount,
        atc=1,
        terminal_seq=1,
    )


def _assert_whole(journal: Journal, last_seq: int, load_total: int) -> None:
    report = journal.verify(full=True)
    assert report.ok, report.summary()
    assert report.last_seq == last_seq
    assert report.totals.get(RecordKind.LOAD_INTENT, 0) == load_total
    assert journal.totals() == report.totals


def _child_appends(path: str, plain: object, amounts: list[int]) -> None:
    with Journal.open(Path(path), keys_from_plain(plain)) as journal:  # type: ignore[arg-type]
        for amount in amounts:
            journal.append(_load(amount, "3105000000000002"))


def test_records_another_process_appended_are_chained_after(tmp_path: Path) -> None:
    keys = JournalKeys.generate()
    journal = Journal.create(tmp_path / "j.db", keys, DEVICE, TERMINAL)
    try:
        journal.append(_load(100))
        journal.append(_load(200))  # the writer now remembers seq 3 and a total of 300
        ctx = multiprocessing.get_context("spawn")
        child = ctx.Process(
            target=_child_appends, args=(str(journal.path), keys_to_plain(keys), [1000, 2000])
        )
        child.start()
        child.join(60)
        assert child.exitcode == 0
        record = journal.append(_load(5))
        assert record.seq == 6
        assert record.grand_total_fen == 300 + 3000 + 5
        assert record.prev_mac == journal.record(5).mac  # type: ignore[union-attr]
        _assert_whole(journal, 6, 3305)
    finally:
        journal.close()


def test_two_writers_on_one_file_take_turns(tmp_path: Path) -> None:
    keys = JournalKeys.generate()
    clock = StepClock()
    first = Journal.create(tmp_path / "j.db", keys, DEVICE, TERMINAL, clock)
    second = Journal.open(first.path, keys, clock)
    try:
        expected = 0
        for i in range(1, 21):
            writer = first if i % 3 else second
            record = writer.append(_load(i))
            expected += i
            assert record.seq == i + 1
            assert record.grand_total_fen == expected
        checkpoint = second.checkpoint()
        record = first.append(_load(7))  # the anchor must cover the other writer's checkpoint
        assert record.seq == checkpoint.seq + 1
        _assert_whole(first, 22, expected + 7)
        _assert_whole(second, 22, expected + 7)
    finally:
        second.close()
        first.close()


def test_a_key_rotated_by_another_writer_is_an_error_not_tampering(tmp_path: Path) -> None:
    keys = JournalKeys.generate()
    first = Journal.create(tmp_path / "j.db", keys, DEVICE, TERMINAL)
    second = Journal.open(first.path, keys)
    try:
        first.append(_load(1))
        newer = keys.with_new_mac_key()
        second.rotate_key(newer)
        with pytest.raises(JournalError, match="not in the keystore"):
            first.append(_load(2))
        assert first.problem is None  # not taken for tampering
        first.close()
        first = Journal.open(second.path, newer)  # with the new key loaded, it goes on
        assert first.append(_load(3)).key_id == newer.current_key_id
        _assert_whole(first, 4, 4)
    finally:
        second.close()
        first.close()


def test_a_refused_batch_leaves_nothing_remembered(tmp_path: Path) -> None:
    keys = JournalKeys.generate()
    with Journal.create(tmp_path / "j.db", keys, DEVICE, TERMINAL) as journal:
        journal.append(_load(100))
        bad = Entry(RecordKind.LOAD_OUTCOME, card_serial="3105000000000001", intent_seq=99)
        with pytest.raises(IntentError):
            journal.append_many([_load(50), _load(60), bad])
        record = journal.append(_load(1))
        assert record.seq == 3
        assert record.grand_total_fen == 101
        _assert_whole(journal, 3, 101)


@pytest.mark.parametrize("head", ["kept", "moved_back", "deleted"])
def test_a_tail_removed_behind_the_writer_is_not_appended_over(tmp_path: Path, head: str) -> None:
    """A write by plain sqlite3 moves data_version: the writer re-reads and checks the anchor."""
    keys = JournalKeys.generate()
    with Journal.create(tmp_path / "j.db", keys, DEVICE, TERMINAL) as journal:
        journal.append(_load(100))
        journal.append(_load(200))
        second = journal.record(2)
        assert second is not None
        with sqlite3.connect(journal.path) as conn:
            conn.execute("DELETE FROM journal_record WHERE seq = 3")
            if head == "moved_back":  # the head row pointed at the new end, without the key
                conn.execute("UPDATE journal_head SET seq = 2, mac = ?", (second.mac,))
            elif head == "deleted":
                conn.execute("DELETE FROM journal_head")
        with pytest.raises(JournalBrokenError):
            journal.append(_load(1))
        assert journal.problem is not None
        with pytest.raises(JournalBrokenError):
            journal.append(_load(1))
        assert journal.head()[0] == (3 if head == "kept" else 2 if head == "moved_back" else 0)


# -- the typed encoding of stored rows ---------------------------------------------------------

_ANY = st.one_of(
    st.none(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.binary(max_size=8),
)


def _generic(values: list[object]) -> bytes | type[Exception]:
    try:
        return record_bytes(values)  # type: ignore[arg-type]
    except ValueError as exc:
        return type(exc)


@given(st.lists(_ANY, min_size=19, max_size=21))
def test_typed_encoding_of_any_row_equals_the_generic(values: list[object]) -> None:
    expected = _generic(values)
    for encoder in (stored_record_bytes, new_record_bytes):
        try:
            got: bytes | type[Exception] = encoder(values)  # type: ignore[arg-type]
        except ValueError as exc:
            got = type(exc)
        assert got == expected


def test_typed_encoding_of_a_real_row_and_of_booleans() -> None:
    row: list[object] = ["DEV", 2, "load_intent", 5, "op", 1, "3105", 100, "cash", 0, 100]
    row += [1, 1, b"\x01\x02\x03\x04", None, None, None, 100, "{}", "k1"]
    assert stored_record_bytes(row) == record_bytes(row)  # type: ignore[arg-type]
    row[7] = True  # a boolean amount: refused on the append path, as before
    with pytest.raises(ValueError, match="booleans"):
        new_record_bytes(row)  # type: ignore[arg-type]


# -- period totals over the whole journal ------------------------------------------------------


def _plain_period_totals(path: Path, start_us: int, end_us: int) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(
            "SELECT kind, payment_method, count(*), coalesce(sum(amount_fen), 0) "
            "FROM journal_record WHERE at_us >= ? AND at_us < ? "
            "GROUP BY kind, payment_method ORDER BY kind, payment_method",
            (start_us, end_us),
        ).fetchall()


def test_whole_journal_totals_equal_the_plain_grouping(tmp_path: Path) -> None:
    """The shift-by-shift path (whole journal) and the time-range path give the plain figures."""
    clock = StepClock()
    keys = JournalKeys.generate()
    with Journal.create(tmp_path / "j.db", keys, DEVICE, TERMINAL, clock) as journal:
        for shift in (1, 2, 3):
            journal.append(Entry(RecordKind.SHIFT_OPEN, "clerk1", shift))
            for i, method in enumerate(("cash", "wechat", None, "cash")):
                entry = _load(100 * shift + i)
                journal.append(
                    Entry(**{**entry.__dict__, "shift_id": shift, "payment_method": method})
                )
            journal.append(Entry(RecordKind.NOTE, amount_fen=None))  # no shift, no method
        first, last = journal.record(1), journal.record(journal.head()[0])
        assert first is not None and last is not None
        whole = journal.period_totals(first.at, last.at + timedelta(microseconds=1))
        plain = _plain_period_totals(journal.path, first.at_us, last.at_us + 1)
        assert [(t.kind, t.payment_method, t.count, t.amount_fen) for t in whole] == plain
        assert sum(t.count for t in whole) == last.seq
        # a range that leaves out the last record takes the other path, with the same meaning
        part = journal.period_totals(first.at, last.at)
        plain_part = _plain_period_totals(journal.path, first.at_us, last.at_us)
        assert [(t.kind, t.payment_method, t.count, t.amount_fen) for t in part] == plain_part
        assert sum(t.count for t in part) == last.seq - 1


def test_the_period_bounds_seek_the_index_instead_of_scanning(tmp_path: Path) -> None:
    """Reading the journal's first and last time must not scan every record (a day report)."""
    from app.journal.journal import _TIME_BOUNDS  # noqa: PLC0415

    with Journal.create(tmp_path / "j.db", JournalKeys.generate(), DEVICE, TERMINAL) as journal:
        journal.append(_load(1))
        with sqlite3.connect(journal.path) as conn:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {_TIME_BOUNDS}")]
    assert not [step for step in plan if step.startswith("SCAN journal_record")], plan
    assert sum(step.startswith("SEARCH journal_record") for step in plan) == 2, plan
