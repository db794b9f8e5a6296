"""Receipt content from the journal, and reprints (marked COPY, counted, supervisor-approved).

A receipt is rebuilt from the records that prove the transaction — never from what the screen
showed — so a reprint says exactly what the original said, plus COPY and its number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.domain.money import Fen
from app.domain.people import Actor, Approval, Role
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.kinds import INTENT_OF
from app.services.errors import RefusedError
from app.services.operators import ApprovalPurpose, check_approval, require

TITLES: dict[str, str] = {
    RecordKind.LOAD_OUTCOME: "充值凭条 Top-up receipt",
    RecordKind.REFUND: "退卡凭条 Card return receipt",
    RecordKind.REPLACEMENT: "补卡凭条 Replacement receipt",
    RecordKind.EXCHANGE: "换卡凭条 Card exchange receipt",
    RecordKind.VOID: "撤销凭条 Void receipt",
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
    """The receipt of a done outcome (top-up, return, exchange), a replacement or a void."""
    if record.kind not in TITLES or (
        record.kind in INTENT_OF and record.payload_dict().get("outcome") != Outcome.DONE
    ):
        raise RefusedError("Record {seq} has no receipt (it moved no money).", seq=record.seq)
    build = _exchange_lines if record.kind == RecordKind.EXCHANGE else _money_lines
    lines = build(record)
    lines += [("操作员 Operator", record.operator or ""), ("流水 Journal seq", str(record.seq))]
    return Receipt(
        TITLES[record.kind], tuple(lines), record.seq, journal.terminal_id, record.at, copy_number
    )


def _money_lines(record: JournalRecord) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [("卡号 Card", record.card_serial or "")]
    if record.kind == RecordKind.VOID:
        lines.append(("撤销流水 Voids journal seq", str(record.payload_dict().get("voided_seq"))))
    if record.amount_fen is not None:
        lines.append(("金额 Amount", Fen(record.amount_fen).yuan_text()))
    if record.payment_method:
        lines.append(("支付 Paid by", record.payment_method))
    if record.balance_before_fen is not None:
        lines.append(("原余额 Balance before", Fen(record.balance_before_fen).yuan_text()))
    if record.balance_after_fen is not None:
        lines.append(("现余额 Balance after", Fen(record.balance_after_fen).yuan_text()))
    if record.tac:
        lines.append(("TAC", record.tac.hex().upper()))
    return lines


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
        lines.append(("支付 Paid by", record.payment_method))
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
