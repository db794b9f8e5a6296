"""Reader events and card reads, delivered to the GUI thread as Qt signals.

Card work runs on the card thread (:class:`app.card.thread.CardThread`); this object only moves
results across: ``card_read`` carries a plain :class:`app.services.card_reading.CardView`.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future

from PySide6.QtCore import QObject, Signal

from app.card.errors import CardError
from app.card.thread import CardThread
from app.services.card_reading import CardReadingService, CardView

log = logging.getLogger(__name__)


class ReaderBridge(QObject):
    """Reads the card when one is presented; tells the window when it goes."""

    card_read = Signal(object)  # CardView
    card_removed = Signal()
    read_failed = Signal(str, str)  # what happened, what to do
    reading = Signal()
    _presented = Signal()
    _absent = Signal()

    def __init__(self, card_thread: CardThread, reading: CardReadingService) -> None:
        super().__init__()
        self._card_thread = card_thread
        self._reading = reading
        self._generation = 0  # a read started before a removal must not fill the panel later
        self._presented.connect(self._start_read)
        self._absent.connect(self._on_absent)

    def card_presented(self) -> None:
        """Call from any thread when a card arrives on the reader."""
        self._presented.emit()

    def card_taken_away(self) -> None:
        """Call from any thread when the card leaves the reader."""
        self._absent.emit()

    def _start_read(self) -> None:
        self._generation += 1
        generation = self._generation
        self.reading.emit()
        future = self._card_thread.submit(self._reading.read)
        future.add_done_callback(lambda f: self._deliver(generation, f))

    def _deliver(self, generation: int, future: Future[CardView]) -> None:
        if generation != self._generation:
            return
        exc = future.exception()
        if exc is None:
            self.card_read.emit(future.result())
        elif isinstance(exc, CardError):
            self.read_failed.emit(str(exc), exc.advice)
        else:
            log.error("internal error while reading the card", exc_info=exc)
            self.read_failed.emit(f"Internal error: {exc!r}", "Tell the supervisor; see the log.")

    def _on_absent(self) -> None:
        self._generation += 1
        self.card_removed.emit()
