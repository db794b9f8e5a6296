"""Thresholds, severity and on/off of every risk rule, published as numbered versions.

These are the center's own parameters: unlike the counter parameters they are never sent to the
devices (a fraudster at a counter must not learn the thresholds).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.risk.models import RiskParameterSetRow

Severity = Literal["critical", "high", "medium", "low"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool = True
    severity: Severity = "high"


class ValueFromNowhere(_Rule):
    """A card's balance rose without a load the center saw; ``tolerance_fen`` is ignored below."""

    severity: Severity = "critical"
    tolerance_fen: int = Field(default=0, ge=0)


class AtcGap(_Rule):
    """A card's online ATC jumped: a load the center never saw."""

    severity: Severity = "high"


class IntegrityFailures(_Rule):
    """TAC or MAC failures: alarm when a device or a card gathers ``threshold`` in the window."""

    severity: Severity = "high"
    threshold: int = Field(default=1, ge=1)
    window_hours: int = Field(default=24, ge=1)


class OfflineBaseline(_Rule):
    """A device's offline top-ups of a day against its own average of the previous days."""

    severity: Severity = "medium"
    baseline_days: int = Field(default=14, ge=1)
    factor: int = Field(default=3, ge=1)  # alarm above factor × the device's daily average
    min_count: int = Field(default=20, ge=1)  # … and at least this many (quiet devices stay quiet)


class Velocity(_Rule):
    """One card topped up at ``outlets`` different devices within ``window_minutes``."""

    severity: Severity = "high"
    outlets: int = Field(default=3, ge=2)
    window_minutes: int = Field(default=10, ge=1)


class ClerkPattern(_Rule):
    """Voids, refunds and cash differences per clerk over ``window_days``."""

    severity: Severity = "medium"
    window_days: int = Field(default=28, ge=1)
    min_voids: int = Field(default=3, ge=1)
    void_ratio_percent: int = Field(default=50, ge=1)  # voids per 100 cash top-ups
    max_refunds: int = Field(default=20, ge=1)
    max_cash_difference_fen: int = Field(
        default=20_000, ge=0
    )  # sum of |difference| of closed shifts


class Silence(_Rule):
    """A device silent longer than its offline brakes allow (``max_unsynced_age_seconds``)."""

    severity: Severity = "medium"
    grace_seconds: int = Field(default=3_600, ge=0)


class GrantWithoutRecords(_Rule):
    """An online grant (MAC2) whose journal records did not come, or disagree."""

    severity: Severity = "critical"
    min_amount_fen: int = Field(default=0, ge=0)  # grants below this are left to the grant check


class SamCounterGap(_Rule):
    """A gap (at least ``min_missing`` numbers) or a repeat in a device's SAM counter."""

    severity: Severity = "critical"
    min_missing: int = Field(default=1, ge=1)


class RiskParameters(BaseModel):
    """Every rule's settings; missing rules take their defaults."""

    model_config = ConfigDict(extra="forbid", strict=True)

    value_from_nowhere: ValueFromNowhere = ValueFromNowhere()
    atc_gap: AtcGap = AtcGap()
    integrity_failures: IntegrityFailures = IntegrityFailures()
    offline_baseline: OfflineBaseline = OfflineBaseline()
    velocity: Velocity = Velocity()
    clerk_pattern: ClerkPattern = ClerkPattern()
    silence: Silence = Silence()
    grant_without_records: GrantWithoutRecords = GrantWithoutRecords()
    sam_counter_gap: SamCounterGap = SamCounterGap()


def current_risk_parameters(session: Session) -> RiskParameters:
    """The newest published risk parameters (the defaults when none were published)."""
    row = session.scalars(
        select(RiskParameterSetRow).order_by(RiskParameterSetRow.version.desc()).limit(1)
    ).first()
    if row is None:
        return RiskParameters()
    return RiskParameters.model_validate_json(row.document)


def publish_risk_parameters(session: Session, parameters: RiskParameters, now_us: int) -> int:
    """Publish ``parameters`` as the next version and return it (the caller commits)."""
    latest = session.scalar(select(func.max(RiskParameterSetRow.version))) or 0
    version = int(latest) + 1
    session.add(
        RiskParameterSetRow(
            version=version, document=parameters.model_dump_json(), published_at_us=now_us
        )
    )
    session.flush()
    return version
