"""Tools → Staff: the admin's screen for operator accounts.

Lists every account the journal names (role, and whether it is active or locked), creates an
account, sets another role, sets a new password (which also ends a lockout), locks and unlocks.
Each change is a journaled staff record (app/services/staff_roster.py); the service checks that
the signed-in operator is an admin, whatever this screen shows. Passwords are hashed on the pool.

Keyboard: the list has the focus; Alt+letters reach the fields and the buttons; Enter in the
password field creates the account when the username field is filled, otherwise sets the selected
account's new password. The role list box never follows the selection (a new account would take
an admin's role from the row that happens to be selected): it says Clerk until changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.people import Role
from app.services.operators import OperatorInfo
from app.services.progress import CancelToken, Progress
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label, local_time

Index = QModelIndex | QPersistentModelIndex


class StaffModel(QAbstractTableModel):
    """Accounts: username, name, role, state."""

    COLUMNS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts: list[OperatorInfo] = []

    def set_accounts(self, accounts: list[OperatorInfo]) -> None:
        """Show these accounts."""
        self.beginResetModel()
        self.accounts = list(accounts)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's API
        """One row per account."""
        return 0 if parent.isValid() else len(self.accounts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's API
        """See the class docstring."""
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(  # noqa: N802 - Qt's API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        titles = (self.tr("Username"), self.tr("Name"), self.tr("Role"), self.tr("State"))
        return titles[section] if 0 <= section < len(titles) else None

    def role_text(self, role: Role) -> str:
        """A role's name for the clerk."""
        names = {
            Role.CLERK: self.tr("Clerk"),
            Role.SUPERVISOR: self.tr("Supervisor"),
            Role.ADMIN: self.tr("Admin"),
        }
        return names.get(role, role.value)

    def state_text(self, info: OperatorInfo) -> str:
        """Active, deactivated, locked by an admin, or locked until a time."""
        if not info.active:
            return self.tr("Deactivated")
        if info.locked_by_admin:
            return self.tr("Locked by an admin")
        if info.locked_until is not None:
            return self.tr("Locked until {time} (wrong passwords)").format(
                time=local_time(info.locked_until)
            )
        return self.tr("Active")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell's text."""
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        info = self.accounts[index.row()]
        values = (
            info.username,
            info.display_name,
            self.role_text(info.role),
            self.state_text(info),
        )
        return values[index.column()]


class StaffDialog(FlowDialog):
    """The admin's staff screen (see the module docstring)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("staffDialog")
        self.setWindowTitle(self.tr("Staff"))
        self.model = StaffModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("staffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(200)

        self.username = QLineEdit(self)
        self.username.setObjectName("staffUsername")
        self.username.setMaxLength(32)
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("staffName")
        self.display_name.setMaxLength(64)
        self.role = QComboBox(self)
        self.role.setObjectName("staffRole")
        for role in (Role.CLERK, Role.SUPERVISOR, Role.ADMIN):
            self.role.addItem(self.model.role_text(role), role.value)
        self.password = QLineEdit(self)
        self.password.setObjectName("staffPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        form = QFormLayout()
        form.addRow(
            form_label(self.tr("&Username (new account):"), self.username, self), self.username
        )
        form.addRow(form_label(self.tr("&Name:"), self.display_name, self), self.display_name)
        form.addRow(form_label(self.tr("R&ole:"), self.role, self), self.role)
        form.addRow(form_label(self.tr("Pass&word:"), self.password, self), self.password)

        self.create_button = self.make_button(self.tr("&Create account"), self.create_account)
        self.role_button = self.make_button(self.tr("Set &role"), self.set_role)
        self.password_button = self.make_button(self.tr("Set new &password"), self.reset_password)
        self.lock_button = self.make_button(self.tr("&Lock"), self.lock)
        self.unlock_button = self.make_button(self.tr("Unloc&k"), self.unlock)
        self.close_button = self.make_button(self.tr("Close"), self.reject, lock=False)
        buttons = QHBoxLayout()
        for button in (
            self.create_button,
            self.role_button,
            self.password_button,
            self.lock_button,
            self.unlock_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.lock_while_busy(self.table, self.username, self.display_name, self.role, self.password)
        self.on_enter(self.password, self._password_enter)
        self.on_enter(self.username, self.display_name.setFocus)
        self.on_enter(self.display_name, self.role.setFocus)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.setMinimumSize(760, 480)
        self.refresh()

    # -- reading -------------------------------------------------------------------------------

    def selected(self) -> OperatorInfo | None:
        """The account selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.accounts[rows[0].row()]

    def refresh(self, select: str | None = None) -> None:
        """Read the accounts again (on the pool); select ``select`` (else the same row)."""
        actor = self.signed_in()
        if actor is None:
            return
        current = self.selected()
        keep = select or (current.username if current else None)
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> list[OperatorInfo]:
            return operators.operators(actor)

        def show(accounts: list[OperatorInfo]) -> None:
            self.model.set_accounts(accounts)
            names = [a.username for a in accounts]
            self.table.selectRow(names.index(keep) if keep in names else 0)
            self.table.setFocus()

        self.run(work, show, label=self.tr("Reading the accounts"))

    def update_actions(self) -> None:
        """Lock or unlock, as the selected account needs."""
        info = self.selected()
        usable = info is not None and info.active
        locked = info is not None and (info.locked_by_admin or info.locked_until is not None)
        self.role_button.setEnabled(usable and not self.busy)
        self.password_button.setEnabled(usable and not self.busy)
        self.lock_button.setEnabled(usable and not locked and not self.busy)
        self.unlock_button.setEnabled(usable and locked and not self.busy)

    # -- changes -------------------------------------------------------------------------------

    def _password_enter(self) -> None:
        if self.username.text().strip():
            self.create_account()
        else:
            self.reset_password()

    def create_account(self) -> None:
        """Create the account typed in the fields."""
        actor = self.signed_in()
        if actor is None:
            return
        username = self.username.text()
        name = self.display_name.text()
        role = Role(self.role.currentData())
        password = self.password.text()
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> OperatorInfo:
            return operators.create_operator(actor, username, name, role, password)

        def done(info: OperatorInfo) -> None:
            for field in (self.username, self.display_name, self.password):
                field.clear()
            self.say_done(self.tr("Account “{username}” created.").format(username=info.username))
            self.refresh(select=info.username)

        self.run(work, done, label=self.tr("Creating the account"), on_problem=self._problem)

    def set_role(self) -> None:
        """Give the selected account the role chosen in the list box."""
        actor, info = self.signed_in(), self.selected()
        if actor is None or info is None:
            return
        role = Role(self.role.currentData())
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> OperatorInfo:
            return operators.change_role(actor, info.username, role)

        def done(changed: OperatorInfo) -> None:
            self.say_done(
                self.tr("“{username}” is now: {role}.").format(
                    username=changed.username, role=self.model.role_text(changed.role)
                )
            )
            self.refresh(select=changed.username)

        self.run(work, done, label=self.tr("Changing the role"))

    def reset_password(self) -> None:
        """Set the password typed as the selected account's new password (ends a lockout)."""
        actor, info = self.signed_in(), self.selected()
        if actor is None or info is None:
            return
        password = self.password.text()
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> None:
            operators.change_password(actor, password, username=info.username)

        def done(_none: None) -> None:
            self.password.clear()
            self.say_done(
                self.tr("New password set for “{username}”. Tell them in person.").format(
                    username=info.username
                )
            )
            self.refresh(select=info.username)

        self.run(work, done, label=self.tr("Setting the password"), on_problem=self._problem)

    def lock(self) -> None:
        """Lock the selected account until an admin unlocks it."""
        self._lock(True)

    def unlock(self) -> None:
        """Unlock the selected account (also ends a lockout after wrong passwords)."""
        self._lock(False)

    def _lock(self, lock: bool) -> None:
        actor, info = self.signed_in(), self.selected()
        if actor is None or info is None:
            return
        operators = self.ctx.counter.operators

        def work(_token: CancelToken, _progress: Progress) -> OperatorInfo:
            if lock:
                return operators.lock(actor, info.username)
            return operators.unlock(actor, info.username)

        def done(changed: OperatorInfo) -> None:
            text = (
                self.tr("“{username}” is locked.") if lock else self.tr("“{username}” is unlocked.")
            )
            self.say_done(text.format(username=changed.username))
            self.refresh(select=changed.username)

        self.run(work, done, label=self.tr("Changing the account"))

    def _problem(self, _exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
