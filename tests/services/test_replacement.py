"""Replacing a lost card: waiting period, settled balance onto a stock card, fee, links."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from app.card.apdu import Ins
from app.crypto.sm2 import Sm2PrivateKey
from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.services.errors import RefusedError
from app.services.loss import LossService
from app.services.replacement import (
    CenterSettledBalances,
    CenterUnavailableError,
    NoCenter,
    ReplacementService,
    SettledBalance,
)
from app.services.topup import TopUpInterruptedError
from app.store import blacklist, card_links, holders
from app.sync.client import CenterClient
from app.sync.errors import OfflineError
from app.sync.settings import ClientSettings
from tests.services.counter_support import CLERK, SHIFT, build_counter
from tests.sync.support import center_thread, enrol, free_port

LOST = "3104000000001234"
NEW = "3104000000005678"
ID_NUMBER = "330102199001011234"


class SettledAt:
    """Settled balances as the clearing center would answer them (the center's client is the
    production implementation; here the answer is fixed per card)."""

    def __init__(self, balances: dict[str, int]) -> None:
        self.balances = balances

    def settled_balance(self, card_serial: str) -> SettledBalance:
        return SettledBalance(card_serial, self.balances[card_serial])


@pytest.fixture
def setup(tmp_path, make_rig):
    lost = make_rig(serial=bytes.fromhex(LOST), balance_fen=3_450)
    stock = make_rig(serial=bytes.fromhex(NEW), balance_fen=0)
    counter = build_counter(tmp_path, lost.sam)
    key = secrets.token_bytes(32)
    holders.register(counter.store, key, LOST, "张三", ID_NUMBER)
    loss = LossService(counter.journal, counter.store, lost.sam, key, counter.clock)
    loss.report_loss(CLERK, SHIFT, LOST, ID_NUMBER)
    service = ReplacementService(
        counter.journal, counter.store, counter.topups, SettledAt({LOST: 3_450}), counter.clock
    )
    yield counter, service, stock
    counter.close()


def _after_waiting(counter):
    counter.clock.now += timedelta(days=7, minutes=1)


def test_refused_during_the_waiting_period(setup):
    _counter, service, stock = setup
    with pytest.raises(RefusedError, match="can be replaced from"):
        service.replace(CLERK, SHIFT, LOST, stock.open())
    assert stock.reload().profile.balance_fen == 0


def test_settled_balance_moves_to_the_new_card_with_the_fee_and_links(setup):
    counter, service, stock = setup
    _after_waiting(counter)
    receipt = service.replace(CLERK, SHIFT, LOST, stock.open())
    assert receipt.transferred_fen == 3_450 and receipt.new_balance_fen == 3_450
    assert stock.reload().profile.balance_fen == 3_450
    assert receipt.fee_fen == 2_000 and receipt.fee_payment == "cash"
    transfer = counter.journal.record(receipt.transfer_outcome_seq)
    assert transfer.payment_method == PaymentMethod.BALANCE_TRANSFER
    assert counter.journal.record(receipt.record_seq).kind == RecordKind.REPLACEMENT
    assert card_links.successor(counter.store, LOST).new_serial == NEW
    assert holders.holder_of(counter.store, NEW).name == "张三"
    assert blacklist.lookup(counter.store, LOST) is not None  # the lost card stays listed
    with pytest.raises(RefusedError, match="already replaced"):
        service.replace(CLERK, SHIFT, LOST, stock.open())
    assert counter.journal.verify().ok


def test_without_a_center_it_says_so_and_loads_nothing(setup):
    counter, _service, stock = setup
    _after_waiting(counter)
    offline = ReplacementService(
        counter.journal, counter.store, counter.topups, NoCenter(), counter.clock
    )
    with pytest.raises(CenterUnavailableError, match="Center unavailable"):
        offline.replace(CLERK, SHIFT, LOST, stock.open())
    assert stock.reload().profile.balance_fen == 0
    assert card_links.successor(counter.store, LOST) is None


def test_a_card_that_is_not_reported_or_not_stock_is_refused(setup, make_rig):
    counter, service, _stock = setup
    _after_waiting(counter)
    used = make_rig(serial=bytes.fromhex("3104000000009999"), balance_fen=100)
    with pytest.raises(RefusedError, match="not a new stock card"):
        service.replace(CLERK, SHIFT, LOST, used.open())
    with pytest.raises(RefusedError, match="no loss report"):
        service.replace(CLERK, SHIFT, "3104000000007777", used.open())


def test_interrupted_transfer_is_settled_then_finished_without_loading_twice(setup):
    counter, service, stock = setup
    _after_waiting(counter)
    stock.faulty.drop_response(ins=Ins.CREDIT_FOR_LOAD)
    with pytest.raises(TopUpInterruptedError):
        service.replace(CLERK, SHIFT, LOST, stock.open())
    (settled,) = counter.recovery.resolve(stock.open())  # the next tap
    assert settled.outcome_seq is not None
    receipt = service.replace(CLERK, SHIFT, LOST, stock.open())
    assert receipt.transfer_outcome_seq == settled.outcome_seq
    assert stock.reload().profile.balance_fen == 3_450  # loaded once
    fees = counter.journal.card_records(NEW, RecordKind.REPLACEMENT)
    assert len(fees) == 1


# -- the settled balance from the real clearing center (served in this process, on loopback) --


def test_the_center_adapter_says_when_the_waiting_period_runs(tmp_path):

    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(db_url) as base:
        device = enrol(base, db_url)
        device.client.report_loss(LOST)
        with pytest.raises(RefusedError, match="cannot settle card"):
            CenterSettledBalances(device.client).settled_balance(LOST)
        device.client.close()


def test_the_center_adapter_says_when_the_center_is_down(tmp_path):

    client = CenterClient(ClientSettings(f"http://127.0.0.1:{free_port()}"))
    client.use_device("DEV-1", Sm2PrivateKey.generate())
    with pytest.raises(CenterUnavailableError, match="cannot connect") as info:
        CenterSettledBalances(client).settled_balance(LOST)
    assert isinstance(info.value.__cause__, OfflineError)
    client.close()
