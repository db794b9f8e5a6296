"""Cards of other cities at the counter (interop.md): what is served, what is refused, in words.

The virtual cards are real cardsim cards over the in-process transport; the counter's store and
journal are real SQLite files.
"""

from __future__ import annotations

import pytest

from app.card.files import parse_public_data
from app.domain.card import CardFamily, CardSnapshot
from app.domain.parameters import Parameters
from app.domain.payment import PaymentMethod
from app.services.eligibility import CounterAct, card_origin, check_served_here
from app.services.errors import RefusedError
from app.services.refund import RefundService
from app.store import blacklist
from app.store.blacklist import BlacklistEntry
from tests.services.counter_support import CLERK, SHIFT, build_counter, staff

WUXI_CU = {"issuer_code": b"\x21\x40", "city_code": "2140"}
SHANGHAI_TU = bytes.fromhex("0000290000000000")


def snapshot_of(raw: bytes, family: CardFamily) -> CardSnapshot:
    return CardSnapshot(family, parse_public_data(raw, family), None, 1_000, False)


def cu(issuer: str, city: str, interop: str | None = None) -> CardSnapshot:
    interop = city if interop is None else interop
    raw = bytes.fromhex(
        issuer + city + "00010000" + "0101" + interop + "3104000000001234" + "20240101203412310100"
    )
    return snapshot_of(raw, CardFamily.CITY_UNION)


def tu(issuer_id: str) -> CardSnapshot:
    raw = bytes.fromhex(issuer_id + "0201" + "29001234567890123456" + "20240101203412310100")
    return snapshot_of(raw, CardFamily.T_UNION)


PARAMS = Parameters.default()  # serves issuer 3100 (Hangzhou)
LOST = BlacklistEntry("3104000000001234", "loss_report", "center", 0, 7)
STOLEN = BlacklistEntry("3104000000001234", "fraud", "center", 0, 8)


def test_home_and_other_city_cards_are_told_apart() -> None:
    home = card_origin(cu("3100", "3100"), PARAMS)
    wuxi = card_origin(cu("2140", "2140"), PARAMS)
    shanghai = card_origin(tu("0000290000000000"), PARAMS)
    assert home.home and home.city_name == "杭州"
    assert not wuxi.home and wuxi.city_name == "无锡" and wuxi.interoperable
    assert not shanghai.home and shanghai.city_name == "上海" and shanghai.interoperable


@pytest.mark.parametrize("act", list(CounterAct))
def test_a_home_card_may_do_everything(act: CounterAct) -> None:
    assert check_served_here(cu("3100", "3100"), PARAMS, None, act).home


@pytest.mark.parametrize("card", [cu("2140", "2140"), tu("0000290000000000")])
def test_an_other_city_card_pays_from_its_purse_but_is_not_topped_up(card: CardSnapshot) -> None:
    assert not check_served_here(card, PARAMS, None, CounterAct.PURSE_PAYMENT).home
    with pytest.raises(RefusedError) as refused:
        check_served_here(card, PARAMS, None, CounterAct.TOP_UP)
    assert "home city, or online where its issuer allows" in refused.value.advice


@pytest.mark.parametrize("act", [CounterAct.LOSS_REPORT, CounterAct.REPLACEMENT, CounterAct.REFUND])
def test_loss_replacement_and_refund_send_the_customer_home(act: CounterAct) -> None:
    with pytest.raises(RefusedError) as refused:
        check_served_here(cu("2140", "2140"), PARAMS, None, act)
    assert refused.value.params["city"] == "无锡"
    assert "无锡" in refused.value.advice.format(**refused.value.params)


def test_a_card_that_is_not_interoperable_does_not_pay_here() -> None:
    with pytest.raises(RefusedError, match="not interoperable"):
        check_served_here(cu("2140", "2140", "0000"), PARAMS, None, CounterAct.PURSE_PAYMENT)


@pytest.mark.parametrize("card", [cu("3100", "3100"), cu("2140", "2140"), tu("0000290000000000")])
@pytest.mark.parametrize("act", list(CounterAct))
def test_a_blacklisted_card_is_refused_everywhere(card: CardSnapshot, act: CounterAct) -> None:
    with pytest.raises(RefusedError, match="was reported lost"):  # in words, never the code
        check_served_here(card, PARAMS, LOST, act)
    with pytest.raises(RefusedError, match="is on the blacklist"):
        check_served_here(card, PARAMS, STOLEN, act)


def test_an_unknown_city_is_named_by_its_code() -> None:
    with pytest.raises(RefusedError) as refused:
        check_served_here(cu("7777", "7777"), PARAMS, None, CounterAct.TOP_UP)
    assert refused.value.params["city"] == "7777"


# --- through the services, with virtual cards -------------------------------------------------


def test_a_wuxi_card_is_not_topped_up_and_nothing_is_written(make_rig, tmp_path) -> None:
    rig = make_rig(public_changes=WUXI_CU)
    counter = build_counter(tmp_path, rig.sam)
    before = counter.journal.records()
    with pytest.raises(RefusedError, match="card of 无锡"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, PaymentMethod.CASH)
    assert rig.reload().profile.balance_fen == 5_000
    assert counter.journal.records() == before
    counter.close()


def test_a_shanghai_t_union_card_is_not_topped_up(make_rig, tmp_path) -> None:
    rig = make_rig(family=CardFamily.T_UNION, serial=bytes.fromhex("29001234567890123456"))
    counter = build_counter(tmp_path, rig.sam)
    with pytest.raises(RefusedError, match="card of 上海"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, PaymentMethod.CASH)
    assert rig.reload().profile.balance_fen == 5_000
    counter.close()


def test_a_wuxi_card_is_not_returned_here(make_rig, tmp_path) -> None:
    rig = make_rig(public_changes=WUXI_CU)
    counter = build_counter(tmp_path, rig.sam)
    _operators, clerk = staff(counter)
    refunds = RefundService(counter.journal, counter.store, rig.sam, counter.clock)
    with pytest.raises(RefusedError, match="only by its home city"):
        refunds.refund(clerk, SHIFT, rig.open())
    assert not rig.reload().profile.blocked
    counter.close()


def test_a_blacklisted_wuxi_card_is_refused_with_the_blacklist_reason(make_rig, tmp_path) -> None:
    rig = make_rig(public_changes=WUXI_CU)
    counter = build_counter(tmp_path, rig.sam)
    blacklist.add(counter.store, "3104000000001234", "loss_report", 0)
    with pytest.raises(RefusedError, match="was reported lost"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, PaymentMethod.CASH)
    counter.close()
