"""What a handed-over receipt says (issue 17, problem 5): rendered to PDF as the window prints it.

Payment methods in words (Chinese and English, never ``cash``), the operator's and the approving
supervisor's display names (not their logins), a card return's balance and deposit apart with a
signature line.
"""

from __future__ import annotations

from app.domain.payment import PaymentMethod
from app.journal import RecordKind
from app.services.operators import ApprovalPurpose
from tests.ui.test_receipt_printing import Wired, pdf_text, wired
from tests.ui.ui_support import CLERK, SUPERVISOR

__all__ = ["wired"]  # the fixture


def _printed_text(qtbot, w: Wired, seq: int, count: int) -> str:
    w.printing.print_seq(seq)
    result = w.wait_printed(qtbot, count)
    assert result.path is not None
    return pdf_text(result.path)


def test_a_void_receipt_names_the_people_and_the_payment_in_words(qtbot, wired, rig):
    w = wired
    clerk = w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    w.ui.reader.put(rig)
    counter = w.ui.counter
    topup = counter.topups.top_up(clerk, shift.id, rig.open(), 3_000, PaymentMethod.WECHAT)
    approval = counter.operators.approve(clerk, SUPERVISOR[0], SUPERVISOR[2], ApprovalPurpose.VOID)
    counter.voids.void(clerk, shift.id, topup.outcome_seq, rig.open(), approval)
    (void,) = counter.journal.records_of_kinds(RecordKind.VOID)

    text = _printed_text(qtbot, w, void.seq, 1)
    assert "撤销凭条" in text and "微信支付 WeChat Pay" in text and "wechat" not in text
    assert "授权主管" in text and SUPERVISOR[1] in text and "sup1" not in text  # 李强
    assert CLERK[1] in text and "clerk1" not in text  # 王芳


def test_a_card_return_receipt_splits_balance_and_deposit_and_has_a_signature_line(
    qtbot, wired, make_rig
):
    w = wired
    clerk = w.ui.sign_in(CLERK)
    shift = w.ui.open_shift(50_000)
    card = make_rig(balance_fen=1_000)
    w.ui.reader.put(card)
    receipt = w.ui.counter.refunds.refund(clerk, shift.id, card.open())
    text = _printed_text(qtbot, w, receipt.outcome_seq, 1)
    assert "卡内余额" in text and "¥10.00" in text
    assert "押金" in text and "¥20.00" in text
    assert "现金 Cash" in text and "签名 Signature" in text and "Total paid" in text
