"""A counter that worked a day: real services, virtual cards in-process, real journal and store.

Times (UTC; the counter's zone is China, UTC+8):

- shift 1, clerk1: opens 2026-11-20 15:00 (23:00 local), a ¥10 cash top-up at 15:50 (still the
  20th locally), closed at 16:10 (00:10 on the 21st) with the exact count;
- shift 2, clerk1: opens 01:00 (09:00 local) with ¥500; top-ups in cash, WeChat, bank card and
  Alipay over three hours; one the card refused (not done); one torn during CREDIT (grey);
  a reprint approved by sup1; a card returned for cash; closed ¥1 short (within tolerance);
- shift 3, sup1: opens 05:00 with ¥300, a ¥10 cash top-up, still open.

The clearing center acknowledged the journal up to shift 2's second top-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.card.apdu import Ins
from app.card.errors import CardError
from app.card.issuer_keys import IssuerKeySet
from app.crypto.purse import PurseAlgorithm
from app.domain.parameters import Parameters
from app.domain.payment import PaymentMethod
from app.domain.people import Actor
from app.journal import RecordKind
from app.services.operators import ApprovalPurpose, OperatorService
from app.services.receipts import Receipt, ReprintService, receipt_for
from app.services.refund import RefundService
from app.services.shifts import ShiftService
from app.services.topup import TopUpInterruptedError
from cardsim.card import VirtualCityCard
from cardsim.faults import FaultyCard
from tests.services.counter_support import (
    CHINA,
    SUPERVISOR_PASSWORD,
    Clock,
    Counter,
    build_counter,
    staff,
)
from tests.support.cards import Rig, make_profile, make_sam_rig, rig_sam_profile

DAY = date(2026, 11, 21)  # in China
TZ = CHINA


@dataclass
class WorkedDay:
    counter: Counter
    operators: OperatorService
    shifts: ShiftService
    clerk: Actor
    supervisor: Actor
    first_topup_seq: int
    receipt: Receipt  # the original of the first top-up of shift 2
    copy: Receipt  # its reprint (COPY 1)
    refund_seq: int
    acknowledged_seq: int
    cards: Cards


class Cards:
    """Virtual cards of one issuer, each behind fault injection, and a SAM with the keys."""

    def __init__(self, directory: Path) -> None:
        self.issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
        self.sam_rig = make_sam_rig(directory / "psam.json", rig_sam_profile([self.issuer]))
        self.sam = self.sam_rig.open()
        self.directory = directory
        self.rigs: dict[str, Rig] = {}

    def __getitem__(self, name: str) -> Rig:
        if name not in self.rigs:
            serial = bytes.fromhex(f"31040000000000{len(self.rigs) + 1:02d}")
            path = self.directory / f"card-{name}.json"
            make_profile(self.issuer, serial=serial).save(path)
            card = VirtualCityCard.from_file(path)
            rig = Rig(card, FaultyCard(card), self.sam, self.issuer, path, self.sam_rig)
            self.rigs[name] = rig
        return self.rigs[name]


def at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def work_a_day(directory: Path) -> WorkedDay:
    directory.mkdir(parents=True, exist_ok=True)
    cards = Cards(directory)
    clock = Clock(at(20, 14, 50))
    counter = build_counter(directory, cards.sam, clock=clock)
    operators, clerk = staff(counter)
    supervisor = operators.sign_in("sup1", SUPERVISOR_PASSWORD)
    shifts = ShiftService(counter.store, counter.journal, Parameters.default(), clock)
    top_up = counter.topups.top_up
    cash, wechat = PaymentMethod.CASH, PaymentMethod.WECHAT
    bank, alipay = PaymentMethod.BANK_CARD, PaymentMethod.ALIPAY

    def when(day: int, hour: int, minute: int) -> None:
        assert clock.now <= at(day, hour, minute)
        clock.now = at(day, hour, minute)

    # shift 1: across local midnight
    when(20, 15, 0)
    s1 = shifts.open_shift(clerk, 10_000)
    when(20, 15, 50)
    top_up(clerk, s1.id, cards["A"].open(), 1_000, cash)
    when(20, 16, 10)
    shifts.declare_count(clerk, s1.id, {10_000: 1, 1_000: 1})
    shifts.close_shift(clerk, s1.id)

    # shift 2: the day's work
    when(21, 1, 0)
    s2 = shifts.open_shift(clerk, 50_000)
    when(21, 1, 10)
    first = top_up(clerk, s2.id, cards["A"].open(), 10_000, cash)
    when(21, 1, 40)
    second = top_up(clerk, s2.id, cards["B"].open(), 5_000, wechat)
    when(21, 2, 15)
    top_up(clerk, s2.id, cards["A"].open(), 20_000, bank)
    when(21, 2, 30)
    top_up(clerk, s2.id, cards["C"].open(), 3_000, cash)
    when(21, 3, 5)
    top_up(clerk, s2.id, cards["B"].open(), 2_000, alipay)
    when(21, 3, 10)
    cards["D"].faulty.answer_with(Ins.CREDIT_FOR_LOAD, 0x9302)
    with pytest.raises(CardError):
        top_up(clerk, s2.id, cards["D"].open(), 10_000, cash)  # not done
    when(21, 3, 20)
    cards["E"].faulty.tear_after(ins=Ins.CREDIT_FOR_LOAD)
    with pytest.raises(TopUpInterruptedError):
        top_up(clerk, s2.id, cards["E"].open(), 5_000, cash)  # grey until the card comes back
    when(21, 3, 30)
    approval = operators.approve(clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REPRINT)
    copy = ReprintService(counter.journal, clock).reprint(clerk, s2.id, first.outcome_seq, approval)
    when(21, 3, 40)
    refund = RefundService(counter.journal, counter.store, cards.sam, clock).refund(
        clerk, s2.id, cards["C"].open()
    )
    counter.journal.acknowledge(second.outcome_seq)
    when(21, 4, 0)
    # expected: 500 + 100 + 30 - (50 + 30 + 20 deposit) = ¥530; counted ¥529
    shifts.declare_count(clerk, s2.id, {10_000: 5, 1_000: 2, 500: 1, 100: 4})
    shifts.close_shift(clerk, s2.id)

    # shift 3: still open
    when(21, 5, 0)
    s3 = shifts.open_shift(supervisor, 30_000)
    when(21, 6, 10)
    top_up(supervisor, s3.id, cards["B"].open(), 1_000, cash)

    original = receipt_for(counter.journal, counter.journal.record(first.outcome_seq))
    assert [s1.id, s2.id, s3.id] == [1, 2, 3]
    assert counter.journal.shift_records(s2.id, RecordKind.SHIFT_CLOSE)
    return WorkedDay(
        counter,
        operators,
        shifts,
        clerk,
        supervisor,
        first.outcome_seq,
        original,
        copy,
        refund.outcome_seq,
        second.outcome_seq,
        cards,
    )
