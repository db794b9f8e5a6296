"""Fault injection: lost answers, tears before/after execution, forced status words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cardsim_support import DATE, TERMINAL, TIME, VECTOR_KEY, init_load_apdu, ok, select_purse, sw

from app.crypto import pboc
from cardsim.card import VirtualCityCard
from cardsim.faults import (
    CardGone,
    CardTorn,
    Fault,
    FaultKind,
    FaultSpecError,
    FaultyCard,
    ResponseLost,
    parse_fault,
)

GET_BALANCE = bytes.fromhex("805C000204")
NewCard = Callable[..., VirtualCityCard]


def credit_apdu(init: bytes, amount: int) -> bytes:
    seslk = pboc.load_session_key(VECTOR_KEY, init[8:12], int.from_bytes(init[4:6], "big"))
    mac2 = pboc.pboc_mac(seslk, amount.to_bytes(4, "big") + b"\x02" + TERMINAL + DATE + TIME)
    return b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2 + b"\x04"


def test_tear_after_credit_executes_it_and_prove_recovers(new_card: NewCard) -> None:
    card = new_card(balance_fen=100, online_atc=4)
    faulty = FaultyCard(card)
    select_purse(card)
    init = ok(faulty.process(init_load_apdu(500)))
    faulty.tear_after(ins=0x52)
    with pytest.raises(CardTorn) as info:
        faulty.process(credit_apdu(init, 500))
    assert info.value.executed
    assert isinstance(info.value, CardGone)
    with pytest.raises(CardTorn):
        faulty.process(GET_BALANCE)  # still gone
    faulty.reinsert()
    select_purse(card)
    # Tear recovery as the counter does it: a fresh INIT that is never completed.
    fresh = ok(faulty.process(init_load_apdu(1)))
    assert int.from_bytes(fresh[4:6], "big") == 5
    assert int.from_bytes(fresh[0:4], "big") == 600
    prove = ok(faulty.process(bytes.fromhex("805A000202000408")))
    assert prove[:4] == credit_apdu(init, 500)[12:16]


def test_tear_before_does_not_execute(new_card: NewCard) -> None:
    card = new_card(balance_fen=100)
    faulty = FaultyCard(card)
    select_purse(card)
    init = ok(faulty.process(init_load_apdu(500)))
    faulty.tear_before(nth=1)
    with pytest.raises(CardTorn) as info:
        faulty.process(credit_apdu(init, 500))
    assert not info.value.executed
    faulty.reinsert()
    select_purse(card)
    assert ok(faulty.process(GET_BALANCE)) == (100).to_bytes(4, "big")
    assert card.profile.online_atc == 0


def test_drop_response_on_the_nth_command(new_card: NewCard) -> None:
    card = new_card(balance_fen=100)
    faulty = FaultyCard(card)
    select_purse(card)
    faulty.drop_response(nth=2)
    ok(faulty.process(GET_BALANCE))
    with pytest.raises(ResponseLost):
        faulty.process(init_load_apdu(50))
    init = ok(faulty.process(init_load_apdu(50)))
    faulty.drop_response()
    with pytest.raises(ResponseLost) as info:
        faulty.process(credit_apdu(init, 50))
    assert info.value.executed
    assert ok(faulty.process(GET_BALANCE)) == (150).to_bytes(4, "big")  # card still present


def test_drop_response_nth_counts_from_arming(new_card: NewCard) -> None:
    card = new_card()
    faulty = FaultyCard(card)
    select_purse(card)
    faulty.drop_response(nth=3)
    ok(faulty.process(GET_BALANCE))
    ok(faulty.process(GET_BALANCE))
    with pytest.raises(ResponseLost):
        faulty.process(GET_BALANCE)
    ok(faulty.process(GET_BALANCE))  # one-shot


def test_answer_with_does_not_execute(new_card: NewCard) -> None:
    card = new_card(balance_fen=100)
    faulty = FaultyCard(card)
    select_purse(card)
    init = ok(faulty.process(init_load_apdu(50)))
    faulty.answer_with(0x52, 0x6581)
    assert sw(faulty.process(credit_apdu(init, 50))) == 0x6581
    assert card.profile.balance_fen == 100
    faulty.answer_with(0x5C, 0x9000)
    faulty.clear()
    assert ok(faulty.process(GET_BALANCE)) == (100).to_bytes(4, "big")


def test_parse_fault() -> None:
    assert parse_fault("tear-after:ins=52") == Fault(FaultKind.TEAR_AFTER, ins=0x52)
    assert parse_fault("drop:3") == Fault(FaultKind.DROP_RESPONSE, nth=3)
    assert parse_fault("answer:ins=54:sw=9401") == Fault(
        FaultKind.ANSWER, ins=0x54, status_word=0x9401
    )
    for bad in ("explode:1", "drop", "drop:x", "answer:ins=54", "drop:0", "tear-before:1:sw=9000"):
        with pytest.raises(FaultSpecError):
            parse_fault(bad)
