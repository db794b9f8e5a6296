"""Card ledgers, loss reports and settled balances."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from clearing.ledger import card_ledger
from clearing.loss import LossReportError, cancel, get_report, report, settled_balance
from clearing.routes.common import ERRORS
from clearing.schemas import LedgerOut, LossReportIn, LossReportOut, SettledBalanceOut
from clearing.security import CenterDep, DeviceDep

router = APIRouter(tags=["cards"])

Serial = Annotated[
    str,
    Path(
        pattern=r"^(?:[0-9A-F]{2}){1,10}$",
        description="card serial, whole bytes in upper-case hex",
    ),
]
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": LossReportOut, "description": "the card was already reported"},
    401: ERRORS,
    422: ERRORS,
}
ReportId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Approval = Annotated[
    str,
    Query(
        pattern=r"^[A-Za-z0-9_.:#/-]{1,64}$",
        description="the supervisor's approval: the device id and seq of the journal record "
        "holding it, e.g. DEV-1#123",
    ),
]


@router.get(
    "/v1/cards/{serial}/ledger",
    response_model=LedgerOut,
    responses={401: ERRORS, 422: ERRORS},
    summary="A card's loads and purchases",
)
def get_ledger(serial: Serial, device: DeviceDep, center: CenterDep) -> LedgerOut:
    """Completed loads and purchases of the card from accepted records, oldest first."""
    with center.sessions.begin() as session:
        return card_ledger(session, serial)


@router.get(
    "/v1/cards/{serial}/settled-balance",
    response_model=SettledBalanceOut,
    responses={401: ERRORS, 409: ERRORS, 422: ERRORS},
    summary="The balance of a lost card, after its waiting period",
)
def get_settled_balance(serial: Serial, device: DeviceDep, center: CenterDep) -> SettledBalanceOut:
    """409 while the waiting period runs or when the card is not reported lost."""
    try:
        with center.sessions.begin() as session:
            return settled_balance(session, serial, center.now_us())
    except LossReportError as exc:
        raise HTTPException(exc.status, str(exc)) from exc


@router.post(
    "/v1/loss-reports",
    response_model=LossReportOut,
    status_code=status.HTTP_201_CREATED,
    responses=REPORT_RESPONSES,
    summary="Report a card lost (blacklists it)",
)
def post_loss_report(
    body: LossReportIn, device: DeviceDep, center: CenterDep, response: Response
) -> LossReportOut:
    """201 with a new report; 200 with the active one when the card was already reported."""
    with center.sessions.begin() as session:
        result, created = report(session, device.device_id, body, center.now_us())
    if not created:
        response.status_code = status.HTTP_200_OK
    return result


@router.get(
    "/v1/loss-reports/{report_id}",
    response_model=LossReportOut,
    responses={401: ERRORS, 404: ERRORS, 422: ERRORS},
    summary="A loss report",
)
def get_loss_report(report_id: ReportId, device: DeviceDep, center: CenterDep) -> LossReportOut:
    """Where a loss report stands."""
    try:
        with center.sessions.begin() as session:
            return get_report(session, report_id)
    except LossReportError as exc:
        raise HTTPException(exc.status, str(exc)) from exc


@router.delete(
    "/v1/loss-reports/{report_id}",
    response_model=LossReportOut,
    responses={401: ERRORS, 403: ERRORS, 404: ERRORS, 422: ERRORS},
    summary="Cancel a loss report (takes the card off the blacklist)",
)
def delete_loss_report(
    report_id: ReportId, approval: Approval, device: DeviceDep, center: CenterDep
) -> LossReportOut:
    """The card was found: cancel its report (the reporting outlet only). Idempotent."""
    try:
        with center.sessions.begin() as session:
            return cancel(
                session, device.device_id, device.outlet, report_id, approval, center.now_us()
            )
    except LossReportError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
