"""The second person: a supervisor types their username and password to approve an operation.

The check (Argon2id, lockout, journaled approval record) is the operator service's
:meth:`~app.services.operators.OperatorService.approve`, run on the pool — never on the GUI
thread. A wrong password is said inside the dialog, which stays open for another try; the
approval (an :class:`~app.domain.people.Approval`) is emitted with ``approved`` and the dialog
closes. Esc cancels: nothing is approved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.people import Approval
from app.services.progress import CancelToken, Progress
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label


class ApprovalDialog(FlowDialog):
    """A supervisor's username and password for one operation (``purpose``)."""

    approved = Signal(object)  # app.domain.people.Approval

    def __init__(
        self,
        ctx: UiContext,
        purpose: str,
        detail: str,
        parent: QWidget | None = None,
        *,
        subject: str | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle(self.tr("Supervisor approval"))
        self.setObjectName("approvalDialog")
        self.purpose = str(purpose)
        self.subject = subject
        self.approval: Approval | None = None

        heading = QLabel(self.tr("A supervisor must approve this:"), self)
        what = QLabel(detail, self)
        what.setObjectName("approvalDetail")
        what.setWordWrap(True)
        font = what.font()
        font.setBold(True)
        what.setFont(font)
        note = QLabel(self.tr("The supervisor types their own username and password here."), self)
        note.setWordWrap(True)

        self.username = QLineEdit(self)
        self.username.setObjectName("approverUsername")
        self.username.setMaxLength(32)
        self.password = QLineEdit(self)
        self.password.setObjectName("approverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        self.lock_while_busy(self.username, self.password)
        form = QFormLayout()
        form.addRow(form_label(self.tr("&Supervisor:"), self.username, self), self.username)
        form.addRow(form_label(self.tr("&Password:"), self.password, self), self.password)

        self.approve_button = self.make_button(self.tr("&Approve"), self._approve)
        self.cancel_button = self.make_button(self.tr("Cancel"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(what)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.on_enter(self.username, self._next_or_approve)
        self.on_enter(self.password, self._approve)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.approve_button)
        self.setTabOrder(self.approve_button, self.cancel_button)
        self.setMinimumWidth(440)
        self.username.setFocus()

    def _next_or_approve(self) -> None:
        if self.password.text():
            self._approve()
        else:
            self.password.setFocus()

    def _approve(self) -> None:
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self.say_problem(
                self.tr("Type the supervisor's username and password."),
            )
            (self.password if username else self.username).setFocus()
            return
        actor = self.signed_in()
        if actor is None:
            return
        shift = self.ctx.session.shift
        operators = self.ctx.counter.operators
        purpose, subject = self.purpose, self.subject

        def work(_token: CancelToken, _progress: Progress) -> Approval:
            return operators.approve(
                actor,
                username,
                password,
                purpose,
                shift_id=shift.id if shift is not None else None,
                subject=subject,
            )

        self.say(self.tr("Checking the password…"))
        self.run(
            work,
            self._approved,
            label=self.tr("Checking the supervisor's password"),
            on_problem=self._refused,
        )

    def _approved(self, approval: Approval) -> None:
        self.approval = approval
        self.password.clear()
        self.approved.emit(approval)
        self.accept()

    def _refused(self, _exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
