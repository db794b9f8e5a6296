"""Progress reports and cancel tokens for long-running services (Orange's task state)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.services.errors import Cancelled

Progress = Callable[[str], None]


def no_progress(_stage: str) -> None:
    """A progress callback that ignores reports."""


class CancelToken:
    """A flag the UI sets and the work checks at safe points (never in the middle of a write)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next safe point."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel was asked for."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` if cancel was asked for."""
        if self._event.is_set():
            raise Cancelled
