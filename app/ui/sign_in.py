"""Signing in, the first admin, one's own password after an admin set it; unlocking.

The first-admin page shows only while the journal holds no staff record (an emptied operator
table gets a clear word instead); a password an admin set is replaced before the session starts.

The password check is memory-hard (Argon2id, ~0.3 s), so it runs on the runner's pool, never on
the GUI thread. A wrong password is said in the dialog itself, the password field is emptied and
keeps the focus; the service journals every attempt and locks the account after repeated
failures.
"""

from __future__ import annotations

import itertools

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.people import Actor
from app.services.operators import password_problem
from app.services.progress import CancelToken, Progress
from app.store.shifts import Shift
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label
from app.ui.forms import MessageLine, big_font


class SignInDialog(FlowDialog):
    """Username and password; on a first run, the first admin's account before that."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("signInDialog")
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_sign_in())
        self._pages.addWidget(self._build_first_admin())
        self._pages.addWidget(self._build_new_password())
        self._pending: tuple[Actor, Shift | None, str] | None = None  # until a new password
        self.ok_button = self.make_button(self.tr("&Sign in"), self._submit)
        self.cancel_button = self.make_button(self.tr("Cancel"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._pages)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.lock_while_busy(self._pages)
        self.setMinimumWidth(460)
        operators = ctx.counter.operators
        if operators.needs_first_admin():
            self.show_first_admin()
        else:
            self.show_sign_in()
            missing = operators.missing_accounts()
            if missing:  # rows deleted outside the app: no first-admin set-up, a clear word
                self.say_problem(
                    self.tr(
                        "{count} operator account(s) that this counter's journal names are "
                        "missing from its store: the store was damaged or edited outside the app."
                    ).format(count=missing),
                    self.tr(
                        "Those accounts cannot sign in. Restore the store from its backup or "
                        "call the issuer's support; the first-admin set-up stays closed."
                    ),
                )

    # -- pages -----------------------------------------------------------------------------------

    def _build_sign_in(self) -> QWidget:
        page = QWidget(self)
        heading = QLabel(self.tr("Sign in to the counter"), page)
        heading.setFont(big_font(14))
        self.username = QLineEdit(page)
        self.username.setObjectName("username")
        self.username.setMaxLength(32)
        self.password = QLineEdit(page)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        form = QFormLayout()
        form.addRow(form_label(self.tr("&Username:"), self.username, page), self.username)
        form.addRow(form_label(self.tr("&Password:"), self.password, page), self.password)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addLayout(form)
        self.on_enter(self.username, self._next_or_sign_in)
        self.on_enter(self.password, self._submit)
        return page

    def _build_first_admin(self) -> QWidget:
        page = QWidget(self)
        heading = QLabel(self.tr("First run: create the administrator"), page)
        heading.setFont(big_font(14))
        note = QLabel(
            self.tr(
                "This counter has no operators yet. The administrator creates the clerks' and "
                "supervisors' accounts."
            ),
            page,
        )
        note.setWordWrap(True)
        self.admin_username = QLineEdit(page)
        self.admin_username.setObjectName("adminUsername")
        self.admin_username.setMaxLength(32)
        self.admin_name = QLineEdit(page)
        self.admin_name.setObjectName("adminName")
        self.admin_name.setMaxLength(64)
        self.admin_password = QLineEdit(page)
        self.admin_password.setObjectName("adminPassword")
        self.admin_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_repeat = QLineEdit(page)
        self.admin_repeat.setObjectName("adminRepeat")
        self.admin_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        fields = (
            (self.tr("&Username:"), self.admin_username),
            (self.tr("&Name:"), self.admin_name),
            (self.tr("&Password:"), self.admin_password),
            (self.tr("&Repeat password:"), self.admin_repeat),
        )
        for text, field in fields:
            form.addRow(form_label(text, field, page), field)
        for (_, before), (_, after) in itertools.pairwise(fields):
            self.on_enter(before, after.setFocus)
        self.on_enter(self.admin_repeat, self._submit)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(form)
        return page

    def _build_new_password(self) -> QWidget:
        page = QWidget(self)
        heading = QLabel(self.tr("Choose your own password"), page)
        heading.setFont(big_font(14))
        note = QLabel(
            self.tr(
                "An admin set the password you typed. Choose a new one that only you know "
                "before you start."
            ),
            page,
        )
        note.setWordWrap(True)
        self.new_password = QLineEdit(page)
        self.new_password.setObjectName("newPassword")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setMaxLength(128)
        self.new_repeat = QLineEdit(page)
        self.new_repeat.setObjectName("newRepeat")
        self.new_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_repeat.setMaxLength(128)
        form = QFormLayout()
        form.addRow(
            form_label(self.tr("&New password:"), self.new_password, page), self.new_password
        )
        form.addRow(
            form_label(self.tr("&Repeat password:"), self.new_repeat, page), self.new_repeat
        )
        self.on_enter(self.new_password, self.new_repeat.setFocus)
        self.on_enter(self.new_repeat, self._submit)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(form)
        return page

    def show_new_password(self) -> None:
        """The page after signing in with a password an admin set: choose one's own."""
        self._pages.setCurrentIndex(2)
        self.setWindowTitle(self.tr("Choose your own password"))
        self.ok_button.setText(self.tr("&Change and sign in"))
        self.new_password.clear()
        self.new_repeat.clear()
        self.new_password.setFocus()

    def new_password_shown(self) -> bool:
        """Whether the dialog asks for the operator's own new password."""
        return self._pages.currentIndex() == 2

    def show_sign_in(self, username: str = "") -> None:
        """The sign-in page (``username`` filled in, focus on what is still empty)."""
        self._pending = None
        self._pages.setCurrentIndex(0)
        self.setWindowTitle(self.tr("Sign in"))
        self.ok_button.setText(self.tr("&Sign in"))
        if username:
            self.username.setText(username)
        self.password.clear()
        (self.password if self.username.text() else self.username).setFocus()

    def show_first_admin(self) -> None:
        """The first-run page: create the administrator."""
        self._pages.setCurrentIndex(1)
        self.setWindowTitle(self.tr("Create the administrator"))
        self.ok_button.setText(self.tr("&Create and sign in"))
        self.admin_username.setFocus()

    def first_admin_shown(self) -> bool:
        """Whether the dialog asks for the first administrator."""
        return self._pages.currentIndex() == 1

    # -- work --------------------------------------------------------------------------------

    def _next_or_sign_in(self) -> None:
        if self.password.text():
            self._submit()
        else:
            self.password.setFocus()

    def _submit(self) -> None:
        if self.first_admin_shown():
            self._create_admin()
        elif self.new_password_shown():
            self._change_password()
        else:
            self._sign_in(self.username.text(), self.password.text())

    def _sign_in(self, username: str, password: str) -> None:
        if not username.strip() or not password:
            self.say_problem(self.tr("Type your username and password."))
            (self.password if username.strip() else self.username).setFocus()
            return
        operators, shifts = self.ctx.counter.operators, self.ctx.counter.shifts

        def work(_token: CancelToken, _progress: Progress) -> tuple[Actor, Shift | None, bool]:
            actor = operators.sign_in(username, password)
            return actor, shifts.current_shift(actor), operators.must_change_password(actor)

        def signed_in(result: tuple[Actor, Shift | None, bool]) -> None:
            actor, shift, must_change = result
            if must_change:
                self._pending = (actor, shift, password)
                self.password.clear()
                self.show_new_password()
                self.say(self.tr("Choose a new password to continue."))
                return
            self._signed_in((actor, shift))

        self.say(self.tr("Checking the password…"))
        self.run(work, signed_in, label=self.tr("Signing in"), on_problem=self._refused)

    def _change_password(self) -> None:
        if self._pending is None:
            self.show_sign_in()
            return
        actor, shift, old = self._pending
        new = self.new_password.text()
        if new != self.new_repeat.text():
            self.say_problem(
                self.tr("The two passwords differ."), self.tr("Type the same password twice.")
            )
            self.new_repeat.clear()
            self.new_repeat.setFocus()
            return
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> None:
            operators.change_password(actor, new, old_password=old)

        def refused(_exc: BaseException) -> None:
            self.new_password.clear()
            self.new_repeat.clear()
            self.new_password.setFocus()

        self.run(
            work,
            lambda _none: self._signed_in((actor, shift)),
            label=self.tr("Changing the password"),
            on_problem=refused,
        )

    def _refused(self, _exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()

    def _signed_in(self, result: tuple[Actor, Shift | None]) -> None:
        actor, shift = result
        self._pending = None
        self.password.clear()
        self.ctx.session.sign_in(actor, shift)
        self.accept()

    def _create_admin(self) -> None:
        username = self.admin_username.text().strip()
        name = self.admin_name.text().strip() or username
        password = self.admin_password.text()
        if password != self.admin_repeat.text():
            self.say_problem(
                self.tr("The two passwords differ."), self.tr("Type the same password twice.")
            )
            self.admin_repeat.clear()
            self.admin_repeat.setFocus()
            return
        if password_problem(password, username) is not None:
            self.say_problem(
                self.tr("Choose another password."),
                self.tr("At least 8 characters, not a common one, not containing the username."),
            )
            self.admin_password.setFocus()
            return
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> str:
            return operators.create_first_admin(username, name, password).username

        def created(created_name: str) -> None:
            self.show_sign_in(created_name)
            self.say_done(self.tr("Administrator {0} created; signing in…").format(created_name))
            self._sign_in(created_name, password)

        self.run(work, created, label=self.tr("Creating the administrator"))


class UnlockDialog(QDialog):
    """The keystore passphrase that unlocks this counter's keys (when not in the environment)."""

    def __init__(self, problem: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unlock this counter"))
        self.setObjectName("unlockDialog")
        note = QLabel(
            self.tr(
                "The counter's keys are sealed. Type the keystore passphrase the administrator "
                "set at the first run."
            ),
            self,
        )
        note.setWordWrap(True)
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = MessageLine(self)
        if problem:
            self.message.show_error(problem)
        form = QFormLayout()
        form.addRow(form_label(self.tr("&Passphrase:"), self.passphrase, self), self.passphrase)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Unlock"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("&Quit"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self.passphrase.setFocus()

    def value(self) -> str:
        """The passphrase typed."""
        return self.passphrase.text()
