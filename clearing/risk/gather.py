"""Facts for the risk rules, read from the center's tables (no rule logic here)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta, timezone
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from app.journal.kinds import RecordKind
from clearing.models import (
    CardLedgerRow,
    DeviceRow,
    GrantAlarmRow,
    OnlineLoadRow,
    QuarantineRow,
    RecordRow,
    TamperAlarmRow,
)
from clearing.risk.facts import (
    AuthorisedLoad,
    CardEvent,
    ClerkAct,
    DeviceSeen,
    GrantProblem,
    IntegrityFailure,
    SamCounterProblem,
)

_CHUNK = 500
_DAY_US = 86_400_000_000


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _payload(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def card_events(session: Session, serials: Iterable[str]) -> dict[str, list[CardEvent]]:
    """The completed loads and purchases (the ledger) of each card, in time order."""
    intent = aliased(RecordRow)
    found: dict[str, list[CardEvent]] = defaultdict(list)
    for chunk in _chunks(serials):
        rows = session.execute(
            select(CardLedgerRow, intent.balance_before_fen, intent.atc, intent.operator)
            .join(
                intent,
                (intent.device_id == CardLedgerRow.device_id)
                & (intent.seq == CardLedgerRow.intent_seq),
            )
            .where(
                CardLedgerRow.card_serial.in_(chunk),
                CardLedgerRow.kind.in_(("load", "purchase")),
            )
            .order_by(CardLedgerRow.at_us, CardLedgerRow.device_id, CardLedgerRow.seq)
        )
        for ledger, before, atc, operator in rows:
            found[ledger.card_serial].append(
                CardEvent(
                    device_id=ledger.device_id,
                    seq=ledger.seq,
                    intent_seq=ledger.intent_seq,
                    at_us=ledger.at_us,
                    kind=ledger.kind,
                    amount_fen=ledger.amount_fen,
                    balance_before_fen=before,
                    balance_after_fen=ledger.balance_after_fen,
                    online_atc=atc if ledger.kind == "load" else None,
                    payment_method=ledger.payment_method,
                    operator=operator,
                )
            )
    return found


def authorised_loads(session: Session, serials: Iterable[str]) -> dict[str, list[AuthorisedLoad]]:
    """The online loads the center authorised, per card."""
    found: dict[str, list[AuthorisedLoad]] = defaultdict(list)
    for chunk in _chunks(serials):
        for row in session.scalars(
            select(OnlineLoadRow).where(OnlineLoadRow.card_serial.in_(chunk))
        ):
            found[row.card_serial].append(
                AuthorisedLoad(
                    row.card_serial, row.online_atc, row.amount_fen, row.balance_before_fen
                )
            )
    return found


_CLERK_KINDS = (RecordKind.VOID, RecordKind.REFUND, RecordKind.SHIFT_CLOSE)


def clerk_acts(
    session: Session, operators: Iterable[str], since_us: int
) -> dict[str, list[ClerkAct]]:
    """Voids, refunds and shift closes of each clerk since ``since_us``."""
    found: dict[str, list[ClerkAct]] = defaultdict(list)
    for chunk in _chunks(operators):
        rows = session.execute(
            select(
                RecordRow.device_id,
                RecordRow.seq,
                RecordRow.at_us,
                RecordRow.operator,
                RecordRow.kind,
                RecordRow.amount_fen,
                RecordRow.payload,
            ).where(
                RecordRow.operator.in_(chunk),
                RecordRow.kind.in_([str(k) for k in _CLERK_KINDS]),
                RecordRow.at_us >= since_us,
            )
        )
        for device_id, seq, at_us, operator, kind, amount, payload in rows:
            if operator is None:
                continue
            difference = 0
            if kind == RecordKind.SHIFT_CLOSE:
                value = _payload(payload).get("difference_fen")
                difference = value if isinstance(value, int) else 0
            found[operator].append(
                ClerkAct(device_id, seq, at_us, operator, str(kind), amount or 0, difference)
            )
    return found


def cash_loads(session: Session, operators: Iterable[str], since_us: int) -> dict[str, int]:
    """How many cash top-ups each clerk began since ``since_us`` (counted by the database)."""
    counts: dict[str, int] = {}
    for chunk in _chunks(operators):
        counts.update(
            (str(operator), int(count))
            for operator, count in session.execute(
                select(RecordRow.operator, func.count())
                .where(
                    RecordRow.operator.in_(chunk),
                    RecordRow.kind == RecordKind.LOAD_INTENT,
                    RecordRow.payment_method == "cash",
                    RecordRow.at_us >= since_us,
                )
                .group_by(RecordRow.operator)
            )
        )
    return counts


def integrity_failures(session: Session, since_us: int) -> list[IntegrityFailure]:
    """TAC and MAC failures among the records quarantined since ``since_us``.

    Held records (their TAC does not verify) and records whose MAC, previous MAC or MAC key is
    wrong. Other quarantine reasons (a gap, time going back, an intent already closed, records
    not checked after an earlier failure of their batch) are faults of order, not of integrity.
    """
    failures: list[IntegrityFailure] = []
    for row in session.scalars(
        select(QuarantineRow).where(QuarantineRow.received_at_us >= since_us)
    ):
        if not row.held and "MAC" not in row.reason:
            continue
        serial = _payload(row.record).get("card_serial")
        failures.append(
            IntegrityFailure(
                row.device_id,
                row.seq,
                row.received_at_us,
                serial if isinstance(serial, str) else None,
                row.held,
                row.reason,
            )
        )
    return failures


def offline_days(
    session: Session, device_id: str, until_us: int, days: int, zone: timezone
) -> dict[str, int]:
    """Offline (SAM) top-up intents of the device per business day, ``days`` days back.

    Counted by the database: every load intent, less those whose payload says
    ``"mac_path":"center"`` (payloads are canonical JSON; intents without a path are offline).
    """
    offset = int(zone.utcoffset(None).total_seconds()) * 1_000_000
    day = ((RecordRow.at_us + offset) // _DAY_US).label("day")
    online = RecordRow.payload.like('%"mac_path":"center"%')
    rows = session.execute(
        select(day, func.count(), func.sum(case((online, 1), else_=0)))
        .where(
            RecordRow.device_id == device_id,
            RecordRow.kind == RecordKind.LOAD_INTENT,
            RecordRow.at_us >= until_us - (days + 1) * _DAY_US,
        )
        .group_by(day)
    )
    epoch = date(1970, 1, 1)
    return {
        (epoch + timedelta(days=int(number))).isoformat(): int(total) - int(on or 0)
        for number, total, on in rows
        if int(total) - int(on or 0)
    }


def devices_seen(session: Session) -> list[DeviceSeen]:
    """Every enrolled device with its newest record time and newest upload time."""
    uploads = dict(
        session.execute(
            select(RecordRow.device_id, func.max(RecordRow.received_at_us)).group_by(
                RecordRow.device_id
            )
        ).all()
    )
    return [
        DeviceSeen(
            row.device_id,
            row.head_at_us if row.head_seq else row.enrolled_at_us,
            uploads.get(row.device_id),
        )
        for row in session.scalars(select(DeviceRow).order_by(DeviceRow.device_id))
    ]


def settled_until(session: Session, now_us: int, max_unsynced_age_s: int) -> int:
    """Up to when the center holds every device's records.

    Each device uploads in seq order with its clock not going back, so every record older than
    its newest uploaded one is in. A device that has not uploaded for longer than the offline
    brakes allow (``max_unsynced_age_seconds``) stops topping up, so nothing older than that can
    still be on its way either.
    """
    heads = [
        row.head_at_us if row.head_seq else row.enrolled_at_us
        for row in session.scalars(select(DeviceRow))
    ]
    floor = now_us - max_unsynced_age_s * 1_000_000
    return max(min(heads, default=now_us), floor)


def cards_active_between(session: Session, after_us: int, until_us: int) -> set[str]:
    """Cards with a completed load or purchase in ``(after_us, until_us]``."""
    if until_us <= after_us:
        return set()
    return set(
        session.scalars(
            select(CardLedgerRow.card_serial)
            .where(CardLedgerRow.at_us > after_us, CardLedgerRow.at_us <= until_us)
            .distinct()
        )
    )


def grant_problems(session: Session, device_id: str | None = None) -> list[GrantProblem]:
    """The grant check's alarms (of one device, or all), with the journal's intent if it came."""
    query = (
        select(GrantAlarmRow, OnlineLoadRow.online_atc)
        .join(OnlineLoadRow, OnlineLoadRow.id == GrantAlarmRow.online_load_id, isouter=True)
        .order_by(GrantAlarmRow.id)
    )
    if device_id is not None:
        query = query.where(GrantAlarmRow.device_id == device_id)
    problems: list[GrantProblem] = []
    for alarm, atc in session.execute(query):
        intent = None
        if atc is not None:
            intent = session.scalar(
                select(func.min(RecordRow.seq)).where(
                    RecordRow.device_id == alarm.device_id,
                    RecordRow.kind == RecordKind.LOAD_INTENT,
                    RecordRow.card_serial == alarm.card_serial,
                    RecordRow.atc == atc,
                )
            )
        problems.append(
            GrantProblem(
                alarm.online_load_id,
                alarm.device_id,
                alarm.card_serial,
                alarm.amount_fen,
                alarm.reason,
                alarm.raised_at_us,
                None if intent is None else int(intent),
            )
        )
    return problems


# the reasons clearing.sam_counter writes into tamper alarms
_SAM_REASON = re.compile(
    r"SAM counter (?P<kind>gap|repeat): (?P<counter>PSAM|ISAM) seq (?P<value>\d+)"
    r"(?: (?:follows (?P<follows>\d+)|again))?"
)


def sam_counter_problems(session: Session, device_id: str | None = None) -> list[SamCounterProblem]:
    """The SAM counter gaps and repeats the uploads raised (of one device, or all)."""
    query = (
        select(TamperAlarmRow)
        .where(TamperAlarmRow.reason.like("SAM counter %"))
        .order_by(TamperAlarmRow.id)
    )
    if device_id is not None:
        query = query.where(TamperAlarmRow.device_id == device_id)
    problems: list[SamCounterProblem] = []
    for alarm in session.scalars(query):
        match = _SAM_REASON.match(alarm.reason)
        if match is None:
            continue
        follows = match.group("follows")
        problems.append(
            SamCounterProblem(
                alarm.device_id,
                alarm.seq,
                match.group("kind"),
                match.group("counter"),
                int(match.group("value")),
                None if follows is None else int(follows),
                alarm.raised_at_us,
            )
        )
    return problems
