"""Loss reports: a reported card goes on the blacklist; cancelling takes it off again.

Cancelling takes a card off every counter's blacklist, so only the outlet that took the report
(any of its devices) or the issuer's back office may do it, and only with a supervisor's
approval reference (for a counter: its device id and the seq of the journal record that holds
the approval, ``DEV-1#123``), which the report keeps.

The waiting period (``replacement_waiting_days`` of the parameters in force when the loss was
reported) must pass before the card's balance is settled for a replacement: until then the card
may still show up in records from counters that were offline.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearing import blacklist
from clearing.devices import outlet_of
from clearing.ledger import last_balance
from clearing.models import DeviceRow, LossReportRow
from clearing.parameters import current
from clearing.schemas import LossReportIn, LossReportOut, SettledBalanceOut
from clearing.timeutil import iso


class LossReportError(Exception):
    """A loss report operation refused; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _out(session: Session, row: LossReportRow) -> LossReportOut:
    return LossReportOut(
        id=row.id,
        card_serial=row.card_serial,
        reported_by=row.device_id,
        reason=row.reason,
        reported_at=iso(row.reported_at_us),
        waiting_until=iso(row.waiting_until_us),
        status="active" if row.cancelled_at_us is None else "cancelled",
        cancelled_at=None if row.cancelled_at_us is None else iso(row.cancelled_at_us),
        cancelled_by=row.cancelled_by,
        cancel_approval=row.cancel_approval,
        blacklist_version=blacklist.current_version(session),
    )


def active_report(session: Session, card_serial: str) -> LossReportRow | None:
    """The card's loss report that is not cancelled, if any."""
    return session.scalars(
        select(LossReportRow)
        .where(LossReportRow.card_serial == card_serial, LossReportRow.cancelled_at_us.is_(None))
        .order_by(LossReportRow.id.desc())
        .limit(1)
    ).first()


def report(
    session: Session, device_id: str, request: LossReportIn, now_us: int
) -> tuple[LossReportOut, bool]:
    """Report the card lost (blacklisting it); an active report is returned as it is.

    Returns the report and whether it was created by this call. Two counters reporting the
    same card at once: the partial unique index ``uq_loss_report_active_card`` (migration
    ``c0005``) lets one insert through; the other waits for it, fails in its savepoint and
    answers with the winner's report — one report, one blacklist addition.
    """
    existing = active_report(session, request.card_serial)
    if existing is not None:
        return _out(session, existing), False
    days = current(session).replacement_waiting_days
    row = LossReportRow(
        card_serial=request.card_serial,
        device_id=device_id,
        reason=request.reason,
        reported_at_us=now_us,
        waiting_until_us=now_us + int(timedelta(days=days).total_seconds()) * 1_000_000,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        winner = active_report(session, request.card_serial)  # committed by the other counter
        if winner is None:
            raise
        return _out(session, winner), False
    blacklist.change(session, request.card_serial, blacklist.ADD, f"loss report {row.id}", now_us)
    return _out(session, row), True


def get_report(session: Session, report_id: int) -> LossReportOut:
    """One loss report (404 when there is none)."""
    row = session.get(LossReportRow, report_id)
    if row is None:
        raise LossReportError(404, f"there is no loss report {report_id}")
    return _out(session, row)


BACK_OFFICE = "back-office"  # the outlet name of cancellations made by the issuer's staff


def cancel(
    session: Session,
    canceller: str,
    canceller_outlet: str,
    report_id: int,
    approval: str,
    now_us: int,
) -> LossReportOut:
    """Cancel a loss report (the card was found): off the blacklist. Cancelling twice is fine.

    ``canceller`` is the device id (or the back-office operator), ``canceller_outlet`` its
    outlet (:data:`BACK_OFFICE` for the issuer's staff). Another outlet gets a 403 and nothing
    changes; an empty approval reference is a 422.
    """
    row = session.get(LossReportRow, report_id, with_for_update=True)
    if row is None:
        raise LossReportError(404, f"there is no loss report {report_id}")
    reporter = session.get(DeviceRow, row.device_id)
    reporting_outlet = row.device_id if reporter is None else outlet_of(reporter)
    if canceller_outlet not in (reporting_outlet, BACK_OFFICE):
        raise LossReportError(
            403,
            f"loss report {report_id} was taken at outlet {reporting_outlet}: only that outlet "
            "or the issuer's back office may cancel it",
        )
    if not approval.strip():
        raise LossReportError(422, "a cancellation needs the supervisor's approval reference")
    if row.cancelled_at_us is None:
        row.cancelled_at_us = now_us
        row.cancelled_by = canceller[:32]
        row.cancel_approval = approval.strip()[:64]
        reason = f"loss report {row.id} cancelled by {canceller} ({approval.strip()})"
        blacklist.change(session, row.card_serial, blacklist.REMOVE, reason, now_us)
    return _out(session, row)


def settled_balance(session: Session, card_serial: str, now_us: int) -> SettledBalanceOut:
    """The balance of a lost card once its waiting period is over (409 before, or if not lost)."""
    row = active_report(session, card_serial)
    if row is None:
        raise LossReportError(
            409, f"card {card_serial} is not reported lost: there is no balance to settle"
        )
    if now_us < row.waiting_until_us:
        raise LossReportError(
            409,
            f"card {card_serial} was reported lost at {iso(row.reported_at_us).isoformat()}; "
            f"its balance is settled after the waiting period, on "
            f"{iso(row.waiting_until_us).isoformat()}",
        )
    last = last_balance(session, card_serial)
    balance = None if last is None else last.balance_after_fen
    return SettledBalanceOut(
        card_serial=card_serial,
        loss_report_id=row.id,
        reported_at=iso(row.reported_at_us),
        waiting_until=iso(row.waiting_until_us),
        settled_balance_fen=balance or 0,
        as_of_device_id=None if last is None else last.device_id,
        as_of_seq=None if last is None else last.seq,
        as_of=None if last is None else iso(last.at_us),
    )
