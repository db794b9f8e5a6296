"""What every flow dialog shares: work through the runner, messages inline, the keyboard.

A flow dialog never calls a service on the GUI thread: :meth:`FlowDialog.run` hands the work to
the task runner (card work to the card thread) and comes back with the result. While work runs
the dialog's controls are disabled and Esc does not close it — a card write must not lose its
result because the clerk pressed a key. A clerk-facing refusal is shown inside the dialog (what
happened, what to do) so the clerk can correct and try again; internal errors go to the error
presenter.

Keyboard: Enter runs the action of the field that has the focus (:meth:`on_enter`), or clicks
the focused button; Esc closes (``reject``); every button and label has a mnemonic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.domain.clock import format_time
from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.people import Actor
from app.domain.texts import ClerkFacingError
from app.journal import Journal
from app.services.errors import Cancelled
from app.services.progress import CancelToken, Progress
from app.services.receipts import Receipt, receipt_for
from app.store.shifts import Shift
from app.ui.context import UiContext
from app.ui.messages import describe
from app.ui.tasks import Task

T = TypeVar("T")

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class WrongCardError(ClerkFacingError):
    """Another card is on the reader than the one the dialog is working with."""

    advice = "Put card {expected} on the reader, or read the card again."


def money(fen: int | None) -> str:
    """¥ with two decimals (an empty string for no amount)."""
    return "" if fen is None else Fen(fen).yuan_text()


def payment_label(method: str | None) -> str:
    """A payment method as the clerk reads it."""
    names: dict[str, str] = {
        PaymentMethod.CASH: str(QT_TRANSLATE_NOOP("payments", "Cash")),
        PaymentMethod.BANK_CARD: str(QT_TRANSLATE_NOOP("payments", "Bank card")),
        PaymentMethod.WECHAT: str(QT_TRANSLATE_NOOP("payments", "WeChat Pay")),
        PaymentMethod.ALIPAY: str(QT_TRANSLATE_NOOP("payments", "Alipay")),
        PaymentMethod.BALANCE_TRANSFER: str(QT_TRANSLATE_NOOP("payments", "Balance transfer")),
        PaymentMethod.CARD_PURSE: str(QT_TRANSLATE_NOOP("payments", "Card purse")),
    }
    if method is None:
        return ""
    source = names.get(method)
    return QCoreApplication.translate("payments", source) if source else method


COUNTER_PAYMENT_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.BANK_CARD,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
)


def receipt_of(journal: Journal, seq: int) -> Receipt | None:
    """The receipt of journal record ``seq`` (None if it has none). Not on the GUI thread."""
    record = journal.record(seq)
    return None if record is None else receipt_for(journal, record)


def local_time(when: datetime | None) -> str:
    """A UTC time as the counter's date and time (its zone, never the machine's)."""
    return format_time(when)


class MessageLabel(QLabel):
    """The dialog's line of news: what happened, or what went wrong and what to do."""

    INFO = "info"
    DONE = "done"
    PROBLEM = "problem"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flowMessage")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMargin(8)
        self.kind = ""
        self.hide()

    def say(self, text: str, kind: str = INFO) -> None:
        """Show ``text``; ``kind`` colours it (info, done, problem)."""
        self.kind = kind
        colours = {
            self.INFO: "background:#eef4fb; color:#123;",
            self.DONE: "background:#e8f6ea; color:#0b3d17;",
            self.PROBLEM: "background:#fdecea; color:#611a15;",
        }
        self.setStyleSheet(f"QLabel#flowMessage {{ {colours.get(kind, '')} }}")
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        """Nothing to say."""
        self.kind = ""
        self.setText("")
        self.hide()


def ask_to_confirm(
    parent: QWidget,
    title: str,
    what: str,
    details: str,
    confirm_text: str,
    confirmed: Callable[[], None],
) -> QMessageBox:
    """Say what will happen (money out, a card blocked) and act only on an explicit confirm.

    Enter and Esc mean Cancel: the clerk confirms with the button's own mnemonic (or Tab then
    Space), never by pressing Enter once more out of habit. Window-modal; deletes itself.
    """
    box = QMessageBox(QMessageBox.Icon.Warning, title, what, QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    box.setObjectName("confirmMoneyOut")
    box.setInformativeText(details)
    yes = box.addButton(confirm_text, QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirmButton")
    no = box.addButton(
        QCoreApplication.translate("FlowDialog", "Cancel"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finished(_result: int) -> None:
        if box.clickedButton() is yes:
            confirmed()

    box.finished.connect(finished)
    box.open()
    return box


class FlowDialog(QDialog):
    """Base of the flow dialogs (see the module docstring)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.message = MessageLabel(self)
        self._busy = 0
        self._enter: dict[QWidget, Callable[[], None]] = {}
        self._locked: list[QWidget] = []  # disabled while work runs
        self._closed = False
        self._focus_before: QWidget | None = None
        self._primary: Callable[[], None] | None = None
        self._unprinted: list[Receipt] = []  # receipts offered on the done page, not yet printed
        self._print_fn: Callable[[Receipt], None] | None = None
        self.print_button = self.make_button(
            self.tr("Prin&t the receipt"), self.print_offered, lock=False
        )
        self.print_button.setObjectName("printReceipt")
        self.print_button.hide()  # shown by offer_print (auto_print off)

    # -- building ------------------------------------------------------------------------------

    def make_button(self, text: str, slot: Callable[[], None], *, lock: bool = True) -> QPushButton:
        """A push button (text with its ``&`` mnemonic); disabled while work runs if ``lock``."""
        button = QPushButton(text, self)
        # no automatic default button: Enter is routed by keyPressEvent to the focused field's
        # own action, so a field's Enter never clicks some other button
        button.setAutoDefault(False)
        button.setDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        if lock:
            self._locked.append(button)
        return button

    def offer_print(self, receipt: Receipt, print_fn: Callable[[Receipt], None]) -> None:
        """Offer ``receipt`` on the done page: "Print the receipt" prints it with ``print_fn``."""
        self._unprinted.append(receipt)
        self._print_fn = print_fn
        self.print_button.setEnabled(True)
        self.print_button.show()
        self.print_button.setFocus()

    def print_offered(self) -> None:
        """Print the receipts offered so far (the clerk asked), then take the button away."""
        receipts, self._unprinted = self._unprinted, []
        if self._print_fn is not None:
            for receipt in receipts:
                self._print_fn(receipt)
        self.print_button.hide()
        close: Any = getattr(self, "close_button", None)
        if close is not None:
            close.setFocus()

    def lock_while_busy(self, *widgets: QWidget) -> None:
        """Disable these widgets while work runs."""
        self._locked.extend(widgets)

    def on_enter(self, widget: QWidget, action: Callable[[], None]) -> None:
        """Run ``action`` when Enter is pressed while ``widget`` has the focus."""
        self._enter[widget] = action

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Enter: the focused push button, or the focused field's action; Esc: close."""
        if (
            event.key() in ENTER_KEYS
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            focus = self.focusWidget()
            if isinstance(focus, QPushButton):  # a check box falls through to the action
                if focus.isEnabled():
                    focus.click()
                event.accept()
                return
            action = self._action_for(focus)
            if action is not None and not self.busy:
                action()
            event.accept()
            return
        super().keyPressEvent(event)

    def _action_for(self, widget: QWidget | None) -> Callable[[], None] | None:
        while widget is not None and widget is not self:
            if widget in self._enter:
                return self._enter[widget]
            widget = widget.parentWidget()
        return self._primary

    def set_primary(self, action: Callable[[], None]) -> None:
        """What Enter does in a field without an action of its own (the dialog's main action)."""
        self._primary = action

    # -- size ----------------------------------------------------------------------------------

    def fit(self) -> None:
        """Grow to show every text (word-wrapped texts change after the dialog is shown)."""
        QTimer.singleShot(0, self._fit_now)

    def _fit_now(self) -> None:
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        width = self.width()
        if layout.hasHeightForWidth():
            height = layout.totalHeightForWidth(width)
        else:
            height = layout.totalSizeHint().height()
        screen = self.screen()
        if screen is not None:
            height = min(height, screen.availableGeometry().height() - 60)
        if height > self.height():
            self.resize(width, height)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Fit the texts when shown."""
        super().showEvent(event)
        self.fit()

    # -- messages ------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """An information line."""
        self.message.say(text, MessageLabel.INFO)
        self.fit()

    def say_done(self, text: str) -> None:
        """What was done."""
        self.message.say(text, MessageLabel.DONE)
        self.fit()

    def say_problem(self, what: str, advice: str = "") -> None:
        """What went wrong and what to do."""
        self.message.say(f"{what}\n{advice}" if advice else what, MessageLabel.PROBLEM)
        self.fit()

    def say_exception(self, exc: BaseException) -> None:
        """A clerk-facing error in the current language."""
        what, advice, _internal = describe(exc)
        self.say_problem(what, advice)

    def message_text(self) -> str:
        """What the message line says now (tests, accessibility)."""
        return self.message.text()

    # -- who and which shift -------------------------------------------------------------------

    def actor_and_shift(self) -> tuple[Actor, Shift] | None:
        """The signed-in operator and their open shift; None (and said why) when missing."""
        try:
            return self.ctx.session.require_actor(), self.ctx.session.require_shift()
        except ClerkFacingError as exc:
            self.say_exception(exc)
            return None

    def signed_in(self) -> Actor | None:
        """The signed-in operator; None (and said why) when nobody is."""
        try:
            return self.ctx.session.require_actor()
        except ClerkFacingError as exc:
            self.say_exception(exc)
            return None

    # -- work ----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether work of this dialog is running."""
        return self._busy > 0

    def _set_busy(self, busy: bool) -> None:
        if busy and not self._busy:
            self._focus_before = self.focusWidget()  # disabling takes the focus away
        self._busy += 1 if busy else -1
        for widget in self._locked:
            widget.setEnabled(not self.busy)
        if not self.busy:
            self.update_actions()
            self.fit()  # the result's texts are set next, the fit runs after them
            before, self._focus_before = self._focus_before, None
            if before is not None and before.isEnabled() and before.isVisible():
                before.setFocus()  # where the clerk was; the result's handler may move it on
            now = self.focusWidget()
            if now is None or not now.isEnabled():
                self.focusNextChild()  # never leave the keyboard nowhere

    def update_actions(self) -> None:
        """Enable what may be done now (subclasses; called after each piece of work)."""

    def run(
        self,
        work: Callable[[CancelToken, Progress], T],
        on_success: Callable[[T], None],
        *,
        label: str,
        on_card: bool = False,
        on_problem: Callable[[BaseException], None] | None = None,
        cancellable: bool = False,
        progress_dialog: bool = True,
    ) -> Task[T]:
        """Run ``work`` through the task runner; ``on_success`` with its result on this thread.

        A clerk-facing failure is shown in the dialog (then ``on_problem`` sees it); a cancel is
        silent; anything else goes to the error presenter as an internal error.
        """
        self._set_busy(True)

        def succeeded(result: T) -> None:
            self._set_busy(False)
            if not self._closed:
                on_success(result)

        def failed(exc: BaseException) -> bool:
            self._set_busy(False)
            if isinstance(exc, Cancelled):
                if not self._closed and on_problem is not None:
                    on_problem(exc)  # the dialog goes back to where the clerk can act again
                return True
            if isinstance(exc, ClerkFacingError):
                if not self._closed:
                    self.say_exception(exc)
                    if on_problem is not None:
                        on_problem(exc)
                return True
            if not self._closed:
                self.say_problem(
                    QCoreApplication.translate(
                        "FlowDialog", "Internal error: the operation did not finish normally."
                    ),
                    QCoreApplication.translate(
                        "FlowDialog",
                        "Nothing was lost: the journal keeps every step. Tell the supervisor.",
                    ),
                )
            return False  # the presenter logs it with its traceback and shows it

        return self.ctx.runner.run(
            work,
            succeeded,
            label=label,
            on_card=on_card,
            on_failure=failed,
            cancellable=cancellable,
            progress_dialog=progress_dialog,
        )

    def reject(self) -> None:
        """Esc / Close: not while work runs (its result must reach the clerk)."""
        if self.busy:
            self.say(
                QCoreApplication.translate(
                    "FlowDialog", "Please wait: the operation is still running."
                )
            )
            return
        self._closed = True
        super().reject()

    def accept(self) -> None:
        """Close after success."""
        self._closed = True
        super().accept()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The window's close button: like Esc."""
        if self.busy:
            event.ignore()
            self.say(
                QCoreApplication.translate(
                    "FlowDialog", "Please wait: the operation is still running."
                )
            )
            return
        self._closed = True
        super().closeEvent(event)


def form_label(text: str, buddy: QWidget, parent: QWidget | None = None) -> QLabel:
    """A field label with a mnemonic that moves the focus to ``buddy``."""
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label
