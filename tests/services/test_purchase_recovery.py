"""Purchases through the virtual card: intent/outcome, a tear at every APDU, recovery on tap."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.card.apdu import Ins
from app.card.errors import CardError
from app.card.operations import block_application, load, purchase
from app.card.sam import SoftwareSam
from app.journal import Outcome, RecordKind
from app.services.errors import PermissionDeniedError, RefusedError
from app.services.purchase import PurchaseInterruptedError, authorization_from_purchase_intent
from app.services.recovery import Settlement
from app.services.topup import intent_entry
from app.store import blacklist
from tests.services.counter_support import (
    CLERK,
    SHIFT,
    TERMINAL_ID,
    build_counter,
    purchase_service,
)

SERIAL = "3104000000001234"
OTHER_TERMINAL = bytes.fromhex("AABBCCDDEEFF")


@pytest.fixture
def counter(tmp_path, rig):
    counter = build_counter(tmp_path, rig.sam)
    yield counter
    counter.close()


def debited_fen(counter, serial: str = SERIAL) -> int:
    """Sum of the journal's completed purchases from ``serial``."""
    return sum(
        r.amount_fen or 0
        for r in counter.journal.card_records(serial, RecordKind.PURCHASE_OUTCOME)
        if r.payload_dict().get("outcome") == Outcome.DONE
    )


def test_a_purchase_is_an_intent_then_a_done_outcome(counter, rig):
    receipt = purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 1_250)
    assert (receipt.balance_before_fen, receipt.balance_after_fen) == (5_000, 3_750)
    profile = rig.reload().profile
    assert profile.balance_fen == 3_750 and profile.offline_atc == 1
    intent = counter.journal.record(receipt.intent_seq)
    outcome = counter.journal.record(receipt.outcome_seq)
    assert intent.kind == RecordKind.PURCHASE_INTENT and intent.mac1 is not None
    assert intent.terminal_seq == rig.sam_rig.reload().transaction_counter == 1  # the PSAM's seq
    assert outcome.kind == RecordKind.PURCHASE_OUTCOME and outcome.intent_seq == intent.seq
    assert outcome.tac == receipt.tac and outcome.mac2 is not None
    assert outcome.amount_fen == 1_250 and outcome.payment_method == "card_purse"
    assert outcome.balance_after_fen == 3_750
    assert counter.journal.open_intents() == []
    assert counter.journal.verify().ok


@pytest.mark.parametrize(
    ("amount", "why"),
    [(0, "not an amount"), (-100, "not an amount"), (12.5, "not an amount"), (True, "not an")],
)
def test_bad_amounts_are_refused_before_the_card_is_touched(counter, rig, amount, why):
    with pytest.raises(RefusedError, match=why):
        purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), amount)
    assert rig.reload().profile.offline_atc == 0
    assert counter.journal.records(after=1) == []


def test_more_than_the_balance_a_blacklisted_or_a_blocked_card_is_refused(counter, rig):
    purchases = purchase_service(counter, rig.sam)
    with pytest.raises(RefusedError, match="cannot be paid"):
        purchases.purchase(CLERK, SHIFT, rig.open(), 5_001)
    blacklist.add(counter.store, SERIAL, "loss_report", 0)
    with pytest.raises(RefusedError, match="blacklist"):
        purchases.purchase(CLERK, SHIFT, rig.open(), 100)
    blacklist.remove(counter.store, SERIAL)
    block_application(rig.open(), rig.sam)
    with pytest.raises(RefusedError, match="blocked"):
        purchases.purchase(CLERK, SHIFT, rig.open(), 100)
    assert rig.reload().profile.balance_fen == 5_000
    assert counter.journal.records(after=1) == []


def test_nobody_signed_in_is_refused(counter, rig):
    with pytest.raises(PermissionDeniedError):
        purchase_service(counter, rig.sam).purchase(None, SHIFT, rig.open(), 100)


def _tap_again_and_settle(counter, rig):
    if rig.faulty.torn:
        rig.faulty.reinsert()
    return counter.recovery.resolve(rig.open())


FAULTS = ["tear_before", "tear_after", "drop_response"]


def _apdus_of_a_purchase(make_rig, tmp_path) -> int:
    rig = make_rig()
    counter = build_counter(tmp_path / "count", rig.sam)
    card = rig.open()
    before = card.channel.exchanges
    purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, card, 1_000)
    counter.close()
    return card.channel.exchanges - before


@pytest.mark.parametrize("fault", FAULTS)
def test_a_tear_at_every_apdu_of_a_purchase_never_loses_or_doubles(make_rig, tmp_path, fault):
    (tmp_path / "count").mkdir()
    apdus = _apdus_of_a_purchase(make_rig, tmp_path)
    assert apdus >= 4  # the reads, INIT, GET DATA, DEBIT
    for nth in range(1, apdus + 1):
        rig = make_rig()
        directory = tmp_path / f"{fault}-{nth}"
        directory.mkdir()
        counter = build_counter(directory, rig.sam)
        purchases = purchase_service(counter, rig.sam)
        card = rig.open()
        getattr(rig.faulty, fault)(nth=nth)
        interrupted = False
        try:
            purchases.purchase(CLERK, SHIFT, card, 1_800)
        except PurchaseInterruptedError:
            interrupted = True  # only once the intent is durable: the card may have paid
        except CardError:
            assert counter.journal.open_intents() == []  # failed before DEBIT
        assert bool(counter.journal.open_intents()) is interrupted, (fault, nth)
        settled = _tap_again_and_settle(counter, rig)
        assert all(s.settlement is not Settlement.GREY for s in settled), settled
        assert all(s.kind == RecordKind.PURCHASE_INTENT for s in settled)
        profile = rig.reload().profile
        assert profile.balance_fen == 5_000 - debited_fen(counter), (fault, nth)
        assert counter.journal.open_intents() == []
        # the clerk redoes what did not happen; the card ends with exactly one debit
        if debited_fen(counter) == 0:
            purchases.purchase(CLERK, SHIFT, rig.open(), 1_800)
        profile = rig.reload().profile
        assert profile.balance_fen == 3_200 == 5_000 - debited_fen(counter)
        assert profile.offline_atc == 1  # one purchase reached the card, never two
        assert counter.journal.verify().ok
        counter.close()


@pytest.mark.parametrize("fault", ["tear_after", "drop_response", "tear_before"])
def test_debit_interrupted_then_counter_restarted_settles_on_next_tap(counter, rig, fault):
    getattr(rig.faulty, fault)(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(PurchaseInterruptedError) as info:
        purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 2_000)
    assert "Put the same card back" in info.value.advice
    (intent,) = counter.journal.open_intents()
    if fault == "drop_response":  # the card stays on the reader: no new payment meanwhile
        with pytest.raises(RefusedError, match="interrupted"):
            purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 100)
    restarted = counter.reopen(rig.sam)
    (resolution,) = _tap_again_and_settle(restarted, rig)
    executed = fault != "tear_before"
    assert resolution.intent_seq == intent.seq
    assert resolution.settlement is (Settlement.DONE if executed else Settlement.NOT_DONE)
    assert ("was completed" in resolution.message) is executed
    assert resolution.template and "{amount}" in resolution.template
    outcome = restarted.journal.record(resolution.outcome_seq)
    assert outcome.payload_dict()["recovered"] is True
    assert outcome.payload_dict()["outcome"] == (Outcome.DONE if executed else Outcome.NOT_DONE)
    if executed:  # GET TRANSACTION PROVE's MAC2 and TAC, checked by the SAM
        auth = authorization_from_purchase_intent(intent)
        assert outcome.tac == rig.sam.purchase_tac(auth) and outcome.mac2 is not None
        assert outcome.balance_after_fen == 3_000
    assert rig.reload().profile.balance_fen == 5_000 - debited_fen(restarted)
    assert _tap_again_and_settle(restarted, rig) == []  # settled once, never twice
    assert restarted.journal.verify().ok
    restarted.close()


def test_recovery_after_the_card_paid_elsewhere_uses_the_record_and_the_host_tac(counter, rig):
    rig.faulty.drop_response(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(PurchaseInterruptedError):
        purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 700)
    (intent,) = counter.journal.open_intents()
    # the customer rides a bus before coming back: the card's proof and ATC move on
    purchase(
        rig.open(), SoftwareSam({1: rig.issuer}, OTHER_TERMINAL), 200, datetime(2026, 11, 21, 18, 0)
    )
    (resolution,) = _tap_again_and_settle(counter, rig)
    assert resolution.settlement is Settlement.DONE
    outcome = counter.journal.record(resolution.outcome_seq)
    assert outcome.tac == rig.sam.purchase_tac(authorization_from_purchase_intent(intent))
    assert outcome.mac2 is None  # the card's MAC2 is gone; the SAM made the TAC
    assert rig.reload().profile.balance_fen == 5_000 - 700 - 200


def test_recovery_after_the_card_paid_elsewhere_without_this_purchase_is_grey(counter, rig):
    rig.faulty.tear_before(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(PurchaseInterruptedError):
        purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 700)
    rig.faulty.reinsert()
    purchase(
        rig.open(), SoftwareSam({1: rig.issuer}, OTHER_TERMINAL), 200, datetime(2026, 11, 21, 18, 0)
    )
    (resolution,) = _tap_again_and_settle(counter, rig)
    assert resolution.settlement is Settlement.GREY and resolution.outcome_seq is None
    assert "supervisor" in resolution.message
    assert len(counter.journal.open_intents()) == 1  # stays a grey record


@pytest.mark.parametrize(("fault", "settlement"), [
    ("drop_response", Settlement.DONE), ("tear_before", Settlement.GREY),
])  # fmt: skip
def test_a_card_blocked_since_is_settled_from_its_records(counter, rig, fault, settlement):
    getattr(rig.faulty, fault)(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(PurchaseInterruptedError):
        purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 700)
    if rig.faulty.torn:
        rig.faulty.reinsert()
    block_application(rig.open(), rig.sam)  # e.g. reported lost and blocked elsewhere
    (resolution,) = _tap_again_and_settle(counter, rig)
    assert resolution.settlement is settlement
    assert debited_fen(counter) == (700 if settlement is Settlement.DONE else 0)


def test_card_refusing_debit_is_not_done(counter, rig):
    rig.faulty.answer_with(Ins.DEBIT_FOR_PURCHASE, 0x9302)
    with pytest.raises(CardError):
        purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 700)
    assert counter.journal.open_intents() == []
    outcome = counter.journal.records()[-1]
    assert outcome.kind == RecordKind.PURCHASE_OUTCOME
    assert outcome.payload_dict()["outcome"] == Outcome.NOT_DONE and outcome.amount_fen is None
    assert rig.reload().profile.balance_fen == 5_000


def test_a_load_and_a_purchase_left_open_on_one_card_are_both_settled(counter, rig):
    rig.faulty.drop_response(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(PurchaseInterruptedError):
        purchase_service(counter, rig.sam).purchase(CLERK, SHIFT, rig.open(), 700)
    # an older journal may hold a load left open on the same card (written before the check)
    rig.faulty.drop_response(ins=Ins.CREDIT_FOR_LOAD)

    def journal_it(auth, mac2):
        counter.journal.append(intent_entry(CLERK, SHIFT, auth, mac2, "cash", None))

    with pytest.raises(CardError):
        load(rig.open(), rig.sam, 1_000, TERMINAL_ID,
             datetime(2026, 11, 21, 17, 0), before_credit=journal_it)  # fmt: skip
    kinds = [r.kind for r in _tap_again_and_settle(counter, rig)]
    assert kinds == [RecordKind.PURCHASE_INTENT, RecordKind.LOAD_INTENT]
    assert counter.journal.open_intents() == []
    assert rig.reload().profile.balance_fen == 5_000 - 700 + 1_000
