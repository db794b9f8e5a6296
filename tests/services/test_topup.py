"""Top-up through the virtual card: checks, the journal's intent/outcome, tears at every APDU."""

from __future__ import annotations

import pytest

from app.card.apdu import Ins
from app.card.errors import CardError
from app.domain.payment import PaymentMethod
from app.journal import Outcome, RecordKind
from app.services.errors import Cancelled, RefusedError
from app.services.progress import CancelToken
from app.services.recovery import Settlement
from app.services.topup import PendingRecoveryError, TopUpInterruptedError
from app.store import blacklist
from tests.services.counter_support import CLERK, SHIFT, build_counter

CASH = PaymentMethod.CASH
SERIAL = "3104000000001234"


@pytest.fixture
def counter(tmp_path, rig):
    counter = build_counter(tmp_path, rig.sam)
    yield counter
    counter.close()


def test_a_top_up_is_an_intent_then_a_done_outcome(counter, rig):
    receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    assert (receipt.balance_before_fen, receipt.balance_after_fen) == (5_000, 10_000)
    assert rig.reload().profile.balance_fen == 10_000
    intent = counter.journal.record(receipt.intent_seq)
    outcome = counter.journal.record(receipt.outcome_seq)
    assert intent.kind == RecordKind.LOAD_INTENT and intent.mac2 is not None
    assert outcome.kind == RecordKind.LOAD_OUTCOME and outcome.intent_seq == intent.seq
    assert outcome.tac == receipt.tac and outcome.amount_fen == 5_000
    assert outcome.payment_method == "cash" and outcome.balance_after_fen == 10_000
    assert counter.journal.open_intents() == []
    assert counter.journal.verify().ok


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        (0, "more than zero"),
        (-100, "more than zero"),
        (1_500, "multiple"),
        (500, "below the"),
        (100_000_000, "outside"),
        (50.0, "not an amount"),
        ("50", "not an amount"),
        (True, "not an amount"),
    ],
)
def test_bad_amounts_are_refused_before_the_card_is_touched(counter, rig, amount, why):
    card = rig.open()
    with pytest.raises(RefusedError, match=why):
        counter.topups.top_up(CLERK, SHIFT, card, amount, CASH)
    assert rig.reload().profile.balance_fen == 5_000
    assert rig.reload().profile.online_atc == 0
    assert counter.journal.records(after=1) == []


def test_over_the_balance_ceiling_is_refused_with_what_can_still_be_loaded(make_rig, tmp_path):
    rig = make_rig(balance_fen=95_000)
    counter = build_counter(tmp_path, rig.sam)
    with pytest.raises(RefusedError, match="ceiling") as info:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 10_000, CASH)
    assert "¥50.00" in info.value.advice_text
    counter.close()


def test_blacklisted_card_is_refused(counter, rig):
    blacklist.add(counter.store, SERIAL, "loss_report", 0)
    with pytest.raises(RefusedError, match="was reported lost") as refused:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    assert "loss_report" not in str(refused.value)  # words, never the blacklist's code
    assert rig.reload().profile.balance_fen == 5_000


def test_unknown_payment_method_and_balance_transfer_are_refused(counter, rig):
    for method in ("bitcoin", PaymentMethod.BALANCE_TRANSFER):
        with pytest.raises(RefusedError, match="payment method"):
            counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, method)


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        ({"expiry_date": "20200101"}, "expired"),
        ({"start_date": "20990101"}, "valid only from"),
        ({"card_type": 0x7E}, "unknown to this counter"),
        ({"issuer_code": b"\x44\x00"}, "tops up only its own city"),
    ],
)
def test_cards_that_may_not_be_loaded(make_rig, tmp_path, settings, why):
    rig = make_rig(public_changes=settings)
    counter = build_counter(tmp_path, rig.sam)
    with pytest.raises(RefusedError, match=why):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    assert rig.reload().profile.balance_fen == 5_000
    counter.close()


def test_cancel_before_the_write_leaves_nothing(counter, rig):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH, cancel=token)
    assert counter.journal.records(after=1) == []
    assert rig.reload().profile.balance_fen == 5_000


def test_offline_brake_per_top_up(counter, rig):
    with pytest.raises(RefusedError, match="Offline top-ups are limited"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 60_000, CASH)


def _tap_again_and_settle(counter, rig):
    if rig.faulty.torn:
        rig.faulty.reinsert()
    return counter.recovery.resolve(rig.open())


# (fault, APDU) pairs covering every boundary of a top-up after the card was opened:
# the reads of read_snapshot, INITIALIZE FOR LOAD and CREDIT FOR LOAD, each torn before it runs,
# torn after it ran, and run with its answer lost.
FAULTS = ["tear_before", "tear_after", "drop_response"]


def _apdus_of_a_top_up(make_rig, tmp_path) -> int:
    rig = make_rig()
    counter = build_counter(tmp_path / "count", rig.sam)
    card = rig.open()
    before = card.channel.exchanges
    counter.topups.top_up(CLERK, SHIFT, card, 1_000, CASH)
    counter.close()
    return card.channel.exchanges - before


@pytest.mark.parametrize("fault", FAULTS)
def test_a_tear_at_every_apdu_of_a_top_up_never_loses_or_doubles(make_rig, tmp_path, fault):
    (tmp_path / "count").mkdir()
    apdus = _apdus_of_a_top_up(make_rig, tmp_path)
    assert apdus >= 4  # the reads, INIT, CREDIT
    for nth in range(1, apdus + 1):
        rig = make_rig()
        directory = tmp_path / f"{fault}-{nth}"
        directory.mkdir()
        counter = build_counter(directory, rig.sam)
        card = rig.open()
        getattr(rig.faulty, fault)(nth=nth)
        interrupted = False
        try:
            counter.topups.top_up(CLERK, SHIFT, card, 3_000, CASH)
        except TopUpInterruptedError:
            interrupted = True  # only once the intent is durable: the card may have been loaded
        except CardError:
            assert counter.journal.open_intents() == []  # failed before CREDIT: nothing to settle
        assert bool(counter.journal.open_intents()) is interrupted
        settled = _tap_again_and_settle(counter, rig)
        assert all(s.settlement is not Settlement.GREY for s in settled), settled
        balance = rig.reload().profile.balance_fen
        assert balance == 5_000 + counter.loaded_fen(SERIAL), (fault, nth)
        assert counter.journal.open_intents() == []
        # the clerk redoes what did not happen; the card ends with exactly one top-up
        if counter.loaded_fen(SERIAL) == 0:
            counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
        assert rig.reload().profile.balance_fen == 8_000 == 5_000 + counter.loaded_fen(SERIAL)
        assert counter.journal.verify().ok
        counter.close()


@pytest.mark.parametrize("fault", ["tear_after", "drop_response", "tear_before"])
def test_credit_interrupted_then_counter_restarted_settles_on_next_tap(counter, rig, fault):
    getattr(rig.faulty, fault)(ins=Ins.CREDIT_FOR_LOAD)
    with pytest.raises(TopUpInterruptedError) as info:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
    assert "Put the same card back" in info.value.advice
    (intent,) = counter.journal.open_intents()
    # the same card gets no new top-up while its intent is open
    if fault == "drop_response":
        with pytest.raises(PendingRecoveryError):
            counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH)
    restarted = counter.reopen(rig.sam)
    (resolution,) = _tap_again_and_settle(restarted, rig)
    executed = fault != "tear_before"
    assert resolution.intent_seq == intent.seq
    assert resolution.settlement is (Settlement.DONE if executed else Settlement.NOT_DONE)
    assert ("give the customer the receipt" in resolution.message) is executed
    outcome = restarted.journal.record(resolution.outcome_seq)
    assert outcome.payload_dict()["recovered"] is True
    assert outcome.payload_dict()["outcome"] == (Outcome.DONE if executed else Outcome.NOT_DONE)
    assert rig.reload().profile.balance_fen == 5_000 + restarted.loaded_fen(SERIAL)
    assert _tap_again_and_settle(restarted, rig) == []  # settled once, never twice
    assert restarted.journal.verify().ok
    restarted.close()


def test_card_refusing_credit_is_not_done(counter, rig):
    rig.faulty.answer_with(Ins.CREDIT_FOR_LOAD, 0x9302)
    with pytest.raises(CardError):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
    assert counter.journal.open_intents() == []
    outcome = counter.journal.records()[-1]
    assert outcome.payload_dict()["outcome"] == Outcome.NOT_DONE
    assert rig.reload().profile.balance_fen == 5_000


def test_the_offline_count_brake_counts_open_top_ups_but_not_failed_ones(counter, make_rig):
    import dataclasses  # noqa: PLC0415

    from app.store import parameters as stored_parameters  # noqa: PLC0415

    params = stored_parameters.current(counter.store)
    stored_parameters.save(
        counter.store,
        dataclasses.replace(
            params,
            version=params.version + 1,
            brakes=dataclasses.replace(params.brakes, offline_count_cap=2),
        ),
        0,
    )
    refused = make_rig(serial=bytes.fromhex("3104000000000001"))
    refused.faulty.answer_with(Ins.CREDIT_FOR_LOAD, 0x9302)
    with pytest.raises(CardError):
        counter.topups.top_up(CLERK, SHIFT, refused.open(), 1_000, CASH)
    assert counter.topups.offline_tally(SHIFT) == (0, 0)  # not done: nothing moved
    torn = make_rig(serial=bytes.fromhex("3104000000000002"))
    torn.faulty.drop_response(ins=Ins.CREDIT_FOR_LOAD)
    with pytest.raises(TopUpInterruptedError):
        counter.topups.top_up(CLERK, SHIFT, torn.open(), 2_000, CASH)
    assert counter.topups.offline_tally(SHIFT) == (1, 2_000)  # open: it may have moved
    counter.topups.top_up(CLERK, SHIFT, make_rig().open(), 3_000, CASH)
    assert counter.topups.offline_tally(SHIFT) == (2, 5_000)
    with pytest.raises(RefusedError, match="limit of 2 offline top-ups"):
        counter.topups.top_up(CLERK, SHIFT, make_rig().open(), 1_000, CASH)
