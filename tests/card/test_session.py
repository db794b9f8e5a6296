"""CityCard over the in-process transport against the virtual card."""

from datetime import date, datetime

import pytest

from app.card.errors import (
    ApplicationBlockedError,
    CardError,
    CardMacError,
    InsufficientBalanceError,
    OutOfRangeError,
    UnknownCardError,
)
from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.operations import block_application, load, purchase, unblock_application
from app.card.sam import SamKeyError, SoftwareSam
from app.card.session import CityCard, Sfi
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily, TransactionType
from tests.support.cards import TERMINAL

WHEN = datetime(2026, 11, 21, 10, 30, 15)


def test_open_and_snapshot(rig):
    card = rig.open()
    assert card.family is CardFamily.CITY_UNION and not card.blocked
    snap = card.read_snapshot()
    assert snap.serial == bytes.fromhex("3104000000001234")
    assert snap.public.city_code == "3100"
    assert snap.public.expiry_date == date(2034, 12, 31)
    assert snap.balance_fen == 5_000
    assert snap.holder is not None and snap.holder.name == "张三"
    assert snap.loads == () and snap.purchases == ()


def test_public_data_comes_from_the_fci_without_an_extra_read(rig):
    card = rig.open()
    before = card.channel.exchanges
    card.read_public_data()
    assert card.channel.exchanges == before


def test_load_is_two_apdus_and_changes_the_card(rig):
    card = rig.open()
    card.read_snapshot()
    before = card.channel.exchanges
    result = load(card, rig.sam, 10_000, TERMINAL, WHEN)
    assert card.channel.exchanges - before == 2
    assert result.balance_after_fen == 15_000
    assert len(result.tac) == 4
    assert card.get_balance() == 15_000
    newest = card.read_records(Sfi.LOADS)[0]
    assert (newest.amount_fen, newest.transaction_type) == (10_000, TransactionType.EP_LOAD)
    assert newest.terminal_id == TERMINAL and newest.when == WHEN
    assert rig.reload().profile.balance_fen == 15_000  # persisted


def test_load_on_sm4_card(make_rig, sm4_issuer):
    r = make_rig(sm4_issuer)
    card = r.open()
    result = load(card, r.sam, 2_345, TERMINAL, WHEN)
    assert result.authorization.keys.algorithm is PurseAlgorithm.SM4
    assert card.get_balance() == 5_000 + 2_345


def test_mac1_from_a_card_with_other_keys_is_refused_and_nothing_credited(rig, des_issuer):
    impostor = SoftwareSam({1: IssuerKeySet.generate(PurseAlgorithm.DES, 1)})
    card = rig.open()
    called = []
    with pytest.raises(CardMacError):
        load(card, impostor, 1_000, TERMINAL, WHEN, before_credit=lambda *a: called.append(a))
    assert not called
    assert card.get_balance() == 5_000


def test_before_credit_failure_sends_no_credit(rig):
    card = rig.open()

    def refuse(*_):
        raise OSError("disk full")

    with pytest.raises(OSError):
        load(card, rig.sam, 1_000, TERMINAL, WHEN, before_credit=refuse)
    assert card.get_balance() == 5_000


def test_balance_ceiling_is_the_cards_9402(rig):
    card = rig.open()
    with pytest.raises(OutOfRangeError):
        card.initialize_for_load(100_000, TERMINAL)


@pytest.mark.parametrize("use_card_data", [True, False])
def test_purchase_with_and_without_get_data(make_rig, use_card_data):
    r = make_rig(cu_purchase_get_data=use_card_data)
    card = r.open()
    result = purchase(card, r.sam, 1_200, WHEN, use_card_data=use_card_data)
    assert result.balance_after_fen == 3_800
    assert card.get_balance() == 3_800
    rec = card.read_records(Sfi.LOCAL_PURCHASES)[0]
    assert (rec.amount_fen, rec.transaction_type) == (1_200, TransactionType.EP_PURCHASE)


def test_purchase_mac1_without_the_issuers_get_data_suffix_is_refused(make_rig):
    r = make_rig(cu_purchase_get_data=True)
    card = r.open()
    with pytest.raises(CardError):
        purchase(card, r.sam, 100, WHEN, use_card_data=False)
    assert card.get_balance() == 5_000


def test_insufficient_balance(rig):
    card = rig.open()
    with pytest.raises(InsufficientBalanceError) as info:
        purchase(card, rig.sam, 6_000, WHEN)
    assert "top the card up" in info.value.advice


def test_block_and_unblock(rig):
    card = rig.open()
    block_application(card, rig.sam)
    again = rig.open()
    assert again.blocked
    snap = again.read_snapshot()
    assert snap.blocked and snap.holder is not None
    with pytest.raises(ApplicationBlockedError):
        again.initialize_for_load(100, TERMINAL)
    with pytest.raises(SamKeyError):  # the counter's PSAM holds no unblock key
        unblock_application(again, rig.sam)
    assert rig.open().blocked
    unblock_application(again, rig.software_sam())  # the center's keys can
    assert not rig.open().blocked


def test_t0_card_is_transparent_to_the_session(make_rig):
    r = make_rig(t0_get_response=True, t0_wrong_le=True)
    card = r.open()
    snap = card.read_snapshot()
    assert snap.balance_fen == 5_000
    result = load(card, r.sam, 500, TERMINAL, WHEN)
    assert result.balance_after_fen == 5_500


def test_tu_card_reads_but_does_not_load(make_rig):
    r = make_rig(family=CardFamily.T_UNION, serial=bytes.fromhex("29001234567890123456"))
    card = r.open()
    assert card.family is CardFamily.T_UNION
    snap = card.read_snapshot()
    assert snap.serial == bytes.fromhex("29001234567890123456")
    with pytest.raises(CardError, match="T-Union"):
        card.initialize_for_load(100, TERMINAL)


def test_a_card_without_a_purse_is_unknown(rig):
    class NotACityCard:
        def process(self, apdu: bytes) -> bytes:
            return bytes.fromhex("6A82")

    with pytest.raises(UnknownCardError):
        CityCard.open(InProcessTransport(NotACityCard()))
