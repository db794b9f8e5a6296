"""Online top-ups: the center checks the card's MAC1 and gives MAC2 with the issuer's keys.

The counter sends the card's INITIALIZE FOR LOAD answer; the center refuses blacklisted cards and
amounts outside the parameters (card type limits, balance ceiling), then computes MAC2 over the
center's own clock (local time, UTC+8, whole seconds) and the device's enrolled terminal id — the
counter must send that same date/time in CREDIT FOR LOAD. Every authorisation is recorded.
"""

from __future__ import annotations

import logging

from app.card.errors import CardMacError
from app.card.sam import LoadAuthorization, SamKeyError
from app.card.session import PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from clearing import blacklist
from clearing.center import Center
from clearing.models import OnlineLoadRow
from clearing.parameters import current
from clearing.schemas import LoadAuthorizeIn, LoadAuthorizeOut, ParametersOut
from clearing.security import AuthenticatedDevice
from clearing.timeutil import micros_of

log = logging.getLogger(__name__)


class OnlineLoadError(Exception):
    """An online load refused; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _limits_problem(parameters: ParametersOut, request: LoadAuthorizeIn) -> str | None:
    amount = request.amount_fen
    if request.balance_fen + amount > parameters.balance_ceiling_fen:
        return (
            f"the balance after the top-up ({request.balance_fen + amount} fen) would exceed the "
            f"ceiling of {parameters.balance_ceiling_fen} fen"
        )
    if request.card_type is None:
        return None
    card_type = next((t for t in parameters.card_types if t.code == request.card_type), None)
    if card_type is None:
        return f"card type {request.card_type} is not in parameters version {parameters.version}"
    if not card_type.min_top_up_fen <= amount <= card_type.max_top_up_fen:
        return (
            f"a {card_type.name} top-up is {card_type.min_top_up_fen}..{card_type.max_top_up_fen} "
            f"fen, not {amount}"
        )
    if amount % card_type.top_up_multiple_fen:
        return f"a {card_type.name} top-up is a multiple of {card_type.top_up_multiple_fen} fen"
    return None


def authorize_load(
    center: Center, device: AuthenticatedDevice, request: LoadAuthorizeIn
) -> LoadAuthorizeOut:
    """MAC2 for the load described by ``request`` (raises :class:`OnlineLoadError`)."""
    if center.sam is None:
        raise OnlineLoadError(
            503, "this center holds no issuer keys (started without --issuer-keystore)"
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
        if blacklist.is_listed(session, request.card_serial):
            raise OnlineLoadError(403, f"card {request.card_serial} is on the blacklist")
        problem = _limits_problem(current(session), request)
        if problem is not None:
            raise OnlineLoadError(422, problem)
        try:
            mac2 = center.sam.authorize_load(auth)
        except SamKeyError as exc:
            raise OnlineLoadError(422, str(exc)) from exc
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
        )
        session.add(row)
        session.flush()
        return LoadAuthorizeOut(
            authorization_id=row.id,
            mac2=mac2.hex().upper(),
            card_time=card_time,
            terminal_id=device.terminal_id,
        )
