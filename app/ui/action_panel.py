"""The action panel: one button per flow, each with its F-key and a mnemonic, enabled by state.

Flows plug in through :meth:`ActionPanel.add_flow` (the main window forwards
``MainWindow.add_flow``): a key, a title (with ``&`` for the mnemonic), a shortcut, what opens
it, and what it needs — a card on the reader, an open shift, a minimum role. The panel shows a
flow only to operators whose role includes ``min_role`` and enables it only when what it needs is
there. This is a convenience for the clerk: the services enforce roles whatever the panel shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGroupBox, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.domain.people import Role
from app.services.tap import CounterAction
from app.ui.context import CounterSession
from app.ui.forms import big_font

# The F-keys of the counter's flows (product.md: F2 top-up, F3 loss report, F4 replacement, …).
# F9/F10 are the demo's tap/remove keys; F1 stays help.
FLOW_KEYS: dict[str, Qt.Key] = {
    "topup": Qt.Key.Key_F2,
    "loss": Qt.Key.Key_F3,
    "replacement": Qt.Key.Key_F4,
    "exchange": Qt.Key.Key_F5,
    "refund": Qt.Key.Key_F6,
    "void_reprint": Qt.Key.Key_F7,
    "grey_records": Qt.Key.Key_F8,
    "reports": Qt.Key.Key_F11,
    "scenic": Qt.Key.Key_F12,
}

Title = str | Callable[[], str]

# flows the card itself may refuse (judged at tap time by app.services.tap)
CARD_ACTIONS: dict[str, CounterAction] = {"topup": CounterAction.TOP_UP}


@dataclass
class Flow:
    """One registered flow and the widgets that open it."""

    key: str
    title: Title
    shortcut: QKeySequence
    opener: Callable[[], None]
    needs_card: bool
    needs_shift: bool
    min_role: Role
    action: QAction
    button: QPushButton

    def title_text(self) -> str:
        """The title now (a callable title is re-read after a language change)."""
        return self.title() if callable(self.title) else self.title


def _key_order(flow: Flow) -> int:
    """Flows line up by their shortcut (F2 before F3); those without one go last."""
    if flow.shortcut.isEmpty():
        return 1 << 31
    return int(flow.shortcut[0].toCombined())  # type: ignore[index]  # PySide6 stubs lack it


class ActionPanel(QGroupBox):
    """Buttons for the flows; the actions (and their shortcuts) live on ``shortcut_host``."""

    def __init__(
        self, session: CounterSession, shortcut_host: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("actionPanel")
        self._session = session
        self._host = shortcut_host
        self._flows: dict[str, Flow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        session.actor_changed.connect(self.update_state)
        session.shift_changed.connect(self.update_state)
        session.card_changed.connect(self.update_state)
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read every text (after a language change)."""
        self.setTitle(self.tr("Actions"))
        for flow in self._flows.values():
            self._label(flow)
        self.update_state()

    def add_flow(
        self,
        key: str,
        title: Title,
        shortcut: QKeySequence,
        opener: Callable[[], None],
        needs_card: bool,
        needs_shift: bool,
        min_role: Role,
    ) -> QAction:
        """Add a flow's button and shortcut; refuses a key or a shortcut already taken."""
        if key in self._flows:
            raise ValueError(f"a flow {key!r} is already registered")
        taken = [f.key for f in self._flows.values() if f.shortcut == shortcut]
        if taken and not shortcut.isEmpty():
            raise ValueError(f"{shortcut.toString()} already opens {taken[0]!r}")
        action = QAction(self._host)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setObjectName(f"flow_{key}")
        button = QPushButton()
        button.setObjectName(f"flowButton_{key}")
        button.setFont(big_font(12, bold=False))
        button.setMinimumHeight(44)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setAutoDefault(False)
        flow = Flow(key, title, shortcut, opener, needs_card, needs_shift, min_role, action, button)
        action.triggered.connect(lambda _checked=False, f=flow: self._open(f))
        button.clicked.connect(action.trigger)
        self._host.addAction(action)
        order = sorted([*self._flows.values(), flow], key=_key_order)
        self._flows = {f.key: f for f in order}
        self._layout.insertWidget(order.index(flow), button)
        self._label(flow)
        self.update_state()
        return action

    def flow(self, key: str) -> Flow:
        """The registered flow ``key`` (KeyError when there is none)."""
        return self._flows[key]

    def keys(self) -> list[str]:
        """Registered flows, in the order of the panel (by their keys: F2, F3, …)."""
        return list(self._flows)

    def visible_keys(self) -> list[str]:
        """The flows shown to the signed-in operator."""
        return [k for k, f in self._flows.items() if not f.button.isHidden()]

    def enabled_keys(self) -> list[str]:
        """The flows that can be opened now."""
        return [k for k, f in self._flows.items() if f.action.isEnabled()]

    def update_state(self) -> None:
        """Show flows by role; enable them by what is there (operator, shift, card)."""
        session = self._session
        signed_in = session.actor is not None
        shift = session.shift
        shift_usable = shift is not None and shift.is_open and not shift.count_declared
        card = session.card is not None
        for flow in self._flows.values():
            visible = session.is_at_least(flow.min_role) if signed_in else True
            missing = []
            if not signed_in:
                missing.append(self.tr("sign in"))
            if flow.needs_shift and not shift_usable:
                missing.append(self.tr("an open shift"))
            if flow.needs_card and not card:
                missing.append(self.tr("a card on the reader"))
            refusal = None
            action = CARD_ACTIONS.get(flow.key)
            if card and action is not None:
                refusal = session.refusal(action)
            enabled = visible and not missing and refusal is None
            flow.button.setHidden(not visible)
            flow.action.setVisible(visible)
            flow.action.setEnabled(enabled)
            flow.button.setEnabled(enabled)
            if missing:
                flow.button.setToolTip(self.tr("Needs: {0}").format(", ".join(missing)))
            else:
                flow.button.setToolTip(refusal or "")

    def _label(self, flow: Flow) -> None:
        title = flow.title_text()
        key_text = flow.shortcut.toString(QKeySequence.SequenceFormat.NativeText)
        flow.action.setText(title)
        flow.button.setText(f"{key_text}   {title}" if key_text else title)

    def _open(self, flow: Flow) -> None:
        if flow.action.isEnabled():
            flow.opener()
