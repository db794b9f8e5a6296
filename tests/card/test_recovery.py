"""Tear recovery: the card pulled at each APDU boundary of a load, then presented again."""

from datetime import datetime

import pytest

from app.card.apdu import Ins
from app.card.errors import CardCommunicationError
from app.card.operations import RecoveryOutcome, WrongCardError, load, recover_load
from app.card.sam import LoadAuthorization
from tests.support.cards import TERMINAL

WHEN = datetime(2026, 11, 21, 11, 0, 0)
LATER = datetime(2026, 11, 21, 11, 5, 0)


def _torn_load(rig, arm) -> tuple[list[tuple[LoadAuthorization, bytes]], Exception]:
    card = rig.open()
    saved: list[tuple[LoadAuthorization, bytes]] = []
    arm(rig.faulty)
    with pytest.raises(CardCommunicationError) as info:
        load(card, rig.sam, 3_000, TERMINAL, WHEN, before_credit=lambda a, m: saved.append((a, m)))
    return saved, info.value


def test_tear_before_credit_runs_is_not_done(rig):
    saved, _ = _torn_load(rig, lambda f: f.tear_before(ins=Ins.CREDIT_FOR_LOAD))
    assert len(saved) == 1
    rig.faulty.reinsert()
    rec = recover_load(rig.open(), rig.sam, saved[0][0])
    assert rec.outcome is RecoveryOutcome.NOT_DONE
    assert rec.balance_fen == 5_000


@pytest.mark.parametrize("fault", ["tear_after", "drop_response"])
def test_credit_executed_but_answer_lost_is_done_with_the_proven_tac(rig, fault):
    saved, _ = _torn_load(rig, lambda f: getattr(f, fault)(ins=Ins.CREDIT_FOR_LOAD))
    auth = saved[0][0]
    if fault == "tear_after":
        rig.faulty.reinsert()
    card = rig.open()
    rec = recover_load(card, rig.sam, auth)
    assert rec.outcome is RecoveryOutcome.DONE
    assert rec.balance_fen == 8_000
    assert rec.tac == rig.sam.load_tac(auth)
    # the recovery probe itself changed nothing
    assert card.get_balance() == 8_000
    assert rig.reload().profile.online_atc == auth.online_atc + 1


def test_tear_after_init_leaves_nothing_to_recover(rig):
    card = rig.open()
    rig.faulty.tear_after(ins=Ins.INITIALIZE)
    saved = []
    with pytest.raises(CardCommunicationError):
        load(card, rig.sam, 3_000, TERMINAL, WHEN, before_credit=lambda a, m: saved.append(a))
    assert saved == []  # no intent was ever made durable: nothing to resolve
    rig.faulty.reinsert()
    assert rig.open().get_balance() == 5_000


def test_recovery_after_the_card_moved_on_uses_the_load_record(rig):
    saved, _ = _torn_load(rig, lambda f: f.drop_response(ins=Ins.CREDIT_FOR_LOAD))
    auth = saved[0][0]
    card = rig.open()
    load(card, rig.sam, 100, TERMINAL, LATER)  # another top-up before recovery ran
    rec = recover_load(rig.open(), rig.sam, auth)
    assert rec.outcome is RecoveryOutcome.DONE
    assert rec.tac == rig.sam.load_tac(auth)  # host-side TAC: the card's proof moved on


def test_recovery_after_other_loads_without_this_one_is_unresolved(rig):
    saved, _ = _torn_load(rig, lambda f: f.tear_before(ins=Ins.CREDIT_FOR_LOAD))
    auth = saved[0][0]
    rig.faulty.reinsert()
    load(rig.open(), rig.sam, 100, TERMINAL, LATER)
    rec = recover_load(rig.open(), rig.sam, auth)
    assert rec.outcome is RecoveryOutcome.UNRESOLVED


def test_recovery_on_another_card_is_refused(rig, make_rig):
    saved, _ = _torn_load(rig, lambda f: f.tear_before(ins=Ins.CREDIT_FOR_LOAD))
    other = make_rig(serial=bytes.fromhex("3104000000009999"))
    with pytest.raises(WrongCardError):
        recover_load(other.open(), other.sam, saved[0][0])


def test_power_cut_mid_credit_state_on_disk_matches_the_answer(rig):
    """The card persists before answering: a lost answer never means a lost credit."""
    saved, _err = _torn_load(rig, lambda f: f.drop_response(ins=Ins.CREDIT_FOR_LOAD))
    assert rig.reload().profile.balance_fen == 8_000
    assert saved
