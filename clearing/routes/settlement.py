"""Settlement of one business day for the calling outlet (all outlets: the CLI)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status

from clearing.routes.common import ERRORS
from clearing.schemas import SettlementOut
from clearing.security import CenterDep, DeviceDep
from clearing.settlement import SettlementError, settlement, settlement_csv

router = APIRouter(tags=["settlement"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    401: ERRORS,
    422: ERRORS,
}


@router.get(
    "/v1/settlement",
    response_model=SettlementOut,
    responses=RESPONSES,
    summary="Totals and grey records of a business day",
)
def get_settlement(
    device: DeviceDep,
    center: CenterDep,
    date: Annotated[
        str,
        Query(
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="YYYY-MM-DD (UTC+8)",
            json_schema_extra={"format": "date"},  # a real calendar date, not just the digits
        ),
    ],
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> SettlementOut | Response:
    """The calling outlet's totals by kind and payment method, and its grey records."""
    try:
        result = settlement(center, date, device.device_id)
    except SettlementError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if format == "csv":
        disposition = f'attachment; filename="settlement-{device.device_id}-{date}.csv"'
        return Response(
            settlement_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
    return result
