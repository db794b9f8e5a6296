"""Running service work off the GUI thread (Anki's op builder, Orange's task state).

Widgets never call a service directly. They describe the work as a plain function of a
:class:`~app.services.progress.CancelToken` and a progress callback, and hand it to
:meth:`TaskRunner.run` with what to do on success. Card work goes to the one card thread (in
order); other work (database reads, the network) to a small pool. Results come back on the GUI
thread through a queued signal.

A progress dialog appears only if the work is still running after ``progress_delay_ms``
(~0.5 s): quick operations never flash a dialog. Failures split three ways (Electrum):
:class:`~app.services.errors.Cancelled` is silent, clerk-facing errors are shown in plain words
with what to do, anything else is logged with its traceback and shown as an internal error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.card.thread import CardThread
from app.services.errors import Cancelled
from app.services.progress import CancelToken, Progress
from app.ui.messages import ErrorPresenter

log = logging.getLogger(__name__)

T = TypeVar("T")

Work = Callable[[CancelToken, Progress], T]


@dataclass
class Task(Generic[T]):
    """One running piece of work: its cancel token and whether it has finished."""

    label: str
    token: CancelToken = field(default_factory=CancelToken)
    done: bool = False
    stage: str = ""
    dialog: QProgressDialog | None = None

    def cancel(self) -> None:
        """Ask the work to stop at its next safe point."""
        self.token.cancel()


class _Relay(QObject):
    """Carries callbacks from worker threads to the GUI thread."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @staticmethod
    def _run(callback: Callable[[], None]) -> None:
        callback()


class TaskRunner(QObject):
    """Runs work on the card thread or a pool and reports back on the GUI thread."""

    started = Signal(str)
    finished = Signal(str)
    card_work_finished = Signal()  # after card work and its callbacks: the card may have changed

    def __init__(
        self,
        card_thread: CardThread,
        errors: ErrorPresenter,
        parent_widget: QWidget | None = None,
        progress_delay_ms: int = 500,
        pool_size: int = 2,
    ) -> None:
        super().__init__()
        self._card_thread = card_thread
        self._pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="ui-pool")
        self._errors = errors
        self._parent = parent_widget
        self._delay = progress_delay_ms
        self._relay = _Relay()
        self._running: list[Task[Any]] = []

    @property
    def errors(self) -> ErrorPresenter:
        """Where failures are shown."""
        return self._errors

    def busy(self) -> bool:
        """Whether any task is still running."""
        return bool(self._running)

    def run(
        self,
        work: Work[T],
        on_success: Callable[[T], None],
        *,
        label: str,
        on_card: bool = False,
        on_failure: Callable[[BaseException], bool] | None = None,
        on_progress: Callable[[str], None] | None = None,
        cancellable: bool = False,
        progress_dialog: bool = True,
    ) -> Task[T]:
        """Start ``work``; ``on_success(result)`` runs on the GUI thread.

        ``on_failure`` sees every failure first and returns True when it handled it; otherwise
        the failure goes to the error presenter (cancelled: nothing; clerk-facing: the message
        and advice; other: logged and shown as an internal error). ``progress_dialog=False``:
        the caller shows the progress itself (no window takes the keyboard away from it).
        """
        task: Task[T] = Task(label)
        self._running.append(task)
        self.started.emit(label)

        def progress(stage: str) -> None:
            self._relay.call.emit(lambda: self._show_progress(task, stage, on_progress))

        def job() -> T:
            return work(task.token, progress)

        future: Future[T] = self._card_thread.submit(job) if on_card else self._pool.submit(job)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._open_dialog(task, cancellable))
        if progress_dialog:
            timer.start(self._delay)
        future.add_done_callback(
            lambda f: self._relay.call.emit(
                lambda: self._finish(task, f, timer, on_success, on_failure, on_card)
            )
        )
        return task

    def shutdown(self) -> None:
        """Stop the pool after its running work (the card thread belongs to the caller)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _open_dialog(self, task: Task[Any], cancellable: bool) -> None:
        if task.done:
            return
        dialog = QProgressDialog(
            task.label, self.tr("Cancel") if cancellable else "", 0, 0, self._parent
        )
        dialog.setWindowTitle(self.tr("Please wait"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        if cancellable:
            dialog.canceled.connect(task.cancel)
        else:
            dialog.setCancelButton(None)
        dialog.setLabelText(self._dialog_text(task))
        task.dialog = dialog
        dialog.show()

    @staticmethod
    def _dialog_text(task: Task[Any]) -> str:
        return f"{task.label}\n{task.stage}" if task.stage else task.label

    def _show_progress(
        self, task: Task[Any], stage: str, on_progress: Callable[[str], None] | None
    ) -> None:
        task.stage = stage
        if task.dialog is not None:
            task.dialog.setLabelText(self._dialog_text(task))
        if on_progress is not None:
            on_progress(stage)

    def _finish(
        self,
        task: Task[T],
        future: Future[T],
        timer: QTimer,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], bool] | None,
        on_card: bool = False,
    ) -> None:
        try:
            self._conclude(task, future, timer, on_success, on_failure)
        finally:
            if on_card:
                self.card_work_finished.emit()

    def _conclude(
        self,
        task: Task[T],
        future: Future[T],
        timer: QTimer,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], bool] | None,
    ) -> None:
        task.done = True
        timer.stop()
        timer.deleteLater()
        if task.dialog is not None:
            task.dialog.close()
            task.dialog.deleteLater()
            task.dialog = None
        self._running.remove(task)
        self.finished.emit(task.label)
        exc = future.exception()
        if exc is None:
            on_success(future.result())
            return
        if on_failure is not None and on_failure(exc):
            return
        if isinstance(exc, Cancelled):
            return
        self._errors.show(exc)
