"""The flow dialogs' tests: a counter with its UI plumbing (tests/ui/ui_support.py) and keys.

:func:`flows` builds on the shared :func:`tests.ui.ui_support.build_ui_rig` — a real counter made
by the composition root in tmp_path, the card thread, the task runner, the reader bridge with its
tap steps, an in-process reader — and signs the clerk in with an open shift. The helpers below
press keys on whatever has the focus in a dialog, as a clerk at the keyboard would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.composition import CARD_TIMEZONE, HOLDER_INDEX_KEY, Counter, now_utc
from app.crypto.keystore import Keystore
from app.domain.people import Actor
from app.services.exchange import ExchangeService
from app.services.purchase import PurchaseService
from app.services.void import VoidService
from app.store import holders
from app.store import parameters as stored_parameters
from app.ui.context import UiContext
from app.ui.reader_bridge import Tap
from tests.support.cards import Rig
from tests.ui.ui_support import (
    ADMIN,
    CLERK,
    PASSPHRASE,
    SUPERVISOR,
    UiRig,
    VirtualReader,
    build_ui_rig,
)

CLERK_PASSWORD = CLERK[2]
SUPERVISOR_PASSWORD = SUPERVISOR[2]
HOLDER_SERIAL = "3104000000001234"
HOLDER_ID = "330102199001011234"
HOLDER_NAME = "张三"


@dataclass
class FlowsRig:
    """A counter behind the window's plumbing, its staff, and the holder index key."""

    ui: UiRig
    clerk: Actor
    supervisor: Actor
    admin: Actor
    index_key: bytes

    @property
    def ctx(self) -> UiContext:
        """What the dialogs get."""
        return self.ui.ctx

    @property
    def counter(self) -> Counter:
        """The counter's services and files."""
        return self.ui.counter

    @property
    def reader(self) -> VirtualReader:
        """The in-process reader (``put(rig)`` / ``take()``)."""
        return self.ui.reader

    def tap(self, qtbot: Any, card: Rig) -> Tap:
        """Put ``card`` on the reader as a clerk does: the window's tap steps run, then the read."""
        return self.ui.tap(qtbot, card)

    def sign_in(self, actor: Actor) -> None:
        """Make ``actor`` the signed-in operator (with their open shift, opened if needed)."""
        shifts = self.counter.shifts
        shift = shifts.current_shift(actor) or shifts.open_shift(actor, 50_000)
        self.ctx.session.sign_in(actor, shift)

    def register_holder(
        self, serial: str = HOLDER_SERIAL, name: str = HOLDER_NAME, id_number: str = HOLDER_ID
    ) -> None:
        """Register the holder of a card (as the issuer's registration would)."""
        holders.register(self.counter.store, self.index_key, serial, name, id_number, "13800001234")

    def void_service(self) -> VoidService:
        """The counter's void service (built here until the composition root gives one)."""
        return getattr(self.counter, "voids", None) or VoidService(
            self.counter.journal,
            self.counter.store,
            self.purchase_service(),
            self.counter.recovery,
            now_utc,
        )

    def exchange_service(self) -> ExchangeService:
        """The counter's exchange service (built here until the composition root gives one)."""
        counter = self.counter
        return getattr(counter, "exchanges", None) or ExchangeService(
            counter.journal,
            counter.store,
            counter.sam,
            self.purchase_service(),
            counter.topups,
            counter.recovery,
            now_utc,
        )

    def purchase_service(self) -> PurchaseService:
        """Purchases from the card purse (what voids and exchanges debit with)."""
        counter = self.counter
        return PurchaseService(counter.journal, counter.store, counter.sam, now_utc, CARD_TIMEZONE)

    def set_parameters(self, **changes: object) -> None:
        """Change the parameters in force (as if the center had sent a new version)."""
        current = stored_parameters.current(self.counter.store)
        new = dataclasses.replace(current, version=current.version + 1, **changes)  # type: ignore[arg-type]
        stored_parameters.save(self.counter.store, new, 0)


@pytest.fixture
def flows(qtbot: Any, tmp_path: Any, rig: Rig) -> Iterator[FlowsRig]:
    """A counter with the clerk signed in and a shift open; the reader empty."""
    ui = build_ui_rig(tmp_path / "counter", rig)
    ops = ui.counter.operators
    staff = [ops.sign_in(who[0], who[2]) for who in (CLERK, SUPERVISOR, ADMIN)]
    index_key = Keystore.open(ui.directory / "keystore.json", PASSPHRASE).get(HOLDER_INDEX_KEY)
    flows = FlowsRig(ui, staff[0], staff[1], staff[2], index_key)
    flows.sign_in(flows.clerk)
    yield flows
    qtbot.waitUntil(lambda: not ui.ctx.runner.busy(), timeout=10_000)
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    ui.close()


def focused(dialog: QWidget) -> QWidget:
    """The widget that has the keyboard focus in ``dialog``."""
    widget = dialog.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def type_text(qtbot: Any, dialog: QWidget, text: str) -> None:
    """Type ``text`` into whatever has the focus.

    Chinese arrives the way an input method delivers it (a committed string): QTest can only
    type Latin-1 keys.
    """
    widget = focused(dialog)
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def press(
    qtbot: Any,
    dialog: QWidget,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    times: int = 1,
) -> None:
    """Press ``key`` (with ``modifier``) on whatever has the focus, ``times`` times."""
    for _ in range(times):
        qtbot.keyClick(focused(dialog), key, modifier)


def shown(qtbot: Any, dialog: QWidget) -> QWidget:
    """Show ``dialog`` as the active window (so that the keyboard goes to it)."""
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    return dialog


def settle(qtbot: Any, dialog: Any, timeout: int = 10_000) -> None:
    """Wait until the dialog's work has finished."""
    qtbot.waitUntil(lambda: not dialog.busy, timeout=timeout)


def activate(qtbot: Any, dialog: QWidget) -> None:
    """Give ``dialog``'s window the keyboard focus again.

    The offscreen platform has no window manager: when a child dialog closes, no window gets the
    focus back (on a desktop the parent does), and shortcuts need a focused window.
    """
    window = dialog.window()
    if QApplication.focusWidget() is None or QApplication.focusWidget().window() is not window:
        handle = window.windowHandle()
        assert handle is not None
        handle.requestActivate()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5_000)


def mnemonic(qtbot: Any, dialog: QWidget, key: Qt.Key) -> None:
    """Alt+``key``: a button's mnemonic clicks it (Qt animates the click for 100 ms)."""
    activate(qtbot, dialog)
    qtbot.keyClick(focused(dialog), key, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(300)
