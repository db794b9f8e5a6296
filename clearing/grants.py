"""Online grants (MAC2 the center gave): daily caps, and reconciliation with the journal.

Caps: per device and per card, per business day (China Standard Time), the sum of online
top-ups granted — balance transfers not counted — stays within the parameters' ``online``
caps. Reconciliation: every grant must come back in the device's uploaded journal as a load
intent (same card, online ATC and amount, its ``center_authorization`` id when the counter wrote
one) and that intent's outcome. A grant still without both after ``reconcile_after_seconds`` raises
a grant alarm naming the device, card and amount: a MAC2 that may have loaded a card the journal
does not show.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.journal.kinds import RecordKind
from clearing.center import Center
from clearing.models import GrantAlarmRow, OnlineLoadRow, RecordRow
from clearing.parameters import current
from clearing.schemas import OnlineCaps, ParametersOut
from clearing.timeutil import from_micros, micros_of

DEFAULT_ONLINE_CAPS = OnlineCaps(
    device_daily_fen=5_000_000,  # ¥50,000 a counter a day
    card_daily_fen=100_000,  # ¥1,000 a card a day
    reconcile_after_seconds=86_400,
)


def online_caps(parameters: ParametersOut) -> OnlineCaps:
    """The caps in force: the parameters' own, else the center's defaults."""
    return parameters.online or DEFAULT_ONLINE_CAPS


def _day_start_us(now_us: int, tz: timezone) -> int:
    local = from_micros(now_us).astimezone(tz)
    start = datetime(local.year, local.month, local.day, tzinfo=tz)
    return micros_of(start)


def _granted_since(session: Session, since_us: int, **where: str) -> int:
    query = select(func.coalesce(func.sum(OnlineLoadRow.amount_fen), 0)).where(
        OnlineLoadRow.authorized_at_us >= since_us, OnlineLoadRow.transfer_from.is_(None)
    )
    for column, value in where.items():
        query = query.where(getattr(OnlineLoadRow, column) == value)
    return int(session.scalar(query) or 0)


def cap_problem(
    session: Session,
    parameters: ParametersOut,
    device_id: str,
    card_serial: str,
    amount_fen: int,
    now_us: int,
    tz: timezone,
) -> str | None:
    """Why this online top-up would pass a daily cap (None: within both)."""
    caps = online_caps(parameters)
    start = _day_start_us(now_us, tz)
    device_total = _granted_since(session, start, device_id=device_id)
    if device_total + amount_fen > caps.device_daily_fen:
        return (
            f"device {device_id} was granted {device_total} fen of online top-ups today; "
            f"{amount_fen} more would pass its daily cap of {caps.device_daily_fen} fen"
        )
    card_total = _granted_since(session, start, card_serial=card_serial)
    if card_total + amount_fen > caps.card_daily_fen:
        return (
            f"card {card_serial} was granted {card_total} fen of online top-ups today; "
            f"{amount_fen} more would pass its daily cap of {caps.card_daily_fen} fen"
        )
    return None


def _intent_of(session: Session, grant: OnlineLoadRow) -> RecordRow | None:
    candidates = session.scalars(
        select(RecordRow).where(
            RecordRow.device_id == grant.device_id,
            RecordRow.kind == RecordKind.LOAD_INTENT,
            RecordRow.card_serial == grant.card_serial,
            RecordRow.atc == grant.online_atc,
        )
    ).all()
    for row in candidates:
        try:
            payload = json.loads(row.payload)
        except ValueError:
            continue
        named = payload.get("center_authorization") if isinstance(payload, dict) else None
        if named == grant.id or (named is None and row.amount_fen == grant.amount_fen):
            return row
    return None


def _outcome_of(session: Session, intent: RecordRow) -> RecordRow | None:
    return session.scalars(
        select(RecordRow).where(
            RecordRow.device_id == intent.device_id,
            RecordRow.kind == RecordKind.LOAD_OUTCOME,
            RecordRow.intent_seq == intent.seq,
        )
    ).first()


def reconcile(session: Session, parameters: ParametersOut, now_us: int) -> tuple[int, int]:
    """Match open grants with the uploaded journal; alarm the overdue ones. (matched, alarmed)."""
    wait_us = online_caps(parameters).reconcile_after_seconds * 1_000_000
    matched = alarmed = 0
    open_grants = session.scalars(
        select(OnlineLoadRow)
        .where(OnlineLoadRow.reconciled_at_us.is_(None))
        .order_by(OnlineLoadRow.id)
    ).all()
    for grant in open_grants:
        intent = _intent_of(session, grant)
        outcome = None if intent is None else _outcome_of(session, intent)
        problem = None
        if intent is not None and intent.amount_fen != grant.amount_fen:
            problem = (
                f"the journal's load intent (seq {intent.seq}) says {intent.amount_fen} fen, "
                f"the center granted {grant.amount_fen}"
            )
        elif intent is not None and outcome is not None:
            grant.reconciled_at_us = now_us
            matched += 1
            continue
        elif now_us - grant.authorized_at_us >= wait_us:
            missing = "load intent" if intent is None else "load outcome"
            waited = timedelta(microseconds=now_us - grant.authorized_at_us)
            problem = (
                f"online grant {grant.id} has no uploaded {missing} after {waited}: the card may "
                "have been loaded without a record"
            )
        if problem is not None and grant.alarmed_at_us is None:
            grant.alarmed_at_us = now_us
            session.add(
                GrantAlarmRow(
                    online_load_id=grant.id,
                    device_id=grant.device_id,
                    card_serial=grant.card_serial,
                    amount_fen=grant.amount_fen,
                    reason=problem,
                    raised_at_us=now_us,
                )
            )
            alarmed += 1
    session.flush()
    return matched, alarmed


def reconcile_now(center: Center) -> tuple[int, int]:
    """:func:`reconcile` in its own transaction, at the center's clock.

    The loss-report cancellations' approvals are checked too; their alarms count with the grants'.
    """
    from clearing.approvals import check_cancellations  # noqa: PLC0415 - it imports this module

    with center.sessions.begin() as session:
        parameters = current(session)
        matched, alarmed = reconcile(session, parameters, center.now_us())
        alarmed += check_cancellations(session, parameters, center.now_us())
        return matched, alarmed
