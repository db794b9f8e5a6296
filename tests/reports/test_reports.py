"""Shift and daily reports against the journal: every figure recomputed here from the records.

The counter worked a real day (tests/reports/worked_day.py): top-ups through the virtual card,
a refused write, a torn write, a reprint, a card return, closes with a blind count. The test
recomputes the figures from ``journal.records()`` with its own arithmetic (not the journal's
queries the reports use) and also pins the numbers the scenario makes by hand.
"""

from __future__ import annotations

from collections import Counter as Tally
from datetime import UTC, datetime, timedelta

import pytest

from app.journal import Outcome, RecordKind
from app.journal.verify import checkpoint_signature_ok
from app.reports import daily_report, shift_report
from app.reports.build import TRANSACTION_KINDS, day_bounds, records_between
from app.services.errors import RefusedError
from app.store import shifts as shift_rows
from tests.reports.worked_day import DAY, TZ, work_a_day

COUNTER_METHODS = {"cash", "bank_card", "wechat", "alipay"}
MONEY_IN = {"load_outcome", "replacement", "exchange"}


def _records(day, keep):
    return [r for r in day.counter.journal.records() if keep(r)]


def _expected_totals(records):
    """(kind, method) -> (count, sum) of transaction records that moved money or were counted."""
    sums: dict[tuple[str, str | None], list[int]] = {}
    for r in records:
        if r.kind not in TRANSACTION_KINDS:
            continue
        if r.payload_dict().get("outcome") == Outcome.NOT_DONE:
            continue
        line = sums.setdefault((r.kind, r.payment_method), [0, 0])
        line[0] += 1
        line[1] += r.amount_fen or 0
    return {k: tuple(v) for k, v in sums.items()}


def _takings_by_local_hour(records):
    hours: dict[int, int] = Tally()
    for r in records:
        if r.kind in MONEY_IN and r.payment_method in COUNTER_METHODS and r.amount_fen:
            hours[(r.at + timedelta(hours=8)).hour] += r.amount_fen
    return dict(hours)


@pytest.fixture(scope="module")
def shift2(day):
    return shift_report(day.counter.journal, day.counter.store, 2, TZ)


def test_shift_totals_are_the_journal_sums(day, shift2):
    records = _records(day, lambda r: r.shift_id == 2)
    got = {(x.kind, x.payment_method): (x.count, x.amount_fen) for x in shift2.figures.totals}
    assert got == _expected_totals(records)
    assert got == {  # what the scenario did, by hand
        ("load_outcome", "cash"): (2, 13_000),
        ("load_outcome", "bank_card"): (1, 20_000),
        ("load_outcome", "wechat"): (1, 5_000),
        ("load_outcome", "alipay"): (1, 2_000),
        ("refund", "cash"): (1, 10_000),
    }
    not_done = [r for r in records if r.payload_dict().get("outcome") == Outcome.NOT_DONE]
    assert shift2.figures.not_done_count == len(not_done) == 1
    assert [line.kind for line in shift2.figures.totals][-1] == "refund"  # listed in kind order


def test_money_by_payment_method_and_takings(day, shift2):
    by = {
        p.payment_method: (p.count, p.in_fen, p.out_fen, p.net_fen)
        for p in shift2.figures.by_payment
    }
    assert by == {
        "cash": (3, 13_000, 10_000, 3_000),
        "bank_card": (1, 20_000, 0, 20_000),
        "wechat": (1, 5_000, 0, 5_000),
        "alipay": (1, 2_000, 0, 2_000),
    }
    assert shift2.figures.takings_fen == 40_000 and shift2.figures.net_fen == 30_000


def test_cash_drawer_is_what_the_close_said(day, shift2):
    records = _records(day, lambda r: r.shift_id == 2)
    cash_in = sum(
        r.amount_fen or 0 for r in records if r.kind in MONEY_IN and r.payment_method == "cash"
    )
    cash_out = sum(r.amount_fen or 0 for r in records if r.kind == "refund")
    cash = shift2.cash
    assert cash.opening_float_fen == 50_000
    assert cash.expected_cash_fen == 50_000 + cash_in - cash_out == 53_000
    assert cash.counted_cash_fen == 52_900 and cash.difference_fen == -100
    assert dict(cash.counted)[10_000] == 5 and dict(cash.counted)[100] == 4
    assert {line.kind: line.amount_fen for line in cash.cash_lines} == {
        "load_outcome": cash_in,
        "refund": -cash_out,
    }
    assert cash.closed_by == "clerk1"
    # the drawer and the money table agree
    cash_net = next(p.net_fen for p in shift2.figures.by_payment if p.payment_method == "cash")
    assert cash.expected_cash_fen - cash.opening_float_fen == cash_net
    row = shift_rows.get(day.counter.store, 2)
    assert (row.expected_cash_fen, row.counted_cash_fen) == (53_000, 52_900)


def test_who_when_and_where(day, shift2):
    assert (shift2.operator, shift2.operator_name) == ("clerk1", "王芳")
    assert shift2.opened_at.utcoffset() == timedelta(hours=8)
    assert shift2.opened_at.replace(second=0) == datetime(2026, 11, 21, 9, 0, tzinfo=TZ)
    assert shift2.closed_at.replace(second=0) == datetime(2026, 11, 21, 12, 0, tzinfo=TZ)
    assert shift2.figures.journal.device_id == "DEV-T"
    assert shift2.figures.journal.terminal_id == "001122334455"  # the SAM's terminal id


def test_takings_by_hour(day, shift2):
    records = _records(day, lambda r: r.shift_id == 2)
    hourly = shift2.figures.hourly
    assert [h.start.hour for h in hourly] == [9, 10, 11, 12]  # from opening to closing hour
    assert {h.start.hour: h.amount_fen for h in hourly if h.amount_fen} == _takings_by_local_hour(
        records
    )
    assert [h.amount_fen for h in hourly] == [15_000, 23_000, 2_000, 0]
    assert [h.count for h in hourly] == [2, 2, 1, 0]
    assert sum(h.amount_fen for h in hourly) == shift2.figures.takings_fen


def test_voids_reprints_offline_unsynced(day, shift2):
    records = _records(day, lambda r: r.shift_id == 2)
    f = shift2.figures
    assert f.reprints == sum(r.kind == "reprint" for r in records) == 1
    assert f.voids == 0
    done_loads = [r for r in records if r.kind == "load_outcome" and r.amount_fen]
    assert (f.offline_topups.count, f.offline_topups.amount_fen) == (
        len(done_loads),
        sum(r.amount_fen for r in done_loads),
    )
    acked = day.counter.journal.acknowledged_seq()
    assert acked == day.acknowledged_seq
    waiting = [
        r
        for r in records
        if r.seq > acked and r.amount_fen and r.kind in {*MONEY_IN, "refund", "purchase_outcome"}
    ]
    assert (f.unsynced.count, f.unsynced.amount_fen) == (
        len(waiting),
        sum(r.amount_fen for r in waiting),
    )
    assert f.unsynced.count == 4  # bank card, cash, Alipay top-ups and the refund


def test_grey_records_are_the_open_intents(day, shift2):
    closed = {r.intent_seq for r in day.counter.journal.records() if r.intent_seq}
    intents = _records(
        day, lambda r: r.shift_id == 2 and r.kind.endswith("_intent") and r.seq not in closed
    )
    assert [g.seq for g in shift2.figures.grey] == [r.seq for r in intents]
    (grey,) = shift2.figures.grey
    assert (grey.kind, grey.amount_fen, grey.payment_method) == ("load_intent", 5_000, "cash")
    assert grey.card_serial == "3104000000000005"


def test_journal_reference_names_a_checkpoint_that_verifies(day, shift2):
    j = shift2.figures.journal
    journal = day.counter.journal
    (close,) = journal.shift_records(2, RecordKind.SHIFT_CLOSE)
    assert j.last_seq == close.seq and j.last_mac_hex == close.mac.hex().upper()
    assert j.checkpoint_number == shift_rows.get(day.counter.store, 2).checkpoint_number
    cp = next(c for c in journal.checkpoints() if c.number == j.checkpoint_number)
    assert checkpoint_signature_ok(cp, journal.public_key)
    assert j.checkpoint_signature_hex == cp.signature.hex().upper()
    assert j.checkpoint_head_mac_hex == cp.head_mac.hex().upper()
    assert j.covered and cp.seq >= close.seq
    assert j.head_seq == journal.head()[0]


def test_an_open_shift_does_not_reveal_the_expected_cash(day):
    report = shift_report(day.counter.journal, day.counter.store, 3, TZ)
    assert report.closed_at is None and report.operator_name == "李强"
    assert report.cash.expected_cash_fen is None and report.cash.difference_fen is None
    assert report.cash.opening_float_fen == 30_000
    assert {line.kind: line.amount_fen for line in report.cash.cash_lines} == {
        "load_outcome": 1_000
    }
    # the latest checkpoint does not sign the open shift's records yet, and the report says so
    assert not report.figures.journal.covered


def test_an_unknown_shift_is_refused_in_words(day):
    with pytest.raises(RefusedError, match="no shift 99"):
        shift_report(day.counter.journal, day.counter.store, 99, TZ)


def test_daily_report_is_the_local_calendar_day(day):
    report = daily_report(day.counter.journal, day.counter.store, DAY, TZ)
    start = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 00:00 in China
    end = start + timedelta(days=1)
    records = _records(day, lambda r: start <= r.at < end)
    got = {(x.kind, x.payment_method): (x.count, x.amount_fen) for x in report.figures.totals}
    assert got == _expected_totals(records)
    # shift 1's ¥10 top-up was at 23:50 on the 20th: not in; shift 3's ¥10 at 14:10 is
    assert got[("load_outcome", "cash")] == (3, 14_000)
    assert [s.shift_id for s in report.shifts] == [1, 2, 3]  # shift 1 closed at 00:10
    s1, s2, s3 = report.shifts
    assert (s1.cash.expected_cash_fen, s1.cash.counted_cash_fen) == (11_000, 11_000)
    assert (s2.cash.difference_fen, s3.cash.expected_cash_fen) == (-100, None)
    assert [h.start.hour for h in report.figures.hourly] == list(range(24))
    assert {h.start.hour: h.amount_fen for h in report.figures.hourly if h.amount_fen} == (
        _takings_by_local_hour(records)
    )
    assert report.figures.reprints == 1 and len(report.figures.grey) == 1
    assert report.figures.journal.last_seq == records[-1].seq


def test_the_day_before_has_only_shift_one(day):
    report = daily_report(day.counter.journal, day.counter.store, DAY - timedelta(days=1), TZ)
    assert [s.shift_id for s in report.shifts] == [1]
    totals = {(x.kind, x.payment_method): (x.count, x.amount_fen) for x in report.figures.totals}
    assert totals == {("load_outcome", "cash"): (1, 1_000)}
    assert report.figures.grey == ()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 11, 20, 16, tzinfo=UTC), datetime(2026, 11, 21, 16, tzinfo=UTC)),
        (datetime(2000, 1, 1, tzinfo=UTC), datetime(2026, 11, 20, 15, 50, tzinfo=UTC)),
        (datetime(2026, 11, 21, 1, 10, tzinfo=UTC), datetime(2026, 11, 21, 2, 15, tzinfo=UTC)),
        (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 2, tzinfo=UTC)),
        (datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)),
    ],
)
def test_records_between_is_a_plain_time_filter(day, start, end):
    expected = [r.seq for r in day.counter.journal.records() if start <= r.at < end]
    assert [r.seq for r in records_between(day.counter.journal, start, end)] == expected


def test_day_bounds():
    start, end = day_bounds(DAY, TZ)
    assert start.astimezone(UTC) == datetime(2026, 11, 20, 16, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_a_write_settled_after_the_close_counts_in_its_shift(tmp_path):
    day = work_a_day(tmp_path)
    try:
        day.counter.clock.now = datetime(2026, 11, 21, 12, 30, tzinfo=UTC)  # 20:30 local
        rig = day.cards["E"]
        rig.faulty.reinsert()
        (resolution,) = day.counter.recovery.resolve(rig.open())
        outcome = day.counter.journal.record(resolution.outcome_seq)
        assert outcome.shift_id == 2 and outcome.amount_fen == 5_000  # the torn top-up happened
        report = shift_report(day.counter.journal, day.counter.store, 2, TZ)
        assert report.figures.grey == ()
        totals = {(x.kind, x.payment_method): x.count for x in report.figures.totals}
        assert totals[("load_outcome", "cash")] == 3
        # the chart keeps the shift's hours and adds the late one, not the hours in between
        assert [h.start.hour for h in report.figures.hourly] == [9, 10, 11, 12, 20]
        assert report.figures.hourly[-1].amount_fen == 5_000
        assert report.cash.expected_cash_fen == 53_000  # the drawer as counted at the close
        assert not report.figures.journal.covered  # the close's checkpoint predates the outcome
    finally:
        day.counter.close()
