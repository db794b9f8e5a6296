"""Opening a shift with its cash float; closing it with a blind count by denomination.

The close is blind (product.md): the clerk types the pieces of each note and coin and declares
the count *before* the expected cash is shown. Declaring runs
:meth:`ShiftService.declare_count` and then :meth:`ShiftService.close_shift`; only then does the
dialog show the expected amount and the difference. Within tolerance the shift is closed at
once; beyond it the service refuses (:class:`CashDifferenceError`, and the count is final from
then on) and the dialog asks for a reason and a supervisor's approval
(:class:`app.ui.approval.ApprovalDialog`), then closes with both.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.people import Approval
from app.services.operators import ApprovalPurpose
from app.services.progress import CancelToken, Progress
from app.services.shifts import (
    DENOMINATIONS_FEN,
    MAX_PIECES_PER_DENOMINATION,
    CashDifferenceError,
    ShiftCloseResult,
)
from app.store.shifts import Shift
from app.ui.approval import ApprovalDialog
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label
from app.ui.forms import ERROR_STYLE, AmountEdit, big_font, yuan

PrintReport = Callable[[ShiftCloseResult], None]


class ShiftOpenDialog(FlowDialog):
    """The opening float (the cash in the drawer); Enter opens the shift."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle(self.tr("Open a shift"))
        self.setObjectName("shiftOpenDialog")
        actor = ctx.session.actor
        who = actor.display_name if actor else ""
        heading = QLabel(self.tr("Open a shift for {0}").format(who), self)
        heading.setFont(big_font(14))
        note = QLabel(
            self.tr("Count the cash in the drawer now and type it: it is the opening float."),
            self,
        )
        note.setWordWrap(True)
        self.float_edit = AmountEdit(self)
        self.float_edit.setObjectName("openingFloat")
        self.float_edit.setFont(big_font(16))
        form = QFormLayout()
        label = form_label(self.tr("Opening &float (¥):"), self.float_edit, self)
        form.addRow(label, self.float_edit)
        self.open_button = self.make_button(self.tr("&Open shift"), self._open)
        self.cancel_button = self.make_button(self.tr("Cancel"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.lock_while_busy(self.float_edit)
        self.on_enter(self.float_edit, self._open)
        self.setMinimumWidth(440)
        self.float_edit.setFocus()

    def _open(self) -> None:
        amount = self.float_edit.fen()
        if amount is None:
            self.say_problem(
                self.tr("Type the opening float."), self.tr("Type 0 when the drawer is empty.")
            )
            self.float_edit.setFocus()
            return
        actor = self.ctx.session.actor
        if actor is None:
            self.say_problem(self.tr("Nobody is signed in."), self.tr("Sign in first."))
            return
        shifts = self.ctx.counter.shifts

        def work(_token: CancelToken, _progress: Progress) -> Shift:
            return shifts.open_shift(actor, amount)

        self.run(work, self._opened, label=self.tr("Opening the shift"))

    def _opened(self, shift: Shift) -> None:
        self.ctx.session.set_shift(shift)
        self.accept()


class ShiftCloseDialog(FlowDialog):
    """Blind count → (difference, reason, approval) → the close, for the operator's own shift."""

    COUNT, JUSTIFY, CLOSED = range(3)

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        print_report: PrintReport | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle(self.tr("Close the shift"))
        self.setObjectName("shiftCloseDialog")
        self.print_report = print_report  # the printing helper's hook: the shift report
        self.close_result: ShiftCloseResult | None = None
        self._difference: CashDifferenceError | None = None
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_count())
        self._pages.addWidget(self._build_justify())
        self._pages.addWidget(self._build_closed())
        self.primary = self.make_button(self.tr("&Declare count"), self._advance)
        self.set_primary(self._advance)
        self.cancel_button = self.make_button(self.tr("Cancel"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.primary)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._pages, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.lock_while_busy(self._pages)
        self.setMinimumWidth(560)
        shift = ctx.session.shift
        if shift is not None and shift.count_final:
            # the expected cash was shown already: the count cannot change, go to the close
            self._show(self.COUNT)
            self._fill_counted(shift)
            self._close()
        else:
            if shift is not None and shift.counted is not None:
                self._fill_counted(shift)
            self._show(self.COUNT)

    # -- pages -----------------------------------------------------------------------------------

    def _build_count(self) -> QWidget:
        page = QWidget(self)
        shift = self.ctx.session.shift
        heading = QLabel(
            self.tr("Count the drawer of shift {0}").format(shift.id if shift else "—"), page
        )
        heading.setFont(big_font(14))
        note = QLabel(
            self.tr(
                "Type how many of each note and coin are in the drawer. The expected amount is "
                "shown only after you declare your count; after that the count cannot change."
            ),
            page,
        )
        note.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Denomination"), page), 0, 0)
        grid.addWidget(QLabel(self.tr("Pieces"), page), 0, 1)
        grid.addWidget(QLabel(self.tr("Amount"), page), 0, 2)
        self.pieces: dict[int, QLineEdit] = {}
        self._subtotals: dict[int, QLabel] = {}
        validator = QIntValidator(0, MAX_PIECES_PER_DENOMINATION, page)
        for row, denomination in enumerate(DENOMINATIONS_FEN, start=1):
            edit = QLineEdit(page)
            edit.setObjectName(f"pieces_{denomination}")
            edit.setValidator(validator)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setPlaceholderText("0")
            edit.textChanged.connect(self._recount)
            subtotal = QLabel(yuan(0), page)
            subtotal.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            subtotal.setMinimumWidth(110)
            if denomination > 100:
                kind = self.tr("notes")
            elif denomination == 100:
                kind = self.tr("notes and coins")
            else:
                kind = self.tr("coins")
            grid.addWidget(form_label(f"{yuan(denomination)} {kind}", edit, page), row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(subtotal, row, 2)
            self.pieces[denomination] = edit
            self._subtotals[denomination] = subtotal
        edits = list(self.pieces.values())
        for edit, after in itertools.pairwise(edits):
            self.on_enter(edit, after.setFocus)
            self.setTabOrder(edit, after)
        self.on_enter(edits[-1], self._advance)
        self.counted_total = QLabel(yuan(0), page)
        self.counted_total.setObjectName("countedTotal")
        self.counted_total.setFont(big_font(16))
        total_row = QHBoxLayout()
        total_row.addWidget(QLabel(self.tr("Counted in total:"), page))
        total_row.addStretch(1)
        total_row.addWidget(self.counted_total)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(grid)
        layout.addLayout(total_row)
        return page

    def _build_justify(self) -> QWidget:
        page = QWidget(self)
        heading = QLabel(self.tr("The cash differs from the expected amount"), page)
        heading.setFont(big_font(14))
        heading.setStyleSheet(ERROR_STYLE)
        self.figures = QLabel(page)
        self.figures.setObjectName("differenceFigures")
        self.figures.setFont(big_font(13, bold=False))
        note = QLabel(
            self.tr(
                "The difference is more than the tolerance. Write down why, then a supervisor "
                "approves the close."
            ),
            page,
        )
        note.setWordWrap(True)
        self.reason = QLineEdit(page)
        self.reason.setObjectName("differenceReason")
        self.reason.setMaxLength(500)
        form = QFormLayout()
        form.addRow(form_label(self.tr("&Reason:"), self.reason, page), self.reason)
        self.on_enter(self.reason, self._advance)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.figures)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _build_closed(self) -> QWidget:
        page = QWidget(self)
        heading = QLabel(self.tr("Shift closed"), page)
        heading.setFont(big_font(14))
        self.summary = QLabel(page)
        self.summary.setObjectName("closeSummary")
        self.summary.setFont(big_font(13, bold=False))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        return page

    def page(self) -> int:
        """Which step is shown (COUNT, JUSTIFY or CLOSED)."""
        return self._pages.currentIndex()

    def _show(self, page: int) -> None:
        self._pages.setCurrentIndex(page)
        texts = {
            self.COUNT: self.tr("&Declare count"),
            self.JUSTIFY: self.tr("Ask a &supervisor and close"),
            self.CLOSED: self.tr("&Print report") if self.print_report else self.tr("&Done"),
        }
        self.primary.setText(texts[page])
        self.cancel_button.setText(self.tr("Close") if page == self.CLOSED else self.tr("Cancel"))
        self.cancel_button.setVisible(page != self.CLOSED or self.print_report is not None)
        if page == self.COUNT:
            next(iter(self.pieces.values())).setFocus()
        elif page == self.JUSTIFY:
            self.reason.setFocus()
        else:
            self.primary.setFocus()

    # -- the count -------------------------------------------------------------------------------

    def counted(self) -> dict[int, int]:
        """The pieces typed per denomination (empty fields are 0)."""
        return {d: int(edit.text() or 0) for d, edit in self.pieces.items()}

    def _recount(self) -> None:
        counted = self.counted()
        for denomination, pieces in counted.items():
            self._subtotals[denomination].setText(yuan(denomination * pieces))
        self.counted_total.setText(yuan(sum(d * n for d, n in counted.items())))

    def _fill_counted(self, shift: Shift) -> None:
        for denomination, pieces in shift.counted or ():
            if denomination in self.pieces:
                self.pieces[denomination].setText(str(pieces) if pieces else "")
        final = shift.count_final
        for edit in self.pieces.values():
            edit.setReadOnly(final)

    # -- steps -----------------------------------------------------------------------------------

    def _advance(self) -> None:
        page = self.page()
        if page == self.COUNT:
            self._declare()
        elif page == self.JUSTIFY:
            self._ask_approval()
        elif self.print_report is not None and self.close_result is not None:
            self.print_report(self.close_result)
        else:
            self.accept()

    def _declare(self) -> None:
        actor, shift = self.ctx.session.actor, self.ctx.session.shift
        if actor is None or shift is None:
            self.say_problem(self.tr("There is no open shift to close."))
            return
        counted = self.counted()
        shifts = self.ctx.counter.shifts

        def work(_token: CancelToken, _progress: Progress) -> ShiftCloseResult:
            shifts.declare_count(actor, shift.id, counted)
            return shifts.close_shift(actor, shift.id)

        self.say(self.tr("Declaring the count…"))
        self.run(
            work, self._closed_shift, label=self.tr("Closing the shift"), on_problem=self._refused
        )

    def _close(self, reason: str | None = None, approval: Approval | None = None) -> None:
        actor, shift = self.ctx.session.actor, self.ctx.session.shift
        if actor is None or shift is None:
            self.say_problem(self.tr("There is no open shift to close."))
            return
        shifts = self.ctx.counter.shifts

        def work(_token: CancelToken, _progress: Progress) -> ShiftCloseResult:
            return shifts.close_shift(actor, shift.id, reason, approval)

        self.run(
            work, self._closed_shift, label=self.tr("Closing the shift"), on_problem=self._refused
        )

    def _refused(self, exc: BaseException) -> None:
        self._refresh_shift()
        if isinstance(exc, CashDifferenceError):
            self.message.clear_message()  # the page says it, with the figures
            self._difference = exc
            self.figures.setText(self._figures(exc.expected_cash_fen, exc.counted_cash_fen))
            for edit in self.pieces.values():
                edit.setReadOnly(True)
            self._show(self.JUSTIFY)

    def _figures(self, expected: int, counted: int) -> str:
        difference = counted - expected
        return "\n".join(
            (
                self.tr("Expected cash: {0}").format(yuan(expected)),
                self.tr("Counted cash: {0}").format(yuan(counted)),
                self.tr("Difference: {0} ({1})").format(
                    yuan(difference),
                    self.tr("more than expected")
                    if difference > 0
                    else self.tr("less than expected")
                    if difference < 0
                    else self.tr("none"),
                ),
            )
        )

    def _ask_approval(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.say_problem(
                self.tr("Write down why the cash differs."),
                self.tr("The reason goes into the journal and the shift report."),
            )
            self.reason.setFocus()
            return
        exc = self._difference
        detail = (
            (self._figures(exc.expected_cash_fen, exc.counted_cash_fen) if exc is not None else "")
            + "\n"
            + self.tr("Reason: {0}").format(reason)
        )
        dialog = ApprovalDialog(self.ctx, ApprovalPurpose.CASH_DIFFERENCE.value, detail, self)
        shift = self.ctx.session.shift
        dialog.subject = f"shift {shift.id}" if shift is not None else None
        dialog.approved.connect(lambda approval: self._close(reason, approval))
        self.approval_dialog = dialog  # tests drive it
        dialog.open()

    def _closed_shift(self, result: ShiftCloseResult) -> None:
        self.close_result = result
        lines = [
            self.tr("Shift {0} closed.").format(result.shift_id),
            self.tr("Opening float: {0}").format(yuan(result.opening_float_fen)),
            self._figures(result.expected_cash_fen, result.counted_cash_fen),
        ]
        if result.reason:
            lines.append(self.tr("Reason: {0}").format(result.reason))
        if result.approver:
            lines.append(self.tr("Approved by: {0}").format(result.approver))
        lines.append(self.tr("Journal checkpoint {0} signed.").format(result.checkpoint_number))
        self.summary.setText("\n".join(lines))
        self.ctx.session.set_shift(None)
        self.message.clear_message()
        self._show(self.CLOSED)

    def _refresh_shift(self) -> None:
        """The session's shift as stored now (its count is declared, maybe final)."""
        actor = self.ctx.session.actor
        if actor is None:
            return
        shifts = self.ctx.counter.shifts

        def work(_token: CancelToken, _progress: Progress) -> Shift | None:
            return shifts.current_shift(actor)

        self.ctx.runner.run(work, self.ctx.session.set_shift, label=self.tr("Reading the shift"))
