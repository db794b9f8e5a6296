"""The top-up dialog (圈存): amount, payment method, limits, the write, and what to do after.

Keyboard first: the amount field has the focus; a bare digit 1…6 in the empty field (or Alt+1…6)
picks a preset — a second digit typed straight after it means the clerk was typing an amount, so
the two digits become the amount ("3" → ¥50 preset, "3" "0" → ¥30); Alt+C/B/W/L the payment
method; Enter tops up, Esc cancels. The card type's limits and the balance ceiling are on screen
before anything is confirmed, and the amount is checked as it is typed — first locally against
the card type's rules, then by :meth:`TopUpService.check` (blacklist, open intents, offline
brakes) on the pool.

The write runs on the card thread through the runner; meanwhile the dialog says "keep the card
on the reader" and cannot be closed. If the card leaves during CREDIT
(:class:`TopUpInterruptedError`) the dialog asks for the same card back and waits: the next tap
settles the open intent (the reader bridge's recovery step) and the main window hands the
resolution here (:meth:`TopUpDialog.take_resolutions`), which then says plainly either "done —
give the receipt" or "not done — redo or give the money back".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.card.session import CityCard
from app.domain.parameters import CardTypeRules
from app.domain.payment import PaymentMethod
from app.domain.texts import ClerkFacingError
from app.journal import RecordKind
from app.services.eligibility import check_amount
from app.services.errors import Cancelled, ServiceError
from app.services.progress import CancelToken, Progress
from app.services.recovery import Resolution, Settlement
from app.services.topup import TopUpInterruptedError, TopUpReceipt
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, ask_to_confirm, form_label
from app.ui.forms import ERROR_STYLE, OK_STYLE, AmountEdit, big_font, yuan
from app.ui.messages import describe, translated
from app.ui.reader_bridge import ReaderBridge, Tap
from app.ui.tasks import Task

PrintReceipt = Callable[[int], None]  # the journal seq of the top-up's outcome record

PRESETS_FEN = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
CHECK_DELAY_MS = 150
STALL_ADVICE_S = 10  # the reader or the SAM has not answered for this long: say what to do


def stall_advice_s() -> int:
    """After how many seconds of silence the clerk is told what to do (tests shorten it)."""
    return STALL_ADVICE_S


class PresetKeys(QObject):
    """Bare digits on the empty amount field pick the presets (an event filter on the field)."""

    def __init__(self, dialog: TopUpDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._picked: str | None = None  # the digit that picked the preset now shown

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Digit 1…6 on an empty field: the preset; the next digit: both digits typed."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        field = self._dialog.amount
        text = event.text()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not plain or len(text) != 1 or not text.isdigit():
            if event.key() not in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt):
                self._picked = None
            return False
        picked, self._picked = self._picked, None
        if picked is not None and field.text() == self._dialog.preset_text(picked):
            field.setText(picked + text)  # the clerk was typing an amount, not picking
            return True
        index = int(text) - 1
        if field.text() == "" and 0 <= index < len(PRESETS_FEN):
            button = self._dialog.preset_buttons[PRESETS_FEN[index]]
            if button.isEnabled():
                self._dialog.pick_preset(PRESETS_FEN[index])
                self._picked = text
                return True
        return False


class OtherCardError(ClerkFacingError):
    """The card on the reader is not the one the dialog was opened for (nothing was written)."""


def payment_text(method: str) -> str:
    """A payment method in the clerk's words."""
    names = {
        PaymentMethod.CASH.value: QCoreApplication.translate("TopUpDialog", "cash"),
        PaymentMethod.BANK_CARD.value: QCoreApplication.translate("TopUpDialog", "bank card"),
        PaymentMethod.WECHAT.value: QCoreApplication.translate("TopUpDialog", "WeChat Pay"),
        PaymentMethod.ALIPAY.value: QCoreApplication.translate("TopUpDialog", "Alipay"),
        PaymentMethod.BALANCE_TRANSFER.value: QCoreApplication.translate(
            "TopUpDialog", "balance transfer"
        ),
    }
    return names.get(method, method)


def stage_text(stage: str) -> str:
    """A top-up's stage (the service's progress report) in the clerk's words."""
    texts = {
        "reading": QCoreApplication.translate("TopUpDialog", "Reading the card…"),
        "authorizing": QCoreApplication.translate("TopUpDialog", "Authorising the load…"),
        "writing": QCoreApplication.translate("TopUpDialog", "Writing to the card…"),
        "verifying": QCoreApplication.translate("TopUpDialog", "Checking the card's answer…"),
    }
    return texts.get(stage, stage)


def is_load(resolution: Resolution) -> bool:
    """Whether the settled write was a top-up (not a scenic purchase)."""
    return str(resolution.kind) == RecordKind.LOAD_INTENT.value


def resolution_text(resolution: Resolution) -> tuple[str, str]:
    """(what happened, what to do) about an interrupted card write, in the clerk's words."""
    if not is_load(resolution):  # another flow's write: the service's own translatable sentence
        return translated(resolution.template or resolution.message, resolution.params), ""
    amount = yuan(resolution.amount_fen)
    serial = resolution.card_serial
    if resolution.settlement is Settlement.DONE:
        advice = QCoreApplication.translate("TopUpDialog", "Give the customer the receipt.")
        if resolution.balance_fen is not None:
            advice += " " + QCoreApplication.translate(
                "TopUpDialog", "The balance is now {0}."
            ).format(yuan(resolution.balance_fen))
        return (
            QCoreApplication.translate(
                "TopUpDialog", "Done: the interrupted top-up of {0} on card {1} was completed."
            ).format(amount, serial),
            advice,
        )
    if resolution.settlement is Settlement.NOT_DONE:
        return (
            QCoreApplication.translate(
                "TopUpDialog", "Not done: the interrupted top-up of {0} on card {1} did not happen."
            ).format(amount, serial),
            QCoreApplication.translate(
                "TopUpDialog",
                "The card was not loaded. Redo the top-up, or give the customer {0} back.",
            ).format(amount),
        )
    return (
        QCoreApplication.translate(
            "TopUpDialog", "The card cannot tell whether the top-up of {0} on card {1} happened."
        ).format(amount, serial),
        QCoreApplication.translate(
            "TopUpDialog",
            "Keep the payment record; a supervisor settles it with the clearing center.",
        ),
    )


def rules_text(rules: CardTypeRules, balance_fen: int) -> str:
    """The card type's limits and the room under the balance ceiling."""
    room = max(min(rules.balance_ceiling_fen - balance_fen, rules.max_load_fen), 0)
    room -= room % rules.multiple_of_fen  # what can really be loaded: whole steps
    return "\n".join(
        (
            QCoreApplication.translate(
                "TopUpDialog", "{0}: top-ups of {1} to {2}, in multiples of {3}"
            ).format(
                rules.name,
                yuan(rules.min_load_fen),
                yuan(rules.max_load_fen),
                yuan(rules.multiple_of_fen),
            ),
            QCoreApplication.translate(
                "TopUpDialog", "Balance ceiling {0}: at most {1} can be loaded now"
            ).format(yuan(rules.balance_ceiling_fen), yuan(room)),
        )
    )


class TopUpDialog(FlowDialog):
    """One top-up of the card on the reader."""

    AMOUNT, WRITING, DONE, INTERRUPTED, SETTLED = range(5)
    topped_up = Signal(object)  # TopUpReceipt, or the Resolution of a recovered top-up
    _stage_reported = Signal(str)  # from the card thread: queued to the GUI thread

    def __init__(
        self,
        ctx: UiContext,
        bridge: ReaderBridge,
        parent: QWidget | None = None,
        *,
        print_receipt: PrintReceipt | None = None,
        auto_print: bool = False,
    ) -> None:
        super().__init__(ctx, parent)
        self.auto_print = auto_print  # print the receipt as soon as the top-up is done
        self.setWindowTitle(self.tr("Top up the card"))
        self.setObjectName("topUpDialog")
        self._bridge = bridge
        self.print_receipt = print_receipt  # the printing helper's hook
        self._tap: Tap | None = bridge.last_tap
        self._rules: CardTypeRules | None = None
        self._serial = self._tap.view.serial_text if self._tap else ""
        self._check_generation = 0
        self.receipt: TopUpReceipt | None = None
        self.resolution: Resolution | None = None
        self._outcome_seq: int | None = None
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._full_check)
        self._stage_reported.connect(self._stage)

        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_amount())
        self._pages.addWidget(self._build_writing())
        self._pages.addWidget(self._build_done())
        self._pages.addWidget(self._build_interrupted())
        self._pages.addWidget(self._build_settled())
        self.primary = self.make_button(self.tr("&Top up"), self._advance)
        self.primary.setObjectName("topUpPrimary")
        self.set_primary(self._advance)
        self.print_button = self.make_button(self.tr("&Print receipt"), self._print)
        self.print_button.setVisible(False)
        self.cancel_button = self.make_button(self.tr("Cancel"), self.reject)
        self.leave_button = self.make_button(
            self.tr("Leave it &unfinished…"), self._ask_to_leave_unfinished
        )
        self.leave_button.setVisible(False)
        self.confirm_box: QWidget | None = None
        self._leaving = False
        buttons = QHBoxLayout()
        buttons.addWidget(self.leave_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.primary)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._header())
        layout.addWidget(self._pages, 1)
        layout.addWidget(self.stall_advice)
        layout.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.lock_while_busy(self._pages)
        self.setMinimumWidth(620)
        self._load_rules()
        self._show(self.AMOUNT)

    # -- building --------------------------------------------------------------------------------

    def _header(self) -> QWidget:
        box = QWidget(self)
        self.card_line = QLabel(box)
        self.card_line.setObjectName("topUpCard")
        self.balance_label = QLabel(box)
        self.balance_label.setObjectName("topUpBalance")
        self.balance_label.setFont(big_font(22))
        self.balance_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.card_line, 1)
        row.addWidget(self.balance_label)
        return box

    def _build_amount(self) -> QWidget:
        page = QWidget(self)
        self.check_line = QLabel(page)
        self.check_line.setObjectName("topUpCheck")
        self.check_line.setWordWrap(True)
        self.check_line.setFont(big_font(12, bold=False))
        self.limits = QLabel(page)
        self.limits.setObjectName("topUpLimits")
        self.limits.setWordWrap(True)
        presets = QGroupBox(self.tr("Presets"), page)
        grid = QGridLayout(presets)
        self.preset_buttons: dict[int, QPushButton] = {}
        for index, fen in enumerate(PRESETS_FEN):
            button = QPushButton(f"&{index + 1}   {yuan(fen)}", presets)
            button.setObjectName(f"preset_{fen}")
            button.setAutoDefault(False)
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _checked=False, f=fen: self._preset(f))
            grid.addWidget(button, index // 3, index % 3)
            self.preset_buttons[fen] = button
        self.amount = AmountEdit(page)
        self.amount.setObjectName("topUpAmount")
        self.amount.setFont(big_font(20))
        self.amount.textChanged.connect(self._amount_changed)
        self.on_enter(self.amount, self._advance)
        self._preset_keys = PresetKeys(self)
        self.amount.installEventFilter(self._preset_keys)
        payment = QGroupBox(self.tr("Payment"), page)
        pay_row = QHBoxLayout(payment)
        self.payment_group = QButtonGroup(self)
        self.payment_buttons: dict[str, QRadioButton] = {}
        labels = (
            (PaymentMethod.CASH, self.tr("&Cash")),
            (PaymentMethod.BANK_CARD, self.tr("&Bank card")),
            (PaymentMethod.WECHAT, self.tr("&WeChat Pay")),
            (PaymentMethod.ALIPAY, self.tr("A&lipay")),
        )
        for method, text in labels:
            radio = QRadioButton(text, payment)
            radio.setObjectName(f"pay_{method.value}")
            radio.toggled.connect(self._amount_changed)
            self.payment_group.addButton(radio)
            pay_row.addWidget(radio)
            self.payment_buttons[method.value] = radio
            self.on_enter(radio, self._advance)
        self.payment_buttons[PaymentMethod.CASH.value].setChecked(True)
        form = QFormLayout()
        form.addRow(form_label(self.tr("&Amount (¥):"), self.amount, page), self.amount)
        layout = QVBoxLayout(page)
        layout.addWidget(self.limits)
        layout.addWidget(presets)
        layout.addLayout(form)
        layout.addWidget(payment)
        layout.addWidget(self.check_line)
        layout.addStretch(1)
        self.setTabOrder(self.amount, self.payment_buttons[PaymentMethod.CASH.value])
        return page

    def _build_writing(self) -> QWidget:
        page = QWidget(self)
        keep = QLabel(self.tr("Keep the card on the reader"), page)
        keep.setObjectName("keepCard")
        keep.setFont(big_font(20))
        keep.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stage_line = QLabel(page)
        self.stage_line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.elapsed_line = QLabel(page)
        self.elapsed_line.setObjectName("topUpElapsed")
        self.elapsed_line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stall_advice = QLabel(self)  # outside the page: the page is locked while busy
        self.stall_advice.setObjectName("topUpStall")
        self.stall_advice.setWordWrap(True)
        self.stall_advice.setStyleSheet(ERROR_STYLE)
        self.stall_advice.hide()
        self.stop_button = QPushButton(self.tr("&Stop waiting"), self)
        self.stop_button.setObjectName("topUpStop")
        self.stop_button.setAutoDefault(False)
        self.stop_button.clicked.connect(self._stop_waiting)
        self.stop_button.hide()
        self._elapsed = 0
        self._elapsed_timer = QTimer(self)
        self._elapsed_timer.setInterval(1000)
        self._elapsed_timer.timeout.connect(self._tick)
        self._task: Task[TopUpReceipt] | None = None
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(keep)
        layout.addWidget(self.stage_line)
        layout.addWidget(self.elapsed_line)
        layout.addStretch(1)
        return page

    def _tick(self) -> None:
        """One more second waiting for the reader/SAM: say so; after a while, what to do."""
        self._elapsed += 1
        self.elapsed_line.setText(self.tr("Waiting {0} s").format(self._elapsed))
        if self._elapsed >= stall_advice_s() and self.stall_advice.isHidden():
            self.stall_advice.setText(
                self.tr(
                    "The card reader has not answered for {0} s. Check its cable and that the "
                    "card lies flat. You may stop waiting: if nothing was written, nothing is "
                    "charged; if the card was being written, the counter checks it on the next "
                    "tap and says what happened."
                ).format(stall_advice_s())
            )
            self.stall_advice.show()
            self.stop_button.show()
            self.stop_button.setFocus()

    def _stop_waiting(self) -> None:
        """Ask the top-up to stop at its next safe point; the journal decides what happened."""
        if self._task is not None:
            self._task.cancel()
        self.stop_button.setEnabled(False)
        self.stall_advice.setText(
            self.tr(
                "Stopping: the counter stops at the next safe point. If the card was already "
                "being written, wait for its answer — the journal then says whether it happened."
            )
        )

    def _build_done(self) -> QWidget:
        page = QWidget(self)
        heading = QLabel(self.tr("Top-up done: give the customer the receipt"), page)
        heading.setFont(big_font(15))
        heading.setStyleSheet(OK_STYLE)
        self.summary = QLabel(page)
        self.summary.setObjectName("receiptSummary")
        self.summary.setFont(big_font(12, bold=False))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        return page

    def _build_interrupted(self) -> QWidget:
        page = QWidget(self)
        heading = QLabel(self.tr("The card left the reader during the top-up"), page)
        heading.setFont(big_font(16))
        heading.setStyleSheet(ERROR_STYLE)
        heading.setWordWrap(True)
        put_back = QLabel(self.tr("Put the same card back on the reader."), page)
        put_back.setObjectName("putBack")
        put_back.setFont(big_font(20))
        put_back.setWordWrap(True)
        note = QLabel(
            self.tr(
                "The counter then checks whether the card was loaded. Do not take or give back "
                "money until it says so."
            ),
            page,
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(put_back)
        layout.addWidget(note)
        layout.addStretch(1)
        return page

    def _build_settled(self) -> QWidget:
        page = QWidget(self)
        self.settled_what = QLabel(page)
        self.settled_what.setObjectName("settledWhat")
        self.settled_what.setFont(big_font(15))
        self.settled_what.setWordWrap(True)
        self.settled_advice = QLabel(page)
        self.settled_advice.setObjectName("settledAdvice")
        self.settled_advice.setFont(big_font(13, bold=False))
        self.settled_advice.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.settled_what)
        layout.addWidget(self.settled_advice)
        layout.addStretch(1)
        return page

    # -- state -----------------------------------------------------------------------------------

    def page(self) -> int:
        """The step shown (AMOUNT, WRITING, DONE, INTERRUPTED or SETTLED)."""
        return self._pages.currentIndex()

    def is_waiting_for_card(self) -> bool:
        """Whether the dialog waits for the interrupted card to come back."""
        return self.page() == self.INTERRUPTED

    def _show(self, page: int) -> None:
        self._pages.setCurrentIndex(page)
        if page != self.WRITING:
            self.stall_advice.hide()
            self.stop_button.hide()
        can_print = self.print_receipt is not None and self._outcome_seq is not None
        self.print_button.setVisible(page in (self.DONE, self.SETTLED) and can_print)
        primary = {
            self.AMOUNT: self.tr("&Top up"),
            self.WRITING: self.tr("&Top up"),
            self.DONE: self.tr("&Done"),
            self.INTERRUPTED: self.tr("Check the card &again"),
            self.SETTLED: self.tr("&Done"),
        }[page]
        resolution = self.resolution
        if page == self.SETTLED and resolution and resolution.settlement is Settlement.NOT_DONE:
            primary = self.tr("&Redo the top-up")
        self.primary.setText(primary)
        self.primary.setVisible(page != self.WRITING)
        finished = page in (self.DONE, self.SETTLED)
        self.cancel_button.setText(self.tr("Close") if finished else self.tr("Cancel"))
        # "Done" already closes: a second button saying the same would only be noise; and while
        # the money is undecided only an explicit "leave it unfinished" closes the dialog
        undecided = page == self.INTERRUPTED
        self.cancel_button.setVisible(primary != self.tr("&Done") and not undecided)
        self.leave_button.setVisible(undecided)
        if page == self.AMOUNT:
            self.amount.setFocus()
            self.amount.selectAll()
        elif page != self.WRITING:
            self.primary.setFocus()

    def _load_rules(self) -> None:
        tap = self._tap
        if tap is None:
            self.card_line.setText(self.tr("No card on the reader"))
            self.balance_label.setText("—")
            self.limits.setText(self.tr("Put the card on the reader first."))
            return
        view = tap.view
        holder = f" · {view.holder_name}" if view.holder_name else ""
        self.card_line.setText(self.tr("Card {0}{1}").format(view.serial_text, holder))
        self.balance_label.setText(self.tr("Balance {0}").format(yuan(view.balance_fen)))
        self._rules = self.ctx.counter.topups.parameters().card_type(view.card_type)
        if self._rules is None:
            unknown = self.tr("Card type {0} is unknown to this counter: it cannot be loaded.")
            self.limits.setText(unknown.format(f"{view.card_type:02X}"))
            self.limits.setStyleSheet(ERROR_STYLE)
        else:
            self.limits.setText(rules_text(self._rules, view.balance_fen))
            self.limits.setStyleSheet("")
        for fen, button in self.preset_buttons.items():
            button.setEnabled(self._allowed(fen))

    def _allowed(self, fen: int) -> bool:
        if self._rules is None or self._tap is None:
            return False
        try:
            check_amount(fen, self._tap.view.balance_fen, self._rules)
        except ServiceError:
            return False
        return True

    def payment_method(self) -> str:
        """The payment method chosen."""
        for method, radio in self.payment_buttons.items():
            if radio.isChecked():
                return method
        return PaymentMethod.CASH.value

    # -- the amount ------------------------------------------------------------------------------

    def _preset(self, fen: int) -> None:
        self.amount.set_fen(fen)
        self.amount.setFocus()

    def pick_preset(self, fen: int) -> None:
        """Put the preset ``fen`` in the amount field (as its button does)."""
        self._preset(fen)

    def preset_text(self, digit: str) -> str:
        """What the amount field shows after preset ``digit`` (1…6) was picked."""
        fen = PRESETS_FEN[int(digit) - 1]
        whole, cents = divmod(fen, 100)
        return f"{whole}" if not cents else f"{whole}.{cents:02d}"

    def _say_check(self, text: str, ok: bool) -> None:
        self.check_line.setText(text)
        self.check_line.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)

    def _local_check(self) -> int | None:
        """The amount if the card type's rules allow it (and says why not); no I/O."""
        fen = self.amount.fen()
        if fen is None or self._tap is None:
            self.check_line.clear()
            return None
        if self._rules is None:
            self._say_check(self.tr("This card type cannot be loaded here."), ok=False)
            return None
        try:
            return check_amount(fen, self._tap.view.balance_fen, self._rules)
        except ServiceError as exc:
            what, advice, _ = describe(exc)
            self._say_check(f"{what}\n{advice}", ok=False)
            return None

    def _amount_changed(self) -> None:
        self._check_generation += 1
        self.message.clear_message()
        if self._local_check() is not None:
            self._check_timer.start()

    def _full_check(self) -> None:
        """TopUpService.check on the pool: blacklist, interrupted top-ups, offline brakes."""
        fen = self._local_check()
        tap, shift = self._tap, self.ctx.session.shift
        if fen is None or tap is None or shift is None:
            return
        generation = self._check_generation
        method = self.payment_method()
        topups = self.ctx.counter.topups

        def work(_token: CancelToken, _progress: Progress) -> int:
            return topups.check(tap.snapshot, fen, method, shift.id)

        def passed(amount: int) -> None:
            if generation == self._check_generation and self.page() == self.AMOUNT:
                after = tap.view.balance_fen + amount
                self._say_check(
                    self.tr("{0} by {1}: the balance becomes {2}.").format(
                        yuan(amount), payment_text(method), yuan(after)
                    ),
                    ok=True,
                )

        def refused(exc: BaseException) -> bool:
            if generation != self._check_generation:
                return True  # an older amount's answer
            what, advice, internal = describe(exc)
            if internal:
                return False
            self._say_check(f"{what}\n{advice}", ok=False)
            return True

        self.ctx.runner.run(work, passed, label=self.tr("Checking"), on_failure=refused)

    # -- the write -------------------------------------------------------------------------------

    def _advance(self) -> None:
        page = self.page()
        if page == self.AMOUNT:
            self._top_up()
        elif page == self.INTERRUPTED:
            self._bridge.refresh()  # the card may still be on the reader: settle it now
        elif page == self.SETTLED and self.resolution is not None:
            if self.resolution.settlement is Settlement.NOT_DONE:
                self._redo()
            else:
                self.accept()
        else:
            self.accept()

    def _top_up(self) -> None:
        actor, shift = self.ctx.session.actor, self.ctx.session.shift
        if actor is None or shift is None:
            self.say_problem(self.tr("There is no open shift."), self.tr("Open a shift first."))
            return
        if self._tap is None:
            self.say_problem(self.tr("There is no card on the reader."))
            return
        fen = self._local_check()
        if fen is None:
            if self.amount.fen() is None:
                self.say_problem(self.tr("Type the amount, or pick a preset with its digit 1…6."))
            self.amount.setFocus()
            return
        method = self.payment_method()
        connect, topups = self.ctx.connect, self.ctx.counter.topups
        self._check_timer.stop()
        self._check_generation += 1

        report = self._stage_reported.emit
        expected = self._serial

        def work(token: CancelToken, progress: Progress) -> TopUpReceipt:
            def stage(name: str) -> None:
                progress(stage_text(name))
                report(name)

            transport = connect()
            try:
                card = CityCard.open(transport)
                serial = card.serial.hex().upper()
                if serial != expected:  # another card was put down since the dialog opened
                    raise OtherCardError(
                        "The card on the reader is {serial}, not card {expected} that this "
                        "top-up is for.",
                        "Put card {expected} back on the reader, or close and start again.",
                        serial=serial,
                        expected=expected,
                    )
                return topups.top_up(
                    actor, shift.id, card, fen, method, progress=stage, cancel=token
                )
            finally:
                transport.close()

        self.stage_line.setText(stage_text("reading"))
        self._elapsed = 0
        self.elapsed_line.clear()
        self.stall_advice.hide()
        self.stop_button.hide()
        self.stop_button.setEnabled(True)
        self._elapsed_timer.start()
        self._show(self.WRITING)
        self.message.clear_message()
        self._task = self.run(
            work,
            self._done,
            label=self.tr("Top-up: keep the card on the reader"),
            on_card=True,
            on_problem=self._failed,
            progress_dialog=False,  # the dialog's own page says "keep the card", with the time
        )

    def _stage(self, stage: str) -> None:
        self.stage_line.setText(stage_text(stage))

    def _done(self, receipt: TopUpReceipt) -> None:
        self._elapsed_timer.stop()
        self._task = None
        self.receipt = receipt
        self._outcome_seq = receipt.outcome_seq
        lines = [
            self.tr("Card {0}").format(receipt.card_serial),
            self.tr("Loaded {0} by {1}").format(
                yuan(receipt.amount_fen), payment_text(receipt.payment_method)
            ),
            self.tr("Balance {0} → {1}").format(
                yuan(receipt.balance_before_fen), yuan(receipt.balance_after_fen)
            ),
            self.tr("Time {0} · terminal {1}").format(
                receipt.card_time.strftime("%Y-%m-%d %H:%M:%S"), receipt.terminal_id
            ),
            self.tr("TAC {0} · journal no. {1}").format(
                receipt.tac.hex().upper(), receipt.outcome_seq
            ),
        ]
        self.summary.setText("\n".join(lines))
        self.balance_label.setText(self.tr("Balance {0}").format(yuan(receipt.balance_after_fen)))
        self._show(self.DONE)
        self.topped_up.emit(receipt)  # the runner then re-reads the card for the window
        if self.auto_print:
            self._print()

    def _failed(self, exc: BaseException) -> None:
        self._elapsed_timer.stop()
        self._task = None
        if isinstance(exc, Cancelled):
            self._show(self.AMOUNT)
            self.say_problem(
                self.tr("Stopped: nothing was written to the card and nothing is charged."),
                self.tr("Check the reader, then top up again."),
            )
            return
        if isinstance(exc, TopUpInterruptedError):
            self.message.clear_message()
            self._show(self.INTERRUPTED)
            return
        self.check_line.clear()  # the message below says it: once, not twice
        self._show(self.AMOUNT)  # nothing was written: the clerk may correct and try again

    # -- recovery --------------------------------------------------------------------------------

    def take_resolutions(self, resolutions: list[Resolution]) -> bool:
        """Show the settlement of this dialog's interrupted top-up; False when it is not ours."""
        if not self.is_waiting_for_card():
            return False
        mine = [r for r in resolutions if r.card_serial == self._serial and is_load(r)]
        if not mine:
            return False
        resolution = mine[-1]
        self.resolution = resolution
        self._outcome_seq = (
            resolution.outcome_seq if resolution.settlement is Settlement.DONE else None
        )
        what, advice = resolution_text(resolution)
        self.settled_what.setText(what)
        self.settled_what.setStyleSheet(
            OK_STYLE if resolution.settlement is Settlement.DONE else ERROR_STYLE
        )
        self.settled_advice.setText(advice)
        if resolution.balance_fen is not None:
            self.balance_label.setText(self.tr("Balance {0}").format(yuan(resolution.balance_fen)))
        self._show(self.SETTLED)
        if resolution.settlement is Settlement.DONE:
            self.topped_up.emit(resolution)
            if self.auto_print:
                self._print()
        return True

    def reject(self) -> None:
        """Esc / Close: never while the money is undecided (the card left mid-write)."""
        if self.page() == self.INTERRUPTED and not self._leaving:
            self.say_problem(
                self.tr("The top-up is not settled yet: the dialog stays open."),
                self.tr(
                    "Put the same card back on the reader. If the customer has left with it, "
                    "choose “Leave it unfinished” (Alt+U): the window keeps a banner until the "
                    "card comes back."
                ),
            )
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """The window's close button: like Esc."""
        if self.page() == self.INTERRUPTED and not self._leaving:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def _ask_to_leave_unfinished(self) -> None:
        self.confirm_box = ask_to_confirm(
            self,
            self.tr("Leave the top-up unfinished"),
            self.tr("Close without knowing whether card {0} was loaded?").format(self._serial),
            self.tr(
                "Take or give back no money now. The window shows “Unfinished top-up” until "
                "the card is put on the reader again; the counter then says what happened."
            ),
            self.tr("&Yes, leave it unfinished"),
            self._leave_unfinished,
        )

    def _leave_unfinished(self) -> None:
        self._leaving = True
        super().reject()

    def _redo(self) -> None:
        """Back to the amount, same amount and method, on the card as read after the settle."""
        self._tap = self._bridge.last_tap
        self.resolution = None
        self._outcome_seq = None
        self._load_rules()
        self._show(self.AMOUNT)
        self._amount_changed()

    def _print(self) -> None:
        if self.print_receipt is not None and self._outcome_seq is not None:
            self.print_receipt(self._outcome_seq)
