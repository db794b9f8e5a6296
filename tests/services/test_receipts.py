"""Receipts are rebuilt from the journal; reprints need a supervisor, say COPY n and are counted."""

from __future__ import annotations

import pytest

from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.services.errors import RefusedError
from app.services.operators import ApprovalPurpose
from app.services.receipts import ReprintService, receipt_for
from tests.services.counter_support import SHIFT, SUPERVISOR_PASSWORD, build_counter, staff


@pytest.fixture
def setup(tmp_path, rig):
    counter = build_counter(tmp_path, rig.sam)
    operators, clerk = staff(counter)
    receipt = counter.topups.top_up(clerk, SHIFT, rig.open(), 5_000, PaymentMethod.WECHAT)
    yield counter, operators, clerk, receipt
    counter.close()


def test_receipt_comes_from_the_journal(setup):
    counter, _ops, _clerk, topup = setup
    receipt = receipt_for(counter.journal, counter.journal.record(topup.outcome_seq))
    values = dict(receipt.lines)
    assert values["金额 Amount"] == "¥50.00" and values["支付 Paid by"] == "微信支付 WeChat Pay"
    assert values["现余额 Balance after"] == "¥100.00"
    assert values["TAC"] == topup.tac.hex().upper()
    assert not receipt.is_copy


def test_reprint_needs_a_supervisor_and_is_numbered(setup):
    counter, operators, clerk, topup = setup
    reprints = ReprintService(counter.journal, counter.clock)
    with pytest.raises(RefusedError, match="approval"):
        reprints.reprint(clerk, SHIFT, topup.outcome_seq, None)
    for expected in (1, 2):
        approval = operators.approve(clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REPRINT)
        copy = reprints.reprint(clerk, SHIFT, topup.outcome_seq, approval)
        assert copy.is_copy and copy.copy_number == expected
    records = counter.journal.card_records(topup.card_serial, RecordKind.REPRINT)
    assert [r.payload_dict()["copy"] for r in records] == [1, 2]
    assert counter.journal.verify().ok


def test_an_approval_for_something_else_is_refused(setup):
    counter, operators, clerk, topup = setup
    approval = operators.approve(clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REFUND)
    with pytest.raises(RefusedError):
        ReprintService(counter.journal, counter.clock).reprint(
            clerk, SHIFT, topup.outcome_seq, approval
        )


def test_records_without_a_receipt_are_refused(setup):
    counter, operators, clerk, topup = setup
    approval = operators.approve(clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REPRINT)
    with pytest.raises(RefusedError, match="no receipt"):
        ReprintService(counter.journal, counter.clock).reprint(
            clerk, SHIFT, topup.intent_seq, approval
        )
    assert counter.journal.card_records(topup.card_serial, RecordKind.REPRINT) == []
