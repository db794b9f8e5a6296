"""Reader events and card taps, delivered to the GUI thread as Qt signals.

A tap runs on the card thread (:class:`app.card.thread.CardThread`) as one card session: the
*tap steps* first — settle the card's interrupted top-ups (:class:`RecoveryService`), block a
card reported lost (:class:`LossService`), and whatever the composition root adds — then the read
the card panel shows. Step results (a list of resolutions, a blocked card, …) are delivered even
when the card left in the meantime, because they say what was written to the journal; the read
itself is dropped when the card it came from has gone (Orange's rule: late results of an old
task never fill the window).

The tap itself is :class:`app.services.tap.TapService` (Qt-free, shared with the command line):
it returns a :class:`TapReport` — the card, its balance or "unreadable", and what the counter may
do with it and why not. The bridge keeps :attr:`CounterSession.card` and
:attr:`CounterSession.tap` current; :meth:`ReaderBridge.refresh` taps again after any operation
that touched the card (the task runner's ``card_work_finished``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import date

from PySide6.QtCore import QObject, Signal

from app.card.session import CityCard
from app.card.thread import CardThread
from app.card.transport import CardTransport
from app.composition import Counter
from app.domain.clock import counter_today
from app.domain.people import Actor
from app.services.exchange import ExchangeService
from app.services.loss import LossService
from app.services.recovery import RecoveryService
from app.services.tap import TapReport, TapService, TapStep
from app.services.void import VoidService
from app.store import blacklist
from app.ui.context import CounterSession
from app.ui.messages import describe

log = logging.getLogger(__name__)

Tap = TapReport
"""What one tap found (the name the window's modules use)."""

__all__ = [
    "ReaderBridge",
    "Tap",
    "TapStep",
    "counter_tap_service",
    "exchange_step",
    "loss_step",
    "recovery_step",
    "void_step",
]


def counter_tap_service(counter: Counter, connect: Callable[[], CardTransport]) -> TapService:
    """The tap service judging cards by ``counter``'s parameters and blacklist (no steps yet)."""
    store = counter.store

    def listed(serial: str) -> blacklist.BlacklistEntry | None:
        return blacklist.lookup(store, serial)

    return TapService(connect, parameters=counter.topups.parameters, listed=listed)


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
    tapped = Signal(object)  # Tap (after card_read): a card was presented
    read_again = Signal(object)  # Tap (after card_read): read again after an operation
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
        today: Callable[[], date] = counter_today,
        service: TapService | None = None,
    ) -> None:
        super().__init__()
        self._card_thread = card_thread
        self._session = session
        self.service = service or TapService(connect, today=today)
        for step in steps:
            self.service.add_step(step)
        self._generation = 0  # a read started before a removal must not fill the panel later
        self._rereads: set[int] = set()  # generations that only read again (no tap steps)
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
        self.service.add_step(step)

    def card_presented(self) -> None:
        """Call from any thread when a card arrives on the reader."""
        self._presented.emit()

    def card_taken_away(self) -> None:
        """Call from any thread when the card leaves the reader."""
        self._absent.emit()

    def refresh(self) -> None:
        """Tap again: the steps (settle what the card left open) and the read; GUI thread."""
        self._start_read()

    def reread(self) -> None:
        """Read the card again without the tap steps (after an operation changed it); GUI thread.

        Nothing happens when no card is known to be on the reader (it left, or a read failed).
        """
        if self._last is not None:
            self._start_read(steps=False)

    # -- GUI thread ------------------------------------------------------------------------------

    def _start_read(self, *, steps: bool = True) -> None:
        self._generation += 1
        generation = self._generation
        if not steps:
            self._rereads.add(generation)
        actor = self._session.actor if self._session is not None else None
        self.reading.emit()
        future = self._card_thread.submit(lambda: self._tap(actor, generation, steps))
        future.add_done_callback(lambda f: self._finished(generation, f))

    def _finished(self, generation: int, future: Future[Tap]) -> None:
        exc = future.exception()
        self._done.emit(exc if exc is not None else future.result(), generation)

    def _deliver_notes(self, notes: list[object], _generation: int) -> None:
        for note in notes:  # delivered whatever happened since: the journal already has them
            self.settled.emit(note)

    def _deliver(self, result: object, generation: int) -> None:
        if generation != self._generation:
            self._rereads.discard(generation)
            return
        if isinstance(result, Tap):
            self._last = result
            if self._session is not None:
                self._session.set_tap(result)
            self.card_read.emit(result.view)
            # a re-read is no tap: the scenic entry check and other per-tap work must not rerun
            (self.read_again if generation in self._rereads else self.tapped).emit(result)
            self._rereads.clear()
            return
        assert isinstance(result, BaseException)
        self._rereads.clear()
        self._last = None
        if self._session is not None:
            self._session.set_tap(None)
        what, advice, internal = describe(result)
        if internal:
            log.error("internal error while reading the card", exc_info=result)
        self.read_failed.emit(what, advice)

    def _on_absent(self) -> None:
        self._generation += 1
        self._last = None
        if self._session is not None:
            self._session.set_tap(None)
        self.card_removed.emit()

    # -- card thread -----------------------------------------------------------------------------

    def _tap(self, actor: Actor | None, generation: int, steps: bool) -> Tap:
        def notes(found: list[object]) -> None:
            self._notes.emit(found, generation)

        return self.service.tap(actor, notes, steps=steps)
