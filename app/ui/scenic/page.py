"""The ticket office's main panel: ticket sales (a basket) and entry checks at a gate.

Two tabs. **Tickets**: one button per ticket type (Ctrl+1…Ctrl+4 and its mnemonic add one to
the basket; the F-keys stay the counter's flows, so F2 tops a card up from here), the basket,
the payment method, Ctrl+Return pays; "Annual pass…" opens :class:`PassSaleDialog`. **Entry
check**: the gate, then every tap is checked (:meth:`ScenicService.check_serial`, the tap's own
read gives the serial) and the verdict is shown big, with the holder's photo and the gate's
count for today. Service errors are shown in the panel in the clerk's language; a purse too low
offers "Top up first" (the counter's top-up dialog).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.payment import PaymentMethod
from app.domain.scenic import Basket, EntryVerdict
from app.domain.texts import ClerkFacingError
from app.services.errors import Cancelled
from app.services.progress import CancelToken, Progress
from app.services.scenic import EntryCheck, PassSale, ScenicBalanceTooLowError, TicketSale
from app.ui.context import UiContext
from app.ui.flows.base import MessageLabel, WrongCardError, ask_to_confirm, money, payment_label
from app.ui.forms import ERROR_STYLE, OK_STYLE, AmountEdit
from app.ui.messages import describe, translated
from app.ui.reader_bridge import ReaderBridge, Tap
from app.ui.scenic.pass_dialog import PASS_PAYMENTS, PassSaleDialog

T = TypeVar("T")
PHOTO_SIZE = 220
SALE_TAB, ENTRY_TAB = 0, 1


class ScenicPage(QWidget):
    """The scenic-mode page of the main window."""

    sold = Signal(object)  # TicketSale
    checked = Signal(object)  # EntryCheck
    receipt_ready = Signal(int)  # the journal seq of a ticket or pass sale to print

    def __init__(
        self,
        ctx: UiContext,
        bridge: ReaderBridge,
        *,
        top_up: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scenicPage")
        self.ctx = ctx
        self._top_up = top_up
        self.counts: dict[str, int] = {}
        self.last_sale: TicketSale | None = None
        self.last_check: EntryCheck | None = None
        self.pass_dialog: PassSaleDialog | None = None
        self.confirm_box: QWidget | None = None  # the last "take it from the card?" question
        self._busy = 0

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_sale_tab(), self.tr("T&ickets"))
        self.tabs.addTab(self._build_entry_tab(), self.tr("&Entry check"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        bridge.tapped.connect(self._on_tap)
        self._refresh_basket()

    # -- building --------------------------------------------------------------------------------

    def _build_sale_tab(self) -> QWidget:
        tab = QWidget(self)
        names = {
            "adult": self.tr("&Adult"),
            "child": self.tr("C&hild"),
            "senior": self.tr("&Senior"),
            "free": self.tr("&Free"),
        }
        products = QGridLayout()
        self.ticket_buttons: dict[str, QPushButton] = {}
        catalogue = self.ctx.counter.scenic.catalogue()
        for index, ticket in enumerate(catalogue.tickets):
            title = names.get(ticket.code, ticket.name)
            button = QPushButton(f"{title}\n{money(ticket.price_fen)}", tab)
            button.setObjectName(f"ticket_{ticket.code}")
            button.setMinimumHeight(64)
            button.clicked.connect(lambda _c=False, code=ticket.code: self.add_ticket(code))
            if index < 9:
                shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda code=ticket.code: self.add_ticket(code))
            products.addWidget(button, 0, index)
            self.ticket_buttons[ticket.code] = button
        self.basket_table = QTableWidget(0, 4, tab)
        self.basket_table.setObjectName("basket")
        self.basket_table.setHorizontalHeaderLabels(
            [self.tr("Ticket"), self.tr("Count"), self.tr("Price"), self.tr("Amount")]
        )
        self.basket_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.basket_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.total_label = QLabel(tab)
        self.total_label.setObjectName("basketTotal")
        font = self.total_label.font()
        font.setPointSize(font.pointSize() * 2)
        self.total_label.setFont(font)
        self.payment = QComboBox(tab)
        self.payment.setObjectName("scenicPayment")
        for method in PASS_PAYMENTS:
            self.payment.addItem(payment_label(method), str(method))
        payment_label_widget = QLabel(self.tr("Pa&yment"), tab)
        payment_label_widget.setBuddy(self.payment)
        self.pay_button = QPushButton(self.tr("&Pay"), tab)
        self.pay_button.setObjectName("scenicPay")
        self.pay_button.clicked.connect(lambda _c=False: self.pay())
        pay_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        pay_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        pay_shortcut.activated.connect(self.pay)
        self.clear_button = QPushButton(self.tr("C&lear basket"), tab)
        self.clear_button.clicked.connect(lambda _c=False: self.clear_basket())
        self.pass_button = QPushButton(self.tr("A&nnual pass…"), tab)
        self.pass_button.setObjectName("scenicPass")
        self.pass_button.clicked.connect(lambda _c=False: self.open_pass_sale())
        self.top_up_button = QPushButton(self.tr("&Top up first"), tab)
        self.top_up_button.setObjectName("scenicTopUp")
        self.top_up_button.clicked.connect(lambda _c=False: self._top_up_first())
        self.top_up_button.hide()
        # auto_print off: the sales' receipts wait for this button (see offer_print)
        self.print_button = QPushButton(self.tr("Print the &visitor's receipt"), tab)
        self.print_button.setObjectName("scenicPrintReceipt")
        self.print_button.clicked.connect(lambda _c=False: self.print_offered())
        self.print_button.hide()
        self._unprinted: list[int] = []
        self._print_seq: Callable[[int], None] | None = None
        self.sale_message = MessageLabel(tab)
        # cash: what the visitor hands over, and the change to give back
        self.tendered = AmountEdit(tab)
        self.tendered.setObjectName("scenicTendered")
        self.tendered.setPlaceholderText(self.tr("exact"))
        self.tendered.textChanged.connect(self._show_change)
        self.tendered_label = QLabel(self.tr("Ten&dered:"), tab)
        self.tendered_label.setBuddy(self.tendered)
        self.change_label = QLabel(tab)
        self.change_label.setObjectName("scenicChange")
        self.payment.currentIndexChanged.connect(self._show_change)
        cash_row = QHBoxLayout()
        cash_row.addWidget(self.tendered_label)
        cash_row.addWidget(self.tendered)
        cash_row.addWidget(self.change_label, 1)

        row = QHBoxLayout()
        row.addWidget(payment_label_widget)
        row.addWidget(self.payment, 1)
        row.addWidget(self.pay_button)
        row.addWidget(self.clear_button)
        row.addWidget(self.pass_button)
        layout = QVBoxLayout(tab)
        layout.addLayout(products)
        layout.addWidget(self.basket_table, 1)
        layout.addWidget(self.total_label)
        layout.addLayout(cash_row)
        layout.addLayout(row)
        layout.addWidget(self.sale_message)
        layout.addWidget(self.top_up_button)
        layout.addWidget(self.print_button)
        return tab

    def offer_print(self, seq: int, print_seq: Callable[[int], None]) -> None:
        """Offer the receipt of sale ``seq`` on the page (auto_print off): the button prints it."""
        self._unprinted.append(seq)
        self._print_seq = print_seq
        self.print_button.show()

    def print_offered(self) -> None:
        """Print the receipts offered so far (the clerk asked), then take the button away."""
        seqs, self._unprinted = self._unprinted, []
        if self._print_seq is not None:
            for seq in seqs:
                self._print_seq(seq)
        self.print_button.hide()

    def _build_entry_tab(self) -> QWidget:
        tab = QWidget(self)
        self.gate = QComboBox(tab)
        self.gate.setObjectName("scenicGate")
        for gate in self.ctx.counter.scenic.catalogue().gates:
            self.gate.addItem(gate, gate)
        gate_label = QLabel(self.tr("&Gate"), tab)
        gate_label.setBuddy(self.gate)
        self.verdict = QLabel(self.tr("Tap a card to check its pass."), tab)
        self.verdict.setObjectName("entryVerdict")
        self.verdict.setWordWrap(True)
        font = self.verdict.font()
        font.setPointSize(font.pointSize() * 2)
        self.verdict.setFont(font)
        self.photo = QLabel(tab)
        self.photo.setObjectName("entryPhoto")
        self.photo.setFixedSize(PHOTO_SIZE, PHOTO_SIZE)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setFrameShape(QLabel.Shape.StyledPanel)
        self.count_label = QLabel(tab)
        self.count_label.setObjectName("entryCount")
        row = QHBoxLayout()
        row.addWidget(gate_label)
        row.addWidget(self.gate, 1)
        row.addWidget(self.count_label)
        body = QHBoxLayout()
        body.addWidget(self.photo)
        body.addWidget(self.verdict, 1)
        layout = QVBoxLayout(tab)
        layout.addLayout(row)
        layout.addLayout(body, 1)
        return tab

    # -- the basket ------------------------------------------------------------------------------

    def add_ticket(self, code: str, count: int = 1) -> None:
        """Put ``count`` more tickets of ``code`` in the basket."""
        self.tabs.setCurrentIndex(SALE_TAB)
        self.counts[code] = max(self.counts.get(code, 0) + count, 0)
        self._refresh_basket()

    def clear_basket(self) -> None:
        """Empty the basket."""
        self.counts.clear()
        self._refresh_basket()

    def basket(self) -> Basket:
        """The basket at the prices in force (raises a clerk-facing error for a bad one)."""
        return self.ctx.counter.scenic.basket(self.counts)

    def _refresh_basket(self) -> None:
        try:
            basket = self.basket()
        except ClerkFacingError as exc:
            self._say_problem(exc)
            return
        catalogue = self.ctx.counter.scenic.catalogue()
        self.basket_table.setRowCount(len(basket.lines))
        for row, line in enumerate(basket.lines):
            product = catalogue.ticket(line.code)
            cells = (
                product.name if product else line.code,
                str(line.count),
                money(line.unit_fen),
                money(line.amount_fen),
            )
            for column, text in enumerate(cells):
                self.basket_table.setItem(row, column, QTableWidgetItem(text))
        self.total_label.setText(self.tr("Total: {0}").format(money(basket.total_fen)))
        self.pay_button.setEnabled(bool(basket.lines) and not self._busy)
        self._show_change()

    # -- paying ----------------------------------------------------------------------------------

    def change_fen(self) -> int | None:
        """The change to give back for cash (None: no amount tendered, or not cash)."""
        tendered = self.tendered.fen()
        if str(self.payment.currentData()) != PaymentMethod.CASH or tendered is None:
            return None
        return tendered - self.basket_total()

    def basket_total(self) -> int:
        """What the basket costs now (0 when it is empty or cannot be priced)."""
        try:
            return self.basket().total_fen
        except ClerkFacingError:
            return 0

    def _show_change(self) -> None:
        cash = str(self.payment.currentData()) == PaymentMethod.CASH
        for widget in (self.tendered_label, self.tendered, self.change_label):
            widget.setVisible(cash)
        change = self.change_fen()
        if change is None:
            self.change_label.clear()
        elif change < 0:
            self.change_label.setText(self.tr("{0} short").format(money(-change)))
            self.change_label.setStyleSheet(ERROR_STYLE)
        else:
            self.change_label.setText(self.tr("Change: {0}").format(money(change)))
            self.change_label.setStyleSheet(OK_STYLE)

    def pay(self) -> None:
        """Sell the basket with the chosen payment.

        From the purse: the card on the reader, its balance and the amount are shown first and
        the debit waits for an explicit yes (made on that card only). Cash: what was tendered
        must cover the total; the change is said.
        """
        session = self.ctx.session
        if self._busy:
            return
        try:
            session.require_actor(), session.require_shift()
            basket = self.basket()
        except ClerkFacingError as exc:
            self._say_problem(exc)
            return
        method = str(self.payment.currentData())
        change = self.change_fen()
        if change is not None and change < 0:
            self.sale_message.say(
                self.tr("{0} tendered is less than the total {1}.").format(
                    money(self.tendered.fen() or 0), money(basket.total_fen)
                ),
                MessageLabel.PROBLEM,
            )
            self.tendered.setFocus()
            return
        on_card = method == PaymentMethod.CARD_PURSE and basket.total_fen > 0
        tap = session.tap
        if on_card and tap is not None and (tap.balance_fen or 0) >= basket.total_fen:
            balance = tap.balance_fen or 0
            self.confirm_box = ask_to_confirm(
                self,
                self.tr("Pay from the card"),
                self.tr("Take {0} from card {1}?").format(money(basket.total_fen), tap.serial_text),
                self.tr("Balance {0} → {1} after the payment ({2} tickets).").format(
                    money(balance), money(balance - basket.total_fen), basket.ticket_count
                ),
                self.tr("&Yes, take it from the card"),
                lambda: self._sell(basket, method, tap.serial_text),
            )
            return
        self._sell(basket, method, None)

    def _sell(self, basket: Basket, method: str, expect_serial: str | None) -> None:
        session = self.ctx.session
        actor, shift = session.actor, session.shift
        if actor is None or shift is None:
            return
        scenic = self.ctx.counter.scenic
        on_card = method == PaymentMethod.CARD_PURSE and basket.total_fen > 0
        self.top_up_button.hide()

        def work(token: CancelToken, progress: Progress) -> TicketSale:
            card = self.ctx.open_card() if on_card else None
            if card is not None and expect_serial is not None:
                serial = card.serial.hex().upper()
                if serial != expect_serial:  # another card was put down after the question
                    raise WrongCardError(
                        "Card {found} is on the reader, not card {expected} that was shown.",
                        found=serial,
                        expected=expect_serial,
                    )
            return scenic.sell_tickets(
                actor, shift.id, basket, method, card, progress=progress, cancel=token
            )

        self._run(work, self._sold, self.tr("Selling tickets"), on_card=on_card)

    def _sold(self, sale: TicketSale) -> None:
        self.last_sale = sale
        self.clear_basket()
        paid = payment_label(sale.payment_method) if sale.payment_method else self.tr("free")
        text = self.tr("{0} tickets sold, {1} ({2}).").format(
            sale.basket.ticket_count, money(sale.total_fen), paid
        )
        tendered = self.tendered.fen()
        if sale.payment_method == PaymentMethod.CASH and tendered is not None:
            text += " " + self.tr("Give back {0} change.").format(money(tendered - sale.total_fen))
        self.tendered.clear()
        self.sale_message.say(text, MessageLabel.DONE)
        self.ctx.counter.sync_now()
        self.sold.emit(sale)
        self.receipt_ready.emit(sale.record_seq)

    def _top_up_first(self) -> None:
        self.top_up_button.hide()
        if self._top_up is not None:
            self._top_up()

    def open_pass_sale(self) -> PassSaleDialog:
        """The annual-pass sale dialog (for the card on the reader)."""
        dialog = PassSaleDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.pass_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "pass_dialog", None))
        dialog.sold.connect(lambda sale: self.receipt_ready.emit(sale.record_seq))
        dialog.open()
        return dialog

    # -- entry checks ----------------------------------------------------------------------------

    def show_entry_check(self) -> None:
        """Switch to the entry-check tab."""
        self.tabs.setCurrentIndex(ENTRY_TAB)

    def _on_tap(self, tap: Tap) -> None:
        if self.tabs.currentIndex() != ENTRY_TAB or not self.isVisible() or self._busy:
            return
        actor = self.ctx.session.actor
        if actor is None:
            self.verdict.setText(self.tr("Sign in to check entries."))
            return
        serial = tap.snapshot.public.serial_text
        blocked = tap.snapshot.blocked
        gate = str(self.gate.currentData())
        shift = self.ctx.session.shift
        scenic = self.ctx.counter.scenic

        def work(_token: CancelToken, _progress: Progress) -> EntryCheck:
            return scenic.check_serial(
                actor, serial, gate, None if shift is None else shift.id, blocked=blocked
            )

        self._run(work, self._checked, self.tr("Checking the pass"))

    def _checked(self, check: EntryCheck) -> None:
        self.last_check = check
        text = translated(check.template, check.params)
        if check.flagged:
            text += "\n" + translated(check.flag_template, check.params)
        if check.note_template:  # sold at another office, or the center could not be asked
            text += "\n" + translated(check.note_template, check.params)
        colour = "#0b3d17" if check.verdict.admits and not check.flagged else "#611a15"
        if check.verdict.admits and check.flagged:
            colour = "#7a4a00"
        self.verdict.setStyleSheet(f"color: {colour};")
        self.verdict.setText(text)
        self.count_label.setText(
            self.tr("Admitted today at this gate: {0}").format(check.admitted_today_at_gate)
        )
        photo = check.annual_pass.photo_path if check.annual_pass is not None else None
        pixmap = QPixmap(photo) if photo else QPixmap()
        self.photo.setPixmap(
            pixmap.scaled(
                PHOTO_SIZE,
                PHOTO_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            if not pixmap.isNull()
            else QPixmap()
        )
        self.photo.setText("" if not pixmap.isNull() else self.tr("No photo"))
        self.checked.emit(check)

    def verdict_of_last_check(self) -> EntryVerdict | None:
        """The last check's verdict (tests, accessibility)."""
        return None if self.last_check is None else self.last_check.verdict

    # -- work ------------------------------------------------------------------------------------

    def _run(
        self,
        work: Callable[[CancelToken, Progress], T],
        on_success: Callable[[T], None],
        label: str,
        *,
        on_card: bool = False,
    ) -> None:
        self._set_busy(True)

        def succeeded(result: T) -> None:
            self._set_busy(False)
            on_success(result)

        def failed(exc: BaseException) -> bool:
            self._set_busy(False)
            if isinstance(exc, Cancelled):
                return True
            if isinstance(exc, ClerkFacingError):
                self._say_problem(exc)
                return True
            return False  # the presenter logs and shows an internal error

        self.ctx.runner.run(work, succeeded, label=label, on_card=on_card, on_failure=failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy += 1 if busy else -1
        for widget in (self.pay_button, self.pass_button, self.clear_button):
            widget.setEnabled(not self._busy)
        if not self._busy:
            self._refresh_basket()

    def _say_problem(self, exc: ClerkFacingError) -> None:
        what, advice, _internal = describe(exc)
        text = f"{what}\n{advice}" if advice else what
        if self.tabs.currentIndex() == ENTRY_TAB:
            self.verdict.setStyleSheet("color: #611a15;")
            self.verdict.setText(text)
            return
        self.sale_message.say(text, MessageLabel.PROBLEM)
        self.top_up_button.setVisible(
            isinstance(exc, ScenicBalanceTooLowError) and self._top_up is not None
        )

    def show_finished(self, note: object) -> None:
        """A tap step's note: sales written for purse payments settled on this tap."""
        if not isinstance(note, list) or not note:
            return
        if not all(isinstance(x, TicketSale | PassSale) for x in note):
            return
        for sale in note:
            amount = sale.total_fen if isinstance(sale, TicketSale) else sale.amount_fen
            self.sale_message.say(
                self.tr(
                    "The interrupted payment of {0} was completed: hand over what was sold."
                ).format(money(amount)),
                MessageLabel.DONE,
            )
            self.receipt_ready.emit(sale.record_seq)

    def sale_message_text(self) -> str:
        """What the sale tab's message line says (tests, accessibility)."""
        return self.sale_message.text()
