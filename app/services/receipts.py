"""Receipt content from the journal, and reprints (marked COPY, counted, supervisor-approved).

A receipt is rebuilt from the records that prove the transaction — never from what the screen
showed — so a reprint says exactly what the original said, plus COPY and its number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.clock import DATE, format_time
from app.domain.money import Fen
from app.domain.people import Actor, Approval, Role
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.kinds import INTENT_OF
from app.services.errors import RefusedError
from app.services.interop import other_city_of_outcome
from app.services.operators import ApprovalPurpose, check_approval, require

TITLES: dict[str, str] = {
    RecordKind.LOAD_OUTCOME: "充值凭条 Top-up receipt",
    RecordKind.REFUND: "退卡凭条 Card return receipt",
    RecordKind.REPLACEMENT: "补卡凭条 Replacement receipt",
    RecordKind.EXCHANGE: "换卡凭条 Card exchange receipt",
    RecordKind.VOID: "撤销凭条 Void receipt",
    RecordKind.TICKET_SALE: "门票凭条 Admission ticket receipt",
    RecordKind.PASS_SALE: "年卡凭条 Annual pass receipt",
    RecordKind.LOSS_REPORT: "挂失回执 Loss report receipt",
}
PAYMENT_NAMES: dict[str, str] = {
    "cash": "现金 Cash",
    "bank_card": "银行卡 Bank card",
    "wechat": "微信支付 WeChat Pay",
    "alipay": "支付宝 Alipay",
    "balance_transfer": "余额转移 Balance transfer",
    "card_purse": "卡内余额 Card purse",
}


def payment_name(method: str | None) -> str:
    """A payment method as a receipt prints it (Chinese and English, never the code)."""
    return "" if not method else PAYMENT_NAMES.get(method, method)


TICKET_NAMES: dict[str, str] = {
    "adult": "成人票 Adult",
    "child": "儿童票 Child",
    "senior": "老年票 Senior",
    "free": "免票 Free",
}


@dataclass(frozen=True)
class Receipt:
    """Printable content: a title, label/value lines, and whether it is a copy."""

    title: str
    lines: tuple[tuple[str, str], ...]
    journal_seq: int
    terminal_id: str
    at: datetime
    copy_number: int = 0  # 0: the original

    @property
    def is_copy(self) -> bool:
        """Whether this is a reprint (printed COPY / 重印)."""
        return self.copy_number > 0


def receipt_for(journal: Journal, record: JournalRecord, copy_number: int = 0) -> Receipt:
    """The receipt of a record that moved money (or sold a ticket).

    A done outcome (top-up, return, exchange), a replacement, a void, a scenic ticket or
    annual-pass sale, or a loss report (挂失回执: what the holder keeps as proof).
    """
    if record.kind not in TITLES or (
        record.kind in INTENT_OF and record.payload_dict().get("outcome") != Outcome.DONE
    ):
        raise RefusedError("Record {seq} has no receipt (it moved no money).", seq=record.seq)
    if record.kind == RecordKind.EXCHANGE:
        lines = _exchange_lines(record)
    elif record.kind in (RecordKind.TICKET_SALE, RecordKind.PASS_SALE):
        lines = _scenic_lines(journal, record)
    elif record.kind == RecordKind.LOSS_REPORT:
        lines = _loss_lines(record)
    elif record.kind == RecordKind.REFUND:
        lines = _refund_lines(journal, record)
    else:
        lines = _money_lines(record)
    lines += [("操作员 Operator", record.operator or ""), ("流水 Journal seq", str(record.seq))]
    return Receipt(
        TITLES[record.kind], tuple(lines), record.seq, journal.terminal_id, record.at, copy_number
    )


def _money_lines(record: JournalRecord) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [("卡号 Card", record.card_serial or "")]
    if record.kind == RecordKind.VOID:
        payload = record.payload_dict()
        lines.append(("撤销流水 Voids journal seq", str(payload.get("voided_seq"))))
        approver = payload.get("approver")
        if isinstance(approver, str) and approver:
            lines.append(("授权主管 Approved by", approver))
    if record.amount_fen is not None:
        lines.append(("金额 Amount", Fen(record.amount_fen).yuan_text()))
    if record.payment_method:
        lines.append(("支付 Paid by", payment_name(record.payment_method)))
    if record.balance_before_fen is not None:
        lines.append(("原余额 Balance before", Fen(record.balance_before_fen).yuan_text()))
    if record.balance_after_fen is not None:
        lines.append(("现余额 Balance after", Fen(record.balance_after_fen).yuan_text()))
    if record.tac:
        lines.append(("TAC", record.tac.hex().upper()))
    return lines


def _refund_lines(journal: Journal, record: JournalRecord) -> list[tuple[str, str]]:
    """A card return: balance and deposit apart, fee, cash paid, approver, a signature line."""
    intent = journal.record(record.intent_seq) if record.intent_seq is not None else None
    payload = intent.payload_dict() if intent is not None else {}
    lines: list[tuple[str, str]] = [
        ("卡号 Card", record.card_serial or ""),
        ("卡内余额 Balance", Fen(record.balance_before_fen or 0).yuan_text()),
        ("押金 Deposit", Fen(int(payload.get("deposit_fen") or 0)).yuan_text()),
        ("手续费 Fee", Fen(int(payload.get("fee_fen") or 0)).yuan_text()),
        ("退款合计 Total paid", Fen(record.amount_fen or 0).yuan_text()),
        ("支付 Paid by", payment_name(record.payment_method)),
        ("卡片 Card state", "已锁定 Blocked"),
    ]
    approver = payload.get("approver")
    if isinstance(approver, str) and approver:
        lines.append(("授权主管 Approved by", approver))
    lines.append(("客户签名 Signature", "____________"))
    return lines


def _loss_lines(record: JournalRecord) -> list[tuple[str, str]]:
    payload = record.payload_dict()
    waiting = int(payload.get("waiting_days") or 0)
    replaceable = format_time(record.at + timedelta(days=waiting), DATE)
    return [
        ("卡号 Card", record.card_serial or ""),
        ("持卡人 Holder", str(payload.get("holder") or "")),
        ("挂失生效 In force", "即时 at once"),
        ("可补卡日期 Replaceable from", replaceable),
    ]


def _exchange_lines(record: JournalRecord) -> list[tuple[str, str]]:
    payload = record.payload_dict()
    lines: list[tuple[str, str]] = [
        ("原卡号 Old card", record.card_serial or ""),
        ("新卡号 New card", str(payload.get("new_serial") or "")),
        ("转移余额 Balance moved", Fen(int(payload.get("transferred_fen") or 0)).yuan_text()),
        ("新卡余额 New card balance", Fen(record.balance_after_fen or 0).yuan_text()),
    ]
    if record.amount_fen:
        lines.append(("手续费 Fee", Fen(record.amount_fen).yuan_text()))
    if record.payment_method:
        lines.append(("支付 Paid by", payment_name(record.payment_method)))
    return lines


def _scenic_lines(journal: Journal, record: JournalRecord) -> list[tuple[str, str]]:
    """A ticket sale's lines by type, or a pass's product and dates; then the payment.

    A purse payment prints the card, its balance after and the TAC of the purchase the sale
    names (``purchase_seq``), as the card answered them.
    """
    payload = record.payload_dict()
    lines: list[tuple[str, str]] = []
    if record.kind == RecordKind.TICKET_SALE:
        for code, count, unit in payload.get("lines", []):
            name = TICKET_NAMES.get(str(code), str(code))
            lines.append((f"{name} ×{int(count)}", Fen(int(count) * int(unit)).yuan_text()))
        lines.append(("张数 Tickets", str(payload.get("tickets", ""))))
    else:
        lines += [
            ("卡号 Card", record.card_serial or ""),
            ("年卡 Pass", str(payload.get("name") or payload.get("product") or "")),
            ("持卡人 Holder", str(payload.get("holder") or "")),
            ("有效期 Valid", f"{payload.get('valid_from')} 至 {payload.get('valid_until')}"),
            ("年卡号 Pass no.", str(payload.get("pass_id") or "")),
        ]
    lines.append(("金额 Amount", Fen(record.amount_fen or 0).yuan_text()))
    if record.payment_method:
        lines.append(("支付 Paid by", payment_name(record.payment_method)))
    purchase_seq = payload.get("purchase_seq")
    purchase = journal.record(int(purchase_seq)) if isinstance(purchase_seq, int) else None
    if purchase is not None:
        if record.kind == RecordKind.TICKET_SALE:
            lines.append(("卡号 Card", purchase.card_serial or ""))
        city = other_city_of_outcome(journal, purchase)
        if city is not None:
            lines.append(("卡属地 Card's city", f"{city}（异地卡 other city）"))
        if purchase.balance_after_fen is not None:
            lines.append(("现余额 Balance after", Fen(purchase.balance_after_fen).yuan_text()))
        if purchase.tac:
            lines.append(("TAC", purchase.tac.hex().upper()))
    if payload.get("recovered"):
        lines.append(("补记 Recorded after an interruption", "是 Yes"))
    return lines


class ReprintService:
    """Reprints: a supervisor approves, the reprint is journaled and numbered."""

    def __init__(self, journal: Journal, clock: Callable[[], datetime]) -> None:
        self._journal = journal
        self._clock = clock

    def reprint(self, actor: Actor, shift_id: int, seq: int, approval: Approval | None) -> Receipt:
        """Reprint the receipt of record ``seq``, marked COPY n."""
        require(actor, Role.CLERK, "reprint a receipt")
        check_approval(
            self._journal,
            approval,  # type: ignore[arg-type] # None is refused with a clear message
            actor=actor,
            purpose=ApprovalPurpose.REPRINT,
            now=self._clock(),
            not_by=(actor.username,),
        )
        original = self._journal.record(seq)
        if original is None:
            raise RefusedError("There is no record {seq} in the journal.", seq=seq)
        receipt_for(self._journal, original)  # refuses records without a receipt, before journaling
        earlier = [
            r
            for r in self._journal.card_records(original.card_serial or "", RecordKind.REPRINT)
            if r.payload_dict().get("original_seq") == seq
        ]
        copy_number = len(earlier) + 1
        self._journal.append(
            Entry(
                RecordKind.REPRINT,
                operator=actor.username,
                shift_id=shift_id,
                card_serial=original.card_serial,
                payload={
                    "original_seq": seq,
                    "copy": copy_number,
                    "approver": approval.approver if approval else None,
                },
            )
        )
        return receipt_for(self._journal, original, copy_number)
