"""Online top-ups: the center checks the card's MAC1 and gives MAC2 with the issuer's keys.

The counter sends the card's INITIALIZE FOR LOAD answer; the center refuses blacklisted cards and
amounts outside the parameters (the limits of the card type the center's registry holds — the
counter's claim is not used, an unknown card gets the strictest type —, the balance ceiling, the
daily online caps per device and per card), then computes MAC2 over the center's own clock
(local time, UTC+8, whole seconds) and the device's enrolled terminal id — the counter must send
that same date/time in CREDIT FOR LOAD. A balance transfer names the lost card: it is at most that
card's settled balance, once. Every authorisation is recorded and later matched with the
uploaded journal (:mod:`clearing.grants`).
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.card.errors import CardMacError
from app.card.sam import LoadAuthorization, SamKeyError
from app.card.session import PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from clearing import blacklist
from clearing.center import Center
from clearing.grants import cap_problem
from clearing.keys.interface import KeysUnavailableError
from clearing.loss import LossReportError, settled_balance
from clearing.models import DeviceRow, OnlineLoadRow
from clearing.parameters import current
from clearing.registry import card_type_of
from clearing.schemas import LoadAuthorizeIn, LoadAuthorizeOut, ParametersOut
from clearing.security import AuthenticatedDevice
from clearing.timeutil import micros_of

log = logging.getLogger(__name__)


class OnlineLoadError(Exception):
    """An online load refused; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _limits_problem(
    session: Session, parameters: ParametersOut, request: LoadAuthorizeIn
) -> tuple[str | None, int | None]:
    """Why the amount is refused (None: allowed), and the card type whose limits applied."""
    amount = request.amount_fen
    if request.balance_fen + amount > parameters.balance_ceiling_fen:
        return (
            f"the balance after the top-up ({request.balance_fen + amount} fen) would exceed the "
            f"ceiling of {parameters.balance_ceiling_fen} fen"
        ), None
    if request.transfer_from is not None:
        return None, None  # not a sale: no card-type limits (the settled balance bounds it)
    registered = card_type_of(session, parameters, request.card_serial)
    card_type = registered.rules
    if request.card_type is not None and request.card_type != card_type.code:
        log.warning(
            "card %s claimed type %s; the center applies type %s (%s)",
            request.card_serial,
            request.card_type,
            card_type.code,
            "registered" if registered.known else "unknown card: the strictest type",
        )
    whose = "" if registered.known else " (the card is not in the center's registry)"
    if not card_type.min_top_up_fen <= amount <= card_type.max_top_up_fen:
        return (
            f"a {card_type.name} top-up is {card_type.min_top_up_fen}..{card_type.max_top_up_fen} "
            f"fen, not {amount}{whose}"
        ), card_type.code
    if amount % card_type.top_up_multiple_fen:
        return (
            f"a {card_type.name} top-up is a multiple of {card_type.top_up_multiple_fen} fen{whose}"
        ), card_type.code
    return None, card_type.code


def _transfer_problem(session: Session, request: LoadAuthorizeIn, now_us: int) -> str | None:
    """Why a balance transfer is refused: at most the lost card's settled balance, once."""
    lost = request.transfer_from
    assert lost is not None
    if lost == request.card_serial:
        return "a balance transfer goes to another card than the lost one"
    try:
        settled = settled_balance(session, lost, now_us)
    except LossReportError as exc:
        return str(exc)
    already = int(
        session.scalar(
            select(func.coalesce(func.sum(OnlineLoadRow.amount_fen), 0)).where(
                OnlineLoadRow.transfer_from == lost
            )
        )
        or 0
    )
    if already + request.amount_fen > settled.settled_balance_fen:
        return (
            f"card {lost}'s settled balance is {settled.settled_balance_fen} fen and "
            f"{already} fen of it was already transferred: {request.amount_fen} is too much"
        )
    return None


def authorize_load(
    center: Center, device: AuthenticatedDevice, request: LoadAuthorizeIn
) -> LoadAuthorizeOut:
    """MAC2 for the load described by ``request`` (raises :class:`OnlineLoadError`)."""
    if center.sam is None:
        raise OnlineLoadError(
            503,
            "this center holds no issuer keys (started without --pkcs11-module, --key-service "
            "or --issuer-keystore)",
        )
    now = center.settings.clock()
    card_time = now.astimezone(center.settings.business_timezone).replace(microsecond=0)
    auth = LoadAuthorization(
        serial=bytes.fromhex(request.card_serial),
        keys=PurseKeyRef(PurseAlgorithm[request.algorithm], request.key_version),
        random=bytes.fromhex(request.random),
        online_atc=request.online_atc,
        balance_fen=request.balance_fen,
        amount_fen=request.amount_fen,
        terminal_id=bytes.fromhex(device.terminal_id),
        mac1=bytes.fromhex(request.mac1),
        when=card_time,
    )
    with center.sessions.begin() as session:
        # one grant of a device at a time: its daily cap is summed and then raised atomically
        session.execute(
            select(DeviceRow.device_id)
            .where(DeviceRow.device_id == device.device_id)
            .with_for_update()
        )
        if blacklist.is_listed(session, request.card_serial):
            raise OnlineLoadError(403, f"card {request.card_serial} is on the blacklist")
        parameters = current(session)
        problem, card_type = _limits_problem(session, parameters, request)
        if problem is None and request.transfer_from is not None:
            problem = _transfer_problem(session, request, micros_of(now))
        if problem is None and request.transfer_from is None:
            problem = cap_problem(
                session,
                parameters,
                device.device_id,
                request.card_serial,
                request.amount_fen,
                micros_of(now),
                center.settings.business_timezone,
            )
        if problem is not None:
            raise OnlineLoadError(422, problem)
        try:
            mac2 = center.sam.authorize_load(auth)
        except SamKeyError as exc:
            raise OnlineLoadError(422, str(exc)) from exc
        except KeysUnavailableError as exc:
            log.error("issuer keys unavailable: %s", exc)
            raise OnlineLoadError(
                503, "the center's issuer keys cannot be reached now; try again later"
            ) from exc
        except ValueError as exc:  # e.g. a serial the key diversification cannot take
            raise OnlineLoadError(422, f"the card's data cannot be used: {exc}") from exc
        except CardMacError as exc:
            log.warning("MAC1 of card %s from %s failed", request.card_serial, device.device_id)
            raise OnlineLoadError(
                422, "the card's MAC1 does not verify: not a genuine card, or altered data"
            ) from exc
        row = OnlineLoadRow(
            device_id=device.device_id,
            card_serial=request.card_serial,
            amount_fen=request.amount_fen,
            balance_before_fen=request.balance_fen,
            online_atc=request.online_atc,
            card_time_us=micros_of(card_time),
            mac2=mac2,
            authorized_at_us=micros_of(now),
            card_type=card_type,
            transfer_from=request.transfer_from,
        )
        session.add(row)
        session.flush()
        return LoadAuthorizeOut(
            authorization_id=row.id,
            mac2=mac2.hex().upper(),
            card_time=card_time,
            terminal_id=device.terminal_id,
        )
