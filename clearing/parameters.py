"""Versioned counter parameters: card types, top-up limits, fees, offline brakes, scenic catalogue.

The scenic catalogue (ticket prices, annual-pass products, gates) is optional in a published set:
without it the counters keep the catalogue they have.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.models import ParameterSetRow
from clearing.schemas import (
    CardTypeParameters,
    Fees,
    OfflineBrakes,
    ParametersIn,
    ParametersOut,
    ScenicParameters,
    ScenicPass,
    ScenicTicket,
)
from clearing.timeutil import iso

DEFAULT_PARAMETERS = ParametersIn(
    card_types=[
        CardTypeParameters(
            code=1,
            name="普通卡",
            min_top_up_fen=1_000,
            max_top_up_fen=50_000,
            top_up_multiple_fen=1_000,
        ),
        CardTypeParameters(
            code=2,
            name="学生卡",
            min_top_up_fen=1_000,
            max_top_up_fen=20_000,
            top_up_multiple_fen=500,
        ),
        CardTypeParameters(
            code=3,
            name="老年卡",
            min_top_up_fen=1_000,
            max_top_up_fen=20_000,
            top_up_multiple_fen=500,
        ),
    ],
    balance_ceiling_fen=100_000,
    fees=Fees(replacement_fen=2_000, exchange_fen=1_000, refund_fen=0),
    offline=OfflineBrakes(
        max_top_up_fen=20_000,
        max_shift_total_fen=200_000,
        max_count=50,
        max_unsynced_age_seconds=24 * 3600,
    ),
    replacement_waiting_days=7,
    scenic=ScenicParameters(
        tickets=[
            ScenicTicket(code="adult", name="成人票", price_fen=4_000),
            ScenicTicket(code="child", name="儿童票", price_fen=2_000),
            ScenicTicket(code="senior", name="老年票", price_fen=2_000),
            ScenicTicket(code="free", name="免票", price_fen=0),
        ],
        passes=[
            ScenicPass(code="garden_annual", name="园林年卡", price_fen=12_000, days=365),
            ScenicPass(
                code="garden_year",
                name="园林年卡（自然年）",
                price_fen=10_000,
                validity="calendar_year",
            ),
        ],
        gates=["east", "west"],
        reuse_interval_s=1_800,
    ),
)


def _current_row(session: Session) -> ParameterSetRow | None:
    return session.scalars(
        select(ParameterSetRow).order_by(ParameterSetRow.version.desc()).limit(1)
    ).first()


def ensure_parameters(session: Session, now_us: int) -> None:
    """Publish the default parameters as version 1 when none were ever published."""
    if _current_row(session) is None:
        publish(session, DEFAULT_PARAMETERS, now_us)


def publish(session: Session, parameters: ParametersIn, now_us: int) -> int:
    """Publish ``parameters`` as the next version and return it (the caller commits)."""
    latest = session.scalar(select(func.max(ParameterSetRow.version))) or 0
    version = int(latest) + 1
    session.add(
        ParameterSetRow(
            version=version,
            document=parameters.model_dump_json(),
            published_at_us=now_us,
        )
    )
    session.flush()
    return version


def current(session: Session) -> ParametersOut:
    """The newest parameter set."""
    row = _current_row(session)
    if row is None:  # the center publishes the defaults at start-up
        raise LookupError("no parameters were ever published")
    document = ParametersIn.model_validate_json(row.document)
    return ParametersOut(
        **document.model_dump(), version=row.version, published_at=iso(row.published_at_us)
    )
