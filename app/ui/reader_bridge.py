"""Reader events and card taps, delivered to the GUI thread as Qt signals.

A tap runs on the card thread (:class:`app.card.thread.CardThread`) as one card session: the
*tap steps* first — settle the card's interrupted top-ups (:class:`RecoveryService`), block a
card reported lost (:class:`LossService`), and whatever the composition root adds — then the read
the card panel shows. Step results (a list of resolutions, a blocked card, …) are delivered even
when the card left in the meantime, because they say what was written to the journal; the read
itself is dropped when the card it came from has gone (Orange's rule: late results of an old
task never fill the window).

The bridge keeps :attr:`CounterSession.card` current.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QObject, Signal

from app.card.session import CityCard
from app.card.thread import CardThread
from app.card.transport import CardTransport
from app.domain.card import CardSnapshot
from app.domain.cities import INTEROP_CITIES, CityTable
from app.domain.people import Actor
from app.services.card_reading import CardView, card_view
from app.services.exchange import ExchangeService
from app.services.loss import LossService
from app.services.recovery import RecoveryService
from app.services.void import VoidService
from app.ui.context import CounterSession
from app.ui.messages import describe

log = logging.getLogger(__name__)

TapStep = Callable[[CityCard, Actor | None], object | None]
"""Work done on every tap before the read (card thread); a non-None result is a note for the UI."""


@dataclass(frozen=True)
class Tap:
    """What one tap found: the panel's view, the card's data, and the steps' notes."""

    view: CardView
    snapshot: CardSnapshot
    notes: tuple[object, ...]


def recovery_step(recovery: RecoveryService) -> TapStep:
    """Settle the card's interrupted top-ups; their resolutions (None when there were none)."""

    def step(card: CityCard, _actor: Actor | None) -> object | None:
        settled = recovery.resolve(card)
        return settled or None

    return step


def loss_step(loss: LossService) -> TapStep:
    """Block a card on the blacklist; the :class:`BlockedOnTap` (None for a card not listed)."""

    def step(card: CityCard, actor: Actor | None) -> object | None:
        return loss.check_tapped_card(card, actor.username if actor else None)

    return step


def exchange_step(exchanges: ExchangeService) -> TapStep:
    """Continue the unfinished exchanges the tapped card takes part in (a signed-in clerk)."""

    def step(card: CityCard, actor: Actor | None) -> object | None:
        return (exchanges.resume(actor, card) or None) if actor is not None else None

    return step


def void_step(voids: VoidService) -> TapStep:
    """Finish a void whose debit was interrupted on this card (a signed-in clerk)."""

    def step(card: CityCard, actor: Actor | None) -> object | None:
        return (voids.resume(actor, card) or None) if actor is not None else None

    return step


class ReaderBridge(QObject):
    """Runs the tap steps and the read when a card is presented; tells the window when it goes."""

    card_read = Signal(object)  # CardView
    tapped = Signal(object)  # Tap (after card_read)
    settled = Signal(object)  # one tap step's note: list[Resolution], BlockedOnTap, …
    card_removed = Signal()
    read_failed = Signal(str, str)  # what happened, what to do
    reading = Signal()
    _presented = Signal()
    _absent = Signal()
    _notes = Signal(object, int)  # notes, generation (from the card thread)
    _done = Signal(object, int)  # Tap | BaseException, generation

    def __init__(
        self,
        card_thread: CardThread,
        connect: Callable[[], CardTransport],
        session: CounterSession | None = None,
        *,
        steps: Sequence[TapStep] = (),
        today: Callable[[], date] = date.today,
        cities: Callable[[], CityTable] = lambda: INTEROP_CITIES,
    ) -> None:
        """``cities``: the table of interoperating cities in force (the parameters' delivery)."""
        super().__init__()
        self._cities = cities
        self._card_thread = card_thread
        self._connect = connect
        self._session = session
        self._steps: list[TapStep] = list(steps)
        self._today = today
        self._generation = 0  # a read started before a removal must not fill the panel later
        self._last: Tap | None = None
        self._presented.connect(self._start_read)
        self._absent.connect(self._on_absent)
        self._notes.connect(self._deliver_notes)
        self._done.connect(self._deliver)

    @property
    def last_tap(self) -> Tap | None:
        """The last tap whose card is still on the reader (None after a removal)."""
        return self._last

    def add_step(self, step: TapStep) -> None:
        """Run ``step`` on every tap from now on, after the ones already added."""
        self._steps.append(step)

    def card_presented(self) -> None:
        """Call from any thread when a card arrives on the reader."""
        self._presented.emit()

    def card_taken_away(self) -> None:
        """Call from any thread when the card leaves the reader."""
        self._absent.emit()

    def refresh(self) -> None:
        """Read the card on the reader again (after a top-up changed it); GUI thread."""
        self._start_read()

    # -- GUI thread ------------------------------------------------------------------------------

    def _start_read(self) -> None:
        self._generation += 1
        generation = self._generation
        actor = self._session.actor if self._session is not None else None
        self.reading.emit()
        future = self._card_thread.submit(lambda: self._tap(actor, generation))
        future.add_done_callback(lambda f: self._finished(generation, f))

    def _finished(self, generation: int, future: Future[Tap]) -> None:
        exc = future.exception()
        self._done.emit(exc if exc is not None else future.result(), generation)

    def _deliver_notes(self, notes: list[object], _generation: int) -> None:
        for note in notes:  # delivered whatever happened since: the journal already has them
            self.settled.emit(note)

    def _deliver(self, result: object, generation: int) -> None:
        if generation != self._generation:
            return
        if isinstance(result, Tap):
            self._last = result
            if self._session is not None:
                self._session.set_card(result.view)
            self.card_read.emit(result.view)
            self.tapped.emit(result)
            return
        assert isinstance(result, BaseException)
        self._last = None
        if self._session is not None:
            self._session.set_card(None)
        what, advice, internal = describe(result)
        if internal:
            log.error("internal error while reading the card", exc_info=result)
        self.read_failed.emit(what, advice)

    def _on_absent(self) -> None:
        self._generation += 1
        self._last = None
        if self._session is not None:
            self._session.set_card(None)
        self.card_removed.emit()

    # -- card thread -----------------------------------------------------------------------------

    def _tap(self, actor: Actor | None, generation: int) -> Tap:
        transport = self._connect()
        try:
            card = CityCard.open(transport)
            notes: list[object] = []
            for step in list(self._steps):
                note = step(card, actor)
                if note is not None:
                    notes.append(note)
            if notes:
                self._notes.emit(notes, generation)
            snapshot = card.read_snapshot()
        finally:
            transport.close()
        view = card_view(snapshot, self._today(), cities=self._cities())
        return Tap(view, snapshot, tuple(notes))
