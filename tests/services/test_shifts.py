"""Shifts: open with a float, blind count, expected cash from the journal, close and checkpoint.

A real counter store and journal in tmp_path; the cash records a top-up, replacement or refund
would write are appended by hand, so the expected-cash arithmetic is checked against numbers
written here, not recomputed the service's way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.crypto.passwords import PasswordHashParams
from app.domain.parameters import Parameters
from app.domain.people import Actor, Role
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.journal.kinds import INTENT_OF
from app.services.errors import NoOpenShiftError, PermissionDeniedError, RefusedError
from app.services.operators import ApprovalPurpose, OperatorService
from app.services.shifts import (
    CASH_EFFECT,
    DENOMINATIONS_FEN,
    CashCount,
    CashDifferenceError,
    CashLine,
    ShiftService,
)
from app.store import shifts as shift_rows
from app.store.database import Store

CHEAP = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)
PASSWORDS = {"admin": "Harbour-lights-2026", "sup1": "Quiet-river-771", "clerk1": "Blue-tram-9876"}
PASSWORDS |= {"clerk2": "Green-bus-2222", "sup2": "Silver-kite-303"}
FLOAT = 50_000  # ¥500.00
TOLERANCE = Parameters.default().cash_difference_tolerance_fen  # ¥5.00


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def keys() -> JournalKeys:
    return JournalKeys.generate()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "counter.sqlite3") as s:
        yield s


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock, keys: JournalKeys) -> Iterator[Journal]:
    with Journal.create(tmp_path / "j.sqlite3", keys, "DEV-1", "0102030405AB", clock=clock) as j:
        yield j


@pytest.fixture
def operators(store: Store, journal: Journal, clock: FakeClock) -> OperatorService:
    return OperatorService(store, journal, clock, CHEAP)


@pytest.fixture
def shifts(store: Store, journal: Journal, clock: FakeClock) -> ShiftService:
    return ShiftService(store, journal, Parameters.default(), clock)


@pytest.fixture
def staff(operators: OperatorService) -> dict[str, Actor]:
    operators.create_first_admin("admin", "管理员", PASSWORDS["admin"])
    admin = operators.sign_in("admin", PASSWORDS["admin"])
    for name, role in (
        ("sup1", Role.SUPERVISOR),
        ("sup2", Role.SUPERVISOR),
        ("clerk1", Role.CLERK),
        ("clerk2", Role.CLERK),
    ):
        operators.create_operator(admin, name, name.upper(), role, PASSWORDS[name])
    return {"admin": admin} | {
        n: operators.sign_in(n, PASSWORDS[n]) for n in ("sup1", "sup2", "clerk1", "clerk2")
    }


_serials = iter(range(1, 10_000))


def load(journal: Journal, shift_id: int, amount: int, method: str, outcome: str | None) -> None:
    """A top-up as the top-up service journals it: intent, then (unless grey) its outcome."""
    serial = f"31000000{next(_serials):08d}"
    intent = journal.append(
        Entry(
            RecordKind.LOAD_INTENT,
            operator="clerk1",
            shift_id=shift_id,
            card_serial=serial,
            amount_fen=amount,
            payment_method=method,
        )
    )
    if outcome == "done":
        journal.append(
            Entry(
                RecordKind.LOAD_OUTCOME,
                operator="clerk1",
                shift_id=shift_id,
                card_serial=serial,
                amount_fen=amount,
                payment_method=method,
                intent_seq=intent.seq,
                payload={"outcome": "done"},
            )
        )
    elif outcome == "not_done":  # no amount, no payment: nothing was taken
        journal.append(
            Entry(
                RecordKind.LOAD_OUTCOME,
                operator="clerk1",
                shift_id=shift_id,
                card_serial=serial,
                intent_seq=intent.seq,
                payload={"outcome": "not_done", "reason": "card_removed"},
            )
        )


def money(journal: Journal, kind: str, shift_id: int, amount: int, method: str) -> None:
    intent_kind = INTENT_OF.get(kind)
    intent_seq = None
    if intent_kind is not None:  # an outcome closes its intent, as the services write them
        intent_seq = journal.append(
            Entry(
                intent_kind,
                operator="clerk1",
                shift_id=shift_id,
                amount_fen=amount,
                payment_method=method,
            )
        ).seq
    journal.append(
        Entry(
            kind,
            operator="clerk1",
            shift_id=shift_id,
            amount_fen=amount,
            payment_method=method,
            intent_seq=intent_seq,
            payload={"outcome": "done"} if intent_seq else {},
        )
    )


def count_of(total_fen: int) -> dict[int, int]:
    """Pieces adding up to ``total_fen`` (highest denominations first)."""
    pieces = {}
    for d in DENOMINATIONS_FEN:
        pieces[d], total_fen = divmod(total_fen, d)
    assert total_fen == 0
    return pieces


def closes(journal: Journal) -> list[Any]:
    return [r for r in journal.records() if r.kind == RecordKind.SHIFT_CLOSE]


# -- opening ---------------------------------------------------------------------------------


def test_open_shift_is_journaled_with_the_float(
    shifts: ShiftService, staff: dict[str, Actor], journal: Journal
) -> None:
    shift = shifts.open_shift(staff["clerk1"], FLOAT)
    assert (shift.operator, shift.opening_float_fen, shift.is_open) == ("clerk1", FLOAT, True)
    record = journal.records()[-1]
    assert (record.kind, record.operator, record.shift_id, record.amount_fen) == (
        RecordKind.SHIFT_OPEN,
        "clerk1",
        shift.id,
        FLOAT,
    )
    assert shifts.current_shift(staff["clerk1"]) == shift
    assert shifts.require_open_shift(staff["clerk1"]) == shift
    assert shifts.current_shift(staff["clerk2"]) is None


def test_one_open_shift_per_operator(
    shifts: ShiftService, staff: dict[str, Actor], journal: Journal
) -> None:
    first = shifts.open_shift(staff["clerk1"], FLOAT)
    with pytest.raises(RefusedError, match=f"already has a shift open.*shift {first.id}") as exc:
        shifts.open_shift(staff["clerk1"], 10_000)
    assert exc.value.advice
    other = shifts.open_shift(staff["clerk2"], 0)  # another operator on the same counter
    assert other.id != first.id
    opened = [r for r in journal.records() if r.kind == RecordKind.SHIFT_OPEN]
    assert [(r.operator, r.amount_fen) for r in opened] == [("clerk1", FLOAT), ("clerk2", 0)]


def test_the_store_index_refuses_a_second_open_shift(
    store: Store, shifts: ShiftService, staff: dict[str, Actor]
) -> None:
    shifts.open_shift(staff["clerk1"], FLOAT)
    with pytest.raises(shift_rows.ShiftAlreadyOpenError):
        shift_rows.open_shift(store, "clerk1", 1, 0)


@pytest.mark.parametrize("bad", [-1, True, 100.0, "500", None, 10_000_001])
def test_absurd_floats_are_refused(
    shifts: ShiftService, staff: dict[str, Actor], store: Store, bad: object
) -> None:
    with pytest.raises(RefusedError, match="not an opening float"):
        shifts.open_shift(staff["clerk1"], bad)  # type: ignore[arg-type]
    assert shift_rows.open_shifts(store) == []


def test_a_shift_whose_opening_was_not_journaled_does_not_exist(
    shifts: ShiftService, staff: dict[str, Actor], journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_entry: Entry) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(journal, "append", fail)
    with pytest.raises(OSError, match="disk full"):
        shifts.open_shift(staff["clerk1"], FLOAT)
    monkeypatch.undo()
    assert shifts.current_shift(staff["clerk1"]) is None
    assert shifts.open_shift(staff["clerk1"], FLOAT).is_open


def test_transactions_need_an_open_shift(shifts: ShiftService, staff: dict[str, Actor]) -> None:
    with pytest.raises(NoOpenShiftError) as exc:
        shifts.require_open_shift(staff["clerk1"])
    assert "Open a shift" in exc.value.advice


# -- blind count -----------------------------------------------------------------------------


def test_count_is_declared_blind_before_the_close(
    shifts: ShiftService, staff: dict[str, Actor], store: Store, journal: Journal
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    load(journal, shift.id, 10_000, "cash", "done")
    declared = shifts.declare_count(clerk, shift.id, {10_000: 5, 100: 3, 10: 2})
    assert declared == CashCount(
        shift.id,
        tuple((d, {10_000: 5, 100: 3, 10: 2}.get(d, 0)) for d in DENOMINATIONS_FEN),
        50_320,
    )
    # nothing the clerk gets back carries the expected amount
    assert {f.name for f in fields(CashCount)} == {"shift_id", "counted", "counted_cash_fen"}
    stored = shift_rows.get(store, shift.id)
    assert stored is not None
    assert (stored.counted_cash_fen, stored.expected_cash_fen) == (50_320, None)
    assert stored.is_open and not closes(journal)
    # a declared count freezes the drawer: no more transactions in this shift
    with pytest.raises(NoOpenShiftError, match="counted for closing"):
        shifts.require_open_shift(clerk)
    # until the expected amount was shown, a recount may replace the declaration
    again = shifts.declare_count(clerk, shift.id, count_of(60_000))
    assert again.counted_cash_fen == 60_000
    result = shifts.close_shift(clerk, shift.id)
    assert (result.counted_cash_fen, result.expected_cash_fen, result.difference_fen) == (
        60_000,
        60_000,
        0,
    )


@pytest.mark.parametrize(
    "counted",
    [
        {20_000: 1},  # no ¥200 note
        {200: 3},  # no ¥2
        {1: 5},  # no 1-fen coin at a counter
        {"10000": 1},
        {10_000: -1},
        {10_000: True},
        {10_000: 1.5},
        {10_000: 100_001},
    ],
)
def test_bad_counts_are_refused(
    shifts: ShiftService, staff: dict[str, Actor], store: Store, counted: dict[Any, Any]
) -> None:
    shift = shifts.open_shift(staff["clerk1"], FLOAT)
    with pytest.raises(RefusedError):
        shifts.declare_count(staff["clerk1"], shift.id, counted)
    assert not shift_rows.get(store, shift.id).count_declared  # type: ignore[union-attr]


def test_close_needs_a_declared_count(shifts: ShiftService, staff: dict[str, Actor]) -> None:
    shift = shifts.open_shift(staff["clerk1"], FLOAT)
    with pytest.raises(RefusedError, match="has not been counted"):
        shifts.close_shift(staff["clerk1"], shift.id)


# -- expected cash ---------------------------------------------------------------------------


def test_expected_cash_counts_only_cash_that_moved(
    shifts: ShiftService, staff: dict[str, Actor], journal: Journal
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    other = shifts.open_shift(staff["clerk2"], 0)
    load(journal, shift.id, 10_000, "cash", "done")  # +100.00
    load(journal, shift.id, 5_000, "cash", "done")  # +50.00
    load(journal, shift.id, 20_000, "wechat", "done")  # not cash
    load(journal, shift.id, 3_000, "cash", "not_done")  # nothing taken
    load(journal, shift.id, 7_000, "cash", None)  # grey: intent only
    load(journal, other.id, 9_900, "cash", "done")  # another shift's drawer
    money(journal, RecordKind.REPLACEMENT, shift.id, 2_000, "cash")  # +20.00 fee
    money(journal, RecordKind.EXCHANGE, shift.id, 1_000, "alipay")  # not cash
    money(journal, RecordKind.REFUND, shift.id, 4_550, "cash")  # -45.50
    money(journal, RecordKind.REFUND, shift.id, 800, "bank_card")  # not cash
    expected = 50_000 + 10_000 + 5_000 + 2_000 - 4_550  # 62,450 fen
    shifts.declare_count(clerk, shift.id, count_of(expected))

    result = shifts.close_shift(clerk, shift.id)

    assert (result.expected_cash_fen, result.counted_cash_fen, result.difference_fen) == (
        62_450,
        62_450,
        0,
    )
    assert result.cash_lines == (
        CashLine("load_outcome", 2, 15_000),
        CashLine("refund", 1, -4_550),
        CashLine("replacement", 1, 2_000),
    )
    assert result.opening_float_fen == FLOAT


def test_the_cash_table_is_the_documented_one() -> None:
    assert dict(CASH_EFFECT) == {
        "load_outcome": 1,
        "replacement": 1,
        "exchange": 1,
        "refund": -1,
        "void": -1,
        "ticket_sale": 1,
        "pass_sale": 1,
    }


# -- tolerance and approval ------------------------------------------------------------------


@pytest.mark.parametrize("difference", [0, 300, -300, TOLERANCE, -TOLERANCE])
def test_difference_within_tolerance_closes_without_reason(
    shifts: ShiftService, staff: dict[str, Actor], journal: Journal, store: Store, difference: int
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    load(journal, shift.id, 10_000, "cash", "done")
    shifts.declare_count(clerk, shift.id, count_of(60_000 + difference))
    result = shifts.close_shift(clerk, shift.id)
    assert result.difference_fen == difference
    assert (result.reason, result.approver) == (None, None)
    stored = shift_rows.get(store, shift.id)
    assert stored is not None and not stored.is_open
    assert stored.expected_cash_fen == 60_000


@pytest.mark.parametrize("difference", [TOLERANCE + 10, -TOLERANCE - 10, -20_000])
def test_difference_beyond_tolerance_needs_reason_and_supervisor(
    shifts: ShiftService,
    operators: OperatorService,
    staff: dict[str, Actor],
    journal: Journal,
    store: Store,
    difference: int,
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    shifts.declare_count(clerk, shift.id, count_of(FLOAT + difference))

    with pytest.raises(CashDifferenceError, match="a reason and a supervisor's approval") as exc:
        shifts.close_shift(clerk, shift.id)
    assert (exc.value.expected_cash_fen, exc.value.difference_fen) == (FLOAT, difference)
    # the expected amount has been shown: the count cannot be adjusted to it any more
    with pytest.raises(RefusedError, match="cannot change"):
        shifts.declare_count(clerk, shift.id, count_of(FLOAT))
    with pytest.raises(CashDifferenceError, match="needs a reason and a supervisor's"):
        shifts.close_shift(clerk, shift.id, reason="  ")  # blank is no reason
    with pytest.raises(CashDifferenceError, match="needs a supervisor's approval"):
        shifts.close_shift(clerk, shift.id, reason="gave change twice")
    approval = operators.approve(
        clerk, "sup1", PASSWORDS["sup1"], ApprovalPurpose.CASH_DIFFERENCE, shift_id=shift.id
    )
    with pytest.raises(CashDifferenceError, match="needs a reason"):
        shifts.close_shift(clerk, shift.id, approval=approval)
    wrong_purpose = operators.approve(clerk, "sup1", PASSWORDS["sup1"], ApprovalPurpose.REFUND)
    with pytest.raises(RefusedError, match="not for"):
        shifts.close_shift(clerk, shift.id, reason="miscounted change", approval=wrong_purpose)
    assert shift_rows.get(store, shift.id).is_open  # type: ignore[union-attr]
    assert not closes(journal)

    result = shifts.close_shift(clerk, shift.id, reason="gave change twice", approval=approval)

    assert (result.difference_fen, result.reason, result.approver) == (
        difference,
        "gave change twice",
        "sup1",
    )
    (record,) = closes(journal)
    payload = record.payload_dict()
    assert (payload["reason"], payload["approver"], payload["approval_seq"]) == (
        "gave change twice",
        "sup1",
        approval.journal_seq,
    )
    stored = shift_rows.get(store, shift.id)
    assert stored is not None
    assert (stored.difference_reason, stored.approved_by) == ("gave change twice", "sup1")


def test_a_stale_approval_is_refused(
    shifts: ShiftService, operators: OperatorService, staff: dict[str, Actor], clock: FakeClock
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    shifts.declare_count(clerk, shift.id, count_of(FLOAT - 2_000))
    approval = operators.approve(clerk, "sup1", PASSWORDS["sup1"], ApprovalPurpose.CASH_DIFFERENCE)
    clock.advance(minutes=11)
    with pytest.raises(RefusedError, match="older than"):
        shifts.close_shift(clerk, shift.id, reason="short", approval=approval)


def test_the_shift_owner_cannot_approve_their_own_difference(
    shifts: ShiftService, operators: OperatorService, staff: dict[str, Actor]
) -> None:
    sup = staff["sup1"]
    shift = shifts.open_shift(sup, FLOAT)
    shifts.declare_count(sup, shift.id, count_of(FLOAT - 2_000))
    # the admin closes the supervisor's shift, with the supervisor typing in as "approver"
    approval = operators.approve(
        staff["admin"], "sup1", PASSWORDS["sup1"], ApprovalPurpose.CASH_DIFFERENCE
    )
    with pytest.raises(RefusedError, match="of their own"):
        shifts.close_shift(staff["admin"], shift.id, reason="short", approval=approval)
    approval = operators.approve(
        staff["admin"], "sup2", PASSWORDS["sup2"], ApprovalPurpose.CASH_DIFFERENCE
    )
    result = shifts.close_shift(staff["admin"], shift.id, reason="short", approval=approval)
    assert (result.operator, result.closed_by, result.approver) == ("sup1", "admin", "sup2")


# -- who may close ---------------------------------------------------------------------------


def test_clerks_close_only_their_own_shift_supervisors_any(
    shifts: ShiftService, staff: dict[str, Actor], journal: Journal
) -> None:
    shift = shifts.open_shift(staff["clerk1"], FLOAT)
    with pytest.raises(PermissionDeniedError):
        shifts.declare_count(staff["clerk2"], shift.id, count_of(FLOAT))
    shifts.declare_count(staff["clerk1"], shift.id, count_of(FLOAT))
    with pytest.raises(PermissionDeniedError):
        shifts.close_shift(staff["clerk2"], shift.id)
    result = shifts.close_shift(staff["sup1"], shift.id)
    assert (result.operator, result.closed_by) == ("clerk1", "sup1")
    (record,) = closes(journal)
    assert record.operator == "sup1"
    assert record.payload_dict()["shift_operator"] == "clerk1"


def test_a_closed_shift_stays_closed_and_a_new_one_can_open(
    shifts: ShiftService, staff: dict[str, Actor], journal: Journal
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    shifts.declare_count(clerk, shift.id, count_of(FLOAT))
    shifts.close_shift(clerk, shift.id)
    assert shifts.current_shift(clerk) is None
    with pytest.raises(NoOpenShiftError):
        shifts.require_open_shift(clerk)
    with pytest.raises(RefusedError, match="already closed"):
        shifts.close_shift(clerk, shift.id)
    with pytest.raises(RefusedError, match="already closed"):
        shifts.declare_count(clerk, shift.id, count_of(FLOAT))
    with pytest.raises(RefusedError, match="no shift"):
        shifts.close_shift(clerk, 999)
    assert shifts.open_shift(clerk, 20_000).id != shift.id
    assert len(closes(journal)) == 1


# -- the close record and the checkpoint -----------------------------------------------------


def test_close_is_journaled_and_checkpointed(
    tmp_path: Path,
    shifts: ShiftService,
    staff: dict[str, Actor],
    journal: Journal,
    store: Store,
    keys: JournalKeys,
    clock: FakeClock,
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    load(journal, shift.id, 10_000, "cash", "done")
    clock.advance(hours=8)
    counted = {10_000: 5, 5_000: 1, 2_000: 2, 1_000: 1, 100: 2, 50: 1}  # 60,250: +2.50
    shifts.declare_count(clerk, shift.id, counted)
    before = len(journal.checkpoints())

    result = shifts.close_shift(clerk, shift.id, reason="customer left change")

    (record,) = closes(journal)
    assert (record.seq, record.operator, record.shift_id, record.amount_fen) == (
        result.journal_seq,
        "clerk1",
        shift.id,
        60_250,
    )
    payload = record.payload_dict()
    assert payload["counted"] == {str(d): counted.get(d, 0) for d in DENOMINATIONS_FEN}
    assert (payload["expected_cash_fen"], payload["counted_cash_fen"]) == (60_000, 60_250)
    assert (payload["difference_fen"], payload["reason"], payload["approver"]) == (
        250,
        "customer left change",
        None,
    )
    assert payload["opening_float_fen"] == FLOAT
    assert result.closed_at == clock.now

    checkpoints = journal.checkpoints()
    assert len(checkpoints) == before + 1
    checkpoint = checkpoints[-1]
    assert (checkpoint.reason, checkpoint.seq) == ("shift_close", record.seq)
    assert result.checkpoint_number == checkpoint.number
    assert shift_rows.get(store, shift.id).checkpoint_number == checkpoint.number  # type: ignore[union-attr]
    report = journal.verify()
    assert report.ok, report.problems
    journal.close()
    with Journal.open(tmp_path / "j.sqlite3", keys, clock=clock) as reopened:
        assert reopened.problem is None
        assert reopened.verify().ok


def test_an_interrupted_close_is_finished_without_a_second_record(
    shifts: ShiftService,
    staff: dict[str, Actor],
    journal: Journal,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clerk = staff["clerk1"]
    shift = shifts.open_shift(clerk, FLOAT)
    load(journal, shift.id, 10_000, "cash", "done")
    shifts.declare_count(clerk, shift.id, count_of(60_000))

    def power_cut(_reason: str = "") -> None:
        raise OSError("power cut")

    monkeypatch.setattr(journal, "checkpoint", power_cut)
    with pytest.raises(OSError, match="power cut"):
        shifts.close_shift(clerk, shift.id)
    monkeypatch.undo()
    assert shift_rows.get(store, shift.id).is_open  # type: ignore[union-attr]
    (first,) = closes(journal)

    result = shifts.close_shift(clerk, shift.id)

    assert result.journal_seq == first.seq
    assert len(closes(journal)) == 1
    assert journal.checkpoints()[-1].seq == first.seq
    assert not shift_rows.get(store, shift.id).is_open  # type: ignore[union-attr]
    assert journal.verify().ok
