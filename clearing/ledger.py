"""Card ledgers: completed loads and purchases per card, derived from accepted records.

A load is done when its ``load_outcome`` says ``{"outcome": "done"}``; its amount and payment
method are the intent's (the outcome may repeat them), the balance after is the outcome's
(the intent's expected balance when the outcome has none). The same for purchases.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.journal.kinds import Outcome, RecordKind
from clearing.chain import IntentInfo
from clearing.models import CardLedgerRow
from clearing.schemas import LedgerEntryOut, LedgerOut
from clearing.timeutil import iso

_FAMILY = {
    RecordKind.LOAD_OUTCOME: "load",
    RecordKind.PURCHASE_OUTCOME: "purchase",
    RecordKind.REFUND: "refund",  # the card is blocked; its balance was paid back
}


def ledger_entry(
    device_id: str, columns: dict[str, Any], intent: IntentInfo | None
) -> dict[str, Any] | None:
    """The ledger row (column values) of an accepted outcome, or None when it moved no money."""
    kind = columns["kind"]
    if kind not in _FAMILY or intent is None:  # other kinds (exchanges, voids…) move no purse
        return None
    if json.loads(columns["payload"]).get("outcome") != Outcome.DONE:
        return None
    serial = columns["card_serial"] or intent.card_serial
    amount = intent.amount_fen if intent.amount_fen is not None else columns["amount_fen"]
    if serial is None or amount is None:
        return None
    after = columns["balance_after_fen"]
    return {
        "card_serial": serial,
        "device_id": device_id,
        "seq": columns["seq"],
        "intent_seq": columns["intent_seq"],
        "kind": _FAMILY[kind],
        "amount_fen": amount,
        "payment_method": intent.payment_method or columns["payment_method"],
        "balance_after_fen": after if after is not None else intent.balance_after_fen,
        "at_us": columns["at_us"],
    }


def _ordered(session: Session, card_serial: str) -> list[CardLedgerRow]:
    return list(
        session.scalars(
            select(CardLedgerRow)
            .where(CardLedgerRow.card_serial == card_serial)
            .order_by(CardLedgerRow.at_us, CardLedgerRow.device_id, CardLedgerRow.seq)
        )
    )


def last_balance(session: Session, card_serial: str) -> CardLedgerRow | None:
    """The newest ledger entry of the card that states a balance."""
    return session.scalars(
        select(CardLedgerRow)
        .where(
            CardLedgerRow.card_serial == card_serial,
            CardLedgerRow.balance_after_fen.is_not(None),
        )
        .order_by(
            CardLedgerRow.at_us.desc(), CardLedgerRow.device_id.desc(), CardLedgerRow.seq.desc()
        )
        .limit(1)
    ).first()


def card_ledger(session: Session, card_serial: str) -> LedgerOut:
    """Everything the center knows of the card's loads and purchases, oldest first."""
    rows = _ordered(session, card_serial)
    last = last_balance(session, card_serial)
    return LedgerOut(
        card_serial=card_serial,
        entries=[
            LedgerEntryOut(
                device_id=r.device_id,
                seq=r.seq,
                intent_seq=r.intent_seq,
                kind="load" if r.kind == "load" else "purchase",
                amount_fen=r.amount_fen,
                payment_method=r.payment_method,
                balance_after_fen=r.balance_after_fen,
                at=iso(r.at_us),
            )
            for r in rows
        ],
        last_known_balance_fen=None if last is None else last.balance_after_fen,
        loads_total_fen=sum(r.amount_fen for r in rows if r.kind == "load"),
    )
