"""Card return and refund: quote, approval above the threshold, block, tear during the block."""

from __future__ import annotations

import pytest

from app.card.apdu import Ins
from app.journal import RecordKind
from app.services.errors import RefusedError
from app.services.operators import ApprovalPurpose
from app.services.refund import RefundInterruptedError, RefundService
from app.services.shifts import CASH_EFFECT
from app.store import blacklist
from tests.services.counter_support import SHIFT, SUPERVISOR_PASSWORD, build_counter, staff

SERIAL = "3104000000001234"


@pytest.fixture
def setup(tmp_path, make_rig):
    rig = make_rig(balance_fen=12_000)
    counter = build_counter(tmp_path, rig.sam)
    operators, clerk = staff(counter)
    refunds = RefundService(counter.journal, counter.store, rig.sam, counter.clock)
    yield counter, operators, refunds, clerk, rig
    counter.close()


def test_quote_is_balance_plus_deposit(setup):
    _counter, _ops, refunds, clerk, rig = setup
    quote = refunds.quote(clerk, rig.open())
    assert (quote.balance_fen, quote.deposit_fen, quote.amount_fen) == (12_000, 2_000, 14_000)
    assert not quote.needs_approval  # threshold ¥200.00


def test_refund_blocks_the_card_and_journals_cash_out(setup):
    counter, _ops, refunds, clerk, rig = setup
    receipt = refunds.refund(clerk, SHIFT, rig.open())
    assert receipt.amount_fen == 14_000
    assert rig.reload().profile.blocked
    outcome = counter.journal.record(receipt.outcome_seq)
    assert outcome.kind == RecordKind.REFUND and outcome.intent_seq == receipt.intent_seq
    assert CASH_EFFECT[outcome.kind] == -1 and outcome.payment_method == "cash"
    assert counter.journal.open_intents() == []
    with pytest.raises(RefusedError, match="blocked"):
        refunds.quote(clerk, rig.open())  # a returned card cannot be returned twice
    assert counter.journal.verify().ok


def test_above_the_threshold_a_supervisor_must_approve(tmp_path, make_rig):
    rig = make_rig(balance_fen=50_000)
    counter = build_counter(tmp_path, rig.sam)
    operators, clerk = staff(counter)
    refunds = RefundService(counter.journal, counter.store, rig.sam, counter.clock)
    assert refunds.quote(clerk, rig.open()).needs_approval
    with pytest.raises(RefusedError, match="approval"):
        refunds.refund(clerk, SHIFT, rig.open())
    assert not rig.reload().profile.blocked
    approval = operators.approve(clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REFUND)
    receipt = refunds.refund(clerk, SHIFT, rig.open(), approval)
    assert receipt.approver == "sup1" and receipt.amount_fen == 52_000
    counter.close()


def test_blacklisted_card_is_not_returned(setup):
    counter, _ops, refunds, clerk, rig = setup
    blacklist.add(counter.store, SERIAL, "loss_report", 0)
    with pytest.raises(RefusedError, match="blacklist"):
        refunds.refund(clerk, SHIFT, rig.open())
    assert not rig.reload().profile.blocked


@pytest.mark.parametrize("fault", ["tear_before", "tear_after", "drop_response"])
def test_card_pulled_during_the_block_is_finished_on_the_next_tap(setup, fault):
    counter, _ops, refunds, clerk, rig = setup
    getattr(rig.faulty, fault)(ins=Ins.APPLICATION_BLOCK)
    with pytest.raises(RefundInterruptedError):
        refunds.refund(clerk, SHIFT, rig.open())
    (intent,) = counter.journal.open_intents()
    assert intent.kind == RecordKind.REFUND_INTENT
    if rig.faulty.torn:
        rig.faulty.reinsert()
    # the load recovery leaves a return alone; the refund service finishes it
    assert counter.recovery.resolve(rig.open()) == []
    (receipt,) = refunds.resume(clerk, rig.open())
    assert receipt.intent_seq == intent.seq and receipt.amount_fen == 14_000
    assert rig.reload().profile.blocked
    assert counter.journal.open_intents() == []
    assert refunds.resume(clerk, rig.open()) == []
    assert counter.journal.verify().ok
