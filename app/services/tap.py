"""One tap of a card: the one source of truth for the card on the reader (Qt-free).

:meth:`TapService.tap` opens the card on the reader as one card session, runs the *tap steps*
(settle interrupted writes, continue exchanges and voids, block a card reported lost, …), then
reads the card and judges what the counter may do with it. The result is a typed
:class:`TapReport`: the card panel's view, the balance — or ``None`` when the card refuses it (a
blocked card), never a made-up ¥0.00 — the steps' notes, and for each counter action either
nothing (allowed) or the clerk-facing refusal saying why not.

The reader bridge (the window), the scenic page and the command line all use it; every operation
that touches a card ends by tapping again, so what the customer reads is what the card holds.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from app.card.errors import ApplicationBlockedError
from app.card.session import CityCard
from app.card.transport import CardTransport
from app.domain.card import CardSnapshot
from app.domain.cities import INTEROP_CITIES, CityTable
from app.domain.clock import counter_today
from app.domain.parameters import Parameters
from app.domain.people import Actor
from app.domain.texts import ClerkFacingError
from app.services.card_reading import CardStatus, CardView, card_view
from app.services.eligibility import check_card
from app.services.loss import BlockedOnTap
from app.store.blacklist import BlacklistEntry

TapStep = Callable[[CityCard, Actor | None], object | None]
"""Work done on every tap before the read (card thread); a non-None result is a note."""


class CounterAction(enum.Enum):
    """What the counter may do with the card on the reader (the F-keys that need a card)."""

    TOP_UP = "topup"


@dataclass(frozen=True)
class TapReport:
    """What one tap found.

    ``view`` is the card panel's content (its ``balance_readable`` is False when the card refused
    its balance); ``notes`` are the tap steps' results (settled interruptions, a lost card
    blocked, …), already journaled; ``refusals`` holds, for each action the counter may not take
    with this card, the clerk-facing reason.
    """

    view: CardView
    snapshot: CardSnapshot
    notes: tuple[object, ...] = ()
    refusals: Mapping[CounterAction, ClerkFacingError] = field(default_factory=dict)

    @property
    def serial_text(self) -> str:
        """The card number as printed on it."""
        return self.view.serial_text

    @property
    def balance_fen(self) -> int | None:
        """The balance the card reported, or None when it cannot be read (a blocked card)."""
        return self.view.balance_fen if self.view.balance_readable else None

    @property
    def status(self) -> CardStatus:
        """Whether the card can be served (blocked, expired, …)."""
        return self.view.status

    def may(self, action: CounterAction) -> bool:
        """Whether the counter may take ``action`` with this card."""
        return action not in self.refusals

    def why_not(self, action: CounterAction) -> ClerkFacingError | None:
        """Why ``action`` is refused (None when it is allowed)."""
        return self.refusals.get(action)

    @property
    def blocked_on_tap(self) -> BlockedOnTap | None:
        """The lost-card step's note, when this card is on the blacklist."""
        return next((n for n in self.notes if isinstance(n, BlockedOnTap)), None)


class TapService:
    """Runs the tap steps and the read of the card on the reader (card thread only)."""

    def __init__(
        self,
        connect: Callable[[], CardTransport],
        steps: Sequence[TapStep] = (),
        *,
        parameters: Callable[[], Parameters] | None = None,
        listed: Callable[[str], BlacklistEntry | None] | None = None,
        today: Callable[[], date] = counter_today,
    ) -> None:
        self._connect = connect
        self._steps: list[TapStep] = list(steps)
        self._parameters = parameters
        self._listed = listed
        self._today = today

    def add_step(self, step: TapStep) -> None:
        """Run ``step`` on every tap from now on, after the ones already added."""
        self._steps.append(step)

    def tap(
        self,
        actor: Actor | None,
        on_notes: Callable[[list[object]], None] | None = None,
        *,
        steps: bool = True,
    ) -> TapReport:
        """One card session: the steps (unless ``steps`` is False), then the read and judgement.

        ``on_notes`` hears the steps' notes as soon as they are journaled (before the read, which
        may still fail when the card leaves). Without steps it is a plain re-read, what every
        operation on the card ends with.
        """
        transport = self._connect()
        try:
            card = CityCard.open(transport)
            before = None if card.blocked else _balance(card)
            notes: list[object] = []
            for step in list(self._steps) if steps else []:
                note = step(card, actor)
                if note is not None:
                    notes.append(note)
            if notes and on_notes is not None:
                on_notes(notes)
            snapshot = card.read_snapshot()
            balance = _balance(card) if snapshot.blocked else snapshot.balance_fen
        finally:
            transport.close()
        if (
            balance is None
            and before is not None
            and all(isinstance(n, BlockedOnTap) for n in notes)
        ):
            balance = before  # blocked by this tap's lost-card step, which moves no money
        return self.report(snapshot, tuple(notes), balance)

    def report(
        self, snapshot: CardSnapshot, notes: tuple[object, ...] = (), balance: int | None = None
    ) -> TapReport:
        """Judge a card read: the panel's view (balance or unreadable) and the refusals."""
        parameters = None if self._parameters is None else self._parameters()  # read once
        # the table of interoperating cities in force: the one the parameters delivered
        cities = INTEROP_CITIES if parameters is None else parameters.city_table()
        view = card_view(snapshot, self._today(), cities=cities)
        if snapshot.blocked:
            view = replace(view, balance_fen=balance or 0, balance_readable=balance is not None)
        refusals = {} if parameters is None else self._refusals(snapshot, parameters, cities)
        return TapReport(view, snapshot, notes, refusals)

    def _refusals(
        self, snapshot: CardSnapshot, parameters: Parameters, cities: CityTable
    ) -> dict[CounterAction, ClerkFacingError]:
        listed = self._listed(snapshot.public.serial_text) if self._listed is not None else None
        try:
            check_card(snapshot, parameters, listed, self._today(), cities)
        except ClerkFacingError as exc:
            return {CounterAction.TOP_UP: exc}
        return {}


def _balance(card: CityCard) -> int | None:
    """The purse balance, or None when the (blocked) card refuses it."""
    try:
        return card.get_balance()
    except ApplicationBlockedError:
        return None
