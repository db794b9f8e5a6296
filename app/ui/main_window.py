"""The counter's main window: the card, the actions, the status; sign-in and shifts around them.

Layout (fits 1366×768): the card panel (big balance, status, card fields, last transactions) on
the left, the action panel with the flows' F-keys on the right, the status bar below. The
central area is a stack: page 0 is the counter, page 1 is reserved for scenic mode (its own
issue).

Flows plug in with :meth:`MainWindow.add_flow`; menu tools (journal, sync, settings) with
:meth:`MainWindow.add_tool`. Notes from the tap steps (a settled interrupted top-up, a lost card
blocked) are shown here, unless the top-up dialog waiting for that card takes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import Fen
from app.domain.people import Role
from app.journal import JournalRecord, RecordKind
from app.services.card_reading import CardView
from app.services.exchange import ExchangeStatus
from app.services.loss import BlockedOnTap
from app.services.progress import CancelToken, Progress
from app.services.recovery import Resolution, Settlement
from app.services.shifts import ShiftCloseResult
from app.services.tap import CounterAction
from app.services.void import VoidReceipt
from app.ui.action_panel import FLOW_KEYS, ActionPanel, Title
from app.ui.card_panel import CardPanel
from app.ui.context import UiContext
from app.ui.messages import translated
from app.ui.reader_bridge import ReaderBridge
from app.ui.shift_dialogs import ShiftCloseDialog, ShiftOpenDialog
from app.ui.sign_in import SignInDialog
from app.ui.status_bar import CounterStatusBar, PendingSource, ReaderState, SyncSource
from app.ui.topup_dialog import PrintReceipt, TopUpDialog, resolution_text

log = logging.getLogger(__name__)

COUNTER_PAGE, SCENIC_PAGE = 0, 1


@dataclass
class _Tool:
    action: QAction
    title: Title
    min_role: Role


class MainWindow(QMainWindow):
    """The counter window over one :class:`UiContext` and its reader bridge."""

    _unfinished_found = Signal(object)  # list[JournalRecord], from the background look-up

    def __init__(
        self,
        ctx: UiContext,
        bridge: ReaderBridge,
        *,
        side_panel: QWidget | None = None,
        sync_status: SyncSource | None = None,
        pending: PendingSource | None = None,
        sam_text: str = "",
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.bridge = bridge
        self.print_receipt: PrintReceipt | None = None  # the printing helper's hook
        self.auto_print = True  # the settings' auto_print: every money receipt prints by itself
        self.print_shift_report: Callable[[ShiftCloseResult], None] | None = None  # likewise
        self.topup_dialog: TopUpDialog | None = None
        self.notices: list[tuple[str, str]] = []  # what the window told the clerk (tests, a11y)
        self._notice_box: QMessageBox | None = None
        self._tools: list[_Tool] = []
        self._settings_opener: Callable[[], None] | None = None
        ctx.runner.errors.set_parent_widget(self)

        self.card_panel = CardPanel()
        self.action_panel = ActionPanel(ctx.session, self)
        right = QVBoxLayout()
        right.addWidget(self.action_panel, 1)
        if side_panel is not None:
            right.addWidget(side_panel, 1)
        counter_page = QWidget()
        row = QHBoxLayout(counter_page)
        row.addWidget(self.card_panel, 3)
        row.addLayout(right, 1)
        self.scenic_page = QWidget()  # scenic mode (admission, annual passes): its own issue
        self.scenic_page.setObjectName("scenicPage")
        self.pages = QStackedWidget()
        self.pages.addWidget(counter_page)
        self.pages.addWidget(self.scenic_page)
        # money not yet decided (a top-up whose card left mid-write): stays until it is settled
        self.pending_banner = QLabel()
        self.pending_banner.setObjectName("pendingBanner")
        self.pending_banner.setWordWrap(True)
        self.pending_banner.setStyleSheet(
            "QLabel#pendingBanner { background:#fff3cd; color:#5c3c00; border:2px solid #e0a800;"
            " padding:6px; font-weight:bold; }"
        )
        self.pending_banner.hide()
        self._unfinished: list[JournalRecord] = []
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="window")
        self._unfinished_found.connect(self._got_unfinished)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.pending_banner)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.status = CounterStatusBar(
            ctx.session,
            reader_name=ctx.reader_name,
            sam_text=sam_text,
            sync_status=sync_status if sync_status is not None else _sync_of(ctx),
            pending=pending,
            storage=ctx.counter.storage_status,
            parent=self,
        )
        self.setStatusBar(self.status)
        self._build_menus()
        self.add_flow(
            "topup",
            lambda: self.tr("&Top up"),
            QKeySequence(FLOW_KEYS["topup"]),
            self.open_topup,
            needs_card=True,
            needs_shift=True,
            min_role=Role.CLERK,
        )

        bridge.reading.connect(self._on_reading)
        bridge.card_read.connect(self._on_card)
        bridge.card_removed.connect(self._on_removed)
        bridge.read_failed.connect(self._on_read_failed)
        bridge.settled.connect(self.show_note)
        for read in (bridge.tapped, bridge.read_again):
            read.connect(self._on_tap)
            read.connect(lambda _tap: self.check_unfinished())
        ctx.runner.card_work_finished.connect(self.check_unfinished)
        # every operation on the card ends by reading it again: the big balance is the card's
        ctx.runner.card_work_finished.connect(bridge.reread)
        ctx.session.actor_changed.connect(self._on_actor_changed)
        ctx.session.actor_changed.connect(self._update_menus)
        ctx.session.shift_changed.connect(self._update_menus)
        self._retranslate()
        self.setMinimumSize(1024, 640)
        self.resize(1366, 768)

    # -- registries ------------------------------------------------------------------------------

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
        """Put a flow on the action panel with its F-key (see :data:`FLOW_KEYS`)."""
        return self.action_panel.add_flow(
            key, title, shortcut, opener, needs_card, needs_shift, min_role
        )

    def add_tool(
        self,
        title: Title,
        opener: Callable[[], None],
        *,
        shortcut: QKeySequence | None = None,
        min_role: Role = Role.CLERK,
    ) -> QAction:
        """Add an entry to the Tools menu (journal verify/export, sync now, …)."""
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: opener())
        self.tools_menu.addAction(action)
        self._tools.append(_Tool(action, title, min_role))
        self._update_menus()
        self._retranslate_tools()
        return action

    def set_settings_opener(self, opener: Callable[[], None]) -> None:
        """What Counter → Settings… opens (the settings dialog)."""
        self._settings_opener = opener
        self._update_menus()

    def show_scenic(self, on: bool) -> None:
        """Switch between the counter page and the scenic-mode page."""
        self.pages.setCurrentIndex(SCENIC_PAGE if on else COUNTER_PAGE)

    def set_scenic_page(self, page: QWidget) -> None:
        """Put the scenic-mode page (app.ui.scenic) in place of the empty one."""
        old = self.scenic_page
        self.pages.insertWidget(SCENIC_PAGE, page)
        self.pages.removeWidget(old)
        old.deleteLater()
        self.scenic_page = page

    # -- menus -----------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.counter_menu = QMenu(self)
        self.tools_menu = QMenu(self)
        bar.addMenu(self.counter_menu)
        bar.addMenu(self.tools_menu)
        self.sign_in_action = QAction(self)
        self.sign_in_action.triggered.connect(self.open_sign_in)
        self.sign_out_action = QAction(self)
        self.sign_out_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.sign_out_action.triggered.connect(self.sign_out)
        self.open_shift_action = QAction(self)
        self.open_shift_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_O))
        self.open_shift_action.triggered.connect(self.open_shift)
        self.close_shift_action = QAction(self)
        self.close_shift_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_E))
        self.close_shift_action.triggered.connect(self.close_shift)
        self.settings_action = QAction(self)
        self.settings_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Comma))
        self.settings_action.triggered.connect(self._open_settings)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self.quit_action.triggered.connect(self.close)
        for action in (self.sign_in_action, self.sign_out_action):
            self.counter_menu.addAction(action)
        self.counter_menu.addSeparator()
        self.counter_menu.addAction(self.open_shift_action)
        self.counter_menu.addAction(self.close_shift_action)
        self.counter_menu.addSeparator()
        self.counter_menu.addAction(self.settings_action)
        self.counter_menu.addSeparator()
        self.counter_menu.addAction(self.quit_action)
        for action in self.counter_menu.actions():
            self.addAction(action)  # shortcuts work while the menu is closed
        self._update_menus()

    def _update_menus(self) -> None:
        session = self.ctx.session
        signed_in = session.actor is not None
        shift = session.shift
        self.sign_in_action.setVisible(not signed_in)
        self.sign_out_action.setVisible(signed_in)
        self.sign_out_action.setEnabled(signed_in)
        self.open_shift_action.setEnabled(signed_in and shift is None)
        self.close_shift_action.setEnabled(signed_in and shift is not None)
        self.settings_action.setEnabled(
            self._settings_opener is not None and session.is_at_least(Role.SUPERVISOR)
        )
        for tool in self._tools:
            allowed = session.is_at_least(tool.min_role)
            tool.action.setVisible(allowed)
            tool.action.setEnabled(allowed)
        self.tools_menu.menuAction().setVisible(any(t.action.isVisible() for t in self._tools))
        actor = session.actor
        title = self.tr("City card service counter")
        if actor is not None:
            title = f"{title} — {actor.display_name}"
        self.setWindowTitle(title)

    def _retranslate(self) -> None:
        self.counter_menu.setTitle(self.tr("&Counter"))
        self.tools_menu.setTitle(self.tr("T&ools"))
        self.sign_in_action.setText(self.tr("&Sign in…"))
        self.sign_out_action.setText(self.tr("Sign o&ut"))
        self.open_shift_action.setText(self.tr("&Open shift…"))
        self.close_shift_action.setText(self.tr("&Close shift…"))
        self.settings_action.setText(self.tr("S&ettings…"))
        self.quit_action.setText(self.tr("&Quit"))
        self._retranslate_tools()
        self.action_panel.retranslate()
        if self.ctx.session.tap is not None:
            self._on_tap(self.ctx.session.tap)
        self._show_unfinished()
        self.status.refresh()
        self._update_menus()

    def _retranslate_tools(self) -> None:
        for tool in self._tools:
            tool.action.setText(tool.title() if callable(tool.title) else tool.title)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Retranslate when the language changes (no restart needed)."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # -- the reader ------------------------------------------------------------------------------

    def _on_reading(self) -> None:
        self.card_panel.show_reading()
        self.status.set_reader(ReaderState.READING)

    def _on_card(self, view: CardView) -> None:
        self.card_panel.show_card(view)
        rules = self.ctx.counter.topups.parameters().card_type(view.card_type)
        if rules is not None:
            self.card_panel.set_card_type_name(rules.name)
        self.status.set_reader(ReaderState.CARD)

    def _on_tap(self, _tap: object) -> None:
        self.card_panel.show_refusal(self.ctx.session.refusal(CounterAction.TOP_UP))

    def check_unfinished(self) -> None:
        """Look (off the GUI thread) for top-ups whose money is undecided; the banner says so.

        Not through the task runner: this look must never make the window "busy" (sign-out and
        quit wait for the runner).
        """
        journal = self.ctx.counter.journal

        def work() -> None:
            try:
                intents = [r for r in journal.open_intents() if r.kind == RecordKind.LOAD_INTENT]
            except Exception:  # a closing journal: the next look tells
                log.warning("unfinished top-ups could not be read", exc_info=True)
                return
            self._unfinished_found.emit(intents)

        self._background.submit(work)

    def _got_unfinished(self, intents: list[JournalRecord]) -> None:
        self._unfinished = intents
        self._show_unfinished()

    def shutdown(self) -> None:
        """Stop the background look-ups (the composition root, at exit)."""
        self._background.shutdown(wait=True, cancel_futures=True)

    def unfinished_text(self) -> str:
        """The banner's text ("" when nothing is undecided)."""
        return self.pending_banner.text() if self.pending_banner.isVisibleTo(self) else ""

    def _show_unfinished(self) -> None:
        lines = [
            self.tr(
                "Unfinished top-up: card {0}, {1}. Put that card back on the reader to settle "
                "it; do not take or give back money until the counter says what happened."
            ).format(r.card_serial or "", Fen(r.amount_fen or 0).yuan_text())
            for r in self._unfinished
        ]
        self.pending_banner.setText("\n".join(lines))
        self.pending_banner.setVisible(bool(lines))

    def _on_actor_changed(self) -> None:
        """Nobody signed in: the last customer's card leaves the screen; back: read it again."""
        self.check_unfinished()
        if self.ctx.session.actor is None:
            self.card_panel.clear()
            if self.ctx.session.card is not None:
                self.ctx.session.set_tap(None)
        elif self.bridge.last_tap is not None:
            self.bridge.refresh()

    def _on_removed(self) -> None:
        self.card_panel.clear()
        self.status.set_reader(ReaderState.NO_CARD)

    def _on_read_failed(self, what: str, advice: str) -> None:
        self.card_panel.show_error(what, advice)
        self.status.set_reader(ReaderState.CARD)

    def show_note(self, note: object) -> None:
        """A tap step's note: settled interrupted top-ups, a lost card blocked, …."""
        if isinstance(note, list) and all(isinstance(r, Resolution) for r in note):
            dialog = self.topup_dialog
            if dialog is not None and dialog.take_resolutions(note):
                return
            for resolution in note:
                what, advice = resolution_text(resolution)
                warn = resolution.settlement is not Settlement.DONE
                self._notice(self.tr("Interrupted top-up"), what, advice, warn=warn)
            return
        if isinstance(note, BlockedOnTap):
            holder = note.holder.masked_name if note.holder is not None else ""
            what = self.tr("Card {0} was reported lost: it has now been blocked.").format(
                note.card_serial
            )
            if not note.blocked:
                what = self.tr(
                    "Card {0} is on the blacklist: refused. This counter's SAM cannot block "
                    "cards of other cities."
                ).format(note.card_serial)
            advice = self.tr(
                "Keep the card. Tell the person it is blocked and follow the lost-card procedure."
            )
            if holder:
                advice += "\n" + self.tr("Registered holder: {0}").format(holder)
            self._notice(self.tr("Lost card"), what, advice, warn=True)
            return
        if isinstance(note, list) and all(isinstance(x, ExchangeStatus) for x in note):
            for status in note:
                self._notice(
                    self.tr("Card exchange"),
                    translated(status.template, status.params),
                    "",
                    warn=status.receipt is None,
                )
            return
        if isinstance(note, list) and all(isinstance(x, VoidReceipt) for x in note):
            for void in note:
                what = self.tr("The interrupted void of record {0} is finished.").format(
                    void.voided_seq
                )
                advice = self.tr("Give back {0} ({1}).").format(
                    Fen(void.amount_fen).yuan_text(), void.payment_method
                )
                self._notice(self.tr("Void"), what, advice, warn=False)
            return
        log.info("tap note not shown by the main window: %r", note)

    def _notice(self, title: str, what: str, advice: str, *, warn: bool) -> None:
        self.notices.append((what, advice))
        icon = QMessageBox.Icon.Warning if warn else QMessageBox.Icon.Information
        box = QMessageBox(icon, title, what, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("tapNotice")
        box.setInformativeText(advice)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._notice_box = box
        box.open()

    # -- flows -----------------------------------------------------------------------------------

    def open_topup(self) -> None:
        """F2: the top-up dialog for the card on the reader (not for a card that refuses it)."""
        refusal = self.ctx.session.refusal(CounterAction.TOP_UP)
        if refusal is not None:
            self.card_panel.show_refusal(refusal)
            return
        dialog = TopUpDialog(
            self.ctx,
            self.bridge,
            self,
            print_receipt=self.print_receipt,
            auto_print=self.auto_print,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.topup_dialog = dialog
        dialog.finished.connect(lambda _result: self._topup_closed(dialog))
        dialog.open()

    def _topup_closed(self, dialog: TopUpDialog) -> None:
        if self.topup_dialog is dialog:
            self.topup_dialog = None

    # -- operator and shift ----------------------------------------------------------------------

    def start(self) -> None:
        """Show the window and ask who is signing in (and say what is still unfinished)."""
        self.show()
        self.check_unfinished()
        self.open_sign_in()

    def open_sign_in(self) -> SignInDialog:
        """The sign-in dialog (on a first run: create the administrator first)."""
        dialog = SignInDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._after_sign_in)
        self.sign_in_dialog = dialog
        dialog.open()
        return dialog

    def _after_sign_in(self) -> None:
        if self.ctx.session.actor is not None and self.ctx.session.shift is None:
            self.open_shift()

    def open_shift(self) -> None:
        """Ctrl+O: open a shift with its float."""
        if self.ctx.session.actor is None or self.ctx.session.shift is not None:
            return
        dialog = ShiftOpenDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shift_open_dialog = dialog
        dialog.open()

    def close_shift(self) -> None:
        """Ctrl+E: count the drawer blind and close the shift."""
        if self.ctx.session.shift is None:
            return
        dialog = ShiftCloseDialog(self.ctx, self, print_report=self.print_shift_report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shift_close_dialog = dialog
        dialog.open()

    def sign_out(self) -> None:
        """Ctrl+L: journal the sign-out and ask for the next operator (the shift stays open)."""
        actor = self.ctx.session.actor
        if actor is None:
            return
        if self.ctx.runner.busy():
            self._notice(
                self.tr("Sign out"),
                self.tr("An operation is still running."),
                self.tr("Wait until it has finished, then sign out."),
                warn=True,
            )
            return
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> None:
            operators.sign_out(actor)

        def done(_none: None) -> None:
            self.ctx.session.sign_out()
            self.open_sign_in()

        self.ctx.runner.run(work, done, label=self.tr("Signing out"))

    def _open_settings(self) -> None:
        if self._settings_opener is not None:
            self._settings_opener()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Quit: not while a card or journal operation is running (its result must land)."""
        if self.ctx.runner.busy():
            event.ignore()
            self._notice(
                self.tr("Quit"),
                self.tr("An operation is still running."),
                self.tr("Wait until it has finished, then quit."),
                warn=True,
            )
            return
        super().closeEvent(event)


def _sync_of(ctx: UiContext) -> SyncSource | None:
    """The counter's sync status, when it has a clearing center (a sync loop)."""
    return ctx.counter.sync_status if ctx.counter.sync is not None else None
