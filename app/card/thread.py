"""The card thread: the one thread that talks to readers and cards.

PC/SC handles must not be shared between threads, and a card conversation must not interleave
with another; so all card work is submitted here and runs in order. ``assert_on_card_thread``
lets card code check it is where it must be.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

THREAD_NAME = "card"


class WrongThreadError(RuntimeError):
    """Card I/O was attempted off the card thread (a programming error)."""


class CardThread:
    """A single worker thread running submitted card jobs in order."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as exc:  # handed to the caller through the future
                future.set_exception(exc)

    def submit(self, job: Callable[[], T]) -> Future[T]:
        """Queue ``job``; its result or exception arrives through the returned future."""
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def is_current(self) -> bool:
        """Whether the caller runs on this card thread."""
        return threading.current_thread() is self._thread

    def assert_on_card_thread(self) -> None:
        """Raise WrongThreadError unless called from the card thread."""
        if not self.is_current():
            raise WrongThreadError(
                f"card I/O on thread {threading.current_thread().name!r}, not {THREAD_NAME!r}"
            )

    def stop(self, timeout: float = 5.0) -> None:
        """Finish queued jobs, then end the thread."""
        self._jobs.put(None)
        self._thread.join(timeout)
