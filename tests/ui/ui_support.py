"""A real counter behind a real window, for UI tests: shared by every tests/ui module.

:func:`build_ui_rig` sets a counter up the way the first run does (``init_counter``, then
``open_counter`` with the rig's virtual PSAM) in a temporary directory, with cheap key
derivation and password hashing, an admin, a clerk and a supervisor; it builds the card thread,
the task runner, the reader bridge (with the recovery and lost-card tap steps) and the
:class:`UiContext` over an in-process :class:`VirtualReader` holding a :class:`Rig`'s card.

Stable API (the other UI tests import it): ``ui_rig`` / ``main_window`` fixtures,
:class:`UiRig` (``ctx``, ``counter``, ``bridge``, ``reader``, ``rig``, ``tap()``, ``remove()``,
``sign_in()``, ``open_shift()``), the staff constants, :func:`build_ui_rig`, :func:`press`,
:func:`type_into`, :func:`wait_idle`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.card.errors import CardRemovedError
from app.card.inprocess import InProcessTransport
from app.card.sam import Sam
from app.card.thread import CardThread
from app.card.transport import CardTransport
from app.composition import Counter, init_counter, now_utc, open_counter
from app.crypto.keystore import KdfParams
from app.crypto.passwords import PasswordHashParams
from app.domain.people import Actor, Role
from app.services.operators import OperatorService
from app.store.shifts import Shift
from app.ui.context import UiContext
from app.ui.messages import ErrorPresenter
from app.ui.reader_bridge import (
    ReaderBridge,
    Tap,
    counter_tap_service,
    loss_step,
    recovery_step,
)
from app.ui.tasks import TaskRunner
from tests.support.cards import Rig

CHEAP_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
CHEAP_HASH = PasswordHashParams(memory_kib=256, iterations=1, lanes=1)
PASSPHRASE = "ui-test-keystore-passphrase"
DEVICE_ID = "DEV-UI"
TERMINAL_ID = "001122334455"  # the test rigs' SAM (file 0x16)

ADMIN = ("admin", "管理员", "Adm1n-pass-word")
CLERK = ("clerk1", "王芳", "Cl3rk-pass-word")
SUPERVISOR = ("sup1", "李强", "Sup3r-pass-word")

WAIT_MS = 10_000


class VirtualReader:
    """An in-process reader with at most one virtual card on it (thread-safe)."""

    name = "in-process test reader"

    def __init__(self) -> None:
        self._rig: Rig | None = None
        self._lock = threading.Lock()

    def put(self, rig: Rig) -> None:
        """Put ``rig``'s card on the reader (a card torn away earlier comes back powered)."""
        if rig.faulty.torn:
            rig.faulty.reinsert()
        with self._lock:
            self._rig = rig

    def take(self) -> None:
        """Take the card off the reader."""
        with self._lock:
            self._rig = None

    def connect(self) -> CardTransport:
        """The card on the reader (card thread); CardRemovedError when there is none."""
        with self._lock:
            rig = self._rig
        if rig is None:
            raise CardRemovedError("no card on the test reader")
        return InProcessTransport(rig.faulty)


def make_counter(directory: Path, sam: Sam, *, staff: bool = True) -> Counter:
    """A first-run counter in ``directory`` (cheap KDF and hashes); with staff by default."""
    directory.mkdir(parents=True, exist_ok=True)
    init_counter(directory, PASSPHRASE, DEVICE_ID, TERMINAL_ID, CHEAP_KDF)
    counter = open_counter(directory, PASSPHRASE, sam=sam)
    # the production hash costs ~0.3 s a check; tests sign in dozens of times
    counter.operators = OperatorService(counter.store, counter.journal, now_utc, CHEAP_HASH)
    if staff:
        operators = counter.operators
        operators.create_first_admin(*ADMIN)
        admin = operators.sign_in(ADMIN[0], ADMIN[2])
        operators.create_operator(admin, CLERK[0], CLERK[1], Role.CLERK, CLERK[2])
        name, shown, password = SUPERVISOR
        operators.create_operator(admin, name, shown, Role.SUPERVISOR, password)
        operators.sign_out(admin)
    return counter


@dataclass
class UiRig:
    """A counter, its UI plumbing and a virtual card (not on the reader until :meth:`tap`)."""

    ctx: UiContext
    counter: Counter
    bridge: ReaderBridge
    reader: VirtualReader
    rig: Rig
    card_thread: CardThread
    errors: ErrorPresenter
    directory: Path

    def tap(self, qtbot, rig: Rig | None = None) -> Tap:
        """Put the card on the reader and wait until the window has read it."""
        self.reader.put(rig or self.rig)
        with qtbot.waitSignal(self.bridge.tapped, timeout=WAIT_MS) as blocker:
            self.bridge.card_presented()
        return blocker.args[0]

    def remove(self, qtbot) -> None:
        """Take the card off the reader (the watcher's removal event)."""
        self.reader.take()
        with qtbot.waitSignal(self.bridge.card_removed, timeout=WAIT_MS):
            self.bridge.card_taken_away()

    def sign_in(self, who: tuple[str, str, str] = CLERK) -> Actor:
        """Sign in through the service (for tests about something else than the dialog)."""
        actor = self.counter.operators.sign_in(who[0], who[2])
        self.ctx.session.sign_in(actor, self.counter.shifts.current_shift(actor))
        return actor

    def open_shift(self, float_fen: int = 50_000) -> Shift:
        """Open the signed-in operator's shift through the service."""
        shift = self.counter.shifts.open_shift(self.ctx.session.require_actor(), float_fen)
        self.ctx.session.set_shift(shift)
        return shift

    def close(self) -> None:
        """Stop the threads and close the files."""
        self.errors.close()
        self.ctx.runner.shutdown()
        self.card_thread.stop()
        self.counter.close()


def build_ui_rig(
    directory: Path,
    rig: Rig,
    *,
    staff: bool = True,
    connect: Callable[[], CardTransport] | None = None,
    reader_name: str = VirtualReader.name,
) -> UiRig:
    """A counter in ``directory`` with ``rig``'s issuer keys, and the window's plumbing.

    The card is reached through the in-process :class:`VirtualReader` unless ``connect`` says
    otherwise (a PC/SC reader).
    """
    counter = make_counter(directory, rig.sam, staff=staff)
    card_thread = CardThread()
    errors = ErrorPresenter()
    runner = TaskRunner(card_thread, errors)
    reader = VirtualReader()
    connect = connect or reader.connect
    ctx = UiContext(counter, runner, connect, reader_name=reader_name)
    bridge = ReaderBridge(
        card_thread,
        connect,
        ctx.session,
        steps=[recovery_step(counter.recovery), loss_step(counter.loss)],
        service=counter_tap_service(counter, connect),
    )
    return UiRig(ctx, counter, bridge, reader, rig, card_thread, errors, directory)


def wait_idle(qtbot, ui: UiRig) -> None:
    """Wait until the runner has no work left (fails loudly after the timeout)."""
    qtbot.waitUntil(lambda: not ui.ctx.runner.busy(), timeout=WAIT_MS)


def press(qtbot, widget: QWidget, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press on ``widget`` (the focused widget of a window, usually)."""
    qtbot.keyClick(widget, key, modifier)


def type_into(qtbot, widget: QWidget, text: str) -> None:
    """Type ``text`` into ``widget`` as a clerk would: keys, or the input method for Chinese."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)  # what a pinyin input method commits
    QApplication.sendEvent(widget, event)


def focused() -> QWidget:
    """The widget with the keyboard focus (the test fails when nothing has it)."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def has_focus(qtbot, widget: QWidget) -> bool:
    """Wait until ``widget`` has the keyboard focus (a new window takes a moment to activate)."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=WAIT_MS)
    return True


@pytest.fixture
def ui_rig(qtbot, tmp_path, rig):
    """A counter with staff, its UI plumbing, and the default virtual card (not yet tapped)."""
    ui = build_ui_rig(tmp_path / "counter", rig)
    yield ui
    qtbot.waitUntil(lambda: not ui.ctx.runner.busy(), timeout=WAIT_MS)
    ui.close()


@pytest.fixture
def main_window(qtbot, ui_rig):
    """The main window over ``ui_rig``, shown, nobody signed in yet."""
    from app.ui.main_window import MainWindow  # noqa: PLC0415

    window = MainWindow(ui_rig.ctx, ui_rig.bridge)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window
