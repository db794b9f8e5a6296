"""Annual passes of the scenic-area ticket offices, kept from accepted journal records.

Why a table rather than a query over ``journal_record``: a gate asks by card serial while a
visitor waits, and the records hold the pass in a JSON payload (no index reaches it); a pass also
moves between cards (``pass_transfer``), so its binding is the result of several records of
several devices. The table is derived like the card ledger: in the upload's transaction, from
records just accepted, and rebuilt from the held records by migration ``c0003``.

Devices upload independently, so a transfer may arrive before the sale it moves: the transfer
makes a row without the product columns, the sale completes it, and the binding of the record
with the latest time wins. Only rows whose sale is known are answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.journal.kinds import RecordKind
from clearing.models import AnnualPassRow
from clearing.schemas import PassesOut, PassOut
from clearing.timeutil import iso
from clearing.upsert import insert_ignoring_conflict

PASS_KINDS = frozenset({RecordKind.PASS_SALE, RecordKind.PASS_TRANSFER})


def _payload(columns: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(columns["payload"])
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _date_text(value: object) -> str | None:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return None


def _locked_row(session: Session, pass_id: str, serial: str, at_us: int) -> AnnualPassRow:
    """The pass's row, created if missing, locked until the transaction ends.

    A sale and its transfer come from different devices, so their uploads are not ordered by
    the device lock: both may find no row. ``INSERT … ON CONFLICT DO NOTHING`` lets one create
    it (the other waits for that commit, then inserts nothing) and ``FOR UPDATE`` makes the
    second apply its record on the first one's row — no unique violation, no lost update.
    """
    values = {"pass_id": pass_id, "card_serial": serial, "bound_at_us": at_us}
    session.execute(insert_ignoring_conflict(session, AnnualPassRow, values))
    return session.scalars(
        select(AnnualPassRow)
        .where(AnnualPassRow.pass_id == pass_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def apply_pass_record(session: Session, device_id: str, columns: Mapping[str, Any]) -> None:
    """Keep what an accepted ``pass_sale`` or ``pass_transfer`` record says (else nothing)."""
    kind = columns["kind"]
    if kind not in PASS_KINDS or not columns["card_serial"]:
        return
    payload = _payload(columns)
    pass_id = payload.get("pass_id")
    if not isinstance(pass_id, str) or not pass_id:
        return
    serial = str(columns["card_serial"]).upper()
    at_us = int(columns["at_us"])
    row = _locked_row(session, pass_id, serial, at_us)
    if at_us >= row.bound_at_us:
        row.card_serial, row.bound_at_us = serial, at_us
    description = payload if kind == RecordKind.PASS_SALE else payload.get("pass")
    if isinstance(description, dict) and row.product_code is None:
        row.product_code = str(description.get("product") or "")[:32]
        row.product_name = str(description.get("name") or "")[:64]
        row.valid_from = _date_text(description.get("valid_from"))
        row.valid_until = _date_text(description.get("valid_until"))
        row.holder = str(description.get("holder") or "")[:64]
    if kind == RecordKind.PASS_SALE:
        row.amount_fen = columns["amount_fen"]
        row.sale_device_id = device_id
        row.sale_seq = int(columns["seq"])
        row.sold_at_us = at_us
    session.flush()


def apply_pass_records(
    session: Session, device_id: str, records: Iterable[Mapping[str, Any]]
) -> None:
    """:func:`apply_pass_record` for each record, in the order given (seq order)."""
    for columns in records:
        apply_pass_record(session, device_id, columns)


def passes_of(session: Session, card_serial: str) -> PassesOut:
    """The passes bound to ``card_serial`` whose sale the center holds, longest valid first."""
    rows = session.scalars(
        select(AnnualPassRow)
        .where(
            AnnualPassRow.card_serial == card_serial.upper(),
            AnnualPassRow.product_code.is_not(None),
            AnnualPassRow.valid_from.is_not(None),
            AnnualPassRow.valid_until.is_not(None),
        )
        .order_by(AnnualPassRow.valid_until.desc(), AnnualPassRow.pass_id)
    ).all()
    return PassesOut(
        card_serial=card_serial.upper(),
        passes=[
            PassOut(
                pass_id=r.pass_id,
                card_serial=r.card_serial,
                product_code=r.product_code or "",
                product_name=r.product_name or "",
                valid_from=date.fromisoformat(r.valid_from or ""),
                valid_until=date.fromisoformat(r.valid_until or ""),
                holder=r.holder or "",
                amount_fen=r.amount_fen,
                sold_by=r.sale_device_id,
                sold_at=None if r.sold_at_us is None else iso(r.sold_at_us),
                bound_at=iso(r.bound_at_us),
            )
            for r in rows
        ],
    )
