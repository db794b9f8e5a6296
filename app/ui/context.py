"""What every window and dialog of the counter works with.

The services, the task runner, the card on the reader, and who is signed in. Built once by
the composition root (:mod:`app.main`); widgets receive it and never create services
themselves. :class:`CounterSession` is the GUI thread's view of the moment — the
signed-in operator, their open shift and the card currently on the reader — and tells widgets
when any of it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from app.card.session import CityCard
from app.card.transport import CardTransport
from app.composition import Counter
from app.domain.people import Actor, Role
from app.services.card_reading import CardView
from app.services.errors import NoOpenShiftError, PermissionDeniedError
from app.services.tap import CounterAction, TapReport
from app.store.shifts import Shift
from app.ui.messages import describe
from app.ui.tasks import TaskRunner


class CounterSession(QObject):
    """Signed-in operator, open shift and the card on the reader (GUI thread only)."""

    actor_changed = Signal()
    shift_changed = Signal()
    card_changed = Signal()  # a card was read, or it left the reader

    def __init__(self) -> None:
        super().__init__()
        self.actor: Actor | None = None
        self.shift: Shift | None = None
        self.card: CardView | None = None
        self.tap: TapReport | None = None  # the last tap's report (what the counter may do)

    def sign_in(self, actor: Actor, shift: Shift | None) -> None:
        """An operator signed in (with their open shift, if any)."""
        self.actor = actor
        self.shift = shift
        self.actor_changed.emit()
        self.shift_changed.emit()

    def sign_out(self) -> None:
        """Nobody is signed in any more."""
        self.actor = None
        self.shift = None
        self.actor_changed.emit()
        self.shift_changed.emit()

    def set_shift(self, shift: Shift | None) -> None:
        """The operator's shift was opened or closed."""
        self.shift = shift
        self.shift_changed.emit()

    def set_card(self, card: CardView | None) -> None:
        """The card on the reader was read (or left: ``None``)."""
        self.card = card
        if card is None or (self.tap is not None and self.tap.view is not card):
            self.tap = None
        self.card_changed.emit()

    def set_tap(self, tap: TapReport | None) -> None:
        """A tap's report (``None``: the card left or could not be read)."""
        self.tap = tap
        self.card = tap.view if tap is not None else None
        self.card_changed.emit()

    def refusal(self, action: CounterAction) -> str | None:
        """Why the card on the reader refuses ``action``, translated (None: it may)."""
        if self.tap is None:
            return None
        refused = self.tap.why_not(action)
        if refused is None:
            return None
        what, advice, _ = describe(refused)
        joint = "" if what.endswith(("。", "！", "？")) else " "  # no space after a CJK stop
        return f"{what}{joint}{advice}".strip()

    def require_actor(self) -> Actor:
        """The signed-in operator, or a clerk-facing error."""
        if self.actor is None:
            raise PermissionDeniedError("Nobody is signed in.", "Sign in first.")
        return self.actor

    def require_shift(self) -> Shift:
        """The open shift of the signed-in operator, or a clerk-facing error."""
        if self.shift is None:
            raise NoOpenShiftError("There is no open shift.")
        return self.shift

    def is_at_least(self, role: Role) -> bool:
        """Whether the operator's role includes ``role`` (to show actions; services enforce)."""
        return self.actor is not None and self.actor.role.includes(role)


@dataclass
class UiContext:
    """Everything a widget of the counter needs.

    ``open_card`` connects to the card on the reader and selects its purse; call it only inside
    work run on the card thread (``runner.run(..., on_card=True)``).
    """

    counter: Counter
    runner: TaskRunner
    connect: Callable[[], CardTransport]
    session: CounterSession = field(default_factory=CounterSession)
    reader_name: str = ""

    def open_card(self) -> CityCard:
        """The card on the reader, purse selected (card thread only)."""
        return CityCard.open(self.connect())
