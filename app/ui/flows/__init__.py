"""The counter's flow dialogs, one module each; :func:`register_flows` puts them on the window.

F3 loss report, F4 replacement, F5 damaged-card exchange, F6 card return, F7 void/reprint, F8
grey records (supervisors) on the action panel; journal verify/export and the sync status in the
Tools menu; the settings dialog behind Counter → Settings. Each opener makes a window-modal
dialog that deletes itself when closed. Dialogs that produce a receipt emit ``receipt_ready``
with it; :meth:`FlowOpeners.route_receipts` is the one rule for it: with the window's
``auto_print`` on (the settings' checkbox) ``print_receipt`` (the printing module's hook) gets it
at once; with it off the dialog's done page offers "Print the receipt" and nothing prints by
itself. A reprint (a COPY) is the clerk's own request and always prints.

The flow modules are imported inside :func:`register_flows` (not at package import), so that
:mod:`app.ui.approval` can use :mod:`app.ui.flows.base` without a cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from app.domain.people import Role

if TYPE_CHECKING:
    from app.services.receipts import Receipt
    from app.settings import Settings
    from app.ui.context import UiContext

log = logging.getLogger(__name__)

CONTEXT = "flows"

# F-keys (product.md: F2 top-up, F3 loss report, F4 replacement, …); F9/F10 are the demo's
FLOW_KEYS: dict[str, Qt.Key] = {
    "loss": Qt.Key.Key_F3,
    "replacement": Qt.Key.Key_F4,
    "exchange": Qt.Key.Key_F5,
    "refund": Qt.Key.Key_F6,
    "void_reprint": Qt.Key.Key_F7,
    "grey_records": Qt.Key.Key_F8,
}
JOURNAL_KEY = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_J)
SYNC_KEY = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Y)


class FlowWindow(Protocol):
    """What the main window offers the flows (app.ui.main_window.MainWindow)."""

    def add_flow(
        self,
        key: str,
        title: Callable[[], str],
        shortcut: QKeySequence,
        opener: Callable[[], None],
        needs_card: bool,
        needs_shift: bool,
        min_role: Role,
    ) -> QAction:
        """A flow on the action panel."""
        ...

    def add_tool(
        self,
        title: Callable[[], str],
        opener: Callable[[], None],
        *,
        shortcut: QKeySequence | None = None,
        min_role: Role = Role.CLERK,
    ) -> QAction:
        """An entry of the Tools menu."""
        ...

    def set_settings_opener(self, opener: Callable[[], None]) -> None:
        """What Counter → Settings opens."""
        ...


def _title(source: str) -> Callable[[], str]:
    """A title read again after each language change."""
    return lambda: QCoreApplication.translate(CONTEXT, source)


class FlowOpeners:
    """Opens each flow dialog over the window (kept so that tests and the window can call them).

    ``last`` is the dialog opened last (tests look at it).
    """

    def __init__(
        self,
        window: QWidget,
        ctx: UiContext,
        *,
        settings_path: Path | None = None,
        print_receipt: Callable[[Receipt], None] | None = None,
        on_language_changed: Callable[[str], None] | None = None,
        on_settings_saved: Callable[[Settings], None] | None = None,
    ) -> None:
        self.window = window
        self.ctx = ctx
        self.settings_path = settings_path
        self.print_receipt = print_receipt
        self.on_language_changed = on_language_changed
        self.on_settings_saved = on_settings_saved
        self.last: QDialog | None = None
        self.list_readers: Callable[[], list[str]] | None = None  # None: ask PC/SC

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.route_receipts(dialog)
        self.last = dialog
        dialog.open()
        return dialog

    def route_receipts(self, dialog: QDialog) -> None:
        """Send the receipts ``dialog`` emits (``receipt_ready``) by the auto-print rule."""
        receipt_ready = getattr(dialog, "receipt_ready", None)
        if receipt_ready is None:
            return
        receipt_ready.connect(lambda receipt: self._hand_over(dialog, receipt))

    def _hand_over(self, dialog: QDialog, receipt: Receipt) -> None:
        from app.ui.flows.base import FlowDialog  # noqa: PLC0415 - see the module docstring

        auto_print = bool(getattr(self.window, "auto_print", True))
        if auto_print or receipt.is_copy or not isinstance(dialog, FlowDialog):
            self._print(receipt)
        else:
            dialog.offer_print(receipt, self._print)

    def _print(self, receipt: Receipt) -> None:
        if self.print_receipt is not None:
            self.print_receipt(receipt)
            return
        by_seq: Any = getattr(self.window, "print_receipt", None)  # the top-up's hook: a seq
        if by_seq is not None and not receipt.is_copy:
            by_seq(receipt.journal_seq)
        else:
            log.info("receipt %d (copy %d) not printed: no printer hook",
                     receipt.journal_seq, receipt.copy_number)  # fmt: skip

    def loss(self) -> QDialog:
        """F3: loss report and cancel."""
        from app.ui.flows.loss import LossDialog  # noqa: PLC0415 - see the module docstring

        return self._open(LossDialog(self.ctx, self.window))

    def replacement(self) -> QDialog:
        """F4: replace a lost card."""
        from app.ui.flows.replacement import ReplacementDialog  # noqa: PLC0415

        return self._open(ReplacementDialog(self.ctx, self.window))

    def exchange(self) -> QDialog:
        """F5: exchange a damaged card."""
        from app.ui.flows.exchange import ExchangeDialog  # noqa: PLC0415

        return self._open(ExchangeDialog(self.ctx, self.window))

    def refund(self) -> QDialog:
        """F6: card return and refund."""
        from app.ui.flows.refund import RefundDialog  # noqa: PLC0415

        return self._open(RefundDialog(self.ctx, self.window))

    def void_reprint(self) -> QDialog:
        """F7: void or reprint the last transaction."""
        from app.ui.flows.void_reprint import VoidReprintDialog  # noqa: PLC0415

        return self._open(VoidReprintDialog(self.ctx, self.window))

    def grey_records(self) -> QDialog:
        """F8: grey records (supervisors)."""
        from app.ui.flows.grey_records import GreyRecordsDialog  # noqa: PLC0415

        return self._open(GreyRecordsDialog(self.ctx, self.window))

    def journal(self) -> QDialog:
        """Tools → journal verify and export (supervisors)."""
        from app.ui.flows.journal_tools import JournalDialog  # noqa: PLC0415

        return self._open(JournalDialog(self.ctx, self.window))

    def staff(self) -> QDialog:
        """Tools → Staff: operator accounts (admins)."""
        from app.ui.flows.staff import StaffDialog  # noqa: PLC0415

        return self._open(StaffDialog(self.ctx, self.window))

    def sync(self) -> QDialog:
        """Tools → the clearing center's sync status and "sync now"."""
        from app.ui.flows.sync_status import SyncDialog  # noqa: PLC0415

        counter = self.ctx.counter
        has_center = counter.sync is not None
        return self._open(
            SyncDialog(
                self.ctx,
                self.window,
                status=counter.sync_status if has_center else None,
                sync_now=counter.sync_now if has_center else None,
            )
        )

    def settings(self) -> QDialog:
        """Counter → Settings."""
        from app.ui.flows.settings_dialog import SettingsDialog  # noqa: PLC0415

        if self.list_readers is not None:
            dialog = SettingsDialog(
                self.ctx, self.window, path=self.settings_path, list_readers=self.list_readers
            )
        else:
            dialog = SettingsDialog(self.ctx, self.window, path=self.settings_path)
        if self.on_language_changed is not None:
            dialog.language_changed.connect(self.on_language_changed)
        if self.on_settings_saved is not None:
            dialog.settings_saved.connect(self.on_settings_saved)
        return self._open(dialog)


def register_flows(
    window: FlowWindow,
    ctx: UiContext,
    *,
    settings_path: Path | None = None,
    print_receipt: Callable[[Receipt], None] | None = None,
    on_language_changed: Callable[[str], None] | None = None,
    on_settings_saved: Callable[[Settings], None] | None = None,
) -> FlowOpeners:
    """Put every flow of this package on ``window`` (the main window); returns the openers."""
    assert isinstance(window, QWidget)
    openers = FlowOpeners(
        window,
        ctx,
        settings_path=settings_path,
        print_receipt=print_receipt,
        on_language_changed=on_language_changed,
        on_settings_saved=on_settings_saved,
    )
    flows: list[tuple[str, object, Callable[[], QDialog], bool, bool, Role]] = [
        # key, title, opener, needs a card, needs a shift, shown from role
        ("loss", QT_TRANSLATE_NOOP("flows", "&Loss report"), openers.loss, False, True, Role.CLERK),
        (
            "replacement",
            QT_TRANSLATE_NOOP("flows", "&Replace a lost card"),
            openers.replacement,
            False,
            True,
            Role.CLERK,
        ),
        (
            "exchange",
            QT_TRANSLATE_NOOP("flows", "E&xchange a damaged card"),
            openers.exchange,
            True,
            True,
            Role.CLERK,
        ),
        (
            "refund",
            QT_TRANSLATE_NOOP("flows", "Card ret&urn and refund"),
            openers.refund,
            True,
            True,
            Role.CLERK,
        ),
        (
            "void_reprint",
            QT_TRANSLATE_NOOP("flows", "&Void / reprint"),
            openers.void_reprint,
            False,
            True,
            Role.CLERK,
        ),
        (
            "grey_records",
            QT_TRANSLATE_NOOP("flows", "&Grey records"),
            openers.grey_records,
            False,
            False,
            Role.SUPERVISOR,
        ),
    ]
    for key, title, opener, needs_card, needs_shift, role in flows:
        window.add_flow(
            key,
            _title(str(title)),
            QKeySequence(FLOW_KEYS[key]),
            _discard(opener),
            needs_card,
            needs_shift,
            role,
        )
    window.add_tool(
        _title(str(QT_TRANSLATE_NOOP("flows", "&Journal: verify and export…"))),
        _discard(openers.journal),
        shortcut=JOURNAL_KEY,
        min_role=Role.SUPERVISOR,
    )
    window.add_tool(
        _title(str(QT_TRANSLATE_NOOP("flows", "&Sync with the clearing center…"))),
        _discard(openers.sync),
        shortcut=SYNC_KEY,
    )
    window.add_tool(
        _title(str(QT_TRANSLATE_NOOP("flows", "S&taff…"))),
        _discard(openers.staff),
        min_role=Role.ADMIN,
    )
    window.set_settings_opener(_discard(openers.settings))
    return openers


def _discard(opener: Callable[[], QDialog]) -> Callable[[], None]:
    """The opener as the window calls it (it has no use for the dialog)."""

    def call() -> None:
        opener()

    return call
