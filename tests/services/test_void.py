"""Void of the shift's last top-up: approved, taken back off the same card, the cash netted out."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from app.card.apdu import Ins
from app.card.errors import CardError
from app.card.operations import load, purchase
from app.card.sam import SoftwareSam
from app.domain.parameters import Parameters
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Approval, Role
from app.journal import Entry, Outcome, RecordKind
from app.reports import shift_report
from app.services import void as void_module
from app.services.errors import PermissionDeniedError, RefusedError
from app.services.operators import ApprovalPurpose, OperatorService
from app.services.receipts import ReprintService, receipt_for
from app.services.shifts import ShiftService, cash_lines
from app.services.topup import TopUpReceipt
from app.services.void import VoidInterruptedError, VoidService
from tests.services.counter_support import (
    CHINA,
    SUPERVISOR_PASSWORD,
    Counter,
    build_counter,
    staff,
    void_service,
)
from tests.support.cards import Rig

SERIAL = "3104000000001234"
FLOAT = 20_000
ELSEWHERE = bytes.fromhex("AABBCCDDEEFF")  # another terminal: a bus, another outlet
CASH = PaymentMethod.CASH


@dataclass
class Setup:
    counter: Counter
    operators: OperatorService
    clerk: Actor
    voids: VoidService
    rig: Rig
    shift: int
    topup: TopUpReceipt

    def approval(self) -> Approval:
        return self.operators.approve(self.clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.VOID)

    def void(self, seq: int | None = None, card=None):
        card = card or self.rig.open()
        return self.voids.void(
            self.clerk, self.shift, seq or self.topup.outcome_seq, card, self.approval()
        )

    def card(self):
        return self.rig.reload().profile


def make_setup(directory, rig: Rig) -> Setup:
    counter = build_counter(directory, rig.sam)
    operators, clerk = staff(counter)
    shifts = ShiftService(counter.store, counter.journal, Parameters.default(), counter.clock)
    shift = shifts.open_shift(clerk, FLOAT).id
    topup = counter.topups.top_up(clerk, shift, rig.open(), 3_000, CASH)
    return Setup(counter, operators, clerk, void_service(counter, rig.sam), rig, shift, topup)


@pytest.fixture
def setup(tmp_path, rig):
    made = make_setup(tmp_path, rig)
    yield made
    made.counter.close()


def voids_of(s: Setup) -> list:
    return s.counter.journal.records_of_kinds(RecordKind.VOID)


def check_voided_once(s: Setup, context: object = None) -> None:
    """The card is back where it was, the amount was taken once, one void nets the cash out."""
    journal = s.counter.journal
    card = s.card()
    debits = [
        r
        for r in journal.card_records(SERIAL, RecordKind.PURCHASE_OUTCOME)
        if r.payload_dict().get("outcome") == Outcome.DONE
    ]
    assert card.balance_fen == 5_000, context
    assert card.offline_atc == len(debits) == 1, context  # taken back once, never twice
    assert sum(r.amount_fen or 0 for r in debits) == 3_000, context
    (void,) = voids_of(s)
    assert void.payload_dict()["voided_seq"] == s.topup.outcome_seq, context
    assert (void.amount_fen, void.payment_method) == (3_000, "cash"), context
    assert sum(line.amount_fen for line in cash_lines(journal, s.shift)) == 0, context
    assert journal.open_intents() == [], context
    assert journal.verify().ok, context


def test_a_void_takes_the_top_up_back_and_the_drawer_gives_the_cash_back(setup):
    s = setup
    receipt = s.void()
    assert (receipt.voided_seq, receipt.amount_fen, receipt.payment_method) == (
        s.topup.outcome_seq,
        3_000,
        "cash",
    )
    assert (receipt.balance_before_fen, receipt.balance_after_fen) == (8_000, 5_000)
    assert receipt.approver == "sup1" and receipt.operator == "clerk1"
    check_voided_once(s)
    journal = s.counter.journal
    void = journal.record(receipt.void_seq)
    debit = journal.record(void.payload_dict()["purchase_seq"])
    assert debit.kind == RecordKind.PURCHASE_OUTCOME and debit.payment_method == "card_purse"
    assert [(line.kind, line.count, line.amount_fen) for line in cash_lines(journal, s.shift)] == [
        ("load_outcome", 1, 3_000),
        ("void", 1, -3_000),
    ]
    # the shift closes on its float: the top-up and its void cancel out
    shifts = ShiftService(s.counter.store, journal, Parameters.default(), s.counter.clock)
    shifts.declare_count(s.clerk, s.shift, {10_000: 2})
    closed = shifts.close_shift(s.clerk, s.shift)
    assert closed.expected_cash_fen == FLOAT and closed.difference_fen == 0
    # and the shift report says so: ¥30 in and ¥30 out in cash, one void
    figures = shift_report(journal, s.counter.store, s.shift, CHINA, s.counter.clock).figures
    (cash,) = figures.by_payment
    assert (cash.payment_method, cash.in_fen, cash.out_fen, cash.net_fen) == (
        "cash",
        3_000,
        3_000,
        0,
    )
    assert figures.voids == 1 and figures.net_fen == 0
    # the void has its receipt, which can be reprinted like any other
    lines = dict(receipt_for(journal, void).lines)
    assert lines["金额 Amount"] == "¥30.00" and lines["撤销流水 Voids journal seq"] == str(
        s.topup.outcome_seq
    )
    approval = s.operators.approve(s.clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REPRINT)
    copy = ReprintService(journal, s.counter.clock).reprint(s.clerk, s.shift, void.seq, approval)
    assert copy.is_copy and copy.title.startswith("撤销凭条")


def test_the_last_transaction_is_what_a_void_would_undo(setup):
    s = setup
    last = s.voids.last_transaction(s.clerk, s.shift)
    assert last.seq == s.topup.outcome_seq
    s.void()
    assert s.voids.last_transaction(s.clerk, s.shift).kind == RecordKind.VOID
    assert s.voids.last_transaction(s.clerk, s.shift + 1) is None


# -- refusals: nothing written, nothing taken ------------------------------------------------


def _refused(s: Setup, match: str, **kwargs) -> None:
    head = s.counter.journal.head()
    before = (s.card().balance_fen, s.card().offline_atc)
    with pytest.raises(RefusedError, match=match):
        s.void(**kwargs)
    records = s.counter.journal.records(after=head[0])
    assert all(r.kind == RecordKind.APPROVAL for r in records), records  # only the approval
    assert (s.card().balance_fen, s.card().offline_atc) == before


def test_already_voided(setup):
    setup.void()
    _refused(setup, "already voided")
    check_voided_once(setup)


def test_not_the_last_transaction(setup):
    s = setup
    s.counter.topups.top_up(s.clerk, s.shift, s.rig.open(), 1_000, PaymentMethod.WECHAT)
    _refused(s, "not the last transaction")


def test_another_card_on_the_reader(setup, make_rig):
    other = make_rig(serial=bytes.fromhex("3104000000005678"), balance_fen=8_000)
    _refused(setup, "not card 3104000000001234", card=other.open())
    assert other.reload().profile.balance_fen == 8_000


def test_balance_spent_since(setup):
    s = setup
    elsewhere = SoftwareSam({1: s.rig.issuer}, ELSEWHERE)  # another counter's SAM
    purchase(s.rig.open(), elsewhere, 500, datetime(2026, 11, 21, 12, 0))
    _refused(s, "was used since")


def test_loaded_elsewhere_since(setup):
    s = setup
    when = datetime(2026, 11, 21, 12, 0)
    elsewhere = SoftwareSam({1: s.rig.issuer}, ELSEWHERE)  # another counter's SAM
    load(s.rig.open(), elsewhere, 500, ELSEWHERE, when)
    purchase(s.rig.open(), elsewhere, 500, when)  # the same balance again
    _refused(s, "loaded again")


def test_not_the_same_shift(setup):
    s = setup
    head = s.counter.journal.head()
    with pytest.raises(RefusedError, match="not to this shift"):
        s.voids.void(s.clerk, s.shift + 1, s.topup.outcome_seq, s.rig.open(), s.approval())
    assert [r.kind for r in s.counter.journal.records(after=head[0])] == [RecordKind.APPROVAL]


def test_too_old(setup):
    setup.counter.clock.now += timedelta(minutes=11)
    _refused(setup, "no longer be voided")


def test_only_a_top_up_is_voided(setup):
    s = setup
    transfer = s.counter.topups.top_up(
        s.clerk, s.shift, s.rig.open(), 1_000, PaymentMethod.BALANCE_TRANSFER, allow_transfer=True
    )
    _refused(s, "only a top-up can be voided", seq=transfer.outcome_seq)
    _refused(s, "only a top-up can be voided", seq=s.topup.intent_seq)
    _refused(s, "no record", seq=99_999)


def test_roles_and_approvals(setup):
    s = setup
    card = s.rig.open()
    with pytest.raises(RefusedError, match="approval"):
        s.voids.void(s.clerk, s.shift, s.topup.outcome_seq, card, None)
    other = s.operators.approve(s.clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REPRINT)
    with pytest.raises(RefusedError, match="not for"):
        s.voids.void(s.clerk, s.shift, s.topup.outcome_seq, card, other)
    admin = s.operators.sign_in("admin", "Adm1n-pass-word")
    s.operators.create_operator(admin, "clerk2", "赵敏", Role.CLERK, "Cl3rk2-pass-word")
    with pytest.raises(PermissionDeniedError):  # a clerk cannot approve a void
        s.operators.approve(s.clerk, "clerk2", "Cl3rk2-pass-word", ApprovalPurpose.VOID)
    forged = s.counter.journal.append(
        Entry(
            RecordKind.APPROVAL,
            operator="clerk1",
            payload={"approver": "clerk2", "approver_role": "clerk", "purpose": "void"},
        )
    )
    with pytest.raises(PermissionDeniedError):
        s.voids.void(
            s.clerk,
            s.shift,
            s.topup.outcome_seq,
            card,
            Approval("clerk2", Role.CLERK, "void", forged.seq),
        )
    with pytest.raises(PermissionDeniedError):
        s.voids.void(None, s.shift, s.topup.outcome_seq, card, s.approval())
    with pytest.raises(PermissionDeniedError):
        s.voids.last_transaction(None, s.shift)
    assert voids_of(s) == [] and s.card().balance_fen == 8_000


# -- a tear at every APDU, a crash in between ------------------------------------------------

FAULTS = ["tear_before", "tear_after", "drop_response"]


def _apdus_of_a_void(tmp_path, make_rig) -> int:
    rig = make_rig()
    s = make_setup(tmp_path, rig)
    card = rig.open()
    before = card.channel.exchanges
    s.void(card=card)
    s.counter.close()
    return card.channel.exchanges - before


@pytest.mark.parametrize("fault", FAULTS)
def test_a_tear_at_every_apdu_of_a_void_never_takes_twice(make_rig, tmp_path, fault):
    (tmp_path / "count").mkdir()
    apdus = _apdus_of_a_void(tmp_path / "count", make_rig)
    assert apdus >= 5  # GET BALANCE, READ RECORD, the purchase's reads, INIT, GET DATA, DEBIT
    for nth in range(1, apdus + 1):
        directory = tmp_path / f"{fault}-{nth}"
        directory.mkdir()
        rig = make_rig()
        s = make_setup(directory, rig)
        card = rig.open()
        getattr(rig.faulty, fault)(nth=nth)
        with contextlib.suppress(VoidInterruptedError, CardError):
            s.void(card=card)
        rig.faulty.clear()
        if rig.faulty.torn:
            rig.faulty.reinsert()
        s.voids.resume(s.clerk, rig.open())  # the next tap settles and finishes
        if not voids_of(s):  # it did not happen: the clerk voids again
            s.void()
        check_voided_once(s, context=(fault, nth))
        s.counter.close()


@pytest.mark.parametrize("fault", FAULTS)
def test_debit_interrupted_then_counter_restarted(setup, fault):
    s = setup
    getattr(s.rig.faulty, fault)(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(VoidInterruptedError) as info:
        s.void()
    assert "Do not give any money back" in info.value.advice
    assert voids_of(s) == []
    s.counter = s.counter.reopen(s.rig.sam)
    s.voids = void_service(s.counter, s.rig.sam)
    s.operators = OperatorService(
        s.counter.store, s.counter.journal, s.counter.clock, s.operators._params
    )
    if s.rig.faulty.torn:
        s.rig.faulty.reinsert()
    if fault == "tear_before":  # not debited: the void is simply asked again
        assert s.voids.resume(s.clerk, s.rig.open()) == []
        receipt = s.void()
    else:  # debited: the tap settles the debit and writes the void
        (receipt,) = s.voids.resume(s.clerk, s.rig.open())
    assert receipt.voided_seq == s.topup.outcome_seq
    check_voided_once(s, context=fault)


def test_asking_again_after_an_interrupted_debit_finishes_it_without_a_second_debit(setup):
    s = setup
    s.rig.faulty.drop_response(ins=Ins.DEBIT_FOR_PURCHASE)  # debited, answer lost
    with pytest.raises(VoidInterruptedError):
        s.void()
    receipt = s.void()  # the card is still on the reader: the same void is asked again
    assert receipt.voided_seq == s.topup.outcome_seq
    check_voided_once(s)


def test_a_crash_between_the_debit_and_the_void_record_is_finished_at_start_up(setup, monkeypatch):
    s = setup

    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # the process stops after the debit's outcome

    monkeypatch.setattr(void_module.VoidService, "_write_void", crash)
    with pytest.raises(KeyboardInterrupt):
        s.void()
    monkeypatch.undo()
    assert voids_of(s) == [] and s.card().balance_fen == 5_000
    s.counter = s.counter.reopen(s.rig.sam)
    s.voids = void_service(s.counter, s.rig.sam)
    assert s.voids.reconcile() == 1
    assert s.voids.reconcile() == 0
    check_voided_once(s)
