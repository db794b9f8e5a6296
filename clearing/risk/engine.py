"""Running the rules after each ingested batch, and as a periodic sweep.

After a batch: the rules over the cards, clerks and device it touched. The sweep: silence, which
no upload can reveal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clearing.center import Center
from clearing.parameters import current
from clearing.risk import gather
from clearing.risk.alarms import raise_alarms
from clearing.risk.facts import Finding
from clearing.risk.models import RiskAlarmRow, RiskStateRow
from clearing.risk.parameters import RiskParameters, current_risk_parameters
from clearing.risk.rules import (
    atc_gap,
    clerk_pattern,
    grant_without_records,
    integrity_failures,
    offline_baseline,
    sam_counter_gap,
    silence,
    value_from_nowhere,
    velocity,
)
from clearing.timeutil import iso

log = logging.getLogger(__name__)

_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class BatchScope:
    """What one batch touched: its device, the cards and clerks of its records, its newest time."""

    device_id: str
    cards: frozenset[str]
    operators: frozenset[str]
    newest_at_us: int


def _severities(params: RiskParameters) -> dict[str, str]:
    return {name: getattr(params, name).severity for name in RiskParameters.model_fields}


def _settle(session: Session, now_us: int) -> tuple[int, set[str]]:
    """Move the settled time on; the cards whose records became settled by that move."""
    state = session.get(RiskStateRow, 1, with_for_update=True)
    if state is None:
        state = RiskStateRow(id=1, settled_until_us=0)
        session.add(state)
    brakes = current(session).offline
    settled = gather.settled_until(session, now_us, brakes.max_unsynced_age_seconds)
    newly = gather.cards_active_between(session, state.settled_until_us, settled)
    state.settled_until_us = max(state.settled_until_us, settled)
    return state.settled_until_us, newly


def _card_findings(
    session: Session, cards: Iterable[str], p: RiskParameters, settled_until_us: int
) -> list[Finding]:
    events = gather.card_events(session, cards)
    authorised = gather.authorised_loads(session, events)
    found: list[Finding] = []
    for serial, card in events.items():
        known = authorised.get(serial, [])
        if p.value_from_nowhere.enabled:
            found += value_from_nowhere.find(
                serial, card, known, p.value_from_nowhere, settled_until_us
            )
        if p.atc_gap.enabled:
            found += atc_gap.find(serial, card, known, p.atc_gap, settled_until_us)
        if p.velocity.enabled:
            found += velocity.find(serial, card, p.velocity)
    return found


def _clerk_findings(session: Session, scope: BatchScope, p: RiskParameters) -> list[Finding]:
    if not p.clerk_pattern.enabled or not scope.operators:
        return []
    since = scope.newest_at_us - p.clerk_pattern.window_days * _DAY_US
    found: list[Finding] = []
    acts = gather.clerk_acts(session, scope.operators, since)
    cash = gather.cash_loads(session, acts, since)  # no voids, refunds, closes: nothing to find
    for operator, mine in acts.items():
        found += clerk_pattern.find(
            operator, mine, cash.get(operator, 0), scope.newest_at_us, p.clerk_pattern
        )
    return found


def _offline_findings(
    center: Center, session: Session, scope: BatchScope, p: RiskParameters
) -> list[Finding]:
    rule = p.offline_baseline
    if not rule.enabled:
        return []
    zone = center.settings.business_timezone
    counts = gather.offline_days(
        session, scope.device_id, scope.newest_at_us, rule.baseline_days, zone
    )
    today = iso(scope.newest_at_us).astimezone(zone).date()
    history = [
        counts.get(iso(scope.newest_at_us - d * _DAY_US).astimezone(zone).date().isoformat(), 0)
        for d in range(rule.baseline_days, 0, -1)
    ]
    return offline_baseline.find(
        scope.device_id, today.isoformat(), counts.get(today.isoformat(), 0), history, rule
    )


def _authority_findings(
    session: Session, p: RiskParameters, device_id: str | None
) -> list[Finding]:
    """Grants without their records and SAM counter gaps (of one device, or all)."""
    found: list[Finding] = []
    if p.grant_without_records.enabled:
        found += grant_without_records.find(
            gather.grant_problems(session, device_id), p.grant_without_records
        )
    if p.sam_counter_gap.enabled:
        found += sam_counter_gap.find(
            gather.sam_counter_problems(session, device_id), p.sam_counter_gap
        )
    return found


def evaluate_batch(center: Center, scope: BatchScope) -> list[RiskAlarmRow]:
    """Run every enabled rule over what ``scope`` touched; store and return the new alarms."""
    now = center.now_us()
    with center.sessions.begin() as session:
        p = current_risk_parameters(session)
        settled, newly = _settle(session, now)
        found = _card_findings(session, scope.cards | newly, p, settled)
        found += _clerk_findings(session, scope, p)
        found += _offline_findings(center, session, scope, p)
        if p.integrity_failures.enabled:
            since = now - p.integrity_failures.window_hours * 3_600_000_000
            found += integrity_failures.find(
                gather.integrity_failures(session, since), now, p.integrity_failures
            )
        found += _authority_findings(session, p, scope.device_id)
        raised = raise_alarms(session, found, _severities(p), now)
    for alarm in raised:
        log.warning("risk alarm %s (%s): %s", alarm.rule, alarm.severity, alarm.summary)
    return raised


def sweep(center: Center, now_us: int | None = None) -> list[RiskAlarmRow]:
    """The periodic rules; ``now_us`` defaults to the center's clock.

    Silent devices; the grants the grant check found without their records, and the SAM counter
    gaps (each kept once, by key); and the card rules over the cards whose records became settled
    as time went on (a device that stays away is waited for no longer than the offline brakes).
    """
    now = center.now_us() if now_us is None else now_us
    with center.sessions.begin() as session:
        p = current_risk_parameters(session)
        settled, newly = _settle(session, now)
        found = _card_findings(session, newly, p, settled)
        if p.silence.enabled:
            brakes = current(session).offline
            found += silence.find(
                gather.devices_seen(session), now, brakes.max_unsynced_age_seconds, p.silence
            )
        found += _authority_findings(session, p, None)
        raised = raise_alarms(session, found, _severities(p), now)
    for alarm in raised:
        log.warning("risk alarm %s (%s): %s", alarm.rule, alarm.severity, alarm.summary)
    return raised


def evaluate_all(center: Center) -> list[RiskAlarmRow]:
    """Every card, clerk and device at once (after a parameter change, or from the CLI)."""
    from sqlalchemy import func, select  # noqa: PLC0415

    from clearing.models import CardLedgerRow, DeviceRow, RecordRow  # noqa: PLC0415

    raised: list[RiskAlarmRow] = []
    with center.sessions.begin() as session:
        cards = frozenset(session.scalars(select(CardLedgerRow.card_serial).distinct()))
        devices = list(session.execute(select(DeviceRow.device_id, DeviceRow.head_at_us)))
        operators = frozenset(
            o for o in session.scalars(select(RecordRow.operator).distinct()) if o is not None
        )
        newest = session.scalar(select(func.max(RecordRow.at_us))) or 0
    for number, (device_id, head_at) in enumerate(devices):
        scope = BatchScope(
            device_id,
            cards if number == 0 else frozenset(),
            operators if number == 0 else frozenset(),
            max(head_at, newest) if number == 0 else head_at,
        )
        raised += evaluate_batch(center, scope)
    raised += sweep(center)
    return raised
